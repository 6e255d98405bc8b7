//! Literal secrets in the spec's free-form maps. Whatever is written in `params`, `info`,
//! `deployment.env` or `passthrough` lands in plain text in the ConfigMap or the
//! Deployment, readable by anyone who can read the namespace; so a value under a
//! secret-shaped key, or a secret-shaped value anywhere, is refused (E014) with a help line
//! that says where it belongs. `os.environ/NAME` references are not literals.

use std::collections::BTreeMap;

use serde_json::Value;

use crate::diagnostics::{At, Code, Diagnostic};
use crate::secret_shape::{env_reference, is_secret_name, is_secret_value};
use crate::spec::Gateway;

use super::catalog::catalog;
use super::passthrough;

pub fn check(spec: &Gateway, out: &mut Vec<Diagnostic>) {
    let (providers, models) = (At::root("providers"), At::root("models"));
    for (name, provider) in &spec.providers {
        let help = |key: &str, nested: bool| {
            params_help(
                key,
                nested,
                &format!(
                    "put it in providers.{name}.credentials as {key}: {{env: NAME}}: credentials go \
                 to the Secret, params to the ConfigMap"
                ),
            )
        };
        map(
            &providers.key(name).key("params"),
            None,
            &provider.params,
            &help,
            out,
        );
    }
    for (i, model) in spec.models.iter().enumerate() {
        let provider = &model.provider;
        let help = |key: &str, nested: bool| {
            params_help(
                key,
                nested,
                &format!(
                    "put it in providers.{provider}.credentials as {key}: {{env: NAME}} (credentials \
                 are set per provider)"
                ),
            )
        };
        let path = models.index(i);
        map(&path.key("params"), None, &model.params, &help, out);
        let info_help = |_: &str, _: bool| {
            "model_info is shown by /model/info to every caller with a key: keep secrets out of it"
                .to_owned()
        };
        map(&path.key("info"), None, &model.info, &info_help, out);
    }
    for (name, value) in &spec.deployment.env {
        if is_secret_name(name) || is_secret_value(value) {
            out.push(refused(
                format!("deployment.env.{name}"),
                "a literal secret: deployment.env is part of the Deployment, readable by anyone who can read the namespace",
                format!("put it in deployment.secretEnv as {name}: {{env: {name}}}"),
            ));
        }
    }
    let passthrough_help = |_: &str, _: bool| {
        "put it in deployment.secretEnv (e.g. NAME: {env: NAME}) and write \"os.environ/NAME\" here"
            .to_owned()
    };
    let passthrough = At::root("passthrough");
    for (section, settings) in spec.passthrough.sections() {
        map(
            &passthrough.key(section),
            Some(section),
            settings,
            &passthrough_help,
            out,
        );
    }
}

/// Says where a secret found under `key` belongs; `nested` when it stands inside a map or
/// list under that key (a header in `extra_headers`), not as the key's own value.
type Help<'a> = &'a dyn Fn(&str, bool) -> String;

/// LiteLLM resolves `os.environ/NAME` only in the top level of `litellm_params`, so a
/// secret inside a map there (a header) has no place in the spec but the provider's key.
fn params_help(key: &str, nested: bool, top_level: &str) -> String {
    if nested {
        format!(
            "a secret inside {key} cannot be kept out of config.yaml (LiteLLM resolves \
             os.environ/NAME only at the top level of litellm_params): send it as the \
             provider's apiKey or as a credentials entry"
        )
    } else {
        top_level.to_owned()
    }
}

/// The entries of a map at `path`: a params or info map, or the `passthrough` section
/// named.
fn map(
    path: &At,
    passthrough: Option<&str>,
    entries: &BTreeMap<String, Value>,
    help: Help,
    out: &mut Vec<Diagnostic>,
) {
    for (key, value) in entries {
        if set_by_litegate(passthrough, key) {
            continue;
        }
        let top = |nested: bool| help(key, nested);
        walk(&path.key(key), key, value, false, &top, out);
    }
}

/// Keys litegate sets itself (`api_key`, `master_key`) are refused on their own (E025).
fn set_by_litegate(passthrough_section: Option<&str>, key: &str) -> bool {
    match passthrough_section {
        Some(section) => passthrough::modelled(section, key).is_some(),
        None => catalog().reserved_params.contains(key),
    }
}

/// A value at `path` under `key`; list items stand under their list's key.
fn walk(
    path: &At,
    key: &str,
    value: &Value,
    nested: bool,
    help: &dyn Fn(bool) -> String,
    out: &mut Vec<Diagnostic>,
) {
    let literal = match value {
        Value::String(s) => {
            env_reference(s).is_none() && (is_secret_name(key) || is_secret_value(s))
        }
        Value::Number(_) => is_secret_name(key),
        Value::Object(map) => {
            for (k, v) in map {
                walk(&path.key(k), k, v, true, help, out);
            }
            false
        }
        Value::Array(items) => {
            for (i, v) in items.iter().enumerate() {
                walk(&path.index(i), key, v, true, help, out);
            }
            false
        }
        Value::Bool(_) | Value::Null => false,
    };
    if literal {
        out.push(refused(
            path,
            "a literal secret: config.yaml is a ConfigMap, readable by anyone who can read the namespace",
            help(nested),
        ));
    }
}

fn refused(path: impl Into<String>, message: &str, help: String) -> Diagnostic {
    Diagnostic::error(Code::E014, path, message).with_help(help)
}
