//! Redacting secret values out of a Secret document's text, for the `--check` diff.

use std::collections::BTreeMap;

/// Redacts the values under `data:`/`stringData:` of a Secret document, keeping whether
/// each key's value changed: `<redacted>` when equal on both sides, else `<redacted: old>`
/// and `<redacted: new>`. Text that is not a Secret passes through unchanged.
pub fn redact_pair(old: &str, new: &str) -> (String, String) {
    let old_values = secret_values(old);
    let new_values = secret_values(new);
    let marker = |key: &str, side: &str| match (old_values.get(key), new_values.get(key)) {
        (Some(a), Some(b)) if a == b => "<redacted>".to_owned(),
        _ => format!("<redacted: {side} value>"),
    };
    (
        redact(old, |k| marker(k, "old")),
        redact(new, |k| marker(k, "new")),
    )
}

fn is_secret(text: &str) -> bool {
    text.lines().any(|l| {
        l.strip_prefix("kind:")
            .is_some_and(|k| k.trim().trim_matches(|c| c == '"' || c == '\'') == "Secret")
    })
}

/// Key => raw value line(s) inside the data blocks of a Secret.
fn secret_values(text: &str) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    if !is_secret(text) {
        return out;
    }
    let mut current: Option<String> = None;
    for line in data_lines(text) {
        match line {
            DataLine::Entry(_, key, value) => {
                out.insert(key.to_owned(), value.to_owned());
                current = Some(key.to_owned());
            }
            DataLine::Continuation(more) => {
                if let Some(v) = current.as_ref().and_then(|key| out.get_mut(key)) {
                    v.push('\n');
                    v.push_str(more);
                }
            }
            DataLine::Other(_) => current = None,
        }
    }
    out
}

fn redact(text: &str, marker: impl Fn(&str) -> String) -> String {
    if !is_secret(text) {
        return text.to_owned();
    }
    let mut out = String::with_capacity(text.len());
    for line in data_lines(text) {
        match line {
            DataLine::Entry(indent, key, _) => {
                out.push_str(&format!("{indent}{key}: {}\n", marker(key)));
            }
            DataLine::Continuation(_) => {}
            DataLine::Other(l) => {
                out.push_str(l);
                out.push('\n');
            }
        }
    }
    out
}

enum DataLine<'a> {
    /// Indentation, key, value.
    Entry(&'a str, &'a str, &'a str),
    Continuation(&'a str),
    Other(&'a str),
}

/// Classifies lines: entries and continuation lines of top-level `data:`/`stringData:`.
fn data_lines(text: &str) -> impl Iterator<Item = DataLine<'_>> {
    let mut in_data = false;
    text.lines().map(move |line| {
        let indented = line.starts_with(' ') || line.starts_with('\t');
        if !indented && !line.is_empty() {
            in_data = false;
            for key in ["data", "stringData"] {
                if let Some(rest) = line.strip_prefix(key).and_then(|r| r.strip_prefix(':')) {
                    if rest.trim().is_empty() {
                        in_data = true;
                    } else {
                        // A flow mapping on one line (`data: {A: x}`): redact it whole.
                        return DataLine::Entry("", key, rest.trim());
                    }
                }
            }
            return DataLine::Other(line);
        }
        if !in_data {
            return DataLine::Other(line);
        }
        let depth = line.len() - line.trim_start().len();
        match line.trim_start().split_once(':') {
            Some((key, value)) if depth <= 2 && !key.is_empty() => {
                DataLine::Entry(&line[..depth], key, value.trim())
            }
            _ => DataLine::Continuation(line),
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const OLD: &str = "apiVersion: v1\nkind: Secret\ndata:\n  A: c2VjcmV0MQ==\n  B: c2FtZQ==\nmetadata:\n  name: x\n";
    const NEW: &str = "apiVersion: v1\nkind: Secret\ndata:\n  A: c2VjcmV0Mg==\n  B: c2FtZQ==\nmetadata:\n  name: x\n";

    #[test]
    fn redaction_hides_values_but_shows_which_changed() {
        let (old, new) = redact_pair(OLD, NEW);
        for text in [&old, &new] {
            assert!(
                !text.contains("c2VjcmV0") && !text.contains("c2FtZQ"),
                "{text}"
            );
            assert!(text.contains("  B: <redacted>\n"), "{text}");
        }
        assert!(old.contains("  A: <redacted: old value>\n"), "{old}");
        assert!(new.contains("  A: <redacted: new value>\n"), "{new}");
        assert!(new.contains("metadata:\n  name: x\n"), "{new}");
    }

    #[test]
    fn block_scalar_values_are_redacted_whole() {
        let text =
            "kind: Secret\nstringData:\n  K: |\n    line-one-SECRET\n    line-two\ntype: Opaque\n";
        let (out, _) = redact_pair(text, "");
        assert!(!out.contains("SECRET"), "{out}");
        assert!(out.contains("type: Opaque"), "{out}");
    }

    #[test]
    fn flow_style_data_is_redacted() {
        let (out, _) = redact_pair("kind: \"Secret\"\ndata: {A: c2VjcmV0}\n", "");
        assert!(!out.contains("c2VjcmV0"), "{out}");
    }

    #[test]
    fn other_documents_pass_through() {
        let text = "kind: ConfigMap\ndata:\n  config.yaml: x\n";
        assert_eq!(redact_pair(text, text).0, text);
    }
}
