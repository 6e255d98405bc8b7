//! Kubernetes syntax rules: names, labels, annotations, env var names.

/// RFC 1123 label: what `metadata.name` of a Service (the strictest object we emit) accepts.
pub fn is_dns1123_label(s: &str) -> bool {
    let b = s.as_bytes();
    !b.is_empty()
        && b.len() <= 63
        && b[0].is_ascii_alphanumeric()
        && b[b.len() - 1].is_ascii_alphanumeric()
        && b.iter()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == b'-')
}

/// RFC 1123 subdomain: Secret and ConfigMap names.
pub fn is_dns1123_subdomain(s: &str) -> bool {
    s.len() <= 253 && s.split('.').all(is_dns1123_label)
}

/// A label value, or the name part of a qualified key: up to 63 of `[A-Za-z0-9._-]`,
/// starting and ending alphanumeric.
fn is_qualified_name_part(s: &str, allow_empty: bool) -> bool {
    let b = s.as_bytes();
    if b.is_empty() {
        return allow_empty;
    }
    b.len() <= 63
        && b[0].is_ascii_alphanumeric()
        && b[b.len() - 1].is_ascii_alphanumeric()
        && b.iter()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'-' | b'_' | b'.'))
}

/// A label or annotation key: `[prefix/]name`, the prefix a DNS subdomain.
pub fn is_qualified_key(s: &str) -> bool {
    match s.split_once('/') {
        Some((prefix, name)) => is_dns1123_subdomain(prefix) && is_qualified_name_part(name, false),
        None => is_qualified_name_part(s, false),
    }
}

pub fn is_label_value(s: &str) -> bool {
    is_qualified_name_part(s, true)
}

/// What the kubelet accepts as an env var name and a shell can read: `[A-Za-z_][A-Za-z0-9_]*`.
pub fn is_env_var_name(s: &str) -> bool {
    let b = s.as_bytes();
    !b.is_empty()
        && (b[0].is_ascii_alphabetic() || b[0] == b'_')
        && b.iter().all(|c| c.is_ascii_alphanumeric() || *c == b'_')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        assert!(is_dns1123_label("litellm-prod"));
        assert!(!is_dns1123_label("LiteLLM"));
        assert!(!is_dns1123_label("-x"));
        assert!(!is_dns1123_label(&"a".repeat(64)));
        assert!(is_dns1123_subdomain("azure-keys.v1"));
    }

    #[test]
    fn labels_and_keys() {
        assert!(is_qualified_key("app.kubernetes.io/name"));
        assert!(is_qualified_key("team"));
        assert!(!is_qualified_key("Team/x"));
        assert!(!is_qualified_key("a/b/c"));
        assert!(is_label_value(""));
        assert!(is_label_value("ai.team_1"));
        assert!(!is_label_value("has space"));
    }

    #[test]
    fn env_var_names() {
        assert!(is_env_var_name("AZURE_EU_API_KEY"));
        assert!(!is_env_var_name("1X"));
        assert!(!is_env_var_name("A-B"));
    }
}
