//! `litegate schema`, `init`, `completions` and `man`: the schema is committed, matches the
//! types, accepts every example and refuses what the compiler refuses.

mod common;

use std::fs;
use std::process::Output;

use common::{litegate, root};
use serde_json::Value;

fn stdout(o: &Output) -> String {
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8(o.stdout.clone()).expect("UTF-8 output")
}

fn validator() -> jsonschema::Validator {
    let text = fs::read_to_string(root().join("litegate.schema.json")).expect("schema file");
    let schema: Value = serde_json::from_str(&text).expect("schema is JSON");
    jsonschema::validator_for(&schema).expect("a valid JSON Schema")
}

fn yaml_to_json(text: &str) -> Value {
    serde_saphyr::from_str(text).expect("YAML")
}

fn schema_errors(validator: &jsonschema::Validator, yaml: &str) -> Vec<String> {
    validator
        .iter_errors(&yaml_to_json(yaml))
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect()
}

#[test]
fn the_committed_schema_is_what_litegate_schema_prints() {
    let committed = fs::read_to_string(root().join("litegate.schema.json")).unwrap_or_default();
    let printed = stdout(&litegate(&["schema"], &[]));
    assert!(
        committed == printed,
        "litegate.schema.json is stale; regenerate it with \
         `cargo run -q -- schema > litegate.schema.json`"
    );
}

#[test]
fn every_example_validates_against_the_schema() {
    let validator = validator();
    let mut checked = 0;
    for entry in fs::read_dir(root().join("examples")).expect("examples/") {
        let path = entry.expect("entry").path();
        if path.extension().is_none_or(|e| e != "yaml") {
            continue;
        }
        let text = fs::read_to_string(&path).expect("readable");
        assert!(
            text.starts_with("# yaml-language-server: $schema=../litegate.schema.json\n"),
            "{} does not point editors at the schema",
            path.display()
        );
        let errors = schema_errors(&validator, &text);
        assert!(errors.is_empty(), "{}: {errors:#?}", path.display());
        checked += 1;
    }
    assert!(checked >= 5, "only {checked} examples found");
}

const MINIMAL: &str = "\
apiVersion: litegate/v1alpha1
kind: Gateway
metadata: {name: litellm}
providers:
  openai: {type: openai, apiKey: {env: OPENAI_API_KEY}}
models:
  - {name: gpt-4o, provider: openai, model: gpt-4o}
deployment:
  masterKey: {env: LITELLM_MASTER_KEY}
  rollout: {maxSurge: 1, maxUnavailable: \"25%\"}
  affinity: {podAntiAffinity: {}}
";

#[test]
fn the_schema_accepts_a_minimal_spec() {
    assert_eq!(schema_errors(&validator(), MINIMAL), Vec::<String>::new());
}

#[test]
fn the_schema_refuses_unknown_fields_everywhere() {
    let validator = validator();
    for (from, to) in [
        ("kind: Gateway\n", "kind: Gateway\nextra: 1\n"),
        ("{name: litellm}", "{name: litellm, nmae: x}"),
        ("type: openai,", "type: openai, apikey: x,"),
        ("model: gpt-4o}", "model: gpt-4o, limit: {rpm: 1}}"),
        ("rollout: {", "rollout: {maxSurges: 1, "),
        ("{env: OPENAI_API_KEY}", "{env: OPENAI_API_KEY, value: x}"),
    ] {
        let spec = MINIMAL.replacen(from, to, 1);
        assert_ne!(spec, MINIMAL, "{from} not found");
        assert!(!schema_errors(&validator, &spec).is_empty(), "{spec}");
    }
}

#[test]
fn the_schema_refuses_literal_and_ambiguous_secret_sources() {
    let validator = validator();
    for source in [
        "sk-literal-0123456789abcdef0123456789",
        "12345",
        "{}",
        "{env: A, file: b}",
        "{secretRef: {name: s}}",
    ] {
        let spec = MINIMAL.replacen("{env: OPENAI_API_KEY}", source, 1);
        assert!(!schema_errors(&validator, &spec).is_empty(), "{source}");
    }
}

#[test]
fn the_schema_refuses_a_bad_percentage_and_a_scalar_affinity() {
    let validator = validator();
    for (from, to) in [("\"25%\"", "\"25\""), ("{podAntiAffinity: {}}", "spread")] {
        let spec = MINIMAL.replacen(from, to, 1);
        assert!(!schema_errors(&validator, &spec).is_empty(), "{spec}");
    }
}

#[test]
fn init_prints_a_spec_that_validates_and_matches_the_schema() {
    let text = stdout(&litegate(&["init"], &[]));
    assert!(
        text.starts_with("# yaml-language-server: $schema=./litegate.schema.json\n"),
        "{text}"
    );
    let errors = schema_errors(&validator(), &text);
    assert!(errors.is_empty(), "{errors:#?}");

    let dir = tempfile::tempdir().expect("tempdir");
    let spec = dir.path().join("x.yaml");
    fs::write(&spec, &text).expect("written");
    let env = [
        ("OPENAI_API_KEY", "dummy-openai"),
        ("ANTHROPIC_API_KEY", "dummy-anthropic"),
        ("LITELLM_MASTER_KEY", "sk-0123456789abcdef0123456789abcdef"),
    ];
    let spec = spec.to_str().expect("UTF-8 path");
    let out = litegate(&["validate", "--strict", spec], &env);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn bash_completions_know_the_commands() {
    let script = stdout(&litegate(&["completions", "bash"], &[]));
    assert!(script.contains("render"), "{script}");
    assert!(script.contains("validate"), "{script}");
    for shell in ["zsh", "fish", "elvish", "powershell"] {
        assert!(!stdout(&litegate(&["completions", shell], &[])).is_empty());
    }
}

#[test]
fn an_unknown_shell_is_a_usage_error() {
    assert_eq!(
        litegate(&["completions", "tcsh"], &[]).status.code(),
        Some(2)
    );
}

#[test]
fn man_prints_a_roff_page_title_first() {
    let page = stdout(&litegate(&["man"], &[]));
    assert!(page.starts_with(".TH "), "{page}");
    assert!(page.contains(".SH NAME"), "{page}");
}

/// Bad specs of tests/ui/ that the schema refuses, measured when the catalog's enums and
/// the name patterns went in (15 before them). What JSON Schema cannot see
/// (unset env vars, cycles, ids, sizes) stays for `validate`.
const UI_CASES_THE_SCHEMA_CATCHES: usize = 42;

#[test]
fn the_schema_catches_bad_specs_of_the_ui_corpus_and_passes_every_warning_case() {
    let validator = validator();
    let (mut caught, mut missed, mut not_yaml) = (Vec::new(), Vec::new(), 0);
    let mut files: Vec<_> = fs::read_dir(root().join("tests/ui"))
        .expect("tests/ui")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "yaml"))
        .collect();
    files.sort();
    for path in files {
        let name = path
            .file_name()
            .unwrap_or_default()
            .to_string_lossy()
            .into_owned();
        let Ok(text) = fs::read_to_string(&path) else {
            not_yaml += 1;
            continue;
        };
        let Ok(value) = serde_saphyr::from_str::<Value>(&text) else {
            not_yaml += 1;
            continue;
        };
        let refused = validator.iter_errors(&value).next().is_some();
        if name.starts_with('w') {
            // A warning case is a valid spec: an editor must not flag it.
            let errors: Vec<String> = validator
                .iter_errors(&value)
                .map(|e| e.to_string())
                .collect();
            assert!(
                errors.is_empty(),
                "{name} is valid but the schema refuses it: {errors:#?}"
            );
        } else if refused {
            caught.push(name);
        } else {
            missed.push(name);
        }
    }
    eprintln!(
        "schema catches {} of {} bad UI specs ({not_yaml} are not YAML at all); missed: {missed:#?}",
        caught.len(),
        caught.len() + missed.len()
    );
    assert!(
        caught.len() >= UI_CASES_THE_SCHEMA_CATCHES,
        "the schema catches only {} bad UI specs, fewer than {UI_CASES_THE_SCHEMA_CATCHES}: {caught:#?}",
        caught.len()
    );
}

#[test]
fn the_schema_knows_the_catalog_and_the_name_rules() {
    let validator = validator();
    for (from, to) in [
        ("type: openai,", "type: antropic,"),
        ("{name: litellm}", "{name: ML_Gateway}"),
        ("model: gpt-4o}", "model: gpt-4o, params: {max_token: 5}}"),
        ("{env: OPENAI_API_KEY}", "{env: OPENAI-API-KEY}"),
        ("masterKey:", "replicas: 0\n  masterKey:"),
        (
            "deployment:\n",
            "router: {strategy: simple_shuffle}\ndeployment:\n",
        ),
    ] {
        let spec = MINIMAL.replacen(from, to, 1);
        assert_ne!(spec, MINIMAL, "{from} not found");
        assert!(
            !schema_errors(&validator, &spec).is_empty(),
            "accepted:\n{spec}"
        );
    }
    let ok = MINIMAL.replacen(
        "model: gpt-4o}",
        "model: gpt-4o, params: {max_tokens: 5}}",
        1,
    );
    assert_eq!(schema_errors(&validator, &ok), Vec::<String>::new());
}

#[test]
fn every_field_of_the_schema_has_a_description() {
    fn walk(node: &Value, at: &str, out: &mut Vec<String>) {
        let Some(map) = node.as_object() else { return };
        if let Some(props) = map.get("properties").and_then(Value::as_object) {
            for (key, sub) in props {
                let path = format!("{at}.{key}");
                if sub.get("description").is_none() {
                    out.push(path.clone());
                }
                walk(sub, &path, out);
            }
        }
        for key in ["items", "additionalProperties"] {
            if let Some(sub) = map.get(key) {
                walk(sub, &format!("{at}[{key}]"), out);
            }
        }
        for key in ["oneOf", "anyOf", "allOf"] {
            for (i, sub) in map
                .get(key)
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .enumerate()
            {
                walk(sub, &format!("{at}<{key}{i}>"), out);
            }
        }
    }
    let text = fs::read_to_string(root().join("litegate.schema.json")).expect("schema file");
    let schema: Value = serde_json::from_str(&text).expect("JSON");
    let mut missing = Vec::new();
    walk(&schema, "", &mut missing);
    for (name, def) in schema["$defs"].as_object().into_iter().flatten() {
        walk(def, name, &mut missing);
    }
    assert!(
        missing.is_empty(),
        "fields without a description: {missing:#?}"
    );
}
