//! Where each spec path stands in the file: `models[3].provider` -> its key's and value's
//! byte ranges and line/column. Built from the YAML event stream, so validators can keep
//! speaking in spec paths and every diagnostic still points at a line and column.

use std::collections::HashMap;
use std::ops::Range;

use serde_saphyr::granit_parser::{Event, Parser, Span};

use crate::diagnostics::Location;

/// One mapping entry or sequence item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Node {
    /// The key of a mapping entry; `None` for sequence items and the root.
    pub key: Option<Range<usize>>,
    /// The value, whole (for a collection, from its start to its end).
    pub value: Range<usize>,
    pub value_location: Location,
    pub key_location: Option<Location>,
    /// Whether the value is a plain (unquoted) scalar: YAML 1.1 look-alikes matter there.
    pub plain_scalar: Option<String>,
}

impl Node {
    /// The bytes of the whole entry: key through value.
    pub fn entry(&self) -> Range<usize> {
        match &self.key {
            Some(k) => k.start.min(self.value.start)..self.value.end.max(k.end),
            None => self.value.clone(),
        }
    }
}

/// Spec path => node. Paths are written as validators write them: `a.b[2].c`.
#[derive(Debug, Clone, Default)]
pub struct SourceMap {
    nodes: HashMap<String, Node>,
}

enum Frame {
    Mapping {
        path: String,
        pending_key: Option<(String, Range<usize>, Location)>,
        start: usize,
        start_location: Location,
        key: Option<(Range<usize>, Location)>,
    },
    Sequence {
        path: String,
        next: usize,
        start: usize,
        start_location: Location,
        key: Option<(Range<usize>, Location)>,
    },
}

fn location(span: &Span) -> Location {
    Location {
        line: span.start.line(),
        column: span.start.col() + 1,
    }
}

/// A block collection's end as the parser gives it runs over the blank and comment lines
/// after its last item (up to the next key): a highlight must stop at the last item.
fn without_trailing_comments(text: &str, start: usize, end: usize) -> usize {
    let Some(mut value) = text.get(start..end) else {
        return end;
    };
    loop {
        let trimmed = value.trim_end();
        let last_line = trimmed.rfind('\n').map_or(0, |i| i + 1);
        if trimmed[last_line..].trim_start().starts_with('#') && last_line > 0 {
            value = &trimmed[..last_line];
        } else {
            return start + trimmed.len();
        }
    }
}

fn bytes(span: &Span) -> Range<usize> {
    let start = span.start.byte_offset().unwrap_or(span.start.index());
    let end = span.end.byte_offset().unwrap_or(span.end.index());
    start..end.max(start)
}

fn join(parent: &str, key: &str) -> String {
    if parent.is_empty() {
        key.to_owned()
    } else {
        format!("{parent}.{key}")
    }
}

impl SourceMap {
    /// Maps what it can; a syntax error ends the walk (the parser reports it elsewhere).
    pub fn build(text: &str) -> Self {
        // About one node per 16 bytes of spec (measured on generated and example specs):
        // sized up front, the map never rehashes, which cost a tenth of a large render.
        let mut map = SourceMap {
            nodes: HashMap::with_capacity(text.len() / 16),
        };
        let mut stack: Vec<Frame> = Vec::new();
        for item in Parser::new_from_str(text) {
            let Ok((event, span)) = item else { break };
            match event {
                Event::MappingStart(..) | Event::SequenceStart(..) => {
                    let Some((path, key)) = map.node_path(&mut stack) else {
                        continue;
                    };
                    let frame_start = bytes(&span).start;
                    let start_location = location(&span);
                    stack.push(if matches!(event, Event::MappingStart(..)) {
                        Frame::Mapping {
                            path,
                            pending_key: None,
                            start: frame_start,
                            start_location,
                            key,
                        }
                    } else {
                        Frame::Sequence {
                            path,
                            next: 0,
                            start: frame_start,
                            start_location,
                            key,
                        }
                    });
                }
                Event::MappingEnd | Event::SequenceEnd => {
                    let Some(frame) = stack.pop() else { continue };
                    let (path, start, start_location, key) = match frame {
                        Frame::Mapping {
                            path,
                            start,
                            start_location,
                            key,
                            ..
                        }
                        | Frame::Sequence {
                            path,
                            start,
                            start_location,
                            key,
                            ..
                        } => (path, start, start_location, key),
                    };
                    let end = without_trailing_comments(text, start, bytes(&span).end.max(start));
                    map.insert(path, key, start..end, start_location, None);
                }
                Event::Scalar(value, style, ..) => {
                    if let Some(Frame::Mapping { pending_key, .. }) = stack.last_mut()
                        && pending_key.is_none()
                    {
                        *pending_key = Some((value.into_owned(), bytes(&span), location(&span)));
                        continue;
                    }
                    let Some((path, key)) = map.node_path(&mut stack) else {
                        continue;
                    };
                    let plain = matches!(style, serde_saphyr::granit_parser::ScalarStyle::Plain)
                        .then(|| value.into_owned());
                    map.insert(path, key, bytes(&span), location(&span), plain);
                }
                Event::Alias(..) => {
                    let Some((path, key)) = map.node_path(&mut stack) else {
                        continue;
                    };
                    map.insert(path, key, bytes(&span), location(&span), None);
                }
                _ => {}
            }
        }
        map
    }

    /// The path of the node that starts now, and its key; advances the parent frame.
    #[allow(clippy::type_complexity)]
    fn node_path(&self, stack: &mut [Frame]) -> Option<(String, Option<(Range<usize>, Location)>)> {
        match stack.last_mut() {
            None => Some((String::new(), None)),
            Some(Frame::Sequence { path, next, .. }) => {
                let p = format!("{path}[{next}]");
                *next += 1;
                Some((p, None))
            }
            Some(Frame::Mapping {
                path, pending_key, ..
            }) => {
                // A collection used as a key has no spec path: skip it.
                let (key, range, loc) = pending_key.take()?;
                Some((join(path, &key), Some((range, loc))))
            }
        }
    }

    fn insert(
        &mut self,
        path: String,
        key: Option<(Range<usize>, Location)>,
        value: Range<usize>,
        value_location: Location,
        plain_scalar: Option<String>,
    ) {
        let (key, key_location) = match key {
            Some((r, l)) => (Some(r), Some(l)),
            None => (None, None),
        };
        // The first definition wins: duplicates are an error reported by the parser.
        self.nodes.entry(path).or_insert(Node {
            key,
            value,
            value_location,
            key_location,
            plain_scalar,
        });
    }

    pub fn get(&self, path: &str) -> Option<&Node> {
        self.nodes.get(path)
    }

    /// The node for `path`, or for its nearest ancestor that is in the file (a missing
    /// field is reported where its parent stands).
    pub fn nearest(&self, path: &str) -> Option<(&str, &Node)> {
        let mut p = path;
        loop {
            if let Some((k, n)) = self.nodes.get_key_value(p) {
                return Some((k.as_str(), n));
            }
            if p.is_empty() {
                return None;
            }
            p = parent(p);
        }
    }

    /// Every path with its node, sorted by place in the file.
    pub fn nodes(&self) -> Vec<(&str, &Node)> {
        let mut all: Vec<(&str, &Node)> = self.nodes.iter().map(|(k, v)| (k.as_str(), v)).collect();
        all.sort_by_key(|(_, n)| (n.value.start, n.value.end));
        all
    }
}

/// `a.b[2].c` -> `a.b[2]` -> `a.b` -> `a` -> ``.
pub fn parent(path: &str) -> &str {
    if let Some(stripped) = path.strip_suffix(']')
        && let Some(i) = stripped.rfind('[')
    {
        return &path[..i];
    }
    match path.rfind('.') {
        Some(i) => &path[..i],
        None => "",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &str = "apiVersion: v1\nmodels:\n  - name: a\n    provider: opnai\n  - {name: b, provider: x}\nmetadata:\n  labels: {app.kubernetes.io/x: y}\n";

    #[test]
    fn maps_nested_paths_to_lines_and_columns() {
        let map = SourceMap::build(TEXT);
        let node = map.get("models[0].provider").expect("mapped");
        assert_eq!(
            node.value_location,
            Location {
                line: 4,
                column: 15
            }
        );
        assert_eq!(&TEXT[node.value.clone()], "opnai");
        assert_eq!(node.key_location, Some(Location { line: 4, column: 5 }));
        let flow = map.get("models[1].provider").expect("mapped");
        assert_eq!(&TEXT[flow.value.clone()], "x");
        let label = map
            .get("metadata.labels.app.kubernetes.io/x")
            .expect("mapped");
        assert_eq!(&TEXT[label.value.clone()], "y");
    }

    #[test]
    fn a_collection_spans_its_whole_value() {
        let map = SourceMap::build(TEXT);
        let models = map.get("models").expect("mapped");
        assert!(TEXT[models.value.clone()].contains("provider: x"));
        assert_eq!(
            &TEXT[map.get("models[1]").expect("mapped").value.clone()],
            "{name: b, provider: x}"
        );
    }

    #[test]
    fn a_block_collection_ends_at_its_last_item_not_the_comments_after_it() {
        let text = "router:\n  fallbacks:\n    a:\n      - b\n\n  # retries\n  numRetries: 2\n";
        let map = SourceMap::build(text);
        let fallbacks = map.get("router.fallbacks").expect("mapped");
        assert_eq!(&text[fallbacks.value.clone()], "a:\n      - b");
    }

    #[test]
    fn nearest_falls_back_to_the_parent() {
        let map = SourceMap::build(TEXT);
        let (path, _) = map.nearest("models[0].limits.rpm").expect("some ancestor");
        assert_eq!(path, "models[0]");
        assert_eq!(parent("a.b[2].c"), "a.b[2]");
        assert_eq!(parent("a.b[2]"), "a.b");
    }
}
