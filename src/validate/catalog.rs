//! What LiteLLM accepts: provider types, params and routing strategies, from
//! `data/litellm.yaml` (generated from a pinned LiteLLM by `scripts/refresh-litellm-data.py`),
//! compiled into the binary by build.rs.

include!("catalog_types.rs");

impl Catalog {
    /// Whether `name` may appear in a model's or provider's `params`.
    pub fn is_known_param(&self, name: &str) -> bool {
        self.request_params.contains(name)
            || self.deployment_params.contains(name)
            || self.litellm_params.contains(name)
            || self.endpoint_params.contains(name)
    }

    pub fn known_params(&self) -> impl Iterator<Item = &str> {
        self.request_params
            .iter()
            .chain(&self.deployment_params)
            .chain(&self.litellm_params)
            .chain(&self.endpoint_params)
    }

    /// The provider LiteLLM infers for a model written without a prefix (`gpt-4o`).
    pub fn inferred_provider(&self, model: &str) -> Option<&str> {
        self.inferred_models
            .iter()
            .find(|(_, names)| names.contains(model))
            .map(|(provider, _)| provider)
    }

    /// The provider LiteLLM gives a model without a known prefix whose `api_base` is an
    /// endpoint it knows, matched as its `_endpoint_matches_api_base` does: the same host
    /// (no case), and the path the endpoint's or below it.
    pub fn api_base_provider(&self, api_base: &str) -> Option<&str> {
        let (host, path) = host_and_path(api_base);
        self.api_base_providers
            .iter()
            .find(|(endpoint, _)| {
                let (e_host, e_path) =
                    endpoint.split_at(endpoint.find('/').unwrap_or(endpoint.len()));
                e_host == host
                    && (e_path.is_empty()
                        || path == e_path
                        || path
                            .strip_prefix(e_path)
                            .is_some_and(|rest| rest.starts_with('/')))
            })
            .map(|(_, provider)| provider.as_ref())
    }

    /// The variable LiteLLM reads for `field` of a `provider` the config leaves it out of.
    pub fn env_fallback(&self, provider: &str, field: &str) -> Option<&str> {
        self.env_fallbacks
            .get(provider)
            .and_then(|fields| fields.get(field))
            .map(|name| name.as_ref())
    }
}

/// A URL's host (lowercase, without user info or port) and path (no trailing `/`), as
/// Python's `urlparse` gives them; a URL without a scheme is read as `https://`.
fn host_and_path(url: &str) -> (String, &str) {
    let rest = url.split_once("://").map_or(url, |(_, rest)| rest);
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let authority = &rest[..end];
    let host = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    let host = match host.strip_prefix('[') {
        Some(v6) => v6.split(']').next().unwrap_or(v6),
        None => host.split(':').next().unwrap_or(host),
    };
    let path = &rest[end..];
    let path = &path[..path.find(['?', '#']).unwrap_or(path.len())];
    (host.to_ascii_lowercase(), path.trim_end_matches('/'))
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
        assert!(c.model_info_fields.contains("supports_function_calling"));
        assert!(
            !c.model_info_fields.contains("input_cost_per_token"),
            "a param too"
        );
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
            // An embedding deployment's, watsonx's, the cache-control hook's.
            "dimensions",
            "space_id",
            "cache_control_injection_points",
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
        // As LiteLLM's get_llm_provider reads an api_base (measured on 1.106.2).
        assert_eq!(
            c.api_base_provider("https://api.groq.com/openai/v1"),
            Some("groq")
        );
        assert_eq!(
            c.api_base_provider("https://API.groq.com/openai/v1/"),
            Some("groq")
        );
        assert_eq!(
            c.api_base_provider("https://api.deepseek.com/v1"),
            Some("deepseek")
        );
        assert_eq!(c.api_base_provider("https://api.deepseek.com"), None);
        assert_eq!(
            c.api_base_provider("https://api.perplexity.ai/anything"),
            Some("perplexity")
        );
        assert_eq!(
            c.api_base_provider("https://attacker.example/api.groq.com/openai/v1"),
            None
        );
        assert_eq!(c.api_base_provider("https://api.groq.com/openai/v10"), None);
        assert_eq!(c.api_base_provider("http://gpu-box.lan:8000/v1"), None);
        assert_eq!(c.env_fallback("azure", "api_base"), Some("AZURE_API_BASE"));
    }
}
