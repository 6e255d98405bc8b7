//! The JSON Schema of the spec, generated from the `spec/` types, for editors and CI.
//!
//! Derived where serde derives; written here by hand where `Deserialize` is hand-written
//! (`SecretSource`) or looser than the rule it stands for (`IntOrPercent`).

use std::borrow::Cow;

use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};

use serde_json::{Value, json};

use crate::spec::{Gateway, IntOrPercent, SecretSource};
use crate::validate::catalog::catalog;

/// The schema as the committed `litegate.schema.json` holds it: pretty JSON and a newline.
pub fn json() -> String {
    let mut schema = schemars::schema_for!(Gateway);
    schema.insert("title".into(), "litegate Gateway spec (v1alpha1)".into());
    let mut value = schema.to_value();
    with_rules(&mut value);
    let mut text = serde_json::to_string_pretty(&value).unwrap_or_default();
    text.push('\n');
    text
}

/// DNS-1123 label, as `validate` checks `metadata.name` (the Service's name is the strictest).
const DNS1123_LABEL: &str = "^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$";
/// RFC 1123 subdomain: Secret and ServiceAccount names.
const DNS1123_SUBDOMAIN: &str =
    "^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?)*$";
/// A label key: `[prefix/]name`, the prefix a DNS subdomain.
const LABEL_KEY: &str = "^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$";
/// A label value: empty, or up to 63 of `[A-Za-z0-9._-]`, alphanumeric at both ends.
const LABEL_VALUE: &str = "^([A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)?$";
/// A Kubernetes quantity: `500m`, `1Gi`, `2` (`1GB` is not one).
const QUANTITY: &str = "^[+]?([0-9]+(\\.[0-9]*)?|\\.[0-9]+)([eE][+-]?[0-9]+|[mkMGTPE]|[KMGTPE]i)?$";
/// What the kubelet accepts as an env var name and a shell can read.
const ENV_VAR_NAME: &str = "^[A-Za-z_][A-Za-z0-9_]*$";
/// A provider name becomes part of env var names and model ids.
const PROVIDER_NAME: &str = "^[a-z][a-z0-9_-]{0,39}$";

/// What `validate` knows and serde's types do not say: the catalog's provider types,
/// routing strategies and params as enums, name patterns, lower bounds. An editor then
/// flags `type: antropic` or `params.max_token` as it is typed.
fn with_rules(schema: &mut Value) {
    // A rule for a type or field that was renamed would vanish without a word: the test
    // below keeps the list of those empty.
    apply(schema, rules());
}

/// Merges each rule into the object at its JSON pointer; returns the pointers that name
/// nothing (a test keeps that empty).
fn apply(schema: &mut Value, rules: Vec<(&'static str, Value)>) -> Vec<&'static str> {
    let mut missing = Vec::new();
    for (pointer, extra) in rules {
        match (
            schema.pointer_mut(pointer).and_then(Value::as_object_mut),
            extra,
        ) {
            (Some(target), Value::Object(extra)) => target.extend(extra),
            _ => missing.push(pointer),
        }
    }
    missing
}

fn rules() -> Vec<(&'static str, Value)> {
    let mut rules = catalog_rules();
    rules.extend(shape_rules());
    rules
}

/// What LiteLLM accepts, from the catalog: provider types, params, strategies, and which
/// provider types need apiBase or a key.
fn catalog_rules() -> Vec<(&'static str, Value)> {
    let c = catalog();
    let sorted = |set: &crate::validate::catalog::NameSet| -> Vec<Value> {
        set.iter().map(Value::from).collect()
    };
    let mut known_params: Vec<&str> = c.known_params().collect();
    known_params.sort_unstable();
    known_params.dedup();
    let params = json!({"enum": known_params});
    vec![
        (
            "/$defs/Provider/properties/type",
            json!({"enum": sorted(&c.provider_types)}),
        ),
        (
            "/$defs/Provider/properties/params",
            json!({"propertyNames": params}),
        ),
        (
            "/$defs/Model/properties/params",
            json!({"propertyNames": params}),
        ),
        (
            "/$defs/Model/properties/dropParams",
            json!({"items": {"type": "string", "enum": sorted(&c.request_params)}}),
        ),
        (
            "/$defs/Router/properties/strategy",
            json!({"enum": sorted(&c.routing_strategies).into_iter().chain([Value::Null]).collect::<Vec<_>>()}),
        ),
        (
            "/$defs/Provider",
            json!({"allOf": [
                {
                    "if": {"properties": {"type": {"enum": sorted(&c.api_base_required)}}, "required": ["type"]},
                    "then": {"required": ["apiBase"]}
                },
                {
                    "if": {"properties": {"type": {"enum": sorted(&c.api_key_required)}}, "required": ["type"]},
                    "then": {"anyOf": [{"required": ["apiKey"]}, {"required": ["credentials"]}]}
                }
            ]}),
        ),
    ]
}

/// Kubernetes names, labels and quantities, lower bounds, and the fields litegate requires.
fn shape_rules() -> Vec<(&'static str, Value)> {
    let labels = json!({
        "propertyNames": {"pattern": LABEL_KEY},
        "additionalProperties": {"type": "string", "pattern": LABEL_VALUE}
    });
    let quantities = json!({"additionalProperties": {"type": "string", "pattern": QUANTITY}});
    vec![
        (
            "/$defs/Metadata/properties/name",
            json!({"pattern": DNS1123_LABEL}),
        ),
        (
            "/$defs/Metadata/properties/namespace",
            json!({"pattern": DNS1123_LABEL}),
        ),
        (
            "/properties/providers",
            json!({"propertyNames": {"pattern": PROVIDER_NAME}}),
        ),
        ("/properties/models", json!({"minItems": 1})),
        (
            "/$defs/Deployment/properties/env",
            json!({"propertyNames": {"pattern": ENV_VAR_NAME}}),
        ),
        (
            "/$defs/Deployment/properties/secretEnv",
            json!({"propertyNames": {"pattern": ENV_VAR_NAME}}),
        ),
        (
            "/$defs/Deployment/properties/replicas",
            json!({"minimum": 1}),
        ),
        (
            "/$defs/Autoscaling/properties/minReplicas",
            json!({"minimum": 2}),
        ),
        ("/$defs/Metadata/properties/labels", labels.clone()),
        ("/$defs/Deployment/properties/podLabels", labels.clone()),
        ("/$defs/Deployment/properties/nodeSelector", labels),
        (
            "/$defs/Deployment/properties/serviceAccountName",
            json!({"pattern": DNS1123_SUBDOMAIN}),
        ),
        (
            "/$defs/ServiceAccountOptions/properties/name",
            json!({"pattern": DNS1123_SUBDOMAIN}),
        ),
        ("/$defs/Resources/properties/requests", quantities.clone()),
        ("/$defs/Resources/properties/limits", quantities),
        (
            "/$defs/Provider/properties/apiBase",
            json!({"pattern": "^https?://"}),
        ),
        (
            "/$defs/Toleration/properties/operator",
            json!({"enum": ["Equal", "Exists", null]}),
        ),
        (
            "/$defs/Toleration/properties/effect",
            json!({"enum": ["NoSchedule", "PreferNoSchedule", "NoExecute", null]}),
        ),
        // E021: without a master key the proxy answers every caller.
        ("/$defs/Deployment", json!({"required": ["masterKey"]})),
        // E034: without a salt key a master-key rotation leaves every stored row unreadable.
        ("/$defs/Database", json!({"required": ["url", "saltKey"]})),
        (
            "/$defs/SecretSource/oneOf/2/properties/secretRef/properties/name",
            json!({"pattern": DNS1123_SUBDOMAIN}),
        ),
    ]
}

impl JsonSchema for SecretSource {
    fn schema_name() -> Cow<'static, str> {
        "SecretSource".into()
    }

    // Mirrors the hand-written Deserialize: one key, never a scalar (a literal secret).
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "description": "Where a secret value comes from: exactly one of env, file, secretRef, remote. A literal value is refused.",
            "oneOf": [
                {
                    "type": "object",
                    "description": "An environment variable of the process that runs litegate.",
                    "properties": {"env": {
                        "type": "string",
                        "description": "The variable's name.",
                        "pattern": ENV_VAR_NAME
                    }},
                    "required": ["env"],
                    "additionalProperties": false
                },
                {
                    "type": "object",
                    "description": "A file, relative to the spec file; one trailing newline is trimmed.",
                    "properties": {"file": {
                        "type": "string",
                        "description": "The file's path, relative to the spec file and inside its directory."
                    }},
                    "required": ["file"],
                    "additionalProperties": false
                },
                {
                    "type": "object",
                    "description": "A Kubernetes Secret managed elsewhere.",
                    "properties": {
                        "secretRef": {
                            "type": "object",
                            "description": "A key of an existing Secret in the gateway's namespace.",
                            "properties": {
                                "name": {"type": "string", "description": "The Secret's name."},
                                "key": {"type": "string", "description": "The key in its data."}
                            },
                            "required": ["name", "key"],
                            "additionalProperties": false
                        }
                    },
                    "required": ["secretRef"],
                    "additionalProperties": false
                },
                {
                    "type": "object",
                    "description": "A key in a secret manager, fetched by External Secrets Operator (deployment.secrets.mode: external-secrets).",
                    "properties": {
                        "remote": {
                            "type": "object",
                            "description": "A key in the store of deployment.secrets.store.",
                            "properties": {
                                "key": {"type": "string", "description": "The key in the secret manager."},
                                "property": {"type": "string", "description": "A property of a JSON secret."},
                                "version": {"type": "string", "description": "A pinned version of the secret."}
                            },
                            "required": ["key"],
                            "additionalProperties": false
                        }
                    },
                    "required": ["remote"],
                    "additionalProperties": false
                }
            ]
        })
    }
}

impl JsonSchema for IntOrPercent {
    fn schema_name() -> Cow<'static, str> {
        "IntOrPercent".into()
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "description": "A count (1) or a percentage (\"25%\").",
            "oneOf": [
                {"type": "integer", "minimum": 0},
                {"type": "string", "pattern": "^[0-9]+%$"}
            ]
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_rule_points_at_a_place_in_the_schema() {
        let mut schema = schemars::schema_for!(Gateway).to_value();
        assert_eq!(apply(&mut schema, rules()), Vec::<&str>::new());
        let mut schema = schemars::schema_for!(Gateway).to_value();
        assert_eq!(
            apply(
                &mut schema,
                vec![("/$defs/Provder", json!({"minItems": 1}))]
            ),
            ["/$defs/Provder"]
        );
    }
}
