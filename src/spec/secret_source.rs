//! Where a secret value comes from: exactly one of `env`, `file` or `secretRef`.
//!
//! Deserialized by hand so that a literal value in the spec is refused without ever
//! being echoed back in an error message.

use std::fmt;

use serde::Deserialize;
use serde::de::{self, Deserializer, MapAccess, Visitor};

/// A secret's source. The value itself is never part of the spec.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SecretSource {
    /// An environment variable of the process that runs litegate.
    Env(String),
    /// A file, relative to the spec file; one trailing newline is trimmed.
    File(String),
    /// A Kubernetes Secret managed elsewhere.
    SecretRef(SecretRef),
    /// A key in a secret manager, fetched by External Secrets Operator into the Secret
    /// litegate names (`deployment.secrets.mode: external-secrets`); never read by litegate.
    Remote(RemoteRef),
}

/// One `remoteRef` of an `ExternalSecret`: the key in the store, and the property of it.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RemoteRef {
    pub key: String,
    pub property: Option<String>,
    pub version: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SecretRef {
    pub name: String,
    pub key: String,
}

const FIELDS: &[&str] = &["env", "file", "secretRef", "remote"];

/// Message for a literal where a source was expected; it must not contain the literal.
pub const LITERAL_REFUSED: &str = "a literal secret value is not allowed here; \
    use {env: NAME}, {file: PATH}, {secretRef: {name: SECRET, key: KEY}} or {remote: {key: KEY}}";

/// How this module's refusals of a badly shaped source begin.
const SOURCE_SHAPE: &str = "a secret source";

/// Whether a parse error's message is one of this module's refusals (a literal, no source
/// or two sources): the parser gives them their own code. Pinned by parse's tests.
pub fn is_source_refusal(message: &str) -> bool {
    message.starts_with(LITERAL_REFUSED) || message.starts_with(SOURCE_SHAPE)
}

impl<'de> Deserialize<'de> for SecretSource {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(SourceVisitor)
    }
}

struct SourceVisitor;

impl SourceVisitor {
    fn literal<E: de::Error>(self) -> Result<SecretSource, E> {
        Err(E::custom(LITERAL_REFUSED))
    }
}

impl<'de> Visitor<'de> for SourceVisitor {
    type Value = SecretSource;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("one of {env: NAME}, {file: PATH}, {secretRef: {name, key}}, {remote: {key}}")
    }

    // Every scalar is refused the same way, and none of them is quoted back.
    fn visit_str<E: de::Error>(self, _: &str) -> Result<SecretSource, E> {
        self.literal()
    }
    fn visit_i64<E: de::Error>(self, _: i64) -> Result<SecretSource, E> {
        self.literal()
    }
    fn visit_u64<E: de::Error>(self, _: u64) -> Result<SecretSource, E> {
        self.literal()
    }
    fn visit_f64<E: de::Error>(self, _: f64) -> Result<SecretSource, E> {
        self.literal()
    }
    fn visit_bool<E: de::Error>(self, _: bool) -> Result<SecretSource, E> {
        self.literal()
    }
    fn visit_bytes<E: de::Error>(self, _: &[u8]) -> Result<SecretSource, E> {
        self.literal()
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<SecretSource, A::Error> {
        let mut found: Option<(&'static str, SecretSource)> = None;
        while let Some(key) = map.next_key::<String>()? {
            let source = match key.as_str() {
                "env" => ("env", SecretSource::Env(map.next_value()?)),
                "file" => ("file", SecretSource::File(map.next_value()?)),
                "secretRef" => ("secretRef", SecretSource::SecretRef(map.next_value()?)),
                "remote" => ("remote", SecretSource::Remote(map.next_value()?)),
                _ => return Err(de::Error::unknown_field(&key, FIELDS)),
            };
            if let Some((first, _)) = &found {
                return Err(de::Error::custom(format_args!(
                    "{SOURCE_SHAPE} is exactly one of env, file, secretRef, remote; found both {first} and {}",
                    source.0
                )));
            }
            found = Some(source);
        }
        found.map(|(_, source)| source).ok_or_else(|| {
            de::Error::custom(format_args!(
                "{SOURCE_SHAPE} needs one of env, file, secretRef, remote"
            ))
        })
    }
}
