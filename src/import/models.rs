//! `model_list` entries: each read into a `ModelIn`, its provider type found (a prefix,
//! `custom_llm_provider`, or LiteLLM's model map), its params sorted into spec fields,
//! provider credentials and params kept as they are. Entries LiteLLM drops are skipped.

use std::collections::BTreeMap;

use serde_json::{Map, Value};

use super::credentials::Secret;
use super::out::{LimitsOut, ValueOut};
use super::{Importer, explain};
use crate::secret_shape::{is_secret_name, is_secret_value};
use crate::validate::catalog::catalog;

/// One model_list entry, read.
pub(super) struct ModelIn {
    /// `model_list[i]`.
    pub(super) at: String,
    pub(super) name: String,
    pub(super) group: usize,
    /// The model id without the provider prefix, or `{env: X}` (`model: os.environ/X`).
    pub(super) upstream: ValueOut,
    pub(super) id: Option<String>,
    pub(super) limits: LimitsOut,
    /// `rpm`/`tpm` beside `litellm_params`, on the entry itself.
    pub(super) entry_limits: LimitsOut,
    pub(super) timeout: Option<u64>,
    pub(super) drop_params: Vec<String>,
    pub(super) params: BTreeMap<String, Value>,
    pub(super) info: BTreeMap<String, Value>,
}

/// What makes deployments one provider.
#[derive(Clone, PartialEq)]
pub(super) struct Group {
    /// None when the model string comes from the environment, prefix and all, or is the
    /// bare `*` route.
    pub(super) provider_type: Option<String>,
    /// The bare `*` route with no type: each request names the provider.
    pub(super) any: bool,
    pub(super) api_base: Option<ValueOut>,
    pub(super) api_version: Option<ValueOut>,
    /// A secret's identity: the env var it came from, or a digest of the literal (never
    /// printed, only compared).
    pub(super) api_key: Option<Secret>,
    pub(super) credentials: BTreeMap<String, Secret>,
}

impl Importer<'_> {
    pub(super) fn models(&mut self, list: Option<&Value>) -> Vec<ModelIn> {
        let list = match list {
            // No model_list (models in the database, or all in an include) is a config
            // LiteLLM loads; `import` says where models come from.
            None | Some(Value::Null) => return Vec::new(),
            Some(Value::Array(list)) => list,
            Some(_) => {
                self.error("model_list", "is not a list of models".into());
                return Vec::new();
            }
        };
        let mut out = Vec::new();
        for (i, entry) in list.iter().enumerate() {
            let path = format!("model_list[{i}]");
            let Some(name) = entry.get("model_name").and_then(Value::as_str) else {
                self.error(&path, "has no `model_name` string".into());
                continue;
            };
            if name.starts_with("os.environ/") {
                self.warn(
                    &format!("{path}.model_name"),
                    format!("LiteLLM does not read model_name from the environment: clients ask for the model named \"{name}\", literally, and the spec keeps that name"),
                );
            }
            let Some(params) = entry.get("litellm_params").and_then(Value::as_object) else {
                self.skip(
                    &path,
                    "has no `litellm_params` mapping: LiteLLM cannot build it and drops it too; not imported".into(),
                );
                continue;
            };
            self.entries.push(explain::Entry {
                at: path.clone(),
                name: name.into(),
                became: None,
            });
            if let Some(mut model) = self.model(&path, name, params, entry.get("model_info")) {
                self.entry_keys(&path, entry, &mut model);
                out.push(model);
            }
        }
        out
    }

    /// The entry's keys beside model_name, litellm_params and model_info: `rpm` and `tpm`,
    /// which LiteLLM's usage-based and cost routing read there, become `entryLimits`.
    fn entry_keys(&mut self, path: &str, entry: &Value, model: &mut ModelIn) {
        for (key, value) in entry.as_object().into_iter().flatten() {
            let at = format!("{path}.{key}");
            match key.as_str() {
                "model_name" | "litellm_params" | "model_info" => {}
                "rpm" => model.entry_limits.rpm = self.count(&at, value),
                "tpm" => model.entry_limits.tpm = self.count(&at, value),
                _ => self.warn(
                    &at,
                    "not imported: the spec carries a model_list entry's own keys only for rpm and tpm (entryLimits), the ones LiteLLM's routing reads there".into(),
                ),
            }
        }
    }

    pub(super) fn model(
        &mut self,
        path: &str,
        name: &str,
        params: &Map<String, Value>,
        info: Option<&Value>,
    ) -> Option<ModelIn> {
        let at = format!("{path}.litellm_params");
        let (provider_type, upstream) = self.provider_prefix(&at, name, params)?;
        let mut group = Group {
            any: provider_type.is_none() && upstream == ValueOut::Value("*".into()),
            provider_type,
            api_base: None,
            api_version: None,
            api_key: None,
            credentials: BTreeMap::new(),
        };
        let mut model = ModelIn {
            at: path.into(),
            name: name.into(),
            group: 0,
            upstream,
            id: None,
            limits: LimitsOut::default(),
            entry_limits: LimitsOut::default(),
            timeout: None,
            drop_params: Vec::new(),
            params: BTreeMap::new(),
            info: BTreeMap::new(),
        };
        for (key, value) in params {
            self.param(&format!("{at}.{key}"), key, value, &mut group, &mut model);
        }
        for (key, value) in info.and_then(Value::as_object).into_iter().flatten() {
            if key == "id" {
                model.id = match value {
                    Value::String(s) => Some(s.clone()),
                    Value::Number(n) => Some(n.to_string()),
                    _ => None,
                };
            } else if crate::validate::STAMPED_INFO.contains(&key.as_str()) {
                // A config litegate rendered: its stamps and marks are made anew on render.
            } else {
                model.info.insert(key.clone(), value.clone());
            }
        }
        model.group = match self.groups.iter().position(|g| *g == group) {
            Some(i) => i,
            None => {
                self.groups.push(group);
                self.groups.len() - 1
            }
        };
        Some(model)
    }

    /// The entry's `model` string, unless LiteLLM drops the entry: then skipped, with why.
    fn model_string<'p>(&mut self, at: &str, params: &'p Map<String, Value>) -> Option<&'p str> {
        match params.get("model") {
            Some(Value::String(full)) => Some(full.as_str()),
            _ => {
                self.skip(
                    at,
                    "has no `model` string: LiteLLM drops this entry too; not imported".into(),
                );
                None
            }
        }
    }

    /// `openai/gpt-4o` => (`openai`, `gpt-4o`), for a provider type LiteLLM knows; the type
    /// `custom_llm_provider` names (`meta-llama/Llama-3` on `openai`); or the one LiteLLM's
    /// model map infers (`gpt-4o` => `openai`). `os.environ/X` => `{env: X}`, on the type
    /// `custom_llm_provider` names or on none (X then names the provider). An entry LiteLLM
    /// cannot place either is skipped: LiteLLM logs "Error creating deployment" and drops it
    /// too.
    pub(super) fn provider_prefix(
        &mut self,
        at: &str,
        name: &str,
        params: &Map<String, Value>,
    ) -> Option<(Option<String>, ValueOut)> {
        let c = catalog();
        let full = self.model_string(at, params)?;
        let here = format!("{at}.model");
        let from_env = full.strip_prefix("os.environ/");
        if let Some(custom) = params.get("custom_llm_provider").and_then(Value::as_str) {
            if !c.provider_types.contains(custom) {
                self.skip(
                    &format!("{at}.custom_llm_provider"),
                    format!("\"{custom}\" is not a provider LiteLLM {} knows: LiteLLM drops this entry too; not imported", c.litellm_version),
                );
                return None;
            }
            if let Some(var) = from_env {
                return Some((Some(custom.into()), self.model_env(&here, var, true)));
            }
            let upstream = full.strip_prefix(&format!("{custom}/")).unwrap_or(full);
            return Some((Some(custom.into()), ValueOut::Value(upstream.into())));
        }
        if let Some(var) = from_env {
            return Some((None, self.model_env(&here, var, false)));
        }
        if full == "*" {
            self.warn(
                &here,
                "a bare \"*\" route: LiteLLM sends each request to the provider it infers from the name asked for, with the key it reads from that provider's variable (OPENAI_API_KEY, ANTHROPIC_API_KEY, ...); the spec says so with a provider that has no type, and the pod has only the variables the spec gives it (deployment.env, deployment.secretEnv, the providers' keys)".into(),
            );
            return Some((None, ValueOut::Value(full.into())));
        }
        let placed = self.placed(&here, name, full, params)?;
        Some((Some(placed.0), ValueOut::Value(placed.1)))
    }

    /// `model: os.environ/X`: `{env: X}`, which the pod is given; without a type, X names
    /// the provider too, which nothing here can check.
    fn model_env(&mut self, here: &str, var: &str, typed: bool) -> ValueOut {
        let model = self.pod_env(here, var, "when it starts (os.environ/ in the config)");
        if !typed {
            self.warn(
                here,
                format!("the whole model string, provider prefix included, comes from ${var}: the spec's provider for it has no type, so neither litegate nor this import can check the provider, its endpoint or its keys; ${var} must hold <provider>/<model> in every environment, as it does for LiteLLM now"),
            );
        }
        model
    }

    /// The provider type and id of a model string written in the config.
    fn placed(
        &mut self,
        here: &str,
        name: &str,
        full: &str,
        params: &Map<String, Value>,
    ) -> Option<(String, String)> {
        let c = catalog();
        if let Some((provider_type, upstream)) = full.split_once('/')
            && c.provider_types.contains(provider_type)
        {
            return Some((provider_type.into(), upstream.into()));
        }
        // LiteLLM checks registered custom providers right after its own prefixes.
        if let Some((provider_type, upstream)) = full.split_once('/')
            && self.custom_providers.contains(provider_type)
        {
            return Some((provider_type.into(), upstream.into()));
        }
        // LiteLLM's order: an endpoint it knows decides before its model map does.
        let api_base = params.get("api_base").and_then(Value::as_str);
        if let Some(inferred) = api_base
            .filter(|base| !base.starts_with("os.environ/"))
            .and_then(|base| c.api_base_provider(base))
        {
            self.warn(
                here,
                format!("\"{full}\" has no provider prefix LiteLLM knows, and its api_base is the {inferred} endpoint LiteLLM knows: LiteLLM gives it provider \"{inferred}\", and the spec says so (config.yaml gets {inferred}/{full}, which LiteLLM reads the same)"),
            );
            return Some((inferred.into(), full.into()));
        }
        if let Some(inferred) = c.inferred_provider(full) {
            self.warn(
                here,
                format!("\"{full}\" has no provider prefix: LiteLLM's model map gives it provider \"{inferred}\", and the spec says so (config.yaml gets {inferred}/{full}, which LiteLLM reads the same)"),
            );
            return Some((inferred.into(), full.into()));
        }
        self.unplaceable(here, name, full);
        None
    }

    /// An entry whose provider neither LiteLLM nor import can tell: skipped, with why.
    fn unplaceable(&mut self, here: &str, name: &str, full: &str) {
        let c = catalog();
        let prefix = full.split_once('/').map(|(p, _)| p);
        let hint = prefix
            .and_then(|p| crate::suggest::help(p, c.provider_types.iter()))
            .map(|h| format!(" ({h})"))
            .unwrap_or_default();
        let why = match prefix {
            Some(p) => format!("unknown provider prefix \"{p}\"{hint}"),
            None => format!(
                "\"{full}\" has no provider prefix, and LiteLLM's model map does not know it"
            ),
        };
        self.skip(
            here,
            format!("{why}: LiteLLM {} cannot tell its provider either, and drops model \"{name}\" at start (\"Error creating deployment\"); not imported. Write it as <provider>/{full} or add custom_llm_provider", c.litellm_version),
        );
    }

    /// One `litellm_params` key: a spec field, a provider credential (a secret-shaped
    /// name, a secret-looking value, an `os.environ/` reference), or a param kept as it is
    /// (its nested credentials moved later, once variables can be named).
    pub(super) fn param(
        &mut self,
        p: &str,
        key: &str,
        value: &Value,
        group: &mut Group,
        model: &mut ModelIn,
    ) {
        let c = catalog();
        let secret = (is_secret_name(key) && !value.is_boolean())
            || value
                .as_str()
                .is_some_and(|s| is_secret_value(s) || s.starts_with("os.environ/"));
        match key {
            // Consumed by the provider prefix.
            "model" | "custom_llm_provider" => {}
            // LiteLLM reads a null as unset.
            "api_base" | "api_version" | "api_key" if value.is_null() => {}
            "api_base" => group.api_base = self.url(p, value),
            "api_version" => group.api_version = self.plain_or_env(p, value),
            "api_key" => group.api_key = self.secret(p, value),
            "rpm" => model.limits.rpm = self.count(p, value),
            "tpm" => model.limits.tpm = self.count(p, value),
            "timeout" => model.timeout = self.count(p, value),
            "additional_drop_params" => {
                model.drop_params = value
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(|v| v.as_str().map(str::to_owned))
                    .collect();
            }
            _ if !c.is_known_param(key) => self.unknown_param(p, key, secret),
            _ if secret => {
                if let Some(secret) = self.secret(p, value) {
                    group.credentials.insert(key.into(), secret);
                }
            }
            _ => {
                if let Some(problem) = crate::validate::param_type_problem(key, value) {
                    self.warn(
                        p,
                        format!("not imported: {problem}, which LiteLLM loads but does not read as written (to its drop_params checks a list is not `True`; a word fails simple-shuffle's weights), and the spec refuses (E037); write it as LiteLLM types it, then import again"),
                    );
                    return;
                }
                model.params.insert(key.into(), value.clone());
            }
        }
    }

    /// A name LiteLLM does not read from litellm_params: it forwards it to the provider as
    /// a request field, which the spec does not allow (E018); not imported, and said where
    /// it belongs when that is known.
    fn unknown_param(&mut self, p: &str, key: &str, secret: bool) {
        let c = catalog();
        let help = if c.model_info_fields.contains(key) {
            Some("it is a model_info field: if it describes the model, move it under model_info (the spec's models[].info), where LiteLLM reads it".to_owned())
        } else {
            crate::suggest::help(key, c.known_params())
        };
        self.warn(
            p,
            format!(
                "not imported{}: not a param LiteLLM {} knows, so it would be forwarded to the provider as a request field{}",
                if secret { " (a secret: its value is not copied anywhere)" } else { "" },
                c.litellm_version,
                help.map(|help| format!("; {help}")).unwrap_or_default()
            ),
        );
    }
}
