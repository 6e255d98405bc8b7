//! YAML 1.1 surprises. litegate reads YAML 1.2, where `no` and `3.10` in a string field are
//! the strings they look like; but in free-form `params` and `info` a plain `3.10` becomes
//! the number 3.1, `no` may become false, and LiteLLM's Python (YAML 1.1) reads `on` and
//! `2024-10-21` as a boolean and a date. Quoting says what is meant.

use crate::diagnostics::{Code, Diagnostic};
use crate::source_map::SourceMap;

const YAML11_BOOLEANS: &[&str] = &[
    "y", "Y", "yes", "Yes", "YES", "n", "N", "no", "No", "NO", "on", "On", "ON", "off", "Off",
    "OFF",
];

pub fn yaml_hazards(map: &SourceMap) -> Vec<Diagnostic> {
    map.nodes()
        .into_iter()
        .filter(|(path, _)| is_free_form(path))
        .filter_map(|(path, node)| {
            let value = node.plain_scalar.as_deref()?;
            let reading = surprise(value)?;
            Some(
                Diagnostic::warning(
                    Code::W005,
                    path,
                    format!("unquoted `{value}` is read as {reading}"),
                )
                .with_help(format!("write \"{value}\" if you mean the string")),
            )
        })
        .collect()
}

/// Whether `yaml_hazards` can find anything in `text`, without building its source map. A
/// surprising value is ASCII letters, digits, `.` and `-` only, and a plain scalar has no
/// escapes, touches no quote and ends at a space, a line break or a flow indicator, so it
/// stands in the text as a whole run of those characters (quotes kept in the runs, so
/// that a quoted `"2024-10-21"` does not count).
///
/// A line that is a whole comment holds no plain scalar (a `#` after indentation starts a
/// comment, even inside a multi-line plain scalar, and ends it), so it is skipped: prose
/// in comments ("renders on a fresh clone") no longer costs a second parse.
pub fn may_have_yaml_hazards(text: &str) -> bool {
    // The whole-text scan first: it is the cheaper one, and a spec without any surprising
    // token (a large generated one) pays nothing more than before.
    has_surprising_token(text)
        && text
            // YAML 1.2 breaks lines at `\r` as well as `\n`; only indentation is trimmed.
            .split(['\n', '\r'])
            .filter(|line| !line.trim_start_matches([' ', '\t']).starts_with('#'))
            .any(has_surprising_token)
}

fn has_surprising_token(text: &str) -> bool {
    text.split(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '"' | '\'')))
        .any(|token| surprise(token).is_some())
}

/// Values that pass through to LiteLLM untyped: provider and model params, model info.
fn is_free_form(path: &str) -> bool {
    let mut segments = path.rsplit('.');
    segments.next();
    matches!(segments.next(), Some("params" | "info"))
}

fn surprise(value: &str) -> Option<&'static str> {
    if YAML11_BOOLEANS.contains(&value) {
        return Some("a boolean by YAML 1.1 readers");
    }
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if let Some((int, frac)) = value.split_once('.')
        && digits(int)
        && digits(frac)
        && frac.ends_with('0')
    {
        return Some("a number, losing its trailing zero");
    }
    let mut parts = value.split('-');
    if let (Some(year), Some(month), Some(day), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
        && year.len() == 4
        && [year, month, day].into_iter().all(digits)
    {
        return Some("a date by YAML 1.1 readers");
    }
    if value.len() > 1 && value.starts_with('0') && digits(value) {
        return Some("an octal or a number, losing its leading zero");
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags_surprising_values_in_params_only() {
        let text = "models:\n  - name: no\n    params: {stop: no, top_p: 0.90, seed: 7, user: \"on\"}\n    info: {since: 2024-10-21}\n";
        let found = yaml_hazards(&SourceMap::build(text));
        let paths: Vec<&str> = found.iter().map(|d| d.path.as_str()).collect();
        assert_eq!(
            paths,
            [
                "models[0].params.stop",
                "models[0].params.top_p",
                "models[0].info.since"
            ]
        );
        assert!(may_have_yaml_hazards(text));
    }

    #[test]
    fn a_text_without_surprising_tokens_needs_no_source_map() {
        let text =
            "models:\n  - {name: a, params: {top_p: 0.9, stop: \"no\"}, info: {v: '2024-10-21'}}\n";
        assert!(!may_have_yaml_hazards(text));
        assert!(yaml_hazards(&SourceMap::build(text)).is_empty());
        for hazard in [
            "{stop: no}",
            "[on]",
            "x:\n  - 010",
            "{\"a\":3.10}",
            "2024-10-21",
        ] {
            assert!(may_have_yaml_hazards(hazard), "{hazard}");
        }
    }

    #[test]
    fn whole_comment_lines_are_skipped_but_nothing_after_a_line_break() {
        assert!(!may_have_yaml_hazards(
            "# renders on a fresh clone
  # no
x: 1
"
        ));
        for hazard in [
            "# c\rx: {a: on}",
            "x: on # c",
            "\u{a0}#k: on",
            "# c\n\t{a: no}",
        ] {
            assert!(may_have_yaml_hazards(hazard), "{hazard:?}");
        }
    }
}
