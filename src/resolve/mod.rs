//! Spec + secret sources -> `Resolved`: names, env vars, model ids, secret data and its
//! checksum. Every decision lives here; reading env vars and files happens here, once.

mod environment;

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use base64::Engine;
use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::diagnostics::{Code, Diagnostic};
use crate::input::ReadError;
use crate::spec::{self, Gateway, IntOrPercent, SecretSource};

// Read through resolve by import and render::litellm until they name `defaults` and `names`.
pub use crate::defaults::{
    DEFAULTS, Defaults, MIN_CPU_PER_SUPERVISED_WORKER, longest_timeout, measured_memory_mib,
    termination_grace_period,
};
pub use crate::names::{
    DATABASE_URL_ENV, MASTER_KEY_ENV, REDIS_PASSWORD_ENV, SALT_KEY_ENV, model_id,
};
pub use environment::{
    ALLOW_ENV, EnvAccess, EnvDenied, Environment, LoadRestrictor, Placeholders, ProcessEnvironment,
};

/// Shortest master key accepted: `sk-` and 32 random characters.
const MIN_MASTER_KEY_LEN: usize = 3 + 32;

/// The spec with every decision made.
#[derive(Debug, Clone)]
pub struct Resolved {
    pub name: String,
    pub namespace: Option<String>,
    /// The user's `metadata.labels`, added to every object's metadata (not to the pod template).
    pub labels: BTreeMap<String, String>,
    pub models: Vec<ResolvedModel>,
    pub router: spec::Router,
    pub settings: spec::Settings,
    pub passthrough: spec::Passthrough,
    /// Every container env var that carries a secret, sorted by name.
    pub secret_env: Vec<SecretEnv>,
    /// The values of the `OwnSecret` env vars: the data of `<name>-secrets`.
    pub secret_data: BTreeMap<String, Vec<u8>>,
    pub database: bool,
    pub redis: Option<ResolvedRedis>,
    pub runtime: Runtime,
    /// The store `remote` sources come from, in `external-secrets` mode.
    pub secret_store: Option<SecretStore>,
    /// `deployment.secrets.rotation`: a token whose change rolls the pods.
    pub secret_rotation: Option<String>,
}

/// One container env var holding a secret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SecretEnv {
    pub name: String,
    pub source: EnvSource,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EnvSource {
    /// A key of the Secret litegate emits (`<name>-secrets`), consumed through `envFrom`.
    OwnSecret,
    /// A key of a Secret managed elsewhere.
    SecretKeyRef { name: String, key: String },
    /// A key of `<name>-secrets` that External Secrets Operator fills from a store.
    Remote(spec::RemoteRef),
}

/// What External Secrets Operator needs to make `<name>-secrets`.
#[derive(Debug, Clone)]
pub struct SecretStore {
    pub name: String,
    pub kind: String,
    pub refresh_interval: String,
}

#[derive(Debug, Clone)]
pub struct ResolvedModel {
    pub name: String,
    pub id: String,
    /// `litellm_params.model`: `<type>/<model>`.
    pub litellm_model: String,
    pub api_base: Option<String>,
    pub api_version: Option<String>,
    pub api_key_env: Option<String>,
    /// Provider params, then the model's own (which win).
    pub params: BTreeMap<String, Value>,
    /// Secret `litellm_params` => the env var that holds each.
    pub credential_env: BTreeMap<String, String>,
    pub rpm: Option<u64>,
    pub tpm: Option<u64>,
    pub timeout: Option<u32>,
    pub drop_params: Vec<String>,
    pub info: BTreeMap<String, Value>,
}

#[derive(Debug, Clone)]
pub struct ResolvedRedis {
    pub host: String,
    pub port: u16,
    pub password_env: Option<String>,
}

/// What a PodDisruptionBudget keeps: a floor the spec asked for, or by default a
/// ceiling on pods down at once, which stays safe however many pods an HPA runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Disruption {
    MinAvailable(u32),
    MaxUnavailable(u32),
}

/// How the pods run: every `deployment:` option with its default applied.
#[derive(Debug, Clone)]
pub struct Runtime {
    pub image: String,
    /// `None` with autoscaling: the HPA owns the count.
    pub replicas: Option<u32>,
    pub port: u16,
    pub resources: spec::Resources,
    pub max_surge: IntOrPercent,
    pub max_unavailable: IntOrPercent,
    /// The PodDisruptionBudget's rule.
    pub disruption: Disruption,
    pub autoscaling: Option<spec::Autoscaling>,
    pub termination_grace_period_seconds: u32,
    pub pre_stop_sleep_seconds: u32,
    pub workers: Option<u32>,
    pub pod_labels: BTreeMap<String, String>,
    pub pod_annotations: BTreeMap<String, String>,
    pub node_selector: BTreeMap<String, String>,
    pub tolerations: Vec<spec::Toleration>,
    pub affinity: Option<Value>,
    pub service_account_name: Option<String>,
    /// Set when litegate emits the ServiceAccount (`deployment.serviceAccount`): its annotations.
    pub service_account_annotations: Option<BTreeMap<String, String>>,
    /// Plain env vars on the container.
    pub env: BTreeMap<String, String>,
    /// Env vars from ConfigMap keys managed elsewhere.
    pub config_env: BTreeMap<String, spec::ConfigMapKey>,
    /// Merge patches over the default pod and container security contexts.
    pub pod_security_context: Option<Value>,
    pub security_context: Option<Value>,
    /// `deployment.networkPolicy.from`: the peers admitted, when a policy is wanted.
    pub network_policy_from: Option<Vec<Value>>,
    /// Whether objects carry `checkov.io/skipN` annotations.
    pub policy_annotations: bool,
}

impl Resolved {
    pub fn secret_name(&self) -> String {
        format!("{}-secrets", self.name)
    }

    /// `<name>-config`, fixed, not content-hashed (weighed for issue 19): a hashed name, as kustomize's
    /// generators make, would let `kubectl rollout undo` bring the old config back, but it
    /// puts the config's hash in the pod template, so with a database every model edit
    /// would roll every pod, breaking the rollout rule that makes such edits live. Without
    /// a database `checksum/config` already rolls on each edit; undo there is re-applying
    /// the previous commit's render (GitOps), which also restores the ConfigMap.
    pub fn config_map_name(&self) -> String {
        format!("{}-config", self.name)
    }

    /// Secrets whose values litegate never sees, which the pods read: rotation must roll
    /// the pods (Reloader). `<name>-secrets` is among them when ESO fills it.
    pub fn external_secret_names(&self) -> BTreeSet<String> {
        self.secret_env
            .iter()
            .filter_map(|e| match &e.source {
                EnvSource::SecretKeyRef { name, .. } => Some(name.clone()),
                EnvSource::Remote(_) => Some(self.secret_name()),
                EnvSource::OwnSecret => None,
            })
            .collect()
    }

    /// The keys External Secrets Operator puts in `<name>-secrets`, by env var.
    pub fn remote_refs(&self) -> Vec<(&str, &spec::RemoteRef)> {
        self.secret_env
            .iter()
            .filter_map(|e| match &e.source {
                EnvSource::Remote(r) => Some((e.name.as_str(), r)),
                _ => None,
            })
            .collect()
    }

    /// Whether the container reads `<name>-secrets` (litegate's, or the one ESO makes).
    pub fn reads_own_secret(&self) -> bool {
        !self.secret_data.is_empty() || !self.remote_refs().is_empty()
    }

    /// `checksum/secret-sources`: over the remote keys ESO fetches and the rotation token,
    /// so pointing at another remote key, or bumping `deployment.secrets.rotation`, rolls
    /// the pods (a `secretRef` change is in the pod template already); `None` without either.
    pub fn secret_sources_checksum(&self) -> Option<String> {
        let mut lines: Vec<String> = self
            .secret_env
            .iter()
            .filter_map(|e| match &e.source {
                EnvSource::Remote(r) => Some(format!(
                    "{}=remote:{}/{}/{}",
                    e.name,
                    r.key,
                    r.property.as_deref().unwrap_or(""),
                    r.version.as_deref().unwrap_or("")
                )),
                EnvSource::OwnSecret | EnvSource::SecretKeyRef { .. } => None,
            })
            .collect();
        if lines.is_empty() && self.secret_rotation.is_none() {
            return None;
        }
        if let Some(token) = &self.secret_rotation {
            lines.push(format!("rotation={token}"));
        }
        Some(sha256_hex(lines.join("\n").as_bytes()))
    }

    /// `checksum/secret`; `None` when litegate emits no Secret.
    pub fn secret_checksum(&self) -> Option<String> {
        (!self.secret_data.is_empty()).then(|| secret_checksum(&self.secret_data))
    }
}

/// Hex sha256 over the Secret's data in this encoding: for each key in byte order, the line
/// `KEY=BASE64(VALUE)\n`, BASE64 being the standard padded alphabet, as in the Secret's `data`.
/// Keys are env var names (no `=`, no newline) and base64 has neither, so it is unambiguous.
pub fn secret_checksum(data: &BTreeMap<String, Vec<u8>>) -> String {
    let mut hasher = Sha256::new();
    for (key, value) in data {
        hasher.update(key.as_bytes());
        hasher.update(b"=");
        hasher.update(
            base64::engine::general_purpose::STANDARD
                .encode(value)
                .as_bytes(),
        );
        hasher.update(b"\n");
    }
    hex(&hasher.finalize())
}

/// Hex sha256 of bytes: `checksum/config` is this over config.yaml.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The env var prefix of a provider: `azure-eu` => `AZURE_EU`.
fn env_prefix(provider: &str) -> String {
    provider.to_ascii_uppercase().replace('-', "_")
}

/// Resolves a spec that passed `validate`. Errors are unreadable sources, env var name
/// collisions and weak master keys; no message carries a secret value.
pub fn resolve(
    spec: &Gateway,
    base_dir: &Path,
    env: &dyn Environment,
) -> Result<Resolved, Vec<Diagnostic>> {
    let mut secrets = SecretCollector::new(base_dir, env);
    let d = &spec.deployment;
    if let Some(source) = &d.master_key
        && let Some(value) = secrets.add(MASTER_KEY_ENV.to_owned(), source, "deployment.masterKey")
    {
        master_key_strength(&value, &mut secrets.problems);
    }
    let mut api_key_env = BTreeMap::new();
    let mut credential_env: BTreeMap<&str, BTreeMap<String, String>> = BTreeMap::new();
    for (name, provider) in &spec.providers {
        let prefix = env_prefix(name);
        if let Some(source) = &provider.api_key {
            let var = format!("{prefix}_API_KEY");
            secrets.add(var.clone(), source, &format!("providers.{name}.apiKey"));
            api_key_env.insert(name.as_str(), var);
        }
        for (param, source) in &provider.credentials {
            let var = format!("{prefix}_{}", param.to_ascii_uppercase());
            secrets.add(
                var.clone(),
                source,
                &format!("providers.{name}.credentials.{param}"),
            );
            credential_env
                .entry(name)
                .or_default()
                .insert(param.clone(), var);
        }
    }
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
    let redis = d.redis.as_ref().map(|r| ResolvedRedis {
        host: r.host.clone(),
        port: r.port.unwrap_or(6379),
        password_env: r.password.as_ref().map(|p| {
            secrets.add(
                REDIS_PASSWORD_ENV.to_owned(),
                p,
                "deployment.redis.password",
            );
            REDIS_PASSWORD_ENV.to_owned()
        }),
    });
    for (name, source) in &d.secret_env {
        secrets.add(
            name.clone(),
            source,
            &format!("deployment.secretEnv.{name}"),
        );
    }
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
    let (secret_env, secret_data) = secrets.finish()?;

    let models = spec
        .models
        .iter()
        .enumerate()
        .map(|(i, m)| {
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
            Ok(ResolvedModel {
                name: m.name.clone(),
                id: model_id(m),
                litellm_model: format!("{}/{}", provider.provider_type, m.model),
                api_base: provider.api_base.as_ref().map(spec::ValueOrEnv::to_config),
                api_version: provider
                    .api_version
                    .as_ref()
                    .map(spec::ValueOrEnv::to_config),
                api_key_env: api_key_env.get(m.provider.as_str()).cloned(),
                params,
                credential_env: credential_env
                    .get(m.provider.as_str())
                    .cloned()
                    .unwrap_or_default(),
                rpm: m.limits.and_then(|l| l.rpm),
                tpm: m.limits.and_then(|l| l.tpm),
                timeout: m.timeout,
                drop_params: m.drop_params.clone(),
                info: m.info.clone(),
            })
        })
        .collect::<Result<_, Vec<Diagnostic>>>()?;

    Ok(Resolved {
        name: spec.metadata.name.clone(),
        namespace: spec.metadata.namespace.clone(),
        labels: spec.metadata.labels.clone(),
        models,
        router: spec.router.clone(),
        settings: spec.settings.clone(),
        passthrough: spec.passthrough.clone(),
        secret_env,
        secret_data,
        database: d.database.is_some(),
        redis,
        runtime: runtime(spec),
        secret_store: d.secrets.store.as_ref().map(|s| SecretStore {
            name: s.name.clone(),
            kind: s.kind.clone().unwrap_or_else(|| "SecretStore".to_owned()),
            refresh_interval: d
                .secrets
                .refresh_interval
                .clone()
                .unwrap_or_else(|| "1h".to_owned()),
        }),
        secret_rotation: d.secrets.rotation.clone(),
    })
}

fn runtime(spec: &Gateway) -> Runtime {
    let d = &spec.deployment;
    let default_image = if d.database.is_some() {
        DEFAULTS.database_image
    } else {
        DEFAULTS.image
    };
    Runtime {
        image: d.image.clone().unwrap_or_else(|| default_image.to_owned()),
        replicas: match d.autoscaling {
            Some(_) => None,
            None => Some(d.replicas.unwrap_or(DEFAULTS.replicas)),
        },
        port: d.port.unwrap_or(DEFAULTS.port),
        resources: d
            .resources
            .clone()
            .unwrap_or_else(|| default_resources(d.workers.unwrap_or(1))),
        max_surge: d
            .rollout
            .max_surge
            .clone()
            .unwrap_or(IntOrPercent::Int(DEFAULTS.max_surge)),
        max_unavailable: d
            .rollout
            .max_unavailable
            .clone()
            .unwrap_or(IntOrPercent::Int(DEFAULTS.max_unavailable)),
        disruption: match d.disruption_budget.min_available {
            Some(n) => Disruption::MinAvailable(n),
            None => Disruption::MaxUnavailable(DEFAULTS.disruption_max_unavailable),
        },
        autoscaling: d.autoscaling.clone(),
        termination_grace_period_seconds: termination_grace_period(spec),
        pre_stop_sleep_seconds: d
            .pre_stop_sleep_seconds
            .unwrap_or(DEFAULTS.pre_stop_sleep_seconds),
        workers: d.workers,
        pod_labels: d.pod_labels.clone(),
        pod_annotations: d.pod_annotations.clone(),
        node_selector: d.node_selector.clone(),
        tolerations: d.tolerations.clone(),
        affinity: d.affinity.clone(),
        service_account_name: d.service_account_name.clone().or_else(|| {
            d.service_account.as_ref().map(|sa| {
                sa.name
                    .clone()
                    .unwrap_or_else(|| spec.metadata.name.clone())
            })
        }),
        service_account_annotations: d.service_account.as_ref().map(|sa| sa.annotations.clone()),
        env: d.env.clone(),
        config_env: d.config_env.clone(),
        pod_security_context: d.pod_security_context.clone(),
        security_context: d.security_context.clone(),
        network_policy_from: d.network_policy.as_ref().map(|n| n.from.clone()),
        policy_annotations: d.policy_annotations.unwrap_or(true),
    }
}

/// Measured on LiteLLM: about 330 MiB idle per process (one per worker, plus a supervisor
/// that loads the app too once there are two or more) and up to 180 MiB more per worker
/// under 200 concurrent streams: one worker fits 512Mi/1Gi; N workers get (N+1) x 384Mi
/// requested and twice that as the limit; a quarter CPU for one worker, half a CPU each from
/// two (uvicorn's supervisor kills a worker that does not answer its ping in 5 s: at a
/// quarter CPU each, two workers were killed while importing LiteLLM, again and again).
fn default_resources(workers: u32) -> spec::Resources {
    let map = |pairs: &[(&str, String)]| {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.clone()))
            .collect()
    };
    if workers <= 1 {
        return spec::Resources {
            requests: map(&[("cpu", "250m".into()), ("memory", "512Mi".into())]),
            limits: map(&[("cpu", "2".into()), ("memory", "1Gi".into())]),
        };
    }
    let processes = workers + 1;
    spec::Resources {
        requests: map(&[
            (
                "cpu",
                format!("{}m", MIN_CPU_PER_SUPERVISED_WORKER * workers),
            ),
            ("memory", format!("{}Mi", 384 * processes)),
        ]),
        limits: map(&[
            ("cpu", workers.max(2).to_string()),
            ("memory", format!("{}Mi", 768 * processes)),
        ]),
    }
}

/// LiteLLM exits on `sk-1234` and refuses keys without `sk-`; short keys are guessable.
fn master_key_strength(value: &[u8], problems: &mut Vec<Diagnostic>) {
    let path = "deployment.masterKey";
    let problem = if !value.starts_with(b"sk-") {
        Some("the master key must start with \"sk-\"")
    } else if value == b"sk-1234" {
        Some("the master key is LiteLLM's documented example key, which the proxy refuses")
    } else if value.len() < MIN_MASTER_KEY_LEN {
        Some("the master key is too short: use \"sk-\" and at least 32 random characters")
    } else {
        None
    };
    if let Some(message) = problem {
        problems.push(
            Diagnostic::error(Code::E021, path, message)
                .with_help("generate one with: echo \"sk-$(openssl rand -hex 24)\""),
        );
    }
}

/// The directory `file:` sources are read from, as messages name it.
fn root_name(dir: &Path) -> String {
    if dir == Path::new(".") {
        "the spec's directory".to_owned()
    } else {
        dir.display().to_string()
    }
}

/// The container's secret env vars, and the values of the inline ones.
type SecretEnvAndData = (Vec<SecretEnv>, BTreeMap<String, Vec<u8>>);

/// Gathers secret env vars, reading inline values and catching collisions.
struct SecretCollector<'a> {
    base_dir: &'a Path,
    env: &'a dyn Environment,
    /// Env var name => the spec path that claimed it first.
    claimed: BTreeMap<String, String>,
    secret_env: Vec<SecretEnv>,
    data: BTreeMap<String, Vec<u8>>,
    problems: Vec<Diagnostic>,
}

impl<'a> SecretCollector<'a> {
    fn new(base_dir: &'a Path, env: &'a dyn Environment) -> Self {
        Self {
            base_dir,
            env,
            claimed: BTreeMap::new(),
            secret_env: Vec::new(),
            data: BTreeMap::new(),
            problems: Vec::new(),
        }
    }

    /// Registers `var` as fed by `source`; returns the value when it was read here.
    fn add(&mut self, var: String, source: &SecretSource, path: &str) -> Option<Vec<u8>> {
        if let Some(first) = self.claimed.get(&var) {
            self.problems.push(
                Diagnostic::error(
                    Code::E019,
                    path,
                    format!("container env var {var} is already used by {first}"),
                )
                .with_help("rename one of the providers or credentials"),
            );
            return None;
        }
        self.claimed.insert(var.clone(), path.to_owned());
        let (source, value) = match source {
            SecretSource::SecretRef(r) => (
                EnvSource::SecretKeyRef {
                    name: r.name.clone(),
                    key: r.key.clone(),
                },
                None,
            ),
            SecretSource::Remote(r) => (EnvSource::Remote(r.clone()), None),
            SecretSource::Env(name) => (EnvSource::OwnSecret, self.read_env(name, path)),
            SecretSource::File(file) => (EnvSource::OwnSecret, self.read_file(file, path)),
        };
        self.secret_env.push(SecretEnv {
            name: var.clone(),
            source,
        });
        if let Some(v) = &value {
            self.data.insert(var, v.clone());
        }
        value
    }

    fn read_env(&mut self, name: &str, path: &str) -> Option<Vec<u8>> {
        let problem = match self.env.var(name) {
            Ok(Some(v)) if !v.is_empty() => return Some(v),
            Ok(Some(_)) => Diagnostic::error(
                Code::E015,
                format!("{path}.env"),
                format!("environment variable {name} is empty"),
            ),
            Ok(None) => Diagnostic::error(
                Code::E015,
                format!("{path}.env"),
                format!("environment variable {name} is not set"),
            )
            .with_help(format!(
                "export {name} before rendering, or use a file or secretRef source"
            )),
            Err(EnvDenied { mode }) => Diagnostic::error(
                Code::E033,
                format!("{path}.env"),
                format!(
                    "environment variable {name} may not be read: in {mode} mode litegate reads \
                     only the variables the operator lists in {ALLOW_ENV}"
                ),
            )
            .with_help(format!(
                "whoever runs the build allows it with {ALLOW_ENV}={name} (names or PREFIX_*, \
                 comma-separated), or the spec uses a secretRef source"
            )),
        };
        self.problems.push(problem);
        None
    }

    fn read_file(&mut self, file: &str, path: &str) -> Option<Vec<u8>> {
        let at = format!("{path}.file");
        match self.env.read_file(self.base_dir, file) {
            Err(ReadError::OutsideRoot) => {
                self.problems.push(
                    Diagnostic::error(
                        Code::E033,
                        at,
                        format!(
                            "{file} is outside {}: secret files are read only in or below it",
                            root_name(self.base_dir)
                        ),
                    )
                    .with_help(
                        "move the file next to the spec; on your own machine, \
                         --load-restrictor LoadRestrictionsNone lifts the rule",
                    ),
                );
                None
            }
            // The reasons name no byte of the file.
            Err(e) => {
                self.problems.push(Diagnostic::error(
                    Code::E015,
                    at,
                    format!("cannot read {}: {e}", self.base_dir.join(file).display()),
                ));
                None
            }
            Ok(mut bytes) => {
                if bytes.ends_with(b"\n") {
                    bytes.pop();
                    if bytes.ends_with(b"\r") {
                        bytes.pop();
                    }
                }
                if bytes.is_empty() {
                    self.problems.push(Diagnostic::error(
                        Code::E015,
                        at,
                        format!("{} is empty", self.base_dir.join(file).display()),
                    ));
                    return None;
                }
                Some(bytes)
            }
        }
    }

    fn finish(mut self) -> Result<SecretEnvAndData, Vec<Diagnostic>> {
        if !self.problems.is_empty() {
            return Err(self.problems);
        }
        self.secret_env.sort_by(|a, b| a.name.cmp(&b.name));
        Ok((self.secret_env, self.data))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secret_checksum_matches_the_documented_shell_recipe() {
        // Computed outside Rust: printf 'A=eA==\nB=eXk=\n' | sha256sum
        let data = BTreeMap::from([
            ("B".to_owned(), b"yy".to_vec()),
            ("A".to_owned(), b"x".to_vec()),
        ]);
        assert_eq!(
            secret_checksum(&data),
            "48363b364c2b4713ad617c619dc72c8278394f9e2ebaba64197cddb41ed36b07"
        );
    }

    #[test]
    fn env_prefix_is_shell_safe() {
        assert_eq!(env_prefix("azure-eu"), "AZURE_EU");
    }
}
