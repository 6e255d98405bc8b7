//! Spec text -> `spec::Gateway`. Syntax and shape errors become located diagnostics, and
//! as many as can be found in one run: after a field-level error the offending entry is
//! blanked out (line numbers kept) and the text parsed again.

mod missing;
mod recover;

use std::path::{Path, PathBuf};

use crate::diagnostics::{Code, Diagnostic, Location};
use crate::input::{self, MAX_SPEC_BYTES, Pipes, ReadError};
use crate::spec::Gateway;
use crate::suggest;

pub use recover::{Parsed, parse_recovering};

/// A spec as read from disk: its text and where it came from.
#[derive(Debug, Clone)]
pub struct SpecSource {
    /// The file's path as given; `file` secret sources are relative to its directory.
    pub path: PathBuf,
    pub text: String,
}

impl SpecSource {
    /// Reads a spec file (or a pipe, such as `/dev/stdin`), at most `MAX_SPEC_BYTES`. A
    /// file too large or not UTF-8 is a diagnostic, not an I/O error; a device is refused.
    pub fn read(path: &Path) -> Result<Self, crate::Error> {
        let bytes = match input::read_path(path, MAX_SPEC_BYTES, Pipes::Allowed) {
            Ok(bytes) => bytes,
            Err(ReadError::TooLarge { cap }) => {
                return Err(crate::Error::Invalid(vec![Diagnostic::error(
                    Code::E031,
                    "",
                    format!("the spec file is larger than {cap} bytes, the most litegate reads"),
                )]));
            }
            Err(reason) => {
                return Err(crate::Error::Read {
                    what: "spec",
                    path: path.to_path_buf(),
                    reason,
                });
            }
        };
        let text = String::from_utf8(bytes).map_err(|e| {
            let valid = &e.as_bytes()[..e.utf8_error().valid_up_to()];
            let line = valid.iter().filter(|&&b| b == b'\n').count() + 1;
            let column = valid.iter().rev().take_while(|&&b| b != b'\n').count() + 1;
            crate::Error::Invalid(vec![
                Diagnostic::error(Code::E029, "", "the spec file is not valid UTF-8")
                    .at(Location { line, column })
                    .with_help("save the file as UTF-8"),
            ])
        })?;
        Ok(Self {
            path: path.to_path_buf(),
            text,
        })
    }

    /// The directory that relative `file` sources are read from.
    /// A spec that could not be read: its path, for messages about it, and no text.
    pub fn unread(path: &Path) -> Self {
        SpecSource {
            path: path.to_path_buf(),
            text: String::new(),
        }
    }

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

/// Parses the spec text into typed form, or reports every shape error it can find.
pub fn parse(text: &str) -> Result<Gateway, Vec<Diagnostic>> {
    let parsed = parse_recovering(text);
    match parsed.spec {
        Some(spec) if parsed.diagnostics.is_empty() => Ok(spec),
        _ => Err(parsed.diagnostics),
    }
}

/// A shape error as recovery needs it: the diagnostic, and what the error was about, read
/// from serde-saphyr's error variant rather than from its words.
pub(crate) struct ShapeError {
    pub diagnostic: Diagnostic,
    /// A required field that is absent.
    pub missing: Option<&'static str>,
    /// For an unknown field, the known one it most likely means.
    pub suggestion: Option<String>,
}

/// The error behind serde-saphyr's snippet and alias wrappers.
fn innermost(mut error: &serde_saphyr::Error) -> &serde_saphyr::Error {
    use serde_saphyr::Error as E;
    while let E::WithSnippet { error: inner, .. } | E::AliasError { error: inner, .. } = error {
        error = inner;
    }
    error
}

pub(crate) fn shape_error(error: &serde_saphyr::Error) -> ShapeError {
    use serde_saphyr::Error as E;
    let loc = error.location();
    let location = loc.map(|l| Location {
        line: l.line() as usize,
        column: l.column() as usize,
    });
    let (mut missing, mut suggestion) = (None, None);
    let mut diagnostic = match innermost(error) {
        E::SerdeUnknownField {
            field, expected, ..
        } => {
            suggestion = suggest::did_you_mean(field, expected.iter().copied()).map(str::to_owned);
            let help = match &suggestion {
                Some(s) => suggest::phrase(s),
                None => format!("the fields here are: {}", expected.join(", ")),
            };
            Diagnostic::error(Code::E002, "", format!("unknown field `{field}`")).with_help(help)
        }
        E::SerdeMissingField { field, .. } => {
            missing = Some(*field);
            Diagnostic::error(Code::E001, "", plain_words(&message_of(error, location)))
        }
        E::DuplicateMappingKey { key, .. } => Diagnostic::error(
            Code::E030,
            "",
            format!(
                "key `{}` is given twice in this mapping",
                key.as_deref().unwrap_or("")
            ),
        )
        .with_help("keep one; YAML readers disagree on which one wins"),
        E::Budget { .. }
        | E::AliasReplayCounterOverflow { .. }
        | E::AliasReplayLimitExceeded { .. }
        | E::AliasExpansionLimitExceeded { .. }
        | E::AliasReplayStackDepthExceeded { .. } => Diagnostic::error(
            Code::E032,
            "",
            "anchors and aliases expand this document beyond the parser's limits",
        )
        .with_help("write the values out instead of nesting aliases"),
        // The spec's own deserializers refuse secret sources of the wrong shape with these
        // messages (spec/secret_source.rs), never quoting the value.
        E::Message { msg, .. } if crate::spec::is_source_refusal(msg) => {
            Diagnostic::error(Code::E014, "", msg.clone())
        }
        _ => Diagnostic::error(Code::E001, "", plain_words(&message_of(error, location))),
    };
    diagnostic.location = location;
    diagnostic.span = loc.and_then(|l| {
        let span = l.span();
        let start = usize::try_from(span.byte_offset()?).ok()?;
        let len = usize::try_from(span.byte_len().unwrap_or(0)).ok()?;
        Some(start..start + len.max(1))
    });
    ShapeError {
        diagnostic,
        missing,
        suggestion,
    }
}

/// The error's words without saphyr's snippet (which could quote a line holding a secret)
/// and without the location, which the diagnostic carries itself.
fn message_of(error: &serde_saphyr::Error, location: Option<Location>) -> String {
    let message = error.without_snippet().to_string();
    let Some(l) = location else {
        return message;
    };
    let suffix = format!(" at line {}, column {}", l.line, l.column);
    match message.strip_suffix(&suffix) {
        Some(stripped) => stripped.to_owned(),
        None => message,
    }
}

/// serde's type errors in the words of the spec.
fn plain_words(message: &str) -> String {
    let translated = match message {
        "invalid u8" | "invalid u16" | "invalid u32" | "invalid u64" => {
            "expected a whole number, 0 or more"
        }
        "invalid i32" | "invalid i64" => "expected a whole number",
        "expected sequence start" => "expected a list",
        "expected mapping start" => "expected a mapping (key: value)",
        "expected string scalar" => "expected a string",
        _ => return message.to_owned(),
    };
    translated.to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEAD: &str = "apiVersion: litegate/v1alpha1\nkind: Gateway\nmetadata: {name: x}\n";

    #[test]
    fn unknown_field_is_located_and_suggested() {
        let text = format!("{HEAD}provders: {{}}\n");
        let diagnostics = parse(&text).unwrap_err();
        let d = &diagnostics[0];
        assert_eq!(d.code, Code::E002);
        assert_eq!(d.message, "unknown field `provders`");
        assert_eq!(d.location, Some(Location { line: 4, column: 1 }));
        assert_eq!(d.help.as_deref(), Some("did you mean \"providers\"?"));
    }

    #[test]
    fn every_unknown_field_is_reported_in_one_run() {
        let text = format!(
            "{HEAD}providers:\n  openai: {{type: openai, apiKye: {{env: K}}}}\nmodels:\n  - {{name: a, provder: openai, model: m}}\n  - {{name: b, provider: openai, modle: m, model: x}}\ndeployment: {{replcas: 2}}\n"
        );
        let diagnostics = parse(&text).unwrap_err();
        let messages: Vec<&str> = diagnostics.iter().map(|d| d.message.as_str()).collect();
        assert_eq!(
            messages,
            [
                "unknown field `apiKye`",
                "unknown field `provder`",
                "unknown field `modle`",
                "unknown field `replcas`"
            ]
        );
        assert!(diagnostics.iter().all(|d| d.location.is_some()));
    }

    #[test]
    fn literal_secret_is_refused_without_echoing_it() {
        let text = format!(
            "{HEAD}providers:\n  openai:\n    type: openai\n    apiKey: sk-live-DO-NOT-PRINT\nmodels: []\ndeployment: {{}}\n"
        );
        let diagnostics = parse(&text).unwrap_err();
        assert_eq!(diagnostics[0].code, Code::E014);
        let rendered = diagnostics[0].to_text("spec.yaml", None);
        assert!(!rendered.contains("DO-NOT-PRINT"), "{rendered}");
        assert!(rendered.contains("spec.yaml:7:"), "{rendered}");
    }

    #[test]
    fn a_source_with_two_kinds_or_none_is_refused_as_a_secret_error() {
        for source in ["{env: A, file: b}", "{}"] {
            let text = format!(
                "{HEAD}providers:\n  openai: {{type: openai, apiKey: {source}}}\nmodels: []\n"
            );
            assert_eq!(parse(&text).unwrap_err()[0].code, Code::E014, "{source}");
        }
    }

    #[test]
    fn a_missing_field_is_named_and_recovered_from() {
        let text = format!("{HEAD}providers: {{}}\nmodels:\n  - {{name: a, provider: p}}\n");
        let diagnostics = parse(&text).unwrap_err();
        assert!(
            diagnostics.iter().any(|d| d.message.contains("`model`")),
            "{diagnostics:?}"
        );
    }

    /// serde-saphyr exposes no kind for these type errors, so `plain_words` matches its
    /// words: each one must still be what a wrong type produces, or this fails.
    #[test]
    fn every_translated_type_error_is_still_produced() {
        let cases = [
            (
                "deployment: {replicas: -1}\n",
                "expected a whole number, 0 or more",
            ),
            ("models: {a: 1}\n", "expected a list"),
            ("providers: [a]\n", "expected a mapping (key: value)"),
            ("metadata: {name: [a]}\n", "expected a string"),
        ];
        for (body, words) in cases {
            let text = HEAD.replace("metadata: {name: x}\n", "") + body;
            let text = if body.starts_with("metadata") {
                text
            } else {
                format!("{text}metadata: {{name: x}}\n")
            };
            let diagnostics = parse(&text).unwrap_err();
            assert!(
                diagnostics.iter().any(|d| d.message == words),
                "{body}: {diagnostics:?}"
            );
        }
    }

    #[test]
    fn duplicate_keys_are_their_own_error() {
        let text = format!("{HEAD}kind: Gateway\n");
        assert_eq!(parse(&text).unwrap_err()[0].code, Code::E030);
    }

    #[test]
    fn an_alias_bomb_is_refused() {
        // Ten levels of ten-fold aliases inside a free-form map: 10^10 nodes if expanded.
        let mut bomb = String::from("a: &a [x, x, x, x, x, x, x, x, x, x]");
        for i in 1..10u8 {
            let (prev, name) = ((b'a' + i - 1) as char, (b'a' + i) as char);
            let refs = vec![format!("*{prev}"); 10].join(", ");
            bomb.push_str(&format!(", {name}: &{name} [{refs}]"));
        }
        let text = format!(
            "{HEAD}providers: {{}}\nmodels:\n  - {{name: m, provider: p, model: m, info: {{{bomb}}}}}\ndeployment: {{}}\n"
        );
        let diagnostics = parse(&text).unwrap_err();
        assert_eq!(diagnostics[0].code, Code::E032, "{:?}", diagnostics[0]);
    }

    /// Comments are not events: a long block of them between a key and its value is no
    /// error (as events, more than 96 in a row overflowed the parser's look-ahead).
    #[test]
    fn a_long_comment_block_inside_a_mapping_is_read_past() {
        let comments = "    # a comment\n".repeat(200);
        let text = format!(
            "{HEAD}providers:\n  openai:\n{comments}    type: openai\n    apiKey: {{env: K}}\nmodels: []\ndeployment: {{}}\n"
        );
        let spec = parse(&text).expect("parses");
        assert!(spec.providers.contains_key("openai"));
    }

    #[test]
    fn empty_file_is_an_error() {
        assert_eq!(parse("  \n").unwrap_err()[0].code, Code::E001);
    }
}
