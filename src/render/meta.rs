//! Object names, labels and metadata shared by every object.

use std::collections::BTreeMap;

use k8s_openapi::apimachinery::pkg::apis::meta::v1::{LabelSelector, ObjectMeta};

use crate::resolve::Resolved;

pub const NAME_LABEL: &str = "app.kubernetes.io/name";
pub const INSTANCE_LABEL: &str = "app.kubernetes.io/instance";
pub const MANAGED_BY_LABEL: &str = "app.kubernetes.io/managed-by";
/// Labels litegate sets on every object; users cannot override them.
pub const RESERVED_LABELS: &[&str] = &[NAME_LABEL, INSTANCE_LABEL, MANAGED_BY_LABEL];

/// The Deployment's selector, fixed for the gateway's lifetime (selectors are immutable).
pub fn selector_labels(name: &str) -> BTreeMap<String, String> {
    BTreeMap::from([
        (NAME_LABEL.to_owned(), "litellm".to_owned()),
        (INSTANCE_LABEL.to_owned(), name.to_owned()),
    ])
}

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
    ObjectMeta {
        name: Some(name),
        namespace: r.namespace.clone(),
        labels: Some(labels),
        ..Default::default()
    }
}
