//! `passthrough:`: LiteLLM settings copied as they are. Refused here: a key litegate sets
//! from a spec field (it would be written twice, and one would silently lose), and a
//! literal secret (config.yaml is a ConfigMap: secrets go in `deployment.secretEnv`).

use serde_json::Value;

use crate::diagnostics::{Code, Diagnostic};
use crate::secret_shape::{env_reference, is_secret_name, is_secret_value};
use crate::spec::Gateway;

/// `(section, key)` => the spec field that sets it.
const MODELLED: &[(&str, &str, &str)] = &[
    ("litellm_settings", "drop_params", "settings.dropParams"),
    (
        "litellm_settings",
        "request_timeout",
        "settings.requestTimeout",
    ),
    ("litellm_settings", "json_logs", "settings.jsonLogs"),
    ("router_settings", "routing_strategy", "router.strategy"),
    ("router_settings", "num_retries", "router.numRetries"),
    ("router_settings", "timeout", "router.timeout"),
    ("router_settings", "allowed_fails", "router.allowedFails"),
    ("router_settings", "cooldown_time", "router.cooldownTime"),
    ("router_settings", "fallbacks", "router.fallbacks"),
    (
        "router_settings",
        "context_window_fallbacks",
        "router.contextWindowFallbacks",
    ),
    ("router_settings", "redis_host", "deployment.redis.host"),
    ("router_settings", "redis_port", "deployment.redis.port"),
    (
        "router_settings",
        "redis_password",
        "deployment.redis.password",
    ),
    ("general_settings", "master_key", "deployment.masterKey"),
    (
        "general_settings",
        "database_url",
        "deployment.database.url",
    ),
    (
        "general_settings",
        "store_model_in_db",
        "deployment.database",
    ),
];

/// The spec field that sets `section.key`, if litegate sets it.
pub fn modelled(section: &str, key: &str) -> Option<&'static str> {
    MODELLED
        .iter()
        .find(|(s, k, _)| *s == section && *k == key)
        .map(|(_, _, field)| *field)
}

pub fn check(spec: &Gateway, out: &mut Vec<Diagnostic>) {
    for (section, map) in spec.passthrough.sections() {
        for (key, value) in map {
            let path = format!("passthrough.{section}.{key}");
            if let Some(field) = modelled(section, key) {
                out.push(
                    Diagnostic::error(
                        Code::E025,
                        &path,
                        format!("\"{key}\" is set by litegate from {field}"),
                    )
                    .with_help(format!("set {field} instead"))
                    .on_key(),
                );
                continue;
            }
            literal_secrets(&path, key, value, out);
        }
    }
}

fn literal_secrets(path: &str, key: &str, value: &Value, out: &mut Vec<Diagnostic>) {
    match value {
        Value::String(s)
            if env_reference(s).is_none() && (is_secret_name(key) || is_secret_value(s)) =>
        {
            out.push(
                Diagnostic::error(
                    Code::E014,
                    path,
                    "a literal secret value: config.yaml is a ConfigMap, readable by anyone who can read the namespace",
                )
                .with_help(
                    "put it in deployment.secretEnv (e.g. NAME: {env: NAME}) and write \"os.environ/NAME\" here",
                ),
            );
        }
        Value::Object(map) => {
            for (k, v) in map {
                literal_secrets(&format!("{path}.{k}"), k, v, out);
            }
        }
        Value::Array(items) => {
            for (i, v) in items.iter().enumerate() {
                literal_secrets(&format!("{path}[{i}]"), key, v, out);
            }
        }
        _ => {}
    }
}
