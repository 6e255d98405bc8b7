//! No input makes litegate panic, and a spec that fails produces diagnostics, not output.
//! A proptest suite stands in for a fuzzer in CI (cargo-fuzz needs nightly features; see
//! fuzz/ for the libFuzzer target run outside CI): it mutates real specs, the shipped
//! examples and the tests/ui corpus, with YAML's sharp edges, and runs the whole pipeline.

mod common;

use common::{DUMMY_ENV, MapEnvironment, root};
use litegate::{Error, SpecSource};
use proptest::prelude::*;

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
