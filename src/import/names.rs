//! Variable names: the ones the config and litegate already use, which a derived name
//! must not take, and names derived from a value's place (`CACHE_PARAMS_PASSWORD`).

use std::collections::BTreeSet;

use serde_json::Value;

use crate::names::{DATABASE_URL_ENV, MASTER_KEY_ENV, REDIS_PASSWORD_ENV};

/// Names litegate itself gives every container that has them.
pub(super) fn litegate_names() -> [String; 4] {
    [
        MASTER_KEY_ENV,
        DATABASE_URL_ENV,
        REDIS_PASSWORD_ENV,
        crate::names::SALT_KEY_ENV,
    ]
    .map(str::to_owned)
}

/// Every variable the config reads (`os.environ/NAME` anywhere in a string, and the names
/// under `environment_variables`): a derived name must not take one.
pub(super) fn config_names(config: &Value) -> BTreeSet<String> {
    fn walk(value: &Value, out: &mut BTreeSet<String>) {
        match value {
            Value::String(s) => {
                for (_, rest) in s.match_indices("os.environ/").map(|(i, _)| s.split_at(i)) {
                    let name: String = rest["os.environ/".len()..]
                        .chars()
                        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                        .collect();
                    out.insert(name);
                }
            }
            Value::Array(items) => items.iter().for_each(|v| walk(v, out)),
            Value::Object(map) => map.values().for_each(|v| walk(v, out)),
            _ => {}
        }
    }
    let mut out = BTreeSet::new();
    walk(config, &mut out);
    if let Some(vars) = config
        .get("environment_variables")
        .and_then(Value::as_object)
    {
        out.extend(vars.keys().cloned());
    }
    out
}

/// A variable name from a place: `cache_params.password` => `CACHE_PARAMS_PASSWORD`,
/// `clientSecret` => `CLIENT_SECRET`, `hooks[0]` => `HOOKS_0`.
pub(super) fn env_stem(place: &str) -> String {
    let mut out = String::new();
    let mut prev: Option<char> = None;
    for c in place.chars() {
        if c.is_ascii_alphanumeric() {
            let camel = c.is_ascii_uppercase()
                && prev.is_some_and(|p| p.is_ascii_lowercase() || p.is_ascii_digit());
            if camel && !out.ends_with('_') {
                out.push('_');
            }
            out.push(c.to_ascii_uppercase());
        } else if !out.is_empty() && !out.ends_with('_') {
            out.push('_');
        }
        prev = Some(c);
    }
    let out = out.trim_end_matches('_');
    match out.chars().next() {
        None => "IMPORTED_SECRET".into(),
        Some(c) if c.is_ascii_digit() => format!("SECRET_{out}"),
        Some(_) => out.into(),
    }
}

pub(super) fn join(names: &[&String]) -> String {
    names
        .iter()
        .map(|s| s.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn names_are_derived_from_the_place_shell_safe() {
        assert_eq!(env_stem("cache_params_password"), "CACHE_PARAMS_PASSWORD");
        assert_eq!(
            env_stem("callback_settings_audit_sink_clientSecret"),
            "CALLBACK_SETTINGS_AUDIT_SINK_CLIENT_SECRET"
        );
        assert_eq!(
            env_stem("OPENAI_extra_headers_Ocp-Apim-Subscription-Key"),
            "OPENAI_EXTRA_HEADERS_OCP_APIM_SUBSCRIPTION_KEY"
        );
        assert_eq!(
            env_stem("alert_to_webhook_url_budget_alerts_0"),
            "ALERT_TO_WEBHOOK_URL_BUDGET_ALERTS_0"
        );
        assert_eq!(env_stem("0_key"), "SECRET_0_KEY");
        assert_eq!(env_stem("--"), "IMPORTED_SECRET");
    }

    #[test]
    fn every_variable_the_config_reads_is_reserved() {
        let config = json!({"a": ["x os.environ/ONE", {"b": "os.environ/TWO"}], "environment_variables": {"THREE": "v"}});
        assert_eq!(
            config_names(&config).into_iter().collect::<Vec<_>>(),
            ["ONE", "THREE", "TWO"]
        );
    }
}
