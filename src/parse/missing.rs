//! Missing required fields, found where they are missing and filled with a placeholder so
//! the parse goes on: one run names every missing field at its own path, instead of one a
//! run under whichever key serde happened to stop at (`kind: missing field metadata`).

use crate::diagnostics::{Code, Diagnostic, Location};
use crate::source_map::{Node, SourceMap};

/// Where required fields live: (parent pattern, field, placeholder in flow YAML). A `*`
/// stands for any one map key, `[*]` for any list index. Placeholders are valid YAML of
/// the field's type; nothing is reported about them (their paths are marked blanked).
const REQUIRED: &[(&str, &str, &str)] = &[
    ("", "apiVersion", "litegate/v1alpha1"),
    ("", "kind", "Gateway"),
    ("", "metadata", "{name: \"\"}"),
    ("", "providers", "{}"),
    ("", "models", "[]"),
    ("", "deployment", "{}"),
    ("metadata", "name", "\"\""),
    ("providers.*", "type", "\"\""),
    ("models[*]", "name", "\"\""),
    ("models[*]", "provider", "\"\""),
    ("models[*]", "model", "\"\""),
    ("deployment.autoscaling", "minReplicas", "1"),
    ("deployment.autoscaling", "maxReplicas", "1"),
    (
        "deployment.database",
        "url",
        "{secretRef: {name: \"\", key: \"\"}}",
    ),
    ("deployment.redis", "host", "\"\""),
    ("deployment.secrets.store", "name", "\"\""),
    ("deployment.networkPolicy", "from", "[]"),
];

/// One missing field: the diagnostic, the path it stands for, and the text that fills it
/// (an insertion at `offset` of the original text).
pub struct Missing {
    pub diagnostic: Diagnostic,
    pub path: String,
    pub offset: usize,
    pub insert: String,
}

/// Every place `field` is required and absent, in mappings present in the text.
pub fn find(text: &str, map: &SourceMap, field: &str) -> Vec<Missing> {
    let mut out = Vec::new();
    for &(pattern, name, placeholder) in REQUIRED.iter().filter(|r| r.1 == field) {
        for (parent, node) in parents(map, pattern) {
            let path = join(&parent, name);
            if map.get(&path).is_some() || !is_mapping(text, map, &parent, node) {
                continue;
            }
            if let Some(found) = fill(text, map, &parent, node, name, placeholder) {
                out.push(Missing {
                    diagnostic: diagnostic(text, map, &parent, node, name),
                    path,
                    offset: found.0,
                    insert: found.1,
                });
            }
        }
    }
    out
}

fn join(parent: &str, field: &str) -> String {
    if parent.is_empty() {
        field.to_owned()
    } else {
        format!("{parent}.{field}")
    }
}

/// The nodes whose path matches `pattern`.
fn parents<'a>(map: &'a SourceMap, pattern: &str) -> Vec<(String, &'a Node)> {
    map.nodes()
        .into_iter()
        .filter(|(path, _)| matches(pattern, path))
        .map(|(path, node)| (path.to_owned(), node))
        .collect()
}

fn matches(pattern: &str, path: &str) -> bool {
    if let Some(prefix) = pattern.strip_suffix("[*]") {
        return path
            .strip_prefix(prefix)
            .and_then(|r| r.strip_prefix('['))
            .and_then(|r| r.strip_suffix(']'))
            .is_some_and(|i| !i.is_empty() && i.bytes().all(|b| b.is_ascii_digit()));
    }
    if let Some(prefix) = pattern.strip_suffix(".*") {
        return path
            .strip_prefix(prefix)
            .and_then(|r| r.strip_prefix('.'))
            .is_some_and(|k| !k.is_empty() && !k.contains(['.', '[']));
    }
    pattern == path
}

/// The top-level keys' nodes, for the root (which has no node of its own to insert into).
fn top_level(map: &SourceMap) -> Vec<&Node> {
    map.nodes()
        .into_iter()
        .filter(|(p, n)| !p.is_empty() && !p.contains(['.', '[']) && n.key.is_some())
        .map(|(_, n)| n)
        .collect()
}

fn is_mapping(text: &str, map: &SourceMap, parent: &str, node: &Node) -> bool {
    if parent.is_empty() {
        return !top_level(map).is_empty();
    }
    let value = text.get(node.value.clone()).unwrap_or_default();
    let prefix = format!("{parent}.");
    value.starts_with('{') || map.nodes().iter().any(|(p, _)| p.starts_with(&prefix))
}

/// Where and what to insert: after `{` in a flow mapping, before the first key (at its
/// indentation) in a block mapping.
fn fill(
    text: &str,
    map: &SourceMap,
    parent: &str,
    node: &Node,
    name: &str,
    placeholder: &str,
) -> Option<(usize, String)> {
    if parent.is_empty() {
        let first = top_level(map)
            .into_iter()
            .filter_map(|n| n.key.clone())
            .min_by_key(|k| k.start)?;
        return Some((first.start, format!("{name}: {placeholder}\n")));
    }
    let value = text.get(node.value.clone())?;
    if let Some(inner) = value.strip_prefix('{') {
        let empty = inner.trim_start().starts_with('}');
        let sep = if empty { "" } else { ", " };
        return Some((node.value.start + 1, format!("{name}: {placeholder}{sep}")));
    }
    let indent = " ".repeat(node.value_location.column.saturating_sub(1));
    Some((node.value.start, format!("{name}: {placeholder}\n{indent}")))
}

fn diagnostic(text: &str, map: &SourceMap, parent: &str, node: &Node, name: &str) -> Diagnostic {
    let help = match name {
        "metadata" => "every spec names its gateway: `metadata: {name: litellm}`".to_owned(),
        "apiVersion" => "start the spec with `apiVersion: litegate/v1alpha1`".to_owned(),
        "kind" => "add `kind: Gateway`".to_owned(),
        "deployment" => {
            "add `deployment:` with at least `masterKey: {env: LITELLM_MASTER_KEY}`".to_owned()
        }
        _ if parent.is_empty() => format!("add `{name}:` at the top level"),
        _ => format!("add `{name}:` to {parent}"),
    };
    let mut d =
        Diagnostic::error(Code::E001, parent, format!("missing field `{name}`")).with_help(help);
    let (span, location) = if parent.is_empty() {
        match top_level(map)
            .into_iter()
            .filter_map(|n| Some((n.key.clone()?, n.key_location?)))
            .min_by_key(|(k, _)| k.start)
        {
            Some(first) => first,
            None => (0..text.len().min(1), Location { line: 1, column: 1 }),
        }
    } else {
        match (&node.key, node.key_location) {
            (Some(k), Some(l)) => (k.clone(), l),
            _ => (node.value.clone(), node.value_location),
        }
    };
    d.span = Some(span);
    d.location = Some(location);
    d
}
