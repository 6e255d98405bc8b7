//! `litegate krm`: the KRM function contract on stdin/stdout, and for real through
//! `kpt fn eval --exec`. (kubectl's embedded kustomize has no `--enable-exec`, so a KRM exec
//! function cannot run under `kubectl kustomize`; litegate runs there as a legacy exec
//! plugin instead, tested in kustomize_plugin.rs.)

mod common;

use std::io::Write;
use std::process::{Command, Stdio};

use common::{DUMMY_ENV, allow_dummy_env, kpt, litegate, root};
use serde_json::Value;

fn krm(input: &str) -> (i32, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_litegate"))
        .arg("krm")
        .env_clear()
        .envs(DUMMY_ENV.iter().copied())
        .env(allow_dummy_env().0, allow_dummy_env().1)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("litegate runs");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(input.as_bytes())
        .expect("writes");
    let out = child.wait_with_output().expect("exits");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}

fn resource_list(spec: &str, items: &str) -> String {
    let indented: String = spec.lines().map(|l| format!("  {l}\n")).collect();
    format!(
        "apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems: {items}\nfunctionConfig:\n{indented}"
    )
}

/// The objects `litegate render` prints, as values.
fn rendered(example: &str) -> Vec<Value> {
    let out = litegate(&["render", example], DUMMY_ENV);
    assert_eq!(out.status.code(), Some(0));
    serde_saphyr::from_multiple::<Value>(&String::from_utf8_lossy(&out.stdout))
        .expect("multi-document YAML")
        .into_iter()
        .filter(|v| !v.is_null())
        .collect()
}

#[test]
fn the_function_appends_the_rendered_objects_to_the_items() {
    let spec = std::fs::read_to_string(root().join("examples/full.yaml")).expect("readable");
    let existing = "[{apiVersion: v1, kind: Namespace, metadata: {name: llm}}]";
    let (code, out) = krm(&resource_list(&spec, existing));
    assert_eq!(code, 0, "{out}");
    let list: Value = serde_saphyr::from_str(&out).expect("a ResourceList");
    let items = list["items"].as_array().expect("items");
    assert_eq!(items[0]["kind"], "Namespace", "input items are kept, first");
    assert_eq!(
        items[1..].to_vec(),
        rendered("examples/full.yaml"),
        "the same objects as litegate render"
    );
    assert!(list.get("results").is_none(), "{out}");
}

#[test]
fn errors_become_results_with_a_field_path_and_no_object_is_added() {
    let spec = std::fs::read_to_string(root().join("examples/minimal.yaml"))
        .expect("readable")
        .replace("provider: openai", "provider: opnai")
        .replace(
            "apiKey: {env: OPENAI_API_KEY}",
            "apiKey: sk-literal-NEVER-PRINT",
        );
    let (code, out) = krm(&resource_list(&spec, "[]"));
    assert_eq!(code, 1);
    let list: Value = serde_saphyr::from_str(&out).expect("a ResourceList");
    assert_eq!(list["items"], serde_json::json!([]));
    let results = list["results"].as_array().expect("results");
    assert!(
        results
            .iter()
            .any(|r| r["severity"] == "error" && r["field"]["path"] == "models[0].provider"),
        "{out}"
    );
    assert!(!out.contains("NEVER-PRINT"), "{out}");
    for (name, value) in DUMMY_ENV {
        assert!(!out.contains(value), "the value of {name} leaked");
    }
}

#[test]
fn a_refusal_names_the_real_reason_and_never_quotes_the_input() {
    let secret = "sk-NEVER-PRINT-7f3a";
    let cases = [
        (
            format!("kind: ResourceList\nitems: [{secret}\n"),
            "stdin is not YAML: unclosed bracket '[' at line 2, column 8",
        ),
        (format!("- {secret}\n"), "stdin is a YAML sequence"),
        (format!("{secret}\n"), "stdin is a YAML scalar"),
        ("# nothing but a comment\n".to_owned(), "stdin is empty"),
        (
            format!("kind: ResourceList\n---\nkind: {secret}\n"),
            "several YAML documents",
        ),
        (
            format!("kind: {secret}\nitems: []\n"),
            "`kind` is not ResourceList",
        ),
        (
            format!("kind: ResourceList\nitems: {{a: {secret}}}\n"),
            "`items` is not a sequence",
        ),
        (
            "kind: ResourceList\nitems: []\n".to_owned(),
            "has no functionConfig",
        ),
        (
            format!("kind: ResourceList\nitems: []\nfunctionConfig: {secret}\n"),
            "functionConfig is not a mapping",
        ),
    ];
    for (input, reason) in cases {
        let (code, out) = krm(&input);
        assert_eq!(code, 1, "{out}");
        assert!(!out.contains("NEVER-PRINT"), "{out}");
        let list: Value = serde_saphyr::from_str(&out).expect("a ResourceList");
        assert_eq!(list["kind"], "ResourceList", "{out}");
        assert_eq!(list["items"], serde_json::json!([]), "no object is added");
        let results = list["results"].as_array().expect("results");
        assert_eq!(results.len(), 1, "{out}");
        assert_eq!(results[0]["severity"], "error");
        let message = results[0]["message"].as_str().expect("a message");
        assert!(
            message.contains(reason),
            "{message:?} should say {reason:?}"
        );
    }
}

#[test]
fn a_spec_with_the_function_annotation_still_renders_alone() {
    let dir = tempfile::tempdir().expect("tempdir");
    let spec = std::fs::read_to_string(root().join("examples/minimal.yaml")).expect("readable").replace(
        "metadata:\n  name: litellm\n",
        "metadata:\n  name: litellm\n  annotations:\n    config.kubernetes.io/function: |\n      exec:\n        path: ./litegate-krm\n",
    );
    let path = dir.path().join("gateway.yaml");
    std::fs::write(&path, spec).expect("write");
    let out = litegate(&["render", path.to_str().expect("utf-8")], DUMMY_ENV);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(!String::from_utf8_lossy(&out.stdout).contains("config.kubernetes.io/function"));
}

#[test]
fn kpt_fn_eval_exec_writes_the_same_objects_as_render() {
    let dir = tempfile::tempdir().expect("tempdir");
    let pkg = dir.path().join("pkg");
    std::fs::create_dir(&pkg).expect("mkdir");
    let wrapper = dir.path().join("litegate-krm");
    std::fs::write(
        &wrapper,
        format!("#!/bin/sh\nexec {} krm\n", env!("CARGO_BIN_EXE_litegate")),
    )
    .expect("write");
    Command::new("chmod")
        .arg("755")
        .arg(&wrapper)
        .status()
        .expect("chmod");
    let out = Command::new(kpt())
        .args(["fn", "eval"])
        .arg(&pkg)
        .arg("--exec")
        .arg(&wrapper)
        .arg("--fn-config")
        .arg(root().join("examples/minimal.yaml"))
        .env_clear()
        .envs(DUMMY_ENV.iter().copied())
        .env(allow_dummy_env().0, allow_dummy_env().1)
        .env("HOME", dir.path())
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .output()
        .expect("kpt runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut written: Vec<Value> = std::fs::read_dir(&pkg)
        .expect("pkg")
        .map(|e| {
            let text = std::fs::read_to_string(e.expect("entry").path()).expect("readable");
            let mut v: Value = serde_saphyr::from_str(&text).expect("yaml");
            // kpt's own bookkeeping annotations are not ours.
            if let Some(a) = v["metadata"]
                .get_mut("annotations")
                .and_then(Value::as_object_mut)
            {
                a.retain(|k, _| {
                    !k.starts_with("config.kubernetes.io/")
                        && !k.starts_with("internal.config.kubernetes.io/")
                });
                if a.is_empty() {
                    v["metadata"]
                        .as_object_mut()
                        .expect("metadata")
                        .remove("annotations");
                }
            }
            v
        })
        .collect();
    let mut expected = rendered("examples/minimal.yaml");
    let key = |v: &Value| format!("{}/{}", v["kind"], v["metadata"]["name"]);
    written.sort_by_key(key);
    expected.sort_by_key(key);
    assert_eq!(written, expected);
}
