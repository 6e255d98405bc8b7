//! The one answer to "could this be a secret?", for names and for values. Validation
//! refuses literal secrets with it, the diagnostics masker and `--check` hide them with it,
//! `import` moves them out of the spec with it, and messages are scrubbed with it.
//!
//! It errs on the side of "secret": hiding a value that was not one costs a star in a
//! snippet, showing one that was costs a key. Refusing a real setting costs a user, so
//! the name rules are tested against the settings LiteLLM really has (`max_tokens`,
//! `key_management_system`, `user_api_key_cache_ttl`, ...).

/// Words that make a name secret when they end it: `api_key`, `clientSecret`,
/// `aws_session_token`, `REDIS_PASSWORD`, `vertex_credentials`, `private_key_pem`.
const SECRET_LAST_WORDS: &[&str] = &[
    "apikey",
    "apikeys",
    "authorization",
    "cookie",
    "credential",
    "credentials",
    "creds",
    "dsn",
    "key",
    "keys",
    "passphrase",
    "passwd",
    "password",
    "passwords",
    "pem",
    "pwd",
    "salt",
    "secret",
    "secrets",
    "token",
];

/// Pairs of words that make a name secret wherever they stand: `aws_access_key_id`,
/// `private_key_id`, `slack_webhook_url`, `connection_string`.
const SECRET_WORD_PAIRS: &[(&str, &str)] = &[
    ("access", "key"),
    ("private", "key"),
    ("secret", "key"),
    ("connection", "string"),
];

/// Words that make a name secret anywhere in it: a webhook URL is its own credential.
const SECRET_ANY_WORDS: &[&str] = &["webhook", "webhooks"];

/// Names that end in a secret word and hold none: keys that name things, and LiteLLM's
/// `key_management_settings` (`hosted_keys` lists the names of keys, not keys).
const NOT_SECRET_NAMES: &[&str] = &[
    "cache_key",
    "group_key",
    "hash_key",
    "hosted_keys",
    "idempotency_key",
    "lookup_key",
    "object_key",
    "partition_key",
    "prefix_for_stored_virtual_keys",
    "primary_key",
    "routing_key",
    "sort_key",
    "store_virtual_keys",
];

/// Words that make a name a price or a rate, whatever it ends with: `input_cost_per_token`,
/// `output_cost_per_reasoning_token` (LiteLLM's pricing params) hold numbers, not tokens.
const UNIT_WORDS: &[&str] = &["cost", "per"];

/// Prefixes of well-known key formats, each with the shortest length a real key has.
const SECRET_PREFIXES: &[(&str, usize)] = &[
    ("sk-", 8),
    ("sk_", 8),
    ("rk_live_", 12),
    ("rk_test_", 12),
    ("ghp_", 12),
    ("gho_", 12),
    ("ghu_", 12),
    ("ghs_", 12),
    ("ghr_", 12),
    ("github_pat_", 16),
    ("glpat-", 12),
    ("xoxa-", 10),
    ("xoxb-", 10),
    ("xoxe-", 10),
    ("xoxp-", 10),
    ("xoxr-", 10),
    ("xoxs-", 10),
    ("AIza", 20),
    ("hf_", 16),
    ("gsk_", 16),
    ("pplx-", 16),
    ("xai-", 16),
    ("r8_", 16),
    ("nvapi-", 16),
    ("pk-lf-", 12),
    ("-----BEGIN", 10),
];

/// Query parameters that carry a credential in a URL.
const SECRET_QUERY_PARAMS: &[&str] = &[
    "access_token",
    "api_key",
    "api-key",
    "apikey",
    "auth",
    "code",
    "key",
    "password",
    "secret",
    "sig",
    "signature",
    "token",
];

/// Hosts (and path prefixes) of webhook URLs, whose path is the credential.
const WEBHOOK_URLS: &[&str] = &[
    "hooks.slack.com/",
    "discord.com/api/webhooks/",
    "discordapp.com/api/webhooks/",
    "outlook.office.com/webhook",
    "chat.googleapis.com/",
];

/// Whether a key or field name says that its value is a secret. Case- and
/// separator-insensitive: `api_key`, `apiKey`, `API-KEY` and `x-api-key` are one name.
pub fn is_secret_name(name: &str) -> bool {
    let words = words(name);
    let Some(last) = words.last() else {
        return false;
    };
    if NOT_SECRET_NAMES.contains(&words.join("_").as_str()) {
        return false;
    }
    let priced = words.iter().any(|w| UNIT_WORDS.contains(&w.as_str()));
    (!priced && SECRET_LAST_WORDS.contains(&last.as_str()))
        || words.windows(2).any(|pair| {
            SECRET_WORD_PAIRS
                .iter()
                .any(|(a, b)| pair[0] == *a && pair[1] == *b)
        })
        || words.iter().any(|w| SECRET_ANY_WORDS.contains(&w.as_str()))
}

/// Whether a value looks like a credential whatever its key: a known key format, a bearer
/// or basic header, a URL with a password, a token in a query or a webhook path, PEM, a
/// JWT, or a long random-looking string. `os.environ/NAME` references never are.
pub fn is_secret_value(value: &str) -> bool {
    let v = value.trim();
    if v.is_empty() || v.starts_with("os.environ/") {
        return false;
    }
    SECRET_PREFIXES
        .iter()
        .any(|(p, min)| v.len() >= *min && v.starts_with(p))
        || has_auth_scheme(v)
        || is_jwt(v)
        || url_carries_secret(v)
        || v.contains("AccountKey=")
        || v.contains("SharedAccessSignature=")
        || v.contains("PRIVATE KEY")
        || aws_key_id(v)
        || looks_random(v)
}

/// The variable a value refers to instead of holding a secret: `os.environ/NAME`, or
/// `Bearer os.environ/NAME` as LiteLLM's pass-through endpoint headers take it (it reads
/// the credential from the environment and keeps the scheme).
pub fn env_reference(value: &str) -> Option<&str> {
    if let Some(var) = value.strip_prefix("os.environ/") {
        return Some(var);
    }
    let (scheme, rest) = value.split_once(' ')?;
    if !["bearer", "basic", "token"]
        .iter()
        .any(|s| scheme.eq_ignore_ascii_case(s))
    {
        return None;
    }
    rest.trim_start().strip_prefix("os.environ/")
}

/// `text` with every secret-shaped word replaced by `<redacted>`: the last line of defence
/// for a message that quotes what the user typed (a name field holding a pasted key).
pub fn scrub(text: &str) -> std::borrow::Cow<'_, str> {
    let is_boundary = |c: char| c.is_whitespace() || "\"'`()[]{},;<>".contains(c);
    let mut out = String::new();
    let mut changed = false;
    let mut rest = text;
    while !rest.is_empty() {
        let start = rest.find(|c: char| !is_boundary(c)).unwrap_or(rest.len());
        out.push_str(&rest[..start]);
        rest = &rest[start..];
        let end = rest.find(is_boundary).unwrap_or(rest.len());
        let word = &rest[..end];
        // A trailing `.` or `:` ends a sentence or names a field; it is not part of a key.
        let core = word.trim_end_matches(['.', ':']);
        // A path or an assignment may hold a key in one of its parts: `./sk-...`, `X=sk-...`.
        if is_secret_value(core) || core.split(['/', '=']).any(is_secret_value) {
            out.push_str("<redacted>");
            out.push_str(&word[core.len()..]);
            changed = true;
        } else if core.split('.').any(is_secret_value) {
            // A path through a config (`model_info.sk-proj-...`) may hold one between dots.
            let pieces: Vec<&str> = core
                .split('.')
                .map(|p| if is_secret_value(p) { "<redacted>" } else { p })
                .collect();
            out.push_str(&pieces.join("."));
            out.push_str(&word[core.len()..]);
            changed = true;
        } else {
            out.push_str(word);
        }
        rest = &rest[end..];
    }
    if changed {
        std::borrow::Cow::Owned(out)
    } else {
        std::borrow::Cow::Borrowed(text)
    }
}

/// `clientSecret` -> [client, secret]; `API_KEY` -> [api, key]; `APIKey` -> [api, key].
fn words(name: &str) -> Vec<String> {
    let mut out = Vec::new();
    for part in name.split(|c: char| !c.is_ascii_alphanumeric()) {
        let chars: Vec<char> = part.chars().collect();
        let mut word = String::new();
        for (i, &c) in chars.iter().enumerate() {
            let prev = i.checked_sub(1).map(|j| chars[j]);
            let next = chars.get(i + 1).copied();
            let boundary = c.is_ascii_uppercase()
                && prev.is_some_and(|p| {
                    p.is_ascii_lowercase()
                        || p.is_ascii_digit()
                        || (p.is_ascii_uppercase() && next.is_some_and(|n| n.is_ascii_lowercase()))
                });
            if boundary && !word.is_empty() {
                out.push(std::mem::take(&mut word));
            }
            word.push(c.to_ascii_lowercase());
        }
        if !word.is_empty() {
            out.push(word);
        }
    }
    out
}

/// `Bearer abc...`, but not `bearer os.environ/NAME` (a reference, see `env_reference`).
fn has_auth_scheme(v: &str) -> bool {
    let lower = v.to_ascii_lowercase();
    env_reference(v).is_none()
        && ["bearer ", "basic ", "token "]
            .iter()
            .any(|scheme| lower.starts_with(scheme) && v.len() >= scheme.len() + 8)
}

fn is_jwt(v: &str) -> bool {
    v.starts_with("eyJ") && v.len() >= 20 && v.matches('.').count() >= 1
}

/// `AKIA` or `ASIA` and 16 upper-case letters or digits: an AWS access key id.
fn aws_key_id(v: &str) -> bool {
    (v.starts_with("AKIA") || v.starts_with("ASIA"))
        && v.len() == 20
        && v[4..]
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
}

/// A password in the userinfo (`redis://:pw@host`, `https://user:pw@host`), a long bare
/// userinfo (`https://TOKEN@host`), a credential in the query, or a webhook URL.
fn url_carries_secret(v: &str) -> bool {
    let Some((scheme, rest)) = v.split_once("://") else {
        return false;
    };
    if scheme.is_empty()
        || !scheme
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"+-.".contains(&b))
    {
        return false;
    }
    let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let authority = &rest[..authority_end];
    if let Some((userinfo, _)) = authority.rsplit_once('@') {
        let password = userinfo.split_once(':').map(|(_, p)| p);
        if password.is_some_and(|p| !p.is_empty()) || userinfo.len() >= 16 {
            return true;
        }
    }
    if WEBHOOK_URLS.iter().any(|w| rest.starts_with(w))
        || (rest
            .split('/')
            .next()
            .is_some_and(|h| h.ends_with(".webhook.office.com")))
    {
        return true;
    }
    let query = rest.split_once('?').map_or("", |(_, q)| q);
    query.split('&').any(|pair| {
        let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
        !value.is_empty() && SECRET_QUERY_PARAMS.contains(&name.to_ascii_lowercase().as_str())
    })
}

/// A long run of letters and digits with no separator, mixing cases or all hex: an Azure
/// key, a pasted token. Model ids, names and paths all have separators.
fn looks_random(v: &str) -> bool {
    if v.len() < 20 || !v.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return false;
    }
    let digits = v.bytes().filter(u8::is_ascii_digit).count();
    let lower = v.bytes().any(|b| b.is_ascii_lowercase());
    let upper = v.bytes().any(|b| b.is_ascii_uppercase());
    let hex = v.bytes().all(|b| b.is_ascii_hexdigit());
    digits >= 2 && (lower && upper || hex && v.len() >= 32)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secret_names_in_every_spelling() {
        for name in [
            "api_key",
            "apiKey",
            "API-KEY",
            "x-api-key",
            "api_keys",
            "clientSecret",
            "client_secret",
            "aws_secret_access_key",
            "aws_access_key_id",
            "aws_session_token",
            "password",
            "REDIS_PASSWORD",
            "redisPassword",
            "vertex_credentials",
            "private_key_pem",
            "private_key_id",
            "admin_token",
            "hf_token",
            "Authorization",
            "slack_webhook_url",
            "webhook_url",
            "connection_string",
            "LANGFUSE_SECRET_KEY",
            "salt_key",
            "sentry_dsn",
            "Ocp-Apim-Subscription-Key",
        ] {
            assert!(is_secret_name(name), "{name}");
        }
    }

    #[test]
    fn real_settings_are_not_secret_names() {
        for name in [
            "max_tokens",
            "max_completion_tokens",
            "key_management_system",
            "key_management_settings",
            "token_rate_limit_type",
            "user_api_key_cache_ttl",
            "litellm_key_header_name",
            "secret_manager_settings",
            "secretEnv",
            "secretRef",
            "custom_auth",
            "tenant_id",
            "client_id",
            "api_base",
            "api_version",
            "cache_key",
            "cache",
            "type",
            "temperature",
            "disable_master_key_return",
            "input_cost_per_token",
            "output_cost_per_token",
            "output_cost_per_reasoning_token",
            "input_cost_per_audio_token",
            "citation_cost_per_token",
            "max_parallel_requests_per_key",
            "hosted_keys",
            "store_virtual_keys",
            "prefix_for_stored_virtual_keys",
        ] {
            assert!(!is_secret_name(name), "{name}");
        }
    }

    #[test]
    fn secret_values_whatever_their_key() {
        for value in [
            "sk-proj-abcdefgh1234",
            "sk-ant-api03-abcdef",
            "sk_live_1234567890",
            "AKIAIOSFODNN7EXAMPLE",
            "ghp_abcdefghijklmnop",
            "xoxb-1234-5678-abcd",
            "AIzaSyA-1234567890abcdefghij",
            "Bearer abcdefgh12345",
            "basic dXNlcjpwYXNzd29yZA==",
            "postgres://litellm:hunter2@db:5432/litellm",
            "redis://:hunter2@redis:6379",
            "https://user:pw@example.com/v1",
            "https://hooks.slack.com/services/T000/B000/XXXX",
            "https://discord.com/api/webhooks/1/abc",
            "https://example.webhook.office.com/webhookb2/abc",
            "https://api.example.com/v1?api_key=abc123",
            "https://x.blob.core.windows.net/c?sv=2020&sig=abcd",
            "DefaultEndpointsProtocol=https;AccountName=x;AccountKey=abc==",
            "-----BEGIN PRIVATE KEY-----",
            "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.abc",
            "3f9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c",
            "a8F3kLm9Qz2Xw7Rt5Yv1",
            "hf_abcdefghijklmnopqrstu",
        ] {
            assert!(is_secret_value(value), "{value}");
        }
    }

    #[test]
    fn ordinary_values_are_not_secret() {
        for value in [
            "os.environ/OPENAI_API_KEY",
            "gpt-4o-2024-08-06",
            "claude-3-5-sonnet-20241022",
            "anthropic.claude-3-5-sonnet-20240620-v1:0",
            "https://example-eu.openai.azure.com",
            "http://ollama.llm.svc:11434",
            "postgres://litellm@db:5432/litellm",
            "https://api.example.com/v1?version=2",
            "us-east-1",
            "2024-10-21",
            "OPENAI_API_KEY",
            "keys/anthropic.txt",
            "azure-keys",
            "simple-shuffle",
            "llm-gateway",
            "sk-1",
            "ghcr.io/berriai/litellm:v1.80.12-stable",
            "meta-llama/Llama-3.3-70B-Instruct",
            "true",
            "12345678901234567890",
            "bearer os.environ/COHERE_API_KEY",
            "Bearer  os.environ/INTERNAL_GATEWAY_TOKEN",
        ] {
            assert!(!is_secret_value(value), "{value}");
        }
    }

    #[test]
    fn references_name_a_variable_and_hold_no_secret() {
        assert_eq!(env_reference("os.environ/A_B"), Some("A_B"));
        assert_eq!(
            env_reference("bearer os.environ/COHERE_API_KEY"),
            Some("COHERE_API_KEY")
        );
        assert_eq!(env_reference("Bearer abcdefgh12345"), None);
        assert_eq!(env_reference("plain"), None);
    }

    #[test]
    fn scrub_replaces_only_secret_words() {
        assert_eq!(
            scrub("environment variable sk-proj-abcdefgh1234 is not set"),
            "environment variable <redacted> is not set"
        );
        assert_eq!(
            scrub("unknown provider \"sk-proj-abcdefgh1234\"."),
            "unknown provider \"<redacted>\"."
        );
        assert_eq!(
            scrub("cannot read `postgres://u:pw@db/x`: no such file"),
            "cannot read `<redacted>`: no such file"
        );
        assert_eq!(
            scrub("cannot read ./sk-proj-abcdefgh1234: no such file"),
            "cannot read <redacted>: no such file"
        );
        assert_eq!(
            scrub("model_list[0].model_info.sk-proj-abcdefgh1234: not imported"),
            "model_list[0].model_info.<redacted>: not imported"
        );
        let plain = "models[0].provider: unknown provider \"opnai\"";
        assert!(matches!(scrub(plain), std::borrow::Cow::Borrowed(_)));
    }

    #[test]
    fn words_split_camel_case_and_separators() {
        assert_eq!(words("clientSecret"), ["client", "secret"]);
        assert_eq!(words("APIKey"), ["api", "key"]);
        assert_eq!(
            words("aws_secret_access_key"),
            ["aws", "secret", "access", "key"]
        );
        assert_eq!(words("x-api-key"), ["x", "api", "key"]);
        assert_eq!(words("vertex2Credentials"), ["vertex2", "credentials"]);
    }
}
