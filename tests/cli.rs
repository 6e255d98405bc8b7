//! The `litegate` binary end to end: what it prints, writes and exits with.

mod common;

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;
use std::process::{Command, Output};

use common::{DUMMY_ENV, litegate, root};

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Every file below `dir`, by name, with its bytes.
fn snapshot_dir(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    fs::read_dir(dir)
        .expect("dir exists")
        .map(|e| {
            let e = e.expect("entry");
            (
                e.file_name().to_string_lossy().into_owned(),
                fs::read(e.path()).expect("readable"),
            )
        })
        .collect()
}

fn assert_no_secret_value(text: &str) {
    for (name, value) in DUMMY_ENV {
        assert!(!text.contains(value), "the value of {name} leaked:\n{text}");
    }
}

#[test]
fn render_prints_the_objects_of_full_yaml_in_order() {
    let out = litegate(&["render", "examples/full.yaml"], DUMMY_ENV);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    let kinds: Vec<&str> = text
        .lines()
        .filter_map(|l| l.strip_prefix("kind: "))
        .collect();
    assert_eq!(
        kinds,
        [
            "ConfigMap",
            "Secret",
            "Service",
            "Deployment",
            "PodDisruptionBudget",
            "NetworkPolicy"
        ],
        "{text}"
    );
    assert!(stderr(&out).is_empty(), "{}", stderr(&out));
}

#[test]
fn a_missing_env_var_is_named_and_nothing_is_printed() {
    let env: Vec<(&str, &str)> = DUMMY_ENV
        .iter()
        .copied()
        .filter(|(k, _)| *k != "OPENAI_API_KEY")
        .collect();
    let out = litegate(&["render", "examples/full.yaml"], &env);
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty());
    let err = stderr(&out);
    assert!(err.contains("error[E015]: providers.openai.apiKey.env: environment variable OPENAI_API_KEY is not set"), "{err}");
    assert_no_secret_value(&err);
}

#[test]
fn output_dir_then_check_is_clean_and_a_rotated_key_is_a_redacted_diff() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path().join("out");
    let dir_arg = dir.to_str().expect("utf-8 path");
    let out = litegate(
        &[
            "render",
            "examples/full.yaml",
            "-o",
            dir_arg,
            "--plaintext-secret",
        ],
        DUMMY_ENV,
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let names: Vec<String> = snapshot_dir(&dir).into_keys().collect();
    assert_eq!(
        names,
        [
            "config.yaml",
            "configmap.yaml",
            "deployment.yaml",
            "kustomization.yaml",
            "networkpolicy.yaml",
            "poddisruptionbudget.yaml",
            "secret.yaml",
            "service.yaml"
        ]
    );
    let clean = litegate(
        &[
            "render",
            "examples/full.yaml",
            "--check",
            dir_arg,
            "--plaintext-secret",
        ],
        DUMMY_ENV,
    );
    assert_eq!(clean.status.code(), Some(0), "{}", stderr(&clean));
    assert!(clean.stdout.is_empty());

    let rotated: Vec<(&str, &str)> = DUMMY_ENV
        .iter()
        .map(|&(k, v)| {
            if k == "OPENAI_API_KEY" {
                (k, "dummy-openai-rotated-77aa")
            } else {
                (k, v)
            }
        })
        .collect();
    let before = snapshot_dir(&dir);
    let stale = litegate(
        &[
            "render",
            "examples/full.yaml",
            "--check",
            dir_arg,
            "--plaintext-secret",
        ],
        &rotated,
    );
    assert_eq!(stale.status.code(), Some(1));
    let diff = stdout(&stale);
    assert!(
        diff.contains("-  OPENAI_API_KEY: <redacted: old value>"),
        "{diff}"
    );
    assert!(
        diff.contains("+  OPENAI_API_KEY: <redacted: new value>"),
        "{diff}"
    );
    assert!(diff.contains("checksum/secret"), "{diff}");
    assert!(!diff.contains("dummy-openai-rotated-77aa"), "{diff}");
    assert_no_secret_value(&diff);
    assert!(
        stderr(&stale).contains("is not up to date"),
        "{}",
        stderr(&stale)
    );
    assert_eq!(before, snapshot_dir(&dir), "--check wrote to the directory");
}

#[test]
fn a_failed_render_leaves_the_output_dir_byte_for_byte_unchanged() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path().join("out");
    let dir_arg = dir.to_str().expect("utf-8 path");
    assert_eq!(
        litegate(&["render", "examples/full.yaml", "-o", dir_arg], DUMMY_ENV)
            .status
            .code(),
        Some(0)
    );
    let before = snapshot_dir(&dir);
    let env: Vec<(&str, &str)> = DUMMY_ENV
        .iter()
        .copied()
        .filter(|(k, _)| *k != "REDIS_PASSWORD")
        .collect();
    let failed = litegate(&["render", "examples/full.yaml", "-o", dir_arg], &env);
    assert_eq!(failed.status.code(), Some(1));
    assert!(
        stderr(&failed).contains("nothing was written"),
        "{}",
        stderr(&failed)
    );
    assert_eq!(before, snapshot_dir(&dir));
    // No staging directory is left beside it either.
    let siblings: Vec<_> = fs::read_dir(tmp.path())
        .expect("dir")
        .map(|e| e.expect("entry").file_name())
        .collect();
    assert_eq!(siblings, ["out"]);
}

#[test]
fn a_directory_litegate_did_not_write_is_never_replaced() {
    let tmp = tempfile::tempdir().expect("tempdir");
    fs::write(tmp.path().join("precious.txt"), "mine").expect("write");
    let out = litegate(
        &[
            "render",
            "examples/minimal.yaml",
            "-o",
            tmp.path().to_str().expect("utf-8"),
        ],
        DUMMY_ENV,
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("refusing to replace it"),
        "{}",
        stderr(&out)
    );
    assert_eq!(
        fs::read_to_string(tmp.path().join("precious.txt")).expect("still there"),
        "mine"
    );
}

#[test]
fn secret_files_are_owner_only() {
    use std::os::unix::fs::PermissionsExt;
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path().join("out");
    litegate(
        &[
            "render",
            "examples/minimal.yaml",
            "-o",
            dir.to_str().expect("utf-8"),
            "--plaintext-secret",
        ],
        DUMMY_ENV,
    );
    let mode = |f: &str| {
        fs::metadata(dir.join(f))
            .expect("exists")
            .permissions()
            .mode()
            & 0o777
    };
    assert_eq!(mode("secret.yaml"), 0o600);
    assert_eq!(mode("deployment.yaml"), 0o644);
    assert_eq!(
        fs::metadata(&dir).expect("dir").permissions().mode() & 0o777,
        0o755
    );
}

#[test]
fn file_sources_are_read_relative_to_the_spec_with_the_newline_trimmed() {
    use base64::Engine;
    let tmp = tempfile::tempdir().expect("tempdir");
    fs::create_dir(tmp.path().join("keys")).expect("mkdir");
    fs::write(
        tmp.path().join("keys/anthropic.txt"),
        "dummy-file-key-1f2e\n",
    )
    .expect("write");
    let spec = fs::read_to_string(root().join("examples/minimal.yaml"))
        .expect("readable")
        .replace(
            "type: openai\n    apiKey: {env: OPENAI_API_KEY}",
            "type: openai\n    apiKey: {file: keys/anthropic.txt}",
        );
    fs::write(tmp.path().join("spec.yaml"), spec).expect("write");
    let out = litegate(
        &[
            "render",
            tmp.path().join("spec.yaml").to_str().expect("utf-8"),
        ],
        DUMMY_ENV,
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let encoded = base64::engine::general_purpose::STANDARD.encode("dummy-file-key-1f2e");
    assert!(
        stdout(&out).contains(&format!("OPENAI_API_KEY: {encoded}\n")),
        "{}",
        stdout(&out)
    );
}

#[test]
fn unknown_fields_and_literal_secrets_are_located_errors_without_the_value() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let spec = tmp.path().join("bad.yaml");
    let text = fs::read_to_string(root().join("examples/minimal.yaml"))
        .expect("readable")
        .replace(
            "apiKey: {env: OPENAI_API_KEY}",
            "apiKey: sk-live-literal-DO-NOT-PRINT",
        );
    fs::write(&spec, text).expect("write");
    let out = litegate(&["validate", spec.to_str().expect("utf-8")], DUMMY_ENV);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(err.contains("error[E014]"), "{err}");
    assert!(err.contains("bad.yaml:11:13"), "{err}");
    assert!(!err.contains("DO-NOT-PRINT"), "{err}");

    let text = fs::read_to_string(root().join("examples/minimal.yaml"))
        .expect("readable")
        .replace("    model: gpt-4o-mini", "    modle: gpt-4o-mini");
    fs::write(&spec, text).expect("write");
    let err = stderr(&litegate(
        &["validate", spec.to_str().expect("utf-8")],
        DUMMY_ENV,
    ));
    assert!(
        err.contains("error[E002]: models[0].modle: unknown field `modle`"),
        "{err}"
    );
    assert!(err.contains("help: did you mean \"model\"?"), "{err}");
}

#[test]
fn validate_reports_every_rule_violation_in_one_run() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let spec = tmp.path().join("bad.yaml");
    let text = fs::read_to_string(root().join("examples/full.yaml"))
        .expect("readable")
        .replace("type: anthropic", "type: antropic")
        .replace("provider: local", "provider: locl")
        .replace(
            "fallbacks: {gpt-4o: [claude]}",
            "fallbacks: {gpt-4o: [claud]}",
        )
        .replace("dropParams: [logit_bias]", "dropParams: [logit_bais]")
        .replace(
            "replicas: 2",
            "replicas: 1\n  disruptionBudget: {minAvailable: 1}",
        );
    fs::write(&spec, text).expect("write");
    let out = litegate(&["validate", spec.to_str().expect("utf-8")], DUMMY_ENV);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    for expected in [
        "error[E010]: providers.anthropic.type: unknown provider type \"antropic\"",
        "help: did you mean \"anthropic\"?",
        "error[E012]: models[3].provider: unknown provider \"locl\"",
        "help: did you mean \"local\"?",
        "error[E017]: router.fallbacks.gpt-4o[0]: fallback names unknown model \"claud\"",
        "error[E018]: models[0].dropParams[0]: \"logit_bais\" is not a request param",
        "error[E022]: deployment.disruptionBudget.minAvailable",
        "warning[W002]: deployment.replicas",
    ] {
        assert!(err.contains(expected), "missing {expected:?} in\n{err}");
    }
}

#[test]
fn strict_turns_warnings_into_failure() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let spec = tmp.path().join("spec.yaml");
    let text = fs::read_to_string(root().join("examples/minimal.yaml"))
        .expect("readable")
        .replace("litellm:v1.80.12-stable", "litellm:main-stable");
    fs::write(&spec, text).expect("write");
    let path = spec.to_str().expect("utf-8");
    let lenient = litegate(&["validate", path], DUMMY_ENV);
    assert_eq!(lenient.status.code(), Some(0), "{}", stderr(&lenient));
    assert!(
        stderr(&lenient).contains("warning[W001]"),
        "{}",
        stderr(&lenient)
    );
    assert_eq!(
        litegate(&["validate", "--strict", path], DUMMY_ENV)
            .status
            .code(),
        Some(1)
    );
}

#[test]
fn validate_skip_secrets_needs_no_keys() {
    let out = litegate(&["validate", "--skip-secrets", "examples/full.yaml"], &[]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(
        litegate(&["validate", "examples/full.yaml"], &[])
            .status
            .code(),
        Some(1)
    );
}

#[test]
fn usage_errors_exit_2() {
    assert_eq!(litegate(&["render"], &[]).status.code(), Some(2));
    assert_eq!(
        litegate(&["render", "x.yaml", "-o", "a", "--check", "b"], &[])
            .status
            .code(),
        Some(2)
    );
    assert_eq!(litegate(&["frobnicate"], &[]).status.code(), Some(2));
}

#[test]
fn a_missing_spec_file_is_a_clear_error() {
    for command in ["render", "validate", "plan"] {
        let args: &[&str] = if command == "plan" {
            &[command, "does-not-exist.yaml", "examples/minimal.yaml"]
        } else {
            &[command, "does-not-exist.yaml"]
        };
        let out = litegate(args, &[]);
        assert_eq!(out.status.code(), Some(1), "{command}");
        // The verb, what the file is to litegate, and the OS's own words, on one line.
        assert_eq!(
            stderr(&out).lines().next(),
            Some("error: cannot read spec does-not-exist.yaml: No such file or directory"),
            "{command}: {}",
            stderr(&out)
        );
    }
    let out = litegate(&["import", "does-not-exist.yaml"], &[]);
    assert!(
        stderr(&out).starts_with("error: cannot read config does-not-exist.yaml: No such file"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn a_plan_dir_that_cannot_be_read_says_why_on_the_same_line() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let mine = tmp.path().join("mine");
    let file = tmp.path().join("a-file");
    fs::write(&file, "x").expect("write");
    fs::create_dir(&mine).expect("mkdir");
    fs::write(mine.join("notes.txt"), "mine").expect("write");
    for dir in [&mine, &file, &tmp.path().join("absent")] {
        let dir = dir.to_str().expect("utf-8");
        let out = litegate(&["plan", dir, "examples/minimal.yaml"], DUMMY_ENV);
        assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
        let first = stderr(&out).lines().next().unwrap_or_default().to_owned();
        // Never just `error: PATH`: the path is followed by the reason.
        assert!(
            first.starts_with("error[E001]")
                || first.starts_with("error: ") && first.len() > "error: ".len() + dir.len() + 4,
            "{first}"
        );
    }
}

#[test]
fn help_texts() {
    insta::with_settings!({snapshot_path => "../snapshots"}, {
        let out = litegate(&["--help"], &[]);
        assert_eq!(out.status.code(), Some(0));
        insta::assert_snapshot!("help", stdout(&out));
        for command in COMMANDS {
            let out = litegate(&[command, "--help"], &[]);
            assert_eq!(out.status.code(), Some(0));
            insta::assert_snapshot!(format!("help-{command}"), stdout(&out));
        }
    });
}

const COMMANDS: [&str; 13] = [
    "render",
    "validate",
    "plan",
    "sync",
    "verify",
    "krm",
    "post-render",
    "kustomize-plugin",
    "import",
    "init",
    "schema",
    "completions",
    "man",
];

#[test]
fn every_command_s_help_has_examples_and_exit_codes_and_a_man_page() {
    for command in COMMANDS {
        let help = stdout(&litegate(&[command, "--help"], &[]));
        let simple = matches!(command, "init" | "schema" | "completions" | "man");
        if !simple {
            assert!(
                help.contains("Examples:") && help.contains("Exit codes:"),
                "{command}:\n{help}"
            );
        }
    }
    let prefix = tempfile::tempdir().expect("tempdir");
    // A fresh prefix: share/man/man1 does not exist yet, and is made, as `install -d` would.
    let man1 = prefix.path().join("share/man/man1");
    let out = litegate(&["man", "--dir", man1.to_str().expect("utf-8")], &[]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    for command in COMMANDS {
        let page = fs::read_to_string(man1.join(format!("litegate-{command}.1")))
            .unwrap_or_else(|_| panic!("no man page for {command}"));
        assert!(page.starts_with(".TH "), "{command}: the title comes first");
    }
    let main = fs::read_to_string(man1.join("litegate.1")).expect("litegate.1");
    assert!(
        main.contains("litegate\\-verify(1)"),
        "the main page lists the others"
    );
}

/// The jq program docs/rollout-rule.md gives for recomputing `checksum/secret` from a live Secret.
const CHECKSUM_JQ: &str =
    r#"jq -r '.data | to_entries | sort_by(.key)[] | "\(.key)=\(.value)"' | sha256sum"#;

#[test]
fn the_documented_checksum_recipe_reproduces_checksum_secret() {
    let page = fs::read_to_string(root().join("docs/rollout-rule.md")).expect("rollout-rule.md");
    assert!(
        page.contains(CHECKSUM_JQ),
        "docs/rollout-rule.md no longer shows the tested recipe"
    );
    common::tool("jq");
    let source = litegate::SpecSource::read(&root().join("examples/full.yaml")).expect("readable");
    let compiled = litegate::compile(&source, &common::MapEnvironment::dummy()).expect("compiles");
    let secret = compiled
        .rendered
        .objects
        .iter()
        .find_map(|o| match o {
            litegate::render::Object::Secret(s) => Some(s),
            _ => None,
        })
        .expect("a Secret");
    // What `kubectl get secret -o json` prints: the same object, data base64-encoded.
    let json = serde_json::to_string(secret).expect("serializes");
    let mut child = Command::new("bash")
        .args(["-c", CHECKSUM_JQ])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("bash, jq and sha256sum run");
    use std::io::Write;
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(json.as_bytes())
        .expect("writes");
    let out = child.wait_with_output().expect("finishes");
    assert!(out.status.success());
    let shell_sum = String::from_utf8_lossy(&out.stdout)
        .split_whitespace()
        .next()
        .unwrap_or("")
        .to_owned();
    assert_eq!(Some(shell_sum), compiled.rendered.triggers.secret);
}

#[test]
fn pod_annotations_cannot_override_the_rollout_rule() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let spec = tmp.path().join("spec.yaml");
    let text = fs::read_to_string(root().join("examples/minimal.yaml")).expect("readable")
        + "  podAnnotations: {checksum/secret: pinned}\n";
    fs::write(&spec, text).expect("write");
    let out = litegate(&["validate", spec.to_str().expect("utf-8")], DUMMY_ENV);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("error[E005]: deployment.podAnnotations.checksum/secret"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn a_spec_file_over_the_size_limit_is_refused_before_parsing() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let spec = tmp.path().join("huge.yaml");
    let filler = "# padding\n".repeat(900_000); // 9 MB of comments
    fs::write(&spec, filler).expect("write");
    let out = litegate(&["validate", spec.to_str().expect("utf-8")], DUMMY_ENV);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("error[E031]: the spec file is larger than 8388608 bytes"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn validate_json_is_one_machine_readable_report() {
    let out = litegate(
        &[
            "validate",
            "--format",
            "json",
            "tests/ui/five-mistakes.yaml",
        ],
        DUMMY_ENV,
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stderr.is_empty(), "{}", stderr(&out));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("valid JSON");
    assert_eq!(report["errors"], 4);
    assert_eq!(report["warnings"], 1);
    let first = &report["diagnostics"][0];
    assert_eq!(first["code"], "E010");
    assert_eq!(first["path"], "providers.openai.type");
    assert_eq!(
        (first["line"].as_u64(), first["column"].as_u64()),
        (Some(8), Some(11))
    );
    let clean = litegate(
        &["validate", "--format", "json", "examples/minimal.yaml"],
        DUMMY_ENV,
    );
    assert_eq!(clean.status.code(), Some(0));
    let report: serde_json::Value = serde_json::from_slice(&clean.stdout).expect("valid JSON");
    assert_eq!(report["diagnostics"], serde_json::json!([]));
}

#[test]
fn a_spec_far_over_the_configmap_limit_is_refused_before_rendering() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let mut spec = fs::read_to_string(root().join("examples/minimal.yaml")).expect("readable");
    let models: String = (0..12_000)
        .map(|i| {
            format!("  - {{name: model-{i:05}, provider: openai, model: gpt-4o-mini-{i:05}}}\n")
        })
        .collect();
    spec = spec.replace("models:\n", &format!("models:\n{models}"));
    let path = tmp.path().join("huge.yaml");
    fs::write(&path, spec).expect("write");
    let out = litegate(&["render", path.to_str().expect("utf-8")], DUMMY_ENV);
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty());
    let err = stderr(&out);
    assert!(
        err.contains("error[E020]: config.yaml would be at least"),
        "{err}"
    );
    assert!(err.contains("for 12001 models"), "{err}");
}

/// `litegate validate bad.yaml 2>&1 | head -1`: a reader that stops early must not turn
/// a clean exit 1 into a panic (exit 101).
#[test]
fn a_closed_stderr_is_not_a_panic() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_litegate"))
        .args(["validate", "tests/ui/five-mistakes.yaml"])
        .env_clear()
        .envs(DUMMY_ENV.iter().copied())
        .current_dir(root())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("litegate runs");
    drop(child.stderr.take());
    assert_eq!(child.wait().expect("exits").code(), Some(1));
}

#[test]
fn sync_and_verify_say_a_url_needs_its_scheme_and_sync_wants_a_database_spec() {
    let env = [(
        "LITELLM_MASTER_KEY",
        "sk-dummy-master-7d3b5f0e1c9a8b2d4f6e0a1c3b5d7f9e",
    )];
    for args in [
        &["sync", "examples/database.yaml", "--url", "127.0.0.1:4000"][..],
        &["verify", "examples/minimal.yaml", "--url", "127.0.0.1:4000"],
    ] {
        let out = litegate(args, &env);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(
            stderr(&out).contains("a URL needs its scheme, e.g. http://127.0.0.1:4000"),
            "{}",
            stderr(&out)
        );
    }
    // Refused before any connection: nothing listens on this port.
    let out = litegate(
        &[
            "sync",
            "examples/minimal.yaml",
            "--url",
            "http://127.0.0.1:9",
        ],
        &env,
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("has no deployment.database, so its models change by rollout"),
        "{}",
        stderr(&out)
    );
}
