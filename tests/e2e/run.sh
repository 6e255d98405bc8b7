#!/usr/bin/env bash
# End-to-end proof: litegate's output run through the real programs that consume it.
# - the real LiteLLM proxy boots from each rendered example, the way the Deployment says;
# - every manifest passes Kubernetes' OpenAPI schemas in strict mode (oldest and newest
#   Kubernetes we claim) and checkov's policy checks;
# - kubectl kustomize builds every rendered directory and an overlay of it;
# - mutated output (wrong env var, probe path typo, dropped api_base) is caught;
# - `litegate sync` runs against LiteLLM's own proxy code with only the database
#   replaced (sync_harness.py);
# - a rolling update of real pods loses no request, and a pod writes nothing outside its
#   emptyDirs (drill.py, boot_check.py: pods as tests/e2e/pod.py runs them).
# Venvs are cached under $LITEGATE_E2E_CACHE, keyed by the pinned versions.
set -euo pipefail
cd "$(dirname "$0")/../.."

LITELLM_VERSION=1.106.2
# The version the default image pins (src/resolve DEFAULTS.image, ghcr.io/berriai/litellm:v1.80.12-stable):
# the drill and the read-only boot run on what is deployed, the boot also on $LITELLM_VERSION.
PINNED_LITELLM_VERSION=1.80.12
PRISMA_VERSION=0.15.0
KUBERNETES_VALIDATE_VERSION=1.37.0
CHECKOV_VERSION=3.3.30
ESO_MODELS_VERSION=2.0.0
CACHE=${LITEGATE_E2E_CACHE:-$HOME/.cache/litegate-e2e}
mkdir -p "$CACHE"

t0=$SECONDS
timing() { echo "e2e: $1 took $((SECONDS - t0)) s"; t0=$SECONDS; }

venv() { # NAME PACKAGES...: a venv per pinned set, created once
  local dir="$CACHE/$1"; shift
  if [ ! -x "$dir/bin/python" ] || [ ! -f "$dir/.complete" ]; then
    rm -rf "$dir"
    python3 -m venv "$dir"
    "$dir/bin/pip" install --quiet --disable-pip-version-check "$@"
    touch "$dir/.complete"
  fi
  echo "$dir"
}

LITELLM_VENV=$(venv "litellm-$LITELLM_VERSION-prisma-$PRISMA_VERSION" "litellm[proxy]==$LITELLM_VERSION" "prisma==$PRISMA_VERSION")
PINNED_LITELLM_VENV=$(venv "litellm-$PINNED_LITELLM_VERSION-prisma-$PRISMA_VERSION" "litellm[proxy]==$PINNED_LITELLM_VERSION" "prisma==$PRISMA_VERSION")
# checkov's dependencies clash with litellm's: it gets its own venv.
CHECKOV_VENV=$(venv "checkov-$CHECKOV_VERSION" "checkov==$CHECKOV_VERSION")
K8S_VENV=$(venv "kubernetes-validate-$KUBERNETES_VALIDATE_VERSION" "kubernetes-validate==$KUBERNETES_VALIDATE_VERSION")
# External Secrets Operator's CRD schema, as @kubernetes-models generates it from the CRD:
# custom resources are in no Kubernetes schema, so the ExternalSecret is checked against it.
ESO_MODELS_DIR="$CACHE/eso-models-$ESO_MODELS_VERSION"
if [ ! -f "$ESO_MODELS_DIR/.complete" ]; then
  rm -rf "$ESO_MODELS_DIR" && mkdir -p "$ESO_MODELS_DIR"
  (cd "$ESO_MODELS_DIR" && npm init -y >/dev/null \
    && npm install --silent --no-audit --no-fund "@kubernetes-models/external-secrets@$ESO_MODELS_VERSION" >/dev/null 2>&1)
  touch "$ESO_MODELS_DIR/.complete"
fi
export ESO_MODELS_DIR
timing "venvs"

cargo build --release --locked --quiet
timing "release build"

export LITEGATE_BIN=$PWD/target/release/litegate
export LITELLM_BIN=$LITELLM_VENV/bin/litellm
export CHECKOV_BIN=$CHECKOV_VENV/bin/checkov
export KUBERNETES_VALIDATE_BIN=$K8S_VENV/bin/kubernetes-validate
export LITELLM_VERSION
status=0
"$LITELLM_VENV/bin/python" tests/e2e/e2e.py "$@" || status=$?
timing "e2e.py"

# litegate sync against LiteLLM's own proxy code with only the database replaced
# (tests/e2e/sync_harness.py; its docstring says what is replaced). Runs on a full run;
# LITEGATE_E2E_SYNC=0 skips it, =1 runs it also when examples are named.
if [ "${LITEGATE_E2E_SYNC:-$([ $# -eq 0 ] && echo 1 || echo 0)}" = 1 ]; then
  "$LITELLM_VENV/bin/python" tests/e2e/sync_harness.py || status=$?
  timing "sync harness"
fi
# Pods as the kubelet runs them (tests/e2e/pod.py: read-only root, uid 65534, no
# capabilities, via unshare and setpriv; needs root and strace). On a full run;
# LITEGATE_E2E_PODS=0 skips both, =1 runs them also when examples are named.
if [ "${LITEGATE_E2E_PODS:-$([ $# -eq 0 ] && echo 1 || echo 0)}" = 1 ]; then
  # the rolling-update drill on the pinned version; writes docs/pods-drill-table.md
  LITELLM_BIN=$PINNED_LITELLM_VENV/bin/litellm LITELLM_VERSION=$PINNED_LITELLM_VERSION \
    timeout 900 "$LITELLM_VENV/bin/python" tests/e2e/drill.py || status=$?
  timing "rollout drill"
  LITELLM_BINS="$PINNED_LITELLM_VERSION=$PINNED_LITELLM_VENV/bin/litellm,$LITELLM_VERSION=$LITELLM_VENV/bin/litellm" \
    timeout 420 "$LITELLM_VENV/bin/python" tests/e2e/boot_check.py || status=$?
  timing "read-only boot"
fi
exit $status
