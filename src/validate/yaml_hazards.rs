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
    // One pass over the bytes, a line at a time; `tests::by_lines` is the same, readably.
    let bytes = text.as_bytes();
    let mut at = 0;
    while at < bytes.len() {
        while at < bytes.len() && matches!(bytes[at], b' ' | b'\t') {
            at += 1;
        }
        if bytes.get(at) == Some(&b'#') {
            while at < bytes.len() && !is_line_break(bytes[at]) {
                at += 1;
            }
            at += 1;
            continue;
        }
        let mut word = at;
        while at < bytes.len() {
            let b = bytes[at];
            at += 1;
            if WORD_BYTES[usize::from(b)] {
                continue;
            }
            if word_surprises(&bytes[word..at - 1]) {
                return true;
            }
            word = at;
            if is_line_break(b) {
                break;
            }
        }
        if word < at && word_surprises(&bytes[word..at]) {
            return true;
        }
    }
    false
}

/// YAML 1.2 breaks lines at `\r` as well as `\n`.
fn is_line_break(b: u8) -> bool {
    matches!(b, b'\n' | b'\r')
}

/// The bytes of a word: ASCII letters, digits, `.` and `-`, and quotes (kept in the word,
/// so that a quoted `"2024-10-21"` is not one). Every byte of a non-ASCII char ends a word,
/// as the char itself would.
const WORD_BYTES: [bool; 256] = {
    let mut table = [false; 256];
    let mut b = 0;
    while b < 256 {
        let c = b as u8;
        table[b] = c.is_ascii_alphanumeric() || matches!(c, b'.' | b'-' | b'"' | b'\'');
        b += 1;
    }
    table
};

/// `surprise` of a word, told cheaply for most words: what `surprise` can be true of at
/// all is a YAML 1.1 boolean (three letters at most) or a value that starts with a digit.
fn word_surprises(word: &[u8]) -> bool {
    match word.first() {
        Some(b'0'..=b'9') => std::str::from_utf8(word).is_ok_and(|w| surprise(w).is_some()),
        Some(_) if word.len() <= 3 => YAML11_BOOLEANS.iter().any(|b| b.as_bytes() == word),
        _ => false,
    }
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
    if value.bytes().all(|b| b.is_ascii_digit()) {
        // Neither a decimal point nor a date: only a leading zero can surprise.
        return (value.len() > 1 && value.starts_with('0'))
            .then_some("an octal or a number, losing its leading zero");
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

    /// `may_have_yaml_hazards` as it reads best: every line that is not a whole comment,
    /// split into words.
    fn by_lines(text: &str) -> bool {
        text.split(['\n', '\r'])
            .filter(|line| !line.trim_start_matches([' ', '\t']).starts_with('#'))
            .flat_map(|line| {
                line.split(|c: char| {
                    !(c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '"' | '\''))
                })
            })
            .any(|word| surprise(word).is_some())
    }

    proptest::proptest! {
        #[test]
        fn the_one_pass_scan_answers_as_the_line_by_line_one(
            text in r#"([ \t#\n\r"'.:{},\[\]-]|no|on|yes|Y|n|3\.10|2024-10-21|010|x|é|[a-z0-9]{1,4}){0,24}"#
        ) {
            proptest::prop_assert_eq!(may_have_yaml_hazards(&text), by_lines(&text), "{:?}", text);
        }

        #[test]
        fn the_cheap_test_of_a_word_answers_as_surprise(
            value in r#"(no|On|y|NO|0|1|2024|-|\.|[A-Za-z0-9.'"-]){0,6}"#
        ) {
            proptest::prop_assert_eq!(
                word_surprises(value.as_bytes()),
                surprise(&value).is_some(),
                "{}",
                value
            );
        }
    }

    #[test]
    fn the_cheap_filter_passes_every_listed_surprise() {
        for value in YAML11_BOOLEANS
            .iter()
            .chain(&["3.10", "2024-10-21", "010", "0.90"])
        {
            assert!(surprise(value).is_some(), "{value}");
            assert!(word_surprises(value.as_bytes()), "{value}");
        }
    }
}
