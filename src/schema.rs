//! The JSON Schema of the spec, generated from the `spec/` types, for editors and CI.
//!
//! Derived where serde derives; written here by hand where `Deserialize` is hand-written
//! (`SecretSource`) or looser than the rule it stands for (`IntOrPercent`).

use std::borrow::Cow;

use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};

use crate::spec::{Gateway, IntOrPercent, SecretSource};

/// The schema as the committed `litegate.schema.json` holds it: pretty JSON and a newline.
pub fn json() -> String {
    let mut schema = schemars::schema_for!(Gateway);
    schema.insert("title".into(), "litegate Gateway spec (v1alpha1)".into());
    let mut text = serde_json::to_string_pretty(&schema).unwrap_or_default();
    text.push('\n');
    text
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
                    "properties": {"env": {"type": "string"}},
                    "required": ["env"],
                    "additionalProperties": false
                },
                {
                    "type": "object",
                    "description": "A file, relative to the spec file; one trailing newline is trimmed.",
                    "properties": {"file": {"type": "string"}},
                    "required": ["file"],
                    "additionalProperties": false
                },
                {
                    "type": "object",
                    "description": "A Kubernetes Secret managed elsewhere.",
                    "properties": {
                        "secretRef": {
                            "type": "object",
                            "properties": {
                                "name": {"type": "string"},
                                "key": {"type": "string"}
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
                            "properties": {
                                "key": {"type": "string"},
                                "property": {"type": "string"},
                                "version": {"type": "string"}
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
