//! Where and as whom the pods run: spread, placement, labels and annotations of the pod,
//! the ServiceAccount, and the Kubernetes-typed fields.

use crate::diagnostics::{Code, Diagnostic};
use crate::names::{RESERVED_ANNOTATIONS, selector_labels};
use crate::spec::Gateway;

use super::super::gateway::{annotations, labels};
use super::super::kubernetes::{is_dns1123_subdomain, is_label_value, is_qualified_key};
use super::resources::{cpu_for_workers, memory_for_workers, quantities};

pub(super) fn scheduling(spec: &Gateway, out: &mut Vec<Diagnostic>) {
    let d = &spec.deployment;
    pod_metadata(spec, out);
    placement(d, out);
    kube_typed(d, out);
    if let Some(policy) = &d.network_policy
        && policy.from.is_empty()
    {
        out.push(
            Diagnostic::error(
                Code::E028,
                "deployment.networkPolicy.from",
                "no peer: the policy would admit no caller, and the gateway would serve nobody",
            )
            .with_help("list who may call it, e.g. - namespaceSelector: {matchLabels: {team: ai}}"),
        );
    }
    service_account(d, out);
    if let Some(resources) = &d.resources {
        memory_for_workers(d.workers.unwrap_or(1), resources, out);
        cpu_for_workers(d.workers.unwrap_or(1), resources, out);
        quantities(resources, out);
    }
}

/// `serviceAccountName` (an existing one) or `serviceAccount` (emitted), a valid name.
fn service_account(d: &crate::spec::Deployment, out: &mut Vec<Diagnostic>) {
    let emitted = d.service_account.as_ref();
    for (path, name) in [
        (
            "deployment.serviceAccountName",
            d.service_account_name.as_ref(),
        ),
        (
            "deployment.serviceAccount.name",
            emitted.and_then(|sa| sa.name.as_ref()),
        ),
    ] {
        if let Some(sa) = name
            && !is_dns1123_subdomain(sa)
        {
            out.push(Diagnostic::error(
                Code::E004,
                path,
                format!("\"{sa}\" is not a valid ServiceAccount name"),
            ));
        }
    }
    let Some(emitted) = emitted else { return };
    if d.service_account_name.is_some() {
        out.push(
            Diagnostic::error(
                Code::E024,
                "deployment.serviceAccount",
                "serviceAccount and serviceAccountName exclude each other",
            )
            .with_help("serviceAccountName names one that exists; serviceAccount: {name: ...} makes litegate emit it"),
        );
    }
    annotations(
        "deployment.serviceAccount.annotations",
        emitted.annotations.keys(),
        out,
    );
}

/// `podLabels` and `podAnnotations`: valid, and none of the keys litegate sets itself.
fn pod_metadata(spec: &Gateway, out: &mut Vec<Diagnostic>) {
    let d = &spec.deployment;
    let selector = selector_labels(&spec.metadata.name);
    for key in d.pod_labels.keys().filter(|k| selector.contains_key(*k)) {
        out.push(Diagnostic::error(
            Code::E005,
            format!("deployment.podLabels.{key}"),
            format!("label \"{key}\" is set by litegate"),
        ));
    }
    labels(
        "deployment.podLabels",
        d.pod_labels
            .iter()
            .filter(|(k, _)| !selector.contains_key(*k)),
        out,
    );
    annotations("deployment.podAnnotations", d.pod_annotations.keys(), out);
    for key in d.pod_annotations.keys() {
        if RESERVED_ANNOTATIONS.contains(&key.as_str()) {
            out.push(
                Diagnostic::error(
                    Code::E005,
                    format!("deployment.podAnnotations.{key}"),
                    format!("annotation \"{key}\" is set by litegate's rollout rule"),
                )
                .with_help("overriding it would stop key or config changes from rolling the pods"),
            );
        }
    }
}

/// `nodeSelector` and `tolerations`: what the API server would reject.
fn placement(d: &crate::spec::Deployment, out: &mut Vec<Diagnostic>) {
    for (key, value) in &d.node_selector {
        if !is_qualified_key(key) || !is_label_value(value) {
            out.push(Diagnostic::error(
                Code::E005,
                format!("deployment.nodeSelector.{key}"),
                format!("\"{key}: {value}\" is not a valid node label"),
            ));
        }
    }
    for (i, t) in d.tolerations.iter().enumerate() {
        if let Some(op) = &t.operator
            && op != "Exists"
            && op != "Equal"
        {
            out.push(Diagnostic::error(
                Code::E028,
                format!("deployment.tolerations[{i}].operator"),
                format!("\"{op}\" is not Exists or Equal"),
            ));
        }
        if let Some(effect) = &t.effect
            && !matches!(
                effect.as_str(),
                "NoSchedule" | "PreferNoSchedule" | "NoExecute"
            )
        {
            out.push(Diagnostic::error(
                Code::E028,
                format!("deployment.tolerations[{i}].effect"),
                format!("\"{effect}\" is not NoSchedule, PreferNoSchedule or NoExecute"),
            ));
        }
    }
}

/// The fields given as Kubernetes objects, built by the very functions `render` uses, so a
/// spec that passes here cannot fail there.
fn kube_typed(d: &crate::spec::Deployment, out: &mut Vec<Diagnostic>) {
    use crate::kube_fields::{affinity, container_security_context, pod_security_context};
    if d.pod_security_context.is_some() {
        out.extend(
            pod_security_context(d.pod_security_context.as_ref())
                .err()
                .map(|e| *e),
        );
    }
    if d.security_context.is_some() {
        out.extend(
            container_security_context(d.security_context.as_ref())
                .err()
                .map(|e| *e),
        );
    }
    if let Some(policy) = &d.network_policy {
        for (i, peer) in policy.from.iter().enumerate() {
            out.extend(
                crate::kube_fields::network_policy_peer(i, peer)
                    .err()
                    .map(|e| *e),
            );
        }
    }
    out.extend(affinity(d.affinity.as_ref()).err().map(|e| *e));
}
