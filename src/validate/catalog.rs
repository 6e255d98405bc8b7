//! What LiteLLM accepts: provider types, params and routing strategies, from
//! `data/litellm.yaml` (generated from a pinned LiteLLM by `scripts/refresh-litellm-data.py`),
//! compiled into the binary by build.rs.

include!("catalog_types.rs");

impl Catalog {
    /// Whether `name` may appear in a model's or provider's `params`.
    pub fn is_known_param(&self, name: &str) -> bool {
        self.request_params.contains(name) || self.deployment_params.contains(name)
    }

    pub fn known_params(&self) -> impl Iterator<Item = &str> {
        self.request_params.iter().chain(&self.deployment_params)
    }
}

/// The catalog compiled into this binary: build.rs read data/litellm.yaml into the types
/// above and wrote them out as this static, so nothing is parsed at run time.
static CATALOG: Catalog = include!(concat!(env!("OUT_DIR"), "/catalog.rs"));

/// The catalog compiled into this binary.
pub fn catalog() -> &'static Catalog {
    &CATALOG
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
