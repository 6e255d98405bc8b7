//! `models:` resolved: each model's provider merged in, its LiteLLM model string, id, and
//! the env vars its keys come from.

use crate::diagnostics::{Code, Diagnostic};
use serde_json::Value;

use crate::names::CUSTOM_LLM_PROVIDER;
use crate::spec::{self, Gateway};

use super::secret_env::ProviderEnv;
use super::{ResolvedModel, model_id};

/// Every model in spec order; a model naming no provider is refused (validate says more).
pub(super) fn resolve_models(
    spec: &Gateway,
    env: &ProviderEnv,
) -> Result<Vec<ResolvedModel>, Vec<Diagnostic>> {
    spec.models
        .iter()
        .enumerate()
        .map(|(i, m)| resolve_model(spec, env, i, m))
        .collect()
}

fn resolve_model(
    spec: &Gateway,
    env: &ProviderEnv,
    i: usize,
    m: &spec::Model,
) -> Result<ResolvedModel, Vec<Diagnostic>> {
    // `validate` reports this with a suggestion; resolve only refuses to go on.
    let provider = spec.providers.get(&m.provider).ok_or_else(|| {
        vec![Diagnostic::error(
            Code::E012,
            format!("models[{i}].provider"),
            format!("unknown provider \"{}\"", m.provider),
        )]
    })?;
    let mut params = provider.params.clone();
    params.extend(m.params.clone());
    // A model string from the environment cannot carry the type as its prefix: LiteLLM
    // takes it from custom_llm_provider (and reads `<type>/<id>` there the same).
    let litellm_model = match (&provider.provider_type, &m.model) {
        (Some(ty), spec::ValueOrEnv::Value(id)) => format!("{ty}/{id}"),
        (Some(ty), env @ spec::ValueOrEnv::Env(_)) => {
            params.insert(CUSTOM_LLM_PROVIDER.into(), Value::String(ty.clone()));
            env.to_config()
        }
        (None, model) => model.to_config(),
    };
    Ok(ResolvedModel {
        name: m.name.clone(),
        id: model_id(m),
        litellm_model,
        api_base: provider.api_base.as_ref().map(spec::ValueOrEnv::to_config),
        api_version: provider
            .api_version
            .as_ref()
            .map(spec::ValueOrEnv::to_config),
        api_key_env: env.api_key.get(&m.provider).cloned(),
        params,
        credential_env: env
            .credentials
            .get(&m.provider)
            .cloned()
            .unwrap_or_default(),
        rpm: m.limits.and_then(|l| l.rpm),
        tpm: m.limits.and_then(|l| l.tpm),
        entry_limits: m.entry_limits,
        timeout: m.timeout,
        drop_params: m.drop_params.clone(),
        info: m.info.clone(),
    })
}
