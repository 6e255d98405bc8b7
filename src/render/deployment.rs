//! Resolved -> the Deployment: highly available, hardened, and carrying the rollout rule's
//! checksums on its pod template.

use std::collections::BTreeMap;

use k8s_openapi::api::apps::v1::{
    Deployment, DeploymentSpec, DeploymentStrategy, RollingUpdateDeployment,
};
use k8s_openapi::api::core::v1::{
    ConfigMapVolumeSource, Container, ContainerPort, EmptyDirVolumeSource, EnvFromSource, EnvVar,
    EnvVarSource, HTTPGetAction, Lifecycle, LifecycleHandler, PodSpec, PodTemplateSpec, Probe,
    ResourceRequirements, SecretEnvSource, SecretKeySelector, SleepAction, Toleration,
    TopologySpreadConstraint, Volume, VolumeMount,
};
use k8s_openapi::apimachinery::pkg::api::resource::Quantity;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;

use super::meta::{
    IMAGE_BY_TAG, NO_NAMESPACE, NO_NETWORK_POLICY, PULL_PINNED_IF_NOT_PRESENT, PolicySkip,
    SECRETS_AS_ENV, label_selector, object_meta, policy_skips, selector_labels,
};
use super::objects::{CONFIG_KEY, to_i32};
use crate::diagnostics::Diagnostic;
use crate::kube_fields::{affinity, container_security_context, pod_security_context};
use crate::names::{
    CONFIG_CHECKSUM, RELOADER_SECRETS, SECRET_CHECKSUM, SECRET_SOURCES_CHECKSUM, SETTINGS_CHECKSUM,
};
use crate::resolve::{EnvSource, Resolved};
use crate::spec::IntOrPercent;

pub const CONTAINER_NAME: &str = "litellm";
pub const CONFIG_DIR: &str = "/etc/litellm";
pub const LIVENESS_PATH: &str = "/health/liveliness";
pub const READINESS_PATH: &str = "/health/readiness";

/// An emptyDir for what LiteLLM writes, since the root file system is read-only
/// (tests/e2e/boot_check.py boots every example so and traces every write).
pub struct WritableDir {
    pub volume: &'static str,
    pub mount_path: &'static str,
}

/// `/tmp`: 1.106.2 will not even `import litellm` without a usable temporary directory.
/// `/var/lib/litellm`: where `LITELLM_NON_ROOT=true` makes LiteLLM copy its admin UI and
/// cache its logo (and, with a database, copy its migrations). The emptyDir is the parent,
/// not `ui/` itself: LiteLLM's copy ends with a chmod of its target, which uid 65534 may
/// not do on a volume's root (EPERM); then 1.80.12 rewrites site-packages (EROFS) instead.
pub const WRITABLE_DIRS: &[WritableDir] = &[
    WritableDir {
        volume: "tmp",
        mount_path: "/tmp",
    },
    WritableDir {
        volume: "litellm-state",
        mount_path: LITELLM_STATE_DIR,
    },
];
const LITELLM_STATE_DIR: &str = "/var/lib/litellm";

/// Tells LiteLLM it runs without root: its writable copies go under /var/lib/litellm.
pub const NON_ROOT_ENV: &str = "LITELLM_NON_ROOT";

/// The env that points LiteLLM into the emptyDir: 1.80.12 hard-codes the UI and assets
/// paths below (`LITELLM_NON_ROOT`), 1.106.2 reads the variables; both agree this way.
/// With a database: LiteLLM copies its migrations to `LITELLM_MIGRATION_DIR` to baseline
/// an existing schema, which it cannot do in site-packages; and `prisma migrate deploy` at
/// start-up caches prisma's CLI and engines under `$HOME/.cache` (HOME is `/` for uid 65534
/// in the image: EROFS, measured). `HOME`, not `PRISMA_BINARY_CACHE_DIR`: an image that
/// bakes its engines names them with that variable, which must keep winning.
fn read_only_root_env(r: &Resolved) -> BTreeMap<String, String> {
    let mut env: BTreeMap<String, String> = [
        (NON_ROOT_ENV, "true".to_owned()),
        ("LITELLM_UI_PATH", format!("{LITELLM_STATE_DIR}/ui")),
        ("LITELLM_ASSETS_PATH", format!("{LITELLM_STATE_DIR}/assets")),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v))
    .collect();
    if r.database {
        env.insert(
            "LITELLM_MIGRATION_DIR".to_owned(),
            format!("{LITELLM_STATE_DIR}/migrations"),
        );
        env.insert("HOME".to_owned(), LITELLM_STATE_DIR.to_owned());
    }
    env
}

/// What rolls the pods, computed by `render::render` and stamped on the pod template.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RolloutTriggers {
    /// `checksum/secret`: over the Secret's data only.
    pub secret: Option<String>,
    /// `checksum/config`: only without a database, where a restart is the one way to apply a model edit.
    pub config: Option<String>,
    /// `checksum/settings`: only with a database, over config.yaml's settings sections, which
    /// the admin API cannot change: a settings edit rolls the pods, a model edit does not.
    pub settings: Option<String>,
}

/// The Deployment, or the located error of a Kubernetes-typed spec field that does not
/// build; `validate` runs the same functions first, so that error is never expected.
pub fn deployment(r: &Resolved, triggers: &RolloutTriggers) -> Result<Deployment, Box<Diagnostic>> {
    let rt = &r.runtime;
    Ok(Deployment {
        metadata: deployment_meta(r),
        spec: Some(DeploymentSpec {
            replicas: rt.replicas.map(to_i32),
            selector: label_selector(r),
            strategy: Some(DeploymentStrategy {
                type_: Some("RollingUpdate".to_owned()),
                rolling_update: Some(RollingUpdateDeployment {
                    max_surge: Some(int_or_percent(&rt.max_surge)),
                    max_unavailable: Some(int_or_percent(&rt.max_unavailable)),
                }),
            }),
            template: PodTemplateSpec {
                metadata: Some(ObjectMeta {
                    labels: Some(pod_labels(r)),
                    annotations: Some(pod_annotations(r, triggers)).filter(|a| !a.is_empty()),
                    ..Default::default()
                }),
                spec: Some(pod_spec(r)?),
            },
            ..Default::default()
        }),
        ..Default::default()
    })
}

/// `IfNotPresent` for a pinned tag or digest: its bytes do not change, and `Always` would
/// make every new pod (a scale-up, a rescheduled pod) wait on the registry, so a registry
/// outage blocks scale-up exactly when it is needed. A floating tag (W001) is pulled
/// `Always`, so a node never serves a stale copy of what the tag now names.
pub fn image_pull_policy(image: &str) -> &'static str {
    if crate::validate::is_floating_image(image) {
        "Always"
    } else {
        "IfNotPresent"
    }
}

/// The Deployment's metadata, with the policy checks it deliberately does not meet.
fn deployment_meta(r: &Resolved) -> ObjectMeta {
    let mut skips: Vec<PolicySkip> = Vec::new();
    if r.namespace.is_none() {
        skips.push(NO_NAMESPACE);
    }
    skips.push(SECRETS_AS_ENV);
    if !r.runtime.image.contains("@sha256:") {
        skips.push(IMAGE_BY_TAG);
    }
    if r.runtime.network_policy_from.is_none() {
        skips.push(NO_NETWORK_POLICY);
    }
    if image_pull_policy(&r.runtime.image) != "Always" {
        skips.push(PULL_PINNED_IF_NOT_PRESENT);
    }
    ObjectMeta {
        annotations: policy_skips(&skips).filter(|_| r.runtime.policy_annotations),
        ..object_meta(r, r.name.clone())
    }
}

fn int_or_percent(v: &IntOrPercent) -> IntOrString {
    match v {
        IntOrPercent::Int(n) => IntOrString::Int(*n),
        IntOrPercent::Percent(p) => IntOrString::String(p.clone()),
    }
}

/// The selector plus `podLabels`; not `metadata.labels`, so relabelling objects rolls nothing.
fn pod_labels(r: &Resolved) -> BTreeMap<String, String> {
    let mut labels = r.runtime.pod_labels.clone();
    labels.extend(selector_labels(&r.name));
    labels
}

fn pod_annotations(r: &Resolved, triggers: &RolloutTriggers) -> BTreeMap<String, String> {
    let mut annotations = r.runtime.pod_annotations.clone();
    if let Some(sum) = &triggers.secret {
        annotations.insert(SECRET_CHECKSUM.to_owned(), sum.clone());
    }
    if let Some(sum) = &triggers.config {
        annotations.insert(CONFIG_CHECKSUM.to_owned(), sum.clone());
    }
    if let Some(sum) = &triggers.settings {
        annotations.insert(SETTINGS_CHECKSUM.to_owned(), sum.clone());
    }
    if let Some(sum) = r.secret_sources_checksum() {
        annotations.insert(SECRET_SOURCES_CHECKSUM.to_owned(), sum);
    }
    let external = r.external_secret_names();
    if !external.is_empty() {
        // Targeted, never `reloader.stakater.com/auto`, which would roll twice on our own Secret.
        annotations.insert(
            RELOADER_SECRETS.to_owned(),
            external.into_iter().collect::<Vec<_>>().join(","),
        );
    }
    annotations
}

fn pod_spec(r: &Resolved) -> Result<PodSpec, Box<Diagnostic>> {
    let rt = &r.runtime;
    Ok(PodSpec {
        containers: vec![container(r)?],
        termination_grace_period_seconds: Some(i64::from(rt.termination_grace_period_seconds)),
        service_account_name: rt.service_account_name.clone(),
        // LiteLLM never calls the Kubernetes API.
        automount_service_account_token: Some(false),
        // A Service named like `litellm-pgbouncer` in the namespace would inject
        // LITELLM_PGBOUNCER_PORT=tcp://..., on which LiteLLM 1.106.2 exits at start.
        enable_service_links: Some(false),
        security_context: Some(pod_security_context(rt.pod_security_context.as_ref())?),
        node_selector: Some(rt.node_selector.clone()).filter(|m| !m.is_empty()),
        tolerations: Some(tolerations(r)).filter(|t| !t.is_empty()),
        affinity: affinity(rt.affinity.as_ref())?,
        topology_spread_constraints: Some(
            ["topology.kubernetes.io/zone", "kubernetes.io/hostname"]
                .into_iter()
                .map(|key| spread(r, key))
                .collect(),
        ),
        volumes: Some(
            std::iter::once(Volume {
                name: "config".to_owned(),
                config_map: Some(ConfigMapVolumeSource {
                    name: r.config_map_name(),
                    ..Default::default()
                }),
                ..Default::default()
            })
            .chain(WRITABLE_DIRS.iter().map(|d| Volume {
                name: d.volume.to_owned(),
                empty_dir: Some(EmptyDirVolumeSource::default()),
                ..Default::default()
            }))
            .collect(),
        ),
        ..Default::default()
    })
}

/// Pods spread over `topology_key`, counted per ReplicaSet (`pod-template-hash`), so that
/// in a rollout the old pods do not count against where the new ones go. A preference,
/// not a rule: a single-zone cluster still schedules.
fn spread(r: &Resolved, topology_key: &str) -> TopologySpreadConstraint {
    TopologySpreadConstraint {
        max_skew: 1,
        topology_key: topology_key.to_owned(),
        when_unsatisfiable: "ScheduleAnyway".to_owned(),
        label_selector: Some(label_selector(r)),
        match_label_keys: Some(vec!["pod-template-hash".to_owned()]),
        ..Default::default()
    }
}

fn container(r: &Resolved) -> Result<Container, Box<Diagnostic>> {
    let rt = &r.runtime;
    let mut args = vec![
        "--config".to_owned(),
        format!("{CONFIG_DIR}/{CONFIG_KEY}"),
        "--port".to_owned(),
        rt.port.to_string(),
    ];
    if let Some(workers) = rt.workers {
        args.extend(["--num_workers".to_owned(), workers.to_string()]);
    }
    Ok(Container {
        name: CONTAINER_NAME.to_owned(),
        image: Some(rt.image.clone()),
        image_pull_policy: Some(image_pull_policy(&rt.image).to_owned()),
        args: Some(args),
        ports: Some(vec![ContainerPort {
            name: Some("http".to_owned()),
            container_port: i32::from(rt.port),
            protocol: Some("TCP".to_owned()),
            ..Default::default()
        }]),
        env_from: r.reads_own_secret().then(|| {
            vec![EnvFromSource {
                secret_ref: Some(SecretEnvSource {
                    name: r.secret_name(),
                    optional: Some(false),
                }),
                ..Default::default()
            }]
        }),
        env: Some(container_env(r)).filter(|e| !e.is_empty()),
        resources: Some(resources(r)),
        // Up to 150 s to boot (migrations with a database); liveness only counts after.
        startup_probe: Some(probe(LIVENESS_PATH, 5, 30)),
        liveness_probe: Some(probe(LIVENESS_PATH, 15, 3)),
        readiness_probe: Some(probe(READINESS_PATH, 10, 3)),
        lifecycle: Some(Lifecycle {
            // The listener closes at once on SIGTERM: wait for endpoints to drop this pod first.
            pre_stop: Some(LifecycleHandler {
                sleep: Some(SleepAction {
                    seconds: i64::from(rt.pre_stop_sleep_seconds),
                }),
                ..Default::default()
            }),
            ..Default::default()
        }),
        security_context: Some(container_security_context(
            r.runtime.security_context.as_ref(),
        )?),
        volume_mounts: Some(volume_mounts()),
        ..Default::default()
    })
}

/// An HTTP probe of the container's `http` port.
fn probe(path: &str, period: i32, failures: i32) -> Probe {
    Probe {
        http_get: Some(HTTPGetAction {
            path: Some(path.to_owned()),
            port: IntOrString::String("http".to_owned()),
            ..Default::default()
        }),
        period_seconds: Some(period),
        timeout_seconds: Some(5),
        failure_threshold: Some(failures),
        ..Default::default()
    }
}

/// The config directory, read-only, then the emptyDirs LiteLLM writes to.
fn volume_mounts() -> Vec<VolumeMount> {
    // A directory mount, not subPath, so the file tracks the ConfigMap.
    std::iter::once(VolumeMount {
        name: "config".to_owned(),
        mount_path: CONFIG_DIR.to_owned(),
        read_only: Some(true),
        ..Default::default()
    })
    .chain(WRITABLE_DIRS.iter().map(|d| VolumeMount {
        name: d.volume.to_owned(),
        mount_path: d.mount_path.to_owned(),
        ..Default::default()
    }))
    .collect()
}

/// Secrets managed elsewhere, one env var each, then the plain ones: the read-only root's
/// (`deployment.env` may override them) and `deployment.env`, sorted by name: env var
/// order is part of the pod template.
fn container_env(r: &Resolved) -> Vec<EnvVar> {
    let mut env = secret_key_refs(r);
    let mut plain = read_only_root_env(r);
    plain.extend(r.runtime.env.clone());
    env.extend(plain.into_iter().map(|(name, value)| EnvVar {
        name,
        value: Some(value),
        ..Default::default()
    }));
    env.extend(r.runtime.config_env.iter().map(|(name, from)| EnvVar {
        name: name.clone(),
        value_from: Some(EnvVarSource {
            // Not optional: an unset variable becomes null in LiteLLM, and a null api_base
            // sends traffic to the provider's public host.
            config_map_key_ref: Some(k8s_openapi::api::core::v1::ConfigMapKeySelector {
                name: from.config_map.clone(),
                key: from.key.clone().unwrap_or_else(|| name.clone()),
                optional: Some(false),
            }),
            ..Default::default()
        }),
        ..Default::default()
    }));
    env.sort_by(|a, b| a.name.cmp(&b.name));
    env
}

/// Secrets managed elsewhere, one env var each.
fn secret_key_refs(r: &Resolved) -> Vec<EnvVar> {
    r.secret_env
        .iter()
        .filter_map(|e| match &e.source {
            EnvSource::SecretKeyRef { name, key } => Some(EnvVar {
                name: e.name.clone(),
                value_from: Some(EnvVarSource {
                    secret_key_ref: Some(SecretKeySelector {
                        name: name.clone(),
                        key: key.clone(),
                        optional: Some(false),
                    }),
                    ..Default::default()
                }),
                ..Default::default()
            }),
            EnvSource::OwnSecret | EnvSource::Remote(_) => None,
        })
        .collect()
}

fn resources(r: &Resolved) -> ResourceRequirements {
    let quantities = |m: &BTreeMap<String, String>| {
        Some(
            m.iter()
                .map(|(k, v)| (k.clone(), Quantity(v.clone())))
                .collect::<BTreeMap<_, _>>(),
        )
        .filter(|m| !m.is_empty())
    };
    ResourceRequirements {
        requests: quantities(&r.runtime.resources.requests),
        limits: quantities(&r.runtime.resources.limits),
        ..Default::default()
    }
}

fn tolerations(r: &Resolved) -> Vec<Toleration> {
    r.runtime
        .tolerations
        .iter()
        .map(|t| Toleration {
            key: t.key.clone(),
            operator: t.operator.clone(),
            value: t.value.clone(),
            effect: t.effect.clone(),
            toleration_seconds: t.toleration_seconds,
        })
        .collect()
}
