//! A YAML error in the config, told without quoting the config: the parser's message
//! without its own snippet (which shows the raw lines, keys and all), the place, and the
//! lines up to it from the masked copy of the text (`redact(text, Shape::Other)`).

use crate::diagnostics::{Shape, redact};
use crate::secret_shape::scrub;

/// Lines shown before the one in error.
const CONTEXT_LINES: usize = 2;

/// "the file is not YAML: line L, column C: <why>" and a masked snippet.
pub(super) fn not_yaml(text: &str, error: &serde_saphyr::Error) -> String {
    let message = error.without_snippet().to_string();
    let Some(loc) = error.location() else {
        return format!("the file is not YAML: {}", scrub(&message));
    };
    let line = usize::try_from(loc.line()).unwrap_or(0);
    let column = usize::try_from(loc.column()).unwrap_or(0);
    let why = message
        .trim_start_matches("error: ")
        .trim_start_matches(&format!("line {line} column {column}: "))
        .trim_end_matches(&format!(" at line {line}, column {column}"))
        .trim_end_matches(", set DuplicateKeyPolicy in Options if acceptable");
    let offset = loc
        .span()
        .byte_offset()
        .and_then(|o| usize::try_from(o).ok());
    let masked = redact(text, Shape::Other);
    format!(
        "the file is not YAML: line {line}, column {column}: {}{}",
        scrub(why),
        snippet(&masked, line, column, offset)
    )
}

/// The masked lines up to `line` (1-based), numbered, and a caret under the place.
fn snippet(masked: &str, line: usize, column: usize, offset: Option<usize>) -> String {
    let Some(index) = line.checked_sub(1) else {
        return String::new();
    };
    let lines: Vec<&str> = masked.split('\n').collect();
    let Some(here) = lines.get(index) else {
        return String::new();
    };
    // The column in characters of the masked line: a masked character may be wider in
    // bytes than one star, so count from the byte offset when the parser gave one.
    let caret = offset
        .filter(|o| *o <= masked.len() && masked.is_char_boundary(*o))
        .map(|o| {
            let start = masked[..o].rfind('\n').map_or(0, |i| i + 1);
            masked[start..o].chars().count()
        })
        .unwrap_or(column.saturating_sub(1))
        .min(here.chars().count());
    let width = line.to_string().len();
    let mut out = String::new();
    for (i, text) in lines
        .iter()
        .enumerate()
        .take(index + 1)
        .skip(index.saturating_sub(CONTEXT_LINES))
    {
        out.push_str(&format!("\n  {:>width$} | {}", i + 1, text.trim_end()));
    }
    out.push_str(&format!("\n  {:>width$} | {}^", "", " ".repeat(caret)));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_snippet_is_masked_and_points_at_the_place() {
        let text = "model_list:\n  - model_name: x\n    litellm_params:\n      api_key: sk-proj-abcdefgh12345678\n      model: [openai/x\n";
        let Err(e) = serde_saphyr::from_str::<serde_json::Value>(text) else {
            panic!("not an error");
        };
        let message = not_yaml(text, &e);
        assert!(!message.contains("sk-proj"), "{message}");
        assert!(
            message.starts_with("the file is not YAML: line "),
            "{message}"
        );
        assert!(
            message.contains("| ") && message.ends_with('^'),
            "{message}"
        );
        assert_eq!(
            snippet("a: 1\nbb: [", 2, 5, None),
            "\n  1 | a: 1\n  2 | bb: [\n    |     ^"
        );
    }
}
