//! No input makes litegate panic, and a spec that fails produces diagnostics, not output.
//! A proptest suite stands in for a fuzzer in CI (cargo-fuzz needs nightly features; see
//! fuzz/ for the libFuzzer target run outside CI): it mutates real specs, the shipped
//! examples and the tests/ui corpus, with YAML's sharp edges, and runs the whole pipeline.
//! Manifests built from arbitrary text are written byte for byte as the JSON-tree path
//! (k8s-openapi -> `serde_json::Value` -> serde-saphyr) wrote them before.

mod common;

use std::collections::BTreeMap;

use common::{DUMMY_ENV, MapEnvironment, root};
use k8s_openapi::ByteString;
use k8s_openapi::api::apps::v1::{Deployment, DeploymentSpec};
use k8s_openapi::api::core::v1::{
    ConfigMap, Container, EnvVar, PodSpec, PodTemplateSpec, Secret, Volume,
};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use litegate::render::Object;
use litegate::{Error, SpecSource};
use proptest::prelude::*;
use serde::Serialize;
use serde_json::Value;

/// Seeds: every example and every UI case, as text.
fn seeds() -> Vec<String> {
    let mut out = Vec::new();
    for dir in ["examples", "tests/ui"] {
        let mut paths: Vec<_> = std::fs::read_dir(root().join(dir))
            .expect("dir")
            .map(|e| e.expect("entry").path())
            .filter(|p| p.extension().is_some_and(|x| x == "yaml"))
            .collect();
        paths.sort();
        out.extend(paths.iter().filter_map(|p| std::fs::read_to_string(p).ok()));
    }
    out
}

/// Tokens that stress YAML parsers and our recovery.
const TOKENS: &[&str] = &[
    ":",
    ": ",
    "- ",
    "{",
    "}",
    "[",
    "]",
    ",",
    "&a ",
    "*a",
    "<<: *a",
    "\n",
    "  ",
    "\t",
    "!!binary ",
    "!!str ",
    "null",
    "~",
    "'",
    "\"",
    "no",
    "on",
    "3.10",
    "1e999",
    "-1",
    "0x1F",
    "#",
    "\u{feff}",
    "é",
    "🙂",
    "? ",
    "|\n",
    ">-\n",
    "---\n",
    "...\n",
    "%YAML 1.2\n",
    "\\",
    "os.environ/X",
    "{env: X}",
    "{file: /dev/null}",
    "{secretRef: {name: a, key: b}}",
    "models: []",
    "replicas: 0",
    "9999999999999999999999",
];

#[derive(Debug, Clone)]
enum Mutation {
    Delete { at: usize, len: usize },
    Insert { at: usize, token: usize },
    DuplicateLine { line: usize },
    DeleteLine { line: usize },
    SwapLines { a: usize, b: usize },
    Truncate { at: usize },
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        (any::<usize>(), 1..40usize).prop_map(|(at, len)| Mutation::Delete { at, len }),
        (any::<usize>(), 0..TOKENS.len()).prop_map(|(at, token)| Mutation::Insert { at, token }),
        any::<usize>().prop_map(|line| Mutation::DuplicateLine { line }),
        any::<usize>().prop_map(|line| Mutation::DeleteLine { line }),
        (any::<usize>(), any::<usize>()).prop_map(|(a, b)| Mutation::SwapLines { a, b }),
        any::<usize>().prop_map(|at| Mutation::Truncate { at }),
    ]
}

fn boundary(text: &str, at: usize) -> usize {
    let mut i = at % (text.len() + 1);
    while !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

fn apply(text: &str, m: &Mutation) -> String {
    let mut lines: Vec<&str> = text.split_inclusive('\n').collect();
    let n = lines.len().max(1);
    match *m {
        Mutation::Delete { at, len } => {
            let start = boundary(text, at);
            let end = boundary(text, (start + len).min(text.len()));
            format!("{}{}", &text[..start], &text[end.max(start)..])
        }
        Mutation::Insert { at, token } => {
            let i = boundary(text, at);
            format!("{}{}{}", &text[..i], TOKENS[token], &text[i..])
        }
        Mutation::DuplicateLine { line } if !lines.is_empty() => {
            let l = lines[line % n];
            lines.insert(line % n, l);
            lines.concat()
        }
        Mutation::DeleteLine { line } if !lines.is_empty() => {
            lines.remove(line % n);
            lines.concat()
        }
        Mutation::SwapLines { a, b } if !lines.is_empty() => {
            lines.swap(a % n, b % n);
            lines.concat()
        }
        Mutation::Truncate { at } => text[..boundary(text, at)].to_owned(),
        _ => text.to_owned(),
    }
}

/// The whole pipeline on one text: never a panic; output only on success; no secret in
/// any diagnostic; the same bytes when rendered twice.
fn check(text: &str) -> Result<(), TestCaseError> {
    let source = SpecSource {
        path: "fuzz.yaml".into(),
        text: text.to_owned(),
    };
    let env = MapEnvironment::dummy();
    let redacted = litegate::diagnostics::redact_source(text);
    prop_assert_eq!(redacted.len(), text.len());
    match litegate::compile(&source, &env) {
        Ok(compiled) => {
            let first = litegate::emit::stream(&compiled.rendered, "fuzz.yaml").ok();
            prop_assert!(first.is_some());
            let again = litegate::compile(&source, &env)
                .ok()
                .and_then(|c| litegate::emit::stream(&c.rendered, "fuzz.yaml").ok());
            prop_assert_eq!(again, first);
        }
        Err(Error::Invalid(diagnostics)) => {
            prop_assert!(
                diagnostics.iter().any(|d| d.is_error()),
                "failed without an error"
            );
            let mut all = litegate::diagnostics::report::json(&diagnostics, "fuzz.yaml");
            for d in &diagnostics {
                all.push_str(&d.to_text("fuzz.yaml", Some(&redacted)));
            }
            for (name, value) in DUMMY_ENV {
                prop_assert!(
                    !all.contains(value),
                    "a diagnostic carries the value of {}",
                    name
                );
            }
        }
        Err(other) => prop_assert!(false, "unexpected error kind: {other}"),
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 1500, ..ProptestConfig::default() })]

    #[test]
    fn mutated_specs_never_panic_and_fail_cleanly(
        seed in any::<prop::sample::Index>(),
        mutations in prop::collection::vec(mutation(), 1..5),
    ) {
        let seeds = seeds();
        let mut text = seeds[seed.index(seeds.len())].clone();
        for m in &mutations {
            text = apply(&text, m);
        }
        check(&text)?;
    }

    #[test]
    fn arbitrary_text_never_panics(text in "\\PC{0,400}") {
        check(&text)?;
    }
}

/// The manifest writer before: a JSON tree of the object, `apiVersion`, `kind`, `metadata`
/// first, then serde-saphyr.
fn through_json_tree(object: &impl Serialize) -> Option<String> {
    struct HeadFirst(Value);
    impl Serialize for HeadFirst {
        fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            use serde::ser::SerializeMap;
            let Value::Object(map) = &self.0 else {
                return self.0.serialize(s);
            };
            const HEAD: [&str; 3] = ["apiVersion", "kind", "metadata"];
            let mut out = s.serialize_map(Some(map.len()))?;
            for key in HEAD.iter().filter(|k| map.contains_key(**k)) {
                out.serialize_entry(key, &map[*key])?;
            }
            for (k, v) in map.iter().filter(|(k, _)| !HEAD.contains(&k.as_str())) {
                out.serialize_entry(k, v)?;
            }
            out.end()
        }
    }
    serde_saphyr::to_string(&HeadFirst(serde_json::to_value(object).ok()?)).ok()
}

/// Text YAML readers trip on, and text like the usual names, paths and URLs.
fn text() -> impl Strategy<Value = String> {
    #[rustfmt::skip]
    const HAZARDS: &[&str] = &[
        "",
        " ",
        "~",
        "null",
        "no",
        "On",
        "y",
        "3.10",
        "0x1f",
        "0o17",
        "1_000",
        "1e3",
        ".inf",
        "12:30",
        "2024-01-01",
        "<<",
        "-",
        "- a",
        "? a",
        "a: b",
        "a:",
        "#",
        "a #b",
        "'",
        "\"",
        "\\",
        "|",
        ">",
        "&a",
        "*a",
        "!t",
        "%x",
        "@x",
        "---",
        "...",
        " lead",
        "trail ",
        "é",
        "🙂",
        "\u{0}",
        "\u{85}",
        "\u{feff}",
        "\u{2028}",
        "a\nb",
        "a\n",
        "\n\n",
        "  a\nb",
        "a\r\nb",
        "x\ty",
        "os.environ/KEY",
    ];
    let hazard = || prop::sample::select(HAZARDS);
    prop_oneof![
        3 => hazard().prop_map(str::to_owned),
        3 => "[a-zA-Z/][a-zA-Z0-9._/:+=@-]{0,84}",
        2 => any::<String>(),
        1 => prop::collection::vec(hazard(), 0..6).prop_map(|p| p.join(" ")),
        1 => prop::collection::vec(hazard(), 0..6).prop_map(|p| p.join("\n")),
        1 => ("[ a-z#:]{1,4}", 20..60usize).prop_map(|(word, n)| word.repeat(n)),
        1 => ("[a-z\"]{1,2}", 513..700usize).prop_map(|(word, n)| word.repeat(n)),
    ]
}

fn text_map() -> impl Strategy<Value = Option<BTreeMap<String, String>>> {
    prop::option::of(prop::collection::btree_map(text(), text(), 0..4))
}

fn meta() -> impl Strategy<Value = ObjectMeta> {
    (prop::option::of(text()), text_map(), text_map()).prop_map(|(name, labels, annotations)| {
        ObjectMeta {
            name,
            labels,
            annotations,
            ..Default::default()
        }
    })
}

fn container() -> impl Strategy<Value = Container> {
    (
        text(),
        prop::option::of(prop::collection::vec(text(), 0..4)),
        prop::collection::vec((text(), prop::option::of(text())), 0..3),
        prop::option::of(text()),
    )
        .prop_map(|(name, args, env, image)| Container {
            name,
            args,
            env: Some(
                env.into_iter()
                    .map(|(name, value)| EnvVar {
                        name,
                        value,
                        ..Default::default()
                    })
                    .collect(),
            ),
            image,
            ..Default::default()
        })
}

fn object() -> impl Strategy<Value = Object> {
    prop_oneof![
        (meta(), text_map()).prop_map(|(metadata, data)| Object::ConfigMap(ConfigMap {
            metadata,
            data,
            ..Default::default()
        })),
        (
            meta(),
            prop::collection::btree_map(text(), any::<Vec<u8>>(), 0..3)
        )
            .prop_map(|(metadata, data)| Object::Secret(Secret {
                metadata,
                data: Some(data.into_iter().map(|(k, v)| (k, ByteString(v))).collect()),
                type_: Some("Opaque".to_owned()),
                ..Default::default()
            })),
        (meta(), prop::collection::vec(container(), 0..3), text()).prop_map(
            |(metadata, containers, volume)| Object::Deployment(Box::new(Deployment {
                metadata: metadata.clone(),
                spec: Some(DeploymentSpec {
                    replicas: Some(2),
                    template: PodTemplateSpec {
                        metadata: Some(metadata),
                        spec: Some(PodSpec {
                            containers,
                            volumes: Some(vec![Volume {
                                name: volume,
                                empty_dir: Some(Default::default()),
                                ..Default::default()
                            }]),
                            ..Default::default()
                        }),
                    },
                    ..Default::default()
                }),
                ..Default::default()
            }))
        ),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 500, ..ProptestConfig::default() })]

    #[test]
    fn manifests_are_byte_identical_to_the_json_tree_path(object in object()) {
        let expected = match &object {
            Object::ConfigMap(o) => through_json_tree(o),
            Object::Secret(o) => through_json_tree(o),
            Object::Deployment(o) => through_json_tree(o),
            _ => None,
        };
        prop_assert!(expected.is_some());
        prop_assert_eq!(object.to_yaml().ok(), expected);
    }
}
