//! `litegate krm`: a KRM function (the kpt/kustomize function spec). A `ResourceList` comes in
//! on stdin with the Gateway spec as `functionConfig`; the same list goes out with the
//! rendered objects appended to `items` (in `litegate render`'s order), and diagnostics as
//! `results`. On error no object is added and the exit code is 1.
//!
//! The list is never re-serialized: the output is spliced from the input text, so the items
//! litegate does not own come back byte for byte (kpt writes them back to the user's files).

mod layout;
mod splice;

use std::path::Path;

use serde_json::{Map, Value, json};

use crate::diagnostics::{Diagnostic, Severity};
use crate::resolve::Environment;
use crate::{Error, SpecSource, compile, yaml};
use layout::{Kind, Node, Style, Unreadable};
use splice::{Added, line_start, splice};

/// What the function prints, and whether it succeeded.
pub struct Outcome {
    pub output: String,
    pub ok: bool,
}

/// Runs the function on a serialized `ResourceList`; `file:` sources are relative to
/// `files_root`, and must stay in or below it.
pub fn run(input: &str, files_root: &Path, env: &dyn Environment) -> Outcome {
    let root = match resource_list(input) {
        Ok(root) => root,
        Err(message) => return refused(&message),
    };
    let config = match root.get("functionConfig") {
        Some(node) if matches!(node.kind, Kind::Mapping(_)) => node,
        Some(node) if !node.is_null() => {
            let message = "the ResourceList's functionConfig is not a mapping (the Gateway spec)";
            return failed(input, &root, message);
        }
        _ => {
            let message = "the ResourceList has no functionConfig (the Gateway spec)";
            return failed(input, &root, message);
        }
    };
    let source = SpecSource {
        path: files_root.join("functionConfig"),
        text: spec_text(input, config),
    };
    match compile(&source, env) {
        Ok(compiled) => {
            let objects: Result<Vec<String>, Error> = compiled
                .rendered
                .objects
                .iter()
                .map(|o| o.to_yaml())
                .collect();
            match objects {
                Ok(objects) => finish(input, &root, &objects, &results(&compiled.warnings), true),
                Err(e) => failed(input, &root, &e.to_string()),
            }
        }
        Err(Error::Invalid(diagnostics)) => {
            finish(input, &root, &[], &results(&diagnostics), false)
        }
        Err(e) => failed(input, &root, &e.to_string()),
    }
}

/// The input's root mapping, if it is a ResourceList this function can answer. The reasons
/// name what is wrong and where, never what the input says (it may hold a secret).
fn resource_list(input: &str) -> Result<Node, String> {
    let root = layout::read(input).map_err(|e| match e {
        Unreadable::Syntax {
            message,
            line,
            column,
        } => {
            format!("stdin is not YAML: {message} at line {line}, column {column}")
        }
        Unreadable::Empty => "stdin is empty; a ResourceList was expected".to_owned(),
        Unreadable::SeveralDocuments => {
            "stdin holds several YAML documents; one ResourceList was expected".to_owned()
        }
    })?;
    match root.kind {
        Kind::Mapping(_) => {}
        Kind::Sequence(_) => return Err("stdin is a YAML sequence, not a ResourceList".to_owned()),
        Kind::Scalar { .. } | Kind::Alias => {
            return Err("stdin is a YAML scalar, not a ResourceList".to_owned());
        }
    }
    for key in ["kind", "items", "functionConfig", "results"] {
        if root.count(key) > 1 {
            return Err(format!("the ResourceList has `{key}` more than once"));
        }
    }
    match root.get("kind") {
        None => return Err("stdin has no `kind`; a ResourceList was expected".to_owned()),
        Some(kind) if kind.scalar() != Some("ResourceList") => {
            return Err("stdin's `kind` is not ResourceList".to_owned());
        }
        Some(_) => {}
    }
    match root.get("items") {
        Some(items) if !items.is_null() && !matches!(items.kind, Kind::Sequence(_)) => {
            Err("the ResourceList's `items` is not a sequence".to_owned())
        }
        _ => Ok(root),
    }
}

/// The functionConfig's own text, with `metadata.annotations` blanked: they belong to the
/// function runtime (config.kubernetes.io/..., internal.config.kubernetes.io/...), not to the
/// spec. A block mapping keeps its indentation, which YAML allows at the top level.
fn spec_text(input: &str, config: &Node) -> String {
    let block = |node: &Node| node.kind == Kind::Mapping(Style::Block);
    // A block mapping ends where the next token starts: at the start of that line.
    let end = |node: &Node| {
        if block(node) {
            line_start(input, node.span.end)
        } else {
            node.span.end
        }
    };
    let start = line_start(input, config.span.start);
    let region = start..end(config).max(start);
    let annotations = config
        .get("metadata")
        .and_then(|m| m.get("annotations"))
        .filter(|a| matches!(a.kind, Kind::Mapping(_)))
        .map(|a| (a.span.start..end(a), if block(a) { "{}\n" } else { "{}" }))
        .filter(|(r, _)| region.start <= r.start && r.start <= r.end && r.end <= region.end);
    match annotations {
        Some((blank, with)) => format!(
            "{}{with}{}",
            &input[region.start..blank.start],
            &input[blank.end..region.end]
        ),
        None => input[region].to_owned(),
    }
}

fn results(diagnostics: &[Diagnostic]) -> Vec<Value> {
    diagnostics.iter().map(diagnostic_result).collect()
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

/// The input list back, with one error and no object added.
fn failed(input: &str, root: &Node, message: &str) -> Outcome {
    finish(input, root, &[], &[result("error", message, None)], false)
}

/// The input list back with `objects` appended to its items and `results` set; never the
/// functionConfig, which may hold a literal key.
fn finish(input: &str, root: &Node, objects: &[String], results: &[Value], ok: bool) -> Outcome {
    let items = root.get("items").map_or(0, |i| i.items) + objects.len();
    match splice(input, root, &Added { objects, results }) {
        Ok(output) if is_answer(&output, items) => Outcome { output, ok },
        Ok(_) => refused(UNSPLICEABLE),
        Err(e) => refused(&e.to_string()),
    }
}

const UNSPLICEABLE: &str = "the ResourceList cannot be returned without its functionConfig \
    and results (does an item use an anchor defined in them?)";

/// Whether `output` reads as one list with `items` items and no functionConfig: a check
/// of the splice, whose input can be any YAML (an alias into functionConfig would dangle).
fn is_answer(output: &str, items: usize) -> bool {
    layout::read(output).is_ok_and(|root| {
        root.get("items").is_some_and(|i| i.items == items) && root.count("functionConfig") == 0
    })
}

/// A new, empty ResourceList that carries one error: for an input that is not a list, or
/// no usable input at all.
pub fn refused(message: &str) -> Outcome {
    let head = "apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems: []\nresults:\n";
    let results = [result("error", message, None)];
    // A Value of plain data always serializes; the fallback keeps the contract (some output).
    let output = match yaml::to_string(&results, "the results") {
        Ok(results) => format!("{head}{results}"),
        Err(e) => format!(
            "{head}- message: {}\n  severity: error\n",
            json!(e.to_string())
        ),
    };
    Outcome { output, ok: false }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec_of(input: &str) -> String {
        let root = resource_list(input).expect("a ResourceList");
        spec_text(input, root.get("functionConfig").expect("functionConfig"))
    }

    #[test]
    fn the_spec_is_the_function_config_text_without_the_runtime_annotations() {
        let block = "kind: ResourceList\nfunctionConfig:\n  # the spec\n  metadata:\n    name: x\n    annotations:\n      config.kubernetes.io/index: '0'\n  kind: Gateway\nitems: []\n";
        assert_eq!(
            spec_of(block),
            "  metadata:\n    name: x\n    annotations:\n      {}\n  kind: Gateway\n"
        );
        let flow = r#"{"kind": "ResourceList", "functionConfig": {"metadata": {"annotations": {"a": "b"}, "name": "x"}}}"#;
        assert_eq!(
            spec_of(flow),
            r#"{"metadata": {"annotations": {}, "name": "x"}}"#
        );
    }
}
