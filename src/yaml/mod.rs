//! Canonical YAML text from serde values: one writer for every file litegate emits.
//!
//! The text is serde-saphyr's with its defaults (2-space indent, a sequence at its key's
//! column, `{}` and `[]` when empty), written straight from the typed value: the layout is
//! made here, and a scalar that is not plainly safe is spelled by serde-saphyr itself
//! (quotes, escapes, block scalars, YAML 1.1 look-alikes such as `no` and `3.10`). A
//! manifest's maps are sorted as the `serde_json::Value` it once went through sorted them.

use std::fmt;

use serde::Serialize;
use serde::ser::{self, SerializeMap as _};

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
    // Room for a Deployment or a ConfigMap without growing: growing copies the text so far.
    let mut yaml = Yaml {
        out: String::with_capacity(8192),
        sorted,
        keys: String::with_capacity(256),
        entries: Vec::with_capacity(32),
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
const PLAIN_BYTES: [bool; 256] = plain_bytes(true);
const PLAIN_KEY_BYTES: [bool; 256] = plain_bytes(false);

const fn plain_bytes(colon: bool) -> [bool; 256] {
    let mut table = [false; 256];
    let mut b = 0;
    while b < 256 {
        let c = b as u8;
        table[b] = c.is_ascii_alphanumeric()
            || matches!(c, b'-' | b'_' | b'.' | b'/' | b'+' | b'=' | b'@')
            || (colon && c == b':');
        b += 1;
    }
    table
}

/// Whether serde-saphyr writes `s` as it stands, told from its bytes alone for the common
/// case: a letter or `/` first (or a hex digest, or a `--flag`), then only `PLAIN_BYTES`
/// (no space, quote, `#` or control character), no `:` at the end, at most 80 bytes (a
/// longer one is folded), and not a YAML 1.1 word. Anything else is spelled by serde-saphyr.
fn plain_as_is(s: &str, key: bool) -> bool {
    const WORDS: [&str; 11] = [
        "null", "true", "false", "yes", "no", "on", "off", "y", "n", "nan", "inf",
    ];
    let bytes = s.as_bytes();
    let first = match bytes {
        [b, ..] if b.is_ascii_alphabetic() || *b == b'/' => true,
        [b'-', b'-', b'a'..=b'z', ..] => true,
        [b'1'..=b'9', ..] if !key => is_quantity(bytes),
        _ => is_hex_digest(bytes),
    };
    first
        && bytes.len() <= 80
        && bytes.last() != Some(&b':')
        && bytes.iter().all(|&b| {
            let table = if key { &PLAIN_KEY_BYTES } else { &PLAIN_BYTES };
            table[usize::from(b)]
        })
        && !(bytes.len() <= 5
            && matches!(bytes[0] | 0x20, b'n' | b't' | b'f' | b'y' | b'o' | b'i')
            && WORDS.iter().any(|w| s.eq_ignore_ascii_case(w)))
}

/// Digits then letters, as a Kubernetes quantity (`250m`, `512Mi`): no YAML reader takes
/// that for a number (a first digit of 0 could start `0x`, and an `e` an exponent: both are
/// left out).
fn is_quantity(bytes: &[u8]) -> bool {
    let digits = bytes.iter().take_while(|b| b.is_ascii_digit()).count();
    digits < bytes.len()
        && bytes[digits..]
            .iter()
            .all(|&b| b.is_ascii_alphabetic() && b | 0x20 != b'e')
}

/// Whether serde-saphyr writes the value `s` double-quoted with nothing escaped, told from
/// its bytes for the common cases: digits (a port, a CPU count), `true`, `false` or `null`
/// in any case, a `YYYY-MM-DD` date. Anything else is spelled by serde-saphyr.
fn quoted_as_is(s: &str) -> bool {
    let bytes = s.as_bytes();
    let digits = |range: &[u8]| range.iter().all(u8::is_ascii_digit);
    (!bytes.is_empty() && bytes.len() <= 80 && digits(bytes))
        || ["true", "false", "null"]
            .iter()
            .any(|w| s.eq_ignore_ascii_case(w))
        || (bytes.len() == 10 && bytes[4] == b'-' && bytes[7] == b'-')
            && digits(&bytes[..4])
            && digits(&bytes[5..7])
            && digits(&bytes[8..])
}

/// Lowercase hex digits with a letter other than `e` (the stamp, the checksums): no YAML
/// reader takes that for a number (of hex letters, only `e` makes digits a float, and a
/// `0b` prefix a YAML 1.1 binary one), a boolean or null.
fn is_hex_digest(bytes: &[u8]) -> bool {
    !bytes.starts_with(b"0b")
        && bytes.iter().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
        && bytes.iter().any(|b| matches!(b, b'a'..=b'd' | b'f'))
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

mod node;
#[cfg(test)]
mod tests;

use node::Node;
