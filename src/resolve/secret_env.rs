//! Which container env var carries each secret of the spec, and the plain env vars that
//! may not share their names.

use std::collections::BTreeMap;
use std::path::Path;

use crate::diagnostics::{Code, Diagnostic};
use crate::spec::{self, Gateway};

use super::environment::Environment;
use super::secrets::{SecretCollector, master_key_strength};
use super::{
    DATABASE_URL_ENV, MASTER_KEY_ENV, REDIS_PASSWORD_ENV, RedisPort, ResolvedRedis, SALT_KEY_ENV,
    SecretEnv,
};

/// The env vars each provider's keys and credentials reach the pod through.
#[derive(Debug, Default)]
pub(super) struct ProviderEnv {
    /// Provider name => the env var of its `apiKey`.
    pub api_key: BTreeMap<String, String>,
    /// Provider name => secret `litellm_params` => the env var that holds each.
    pub credentials: BTreeMap<String, BTreeMap<String, String>>,
}

/// Every secret env var of the spec, with the values litegate reads itself.
pub(super) struct CollectedSecrets {
    pub secret_env: Vec<SecretEnv>,
    pub secret_data: BTreeMap<String, Vec<u8>>,
    pub providers: ProviderEnv,
    pub redis: Option<ResolvedRedis>,
}

/// Registers every secret source of the spec in a fixed order, so the first claim of a
/// name is the one messages point back to.
pub(super) fn collect(
    spec: &Gateway,
    base_dir: &Path,
    env: &dyn Environment,
) -> Result<CollectedSecrets, Vec<Diagnostic>> {
    let mut secrets = SecretCollector::new(base_dir, env);
    let d = &spec.deployment;
    if let Some(source) = &d.master_key
        && let Some(value) = secrets.add(MASTER_KEY_ENV.to_owned(), source, "deployment.masterKey")
    {
        master_key_strength(&value, &mut secrets.problems);
    }
    let providers = provider_env(spec, &mut secrets);
    if let Some(db) = &d.database {
        secrets.add(
            DATABASE_URL_ENV.to_owned(),
            &db.url,
            "deployment.database.url",
        );
        if let Some(salt) = &db.salt_key {
            secrets.add(SALT_KEY_ENV.to_owned(), salt, "deployment.database.saltKey");
        }
    }
    let redis = d.redis.as_ref().map(|r| redis(r, &mut secrets));
    for (name, source) in &d.secret_env {
        secrets.add(
            name.clone(),
            source,
            &format!("deployment.secretEnv.{name}"),
        );
    }
    plain_env_collisions(d, &mut secrets);
    let (secret_env, secret_data) = secrets.finish()?;
    Ok(CollectedSecrets {
        secret_env,
        secret_data,
        providers,
        redis,
    })
}

/// `<PREFIX>_API_KEY` and `<PREFIX>_<PARAM>` for each provider's key and credentials.
fn provider_env(spec: &Gateway, secrets: &mut SecretCollector) -> ProviderEnv {
    let mut out = ProviderEnv::default();
    for (name, provider) in &spec.providers {
        let prefix = env_prefix(name);
        if let Some(source) = &provider.api_key {
            let var = format!("{prefix}_API_KEY");
            secrets.add(var.clone(), source, &format!("providers.{name}.apiKey"));
            out.api_key.insert(name.clone(), var);
        }
        for (param, source) in &provider.credentials {
            let var = format!("{prefix}_{}", param.to_ascii_uppercase());
            secrets.add(
                var.clone(),
                source,
                &format!("providers.{name}.credentials.{param}"),
            );
            out.credentials
                .entry(name.clone())
                .or_default()
                .insert(param.clone(), var);
        }
    }
    out
}

fn redis(r: &spec::Redis, secrets: &mut SecretCollector) -> ResolvedRedis {
    ResolvedRedis {
        host: r.host.to_config(),
        port: match &r.port {
            None => RedisPort::Number(6379),
            Some(spec::PortOrEnv::Port(n)) => RedisPort::Number(*n),
            Some(spec::PortOrEnv::Env(e)) => RedisPort::FromEnv(format!("os.environ/{}", e.env)),
        },
        password_env: r.password.as_ref().map(|p| {
            secrets.add(
                REDIS_PASSWORD_ENV.to_owned(),
                p,
                "deployment.redis.password",
            );
            REDIS_PASSWORD_ENV.to_owned()
        }),
    }
}

/// `deployment.env` and `deployment.configEnv` may not name a secret env var, nor each other.
fn plain_env_collisions(d: &spec::Deployment, secrets: &mut SecretCollector) {
    let plain = d
        .env
        .keys()
        .map(|name| (name, format!("deployment.env.{name}")));
    let from_config = d.config_env.keys().map(|name| {
        let at = format!("deployment.configEnv.{name}");
        if d.env.contains_key(name) {
            secrets.problems.push(Diagnostic::error(
                Code::E019,
                &at,
                format!("container env var {name} is already given by deployment.env.{name}"),
            ));
        }
        (name, at)
    });
    for (name, at) in plain.chain(from_config).collect::<Vec<_>>() {
        if let Some(first) = secrets.claimed.get(name) {
            secrets.problems.push(
                Diagnostic::error(
                    Code::E019,
                    at,
                    format!("container env var {name} is already used by {first}"),
                )
                .with_help("a plain env var cannot share a name with a secret one"),
            );
        }
    }
}

/// The env var prefix of a provider: `azure-eu` => `AZURE_EU`.
fn env_prefix(provider: &str) -> String {
    provider.to_ascii_uppercase().replace('-', "_")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn env_prefix_is_shell_safe() {
        assert_eq!(env_prefix("azure-eu"), "AZURE_EU");
    }
}
