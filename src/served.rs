//! What `GET /model/info` shows of a database row, against the row litegate wants: the
//! comparison `sync` and `verify` share. Measured on LiteLLM 1.106.2's own code (the
//! e2e sync harness; docs/live-updates.md):
//! - `api_key`, `client_secret`, the Vertex and AWS keys are stripped;
//! - other values under a sensitive key are masked by `SensitiveDataMasker`: by the key's
//!   `_`/`-` words, first and last 4 characters kept, all stars at 8 or fewer;
//! - `os.environ/NAME` values of a row are shown resolved (the pod's value);
//! - five `LiteLLM_Params` defaults are added at `false`;
//! - numbers may come back as floats (`timeout: 30` as `30.0`).
//!
//! So a reference is taken on trust (the row's digest covers it), a masked value must be
//! the mask of the wanted one, and a key the spec does not set is drift.

use serde_json::{Map, Value};

/// `litellm_params` keys `GET /model/info` strips (`remove_sensitive_info_from_deployment`).
const STRIPPED: [&str; 6] = [
    "api_key",
    "client_secret",
    "vertex_credentials",
    "vertex_ai_credentials",
    "aws_access_key_id",
    "aws_secret_access_key",
];

/// `LiteLLM_Params` fields `/model/info` adds, at their defaults.
const ADDED_DEFAULTS: [&str; 5] = [
    "allow_client_keepalive_override",
    "merge_reasoning_content_in_choices",
    "use_in_pass_through",
    "use_litellm_proxy",
    "use_xai_oauth",
];

/// `SensitiveDataMasker`'s patterns, matched against a key's `_`/`-` words.
const MASKED_WORDS: [&str; 14] = [
    "password",
    "secret",
    "key",
    "token",
    "auth",
    "authorization",
    "cookie",
    "credential",
    "credentials",
    "access",
    "private",
    "certificate",
    "fingerprint",
    "tenancy",
];

/// How a served row differs from the wanted one, as far as `/model/info` lets one see.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Difference {
    /// The same row.
    None,
    /// A value the spec sets shows otherwise (or `model_name` differs): a PATCH repairs it.
    Value(String),
    /// The row has a key the spec does not set: only delete + new removes it (a PATCH merges).
    ExtraKey(String),
}

/// Compares `row` (from `/model/info`) with `want` (the row litegate would write).
pub fn difference(row: &Value, want: &Value) -> Difference {
    if row.get("model_name") != want.get("model_name") {
        return Difference::Value("model_name".into());
    }
    let empty = Map::new();
    let served = row
        .get("litellm_params")
        .and_then(Value::as_object)
        .unwrap_or(&empty);
    let wanted = want
        .get("litellm_params")
        .and_then(Value::as_object)
        .unwrap_or(&empty);
    for (key, value) in wanted {
        let shown_ok = match served.get(key) {
            None => STRIPPED.contains(&key.as_str()),
            Some(shown) => shows(key, shown, value),
        };
        if !shown_ok {
            return Difference::Value(format!("litellm_params.{key}"));
        }
    }
    for (key, value) in served {
        let added = ADDED_DEFAULTS.contains(&key.as_str()) && value == &Value::Bool(false);
        if !wanted.contains_key(key)
            && !STRIPPED.contains(&key.as_str())
            && !added
            && !value.is_null()
        {
            return Difference::ExtraKey(format!("litellm_params.{key}"));
        }
    }
    Difference::None
}

/// Whether `shown` is what `/model/info` shows for the wanted `value` under `key`.
fn shows(key: &str, shown: &Value, value: &Value) -> bool {
    if let Value::String(want) = value {
        // Resolved on the pod: the reference is covered by the row's digest.
        if want.starts_with("os.environ/") {
            return true;
        }
        if is_masked_key(key) {
            return shown.as_str() == Some(mask(want).as_str());
        }
    }
    same(shown, value)
}

/// `SensitiveDataMasker.is_sensitive_key`: a word of the key is a pattern, and none is `cost`.
fn is_masked_key(key: &str) -> bool {
    if matches!(
        key,
        "default_api_key_tpm_limit" | "default_api_key_rpm_limit"
    ) {
        return false;
    }
    let lower = key.to_ascii_lowercase().replace('-', "_");
    let words: Vec<&str> = lower.split('_').collect();
    !words.contains(&"cost") && words.iter().any(|w| MASKED_WORDS.contains(w))
}

/// `SensitiveDataMasker.mask_value`: first and last 4 characters, stars between; all stars
/// at 8 characters or fewer.
pub fn mask(value: &str) -> String {
    let chars: Vec<char> = value.chars().collect();
    if chars.len() <= 8 {
        return "*".repeat(chars.len());
    }
    let head: String = chars[..4].iter().collect();
    let tail: String = chars[chars.len() - 4..].iter().collect();
    format!("{head}{}{tail}", "*".repeat(chars.len() - 8))
}

fn same(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x.as_f64() == y.as_f64(),
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(p, q)| same(p, q))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len() && x.iter().all(|(k, v)| y.get(k).is_some_and(|w| same(v, w)))
        }
        _ => a == b,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn row(params: Value) -> Value {
        json!({"model_name": "m", "litellm_params": params})
    }

    #[test]
    fn masks_as_litellm_does() {
        assert_eq!(mask("tok-short"), "tok-*hort");
        assert_eq!(mask("12345678"), "********");
        assert_eq!(mask("abcdefghijkl"), "abcd****ijkl");
        assert!(is_masked_key("azure_ad_token") && is_masked_key("api-key"));
        assert!(!is_masked_key("max_tokens") && !is_masked_key("input_cost_per_token"));
        assert!(!is_masked_key("tenant_id"));
    }

    #[test]
    fn resolved_references_and_litellm_s_defaults_are_not_drift() {
        let want = row(
            json!({"model": "azure/x", "tenant_id": "os.environ/AZ_TENANT", "azure_ad_token": "os.environ/AZ_TOKEN", "timeout": 30}),
        );
        let shown = row(
            json!({"model": "azure/x", "tenant_id": "8d5f0000-real-tenant", "azure_ad_token": "tok-**9a1b", "timeout": 30.0, "use_in_pass_through": false, "use_litellm_proxy": false}),
        );
        assert_eq!(difference(&shown, &want), Difference::None);
    }

    /// A model string from the pod's environment (`models[].model: {env: NAME}`) shows as
    /// the pod's value; the provider litegate names beside it shows as written.
    #[test]
    fn a_model_from_the_environment_is_not_drift() {
        let want =
            row(json!({"model": "os.environ/AZURE_DEPLOYMENT", "custom_llm_provider": "azure"}));
        let shown = row(json!({"model": "chat-prod", "custom_llm_provider": "azure"}));
        assert_eq!(difference(&shown, &want), Difference::None);
        let moved = row(json!({"model": "chat-prod", "custom_llm_provider": "openai"}));
        assert_eq!(
            difference(&moved, &want),
            Difference::Value("litellm_params.custom_llm_provider".into())
        );
    }

    #[test]
    fn a_key_added_by_hand_is_drift_that_only_a_replace_removes() {
        let want = row(json!({"model": "openai/x"}));
        let shown = row(json!({"model": "openai/x", "temperature": 1.5}));
        assert_eq!(
            difference(&shown, &want),
            Difference::ExtraKey("litellm_params.temperature".into())
        );
        let changed = row(json!({"model": "openai/y"}));
        assert_eq!(
            difference(&changed, &want),
            Difference::Value("litellm_params.model".into())
        );
        // A literal under a masked key is compared by its mask.
        let want = row(json!({"model": "openai/x", "extra_token": "abcdefghijkl"}));
        let good = row(json!({"model": "openai/x", "extra_token": "abcd****ijkl"}));
        let bad = row(json!({"model": "openai/x", "extra_token": "zzzz****ijkl"}));
        assert_eq!(difference(&good, &want), Difference::None);
        assert_ne!(difference(&bad, &want), Difference::None);
    }
}
