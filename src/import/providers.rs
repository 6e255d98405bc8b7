//! Providers and the spec's models: one provider per group of deployments that share a
//! type, endpoint and keys, named readably; each key and credential from its source, the
//! variables LiteLLM falls back to made explicit; each model's nested credentials moved.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use super::Importer;
use super::credentials::Spot;
use super::models::{Group, ModelIn};
use super::out::{ModelOut, ProviderOut, SourceOut, ValueOut};
use crate::validate::catalog::catalog;

/// Where LiteLLM sends an ollama model whose config gives no `api_base`.
const OLLAMA_DEFAULT_API_BASE: &str = "http://localhost:11434";

impl Importer<'_> {
    /// Each provider's key and credential variables, as `resolve` names them.
    pub(super) fn reserve_provider_names(&mut self, names: &[String]) {
        let mut vars = Vec::new();
        for (group, name) in self.groups.iter().zip(names) {
            let prefix = env_prefix(name);
            if group.api_key.is_some() {
                vars.push(format!("{prefix}_API_KEY"));
            }
            for key in group.credentials.keys() {
                vars.push(format!("{prefix}_{}", key.to_ascii_uppercase()));
            }
        }
        self.reserve(vars);
    }

    pub(super) fn providers_and_models(
        &mut self,
        models: Vec<ModelIn>,
        names: &[String],
    ) -> (BTreeMap<String, ProviderOut>, Vec<ModelOut>) {
        let groups = std::mem::take(&mut self.groups);
        // Where each provider was first met: its warnings name that entry.
        let mut first_at: Vec<Option<&str>> = vec![None; groups.len()];
        for m in &models {
            first_at[m.group].get_or_insert(m.at.as_str());
        }
        let providers = groups
            .iter()
            .zip(names)
            .zip(&first_at)
            .map(|((group, name), at)| (name.clone(), self.provider(group, name, *at)))
            .collect();
        // Default ids are <name>--<provider>: two deployments of one name on one provider
        // (a load-balanced group) need explicit ids.
        let mut seen: BTreeMap<String, usize> = BTreeMap::new();
        let out = models
            .into_iter()
            .map(|m| {
                let provider = names[m.group].clone();
                let index = self.models_out;
                self.models_out += 1;
                if let Some(e) = self.entries.iter_mut().find(|e| e.at == m.at) {
                    e.became = Some(format!("models[{index}] on provider {provider}"));
                }
                let default_id = format!("{}--{provider}", m.name);
                let n = seen.entry(default_id.clone()).or_insert(0);
                *n += 1;
                let id =
                    m.id.clone()
                        .or_else(|| (*n > 1).then(|| format!("{default_id}--{n}")));
                self.model_out(m, provider, id)
            })
            .collect();
        (providers, out)
    }

    /// A provider, each key and credential from its source, under `resolve`'s names.
    pub(super) fn provider(
        &mut self,
        group: &Group,
        name: &str,
        entry: Option<&str>,
    ) -> ProviderOut {
        let prefix = env_prefix(name);
        let path = |what: &str| format!("providers.{name}.{what}");
        let c = catalog();
        let ty = group.provider_type.as_deref().unwrap_or_default();
        let fallback = |field: &str| {
            group
                .provider_type
                .as_deref()
                .and_then(|ty| c.env_fallback(ty, field))
        };
        let api_key = self.provider_key(group, name, entry);
        let mut from_fallback = |field: &str, given: &Option<ValueOut>, spec_field: &str| {
            given.clone().or_else(|| {
                let var = fallback(field)?;
                Some(self.pod_env(
                    &path(spec_field),
                    var,
                    &format!("when the config gives provider type \"{ty}\" no {field}"),
                ))
            })
        };
        let mut api_base = from_fallback("api_base", &group.api_base, "apiBase");
        let api_version = from_fallback("api_version", &group.api_version, "apiVersion");
        if api_base.is_none() && matches!(ty, "ollama" | "ollama_chat") {
            // LiteLLM's own default (OllamaConfig.get_api_base), made explicit: the spec
            // requires an apiBase for self-hosted types (E011).
            self.warn(
                &path("apiBase"),
                format!("the config gives provider type \"{ty}\" no api_base, so LiteLLM uses {OLLAMA_DEFAULT_API_BASE}: the spec now says so; in a pod that is the pod itself, so point apiBase at your Ollama Service"),
            );
            api_base = Some(ValueOut::Value(OLLAMA_DEFAULT_API_BASE.into()));
        }
        let credentials = group
            .credentials
            .iter()
            .map(|(k, s)| {
                let var = format!("{prefix}_{}", k.to_ascii_uppercase());
                let field = path(&format!("credentials.{k}"));
                self.claim(&var, &field);
                let here = entry.map(|at| format!("{at}.litellm_params.{k}"));
                (
                    k.clone(),
                    self.source_at(s.clone(), &var, &field, here.as_deref()),
                )
            })
            .collect();
        ProviderOut {
            provider_type: group.provider_type.clone(),
            api_base,
            api_version,
            api_key,
            credentials,
        }
    }

    /// The provider's key: from the config's api_key, else the variable LiteLLM falls
    /// back to for its type, made explicit.
    fn provider_key(
        &mut self,
        group: &Group,
        name: &str,
        entry: Option<&str>,
    ) -> Option<SourceOut> {
        let prefix = env_prefix(name);
        let path = |what: &str| format!("providers.{name}.{what}");
        let mut api_key = group.api_key.clone().map(|s| {
            let var = format!("{prefix}_API_KEY");
            self.claim(&var, &path("apiKey"));
            let here = entry.map(|at| format!("{at}.litellm_params.api_key"));
            self.source_at(s, &var, &path("apiKey"), here.as_deref())
        });
        if api_key.is_some() || !group.credentials.is_empty() {
            return api_key;
        }
        let Some(ty) = group.provider_type.as_deref() else {
            self.warn(
                &path("apiKey"),
                "no api_key, and no type: LiteLLM reads the key of whichever provider serves from that provider's own variable (OPENAI_API_KEY, ANTHROPIC_API_KEY, ...), which the pod has only if the spec gives it (deployment.secretEnv, or apiKey: {env: NAME} here)".into(),
            );
            return None;
        };
        if let Some(var) = catalog().env_fallback(ty, "api_key") {
            self.warn(
                &path("apiKey"),
                format!("the config gives provider type \"{ty}\" no api_key, so LiteLLM reads ${var}: the spec now says so, apiKey: {{env: {var}}}; export {var} before rendering"),
            );
            self.claim(&format!("{prefix}_API_KEY"), &path("apiKey"));
            api_key = Some(SourceOut::Env(var.into()));
        }
        api_key
    }

    /// A model, the credentials nested in its params and info moved to variables named
    /// after the provider and the place (`OPENAI_EXTRA_HEADERS_AUTHORIZATION`).
    pub(super) fn model_out(
        &mut self,
        m: ModelIn,
        provider: String,
        id: Option<String>,
    ) -> ModelOut {
        let prefix = env_prefix(&provider);
        let mut walk = |section: &str, stem: String, map: &BTreeMap<String, Value>| {
            let spot = Spot::new(format!("{}.{section}", m.at), stem, true);
            let all = Value::Object(map.clone().into_iter().collect());
            match self.keep(&spot, &all, false) {
                Value::Object(kept) => kept.into_iter().collect(),
                _ => BTreeMap::new(),
            }
        };
        let params = walk("litellm_params", prefix.clone(), &m.params);
        let info = walk("model_info", format!("{prefix}_MODEL_INFO"), &m.info);
        let mut entry_limits = (m.entry_limits.rpm.is_some() || m.entry_limits.tpm.is_some())
            .then_some(m.entry_limits);
        if self.database && entry_limits.take().is_some() {
            self.warn(
                &m.at,
                "rpm/tpm beside litellm_params: not imported: with a database the models are rows, which keep litellm_params and model_info only, so LiteLLM would never see them; give them as the model's limits (litellm_params) if LiteLLM should check them before each call".into(),
            );
        }

        ModelOut {
            name: m.name,
            provider,
            model: m.upstream,
            id,
            limits: (m.limits.rpm.is_some() || m.limits.tpm.is_some()).then_some(m.limits),
            entry_limits,
            timeout: m.timeout,
            drop_params: m.drop_params,
            params,
            info,
        }
    }
}

/// The env var prefix of a provider, as `resolve` makes it: `azure-eu` => `AZURE_EU`.
pub(super) fn env_prefix(provider: &str) -> String {
    provider.to_ascii_uppercase().replace('-', "_")
}

/// The name of a provider whose type the environment gives.
const UNTYPED_PROVIDER: &str = "upstream";
/// The name of the bare `*` route's provider, which each request names.
const ANY_PROVIDER: &str = "any";

/// Readable, unique provider names: the type (`openai`, `azure`...), then `-2`, `-3`.
pub(super) fn provider_names(groups: &[Group]) -> Vec<String> {
    let mut used = BTreeSet::new();
    groups
        .iter()
        .map(|g| {
            let base: String = g
                .provider_type
                .as_deref()
                .unwrap_or(if g.any {
                    ANY_PROVIDER
                } else {
                    UNTYPED_PROVIDER
                })
                .chars()
                .map(|c| {
                    if c.is_ascii_alphanumeric() {
                        c.to_ascii_lowercase()
                    } else {
                        '-'
                    }
                })
                .collect();
            let mut name = base.clone();
            let mut n = 1;
            while !used.insert(name.clone()) {
                n += 1;
                name = format!("{base}-{n}");
            }
            name
        })
        .collect()
}
