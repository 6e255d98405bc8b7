//! The serde Serializer that writes one value's YAML: `Node` for a value, `Seq` and `Map`
//! for the containers, following the layout rules of the module above. Longer than our
//! usual 400 lines because serde's Serializer traits ask for every method; they are one job.

use std::fmt::Write as _;

use serde::Serialize;
use serde::ser::{self, Impossible, SerializeMap as _};

use super::*;

/// Writes one value into its slot.
pub(super) struct Node<'a> {
    pub(super) yaml: &'a mut Yaml,
    pub(super) slot: Slot,
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
        if quoted_as_is(v) {
            let out = &mut self.yaml.out;
            out.push_str(self.slot.gap());
            out.push('"');
            out.push_str(v);
            out.push_str("\"\n");
            return Ok(());
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
pub(super) struct Seq<'a> {
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
pub(super) struct Map<'a> {
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
