//! Stable diagnostic codes: documented in docs/diagnostics.md, used by CI annotations; never renumbered.
//! `E…` are errors; `W…` warnings, which `--strict` turns into failures.

macro_rules! codes {
    ($($code:ident => $summary:literal,)*) => {
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum Code {
            $(#[doc = $summary] $code,)*
        }

        impl Code {
            /// Every code, in order.
            pub const ALL: &[Code] = &[$(Code::$code,)*];

            pub fn as_str(self) -> &'static str {
                match self {
                    $(Code::$code => stringify!($code),)*
                }
            }

            /// What the code means, in one line.
            pub fn summary(self) -> &'static str {
                match self {
                    $(Code::$code => $summary,)*
                }
            }
        }
    };
}

codes! {
    E001 => "the file is not a YAML document of the expected shape",
    E002 => "a field the spec format does not have",
    E003 => "`apiVersion` or `kind` is not the one this build reads",
    E004 => "an object, namespace, provider or reference name that Kubernetes or litegate rejects",
    E005 => "a label or annotation that breaks Kubernetes syntax, or one litegate sets itself",
    E010 => "a provider `type` LiteLLM does not know",
    E011 => "a provider type that needs `apiBase` has none",
    E012 => "a model names a provider that is not defined",
    E013 => "a provider type that needs `apiKey` has none",
    E014 => "a malformed secret source, or a literal secret value",
    E015 => "a secret source cannot be read (unset env var, missing file, empty value)",
    E016 => "two models share an id",
    E017 => "a fallback names an unknown model or itself",
    E018 => "a param or `dropParams` entry LiteLLM does not know",
    E019 => "two secrets map to one container env var, or config.yaml refers to one the container lacks",
    E020 => "the ConfigMap's or the Secret's data is over Kubernetes' 1 MiB limit",
    E021 => "the master key is missing, weak, or LiteLLM's example key",
    E022 => "the disruption budget would block node drains forever",
    E023 => "the grace period does not outlast the preStop sleep",
    E024 => "autoscaling bounds that are not highly available or not ordered",
    E025 => "a param or setting litegate sets itself (`model`, `api_key`, `master_key`, ...) given by hand",
    E026 => "a router strategy LiteLLM does not know",
    E027 => "`secrets.mode: external` with a source litegate would have to read",
    E028 => "a value out of its range",
    E029 => "the spec file is not UTF-8",
    E030 => "a key given twice in one mapping",
    E031 => "the spec file is larger than litegate reads",
    E032 => "anchors and aliases that expand beyond the parser's limits",
    E033 => "a secret source litegate may not read here: a file outside the spec's directory, or an env var the operator did not allow",
    E034 => "a database without a salt key, which a master-key rotation would make unreadable",
    E035 => "a provider without `type` serves a model whose model string the spec writes",
    E036 => "`entryLimits` with a database, whose rows keep only `litellm_params` and `model_info`",
    E037 => "a param whose value is not of the type LiteLLM gives it",
    W001 => "the image is not pinned to a version",
    W002 => "a single replica: every rollout and node drain is an outage",
    W003 => "rate limits without Redis are counted per pod",
    W004 => "a global `dropParams: true` silently drops request fields",
    W005 => "an unquoted value that YAML 1.1 readers take for a boolean, number or date",
    W006 => "the grace period cannot outlast the longest configured request: streams are cut at shutdown",
    W007 => "a memory limit or CPU request below what the configured workers were measured to need",
    W008 => "values litegate cannot see, with nothing declared to roll the pods when they rotate",
    W009 => "fallbacks form a cycle, which LiteLLM caps at `max_fallbacks` hops",
}
