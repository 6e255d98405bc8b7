//! Canonical YAML text from serde values: one writer for every file litegate emits.
//!
//! The text is serde-saphyr's with its defaults (2-space indent, a sequence at its key's
//! column, `{}` and `[]` when empty), written straight from the typed value: the layout is
//! made here, and a scalar that is not plainly safe is spelled by serde-saphyr itself
//! (quotes, escapes, block scalars, YAML 1.1 look-alikes such as `no` and `3.10`). A
//! manifest's maps are sorted as the `serde_json::Value` it once went through sorted them.

use std::fmt::{self, Write as _};

use serde::Serialize;
use serde::ser::{self, Impossible, SerializeMap as _};

use crate::Error;

/// Fields in the order the type declares them.
pub fn to_string<T: Serialize>(value: &T, what: &'static str) -> Result<String, Error> {
    Ok(write(value, false, what, None)?.0)
}

/// As [`to_string`], with every string value (not map key) written that starts with
/// `prefix`: what the text refers to, noted on the way instead of by another walk.
pub fn to_string_noting<T: Serialize>(
    value: &T,
    what: &'static str,
    prefix: &'static str,
) -> Result<(String, Vec<String>), Error> {
    write(value, false, what, Some(prefix))
}

/// A Kubernetes object with `apiVersion`, `kind`, `metadata` first and every map sorted.
pub fn manifest<T: Serialize>(object: &T) -> Result<String, Error> {
    Ok(write(object, true, "a manifest", None)?.0)
}

fn write<T: Serialize>(
    value: &T,
    sorted: bool,
    what: &'static str,
    noting: Option<&'static str>,
) -> Result<(String, Vec<String>), Error> {
    let mut yaml = Yaml {
        out: String::with_capacity(1024),
        sorted,
        keys: String::new(),
        entries: Vec::new(),
        noting,
        noted: Vec::new(),
    };
    let root = Node {
        yaml: &mut yaml,
        slot: Slot::Root,
    };
    value
        .serialize(root)
        .map_err(|e| Error::Serialize { what, message: e.0 })?;
    Ok((yaml.out, yaml.noted))
}

const HEAD: [&str; 3] = ["apiVersion", "kind", "metadata"];

/// serde-saphyr writes a longer key as `? key`, its value on a `: value` line below.
const SIMPLE_KEY_MAX: usize = 1024;

/// The text so far, and the entries of the maps still open, innermost last.
struct Yaml {
    out: String,
    /// A manifest: maps sorted, the root's head first, as a `serde_json::Value` holds them
    /// (a repeated key keeps its last value, a float that is not finite is null).
    sorted: bool,
    /// The keys of the open maps, as given (not as spelled).
    keys: String,
    entries: Vec<Entry>,
    /// The prefix of the string values to note, and those noted.
    noting: Option<&'static str>,
    noted: Vec<String>,
}

/// One map entry: its key in `Yaml::keys`, and where in `Yaml::out` its line starts (with
/// its indent) and its key does.
struct Entry {
    key: (usize, usize),
    start: usize,
    body: usize,
}

/// Where the next value goes: after the indicator at the column it holds.
#[derive(Clone, Copy, PartialEq)]
enum Slot {
    Root,
    /// After `key:`.
    Value(usize),
    /// After `- `.
    Item(usize),
    /// After the `:` on the line below a `? key`.
    Explicit(usize),
    /// A map key itself, which must be a string: its text goes to `Yaml::keys`.
    Key,
}

impl Slot {
    /// The indicator's column; a block scalar's body is two further in.
    fn column(self) -> usize {
        match self {
            Slot::Value(c) | Slot::Item(c) | Slot::Explicit(c) => c,
            Slot::Root | Slot::Key => 0,
        }
    }

    /// Between the indicator and a scalar, `{}` or `[]`: `key: v`, `- v`.
    fn gap(self) -> &'static str {
        match self {
            Slot::Value(_) | Slot::Explicit(_) => " ",
            Slot::Root | Slot::Item(_) | Slot::Key => "",
        }
    }

    /// Whether a map's first entry goes on the indicator's line: `- a: 1`, `: a: 1`.
    fn inline(self) -> bool {
        matches!(self, Slot::Item(_) | Slot::Explicit(_))
    }
}

/// A value YAML text cannot hold as written here: bytes, a map key that is not a string,
/// an enum variant with fields; a bug, since every output type is ours.
#[derive(Debug)]
struct Unwritable(String);

impl fmt::Display for Unwritable {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Unwritable {}

impl ser::Error for Unwritable {
    fn custom<T: fmt::Display>(message: T) -> Self {
        Unwritable(message.to_string())
    }
}

fn unwritable<T>(what: &str) -> Result<T, Unwritable> {
    Err(Unwritable(format!("cannot write {what} as YAML")))
}

fn indent(out: &mut String, column: usize) {
    const SPACES: &str = "                                                                ";
    let mut left = column;
    while left > SPACES.len() {
        out.push_str(SPACES);
        left -= SPACES.len();
    }
    out.push_str(&SPACES[..left]);
}

/// The bytes of the usual names, paths, URLs and base64 text; `:` only inside a value.
const PLAIN_BYTES: [bool; 256] = {
    let mut table = [false; 256];
    let mut b = 0;
    while b < 256 {
        let c = b as u8;
        table[b] = c.is_ascii_alphanumeric()
            || matches!(c, b'-' | b'_' | b'.' | b'/' | b'+' | b'=' | b'@' | b':');
        b += 1;
    }
    table
};

/// Whether serde-saphyr writes `s` as it stands, told from its bytes alone for the common
/// case: a letter or `/` first, then only `PLAIN_BYTES` (no space, quote, `#` or control
/// character), no `:` at the end, at most 80 bytes (a longer one is folded), and not a
/// YAML 1.1 word. Anything else is spelled by serde-saphyr.
fn plain_as_is(s: &str, key: bool) -> bool {
    const WORDS: [&str; 11] = [
        "null", "true", "false", "yes", "no", "on", "off", "y", "n", "nan", "inf",
    ];
    let bytes = s.as_bytes();
    matches!(bytes.first(), Some(b) if b.is_ascii_alphabetic() || *b == b'/')
        && bytes.len() <= 80
        && bytes.last() != Some(&b':')
        && bytes
            .iter()
            .all(|&b| PLAIN_BYTES[usize::from(b)] && !(key && b == b':'))
        && !(bytes.len() <= 5
            && matches!(bytes[0] | 0x20, b'n' | b't' | b'f' | b'y' | b'o' | b'i')
            && WORDS.iter().any(|w| s.eq_ignore_ascii_case(w)))
}

/// `value` as serde-saphyr writes it as a whole document, less the final newline: the
/// scalar, or a block scalar's header and its body two columns in.
fn spelled<T: Serialize>(value: &T) -> Result<String, Unwritable> {
    let mut text = serde_saphyr::to_string(value).map_err(|e| Unwritable(e.to_string()))?;
    text.pop();
    Ok(text)
}

/// `key` as serde-saphyr writes a map key: as it stands, or double-quoted.
fn spelled_key(key: &str) -> Result<String, Unwritable> {
    struct OneKey<'a>(&'a str);
    impl Serialize for OneKey<'_> {
        fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            let mut map = s.serialize_map(Some(1))?;
            map.serialize_entry(self.0, &())?;
            map.end()
        }
    }
    // `KEY: null`, or `? KEY` and `: null` when KEY is long.
    let text = spelled(&OneKey(key))?;
    let text = text.strip_prefix("? ").unwrap_or(&text);
    match text.strip_suffix(": null") {
        Some(spelled) => Ok(spelled.strip_suffix('\n').unwrap_or(spelled).to_owned()),
        None => unwritable("a key serde-saphyr spells unexpectedly"),
    }
}

/// Writes one value into its slot.
struct Node<'a> {
    yaml: &'a mut Yaml,
    slot: Slot,
}

impl Node<'_> {
    fn scalar(self, text: &str) -> Result<(), Unwritable> {
        if self.slot == Slot::Key {
            return unwritable("a map key that is not a string");
        }
        let out = &mut self.yaml.out;
        out.push_str(self.slot.gap());
        out.push_str(text);
        out.push('\n');
        Ok(())
    }

    fn number(self, n: impl fmt::Display) -> Result<(), Unwritable> {
        if self.slot == Slot::Key {
            return unwritable("a map key that is not a string");
        }
        let out = &mut self.yaml.out;
        out.push_str(self.slot.gap());
        // Writing into a String cannot fail.
        let _ = write!(out, "{n}");
        out.push('\n');
        Ok(())
    }

    /// Lines of printable ASCII as serde-saphyr writes them: a literal block, chomped by its
    /// trailing newlines (`|-` none, `|` one, `|+` more), `|2` when its first line starts
    /// with a space, the body two columns past the indicator.
    fn literal(self, s: &str) -> Result<(), Unwritable> {
        let out = &mut self.yaml.out;
        let content = s.trim_end_matches('\n');
        let newlines = s.len() - content.len();
        out.push_str(self.slot.gap());
        out.push('|');
        let first_line = content.split('\n').find(|line| !line.is_empty());
        if first_line.is_some_and(|line| line.starts_with(' ')) {
            out.push('2');
        }
        out.push_str(match newlines {
            0 => "-",
            1 if !content.is_empty() => "",
            _ => "+",
        });
        out.push('\n');
        if !content.is_empty() {
            for line in content.split('\n') {
                if !line.is_empty() {
                    indent(out, self.slot.column() + 2);
                    out.push_str(line);
                }
                out.push('\n');
            }
        }
        // Kept newlines past the one that ends the last line.
        let kept = if content.is_empty() {
            newlines
        } else {
            newlines.saturating_sub(1)
        };
        out.extend(std::iter::repeat_n('\n', kept));
        Ok(())
    }

    /// Text spelled as a whole document, moved to this slot's column.
    fn spelled(self, text: &str) -> Result<(), Unwritable> {
        let out = &mut self.yaml.out;
        out.push_str(self.slot.gap());
        let mut lines = text.split('\n');
        out.push_str(lines.next().unwrap_or_default());
        for line in lines {
            out.push('\n');
            if !line.is_empty() {
                indent(out, self.slot.column());
                out.push_str(line);
            }
        }
        out.push('\n');
        Ok(())
    }
}

macro_rules! numbers {
    ($($method:ident: $ty:ty),* $(,)?) => {
        $(fn $method(self, v: $ty) -> Result<(), Unwritable> { self.number(v) })*
    };
}

impl<'a> ser::Serializer for Node<'a> {
    type Ok = ();
    type Error = Unwritable;
    type SerializeSeq = Seq<'a>;
    type SerializeTuple = Seq<'a>;
    type SerializeTupleStruct = Seq<'a>;
    type SerializeTupleVariant = Impossible<(), Unwritable>;
    type SerializeMap = Map<'a>;
    type SerializeStruct = Map<'a>;
    type SerializeStructVariant = Impossible<(), Unwritable>;

    numbers!(
        serialize_i8: i8, serialize_i16: i16, serialize_i32: i32,
        serialize_i64: i64, serialize_i128: i128, serialize_u8: u8, serialize_u16: u16,
        serialize_u32: u32, serialize_u64: u64, serialize_u128: u128,
    );

    fn serialize_bool(self, v: bool) -> Result<(), Unwritable> {
        self.scalar(if v { "true" } else { "false" })
    }

    fn serialize_f32(self, v: f32) -> Result<(), Unwritable> {
        if self.yaml.sorted {
            // A JSON tree holds every number as f64.
            return self.serialize_f64(f64::from(v));
        }
        let text = spelled(&v)?;
        self.scalar(&text)
    }

    fn serialize_f64(self, v: f64) -> Result<(), Unwritable> {
        if self.yaml.sorted && !v.is_finite() {
            return self.serialize_unit();
        }
        let text = spelled(&v)?;
        self.scalar(&text)
    }

    fn serialize_char(self, v: char) -> Result<(), Unwritable> {
        self.serialize_str(v.encode_utf8(&mut [0; 4]))
    }

    fn serialize_str(self, v: &str) -> Result<(), Unwritable> {
        if self.slot == Slot::Key {
            self.yaml.keys.push_str(v);
            return Ok(());
        }
        if self.yaml.noting.is_some_and(|prefix| v.starts_with(prefix)) {
            self.yaml.noted.push(v.to_owned());
        }
        if plain_as_is(v, false) {
            return self.scalar(v);
        }
        if v.contains('\n') && v.bytes().all(|b| matches!(b, b' '..=b'~' | b'\n' | b'\t')) {
            return self.literal(v);
        }
        let text = spelled(&v)?;
        self.spelled(&text)
    }

    fn serialize_bytes(self, _: &[u8]) -> Result<(), Unwritable> {
        unwritable("bytes")
    }

    fn serialize_none(self) -> Result<(), Unwritable> {
        self.scalar("null")
    }

    fn serialize_some<T: ?Sized + Serialize>(self, value: &T) -> Result<(), Unwritable> {
        value.serialize(self)
    }

    fn serialize_unit(self) -> Result<(), Unwritable> {
        self.scalar("null")
    }

    fn serialize_unit_struct(self, _: &'static str) -> Result<(), Unwritable> {
        self.serialize_unit()
    }

    fn serialize_unit_variant(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
    ) -> Result<(), Unwritable> {
        self.serialize_str(variant)
    }

    fn serialize_newtype_struct<T: ?Sized + Serialize>(
        self,
        _: &'static str,
        value: &T,
    ) -> Result<(), Unwritable> {
        value.serialize(self)
    }

    /// `Variant: value`, a map of one entry.
    fn serialize_newtype_variant<T: ?Sized + Serialize>(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
        value: &T,
    ) -> Result<(), Unwritable> {
        let mut map = self.serialize_map(Some(1))?;
        map.serialize_entry(variant, value)?;
        map.end()
    }

    fn serialize_seq(self, _: Option<usize>) -> Result<Seq<'a>, Unwritable> {
        let column = match self.slot {
            Slot::Root => 0,
            Slot::Value(c) | Slot::Explicit(c) => c,
            Slot::Item(c) => c + 2,
            Slot::Key => return unwritable("a map key that is not a string"),
        };
        Ok(Seq {
            yaml: self.yaml,
            slot: self.slot,
            column,
            first: true,
        })
    }

    fn serialize_tuple(self, len: usize) -> Result<Seq<'a>, Unwritable> {
        self.serialize_seq(Some(len))
    }

    fn serialize_tuple_struct(self, _: &'static str, len: usize) -> Result<Seq<'a>, Unwritable> {
        self.serialize_seq(Some(len))
    }

    fn serialize_tuple_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeTupleVariant, Unwritable> {
        unwritable("an enum's tuple variant")
    }

    fn serialize_map(self, _: Option<usize>) -> Result<Map<'a>, Unwritable> {
        let column = match self.slot {
            Slot::Root => 0,
            Slot::Value(c) | Slot::Item(c) | Slot::Explicit(c) => c + 2,
            Slot::Key => return unwritable("a map key that is not a string"),
        };
        Ok(Map {
            column,
            first_entry: self.yaml.entries.len(),
            first_key: self.yaml.keys.len(),
            head_first: self.yaml.sorted && self.slot == Slot::Root,
            value_slot: self.slot,
            slot: self.slot,
            yaml: self.yaml,
        })
    }

    fn serialize_struct(self, _: &'static str, len: usize) -> Result<Map<'a>, Unwritable> {
        self.serialize_map(Some(len))
    }

    fn serialize_struct_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeStructVariant, Unwritable> {
        unwritable("an enum's struct variant")
    }
}

/// A block sequence: `- item` lines at `column`, the first on the line of a dash before
/// it (`- - a`).
struct Seq<'a> {
    yaml: &'a mut Yaml,
    slot: Slot,
    column: usize,
    first: bool,
}

impl ser::SerializeSeq for Seq<'_> {
    type Ok = ();
    type Error = Unwritable;

    fn serialize_element<T: ?Sized + Serialize>(&mut self, value: &T) -> Result<(), Unwritable> {
        let out = &mut self.yaml.out;
        if self.first && matches!(self.slot, Slot::Value(_) | Slot::Explicit(_)) {
            out.push('\n');
        }
        if !(self.first && matches!(self.slot, Slot::Item(_))) {
            indent(out, self.column);
        }
        out.push_str("- ");
        self.first = false;
        value.serialize(Node {
            yaml: self.yaml,
            slot: Slot::Item(self.column),
        })
    }

    fn end(self) -> Result<(), Unwritable> {
        if self.first {
            let out = &mut self.yaml.out;
            out.push_str(self.slot.gap());
            out.push_str("[]\n");
        }
        Ok(())
    }
}

impl ser::SerializeTuple for Seq<'_> {
    type Ok = ();
    type Error = Unwritable;

    fn serialize_element<T: ?Sized + Serialize>(&mut self, value: &T) -> Result<(), Unwritable> {
        ser::SerializeSeq::serialize_element(self, value)
    }

    fn end(self) -> Result<(), Unwritable> {
        ser::SerializeSeq::end(self)
    }
}

impl ser::SerializeTupleStruct for Seq<'_> {
    type Ok = ();
    type Error = Unwritable;

    fn serialize_field<T: ?Sized + Serialize>(&mut self, value: &T) -> Result<(), Unwritable> {
        ser::SerializeSeq::serialize_element(self, value)
    }

    fn end(self) -> Result<(), Unwritable> {
        ser::SerializeSeq::end(self)
    }
}

/// A block map: `key: value` lines at `column`, the first on the indicator's line when
/// the slot is inline.
struct Map<'a> {
    yaml: &'a mut Yaml,
    slot: Slot,
    column: usize,
    /// This map's first entry in `Yaml::entries`, and its first key in `Yaml::keys`.
    first_entry: usize,
    first_key: usize,
    head_first: bool,
    /// Where the value of the key just written goes.
    value_slot: Slot,
}

impl Map<'_> {
    /// Puts the entries in order, when they are not: the text from the first entry on is
    /// cut out and put back entry by entry, each indented for its new place.
    fn sort(&mut self) {
        let yaml = &mut *self.yaml;
        let entries = &yaml.entries[self.first_entry..];
        let rank = |e: &Entry| {
            let key = &yaml.keys[e.key.0..e.key.1];
            let head = HEAD.iter().position(|h| self.head_first && *h == key);
            (head.unwrap_or(HEAD.len()), key)
        };
        if entries.windows(2).all(|w| rank(&w[0]) < rank(&w[1])) {
            return;
        }
        let mut order: Vec<usize> = (0..entries.len()).collect();
        order.sort_by(|&a, &b| rank(&entries[a]).cmp(&rank(&entries[b])));
        // A JSON object holds a repeated key once, with its last value.
        order.dedup_by(|later, earlier| {
            let same = rank(&entries[*later]) == rank(&entries[*earlier]);
            if same {
                *earlier = *later;
            }
            same
        });
        let start = entries[0].start;
        let text = yaml.out.split_off(start);
        for (n, &i) in order.iter().enumerate() {
            if n > 0 || !self.slot.inline() {
                indent(&mut yaml.out, self.column);
            }
            let end = entries.get(i + 1).map_or(text.len(), |e| e.start - start);
            yaml.out.push_str(&text[entries[i].body - start..end]);
        }
    }
}

impl ser::SerializeMap for Map<'_> {
    type Ok = ();
    type Error = Unwritable;

    fn serialize_key<T: ?Sized + Serialize>(&mut self, key: &T) -> Result<(), Unwritable> {
        let first = self.yaml.entries.len() == self.first_entry;
        let key_start = self.yaml.keys.len();
        key.serialize(Node {
            yaml: self.yaml,
            slot: Slot::Key,
        })?;
        let yaml = &mut *self.yaml;
        let out = &mut yaml.out;
        match self.slot {
            Slot::Value(_) if first => out.push('\n'),
            Slot::Explicit(_) if first => out.push(' '),
            _ => {}
        }
        let start = out.len();
        if !(first && self.slot.inline()) {
            indent(out, self.column);
        }
        yaml.entries.push(Entry {
            key: (key_start, yaml.keys.len()),
            start,
            body: out.len(),
        });
        let key = &yaml.keys[key_start..];
        let spelled;
        let key = if plain_as_is(key, true) {
            key
        } else {
            spelled = spelled_key(key)?;
            &spelled
        };
        if key.len() <= SIMPLE_KEY_MAX || key.chars().count() <= SIMPLE_KEY_MAX {
            out.push_str(key);
            out.push(':');
            self.value_slot = Slot::Value(self.column);
        } else {
            out.push_str("? ");
            out.push_str(key);
            out.push('\n');
            indent(out, self.column);
            out.push(':');
            self.value_slot = Slot::Explicit(self.column);
        }
        Ok(())
    }

    fn serialize_value<T: ?Sized + Serialize>(&mut self, value: &T) -> Result<(), Unwritable> {
        value.serialize(Node {
            yaml: self.yaml,
            slot: self.value_slot,
        })
    }

    fn end(mut self) -> Result<(), Unwritable> {
        if self.yaml.entries.len() == self.first_entry {
            let out = &mut self.yaml.out;
            out.push_str(self.slot.gap());
            out.push_str("{}\n");
        } else if self.yaml.sorted {
            self.sort();
        }
        self.yaml.entries.truncate(self.first_entry);
        self.yaml.keys.truncate(self.first_key);
        Ok(())
    }
}

impl ser::SerializeStruct for Map<'_> {
    type Ok = ();
    type Error = Unwritable;

    fn serialize_field<T: ?Sized + Serialize>(
        &mut self,
        key: &'static str,
        value: &T,
    ) -> Result<(), Unwritable> {
        self.serialize_entry(key, value)
    }

    fn end(self) -> Result<(), Unwritable> {
        ser::SerializeMap::end(self)
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use proptest::prelude::*;
    use serde_json::Value;

    use super::*;

    /// The writer this one replaced: a JSON tree of the value, its root's head first, then
    /// serde-saphyr.
    fn through_json_tree<T: Serialize>(value: &T) -> Option<String> {
        struct HeadFirst<'a>(&'a Value);
        impl Serialize for HeadFirst<'_> {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                let Value::Object(map) = self.0 else {
                    return self.0.serialize(s);
                };
                let mut out = s.serialize_map(Some(map.len()))?;
                for key in HEAD {
                    if let Some(v) = map.get(key) {
                        out.serialize_entry(key, v)?;
                    }
                }
                for (k, v) in map.iter().filter(|(k, _)| !HEAD.contains(&k.as_str())) {
                    out.serialize_entry(k, v)?;
                }
                out.end()
            }
        }
        let value = serde_json::to_value(value).ok()?;
        serde_saphyr::to_string(&HeadFirst(&value)).ok()
    }

    /// What YAML readers trip on: YAML 1.1 look-alikes, indicators, edge whitespace,
    /// comments, control and format characters, line breaks, document markers, long text.
    #[rustfmt::skip]
    const HAZARDS: &[&str] = &[
        "", " ", "  ", "\t", "~", "null", "Null", "NULL", "true", "False", "yes", "No", "no",
        "on", "OFF", "y", "Y", "n", "nan", ".NaN", "inf", "-.inf", "+.inf", ".inf", "3.10",
        "0x1f", "0o17", "0b101", "1_000", "+1", "-1", "1e3", "1e+3", ".5", "0.", "012",
        "12:30", "190:20:30", "2024-01-01", "2001-12-14t21:59:43.10-05:00", "<<", "=", "-",
        "- a", "-a", "--config", "?", "? a", "?a", ":", ": ", "a: b", "a:", "a:b", "a:b:",
        "http://host:4000/v1", "#", "a #b", "a#b", "# c", ",", "a,b", "[a]", "{a}", "'", "''",
        "\"", "\\", "|", ">", "&a", "*a", "!tag", "%x", "@x", "`x", "---", "...", "--- a",
        "...a", " lead", "trail ", "a  b", "é", "🙂", "字", "\u{0}", "\u{7}", "\u{1b}", "\u{7f}",
        "\u{85}", "\u{a0}", "\u{feff}", "\u{2028}", "\u{fffe}", "a\nb", "a\n", "a\n\n", "\n",
        "\n\n", "\na", "  a\nb", "a\r\nb", "a\rb", "a\tb\n", "x\n  y", "os.environ/KEY",
        "apiVersion", "kind", "metadata", "ZHVtbXk=", "a+b/c==", "q@h.x",
    ];

    fn text() -> impl Strategy<Value = String> {
        let hazard = || prop::sample::select(HAZARDS);
        prop_oneof![
            4 => hazard().prop_map(str::to_owned),
            3 => "[a-zA-Z/][a-zA-Z0-9._/:+=@-]{0,84}",
            2 => any::<String>(),
            1 => prop::collection::vec(hazard(), 0..6).prop_map(|p| p.join(" ")),
            1 => prop::collection::vec(hazard(), 0..6).prop_map(|p| p.join("\n")),
            1 => prop::collection::vec(hazard(), 0..6).prop_map(|p| p.concat()),
            // Long lines serde-saphyr folds, and keys too long to stay simple.
            1 => ("[ a-z#:]{1,4}", 20..60usize).prop_map(|(word, n)| word.repeat(n)),
            1 => ("[a-z\"]{1,2}", 513..700usize).prop_map(|(word, n)| word.repeat(n)),
        ]
    }

    fn tree() -> impl Strategy<Value = Value> {
        let leaf = prop_oneof![
            5 => text().prop_map(Value::from),
            1 => any::<i64>().prop_map(Value::from),
            1 => any::<u64>().prop_map(Value::from),
            1 => any::<f64>().prop_map(Value::from),
            1 => any::<bool>().prop_map(Value::from),
            1 => Just(Value::Null),
        ];
        leaf.prop_recursive(5, 64, 5, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..5).prop_map(Value::from),
                prop::collection::btree_map(text(), inner, 0..5)
                    .prop_map(|m| Value::Object(m.into_iter().collect())),
            ]
        })
    }

    #[derive(Debug, Serialize)]
    struct Typed {
        name: String,
        missing: Option<String>,
        #[serde(skip_serializing_if = "Option::is_none")]
        skipped: Option<String>,
        ratio: f32,
        weight: f64,
        items: Vec<Item>,
        nothing: (),
        kind: Kind,
        #[serde(flatten)]
        extra: BTreeMap<String, Value>,
    }

    #[derive(Debug, Serialize)]
    struct Item {
        id: u32,
        tags: Vec<String>,
        #[serde(flatten)]
        params: BTreeMap<String, Value>,
    }

    #[derive(Debug, Serialize)]
    enum Kind {
        Plain,
        Wrapped(Value),
    }

    fn typed() -> impl Strategy<Value = Typed> {
        let item = (
            any::<u32>(),
            prop::collection::vec(text(), 0..3),
            prop::collection::btree_map(text(), tree(), 0..3),
        )
            .prop_map(|(id, tags, params)| Item { id, tags, params });
        (
            (text(), prop::option::of(text()), prop::option::of(text())),
            (any::<f32>(), any::<f64>()),
            prop::collection::vec(item, 0..3),
            prop::option::of(tree()),
            // "name" and "kind" collide with fields: a JSON tree keeps the last.
            prop::collection::btree_map(
                prop_oneof![Just("name".to_owned()), Just("kind".to_owned()), text()],
                tree(),
                0..3,
            ),
        )
            .prop_map(
                |((name, missing, skipped), (ratio, weight), items, wrapped, extra)| Typed {
                    name,
                    missing,
                    skipped,
                    ratio,
                    weight,
                    items,
                    nothing: (),
                    kind: wrapped.map_or(Kind::Plain, Kind::Wrapped),
                    extra,
                },
            )
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 1000, ..ProptestConfig::default() })]

        #[test]
        fn a_manifest_is_byte_identical_to_the_json_tree_path(value in tree()) {
            prop_assert_eq!(manifest(&value).ok(), through_json_tree(&value));
        }

        #[test]
        fn declared_order_is_byte_identical_to_serde_saphyr(value in tree()) {
            prop_assert_eq!(to_string(&value, "a tree").ok(), serde_saphyr::to_string(&value).ok());
        }

        #[test]
        fn typed_values_are_byte_identical_both_ways(value in typed()) {
            prop_assert_eq!(to_string(&value, "typed").ok(), serde_saphyr::to_string(&value).ok());
            prop_assert_eq!(manifest(&value).ok(), through_json_tree(&value));
        }

        #[test]
        fn what_is_written_as_it_stands_is_what_serde_saphyr_writes_plain(s in text()) {
            if plain_as_is(&s, false) {
                prop_assert_eq!(spelled(&s.as_str()).ok(), Some(s.clone()));
            }
            if plain_as_is(&s, true) {
                prop_assert_eq!(spelled_key(&s).ok(), Some(s.clone()));
            }
        }
    }

    #[test]
    fn noting_finds_every_string_value_with_the_prefix_and_no_key() {
        let value = serde_json::json!({
            "x": "os.environ/A",
            "list": [1, {"y": ["plain", "os.environ/B"]}],
            "os.environ/C": "os.environ/D\nmultiline",
        });
        let (text, noted) = to_string_noting(&value, "a tree", "os.environ/").expect("writes");
        assert_eq!(text, to_string(&value, "a tree").expect("writes"));
        assert_eq!(
            noted,
            ["os.environ/B", "os.environ/D\nmultiline", "os.environ/A"]
        );
    }

    #[test]
    fn a_key_that_is_not_a_string_is_an_error_not_a_panic() {
        let map = BTreeMap::from([(1, "one")]);
        assert!(to_string(&map, "a map").is_err());
        assert!(manifest(&serde_bytes_like()).is_err());
    }

    /// Bytes, which no output type holds.
    fn serde_bytes_like() -> impl Serialize {
        struct Bytes;
        impl Serialize for Bytes {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_bytes(b"\x00")
            }
        }
        Bytes
    }
}
