//! Names that several stages agree on: the labels and annotations litegate owns, the env
//! vars it sets, a model's id. Validation refuses what rendering will set, so both read
//! them here rather than one stage reaching into the other.

use std::collections::BTreeMap;

use crate::spec;

pub const NAME_LABEL: &str = "app.kubernetes.io/name";
pub const INSTANCE_LABEL: &str = "app.kubernetes.io/instance";
pub const MANAGED_BY_LABEL: &str = "app.kubernetes.io/managed-by";
/// Labels litegate sets on every object; users cannot override them.
pub const RESERVED_LABELS: &[&str] = &[NAME_LABEL, INSTANCE_LABEL, MANAGED_BY_LABEL];

/// The Deployment's selector, fixed for the gateway's lifetime (selectors are immutable).
pub fn selector_labels(name: &str) -> BTreeMap<String, String> {
    BTreeMap::from([
        (NAME_LABEL.to_owned(), "litellm".to_owned()),
        (INSTANCE_LABEL.to_owned(), name.to_owned()),
    ])
}

pub const SECRET_CHECKSUM: &str = "checksum/secret";
pub const CONFIG_CHECKSUM: &str = "checksum/config";
pub const SETTINGS_CHECKSUM: &str = "checksum/settings";
/// Over where the values litegate cannot see come from, and `secrets.rotation`.
pub const SECRET_SOURCES_CHECKSUM: &str = "checksum/secret-sources";
pub const RELOADER_SECRETS: &str = "secret.reloader.stakater.com/reload";
/// Pod template annotations litegate owns; `podAnnotations` cannot set them.
pub const RESERVED_ANNOTATIONS: &[&str] = &[
    SECRET_CHECKSUM,
    CONFIG_CHECKSUM,
    SETTINGS_CHECKSUM,
    SECRET_SOURCES_CHECKSUM,
    RELOADER_SECRETS,
];

pub const MASTER_KEY_ENV: &str = "LITELLM_MASTER_KEY";
pub const DATABASE_URL_ENV: &str = "DATABASE_URL";
pub const SALT_KEY_ENV: &str = "LITELLM_SALT_KEY";
pub const REDIS_PASSWORD_ENV: &str = "REDIS_PASSWORD";

/// The `litellm_params` key naming the provider when the model string cannot (it comes
/// from the environment).
pub const CUSTOM_LLM_PROVIDER: &str = "custom_llm_provider";
/// The `model_info` key that says which config a model entry belongs to, so that
/// `GET /model/info` on any pod tells which render that pod serves.
pub const CONFIG_STAMP: &str = "litegate_config";

/// The model's `model_info.id`: explicit, or `<name>--<provider>`. Never derived from a key,
/// so it survives key rotation (LiteLLM's automatic id hashes the key).
pub fn model_id(model: &spec::Model) -> String {
    model
        .id
        .clone()
        .unwrap_or_else(|| format!("{}--{}", model.name, model.provider))
}
