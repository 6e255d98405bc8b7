//! Resolved -> the `ExternalSecret` (External Secrets Operator, `external-secrets.io/v1`)
//! that fills `<name>-secrets` from a secret manager, one `remoteRef` per key. Our own
//! typed struct (k8s-openapi has no CRDs), with only the fields litegate sets; the e2e
//! suite validates it against the CRD's schema.

use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use serde::Serialize;

use super::meta::object_meta;
use crate::resolve::Resolved;

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ExternalSecret {
    pub api_version: &'static str,
    pub kind: &'static str,
    pub metadata: ObjectMeta,
    pub spec: ExternalSecretSpec,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ExternalSecretSpec {
    pub refresh_interval: String,
    pub secret_store_ref: StoreRef,
    pub target: Target,
    pub data: Vec<Data>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StoreRef {
    pub name: String,
    pub kind: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Target {
    pub name: String,
    /// ESO owns the Secret it makes: deleting the ExternalSecret deletes it.
    pub creation_policy: &'static str,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Data {
    pub secret_key: String,
    pub remote_ref: RemoteRef,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RemoteRef {
    pub key: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub property: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
}

/// The ExternalSecret for the `remote` sources; `None` when there are none.
pub fn external_secret(r: &Resolved) -> Option<ExternalSecret> {
    let refs = r.remote_refs();
    let store = r.secret_store.as_ref()?;
    (!refs.is_empty()).then(|| ExternalSecret {
        api_version: "external-secrets.io/v1",
        kind: "ExternalSecret",
        metadata: object_meta(r, r.secret_name()),
        spec: ExternalSecretSpec {
            refresh_interval: store.refresh_interval.clone(),
            secret_store_ref: StoreRef {
                name: store.name.clone(),
                kind: store.kind.clone(),
            },
            target: Target {
                name: r.secret_name(),
                creation_policy: "Owner",
            },
            // secret_env is sorted by env var name: so is the list.
            data: refs
                .into_iter()
                .map(|(env, remote)| Data {
                    secret_key: env.to_owned(),
                    remote_ref: RemoteRef {
                        key: remote.key.clone(),
                        property: remote.property.clone(),
                        version: remote.version.clone(),
                    },
                })
                .collect(),
        },
    })
}
