//! What LiteLLM accepts: provider types, params and routing strategies, loaded once from
//! `data/litellm.yaml` (generated from a pinned LiteLLM by `scripts/refresh-litellm-data.py`).

use std::collections::{BTreeMap, BTreeSet};
use std::sync::OnceLock;

use serde::Deserialize;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Catalog {
    /// The LiteLLM release the lists were read from.
    pub litellm_version: String,
    pub api_base_required: BTreeSet<String>,
    pub api_key_required: BTreeSet<String>,
    pub reserved_params: BTreeSet<String>,
    pub provider_types: BTreeSet<String>,
    /// OpenAI-style request params: valid in `params` and `dropParams`.
    pub request_params: BTreeSet<String>,
    /// Deployment-level `litellm_params`: valid in `params` and provider `params`/`credentials`.
    pub deployment_params: BTreeSet<String>,
    /// Every other param LiteLLM reads from `litellm_params` (its `all_litellm_params`).
    pub litellm_params: BTreeSet<String>,
    pub routing_strategies: BTreeSet<String>,
    /// Provider type => `litellm_params` field => the variable LiteLLM reads when the
    /// config leaves the field out (`openai` => `api_key` => `OPENAI_API_KEY`).
    pub env_fallbacks: BTreeMap<String, BTreeMap<String, String>>,
    /// Provider type => model names LiteLLM's model map resolves to it without a prefix.
    pub inferred_models: BTreeMap<String, BTreeSet<String>>,
}

impl Catalog {
    /// Whether `name` may appear in a model's or provider's `params`.
    pub fn is_known_param(&self, name: &str) -> bool {
        self.request_params.contains(name)
            || self.deployment_params.contains(name)
            || self.litellm_params.contains(name)
    }

    pub fn known_params(&self) -> impl Iterator<Item = &str> {
        self.request_params
            .iter()
            .chain(&self.deployment_params)
            .chain(&self.litellm_params)
            .map(String::as_str)
    }

    /// The provider LiteLLM infers for a model written without a prefix (`gpt-4o`).
    pub fn inferred_provider(&self, model: &str) -> Option<&str> {
        self.inferred_models
            .iter()
            .find(|(_, names)| names.contains(model))
            .map(|(provider, _)| provider.as_str())
    }

    /// The variable LiteLLM reads for `field` of a `provider` the config leaves it out of.
    pub fn env_fallback(&self, provider: &str, field: &str) -> Option<&str> {
        self.env_fallbacks
            .get(provider)
            .and_then(|fields| fields.get(field))
            .map(String::as_str)
    }
}

/// The catalog compiled into this binary.
pub fn catalog() -> &'static Catalog {
    static CATALOG: OnceLock<Catalog> = OnceLock::new();
    CATALOG.get_or_init(|| {
        serde_saphyr::from_str(include_str!("../../data/litellm.yaml"))
            .expect("data/litellm.yaml is generated and checked by a test")
    })
}

#[cfg(test)]
mod tests {
    use super::catalog;

    #[test]
    fn shipped_catalog_loads_and_is_consistent() {
        let c = catalog();
        assert!(!c.litellm_version.is_empty());
        for t in c.api_base_required.iter().chain(&c.api_key_required) {
            assert!(
                c.provider_types.contains(t),
                "policy names unknown provider type {t}"
            );
        }
        for p in &c.reserved_params {
            assert!(
                !c.deployment_params.contains(p),
                "reserved param {p} is also listed as allowed"
            );
        }
        assert!(c.routing_strategies.contains("simple-shuffle"));
        assert!(c.request_params.contains("logit_bias"));
        for p in &c.litellm_params {
            assert!(
                !c.reserved_params.contains(p),
                "reserved param {p} is also listed"
            );
        }
        for p in [
            "extra_body",
            "order",
            "weight",
            "ssl_verify",
            "allowed_openai_params",
        ] {
            assert!(c.is_known_param(p), "{p} is a param LiteLLM reads");
        }
    }

    #[test]
    fn unprefixed_models_resolve_as_litellm_infers_them() {
        let c = catalog();
        assert_eq!(c.inferred_provider("gpt-4o"), Some("openai"));
        assert_eq!(c.inferred_provider("o3"), Some("openai"));
        assert_eq!(c.inferred_provider("claude-sonnet-4-5"), Some("anthropic"));
        assert_eq!(c.inferred_provider("meta-llama/Llama-3.3-70B"), None);
        for provider in c.inferred_models.keys().chain(c.env_fallbacks.keys()) {
            assert!(c.provider_types.contains(provider), "{provider}");
        }
        assert_eq!(c.env_fallback("openai", "api_key"), Some("OPENAI_API_KEY"));
        assert_eq!(c.env_fallback("azure", "api_base"), Some("AZURE_API_BASE"));
    }
}
