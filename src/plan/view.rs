//! One side of a plan: the objects of a render, or of a directory `render -o` wrote (read
//! as untrusted input), as JSON trees with every Secret value sealed into a digest.

use std::collections::BTreeMap;
use std::path::Path;

use serde_json::{Value, json};

use crate::names::CONFIG_CHECKSUM;
use crate::render::{KINDS, Rendered};
use crate::resolve::sha256_hex;
use crate::{Error, emit};

use super::fields;

/// One side of a plan: each object as a JSON tree (a Secret as the sha256 of its content
/// only) and LiteLLM's config.yaml.
#[derive(Debug, Clone)]
pub struct View {
    pub(super) objects: BTreeMap<&'static str, Value>,
    config_yaml: String,
}

impl View {
    /// Whether the view has an object of `kind`.
    pub fn has(&self, kind: &str) -> bool {
        self.objects.contains_key(kind)
    }

    /// Forgets the Secret: it is kept apart from the directory compared with (`-o` without
    /// `--plaintext-secret`), and a key change still shows as `checksum/secret`.
    pub fn without_secret(mut self) -> Self {
        self.objects.remove("Secret");
        self
    }

    /// Forgets every secret value (`--skip-secrets`): the Secret's content and the pod
    /// template's `checksum/secret`, so that only the rest is compared.
    pub fn without_secret_values(mut self) -> Self {
        if let Some(secret) = self
            .objects
            .get_mut("Secret")
            .and_then(Value::as_object_mut)
        {
            secret.insert("content".into(), json!("not compared"));
        }
        if let Some(annotations) = self
            .objects
            .get_mut("Deployment")
            .and_then(|d| d.pointer_mut("/spec/template/metadata/annotations"))
            .and_then(Value::as_object_mut)
        {
            annotations.remove(crate::names::SECRET_CHECKSUM);
        }
        self
    }

    /// The view of a freshly rendered spec.
    pub fn from_rendered(rendered: &Rendered) -> Result<Self, Error> {
        let mut objects = BTreeMap::new();
        for object in &rendered.objects {
            let value = parse(&object.to_yaml()?, object.file_name())?;
            objects.insert(object.kind(), seal(object.kind(), value));
        }
        Ok(View {
            objects,
            config_yaml: rendered.config_yaml.clone(),
        })
    }

    /// The view of a directory written by `litegate render -o DIR`, read by
    /// [`emit::read_rendered_dir`]: only the files litegate wrote (deployment.yaml and
    /// configmap.yaml must be among them). Also returns the entries not read, to be named.
    pub fn from_dir(dir: &Path) -> Result<(Self, Vec<emit::Foreign>), Error> {
        let (files, not_read) = emit::read_rendered_dir(dir)?.into_output(dir)?;
        Ok((Self::from_files(dir, &files)?, not_read))
    }

    fn from_files(dir: &Path, files: &BTreeMap<String, String>) -> Result<Self, Error> {
        let mut objects = BTreeMap::new();
        for (kind, file) in KINDS {
            let Some(text) = files.get(file) else {
                if matches!(kind, "ConfigMap" | "Deployment") {
                    return Err(Error::fs(
                        "reading",
                        dir.join(file),
                        std::io::ErrorKind::NotFound.into(),
                    ));
                }
                continue;
            };
            let value = parse(text, file)?;
            if value.get("kind").and_then(Value::as_str) != Some(kind) {
                return Err(Error::Content {
                    path: dir.join(file),
                    problem: format!("not a {kind} written by litegate render -o"),
                });
            }
            objects.insert(kind, seal(kind, value));
        }
        let config_yaml = objects["ConfigMap"]
            .pointer(&format!("/data/{}", emit::CONFIG_FILE))
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned();
        Ok(View {
            objects,
            config_yaml,
        })
    }

    /// With a database, model edits are applied live: the pod template then has no
    /// `checksum/config`.
    pub(super) fn database(&self) -> bool {
        self.objects.get("Deployment").is_some_and(|d| {
            d.pointer("/spec/template/metadata/annotations")
                .and_then(|a| a.get(CONFIG_CHECKSUM))
                .is_none()
        })
    }

    /// The config.yaml `model_list` entries, by `model_info.id`.
    pub fn models(&self) -> BTreeMap<String, Value> {
        let config: Value = serde_saphyr::from_str(&self.config_yaml).unwrap_or(Value::Null);
        config
            .get("model_list")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(|m| {
                let id = m.pointer("/model_info/id")?.as_str()?.to_owned();
                Some((id, m.clone()))
            })
            .collect()
    }

    /// The gateway's name, which every object is named after (the Deployment's name).
    pub fn gateway(&self) -> &str {
        self.objects
            .get("Deployment")
            .and_then(|d| d.pointer("/metadata/name"))
            .and_then(Value::as_str)
            .unwrap_or_default()
    }

    pub(super) fn settings(&self) -> Value {
        let mut config: Value = serde_saphyr::from_str(&self.config_yaml).unwrap_or(Value::Null);
        if let Some(map) = config.as_object_mut() {
            map.remove("model_list");
        }
        config
    }
}

fn parse(text: &str, what: &str) -> Result<Value, Error> {
    serde_saphyr::from_str(text).map_err(|e| {
        // Never the parser's snippet: the file may be a hand-edited secret.yaml.
        Error::Content {
            path: what.into(),
            problem: format!("not valid YAML: {}", e.without_snippet()),
        }
    })
}

/// A Secret keeps its metadata, and of its content only a sha256.
fn seal(kind: &str, mut value: Value) -> Value {
    if kind != "Secret" {
        return value;
    }
    let Some(map) = value.as_object_mut() else {
        return Value::Null;
    };
    // Everything but the object's identity is content, whatever a hand edit added.
    let fields: Vec<String> = map
        .keys()
        .filter(|k| !matches!(k.as_str(), "apiVersion" | "kind" | "metadata"))
        .cloned()
        .collect();
    let content: serde_json::Map<String, Value> = fields
        .into_iter()
        .filter_map(|k| map.remove(&k).map(|v| (k, v)))
        .collect();
    let keys = fields::key_digests(&content);
    let content = Value::Object(content);
    map.insert(
        "content".into(),
        json!({ "sha256": sha256_hex(content.to_string().as_bytes()), "keys": keys }),
    );
    value
}
