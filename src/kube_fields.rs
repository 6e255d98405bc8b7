//! The spec's Kubernetes-typed fields (`podSecurityContext`, `securityContext`, `affinity`,
//! `networkPolicy.from`) read as the Kubernetes API types: the one parse that validate
//! (which reports its failure) and render (which builds from its value) share, so
//! rendering cannot fail, or silently drop a field, where validation passed.

use k8s_openapi::api::core::v1::{
    Affinity, Capabilities, PodSecurityContext, SeccompProfile, SecurityContext,
};
use k8s_openapi::api::networking::v1::NetworkPolicyPeer;
use serde_json::Value;

use crate::diagnostics::{At, Code, Diagnostic};

/// The uid of `nobody`: LiteLLM needs no identity of its own.
const RUN_AS: i64 = 65534;

pub const POD_SECURITY_CONTEXT: &str = "deployment.podSecurityContext";
pub const SECURITY_CONTEXT: &str = "deployment.securityContext";
pub const AFFINITY: &str = "deployment.affinity";

/// litegate's hardened pod securityContext with `deployment.podSecurityContext` merged over it.
pub fn pod_security_context(patch: Option<&Value>) -> Result<PodSecurityContext, Box<Diagnostic>> {
    let hardened = PodSecurityContext {
        run_as_non_root: Some(true),
        run_as_user: Some(RUN_AS),
        run_as_group: Some(RUN_AS),
        fs_group: Some(RUN_AS),
        seccomp_profile: Some(SeccompProfile {
            type_: "RuntimeDefault".to_owned(),
            ..Default::default()
        }),
        ..Default::default()
    };
    patched(hardened, patch, POD_SECURITY_CONTEXT, "PodSecurityContext")
}

/// litegate's hardened container securityContext with `deployment.securityContext` merged over it.
pub fn container_security_context(
    patch: Option<&Value>,
) -> Result<SecurityContext, Box<Diagnostic>> {
    let hardened = SecurityContext {
        allow_privilege_escalation: Some(false),
        privileged: Some(false),
        read_only_root_filesystem: Some(true),
        run_as_non_root: Some(true),
        capabilities: Some(Capabilities {
            drop: Some(vec!["ALL".to_owned()]),
            ..Default::default()
        }),
        ..Default::default()
    };
    patched(hardened, patch, SECURITY_CONTEXT, "SecurityContext")
}

/// `deployment.affinity` as the Kubernetes type.
pub fn affinity(value: Option<&Value>) -> Result<Option<Affinity>, Box<Diagnostic>> {
    value
        .map(|v| kube_object(v, AFFINITY, "Affinity"))
        .transpose()
}

/// litegate's hardened default with the spec's JSON merge patch (RFC 7386) applied, read
/// back as the Kubernetes type at `path`.
fn patched<T>(
    default: T,
    patch: Option<&Value>,
    path: &str,
    kind: &str,
) -> Result<T, Box<Diagnostic>>
where
    T: serde::Serialize + serde::de::DeserializeOwned,
{
    let Some(patch) = patch else {
        return Ok(default);
    };
    let mut value = serde_json::to_value(&default).map_err(|e| not_a(kind, path, &e))?;
    merge_patch(&mut value, patch);
    kube_object(&value, path, kind)
}

/// A spec value given as a Kubernetes object, as that type: the one parse `validate` and
/// `render` share. A field the API types would drop on the way is an error too, not lost.
pub fn kube_object<T>(value: &Value, path: &str, kind: &str) -> Result<T, Box<Diagnostic>>
where
    T: serde::Serialize + serde::de::DeserializeOwned,
{
    let typed: T = serde_json::from_value(value.clone()).map_err(|e| not_a(kind, path, &e))?;
    let back = serde_json::to_value(&typed).map_err(|e| not_a(kind, path, &e))?;
    match first_dropped_field(value, &back, &At::root(path)) {
        Some(at) => Err(Box::new(Diagnostic::error(
            Code::E002,
            &at,
            format!("unknown field in a Kubernetes {kind}"),
        ))),
        None => Ok(typed),
    }
}

fn not_a(kind: &str, path: &str, e: &serde_json::Error) -> Box<Diagnostic> {
    Box::new(Diagnostic::error(
        Code::E001,
        path,
        format!("not a Kubernetes {kind}: {e}"),
    ))
}

/// The first key of `original` (depth first, sorted) that did not survive the round trip.
fn first_dropped_field(original: &Value, back: &Value, path: &At) -> Option<String> {
    match (original, back) {
        (Value::Object(a), Value::Object(b)) => a.iter().find_map(|(k, v)| match b.get(k) {
            None if !v.is_null() => Some(path.key(k).to_string()),
            None => None,
            Some(w) => first_dropped_field(v, w, &path.key(k)),
        }),
        (Value::Array(a), Value::Array(b)) => a
            .iter()
            .zip(b)
            .enumerate()
            .find_map(|(i, (v, w))| first_dropped_field(v, w, &path.index(i))),
        _ => None,
    }
}

/// RFC 7386: an object merges key by key, `null` removes, anything else replaces.
pub fn merge_patch(target: &mut Value, patch: &Value) {
    let Value::Object(patch) = patch else {
        *target = patch.clone();
        return;
    };
    if !target.is_object() {
        *target = Value::Object(serde_json::Map::new());
    }
    if let Value::Object(map) = target {
        for (key, value) in patch {
            if value.is_null() {
                map.remove(key);
            } else {
                merge_patch(map.entry(key.clone()).or_insert(Value::Null), value);
            }
        }
    }
}

/// `deployment.networkPolicy.from[i]` as the Kubernetes type.
pub fn network_policy_peer(i: usize, peer: &Value) -> Result<NetworkPolicyPeer, Box<Diagnostic>> {
    kube_object(
        peer,
        &format!("deployment.networkPolicy.from[{i}]"),
        "NetworkPolicyPeer",
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn merge_patch_follows_rfc_7386() {
        let mut target = json!({"a": 1, "b": {"c": 2, "d": 3}, "e": [1, 2]});
        merge_patch(
            &mut target,
            &json!({"a": null, "b": {"c": 9}, "e": [3], "f": "new"}),
        );
        assert_eq!(target, json!({"b": {"c": 9, "d": 3}, "e": [3], "f": "new"}));
    }

    #[test]
    fn a_kubernetes_field_that_does_not_build_is_a_located_error_never_dropped() {
        // Before, render read these with `.ok()` / `unwrap_or(default)`: a bad affinity
        // vanished and a bad patch fell back to the default, silently.
        let bad_affinity = affinity(Some(&json!({"nodeAffinity": 5}))).expect_err("affinity");
        assert_eq!(bad_affinity.path, AFFINITY);
        let unknown = container_security_context(Some(&json!({"readOnlyRootFs": false})))
            .expect_err("unknown field");
        assert_eq!(unknown.path, "deployment.securityContext.readOnlyRootFs");
        let wrong_type =
            pod_security_context(Some(&json!({"runAsUser": "root"}))).expect_err("type");
        assert_eq!(wrong_type.path, POD_SECURITY_CONTEXT);
        let peer = network_policy_peer(2, &json!({"podSelectr": {}})).expect_err("peer");
        assert_eq!(peer.path, "deployment.networkPolicy.from[2].podSelectr");
    }

    #[test]
    fn a_security_context_patch_keeps_the_hardening_it_does_not_touch() {
        let patch =
            json!({"readOnlyRootFilesystem": false, "capabilities": {"add": ["NET_BIND_SERVICE"]}});
        let merged = patched(
            SecurityContext {
                read_only_root_filesystem: Some(true),
                allow_privilege_escalation: Some(false),
                capabilities: Some(Capabilities {
                    drop: Some(vec!["ALL".to_owned()]),
                    ..Default::default()
                }),
                ..Default::default()
            },
            Some(&patch),
            SECURITY_CONTEXT,
            "SecurityContext",
        )
        .expect("a valid patch");
        assert_eq!(merged.read_only_root_filesystem, Some(false));
        assert_eq!(merged.allow_privilege_escalation, Some(false));
        let caps = merged.capabilities.expect("capabilities");
        assert_eq!(caps.drop, Some(vec!["ALL".to_owned()]));
        assert_eq!(caps.add, Some(vec!["NET_BIND_SERVICE".to_owned()]));
    }
}
