//! `models:`: providers exist, ids are unique, params are ones LiteLLM knows.

use std::collections::BTreeMap;

use crate::diagnostics::{At, Code, Diagnostic};
use crate::names::model_id;
use crate::spec::{Gateway, Model, ValueOrEnv};
use crate::suggest;

use super::catalog::catalog;
use super::kubernetes::is_env_var_name;

/// What to change about a clash: an explicit id that clashes must itself change, while a
/// clash of derived ids (`<name>--<provider>`) is undone by giving one an explicit id.
fn duplicate_id_help(first: &Model, second: &Model) -> String {
    match (&first.id, &second.id) {
        (None, None) => {
            "LiteLLM keys deployments by id: give one of them an explicit `id`".to_owned()
        }
        (Some(_), Some(_)) => {
            "LiteLLM keys deployments by id: both `id`s are written out; change one of them"
                .to_owned()
        }
        _ => "LiteLLM keys deployments by id: the explicit `id` equals the other model's \
              derived one (`<name>--<provider>`); choose another `id`"
            .to_owned(),
    }
}

pub fn check(spec: &Gateway, out: &mut Vec<Diagnostic>) {
    // With a database, models may all be added live (admin API, UI, `litegate sync`).
    if spec.models.is_empty() && spec.deployment.database.is_none() {
        out.push(
            Diagnostic::error(Code::E028, "models", "at least one model is needed").with_help(
                "or set deployment.database, and add models through LiteLLM's admin API",
            ),
        );
    }
    let mut ids: BTreeMap<String, usize> = BTreeMap::new();
    let models = At::root("models");
    for (i, model) in spec.models.iter().enumerate() {
        let path = models.index(i);
        required(model, &path, out);
        provider_exists(spec, model, &path, out);
        unique_id(spec, model, &path, i, &mut ids, out);
        super::providers::params(&path.key("params"), &model.params, out);
        drop_params(model, &path, out);
        info_keys(model, &path, out);
        rate_limits_per_pod(spec, i, out);
        entry_limits(spec, i, out);
    }
}

/// Name, upstream model and timeout: present and usable.
fn required(model: &crate::spec::Model, path: &At, out: &mut Vec<Diagnostic>) {
    if model.name.trim().is_empty() {
        out.push(Diagnostic::error(
            Code::E028,
            path.key("name"),
            "the model name is empty",
        ));
    }
    match &model.model {
        ValueOrEnv::Value(id) if id.trim().is_empty() => out.push(Diagnostic::error(
            Code::E028,
            path.key("model"),
            "the upstream model id is empty",
        )),
        ValueOrEnv::Env(e) if !is_env_var_name(&e.env) => out.push(Diagnostic::error(
            Code::E014,
            path.key("model").key("env"),
            format!("\"{}\" is not a valid environment variable name", e.env),
        )),
        _ => {}
    }
    if model.timeout == Some(0) {
        out.push(Diagnostic::error(
            Code::E028,
            path.key("timeout"),
            "a timeout of 0 seconds fails every request",
        ));
    }
}

fn provider_exists(
    spec: &Gateway,
    model: &crate::spec::Model,
    path: &At,
    out: &mut Vec<Diagnostic>,
) {
    if spec.providers.contains_key(&model.provider) {
        return;
    }
    let mut d = Diagnostic::error(
        Code::E012,
        path.key("provider"),
        format!("unknown provider \"{}\"", model.provider),
    );
    if let Some(help) = suggest::help(&model.provider, spec.providers.keys().map(String::as_str)) {
        d = d.with_help(help);
    }
    out.push(d);
}

/// The model's id, not empty and not another model's; `ids` holds the ones seen so far.
fn unique_id(
    spec: &Gateway,
    model: &crate::spec::Model,
    path: &At,
    i: usize,
    ids: &mut BTreeMap<String, usize>,
    out: &mut Vec<Diagnostic>,
) {
    let path = path.key("id");
    let id = model_id(model);
    if id.is_empty() {
        out.push(Diagnostic::error(Code::E028, path, "the model id is empty"));
    } else if let Some(first) = ids.insert(id.clone(), i) {
        out.push(
            Diagnostic::error(
                Code::E016,
                path,
                format!("model id \"{id}\" is already used by models[{first}]"),
            )
            .with_help(duplicate_id_help(&spec.models[first], model)),
        );
    }
}

/// `dropParams`: only request params LiteLLM knows.
fn drop_params(model: &crate::spec::Model, path: &At, out: &mut Vec<Diagnostic>) {
    let c = catalog();
    for (j, param) in model.drop_params.iter().enumerate() {
        if c.request_params.contains(param) {
            continue;
        }
        let mut d = Diagnostic::error(
            Code::E018,
            path.key("dropParams").index(j),
            format!(
                "\"{param}\" is not a request param LiteLLM {} knows",
                c.litellm_version
            ),
        );
        if let Some(help) = suggest::help(param, c.request_params.iter()) {
            d = d.with_help(help);
        }
        out.push(d);
    }
}

/// `info`: none of the keys litegate sets itself, and no id (that is `models[].id`).
fn info_keys(model: &crate::spec::Model, path: &At, out: &mut Vec<Diagnostic>) {
    if model.info.contains_key("id") {
        out.push(
            Diagnostic::error(
                Code::E025,
                path.key("info").key("id"),
                "the model id is set with models[].id",
            )
            .with_help("move it to `id:` beside `name:`"),
        );
    }
    for key in STAMPED_INFO.iter().filter(|k| model.info.contains_key(**k)) {
        out.push(
            Diagnostic::error(
                Code::E025,
                path.key("info").key(key),
                format!("\"{key}\" is set by litegate: it tells which config and gateway a model belongs to"),
            )
            .on_key(),
        );
    }
}

/// `model_info` keys litegate writes itself: the config stamp and `sync`'s row marks.
pub const STAMPED_INFO: &[&str] = &[
    crate::names::CONFIG_STAMP,
    crate::admin::MANAGED_BY,
    crate::admin::GATEWAY,
    crate::admin::DIGEST,
    crate::admin::KEYS,
];

/// Without Redis each pod counts rpm/tpm on its own, so N pods allow N times the limit.
/// `entryLimits` stand beside `litellm_params` in config.yaml; a database row, which is
/// what `litegate sync` writes, keeps no such keys, so they would never reach LiteLLM.
fn entry_limits(spec: &Gateway, i: usize, out: &mut Vec<Diagnostic>) {
    if spec.models[i].entry_limits.is_some() && spec.deployment.database.is_some() {
        out.push(
            Diagnostic::error(
                Code::E036,
                format!("models[{i}].entryLimits"),
                "with a database the models are rows, which keep litellm_params and model_info only: these limits would never reach LiteLLM",
            )
            .with_help("use limits (in litellm_params), which LiteLLM also checks before each call"),
        );
    }
}

fn rate_limits_per_pod(spec: &Gateway, i: usize, out: &mut Vec<Diagnostic>) {
    let Some(limits) = spec.models[i].limits else {
        return;
    };
    if limits.rpm.is_none() && limits.tpm.is_none() {
        return;
    }
    let d = &spec.deployment;
    let pods = d
        .autoscaling
        .as_ref()
        .map_or(d.replicas.unwrap_or(2), |a| a.max_replicas);
    if pods > 1 && d.redis.is_none() {
        out.push(
            Diagnostic::warning(
                Code::W003,
                format!("models[{i}].limits"),
                format!("without deployment.redis these limits are counted per pod: up to {pods} times the rate"),
            )
            .with_help("add deployment.redis so the pods share counters"),
        );
    }
}
