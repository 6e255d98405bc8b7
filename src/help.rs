//! The long help of each command (`litegate CMD --help`, the man pages): examples, the
//! environment it reads, and its exit codes. Short help stays in the argument types.

pub const RENDER: &str = "\
Examples:
  litegate render gateway.yaml                          # every object, on stdout
  litegate render gateway.yaml -o deploy/litellm        # one file each, no Secret
  litegate render gateway.yaml -o deploy/litellm --secret-out secret.yaml
  litegate render gateway.yaml --check deploy/litellm --skip-secrets   # CI, no keys

Environment:
  The variables the spec's {env: NAME} sources name; `file:` sources are read in or below
  the spec's directory. LITEGATE_LOAD_RESTRICTOR is --load-restrictor's default.

Exit codes:
  0 rendered, or --check found the directory up to date
  1 invalid spec, stale directory, or a failed write
  2 usage error";

pub const VALIDATE: &str = "\
Examples:
  litegate validate gateway.yaml
  litegate validate gateway.yaml --strict --format json    # CI annotations
  litegate validate gateway.yaml --skip-secrets            # a CI job without the keys

Environment:
  The variables the spec's {env: NAME} sources name (not with --skip-secrets).

Exit codes:
  0 valid (warnings allowed, unless --strict)
  1 errors, or warnings with --strict
  2 usage error";

pub const PLAN: &str = "\
Examples:
  litegate plan deploy/litellm gateway.yaml       # what applying the spec changes
  litegate plan old.yaml new.yaml --format json
  litegate plan deploy/litellm gateway.yaml --skip-secrets   # CI, no keys

Environment:
  The variables both specs' {env: NAME} sources name (not with --skip-secrets).

Exit codes:
  0 nothing changes
  3 a change is planned (see the verdict: none, live or rollout)
  1 invalid input
  2 usage error";

pub const SYNC: &str = "\
Examples:
  kubectl -n llm port-forward deploy/litellm 4000:4000 &
  litegate sync gateway.yaml --url http://127.0.0.1:4000 --dry-run   # the drift
  litegate sync gateway.yaml --url http://127.0.0.1:4000

Environment:
  LITELLM_MASTER_KEY (or --master-key-env NAME): the proxy's master key. No provider key
  is read: rows carry keys as os.environ/NAME references.

Exit codes:
  0 in sync (nothing to do, or applied and read back)
  3 drift found, with --dry-run
  1 error (refused, unreachable, not converged; what was applied is listed)
  2 usage error";

pub const VERIFY: &str = "\
Examples:
  litegate verify gateway.yaml --url http://127.0.0.1:4000
  litegate verify gateway.yaml --url http://10.0.0.7:4000 --url http://10.0.0.8:4000 --wait 5m

Environment:
  LITELLM_MASTER_KEY (or --master-key-env NAME): the proxies' master key.

Exit codes:
  0 every URL serves the spec
  3 a URL does not (or, with --wait, did not within the time)
  1 error (the key is refused, the answer is no model list)
  2 usage error";

pub const KRM: &str = "\
Examples:
  printf '#!/bin/sh\\nexec litegate krm\\n' > litegate-krm && chmod +x litegate-krm
  LITEGATE_ALLOW_ENV=OPENAI_API_KEY,LITELLM_MASTER_KEY kpt fn eval pkg/ --exec ./litegate-krm --fn-config gateway.yaml

Environment:
  LITEGATE_ALLOW_ENV: the only variables {env: NAME} sources may read (names or PREFIX_*,
  comma-separated); unset, none. LITEGATE_LOAD_RESTRICTOR is --load-restrictor's default.

Exit codes:
  0 rendered (the ResourceList on stdout)
  1 an error, reported in the ResourceList's results";

pub const POST_RENDER: &str = "\
Examples:
  helm upgrade --install llm ./chart --post-renderer litegate --post-renderer-args gateway.yaml
  helm template ./chart | litegate post-render gateway.yaml

Environment:
  The variables the spec's {env: NAME} sources name.

Exit codes:
  0 the chart's manifests, then the spec's objects, on stdout
  1 invalid spec, or the chart already has an object litegate emits (nothing printed)";

pub const KUSTOMIZE_PLUGIN: &str = "\
Examples:
  ln -sf \"$(command -v litegate)\" ~/.config/kustomize/plugin/litegate/v1alpha1/gateway/Gateway
  LITEGATE_ALLOW_ENV=OPENAI_API_KEY,LITELLM_MASTER_KEY kubectl kustomize --enable-alpha-plugins .

Environment:
  LITEGATE_ALLOW_ENV: the only variables {env: NAME} sources may read; unset, none.
  LITEGATE_LOAD_RESTRICTOR=LoadRestrictionsNone lets `file:` sources leave the
  kustomization's directory. KUSTOMIZE_PLUGIN_CONFIG_ROOT (set by kustomize): that directory.

Exit codes:
  0 the objects on stdout
  1 invalid spec";

pub const IMPORT: &str = "\
Examples:
  litegate import config.yaml -o gateway.yaml && litegate validate gateway.yaml

Environment:
  None: a key in the config is never copied; the warnings name the variables to export.

Exit codes:
  0 imported (warnings say what changed)
  1 the config cannot be imported (every problem listed; nothing written)
  2 usage error";
