//! Secret values appear in the Secret object and nowhere else: not in other objects, not
//! in errors or warnings, not in `--check` diffs, not in JSON reports, not in panics.
//! Every secret source here holds a marker value that is easy to search for.

mod common;

use std::fs;

use base64::Engine;
use common::{litegate_in, root};

const MARKERS: &[(&str, &str)] = &[
    ("OPENAI_API_KEY", "MARKER-openai-a1b2c3"),
    ("ANTHROPIC_API_KEY", "MARKER-anthropic-d4e5f6"),
    ("AWS_ACCESS_KEY_ID", "MARKER-awsid-0a0b0c"),
    ("AWS_SECRET_ACCESS_KEY", "MARKER-awssecret-1d1e1f"),
    ("REDIS_PASSWORD", "MARKER-redis-2a2b2c"),
    (
        "LITELLM_MASTER_KEY",
        "sk-MARKER-master-3d3e3f3a3b3c3d3e3f3a3b3c3d3e",
    ),
];
const FILE_MARKER: &str = "MARKER-file-4f4e4d";

/// Every marker, plain and base64-encoded (as it stands in the Secret's data).
fn needles() -> Vec<String> {
    let mut out = Vec::new();
    for value in MARKERS.iter().map(|(_, v)| *v).chain([FILE_MARKER]) {
        out.push(value.to_owned());
        out.push(base64::engine::general_purpose::STANDARD.encode(value));
    }
    out
}

fn assert_clean(what: &str, text: &str) {
    for needle in needles() {
        assert!(
            !text.contains(&needle),
            "{what} contains a secret marker:\n{text}"
        );
    }
}

/// A work dir with full.yaml, its anthropic key read from a file holding a marker.
fn workspace() -> tempfile::TempDir {
    let tmp = tempfile::tempdir().expect("tempdir");
    let spec = fs::read_to_string(root().join("examples/full.yaml"))
        .expect("readable")
        .replace(
            "apiKey: {env: ANTHROPIC_API_KEY}",
            "apiKey: {file: anthropic.key}",
        );
    fs::write(tmp.path().join("gateway.yaml"), spec).expect("write");
    fs::write(tmp.path().join("anthropic.key"), format!("{FILE_MARKER}\n")).expect("write");
    tmp
}

#[test]
fn render_puts_markers_in_the_secret_only() {
    let tmp = workspace();
    let out = litegate_in(tmp.path(), &["render", "gateway.yaml"], MARKERS);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    let (secret, rest): (Vec<&str>, Vec<&str>) = stdout
        .split("\n---\n")
        .partition(|d| d.contains("\nkind: Secret\n"));
    assert_eq!(secret.len(), 1);
    assert!(secret[0].contains(&base64::engine::general_purpose::STANDARD.encode(FILE_MARKER)));
    assert_clean("objects other than the Secret", &rest.join("\n---\n"));
    assert_clean("stderr", &String::from_utf8_lossy(&out.stderr));
}

#[test]
fn written_files_keep_markers_in_secret_yaml_only() {
    let tmp = workspace();
    let out = litegate_in(
        tmp.path(),
        &["render", "gateway.yaml", "-o", "out"],
        MARKERS,
    );
    assert_eq!(out.status.code(), Some(0));
    for entry in fs::read_dir(tmp.path().join("out")).expect("out/") {
        let path = entry.expect("entry").path();
        if path.file_name().is_some_and(|n| n != "secret.yaml") {
            assert_clean(
                &path.display().to_string(),
                &fs::read_to_string(&path).expect("readable"),
            );
        }
    }
}

#[test]
fn check_diffs_never_show_old_or_new_values() {
    let tmp = workspace();
    assert_eq!(
        litegate_in(
            tmp.path(),
            &["render", "gateway.yaml", "-o", "out"],
            MARKERS
        )
        .status
        .code(),
        Some(0)
    );
    // Rotate every key to another marker-bearing value and the file key too.
    let rotated: Vec<(&str, String)> = MARKERS
        .iter()
        .map(|(k, v)| (*k, format!("{v}-rotated")))
        .collect();
    let env: Vec<(&str, &str)> = rotated.iter().map(|(k, v)| (*k, v.as_str())).collect();
    fs::write(
        tmp.path().join("anthropic.key"),
        format!("{FILE_MARKER}-rotated\n"),
    )
    .expect("write");
    let out = litegate_in(
        tmp.path(),
        &["render", "gateway.yaml", "--check", "out"],
        &env,
    );
    assert_eq!(out.status.code(), Some(1));
    let diff = String::from_utf8_lossy(&out.stdout);
    assert!(diff.contains("<redacted: new value>"), "{diff}");
    assert_clean("the --check diff", &diff);
    for (_, v) in &rotated {
        assert!(
            !diff.contains(v.as_str())
                && !diff.contains(&base64::engine::general_purpose::STANDARD.encode(v))
        );
    }
}

#[test]
fn errors_and_warnings_never_carry_values_in_text_or_json() {
    let tmp = workspace();
    // Break the spec in several places while every source still resolves.
    let broken = fs::read_to_string(tmp.path().join("gateway.yaml"))
        .expect("readable")
        .replace("type: ollama_chat", "type: olama_chat")
        .replace("replicas: 2", "replicas: 1")
        .replace(
            "fallbacks: {gpt-4o: [claude]}",
            "fallbacks: {gpt-4o: [claud]}",
        );
    fs::write(tmp.path().join("broken.yaml"), broken).expect("write");
    for args in [
        &["validate", "broken.yaml"][..],
        &["validate", "--format", "json", "broken.yaml"],
        &["render", "broken.yaml"],
        &["validate", "--strict", "gateway.yaml"],
        &["validate", "--format", "json", "gateway.yaml"],
    ] {
        let out = litegate_in(tmp.path(), args, MARKERS);
        assert_clean(
            &format!("{args:?} stdout"),
            &String::from_utf8_lossy(&out.stdout),
        );
        assert_clean(
            &format!("{args:?} stderr"),
            &String::from_utf8_lossy(&out.stderr),
        );
    }
}

#[test]
fn a_weak_master_key_is_refused_without_showing_it() {
    let tmp = workspace();
    let env: Vec<(&str, &str)> = MARKERS
        .iter()
        .map(|&(k, v)| {
            if k == "LITELLM_MASTER_KEY" {
                (k, "MARKER-weak-master")
            } else {
                (k, v)
            }
        })
        .collect();
    let out = litegate_in(tmp.path(), &["render", "gateway.yaml"], &env);
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("error[E021]"), "{stderr}");
    assert!(!stderr.contains("MARKER-weak-master"), "{stderr}");
}

#[test]
fn literal_values_typed_into_the_spec_are_masked_in_snippets() {
    let tmp = workspace();
    let spec = fs::read_to_string(tmp.path().join("gateway.yaml"))
        .expect("readable")
        .replace(
            "apiKey: {env: OPENAI_API_KEY}",
            "apiKey: MARKER-literal-9z9y",
        )
        .replace(
            "params: {aws_region_name: eu-west-1}",
            "params: {aws_region_name: eu-west-1, apikey: MARKER-typo-8x8w}",
        );
    fs::write(tmp.path().join("literal.yaml"), spec).expect("write");
    for format in ["text", "json"] {
        let out = litegate_in(
            tmp.path(),
            &["validate", "--format", format, "literal.yaml"],
            MARKERS,
        );
        assert_eq!(out.status.code(), Some(1));
        let all = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(
            !all.contains("MARKER-literal") && !all.contains("MARKER-typo"),
            "{all}"
        );
        assert!(all.contains("E014"), "{all}");
    }
}
