//! How the pods run: every `deployment:` option with its default applied.

use crate::defaults::MIN_CPU_PER_SUPERVISED_WORKER;
use crate::spec::{self, Gateway, IntOrPercent};

use super::{DEFAULTS, Disruption, Runtime, SecretStore, termination_grace_period};

pub(super) fn runtime(spec: &Gateway) -> Runtime {
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

/// What External Secrets Operator needs, in `external-secrets` mode.
pub(super) fn secret_store(secrets: &spec::SecretsOptions) -> Option<SecretStore> {
    secrets.store.as_ref().map(|s| SecretStore {
        name: s.name.clone(),
        kind: s.kind.clone().unwrap_or_else(|| "SecretStore".to_owned()),
        refresh_interval: secrets
            .refresh_interval
            .clone()
            .unwrap_or_else(|| "1h".to_owned()),
    })
}
