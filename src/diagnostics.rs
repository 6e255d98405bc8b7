//! `Diagnostic`: one problem found in a spec, with a stable code, the spec path it
//! concerns and, where known, its line and column; and its rendering as text.
//!
//! Validators return diagnostics and never print. Messages never contain secret values.

use std::fmt;

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
    pub message: String,
    pub help: Option<String>,
}

impl Diagnostic {
    pub fn error(code: Code, path: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            code,
            severity: Severity::Error,
            path: path.into(),
            location: None,
            message: message.into(),
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
        self.help = Some(help.into());
        self
    }

    pub fn at(mut self, location: Location) -> Self {
        self.location = Some(location);
        self
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    /// Renders in rustc's shape: `error[E012]: models[3].provider: ...`, then the place and help.
    pub fn render(&self, file: &str) -> String {
        self.to_string_with_file(file)
    }

    fn to_string_with_file(&self, file: &str) -> String {
        let kind = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        let mut out = format!("{kind}[{}]: ", self.code.as_str());
        if !self.path.is_empty() {
            out.push_str(&self.path);
            out.push_str(": ");
        }
        out.push_str(&self.message);
        out.push('\n');
        match self.location {
            Some(Location { line, column }) => {
                out.push_str(&format!("  --> {file}:{line}:{column}\n"))
            }
            None => out.push_str(&format!("  --> {file}\n")),
        }
        if let Some(help) = &self.help {
            out.push_str(&format!("  = help: {help}\n"));
        }
        out
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_string_with_file("spec"))
    }
}

/// Sorts by place in the file, then by spec path, then by code: a stable order.
pub fn sort(diagnostics: &mut [Diagnostic]) {
    diagnostics.sort_by(|a, b| (a.location, &a.path, a.code).cmp(&(b.location, &b.path, b.code)));
}

/// Stable diagnostic codes. `E…` are errors, `W…` warnings (errors under `--strict`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Code {
    /// The file is not a readable YAML document of the expected shape.
    E001,
    /// A field that the spec format does not have.
    E002,
    /// `apiVersion` or `kind` is not the one this build reads.
    E003,
    /// An object name, namespace or reference is not a valid Kubernetes name.
    E004,
    /// A label or annotation key or value breaks Kubernetes syntax.
    E005,
    /// A provider `type` that litegate does not know.
    E010,
    /// A provider that needs `apiBase` has none.
    E011,
    /// A model names a provider that is not defined.
    E012,
    /// A provider that needs `apiKey` has none.
    E013,
    /// A secret source is malformed, or a literal secret was given.
    E014,
    /// A secret source cannot be read (unset env var, missing file, empty value).
    E015,
    /// Two models share a name and id.
    E016,
    /// A fallback names an unknown model, itself, or forms a cycle.
    E017,
    /// A param or `dropParams` entry that LiteLLM does not know.
    E018,
    /// Two secrets map to the same container env var, or a name is not a valid env var.
    E019,
    /// The ConfigMap's or the Secret's data is over Kubernetes' 1 MiB limit.
    E020,
    /// The master key would make LiteLLM exit, or is too weak.
    E021,
    /// The disruption budget would block node drains forever.
    E022,
    /// The grace period does not outlast the preStop sleep.
    E023,
    /// Autoscaling bounds are not highly available or not ordered.
    E024,
    /// A param that litegate sets itself (`model`, `api_key`, ...) given by hand.
    E025,
    /// A router strategy LiteLLM does not know.
    E026,
    /// `secrets.mode: external` with a source litegate would have to read.
    E027,
    /// A numeric or structural setting out of its range.
    E028,
    /// The spec file cannot be read at all.
    E029,
    /// The image is not pinned to a version.
    W001,
    /// A single replica: every rollout and node drain is an outage.
    W002,
    /// Rate limits without Redis are counted per pod.
    W003,
    /// A global `dropParams: true` silently drops request fields.
    W004,
}

impl Code {
    pub fn as_str(self) -> &'static str {
        match self {
            Code::E001 => "E001",
            Code::E002 => "E002",
            Code::E003 => "E003",
            Code::E004 => "E004",
            Code::E005 => "E005",
            Code::E010 => "E010",
            Code::E011 => "E011",
            Code::E012 => "E012",
            Code::E013 => "E013",
            Code::E014 => "E014",
            Code::E015 => "E015",
            Code::E016 => "E016",
            Code::E017 => "E017",
            Code::E018 => "E018",
            Code::E019 => "E019",
            Code::E020 => "E020",
            Code::E021 => "E021",
            Code::E022 => "E022",
            Code::E023 => "E023",
            Code::E024 => "E024",
            Code::E025 => "E025",
            Code::E026 => "E026",
            Code::E027 => "E027",
            Code::E028 => "E028",
            Code::E029 => "E029",
            Code::W001 => "W001",
            Code::W002 => "W002",
            Code::W003 => "W003",
            Code::W004 => "W004",
        }
    }
}
