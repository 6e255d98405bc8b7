//! `Diagnostic`: one problem found in a spec, with a stable code, the spec path it
//! concerns and, where known, its line and column; and its rendering as text.
//!
//! Validators return diagnostics and never print. Messages never contain secret values.

mod at;
mod codes;
mod redact;
pub mod report;

use std::fmt;
use std::ops::Range;

use crate::secret_shape::scrub;
use crate::source_map::SourceMap;

pub use at::At;
pub use codes::Code;
pub use redact::{Shape, redact, redact_source};

/// How bad a diagnostic is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    Warning,
    Error,
}

/// A 1-based line and column in the spec file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Location {
    pub line: usize,
    pub column: usize,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    pub code: Code,
    pub severity: Severity,
    /// The spec path as the user wrote it: `models[3].provider`; empty for the whole file.
    pub path: String,
    pub location: Option<Location>,
    /// The byte range in the spec the diagnostic points at, when known.
    pub span: Option<Range<usize>>,
    /// Point at the mapping key rather than its value (the key itself is the problem).
    pub on_key: bool,
    pub message: String,
    pub help: Option<String>,
}

impl Diagnostic {
    /// A message quotes what the user typed (a name, a path): should a pasted key stand
    /// there, `secret_shape::scrub` replaces it, here, once, for every output.
    pub fn error(code: Code, path: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            code,
            severity: Severity::Error,
            path: scrub(&path.into()).into_owned(),
            location: None,
            span: None,
            on_key: false,
            message: scrub(&message.into()).into_owned(),
            help: None,
        }
    }

    pub fn warning(code: Code, path: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            severity: Severity::Warning,
            ..Self::error(code, path, message)
        }
    }

    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(scrub(&help.into()).into_owned());
        self
    }

    /// Marks a diagnostic about a key (a misspelt param, a bad label key).
    pub fn on_key(mut self) -> Self {
        self.on_key = true;
        self
    }

    pub fn at(mut self, location: Location) -> Self {
        self.location = Some(location);
        self
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    /// As text for `file`, rustc-like; `source` is the redacted spec, for the snippet.
    pub fn to_text(&self, file: &str, source: Option<&str>) -> String {
        report::text(self, file, source)
    }

    /// Points the diagnostic at its path's place in the file, or at the nearest enclosing
    /// field that is there (a missing field is shown where its parent stands).
    pub fn locate(&mut self, map: &SourceMap) {
        if self.location.is_some() || self.path.is_empty() {
            return;
        }
        if let Some((found, node)) = map.nearest(&self.path) {
            let exact = found == self.path;
            let (span, location) = match (&node.key, node.key_location) {
                // A missing child: point at the parent's key, not its whole value.
                (Some(k), Some(l)) if !exact || self.on_key => (k.clone(), l),
                _ => (node.value.clone(), node.value_location),
            };
            self.span = Some(span);
            self.location = Some(location);
        }
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&report::text(self, "spec", None))
    }
}

/// Sorts by place in the file, then by spec path, then by code: a stable order.
pub fn sort(diagnostics: &mut [Diagnostic]) {
    diagnostics.sort_by(|a, b| (a.location, &a.path, a.code).cmp(&(b.location, &b.path, b.code)));
}
