#!/usr/bin/env bash
# Times the whole `litegate render` process on the generated benchmark specs (10, 100 and
# 1,000 models, the largest whose config.yaml fits a ConfigMap, and 10,000 models, which
# must be refused with E020), and `litegate render` against `kubectl kustomize` building
# the same objects written out. Prints markdown tables and the kustomize ratio.
#
#   scripts/bench-process.sh            # README's numbers
#   RUNS=50 scripts/bench-process.sh    # more runs per command (default 20)
#
# Needs kubectl (kustomize built in) and jq; hyperfine is installed with apt if missing.
# The specs come from the generator the benches use (benches/specgen) and are written to
# target/bench-specs, never committed. Tests never time anything: this script measures.
set -euo pipefail
cd "$(dirname "$0")/.."

RUNS=${RUNS:-20}
OUT=target/bench-specs

if ! command -v hyperfine >/dev/null; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    apt-get update -qq && apt-get install -y -qq hyperfine >/dev/null
  fi
fi
command -v hyperfine >/dev/null || { echo "hyperfine is needed (apt-get install hyperfine)" >&2; exit 1; }
command -v jq >/dev/null || { echo "jq is needed (apt-get install jq)" >&2; exit 1; }
command -v kubectl >/dev/null || { echo "kubectl is needed for the kustomize comparison" >&2; exit 1; }
[ -x /usr/bin/time ] || { echo "/usr/bin/time is needed for peak memory (apt-get install time)" >&2; exit 1; }

cargo build --release --quiet
cargo build --release --quiet --example specgen
BIN=target/release/litegate
largest=$(target/release/examples/specgen "$OUT")
# shellcheck source=/dev/null
. "$OUT/env"
# The dummy keys examples/full.yaml reads (tests/common/mod.rs uses the same names).
export OPENAI_API_KEY=dummy-openai ANTHROPIC_API_KEY=dummy-anthropic \
  AWS_ACCESS_KEY_ID=dummy-aws-id AWS_SECRET_ACCESS_KEY=dummy-aws-secret \
  REDIS_PASSWORD=dummy-redis

# mean and standard deviation in ms of one command, from hyperfine's JSON.
time_ms() {
  local json
  json=$(mktemp)
  hyperfine -N -i --warmup 3 --runs "$RUNS" --export-json "$json" "$1" >/dev/null 2>&1
  jq -r '.results[0] | "\(.mean * 1000) \(.stddev * 1000)"' "$json"
  rm -f "$json"
}

# Peak resident memory in MiB, the highest of three runs.
peak_mib() {
  local kb=0 k report
  report=$(mktemp)
  for _ in 1 2 3; do
    /usr/bin/time -v -o "$report" "$@" >/dev/null 2>&1 || true
    k=$(awk '/Maximum resident/ {print $6}' "$report")
    if [ -n "$k" ] && [ "$k" -gt "$kb" ]; then kb=$k; fi
  done
  rm -f "$report"
  awk -v kb="$kb" 'BEGIN { printf "%.1f", kb / 1024 }'
}

kib() { awk -v b="$1" 'BEGIN { printf "%.0f", b / 1024 }'; }

echo "### litegate render, whole process ($(nproc) cores, $RUNS runs each)"
echo
echo "| spec | models | spec KiB | config.yaml KiB | exit | time (mean ± σ) | peak RSS |"
echo "|---|---:|---:|---:|---:|---:|---:|"
for name in 10 100 1000 largest 10000; do
  spec="$OUT/models-$name.yaml"
  models=$name
  [ "$name" = largest ] && models=$largest
  set +e
  "$BIN" render "$spec" >"$OUT/out.yaml" 2>"$OUT/err.txt"
  code=$?
  set -e
  if [ "$name" = 10000 ]; then
    # The size rule must refuse it, with its own error and nothing on stdout.
    if [ "$code" != 1 ] || ! grep -q 'error\[E020\]' "$OUT/err.txt" || [ -s "$OUT/out.yaml" ]; then
      echo "models-10000.yaml was not refused with E020 (exit $code)" >&2
      cat "$OUT/err.txt" >&2
      exit 1
    fi
    # The early rule reports a floor ("at least N bytes"), the exact one "data is N bytes".
    config=$(sed -n 's/.*\(data is\|at least\) \([0-9]*\) bytes.*/\2/p' "$OUT/err.txt" | head -1)
  else
    [ "$code" = 0 ] || { cat "$OUT/err.txt" >&2; exit 1; }
    "$BIN" render "$spec" -o "$OUT/dir-$name" 2>/dev/null
    config=$(wc -c <"$OUT/dir-$name/config.yaml")
  fi
  read -r mean sd < <(time_ms "$BIN render $spec")
  rss=$(peak_mib "$BIN" render "$spec")
  label="models-$name.yaml"
  [ "$name" = 10000 ] && label="models-10000.yaml (refused, E020)"
  printf '| %s | %s | %s | %s | %s | %.1f ± %.1f ms | %s MiB |\n' \
    "$label" "$models" "$(kib "$(wc -c <"$spec")")" "$(kib "$config")" "$code" "$mean" "$sd" "$rss"
done

echo
echo "### litegate render vs kubectl kustomize building the same objects"
echo
echo "kustomize builds the directory that \`litegate render SPEC -o DIR\` writes (the same"
echo "objects, written out, with their kustomization.yaml)."
echo
echo "| spec | litegate render | kubectl kustomize | ratio |"
echo "|---|---:|---:|---:|"
ratio_row() {
  local spec=$1 dir=$2
  rm -rf "$dir"
  "$BIN" render "$spec" -o "$dir" 2>/dev/null
  local json
  json=$(mktemp)
  # Both commands in one hyperfine run, so both see the same machine.
  hyperfine -N --warmup 3 --runs "$RUNS" --export-json "$json" \
    "$BIN render $spec" "kubectl kustomize $dir" >/dev/null 2>&1
  jq -r --arg spec "$spec" '
    (.results[0].mean * 1000) as $l | (.results[1].mean * 1000) as $k |
    "| \($spec) | \($l * 10 | round / 10) ms | \($k * 10 | round / 10) ms | \($k / $l * 10 | round / 10)x faster |"' "$json"
  rm -f "$json"
}
ratio_row examples/full.yaml "$OUT/kustomize-full"
ratio_row "$OUT/models-largest.yaml" "$OUT/kustomize-largest"
