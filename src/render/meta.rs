//! Object names, labels and metadata shared by every object.

use std::collections::BTreeMap;

use k8s_openapi::apimachinery::pkg::apis::meta::v1::{LabelSelector, ObjectMeta};

use crate::resolve::Resolved;

use crate::names::MANAGED_BY_LABEL;
pub use crate::names::selector_labels;

pub fn label_selector(r: &Resolved) -> LabelSelector {
    LabelSelector {
        match_labels: Some(selector_labels(&r.name)),
        ..Default::default()
    }
}

/// Metadata of an emitted object: its name, the namespace if any, litegate's and the user's labels.
pub fn object_meta(r: &Resolved, name: String) -> ObjectMeta {
    let mut labels = r.labels.clone();
    labels.extend(selector_labels(&r.name));
    labels.insert(MANAGED_BY_LABEL.to_owned(), "litegate".to_owned());
    let skips: Vec<(&str, &str)> = r
        .namespace
        .is_none()
        .then_some(NO_NAMESPACE)
        .into_iter()
        .collect();
    ObjectMeta {
        name: Some(name),
        namespace: r.namespace.clone(),
        labels: Some(labels),
        annotations: policy_skips(&skips).filter(|_| r.runtime.policy_annotations),
        ..Default::default()
    }
}

/// A policy check that litegate's output deliberately does not meet, with the reason a
/// security reviewer reads in the manifest (checkov's `checkov.io/skipN: ID=reason`).
pub type PolicySkip = (&'static str, &'static str);

pub const NO_NAMESPACE: PolicySkip = (
    "CKV_K8S_21",
    "no namespace in the spec: it is set at deploy time (kustomize namespace, kubectl -n); set metadata.namespace to pin it",
);
pub const SECRETS_AS_ENV: PolicySkip = (
    "CKV_K8S_35",
    "LiteLLM reads keys only through os.environ/NAME references, which need env vars; the values come from Secrets, never from this manifest",
);
pub const IMAGE_BY_TAG: PolicySkip = (
    "CKV_K8S_43",
    "the image is pinned by tag in the spec (litegate warns on floating tags); give deployment.image as name@sha256:... to pin a digest",
);
pub const PULL_PINNED_IF_NOT_PRESENT: PolicySkip = (
    "CKV_K8S_15",
    "the image is pinned (a release tag or a digest), so IfNotPresent pulls the same bytes as Always and a registry outage cannot block scale-up; a floating tag is pulled Always",
);
pub const NO_NETWORK_POLICY: PolicySkip = (
    "CKV2_K8S_6",
    "who may call the gateway depends on the cluster; litegate does not guess a NetworkPolicy: set deployment.networkPolicy.from, or add one beside these objects",
);

/// `checkov.io/skip1`, `skip2`, ... in the given order; `None` when there is nothing to skip.
pub fn policy_skips(skips: &[(&str, &str)]) -> Option<BTreeMap<String, String>> {
    (!skips.is_empty()).then(|| {
        skips
            .iter()
            .enumerate()
            .map(|(i, (id, reason))| {
                (
                    format!("checkov.io/skip{}", i + 1),
                    format!("{id}={reason}"),
                )
            })
            .collect()
    })
}
