//! Resolved -> typed objects. Pure: no I/O here. The order of `Rendered::objects` is the
//! output order, `KINDS`'s.

pub mod deployment;
pub mod external_secret;
pub mod litellm;
pub mod meta;
pub mod objects;

use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::api::autoscaling::v2::HorizontalPodAutoscaler;
use k8s_openapi::api::core::v1::{ConfigMap, Secret, Service, ServiceAccount};
use k8s_openapi::api::networking::v1::NetworkPolicy;
use k8s_openapi::api::policy::v1::PodDisruptionBudget;

use crate::diagnostics::Diagnostic;
use crate::resolve::{Resolved, sha256_hex};
use crate::{Error, text, yaml};

pub use deployment::RolloutTriggers;

/// One emitted Kubernetes object.
#[derive(Debug, Clone, PartialEq)]
pub enum Object {
    ConfigMap(ConfigMap),
    Secret(Secret),
    ExternalSecret(Box<external_secret::ExternalSecret>),
    ServiceAccount(ServiceAccount),
    Service(Service),
    Deployment(Box<Deployment>),
    PodDisruptionBudget(PodDisruptionBudget),
    HorizontalPodAutoscaler(HorizontalPodAutoscaler),
    NetworkPolicy(NetworkPolicy),
}

/// Every kind litegate may emit, in output order, with its file in `render -o DIR`:
/// the one list `plan` and the directory reader go by.
pub const KINDS: [(&str, &str); 9] = [
    ("ConfigMap", "configmap.yaml"),
    ("Secret", "secret.yaml"),
    ("ExternalSecret", "externalsecret.yaml"),
    ("ServiceAccount", "serviceaccount.yaml"),
    ("Service", "service.yaml"),
    ("Deployment", "deployment.yaml"),
    ("PodDisruptionBudget", "poddisruptionbudget.yaml"),
    ("HorizontalPodAutoscaler", "horizontalpodautoscaler.yaml"),
    ("NetworkPolicy", "networkpolicy.yaml"),
];

impl Object {
    pub fn kind(&self) -> &'static str {
        match self {
            Object::ConfigMap(_) => "ConfigMap",
            Object::Secret(_) => "Secret",
            Object::ExternalSecret(_) => "ExternalSecret",
            Object::ServiceAccount(_) => "ServiceAccount",
            Object::Service(_) => "Service",
            Object::Deployment(_) => "Deployment",
            Object::PodDisruptionBudget(_) => "PodDisruptionBudget",
            Object::HorizontalPodAutoscaler(_) => "HorizontalPodAutoscaler",
            Object::NetworkPolicy(_) => "NetworkPolicy",
        }
    }

    /// The object's file in `render -o DIR`.
    pub fn file_name(&self) -> &'static str {
        let kind = self.kind();
        KINDS
            .iter()
            .find(|(k, _)| *k == kind)
            .map_or("object.yaml", |(_, file)| file)
    }

    /// Kind, name and namespace: what identifies the object in a cluster.
    pub fn key(&self) -> (&'static str, &str, Option<&str>) {
        let metadata = match self {
            Object::ConfigMap(o) => &o.metadata,
            Object::Secret(o) => &o.metadata,
            Object::ExternalSecret(o) => &o.metadata,
            Object::ServiceAccount(o) => &o.metadata,
            Object::Service(o) => &o.metadata,
            Object::Deployment(o) => &o.metadata,
            Object::PodDisruptionBudget(o) => &o.metadata,
            Object::HorizontalPodAutoscaler(o) => &o.metadata,
            Object::NetworkPolicy(o) => &o.metadata,
        };
        (
            self.kind(),
            metadata.name.as_deref().unwrap_or_default(),
            metadata.namespace.as_deref(),
        )
    }

    /// Canonical YAML: `apiVersion`, `kind`, `metadata` first, every other map sorted.
    pub fn to_yaml(&self) -> Result<String, Error> {
        match self {
            Object::ConfigMap(o) => yaml::manifest(o),
            Object::Secret(o) => yaml::manifest(o),
            Object::ExternalSecret(o) => yaml::manifest(o),
            Object::ServiceAccount(o) => yaml::manifest(o),
            Object::Service(o) => yaml::manifest(o),
            Object::Deployment(o) => yaml::manifest(o),
            Object::PodDisruptionBudget(o) => yaml::manifest(o),
            Object::HorizontalPodAutoscaler(o) => yaml::manifest(o),
            Object::NetworkPolicy(o) => yaml::manifest(o),
        }
    }
}

/// Everything a spec compiles to.
#[derive(Debug, Clone)]
pub struct Rendered {
    /// LiteLLM's config.yaml, exactly as it stands in the ConfigMap.
    pub config_yaml: String,
    pub objects: Vec<Object>,
    pub triggers: RolloutTriggers,
    /// How many model deployments config.yaml lists.
    pub models: usize,
    /// What the checks on the output need (compile applies them; no object is written
    /// when one fails).
    pub facts: OutputFacts,
}

/// Facts about a render that only the render knows, for the rules over the output.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OutputFacts {
    /// Bytes of the Secret's data (keys and values), against the 1 MiB object limit.
    pub secret_bytes: usize,
    /// `os.environ/NAME` references in config.yaml that the container does not provide,
    /// as (where in config.yaml, NAME). LiteLLM turns an unset one into null, which for
    /// `api_base` silently sends traffic to a public default host.
    pub unprovided_env: Vec<(String, String)>,
}

impl Rendered {
    pub fn deployment(&self) -> Option<&Deployment> {
        self.objects.iter().find_map(|o| match o {
            Object::Deployment(d) => Some(d.as_ref()),
            _ => None,
        })
    }
}

/// Hex sha256 of the settings sections of config.yaml (all but `model_list`), as compact JSON.
fn settings_checksum(config: &litellm::LiteLlmConfig) -> String {
    // Serializing typed structs of strings, numbers and maps to JSON cannot fail.
    sha256_hex(&serde_json::to_vec(&config.settings()).unwrap_or_default())
}

/// The objects of a resolved spec. Fails only on a bug (a value that cannot serialize, a
/// template that cannot render); what the output must satisfy is in `facts`, for
/// `compile` to check.
pub fn render(r: &Resolved) -> Result<Rendered, Error> {
    let mut config = litellm::config(r);
    litellm::stamp(&mut config, r.database);
    let (config_text, env_refs) = yaml::to_string_noting(&config, "config.yaml", ENV_REF)?;
    let facts = OutputFacts {
        secret_bytes: r.secret_data.iter().map(|(k, v)| k.len() + v.len()).sum(),
        unprovided_env: unprovided_env(r, &config, &env_refs),
    };
    let config_yaml = format!("{}{config_text}", text::CONFIG_HEADER);
    let triggers = RolloutTriggers {
        secret: r.secret_checksum(),
        config: (!r.database).then(|| sha256_hex(config_yaml.as_bytes())),
        // With a database, models change live, but settings are still read only at start.
        settings: r.database.then(|| settings_checksum(&config)),
    };
    let mut objects = vec![Object::ConfigMap(objects::config_map(r, &config_yaml))];
    objects.extend(objects::secret(r).map(Object::Secret));
    objects
        .extend(external_secret::external_secret(r).map(|e| Object::ExternalSecret(Box::new(e))));
    objects.extend(objects::service_account(r).map(Object::ServiceAccount));
    objects.push(Object::Service(objects::service(r)));
    let as_data = |d: Box<Diagnostic>| Error::Invalid(vec![*d]);
    objects.push(Object::Deployment(Box::new(
        deployment::deployment(r, &triggers).map_err(as_data)?,
    )));
    objects.push(Object::PodDisruptionBudget(objects::pod_disruption_budget(
        r,
    )));
    objects.extend(objects::horizontal_pod_autoscaler(r).map(Object::HorizontalPodAutoscaler));
    objects.extend(
        objects::network_policy(r)
            .map_err(as_data)?
            .map(Object::NetworkPolicy),
    );
    Ok(Rendered {
        models: config.model_list.len(),
        config_yaml,
        objects,
        triggers,
        facts,
    })
}

/// How a string in config.yaml refers to the container's env: `os.environ/NAME`.
const ENV_REF: &str = "os.environ/";

/// Every `os.environ/NAME` in config.yaml that the container's env lacks. `env_refs` are
/// the strings of config.yaml that start with `os.environ/`, noted as it was written.
fn unprovided_env(
    r: &Resolved,
    config: &litellm::LiteLlmConfig,
    env_refs: &[String],
) -> Vec<(String, String)> {
    let provided: std::collections::BTreeSet<&str> = r
        .secret_env
        .iter()
        .map(|e| e.name.as_str())
        .chain(r.runtime.env.keys().map(String::as_str))
        .chain(r.runtime.config_env.keys().map(String::as_str))
        .collect();
    // Naming each reference builds the whole config again as a tree: only when one lacks.
    let provided_name = |s: &String| {
        s.strip_prefix(ENV_REF)
            .is_some_and(|n| provided.contains(n))
    };
    if env_refs.iter().all(provided_name) {
        return Vec::new();
    }
    litellm::env_references(config)
        .into_iter()
        .filter(|(_, name)| !provided.contains(name.as_str()))
        .collect()
}
