//! The output ResourceList, spliced from the input text: every top-level entry but
//! `functionConfig` and `results` is copied byte for byte (so are the items, with their
//! scalars, tags, anchors and comments), litegate's objects are appended to `items`, and
//! the new `results` go last. Only the text litegate adds is written by litegate.

use std::ops::Range;

use serde_json::Value;

use super::layout::{Kind, Node, Style};
use crate::{Error, yaml};

/// What litegate adds: the rendered objects (canonical YAML, one object each) and results.
pub struct Added<'a> {
    pub objects: &'a [String],
    pub results: &'a [Value],
}

/// Top-level entries the output never copies: the spec may hold a literal key, and the old
/// results are replaced.
const DROPPED: [&str; 2] = ["functionConfig", "results"];

/// The output list; `root` is the input's root mapping, `items` a sequence or absent.
pub fn splice(text: &str, root: &Node, added: &Added) -> Result<String, Error> {
    let mut out = Writer {
        out: String::with_capacity(text.len() + 4096 * added.objects.len()),
        crlf: text.contains("\r\n"),
    };
    match root.kind {
        Kind::Mapping(Style::Flow) => flow_root(&mut out, text, root, added)?,
        _ => block_root(&mut out, text, root, added)?,
    }
    Ok(out.out)
}

/// The output text: copied input, and added text (with the input's line ends).
struct Writer {
    out: String,
    crlf: bool,
}

impl Writer {
    fn copy(&mut self, text: &str) {
        self.out.push_str(text);
    }

    fn add(&mut self, text: &str) {
        if self.crlf {
            self.out.push_str(&text.replace('\n', "\r\n"));
        } else {
            self.out.push_str(text);
        }
    }

    /// Makes sure what is added next starts a line.
    fn new_line(&mut self) {
        if !self.out.is_empty() && !self.out.ends_with('\n') {
            self.add("\n");
        }
    }
}

/// A block root: each entry is its lines, from its key's line to the next key's.
fn block_root(out: &mut Writer, text: &str, root: &Node, added: &Added) -> Result<(), Error> {
    let starts: Vec<usize> = root
        .entries
        .iter()
        .map(|e| line_start(text, e.key_span.start))
        .collect();
    let first = starts.first().copied().unwrap_or(root.span.start);
    let end = line_start(text, root.span.end).max(starts.last().copied().unwrap_or(first));
    out.copy(&text[..first]);
    let pad = indentation(text, root.span.start);
    let mut has_items = false;
    for (i, entry) in root.entries.iter().enumerate() {
        let range = starts[i]..starts.get(i + 1).copied().unwrap_or(end).max(starts[i]);
        match entry.key.as_deref() {
            Some(key) if DROPPED.contains(&key) => {}
            Some("items") if entry.value.is_null() => {}
            Some("items") => {
                has_items = true;
                block_items(out, text, range, &entry.value, pad, added.objects)?;
            }
            _ => out.copy(&text[range]),
        }
    }
    if !has_items {
        out.new_line();
        if added.objects.is_empty() {
            out.add(&format!("{pad}items: []\n"));
        } else {
            out.add(&format!("{pad}items:\n"));
            for object in added.objects {
                out.add(&block_item(object, pad));
            }
        }
    }
    if !added.results.is_empty() {
        out.new_line();
        out.add(&format!("{pad}results:\n"));
        let results = yaml::to_string(&added.results, "the results")?;
        out.add(&indent(&results, pad));
    }
    out.copy(&text[end..]);
    Ok(())
}

/// The `items` entry (`range`, whole) with the objects appended to its sequence.
fn block_items(
    out: &mut Writer,
    text: &str,
    range: Range<usize>,
    items: &Node,
    pad: &str,
    objects: &[String],
) -> Result<(), Error> {
    if objects.is_empty() {
        out.copy(&text[range]);
        return Ok(());
    }
    // Inside the entry, whatever the input: a slice out of order would panic.
    let seq = &(items.span.start.clamp(range.start, range.end)
        ..items.span.end.clamp(range.start, range.end));
    match items.kind {
        Kind::Sequence(Style::Block) => {
            // The sequence ends where the next token starts; its last line ends just before.
            let at = line_start(text, seq.end).clamp(range.start, range.end);
            out.copy(&text[range.start..at]);
            out.new_line();
            let dash = indentation(text, seq.start);
            for object in objects {
                out.add(&block_item(object, dash));
            }
            out.copy(&text[at..range.end]);
        }
        _ if items.items == 0 && rest_of_line(text, seq.end).is_some() => {
            // `items: []` (what kpt sends for an empty package) becomes a block sequence.
            let (comment, next) = rest_of_line(text, seq.end).unwrap_or_default();
            out.copy(text[range.start..seq.start].trim_end());
            if !comment.is_empty() {
                out.copy(" ");
                out.copy(comment);
            }
            out.add("\n");
            for object in objects {
                out.add(&block_item(object, pad));
            }
            out.copy(&text[next.clamp(range.start, range.end)..range.end]);
        }
        _ => {
            let at = flow_insertion(items).clamp(range.start, range.end);
            out.copy(&text[range.start..at]);
            out.add(&flow_objects(objects, items.items > 0)?);
            out.copy(&text[at..range.end]);
        }
    }
    Ok(())
}

/// A flow root (a JSON ResourceList): kept entries verbatim, joined by commas.
fn flow_root(out: &mut Writer, text: &str, root: &Node, added: &Added) -> Result<(), Error> {
    let mut parts = Vec::new();
    let mut has_items = false;
    for entry in &root.entries {
        let range = entry.key_span.start..entry.value.span.end.max(entry.key_span.end);
        match entry.key.as_deref() {
            Some(key) if DROPPED.contains(&key) => {}
            Some("items") if entry.value.is_null() => {}
            Some("items") if !added.objects.is_empty() => {
                has_items = true;
                let at = flow_insertion(&entry.value).clamp(range.start, range.end);
                let objects = flow_objects(added.objects, entry.value.items > 0)?;
                parts.push(format!(
                    "{}{objects}{}",
                    &text[range.start..at],
                    &text[at..range.end]
                ));
            }
            Some("items") => {
                has_items = true;
                parts.push(text[range].to_owned());
            }
            _ => parts.push(text[range].to_owned()),
        }
    }
    if !has_items {
        parts.push(format!(
            "\"items\": [{}]",
            flow_objects(added.objects, false)?
        ));
    }
    if !added.results.is_empty() {
        parts.push(format!("\"results\": {}", json(added.results)?));
    }
    let open = root.span.start;
    out.copy(&text[..open]);
    // Copied, not added: the parts hold input text, and the JSON added has no line breaks.
    out.copy(&format!("{{{}}}", parts.join(", ")));
    out.copy(&text[root.span.end.max(open + 1)..]);
    Ok(())
}

/// Where objects go into a flow sequence: after its last item (so a trailing comma stays
/// last), or just inside `[` when it is empty.
fn flow_insertion(items: &Node) -> usize {
    items.last_item_end.unwrap_or(items.span.start + 1)
}

/// Objects as JSON flow mappings (valid YAML), each after a comma if `after_item`.
fn flow_objects(objects: &[String], after_item: bool) -> Result<String, Error> {
    let mut out = String::new();
    for (i, object) in objects.iter().enumerate() {
        let value: Value = serde_saphyr::from_str(object).map_err(|e| Error::Serialize {
            what: "a rendered object",
            message: e.to_string(),
        })?;
        if after_item || i > 0 {
            out.push_str(", ");
        }
        out.push_str(&json(&value)?);
    }
    Ok(out)
}

fn json<T: serde::Serialize + ?Sized>(value: &T) -> Result<String, Error> {
    serde_json::to_string(value).map_err(|e| Error::Serialize {
        what: "a rendered object",
        message: e.to_string(),
    })
}

/// `- ` and the object's first line, the other lines under it; `dash` is the dash's indent.
fn block_item(object: &str, dash: &str) -> String {
    let mut out = String::with_capacity(object.len() + 64);
    for (i, line) in object.lines().enumerate() {
        if i == 0 {
            out.push_str(&format!("{dash}- {line}\n"));
        } else if line.is_empty() {
            // A blank line in a block scalar: padding it would add content spaces.
            out.push('\n');
        } else {
            out.push_str(&format!("{dash}  {line}\n"));
        }
    }
    out
}

fn indent(text: &str, pad: &str) -> String {
    text.lines()
        .map(|l| {
            if l.is_empty() {
                "\n".to_owned()
            } else {
                format!("{pad}{l}\n")
            }
        })
        .collect()
}

/// The start of the line `at` is on, if only spaces precede it there; else `at`.
pub fn line_start(text: &str, at: usize) -> usize {
    let start = text[..at].rfind('\n').map_or(0, |i| i + 1);
    if text[start..at].bytes().all(|b| b == b' ' || b == b'\t') {
        start
    } else {
        at
    }
}

/// The spaces before the first character of `at`'s line (empty if that line starts elsewhere).
fn indentation(text: &str, at: usize) -> &str {
    let start = text[..at].rfind('\n').map_or(0, |i| i + 1);
    let line = &text[start..];
    &line[..line.len() - line.trim_start_matches(' ').len()]
}

/// What follows `at` on its line if it is only a comment or nothing, and where the next line
/// starts.
fn rest_of_line(text: &str, at: usize) -> Option<(&str, usize)> {
    let end = text[at..].find('\n').map_or(text.len(), |i| at + i);
    let rest = text[at..end].trim();
    (rest.is_empty() || rest.starts_with('#')).then(|| (rest, (end + 1).min(text.len())))
}
