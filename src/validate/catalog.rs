//! What LiteLLM accepts: provider types, params and routing strategies, loaded once from
//! `data/litellm.yaml` (generated from a pinned LiteLLM by `scripts/refresh-litellm-data.py`).

use std::collections::BTreeSet;
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
    pub routing_strategies: BTreeSet<String>,
}

impl Catalog {
    /// Whether `name` may appear in a model's or provider's `params`.
    pub fn is_known_param(&self, name: &str) -> bool {
        self.request_params.contains(name) || self.deployment_params.contains(name)
    }

    pub fn known_params(&self) -> impl Iterator<Item = &str> {
        self.request_params
            .iter()
            .chain(&self.deployment_params)
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
    }
}
