//! Where the nodes of a ResourceList stand in its text, read from the YAML event stream: the
//! root mapping's entries and, a few levels down, theirs; of a sequence only how many items
//! it has and where the last one ends. Enough to splice the output from the input, and so
//! nothing litegate does not own is ever re-serialized. Memory stays bounded by the nesting
//! depth, which the parser limits.

use std::ops::Range;

use serde_saphyr::granit_parser::{
    ErrorKind, Event, Options, Parser, ScalarStyle, ScanError, Span,
};

pub use serde_saphyr::granit_parser::StructureStyle as Style;

/// Mappings this deep or shallower list their entries (`functionConfig.metadata.annotations`
/// is the deepest node litegate reads).
const RECORDED_DEPTH: usize = 2;

/// A node and its place in the text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Node {
    pub kind: Kind,
    /// From the node's first byte to its end. A block collection starts at its first entry
    /// and ends where the next token starts (after trailing comments).
    pub span: Range<usize>,
    /// Mapping entries, listed only for mappings near the root.
    pub entries: Vec<Entry>,
    /// Sequence items: how many there are and where the last one ends.
    pub items: usize,
    pub last_item_end: Option<usize>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Kind {
    /// `value` is kept only where the mapping lists its entries.
    Scalar {
        value: String,
        plain: bool,
    },
    Alias,
    Mapping(Style),
    Sequence(Style),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// `None` for a key that is not a scalar.
    pub key: Option<String>,
    pub key_span: Range<usize>,
    pub value: Node,
}

impl Node {
    /// The value of the first entry named `key`.
    pub fn get(&self, key: &str) -> Option<&Node> {
        self.entries
            .iter()
            .find(|e| e.key.as_deref() == Some(key))
            .map(|e| &e.value)
    }

    /// How many entries are named `key`.
    pub fn count(&self, key: &str) -> usize {
        self.entries
            .iter()
            .filter(|e| e.key.as_deref() == Some(key))
            .count()
    }

    /// `~`, `null`, or nothing at all.
    pub fn is_null(&self) -> bool {
        matches!(&self.kind, Kind::Scalar { value, plain: true }
            if matches!(value.as_str(), "" | "~" | "null" | "Null" | "NULL"))
    }

    pub fn scalar(&self) -> Option<&str> {
        match &self.kind {
            Kind::Scalar { value, .. } => Some(value),
            _ => None,
        }
    }

    fn leaf(kind: Kind, span: Range<usize>) -> Self {
        Node {
            kind,
            span,
            entries: Vec::new(),
            items: 0,
            last_item_end: None,
        }
    }
}

/// Why a text is not one YAML document with a root node.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Unreadable {
    /// The parser's own words (never the input's), and where.
    Syntax {
        message: String,
        line: usize,
        column: usize,
    },
    Empty,
    SeveralDocuments,
}

/// A collection being read.
struct Frame {
    node: Node,
    /// Whether its entries are listed (mappings near the root only).
    records: bool,
    /// A mapping's key, read and waiting for its value.
    key: Option<(Option<String>, Range<usize>)>,
}

/// Reads the one document in `text` down to its root's grandchildren.
pub fn read(text: &str) -> Result<Node, Unreadable> {
    let mut stack: Vec<Frame> = Vec::new();
    let mut root = None;
    let mut documents = 0;
    // Comments are text to copy, not events: and as events, more than 96 in a row are an
    // error (the parser's look-ahead buffer), which a long comment block would hit.
    let mut options = Options::default();
    options.emit_comments = false;
    for item in Parser::new_from_str_with_options(text, options) {
        let (event, span) = item.map_err(|e| syntax(&e))?;
        let at = bytes(&span);
        match event {
            Event::DocumentStart(..) => {
                documents += 1;
                if documents > 1 {
                    return Err(Unreadable::SeveralDocuments);
                }
            }
            Event::Scalar(value, style, ..) => {
                let kind = Kind::Scalar {
                    // Owned only where someone will read it: keeps 10,000 items cheap.
                    value: if records_next(&stack) {
                        value.into_owned()
                    } else {
                        String::new()
                    },
                    plain: style == ScalarStyle::Plain,
                };
                attach(&mut stack, &mut root, Node::leaf(kind, at));
            }
            Event::Alias(..) => attach(&mut stack, &mut root, Node::leaf(Kind::Alias, at)),
            Event::MappingStart(style, ..) | Event::SequenceStart(style, ..) => {
                let mapping = matches!(event, Event::MappingStart(..));
                let kind = if mapping {
                    Kind::Mapping(style)
                } else {
                    Kind::Sequence(style)
                };
                let records = mapping && stack.len() <= RECORDED_DEPTH && records_next(&stack);
                let node = Node::leaf(kind, at);
                stack.push(Frame {
                    node,
                    records,
                    key: None,
                });
            }
            Event::MappingEnd | Event::SequenceEnd => {
                if let Some(mut frame) = stack.pop() {
                    frame.node.span.end = at.end.max(frame.node.span.start);
                    attach(&mut stack, &mut root, frame.node);
                }
            }
            _ => {}
        }
    }
    root.ok_or(Unreadable::Empty)
}

/// Whether the node about to start will be listed: the root, or an entry (key or value) of
/// a mapping that lists its entries.
fn records_next(stack: &[Frame]) -> bool {
    stack.last().is_none_or(|f| f.records)
}

/// Hands a finished node to the collection it is in.
fn attach(stack: &mut [Frame], root: &mut Option<Node>, node: Node) {
    let Some(frame) = stack.last_mut() else {
        *root = Some(node);
        return;
    };
    match frame.node.kind {
        Kind::Sequence(_) => {
            frame.node.items += 1;
            frame.node.last_item_end = Some(node.span.end);
        }
        _ => match frame.key.take() {
            None => frame.key = Some((node.scalar().map(str::to_owned), node.span)),
            Some((key, key_span)) if frame.records => frame.node.entries.push(Entry {
                key,
                key_span,
                value: node,
            }),
            Some(_) => {}
        },
    }
}

fn bytes(span: &Span) -> Range<usize> {
    let start = span.start.byte_offset().unwrap_or(span.start.index());
    let end = span.end.byte_offset().unwrap_or(span.end.index());
    start..end.max(start)
}

/// The parser's message, except where it would quote the input.
fn syntax(e: &ScanError) -> Unreadable {
    let message = match e.kind() {
        ErrorKind::UnexpectedCharacter { .. } => "unexpected character".to_owned(),
        ErrorKind::Custom(_) | ErrorKind::InputDecoding { .. } | ErrorKind::InputIo { .. } => {
            "unreadable input".to_owned()
        }
        kind => kind.to_string(),
    };
    Unreadable::Syntax {
        message,
        line: e.marker().line(),
        column: e.marker().col() + 1,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &str = "# head\nkind: ResourceList\nitems:\n- a: 1\n  b: |+\n    keep\n\n# c\n- [x, y]\nfunctionConfig:\n  metadata:\n    annotations: {k: v}\n";

    #[test]
    fn reads_the_root_entries_and_where_they_stand() {
        let root = read(TEXT).expect("readable");
        assert_eq!(root.kind, Kind::Mapping(Style::Block));
        let keys: Vec<_> = root.entries.iter().map(|e| e.key.as_deref()).collect();
        assert_eq!(keys, [Some("kind"), Some("items"), Some("functionConfig")]);
        assert_eq!(
            root.get("kind").and_then(Node::scalar),
            Some("ResourceList")
        );
        let items = root.get("items").expect("items");
        assert_eq!(
            (items.items, items.kind.clone()),
            (2, Kind::Sequence(Style::Block))
        );
        assert_eq!(&TEXT[items.span.end..][..15], "functionConfig:");
        assert_eq!(
            &TEXT[..items.last_item_end.expect("an item")]
                .rsplit('\n')
                .next(),
            &Some("- [x, y]")
        );
        let annotations = root
            .get("functionConfig")
            .and_then(|f| f.get("metadata"))
            .and_then(|m| m.get("annotations"))
            .expect("three levels down");
        assert_eq!(&TEXT[annotations.span.clone()], "{k: v}");
        assert!(items.entries.is_empty(), "sequence items are not listed");
    }

    #[test]
    fn tells_why_a_text_is_unreadable_without_quoting_it() {
        assert_eq!(read("# only a comment\n"), Err(Unreadable::Empty));
        assert_eq!(read("a: 1\n---\nb: 2\n"), Err(Unreadable::SeveralDocuments));
        let Err(Unreadable::Syntax {
            message,
            line,
            column,
        }) = read("a: 1\nb: [sk-secret\n")
        else {
            panic!("a syntax error");
        };
        assert!(!message.contains("sk-secret"), "{message}");
        assert_eq!((line, column), (2, 4), "where the bracket opens: {message}");
        let Err(Unreadable::Syntax { message, .. }) = read("a: @x\n") else {
            panic!("a syntax error");
        };
        assert!(!message.contains('@'), "{message}");
    }
}
