//! Error recovery: after a field-level error, parse on as if it were fixed, so one run
//! reports every such error. A misspelt key with a did-you-mean is read as the suggestion
//! (as rustc recovers); any other bad entry is blanked out. Edits are kept as a list, and
//! every location is mapped back to the user's own text.

use std::ops::Range;

use crate::diagnostics::{Code, Diagnostic, Location};
use crate::source_map::{SourceMap, parent};
use crate::spec::Gateway;

use super::{ShapeError, missing, shape_error};

/// How many field-level errors one run reports before it stops looking.
const MAX_RECOVERIES: usize = 64;

/// What a recovering parse found.
#[derive(Debug)]
pub struct Parsed {
    /// The spec, if the text parses once every reported problem is recovered from.
    pub spec: Option<Gateway>,
    pub diagnostics: Vec<Diagnostic>,
    /// Spec paths of the entries blanked out; later checks must not report on them again.
    pub blanked: Vec<String>,
}

/// Replacements of ranges of the original text, kept sorted and disjoint.
#[derive(Default)]
struct Edits(Vec<(Range<usize>, String)>);

impl Edits {
    /// Adds an edit; `false` when it would overlap one already made.
    fn add(&mut self, range: Range<usize>, with: String) -> bool {
        if self
            .0
            .iter()
            .any(|(r, _)| r.start < range.end && range.start < r.end)
        {
            return false;
        }
        // By start, then end: an insertion (empty range) goes before an edit starting there.
        let at = self
            .0
            .partition_point(|(r, _)| (r.start, r.end) <= (range.start, range.end));
        self.0.insert(at, (range, with));
        true
    }

    fn apply(&self, text: &str) -> String {
        let mut out = String::with_capacity(text.len());
        let mut at = 0;
        for (range, with) in &self.0 {
            out.push_str(&text[at..range.start]);
            out.push_str(with);
            at = range.end;
        }
        out.push_str(&text[at..]);
        out
    }

    /// An offset in the edited text -> the offset in the original.
    fn to_original(&self, offset: usize) -> usize {
        let mut shift: isize = 0;
        for (range, with) in &self.0 {
            let start = range.start.saturating_add_signed(shift);
            if offset < start {
                break;
            }
            if offset < start + with.len() {
                return range.start;
            }
            shift += with.len() as isize - range.len() as isize;
        }
        offset.saturating_add_signed(-shift)
    }
}

/// Line and column (1-based, columns in characters) of a byte offset.
fn location_of(text: &str, offset: usize) -> Location {
    let before = &text[..text.floor_char_boundary(offset.min(text.len()))];
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    Location {
        line: before.matches('\n').count() + 1,
        column: before[line_start..].chars().count() + 1,
    }
}

/// Parses, recovering from field-level errors (see the module docs).
pub fn parse_recovering(text: &str) -> Parsed {
    let mut recovery = Recovery {
        text,
        parsed: Parsed {
            spec: None,
            diagnostics: Vec::new(),
            blanked: Vec::new(),
        },
        edits: Edits::default(),
        map: None,
        recovered_fields: Vec::new(),
    };
    let only_comments = text.lines().all(|l| {
        let l = l.trim();
        l.is_empty() || l.starts_with('#')
    });
    if only_comments {
        recovery.parsed.diagnostics.push(
            Diagnostic::error(Code::E001, "", "the spec file is empty")
                .with_help("`litegate init > gateway.yaml` writes a commented starter spec"),
        );
        return recovery.parsed;
    }
    let mut work: Option<String> = None;
    for _ in 0..MAX_RECOVERIES {
        let current = work.as_deref().unwrap_or(text);
        let error = match serde_saphyr::from_str::<Gateway>(current) {
            Ok(spec) => {
                recovery.parsed.spec = Some(spec);
                break;
            }
            Err(e) => shape_error(&e),
        };
        if !recovery.recover(error) {
            break;
        }
        work = Some(recovery.edits.apply(text));
    }
    recovery.parsed
}

/// A recovering parse under way: what was found, and the edits that get past it.
struct Recovery<'a> {
    text: &'a str,
    parsed: Parsed,
    edits: Edits,
    /// The source map of `text`, built at the first error that needs a place.
    map: Option<SourceMap>,
    /// Fields that recovery renamed or blanked: a later "missing field" about them is ours.
    recovered_fields: Vec<String>,
}

impl Recovery<'_> {
    /// Reports `error` and adds the edit that gets past it; `false` when there is none.
    fn recover(&mut self, error: ShapeError) -> bool {
        if let Some(field) = error.missing {
            if let Some(applied) = self.fill_missing(field) {
                return applied;
            }
            if self.recovered_fields.iter().any(|f| f == field) {
                return false;
            }
        }
        self.blank_or_rename(error.diagnostic, error.suggestion)
    }

    fn map(&mut self) -> &SourceMap {
        self.map.get_or_insert_with(|| SourceMap::build(self.text))
    }

    /// A required field missing where the user's text has the entry: reported there, with
    /// a placeholder inserted. `None` when no such entry is found outside a blanked one.
    fn fill_missing(&mut self, field: &str) -> Option<bool> {
        let text = self.text;
        let blanked = self.parsed.blanked.clone();
        let inside_blanked = |path: &str| {
            blanked.iter().any(|b| {
                path == b
                    || path.starts_with(&format!("{b}."))
                    || path.starts_with(&format!("{b}["))
            })
        };
        let found: Vec<missing::Missing> = missing::find(text, self.map(), field)
            .into_iter()
            .filter(|m| !inside_blanked(&m.path))
            .collect();
        if found.is_empty() {
            return None;
        }
        let mut applied = false;
        for m in found {
            if self.edits.add(m.offset..m.offset, m.insert) {
                applied = true;
                self.parsed.diagnostics.push(m.diagnostic);
                self.parsed.blanked.push(m.path);
            }
        }
        Some(applied)
    }

    /// Locates `diagnostic` in the user's text, then reads a misspelt key as its suggestion
    /// or blanks the bad entry out; `false` when neither can be done.
    fn blank_or_rename(&mut self, mut diagnostic: Diagnostic, suggestion: Option<String>) -> bool {
        let text = self.text;
        let Some(span) = diagnostic.span.clone() else {
            self.parsed.diagnostics.push(diagnostic);
            return false;
        };
        let start = self.edits.to_original(span.start);
        diagnostic.span =
            Some(start..start + span.len().min(text.len().saturating_sub(start)).max(1));
        diagnostic.location = Some(location_of(text, start));
        let map = self.map.get_or_insert_with(|| SourceMap::build(text));
        let entry = innermost_entry(map, start);
        if let Some(path) = innermost_path(map, start) {
            diagnostic.path = path;
        }
        let recoverable = matches!(diagnostic.code, Code::E001 | Code::E002 | Code::E014);
        self.parsed.diagnostics.push(diagnostic);
        let (true, Some((path, range))) = (recoverable, entry) else {
            return false;
        };
        let key_range = map.get(&path).and_then(|n| n.key.clone());
        let sibling_exists = |s: &str| {
            let p = parent(&path);
            map.get(&if p.is_empty() {
                s.to_owned()
            } else {
                format!("{p}.{s}")
            })
            .is_some()
        };
        match (suggestion, key_range) {
            (Some(s), Some(key)) if !sibling_exists(&s) => {
                self.recovered_fields.push(s.clone());
                self.edits.add(key, s)
            }
            _ => {
                let range = with_flow_comma(text, range);
                self.recovered_fields
                    .push(path.rsplit('.').next().unwrap_or(&path).to_owned());
                self.parsed.blanked.push(path);
                self.edits.add(range.clone(), blanked(&text[range]))
            }
        }
    }
}

/// The smallest mapping entry containing `offset`: its spec path and byte range.
fn innermost_entry(map: &SourceMap, offset: usize) -> Option<(String, Range<usize>)> {
    map.nodes()
        .into_iter()
        .filter(|(_, n)| n.key.is_some() && n.entry().contains(&offset))
        .min_by_key(|(_, n)| n.entry().len())
        .map(|(path, n)| (path.to_owned(), n.entry()))
}

/// The path of the smallest node of any kind containing `offset` (a sequence item too).
fn innermost_path(map: &SourceMap, offset: usize) -> Option<String> {
    map.nodes()
        .into_iter()
        .filter(|(path, n)| !path.is_empty() && n.entry().contains(&offset))
        .min_by_key(|(_, n)| n.entry().len())
        .map(|(path, _)| path.to_owned())
}

/// In a flow mapping (`{a: 1, b: 2}`) an entry goes with its comma, or `, ,` would remain.
fn with_flow_comma(text: &str, entry: Range<usize>) -> Range<usize> {
    let rest = &text[entry.end.min(text.len())..];
    let gap = rest.len() - rest.trim_start_matches([' ', '\t']).len();
    if rest[gap..].starts_with(',') {
        entry.start..entry.end + gap + 1
    } else {
        entry
    }
}

/// Spaces for every character but newlines, so lines and columns hold.
fn blanked(s: &str) -> String {
    s.chars()
        .map(|c| if c == '\n' { '\n' } else { ' ' })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_map_back_through_edits() {
        let mut edits = Edits::default();
        assert!(edits.add(2..4, "xyz".into())); // +1
        assert!(edits.add(10..13, "a".into())); // -2
        assert!(!edits.add(3..5, String::new()));
        assert_eq!(edits.apply("0123456789abcdef"), "01xyz456789adef");
        assert_eq!(edits.to_original(1), 1);
        assert_eq!(edits.to_original(3), 2);
        assert_eq!(edits.to_original(6), 5);
        assert_eq!(edits.to_original(13), 14);
    }

    #[test]
    fn an_insertion_where_a_replacement_starts_goes_first() {
        let mut edits = Edits::default();
        assert!(edits.add(2..4, "xy".into()));
        assert!(edits.add(2..2, "<".into()));
        assert!(edits.add(4..4, ">".into()));
        assert_eq!(edits.apply("0123456"), "01<xy>456");
    }
}
