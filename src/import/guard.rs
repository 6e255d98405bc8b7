//! The last look before a spec is written: it may hold a secret nowhere. Allowed under a
//! secret-shaped key are only `{env: NAME}` sources and `os.environ/NAME` references;
//! anywhere, no value or key `is_secret_value` flags. Import moves every credential it
//! knows where to put; this catches what lands elsewhere (a model named like a key, a
//! secret-looking fallback), and refuses the import rather than write it.

use serde_json::Value;

use super::Failed;
use super::out::SpecOut;
use crate::secret_shape::{env_reference, is_secret_name, is_secret_value, scrub};

/// The spec as YAML, if it holds no secret; else every place that may.
pub(super) fn written(spec: &SpecOut) -> Result<String, Failed> {
    let plain = |e: &dyn std::fmt::Display| Failed(vec![scrub(&e.to_string()).into_owned()]);
    let tree = serde_json::to_value(spec).map_err(|e| plain(&e))?;
    let mut found = Vec::new();
    leftovers(&tree, "", false, &mut found);
    if !found.is_empty() {
        return Err(Failed(
            found
                .into_iter()
                .map(|at| scrub(&format!("the spec's {at} would hold what looks like a secret, and the spec cannot read it from the environment there: not imported; edit that place in the config")).into_owned())
                .collect(),
        ));
    }
    serde_saphyr::to_string(spec).map_err(|e| plain(&e))
}

/// Where `value` may hold a secret; `secret`: it stands under a secret-shaped key.
fn leftovers(value: &Value, path: &str, secret: bool, out: &mut Vec<String>) {
    match value {
        Value::String(s) if env_reference(s).is_some() => {}
        Value::String(s) if secret || is_secret_value(s) => out.push(path.to_owned()),
        Value::Number(_) if secret => out.push(path.to_owned()),
        Value::Object(map) if map.len() == 1 && map.get("env").is_some_and(Value::is_string) => {}
        Value::Object(map) => {
            for (k, v) in map {
                let at = if path.is_empty() {
                    k.clone()
                } else {
                    format!("{path}.{k}")
                };
                if is_secret_value(k) {
                    out.push(format!("{at} (a key)"));
                }
                leftovers(v, &at, secret || is_secret_name(k), out);
            }
        }
        Value::Array(items) => {
            for (i, v) in items.iter().enumerate() {
                leftovers(v, &format!("{path}[{i}]"), secret, out);
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn only_sources_and_references_stand_under_secret_keys() {
        let ok = json!({"providers": {"o": {"apiKey": {"env": "O_API_KEY"}, "credentials": {"client_secret": {"env": "X"}}}},
            "passthrough": {"general_settings": {"password": "os.environ/P", "headers": {"Authorization": "bearer os.environ/T"}, "ttl": 60}}});
        let mut found = Vec::new();
        leftovers(&ok, "", false, &mut found);
        assert!(found.is_empty(), "{found:?}");
        let bad = json!({"models": [{"name": "sk-proj-abcdefgh12345678", "params": {"extra_headers": {"x-api-key": 1234}}}]});
        leftovers(&bad, "", false, &mut found);
        assert_eq!(
            found,
            ["models[0].name", "models[0].params.extra_headers.x-api-key"]
        );
        let key = json!({"info": {"sk-proj-abcdefgh12345678": 1}});
        let mut found = Vec::new();
        leftovers(&key, "", false, &mut found);
        assert_eq!(found, ["info.sk-proj-abcdefgh12345678 (a key)"]);
        assert_eq!(scrub(&found[0]), "info.<redacted> (a key)");
    }
}
