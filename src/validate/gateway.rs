//! The document's frame: `apiVersion`, `kind`, `metadata`.

use crate::diagnostics::{At, Code, Diagnostic};
use crate::names::RESERVED_LABELS;
use crate::spec::{API_VERSION, Gateway, KIND};

use super::kubernetes::{is_dns1123_label, is_label_value, is_qualified_key};

pub fn check(spec: &Gateway, out: &mut Vec<Diagnostic>) {
    if spec.api_version != API_VERSION {
        out.push(
            Diagnostic::error(
                Code::E003,
                "apiVersion",
                format!("unsupported apiVersion \"{}\"", spec.api_version),
            )
            .with_help(format!("this litegate reads \"{API_VERSION}\"")),
        );
    }
    if spec.kind != KIND {
        out.push(
            Diagnostic::error(
                Code::E003,
                "kind",
                format!("unsupported kind \"{}\"", spec.kind),
            )
            .with_help(format!("the kind is \"{KIND}\"")),
        );
    }
    let name = &spec.metadata.name;
    if !is_dns1123_label(name) {
        out.push(
            Diagnostic::error(Code::E004, "metadata.name", format!("\"{name}\" is not a valid Kubernetes name"))
                .with_help("use at most 63 lowercase letters, digits and '-', starting and ending with a letter or digit"),
        );
    }
    if let Some(ns) = &spec.metadata.namespace
        && !is_dns1123_label(ns)
    {
        out.push(Diagnostic::error(
            Code::E004,
            "metadata.namespace",
            format!("\"{ns}\" is not a valid namespace name"),
        ));
    }
    labels("metadata.labels", &spec.metadata.labels, out);
}

/// Label keys and values, and the keys litegate sets itself.
pub fn labels<'a>(
    path: &str,
    labels: impl IntoIterator<Item = (&'a String, &'a String)>,
    out: &mut Vec<Diagnostic>,
) {
    let path = At::root(path);
    for (key, value) in labels {
        let at = path.key(key);
        if RESERVED_LABELS.contains(&key.as_str()) {
            out.push(
                Diagnostic::error(
                    Code::E005,
                    at,
                    format!("label \"{key}\" is set by litegate"),
                )
                .on_key(),
            );
        } else if !is_qualified_key(key) {
            out.push(
                Diagnostic::error(
                    Code::E005,
                    at,
                    format!("\"{key}\" is not a valid label key"),
                )
                .on_key(),
            );
        }
        if !is_label_value(value) {
            out.push(
                Diagnostic::error(Code::E005, at, format!("\"{value}\" is not a valid label value"))
                    .with_help("at most 63 of letters, digits, '-', '_', '.', starting and ending with a letter or digit"),
            );
        }
    }
}

/// Annotation keys (values are free text).
pub fn annotations<'a>(
    path: &str,
    keys: impl IntoIterator<Item = &'a String>,
    out: &mut Vec<Diagnostic>,
) {
    let path = At::root(path);
    for key in keys {
        if !is_qualified_key(key) {
            out.push(
                Diagnostic::error(
                    Code::E005,
                    path.key(key),
                    format!("\"{key}\" is not a valid annotation key"),
                )
                .on_key(),
            );
        }
    }
}
