//! `providers:`: known types, the fields each type needs, params, secret sources.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use crate::diagnostics::{At, Code, Diagnostic};
use crate::spec::{Gateway, SecretSource, SecretsMode, ValueOrEnv};
use crate::suggest;

use super::catalog::catalog;
use super::kubernetes::{is_dns1123_subdomain, is_env_var_name};

pub fn check(spec: &Gateway, out: &mut Vec<Diagnostic>) {
    if spec.providers.is_empty() && !(spec.models.is_empty() && spec.deployment.database.is_some())
    {
        out.push(Diagnostic::error(
            Code::E028,
            "providers",
            "at least one provider is needed",
        ));
    }
    let custom = custom_provider_types(spec);
    let providers = At::root("providers");
    for (name, provider) in &spec.providers {
        let path = providers.key(name);
        name_and_type(name, provider, &path, &custom, out);
        untyped(spec, name, provider, &path, out);
        endpoint(provider, &path, out);
        keys(provider, &path, spec.deployment.secrets.mode, out);
    }
}

/// A name usable in env var names and ids, and a provider type LiteLLM (or the config's
/// custom_provider_map) knows.
fn name_and_type(
    name: &str,
    provider: &crate::spec::Provider,
    path: &At,
    custom: &BTreeSet<&str>,
    out: &mut Vec<Diagnostic>,
) {
    let c = catalog();
    if !is_provider_name(name) {
        out.push(
            Diagnostic::error(Code::E004, path, format!("\"{name}\" is not a valid provider name"))
                .on_key()
                .with_help("use lowercase letters, digits, '-' and '_', starting with a letter: the name becomes part of env var names and model ids"),
        );
    }
    let Some(ty) = provider.provider_type.as_deref() else {
        return;
    };
    if !c.provider_types.contains(ty) && !custom.contains(ty) {
        let mut d = Diagnostic::error(
            Code::E010,
            path.key("type"),
            format!("unknown provider type \"{ty}\""),
        );
        if let Some(help) = suggest::help(ty, c.provider_types.iter()) {
            d = d.with_help(help);
        }
        out.push(d);
    }
}

/// A provider without `type`: allowed only when its models all take the whole model
/// string from the environment, which then names the provider, or are the bare `*` route
/// (each request goes to the provider LiteLLM infers from the name asked for).
fn untyped(
    spec: &Gateway,
    name: &str,
    provider: &crate::spec::Provider,
    path: &At,
    out: &mut Vec<Diagnostic>,
) {
    if provider.provider_type.is_some() {
        return;
    }
    let mut models = spec
        .models
        .iter()
        .enumerate()
        .filter(|(_, m)| m.provider == name);
    let written = models
        .clone()
        .find(|(_, m)| matches!(&m.model, ValueOrEnv::Value(id) if id != "*"));
    let (code, at, message) = match (models.next(), written) {
        (None, _) => (
            Code::E001,
            path.key("type").to_string(),
            "missing field `type`".to_owned(),
        ),
        (Some(_), Some((i, _))) => (
            Code::E035,
            format!("models[{i}].model"),
            format!(
                "provider \"{name}\" has no `type`, so this model's provider prefix is unknown"
            ),
        ),
        (Some(_), None) => return,
    };
    out.push(Diagnostic::error(code, at, message).with_help(
        "give the provider a type (openai, anthropic, azure, ...), or write this model as {env: NAME}, a variable that holds <provider>/<model> (or \"*\", the route to whichever provider a request names)",
    ));
}

/// `apiBase` where the type needs one, an http(s) URL; `{env:}` names that are env var names.
fn endpoint(provider: &crate::spec::Provider, path: &At, out: &mut Vec<Diagnostic>) {
    let c = catalog();
    let ty = provider.provider_type.as_deref().unwrap_or_default();
    match &provider.api_base {
        None if c.api_base_required.contains(ty) => out.push(
            Diagnostic::error(
                Code::E011,
                path.key("apiBase"),
                format!("provider type \"{ty}\" needs apiBase"),
            )
            .with_help(if ty.starts_with("ollama") {
                "without it LiteLLM tries to start `ollama serve` inside the proxy"
            } else {
                "without it LiteLLM sends traffic to a default host"
            }),
        ),
        Some(ValueOrEnv::Value(base))
            if !(base.starts_with("http://") || base.starts_with("https://")) =>
        {
            out.push(Diagnostic::error(
                Code::E028,
                path.key("apiBase"),
                format!("\"{base}\" is not an http(s) URL"),
            ))
        }
        _ => {}
    }
    for (field, value) in [
        ("apiBase", &provider.api_base),
        ("apiVersion", &provider.api_version),
    ] {
        if let Some(ValueOrEnv::Env(e)) = value
            && !is_env_var_name(&e.env)
        {
            out.push(Diagnostic::error(
                Code::E014,
                path.key(field).key("env"),
                format!("\"{}\" is not a valid environment variable name", e.env),
            ));
        }
    }
}

/// `apiKey` where the type needs one, and every secret source readable in this mode.
fn keys(
    provider: &crate::spec::Provider,
    path: &At,
    mode: crate::spec::SecretsMode,
    out: &mut Vec<Diagnostic>,
) {
    let c = catalog();
    let ty = provider.provider_type.as_deref().unwrap_or_default();
    if provider.api_key.is_none()
        && provider.credentials.is_empty()
        && c.api_key_required.contains(ty)
    {
        out.push(
            Diagnostic::error(
                Code::E013,
                path.key("apiKey"),
                format!("provider type \"{ty}\" needs apiKey"),
            )
            .with_help(
                "apiKey: {env: NAME}, {file: PATH} or {secretRef: {name: SECRET, key: KEY}}",
            ),
        );
    }
    if let Some(source) = &provider.api_key {
        secret_source(&path.key("apiKey"), source, mode, out);
    }
    params(&path.key("params"), &provider.params, out);
    let credentials = path.key("credentials");
    for (param, source) in &provider.credentials {
        let at = credentials.key(param);
        param_name(&at, param, out);
        if provider.params.contains_key(param) {
            out.push(Diagnostic::error(
                Code::E025,
                at,
                format!("\"{param}\" is given both in params and in credentials"),
            ));
        }
        secret_source(&at, source, mode, out);
    }
}

/// Provider types `passthrough.litellm_settings.custom_provider_map` registers: LiteLLM
/// serves `<provider>/<model>` through the named Python handler (which the image must have).
pub fn custom_provider_types(spec: &Gateway) -> BTreeSet<&str> {
    spec.passthrough
        .litellm_settings
        .get("custom_provider_map")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|entry| entry.get("provider").and_then(Value::as_str))
        .collect()
}

fn is_provider_name(name: &str) -> bool {
    let b = name.as_bytes();
    !b.is_empty()
        && b.len() <= 40
        && b[0].is_ascii_lowercase()
        && b.iter()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, b'-' | b'_'))
}

/// Keys of a `params` map: known to LiteLLM, and not one litegate sets itself; values of
/// the type LiteLLM gives the param.
pub fn params(path: &At, params: &BTreeMap<String, Value>, out: &mut Vec<Diagnostic>) {
    for (name, value) in params {
        let at = path.key(name);
        param_name(&at, name, out);
        param_type(&at, name, value, out);
    }
}

/// A value LiteLLM's annotation of the param does not allow (`weight: heavy`, where it is a
/// float): LiteLLM loads it, and fails the requests that read it (simple-shuffle's "must
/// be numeric") or sends it upstream, which refuses it. Read as pydantic's lax mode reads
/// a field: a number may be written as a numeric string, a boolean as `"true"`/`"no"`/1/0,
/// and an integer as any number. Null is unset. The value is never quoted.
fn param_type(path: &At, name: &str, value: &Value, out: &mut Vec<Diagnostic>) {
    if let Some(problem) = param_type_problem(name, value) {
        out.push(Diagnostic::error(Code::E037, path, problem));
    }
}

/// Why `value` is not of the type LiteLLM gives `name`, in words that never quote it.
pub fn param_type_problem(name: &str, value: &Value) -> Option<String> {
    let c = catalog();
    let types = c.param_types.get(name)?;
    if value.is_null() || types.iter().any(|t| json_type_allows(t, value)) {
        return None;
    }
    let wanted: Vec<&str> = types.iter().map(json_type_words).collect();
    Some(format!(
        "\"{name}\" is {} in LiteLLM {}, and this value is {}",
        wanted.join(" or "),
        c.litellm_version,
        value_words(value)
    ))
}

fn json_type_allows(ty: &str, value: &Value) -> bool {
    let numeric = |s: &str| s.trim().parse::<f64>().is_ok_and(f64::is_finite);
    match (ty, value) {
        ("string", Value::String(_))
        | ("object", Value::Object(_))
        | ("array", Value::Array(_))
        | ("boolean", Value::Bool(_))
        | ("number", Value::Number(_)) => true,
        // LiteLLM does not check an int annotation against a float (`weight: 0.5` is
        // weighed as it is): any number will do where it says integer.
        ("number" | "integer", Value::String(s)) => numeric(s),
        ("integer", Value::Number(_)) => true,
        ("boolean", Value::Number(n)) => n.as_u64().is_some_and(|n| n <= 1),
        ("boolean", Value::String(s)) => matches!(
            s.to_ascii_lowercase().as_str(),
            "true" | "false" | "yes" | "no" | "on" | "off" | "1" | "0" | "t" | "f" | "y" | "n"
        ),
        _ => false,
    }
}

fn json_type_words(ty: &str) -> &'static str {
    match ty {
        "string" => "a string",
        "number" => "a number",
        "integer" => "a number",
        "boolean" => "a boolean",
        "object" => "a mapping",
        _ => "a list",
    }
}

fn value_words(value: &Value) -> &'static str {
    match value {
        Value::String(_) => "a string",
        Value::Number(_) => "a number",
        Value::Bool(_) => "a boolean",
        Value::Object(_) => "a mapping",
        Value::Array(_) => "a list",
        Value::Null => "null",
    }
}

fn param_name(path: &At, name: &str, out: &mut Vec<Diagnostic>) {
    let c = catalog();
    if c.reserved_params.contains(name) {
        out.push(
            Diagnostic::error(
                Code::E025,
                path,
                format!("\"{name}\" is set by litegate from the spec's own fields"),
            )
            .with_help(reserved_help(name))
            .on_key(),
        );
    } else if !c.is_known_param(name) {
        let mut d = Diagnostic::error(
            Code::E018,
            path,
            format!(
                "unknown param \"{name}\" (LiteLLM {} would forward it to the upstream API)",
                c.litellm_version
            ),
        )
        .on_key();
        if let Some(help) = suggest::help(name, c.known_params()) {
            d = d.with_help(help);
        }
        out.push(d);
    }
}

fn reserved_help(name: &str) -> &'static str {
    match name {
        "model" => "set models[].model",
        "custom_llm_provider" => "set providers.<name>.type",
        "api_key" => "set providers.<name>.apiKey",
        "api_base" => "set providers.<name>.apiBase",
        "api_version" => "set providers.<name>.apiVersion",
        "rpm" | "tpm" => "set models[].limits",
        "timeout" => "set models[].timeout",
        _ => "set models[].dropParams",
    }
}

/// One secret source: well-formed, and readable under the secrets mode.
pub fn secret_source(
    path: &At,
    source: &SecretSource,
    mode: SecretsMode,
    out: &mut Vec<Diagnostic>,
) {
    match source {
        SecretSource::Env(var) if !is_env_var_name(var) => out.push(Diagnostic::error(
            Code::E014,
            path.key("env"),
            format!("\"{var}\" is not a valid environment variable name"),
        )),
        SecretSource::File(file) if file.is_empty() => out.push(Diagnostic::error(
            Code::E014,
            path.key("file"),
            "the file path is empty",
        )),
        SecretSource::SecretRef(r) => {
            if !is_dns1123_subdomain(&r.name) {
                out.push(Diagnostic::error(
                    Code::E004,
                    path.key("secretRef").key("name"),
                    format!("\"{}\" is not a valid Secret name", r.name),
                ));
            }
            let key_ok = !r.key.is_empty()
                && r.key.len() <= 253
                && r.key
                    .bytes()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'-' | b'_' | b'.'));
            if !key_ok {
                out.push(Diagnostic::error(
                    Code::E014,
                    path.key("secretRef").key("key"),
                    format!("\"{}\" is not a valid Secret key", r.key),
                ));
            }
        }
        SecretSource::Remote(r) if r.key.trim().is_empty() => out.push(Diagnostic::error(
            Code::E014,
            path.key("remote").key("key"),
            "the remote key is empty",
        )),
        _ => {}
    }
    let read_here = matches!(source, SecretSource::Env(_) | SecretSource::File(_));
    match mode {
        SecretsMode::External | SecretsMode::ExternalSecrets if read_here => out.push(
            Diagnostic::error(
                Code::E027,
                path,
                format!("deployment.secrets.mode is {}, so litegate reads no secret value", mode.name()),
            )
            .with_help(if mode == SecretsMode::External {
                "use {secretRef: {name: SECRET, key: KEY}} for every secret"
            } else {
                "use {remote: {key: KEY, property: PROPERTY}} (External Secrets Operator) or {secretRef: {name, key}}"
            }),
        ),
        SecretsMode::Inline | SecretsMode::External if matches!(source, SecretSource::Remote(_)) => {
            out.push(
                Diagnostic::error(
                    Code::E027,
                    path.key("remote"),
                    "a remote source is fetched by External Secrets Operator, which needs deployment.secrets.mode: external-secrets",
                )
                .with_help("set deployment.secrets: {mode: external-secrets, store: {name: STORE, kind: ClusterSecretStore}}"),
            );
        }
        _ => {}
    }
}
