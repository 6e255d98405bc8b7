//! `litegate krm`: a KRM function (the kpt/kustomize function spec). A `ResourceList` comes in
//! on stdin with the Gateway spec as `functionConfig`; the same list goes out with the
//! rendered objects appended to `items` (in `litegate render`'s order), and diagnostics as
//! `results`. On error no object is added and the exit code is 1.

use std::path::Path;

use serde_json::{Map, Value, json};

use crate::diagnostics::{Diagnostic, Severity};
use crate::resolve::Environment;
use crate::{Error, SpecSource, compile, yaml};

/// What the function prints, and whether it succeeded.
pub struct Outcome {
    pub output: String,
    pub ok: bool,
}

/// Runs the function on a serialized `ResourceList`.
/// `file:` sources are relative to `root`, and must stay in or below it.
pub fn run(input: &str, root: &Path, env: &dyn Environment) -> Outcome {
    let mut list: Value = match serde_saphyr::from_str(input) {
        Ok(Value::Object(map)) => Value::Object(map),
        Ok(_) | Err(_) => {
            return finish(
                json!({"apiVersion": "config.kubernetes.io/v1", "kind": "ResourceList", "items": []}),
                vec![result("error", "stdin is not a ResourceList", None)],
                false,
            );
        }
    };
    let Some(mut config) = list.get("functionConfig").cloned().filter(Value::is_object) else {
        return finish(
            list,
            vec![result(
                "error",
                "the ResourceList has no functionConfig (the Gateway spec)",
                None,
            )],
            false,
        );
    };
    // Annotations on the functionConfig belong to the function runtime
    // (config.kubernetes.io/function, internal.config.kubernetes.io/...), not to the spec.
    if let Some(metadata) = config.get_mut("metadata").and_then(Value::as_object_mut) {
        metadata.remove("annotations");
    }
    let text = match yaml::to_string(&config, "functionConfig") {
        Ok(text) => text,
        Err(e) => return finish(list, vec![result("error", &e.to_string(), None)], false),
    };
    let source = SpecSource {
        path: root.join("functionConfig"),
        text,
    };
    match compile(&source, env) {
        Ok(compiled) => {
            let mut objects = Vec::new();
            for object in &compiled.rendered.objects {
                match object.to_yaml().and_then(|y| {
                    serde_saphyr::from_str::<Value>(&y).map_err(|e| Error::Serialize {
                        what: "a rendered object",
                        message: e.to_string(),
                    })
                }) {
                    Ok(v) => objects.push(v),
                    Err(e) => {
                        return finish(list, vec![result("error", &e.to_string(), None)], false);
                    }
                }
            }
            if let Some(items) = list.get_mut("items").and_then(Value::as_array_mut) {
                items.extend(objects);
            } else if let Some(map) = list.as_object_mut() {
                map.insert("items".to_owned(), Value::Array(objects));
            }
            let results = compiled.warnings.iter().map(diagnostic_result).collect();
            finish(list, results, true)
        }
        Err(Error::Invalid(diagnostics)) => {
            let results = diagnostics.iter().map(diagnostic_result).collect();
            finish(list, results, false)
        }
        Err(e) => finish(list, vec![result("error", &e.to_string(), None)], false),
    }
}

fn diagnostic_result(d: &Diagnostic) -> Value {
    let severity = match d.severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
    };
    let message = format!("[{}] {}", d.code.as_str(), d.message);
    result(
        severity,
        &message,
        (!d.path.is_empty()).then_some(d.path.as_str()),
    )
}

fn result(severity: &str, message: &str, path: Option<&str>) -> Value {
    let mut r = Map::new();
    r.insert("message".to_owned(), json!(message));
    r.insert("severity".to_owned(), json!(severity));
    if let Some(path) = path {
        r.insert("field".to_owned(), json!({ "path": path }));
    }
    Value::Object(r)
}

fn finish(mut list: Value, results: Vec<Value>, ok: bool) -> Outcome {
    if let Some(map) = list.as_object_mut() {
        // Never echoed: the runtimes do not need it back, and a literal key typed into the
        // spec must not travel on in the output.
        map.remove("functionConfig");
        if results.is_empty() {
            map.remove("results");
        } else {
            map.insert("results".to_owned(), Value::Array(results));
        }
    }
    // A Value of plain data always serializes; the fallback keeps the contract (some output).
    let output = yaml::to_string(&list, "a ResourceList").unwrap_or_else(|e| format!("# {e}\n"));
    Outcome { output, ok }
}
