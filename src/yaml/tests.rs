//! The writer against serde-saphyr's own output, on typed values and hazards.

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
    "apiVersion", "kind", "metadata", "ZHVtbXk=", "a+b/c==", "q@h.x", "2b8b0ecb33bf9c70",
    "1234e567", "1e10", "0e0", "e", "f", "0b1", "0b10", "0bad", "0x1f", "--inf", "--a",
    "--nan", "--", "---", "--a:", "0xff", "0xFF", "0xab", "0b", "0o", "0x", "1e", "12E", "1E",
    "1Gi", "250m", "512Mi", "0m", "00", "0", "4000", "2024-1-2", "2024-10-21", "TRUE", "nULL",
];

fn text() -> impl Strategy<Value = String> {
    let hazard = || prop::sample::select(HAZARDS);
    prop_oneof![
        4 => hazard().prop_map(str::to_owned),
        3 => "[a-zA-Z/][a-zA-Z0-9._/:+=@-]{0,84}",
        2 => "[0-9a-fx.+-]{1,70}",
        1 => "--[a-z][a-zA-Z0-9._/:+=@-]{0,84}",
        // Numbers, quantities and dates, which serde-saphyr quotes or not.
        2 => "[0-9]{1,5}([a-zA-Z]{1,3}|[.:_-][0-9]{0,3}|[-][0-9]{2}[-][0-9]{2})?",
        1 => "(?i)(true|false|null|nan|inf|yes|no|on|off)",
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
        if quoted_as_is(&s) {
            prop_assert_eq!(spelled(&s.as_str()).ok(), Some(format!("\"{s}\"")));
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
