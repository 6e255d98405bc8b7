//! Spec + secret sources -> `Resolved`: names, env vars, model ids, secret data and its
//! checksum. Every decision lives here; reading env vars and files happens here, once.

mod checksums;
mod environment;
mod models;
mod runtime;
mod secret_env;
mod secrets;

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use serde_json::Value;

use crate::diagnostics::Diagnostic;
use crate::spec::{self, Gateway, IntOrPercent};

use crate::defaults::{DEFAULTS, termination_grace_period};
use crate::names::{DATABASE_URL_ENV, MASTER_KEY_ENV, REDIS_PASSWORD_ENV, SALT_KEY_ENV, model_id};
pub use checksums::{secret_checksum, sha256_hex};
pub use environment::{
    ALLOW_ENV, EnvAccess, EnvDenied, Environment, LoadRestrictor, Placeholders, ProcessEnvironment,
};

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
    /// `litellm_params.model`: `<type>/<model>`, or `os.environ/NAME` (the type, if any, then
    /// in `params` as `custom_llm_provider`).
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
    /// `rpm`/`tpm` on the entry itself (`entryLimits`).
    pub entry_limits: Option<spec::Limits>,
    pub timeout: Option<u32>,
    pub drop_params: Vec<String>,
    pub info: BTreeMap<String, Value>,
}

#[derive(Debug, Clone)]
pub struct ResolvedRedis {
    /// As config.yaml writes it: the host, or `os.environ/NAME`.
    pub host: String,
    pub port: RedisPort,
    pub password_env: Option<String>,
}

/// `router_settings.redis_port`: a number, or `os.environ/NAME` the proxy resolves.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(untagged)]
pub enum RedisPort {
    Number(u16),
    FromEnv(String),
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
}

/// Resolves a spec that passed `validate`. Errors are unreadable sources, env var name
/// collisions and weak master keys; no message carries a secret value.
pub fn resolve(
    spec: &Gateway,
    base_dir: &Path,
    env: &dyn Environment,
) -> Result<Resolved, Vec<Diagnostic>> {
    let secrets = secret_env::collect(spec, base_dir, env)?;
    let models = models::resolve_models(spec, &secrets.providers)?;
    let d = &spec.deployment;
    Ok(Resolved {
        name: spec.metadata.name.clone(),
        namespace: spec.metadata.namespace.clone(),
        labels: spec.metadata.labels.clone(),
        models,
        router: spec.router.clone(),
        settings: spec.settings.clone(),
        passthrough: spec.passthrough.clone(),
        secret_env: secrets.secret_env,
        secret_data: secrets.secret_data,
        database: d.database.is_some(),
        redis: secrets.redis,
        runtime: runtime::runtime(spec),
        secret_store: runtime::secret_store(&d.secrets),
        secret_rotation: d.secrets.rotation.clone(),
    })
}
