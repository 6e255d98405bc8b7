//! Resolved -> the small objects: ConfigMap, Secret, ServiceAccount, Service,
//! PodDisruptionBudget, HPA, NetworkPolicy.

use std::collections::BTreeMap;

use k8s_openapi::ByteString;
use k8s_openapi::api::autoscaling::v2::{
    CrossVersionObjectReference, HorizontalPodAutoscaler, HorizontalPodAutoscalerSpec, MetricSpec,
    MetricTarget, ResourceMetricSource,
};
use k8s_openapi::api::core::v1::{
    ConfigMap, Secret, Service, ServiceAccount, ServicePort, ServiceSpec,
};
use k8s_openapi::api::networking::v1::{
    NetworkPolicy, NetworkPolicyIngressRule, NetworkPolicyPeer, NetworkPolicyPort,
    NetworkPolicySpec,
};
use k8s_openapi::api::policy::v1::{PodDisruptionBudget, PodDisruptionBudgetSpec};
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;

use serde_json::Value;

use super::meta::{label_selector, object_meta, selector_labels};
use crate::diagnostics::Diagnostic;
use crate::kube_fields::network_policy_peer;
use crate::resolve::{Disruption, Resolved};

/// The key of `config.yaml` in the ConfigMap, and the file name in the container.
pub const CONFIG_KEY: &str = "config.yaml";

pub fn config_map(r: &Resolved, config_yaml: &str) -> ConfigMap {
    ConfigMap {
        metadata: object_meta(r, r.config_map_name()),
        data: Some(BTreeMap::from([(
            CONFIG_KEY.to_owned(),
            config_yaml.to_owned(),
        )])),
        ..Default::default()
    }
}

/// The inline secret values; `None` when every secret is managed elsewhere.
pub fn secret(r: &Resolved) -> Option<Secret> {
    (!r.secret_data.is_empty()).then(|| Secret {
        metadata: object_meta(r, r.secret_name()),
        type_: Some("Opaque".to_owned()),
        data: Some(
            r.secret_data
                .iter()
                .map(|(k, v)| (k.clone(), ByteString(v.clone())))
                .collect(),
        ),
        ..Default::default()
    })
}

/// The pods' ServiceAccount, when the spec asks litegate to emit it (`serviceAccount`).
/// Its token is not mounted by default: LiteLLM never calls the Kubernetes API.
pub fn service_account(r: &Resolved) -> Option<ServiceAccount> {
    let annotations = r.runtime.service_account_annotations.as_ref()?;
    let name = r.runtime.service_account_name.clone()?;
    let mut metadata = object_meta(r, name);
    if !annotations.is_empty() {
        metadata
            .annotations
            .get_or_insert_with(BTreeMap::new)
            .extend(annotations.clone());
    }
    Some(ServiceAccount {
        metadata,
        automount_service_account_token: Some(false),
        ..Default::default()
    })
}

pub fn service(r: &Resolved) -> Service {
    Service {
        metadata: object_meta(r, r.name.clone()),
        spec: Some(ServiceSpec {
            type_: Some("ClusterIP".to_owned()),
            selector: Some(selector_labels(&r.name)),
            ports: Some(vec![ServicePort {
                name: Some("http".to_owned()),
                port: i32::from(r.runtime.port),
                target_port: Some(IntOrString::String("http".to_owned())),
                protocol: Some("TCP".to_owned()),
                ..Default::default()
            }]),
            ..Default::default()
        }),
        ..Default::default()
    }
}

pub fn pod_disruption_budget(r: &Resolved) -> PodDisruptionBudget {
    PodDisruptionBudget {
        metadata: object_meta(r, r.name.clone()),
        spec: Some(PodDisruptionBudgetSpec {
            min_available: match r.runtime.disruption {
                Disruption::MinAvailable(n) => Some(IntOrString::Int(to_i32(n))),
                Disruption::MaxUnavailable(_) => None,
            },
            max_unavailable: match r.runtime.disruption {
                Disruption::MaxUnavailable(n) => Some(IntOrString::Int(to_i32(n))),
                Disruption::MinAvailable(_) => None,
            },
            selector: Some(label_selector(r)),
            // A crash-looping pod must not block a node drain.
            unhealthy_pod_eviction_policy: Some("AlwaysAllow".to_owned()),
        }),
        ..Default::default()
    }
}

pub fn horizontal_pod_autoscaler(r: &Resolved) -> Option<HorizontalPodAutoscaler> {
    let a = r.runtime.autoscaling.as_ref()?;
    let utilization = |resource: &str, percent: u32| MetricSpec {
        type_: "Resource".to_owned(),
        resource: Some(ResourceMetricSource {
            name: resource.to_owned(),
            target: MetricTarget {
                type_: "Utilization".to_owned(),
                average_utilization: Some(to_i32(percent)),
                ..Default::default()
            },
        }),
        ..Default::default()
    };
    let mut metrics = vec![utilization("cpu", a.target_cpu_utilization.unwrap_or(70))];
    metrics.extend(
        a.target_memory_utilization
            .map(|p| utilization("memory", p)),
    );
    Some(HorizontalPodAutoscaler {
        metadata: object_meta(r, r.name.clone()),
        spec: Some(HorizontalPodAutoscalerSpec {
            scale_target_ref: CrossVersionObjectReference {
                api_version: Some("apps/v1".to_owned()),
                kind: "Deployment".to_owned(),
                name: r.name.clone(),
            },
            min_replicas: Some(to_i32(a.min_replicas)),
            max_replicas: to_i32(a.max_replicas),
            metrics: Some(metrics),
            ..Default::default()
        }),
        ..Default::default()
    })
}

/// Admits the spec's peers to the proxy's port; other ingress to the pods is denied.
/// A peer that is not a `NetworkPolicyPeer` is the located error `validate` reports first.
pub fn network_policy(r: &Resolved) -> Result<Option<NetworkPolicy>, Box<Diagnostic>> {
    let Some(from) = r.runtime.network_policy_from.as_ref() else {
        return Ok(None);
    };
    Ok(Some(NetworkPolicy {
        metadata: object_meta(r, r.name.clone()),
        spec: Some(NetworkPolicySpec {
            pod_selector: Some(label_selector(r)),
            policy_types: Some(vec!["Ingress".to_owned()]),
            ingress: Some(vec![NetworkPolicyIngressRule {
                from: Some(network_policy_peers(from)?),
                ports: Some(vec![NetworkPolicyPort {
                    port: Some(IntOrString::Int(i32::from(r.runtime.port))),
                    protocol: Some("TCP".to_owned()),
                    ..Default::default()
                }]),
            }]),
            ..Default::default()
        }),
    }))
}

fn network_policy_peers(from: &[Value]) -> Result<Vec<NetworkPolicyPeer>, Box<Diagnostic>> {
    from.iter()
        .enumerate()
        .map(|(i, peer)| network_policy_peer(i, peer))
        .collect()
}

/// Kubernetes counts in i32; larger spec values saturate rather than wrap.
pub fn to_i32(n: u32) -> i32 {
    i32::try_from(n).unwrap_or(i32::MAX)
}
