//! What a `--check` diff may show of one file, structurally and failing closed.
//!
//! A file that holds, or may hold, a Secret (litegate's `secret.yaml` whatever its
//! content, or any text whose `kind` reads as Secret in any case) is parsed, and only its
//! shape is shown: `apiVersion`, `kind`, `metadata` and `type` (their secret-shaped values
//! masked), every key of `data`/`stringData` with its value as `<redacted>`, or
//! `<redacted: old value>`/`<redacted: new value>` where it changed, and any other
//! field's value as `<redacted>`. Such a file that does not parse is only said to differ.
//! Every other file is diffed as text with every secret-shaped scalar masked.

use serde_json::{Map, Value};

use crate::diagnostics::{Shape, redact};
use crate::secret_shape::is_secret_value;
use crate::yaml;

/// The two sides of one file as a diff may show them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Shown {
    /// Both sides, safe to diff line by line.
    Diff { old: String, new: String },
    /// Nothing but that the file differs, and why nothing more is shown.
    Withheld(&'static str),
}

const SECRET_FILE: &str = "secret.yaml";
/// A Secret's fields that hold no value; everything else in one is redacted.
const SHAPE_FIELDS: &[&str] = &["apiVersion", "kind", "metadata", "type", "immutable"];

/// The sides of file `name` as a diff may show them; `old` is what is on disk.
pub fn redact_pair(name: &str, old: &str, new: &str) -> Shown {
    if name != SECRET_FILE && !may_be_secret(old) && !may_be_secret(new) {
        return Shown::Diff {
            old: redact(old, Shape::Other),
            new: redact(new, Shape::Other),
        };
    }
    let parse = |text: &str| -> Option<Value> {
        if text.is_empty() {
            return Some(Value::Null);
        }
        serde_saphyr::from_str::<Value>(text).ok()
    };
    let (Some(old_value), Some(new_value)) = (parse(old), parse(new)) else {
        return Shown::Withheld("it should hold a Secret and is not valid YAML; content not shown");
    };
    let old_data = data(&old_value);
    let new_data = data(&new_value);
    let side = |value: &Value, label: &str| -> Option<String> {
        if value.is_null() {
            return Some(String::new());
        }
        let shape = shape(
            value,
            &|key: &str| match (old_data.get(key), new_data.get(key)) {
                (Some(a), Some(b)) if a == b => "<redacted>".to_owned(),
                _ => format!("<redacted: {label} value>"),
            },
        )?;
        // Shown, not parsed again: the markers read better without YAML's quotes.
        let text = yaml::manifest(&shape).ok()?;
        Some(
            text.replace("\"<redacted", "<redacted")
                .replace("value>\"", "value>"),
        )
    };
    match (side(&old_value, "old"), side(&new_value, "new")) {
        (Some(old), Some(new)) if old == new => Shown::Withheld(
            "it differs only in comments, quoting or layout; a Secret's content is not shown",
        ),
        (Some(old), Some(new)) => Shown::Diff { old, new },
        _ => Shown::Withheld("it should hold a Secret and is not a mapping; content not shown"),
    }
}

/// Whether a text could be a Secret: a `kind` that reads as one, in any case or quoting,
/// or a text the parser cannot read (it could be anything).
fn may_be_secret(text: &str) -> bool {
    match serde_saphyr::from_str::<Value>(text) {
        Ok(value) => value
            .get("kind")
            .and_then(Value::as_str)
            .is_some_and(|k| k.trim().eq_ignore_ascii_case("secret")),
        Err(_) => text.to_ascii_lowercase().contains("secret"),
    }
}

/// The values under `data` and `stringData` (in any case), as comparable text.
fn data(value: &Value) -> Map<String, Value> {
    let mut out = Map::new();
    if let Some(map) = value.as_object() {
        for (field, entries) in map {
            if field.eq_ignore_ascii_case("data") || field.eq_ignore_ascii_case("stringData") {
                if let Some(entries) = entries.as_object() {
                    for (k, v) in entries {
                        out.insert(format!("{field}.{k}"), v.clone());
                    }
                } else {
                    out.insert(field.clone(), entries.clone());
                }
            }
        }
    }
    out
}

/// The Secret with every value replaced: `marker(field.key)` for a data entry.
fn shape(value: &Value, marker: &dyn Fn(&str) -> String) -> Option<Value> {
    let map = value.as_object()?;
    let mut out = Map::new();
    for (field, v) in map {
        let shown = if SHAPE_FIELDS.contains(&field.as_str()) {
            masked(v)
        } else if field.eq_ignore_ascii_case("data") || field.eq_ignore_ascii_case("stringData") {
            match v.as_object() {
                Some(entries) => Value::Object(
                    entries
                        .keys()
                        .map(|k| (k.clone(), Value::String(marker(&format!("{field}.{k}")))))
                        .collect(),
                ),
                None => Value::String(marker(field)),
            }
        } else {
            Value::String("<redacted>".to_owned())
        };
        out.insert(field.clone(), shown);
    }
    Some(Value::Object(out))
}

/// Metadata as it is, but any secret-shaped string in it.
fn masked(value: &Value) -> Value {
    match value {
        Value::String(s) if is_secret_value(s) => Value::String("<redacted>".to_owned()),
        Value::Object(map) => {
            Value::Object(map.iter().map(|(k, v)| (k.clone(), masked(v))).collect())
        }
        Value::Array(items) => Value::Array(items.iter().map(masked).collect()),
        other => other.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const OLD: &str = "apiVersion: v1\nkind: Secret\ndata:\n  A: c2VjcmV0MQ==\n  B: c2FtZQ==\nmetadata:\n  name: x\n";
    const NEW: &str = "apiVersion: v1\nkind: Secret\ndata:\n  A: c2VjcmV0Mg==\n  B: c2FtZQ==\nmetadata:\n  name: x\n";

    fn diff(name: &str, old: &str, new: &str) -> (String, String) {
        match redact_pair(name, old, new) {
            Shown::Diff { old, new } => (old, new),
            Shown::Withheld(why) => panic!("withheld: {why}"),
        }
    }

    #[test]
    fn redaction_hides_values_but_shows_which_changed() {
        let (old, new) = diff("secret.yaml", OLD, NEW);
        for text in [&old, &new] {
            assert!(
                !text.contains("c2VjcmV0") && !text.contains("c2FtZQ"),
                "{text}"
            );
            assert!(text.contains("B: <redacted>\n"), "{text}");
            assert!(text.contains("name: x"), "{text}");
        }
        assert!(old.contains("A: <redacted: old value>\n"), "{old}");
        assert!(
            old.starts_with("apiVersion: v1\nkind: Secret\nmetadata:"),
            "{old}"
        );
        assert!(new.contains("<redacted: new value>"), "{new}");
    }

    #[test]
    fn hand_edited_secrets_are_redacted_whatever_their_shape() {
        let shapes = [
            OLD.replace("data:\n", "data:\n  # a comment\n"),
            OLD.replace("kind: Secret\n", "kind: Secret # note\n"),
            OLD.replace("data:\n", "data: # note\n"),
            OLD.replace("kind: Secret\n", "\"kind\": Secret\n"),
            OLD.replace("kind: Secret\n", "kind: secret\n"),
            OLD.replace("kind: Secret\n", ""),
            "{\"kind\": \"Secret\", \"data\": {\"A\": \"c2VjcmV0MQ==\"}}".to_owned(),
            "kind: Secret\nstringData:\n  K: |\n    c2VjcmV0MQ==\n    line-two\ntype: Opaque\n"
                .to_owned(),
            "kind: Secret\nstringdata: {K: c2VjcmV0MQ==}\nextra: c2VjcmV0MQ==\n".to_owned(),
        ];
        for old in shapes {
            // The file name alone makes it a Secret, whatever its kind says.
            for name in ["secret.yaml", "other.yaml"] {
                if name == "other.yaml" && !may_be_secret(&old) {
                    continue;
                }
                match redact_pair(name, &old, NEW) {
                    Shown::Diff { old: o, new: n } => {
                        assert!(
                            !o.contains("c2VjcmV0") && !n.contains("c2VjcmV0"),
                            "{old}\n{o}"
                        );
                    }
                    Shown::Withheld(_) => {}
                }
            }
        }
    }

    #[test]
    fn a_broken_secret_is_only_said_to_differ() {
        let broken = "kind: Secret\ndata:\n  A: \"c2VjcmV0MQ==\n";
        assert!(matches!(
            redact_pair("secret.yaml", broken, NEW),
            Shown::Withheld(_)
        ));
        assert!(matches!(
            redact_pair("deployment.yaml", broken, ""),
            Shown::Withheld(_)
        ));
    }

    #[test]
    fn other_files_are_diffed_with_secret_shaped_values_masked() {
        let text = "kind: ConfigMap\ndata:\n  config.yaml: x\n  pasted: sk-proj-abcdefgh1234\n";
        let (old, new) = diff("configmap.yaml", text, text);
        assert_eq!(old, new);
        assert!(
            old.contains("config.yaml: x") && !old.contains("sk-proj"),
            "{old}"
        );
    }
}
