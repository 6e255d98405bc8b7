//! A copy of the spec safe to quote in a snippet: every scalar that is, or may be, a secret
//! is masked with `*`, byte for byte, so spans stay valid and no value is ever shown.

use crate::source_map::SourceMap;

/// Where a secret source stands; a scalar there is a literal secret (refused, and masked).
const SECRET_SOURCE_PATHS: &[&str] = &[
    "deployment.masterKey",
    "deployment.database.url",
    "deployment.redis.password",
];

/// Key fragments that suggest a secret, matched case-insensitively.
const SECRET_WORDS: &[&str] = &[
    "key",
    "secret",
    "password",
    "passwd",
    "token",
    "credential",
    "auth",
];

/// Prefixes of well-known secret formats.
const SECRET_PREFIXES: &[&str] = &[
    "sk-",
    "sk_",
    "xox",
    "ghp_",
    "gho_",
    "AKIA",
    "ASIA",
    "AIza",
    "-----BEGIN",
    "eyJ",
];

pub fn redact_source(text: &str, map: &SourceMap) -> String {
    let mut bytes = text.as_bytes().to_vec();
    for (path, node) in map.nodes() {
        let Some(value) = node
            .plain_scalar
            .as_deref()
            .or_else(|| quoted(text, &node.value))
        else {
            continue;
        };
        if is_secret_position(path) || looks_secret(value) {
            for b in &mut bytes[node.value.clone()] {
                if !b.is_ascii_whitespace() {
                    *b = b'*';
                }
            }
        }
    }
    // Every byte replaced was a whole scalar's (ASCII `*` over UTF-8 bytes keeps valid UTF-8
    // only when the scalar is ASCII); fall back to the lossy form for the rare other case.
    String::from_utf8(bytes).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
}

/// A quoted scalar's text (the node map keeps plain scalars only).
fn quoted<'a>(text: &'a str, range: &std::ops::Range<usize>) -> Option<&'a str> {
    let s = text.get(range.clone())?;
    let inner = s
        .strip_prefix('"')
        .and_then(|s| s.strip_suffix('"'))
        .or_else(|| s.strip_prefix('\'').and_then(|s| s.strip_suffix('\'')))?;
    Some(inner)
}

fn is_secret_position(path: &str) -> bool {
    if SECRET_SOURCE_PATHS.contains(&path) {
        return true;
    }
    let mut segments = path.rsplit('.');
    let last = segments.next().unwrap_or("");
    let parent = segments.next().unwrap_or("");
    if path.starts_with("providers.") && (last == "apiKey" || parent == "credentials") {
        return true;
    }
    // `secretRef: {name, key}` and `tolerations[].key` name things; they are not secrets.
    if last == "key" || last == "name" || parent == "secretRef" {
        return false;
    }
    let lower = last.to_ascii_lowercase();
    SECRET_WORDS.iter().any(|w| lower.contains(w))
}

fn looks_secret(value: &str) -> bool {
    SECRET_PREFIXES.iter().any(|p| value.starts_with(p))
        // user:password@ in a URL
        || value.split_once("://").is_some_and(|(_, rest)| rest.split('/').next().is_some_and(|auth| auth.contains(':') && auth.contains('@')))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn redacted(text: &str) -> String {
        redact_source(text, &SourceMap::build(text))
    }

    #[test]
    fn literal_secrets_are_masked_and_other_values_kept() {
        let text = "providers:\n  openai:\n    type: opnai\n    apiKey: hunter2-literal\n    credentials:\n      aws_secret_access_key: \"q1w2e3\"\n";
        let out = redacted(text);
        assert!(!out.contains("hunter2") && !out.contains("q1w2e3"), "{out}");
        assert!(out.contains("type: opnai"), "{out}");
        assert_eq!(out.len(), text.len());
    }

    #[test]
    fn secret_shaped_values_are_masked_anywhere() {
        let out = redacted(
            "models:\n  - params: {apikey: plain, foo: sk-abc123, url: \"postgres://u:pw@db/x\"}\n",
        );
        assert!(
            !out.contains("sk-abc123") && !out.contains("pw@db") && !out.contains("plain"),
            "{out}"
        );
    }

    #[test]
    fn names_of_secrets_are_not_secrets() {
        let out = redacted("apiKey: {secretRef: {name: azure-keys, key: eu}}\n");
        assert!(
            out.contains("azure-keys") && out.contains("key: eu"),
            "{out}"
        );
    }
}
