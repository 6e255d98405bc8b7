//! Diagnostics as people read them (rustc's shape, drawn by annotate-snippets) and as
//! machines read them (JSON for CI annotations). Source lines come from the redacted copy
//! of the spec, so a snippet never shows a secret.

use annotate_snippets::{AnnotationKind, Group, Level, Origin, Renderer, Snippet};
use serde::Serialize;

use super::{Diagnostic, Severity};

/// rustc-style text:
///
/// ```text
/// error[E012]: models[3].provider: unknown provider "opnai"
///   --> gateway.yaml:12:15
///    |
/// 12 |     provider: opnai
///    |               ^^^^^
///    |
///    = help: did you mean "openai"?
/// ```
///
/// `source` is the redacted spec text; without it (or a span) only the place is named.
pub fn text(d: &Diagnostic, file: &str, source: Option<&str>) -> String {
    let level = match d.severity {
        Severity::Error => Level::ERROR,
        Severity::Warning => Level::WARNING,
    };
    let title = if d.path.is_empty() {
        d.message.clone()
    } else {
        format!("{}: {}", d.path, d.message)
    };
    let mut group = Group::with_title(level.primary_title(title).id(d.code.as_str()));
    let span = d
        .span
        .clone()
        .or_else(|| Some(span_at(source?, d.location?)));
    // Spans come from several parsers; the snippet drawer slices on them, so they must
    // fall on character boundaries of the text it is given.
    let span = match (source, span) {
        (Some(src), Some(r)) => {
            let start = src.floor_char_boundary(r.start.min(src.len()));
            let end = src.ceil_char_boundary(r.end.clamp(start, src.len()));
            // A block scalar's span runs to the next key's indentation: underline its text.
            let trimmed = start + src[start..end].trim_end().len();
            Some(start..if trimmed > start { trimmed } else { end })
        }
        (_, span) => span,
    };
    match (source, &span, d.location) {
        (Some(src), Some(span), _) if span.end <= src.len() && span.start < span.end => {
            group = group.element(
                Snippet::source(src)
                    .path(file)
                    .fold(true)
                    .annotation(AnnotationKind::Primary.span(span.clone())),
            );
        }
        (_, _, Some(l)) => {
            group = group.element(Origin::path(file).line(l.line).char_column(l.column))
        }
        _ => group = group.element(Origin::path(file)),
    }
    if let Some(help) = &d.help {
        group = group.element(Level::HELP.message(help.as_str()));
    }
    let mut out = Renderer::plain().render(&[group]);
    out.push('\n');
    out
}

/// One character at a line and column, for diagnostics that know only their place.
fn span_at(source: &str, at: super::Location) -> std::ops::Range<usize> {
    let line_start: usize = source
        .split_inclusive('\n')
        .take(at.line.saturating_sub(1))
        .map(str::len)
        .sum();
    let line = source[line_start.min(source.len())..]
        .lines()
        .next()
        .unwrap_or("");
    let offset = line
        .char_indices()
        .nth(at.column.saturating_sub(1))
        .map_or(line.len(), |(i, _)| i);
    let start = (line_start + offset).min(source.len());
    let end = source[start..]
        .chars()
        .next()
        .map_or(start, |c| start + c.len_utf8());
    start..end
}

#[derive(Serialize)]
struct JsonDiagnostic<'a> {
    code: &'a str,
    severity: &'a str,
    path: &'a str,
    file: &'a str,
    line: Option<usize>,
    column: Option<usize>,
    message: &'a str,
    help: Option<&'a str>,
}

#[derive(Serialize)]
struct JsonReport<'a> {
    file: &'a str,
    errors: usize,
    warnings: usize,
    diagnostics: Vec<JsonDiagnostic<'a>>,
}

/// One JSON document for a whole run: counts and every diagnostic, for CI annotations.
pub fn json(diagnostics: &[Diagnostic], file: &str) -> String {
    let errors = diagnostics.iter().filter(|d| d.is_error()).count();
    let report = JsonReport {
        file,
        errors,
        warnings: diagnostics.len() - errors,
        diagnostics: diagnostics
            .iter()
            .map(|d| JsonDiagnostic {
                code: d.code.as_str(),
                severity: match d.severity {
                    Severity::Error => "error",
                    Severity::Warning => "warning",
                },
                path: &d.path,
                file,
                line: d.location.map(|l| l.line),
                column: d.location.map(|l| l.column),
                message: &d.message,
                help: d.help.as_deref(),
            })
            .collect(),
    };
    // Serializing plain strings and numbers cannot fail.
    let mut out = serde_json::to_string_pretty(&report).unwrap_or_default();
    out.push('\n');
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostics::{Code, Location};

    /// Found by tests/robustness.rs: a span from the parser ending inside a BOM that was
    /// typed into a key made the snippet drawer slice inside a character and panic.
    #[test]
    fn a_span_inside_a_multibyte_character_does_not_panic() {
        let source = "apiVersi\u{feff}on: litegate/v1alpha1\n";
        let mut d =
            Diagnostic::error(Code::E002, "", "unknown field").at(Location { line: 1, column: 1 });
        d.span = Some(0..10);
        let out = text(&d, "spec.yaml", Some(source));
        assert!(out.contains("spec.yaml:1:1"), "{out}");
    }
}
