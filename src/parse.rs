//! Spec text -> `spec::Gateway`. Syntax and shape errors become located diagnostics.

use std::path::{Path, PathBuf};

use crate::diagnostics::{Code, Diagnostic, Location};
use crate::spec::Gateway;
use crate::suggest;

/// A spec as read from disk: its text and where it came from.
#[derive(Debug, Clone)]
pub struct SpecSource {
    /// The file's path as given; `file` secret sources are relative to its directory.
    pub path: PathBuf,
    pub text: String,
}

impl SpecSource {
    /// Reads a spec file. A file that is not UTF-8 is a diagnostic, not an I/O error.
    pub fn read(path: &Path) -> Result<Self, crate::Error> {
        let bytes = std::fs::read(path).map_err(|e| crate::Error::io(path, e))?;
        let text = String::from_utf8(bytes).map_err(|e| {
            let valid = &e.as_bytes()[..e.utf8_error().valid_up_to()];
            let line = valid.iter().filter(|&&b| b == b'\n').count() + 1;
            let column = valid.iter().rev().take_while(|&&b| b != b'\n').count() + 1;
            crate::Error::Invalid(vec![
                Diagnostic::error(Code::E029, "", "the spec file is not valid UTF-8")
                    .at(Location { line, column }),
            ])
        })?;
        Ok(Self {
            path: path.to_path_buf(),
            text,
        })
    }

    /// The directory that relative `file` sources are read from.
    pub fn base_dir(&self) -> &Path {
        match self.path.parent() {
            Some(dir) if !dir.as_os_str().is_empty() => dir,
            _ => Path::new("."),
        }
    }

    /// The file name alone, for headers and messages that must not depend on the working directory.
    pub fn file_name(&self) -> String {
        self.path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "spec".to_owned())
    }
}

/// Parses the spec text into typed form.
pub fn parse(text: &str) -> Result<Gateway, Vec<Diagnostic>> {
    if text.trim().is_empty() {
        return Err(vec![
            Diagnostic::error(Code::E001, "", "the spec file is empty")
                .with_help("start from `litegate init` or one of the files in examples/"),
        ]);
    }
    serde_saphyr::from_str::<Gateway>(text).map_err(|e| vec![diagnostic_from(&e)])
}

fn diagnostic_from(error: &serde_saphyr::Error) -> Diagnostic {
    let location = error.location().map(|l| Location {
        line: l.line() as usize,
        column: l.column() as usize,
    });
    // The message without the snippet, which could show a line holding a secret.
    let mut message = error.without_snippet().to_string();
    if let Some(l) = location {
        let suffix = format!(" at line {}, column {}", l.line, l.column);
        if let Some(stripped) = message.strip_suffix(&suffix) {
            message = stripped.to_owned();
        }
    }
    let mut diagnostic = match unknown_field(&message) {
        Some((field, expected)) => {
            let help = suggest::help(field, expected.iter().copied())
                .unwrap_or_else(|| format!("the fields here are: {}", expected.join(", ")));
            Diagnostic::error(Code::E002, "", format!("unknown field `{field}`")).with_help(help)
        }
        None if message.contains(crate::spec::LITERAL_REFUSED) => {
            Diagnostic::error(Code::E014, "", message)
        }
        None => Diagnostic::error(Code::E001, "", message),
    };
    diagnostic.location = location;
    diagnostic
}

/// Splits serde's "unknown field `x`, expected one of `a`, `b`" into the field and the choices.
fn unknown_field(message: &str) -> Option<(&str, Vec<&str>)> {
    let rest = message.strip_prefix("unknown field `")?;
    let (field, rest) = rest.split_once('`')?;
    let expected = rest
        .trim_start_matches(", ")
        .trim_start_matches("expected one of ")
        .trim_start_matches("expected ")
        .split(", ")
        .map(|s| s.trim_matches('`'))
        .filter(|s| !s.is_empty() && *s != "there are no fields")
        .collect();
    Some((field, expected))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_field_is_located_and_suggested() {
        let text =
            "apiVersion: litegate/v1alpha1\nkind: Gateway\nmetadata: {name: x}\nprovders: {}\n";
        let diagnostics = parse(text).unwrap_err();
        let d = &diagnostics[0];
        assert_eq!(d.code, Code::E002);
        assert_eq!(d.message, "unknown field `provders`");
        assert_eq!(d.location, Some(Location { line: 4, column: 1 }));
        assert_eq!(d.help.as_deref(), Some("did you mean \"providers\"?"));
    }

    #[test]
    fn literal_secret_is_refused_without_echoing_it() {
        let text = "apiVersion: litegate/v1alpha1\nkind: Gateway\nmetadata: {name: x}\n\
                    providers:\n  openai:\n    type: openai\n    apiKey: sk-live-DO-NOT-PRINT\n\
                    models: []\ndeployment: {}\n";
        let diagnostics = parse(text).unwrap_err();
        let rendered = diagnostics[0].render("spec.yaml");
        assert_eq!(diagnostics[0].code, Code::E014);
        assert!(!rendered.contains("DO-NOT-PRINT"), "{rendered}");
        assert!(rendered.contains("spec.yaml:7:"), "{rendered}");
    }

    #[test]
    fn empty_file_is_an_error() {
        assert_eq!(parse("  \n").unwrap_err()[0].code, Code::E001);
    }
}
