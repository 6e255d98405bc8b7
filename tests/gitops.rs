//! GitOps without keys in git, step by step as docs/integrations.md walks it: render to a directory
//! that is committed, keep the Secret apart (to seal, encrypt or apply on its own), check
//! the committed tree in CI without any key, and see a rotation in the plan.

mod common;

use std::fs;
use std::path::Path;
use std::process::{Command, Output};

use base64::Engine;
use common::{litegate_in, root};

const OPENAI: &str = "sk-gitops-openai-MARKER-0a1b2c3d4e";
const MASTER: &str = "sk-gitops-master-MARKER-00112233445566778899aabbccddeeff";

fn keys() -> Vec<(&'static str, &'static str)> {
    vec![("OPENAI_API_KEY", OPENAI), ("LITELLM_MASTER_KEY", MASTER)]
}

fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// Every form a key takes in a manifest: raw and base64.
fn holds_a_key(haystack: &str) -> bool {
    [OPENAI, MASTER].iter().any(|k| {
        let b64 = base64::engine::general_purpose::STANDARD.encode(k);
        haystack.contains(k) || haystack.contains(b64.trim_end_matches('='))
    })
}

/// A git repository with the spec at its root.
fn repo() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    fs::copy(
        root().join("examples/minimal.yaml"),
        dir.path().join("gateway.yaml"),
    )
    .expect("copy");
    git(dir.path(), &["init", "-q"]);
    dir
}

fn git(dir: &Path, args: &[&str]) -> String {
    let out = Command::new("git")
        .args(["-c", "user.email=ci@example.com", "-c", "user.name=ci"])
        .args(args)
        .current_dir(dir)
        .output()
        .expect("git runs");
    assert!(out.status.success(), "git {args:?}: {}", text(&out));
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn the_committed_directory_holds_no_key_and_the_secret_goes_apart() {
    let repo = repo();
    let out = litegate_in(
        repo.path(),
        &[
            "render",
            "gateway.yaml",
            "-o",
            "deploy/litellm",
            "--secret-out",
            "../secret.yaml",
        ],
        &keys(),
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert!(!repo.path().join("deploy/litellm/secret.yaml").exists());
    let kustomization =
        fs::read_to_string(repo.path().join("deploy/litellm/kustomization.yaml")).expect("k");
    assert!(!kustomization.contains("secret.yaml"), "{kustomization}");
    // The Secret is outside the repository, owner-only, and holds the keys.
    let secret_path = repo.path().join("../secret.yaml");
    let secret = fs::read_to_string(&secret_path).expect("secret written apart");
    assert!(holds_a_key(&secret));
    use std::os::unix::fs::PermissionsExt;
    let mode = fs::metadata(&secret_path)
        .expect("meta")
        .permissions()
        .mode()
        & 0o777;
    assert_eq!(mode, 0o600);
    fs::remove_file(&secret_path).expect("cleanup");

    git(repo.path(), &["add", "-A"]);
    git(repo.path(), &["commit", "-q", "-m", "render"]);
    let committed = git(
        repo.path(),
        &["grep", "-h", "-e", "", "HEAD", "--", "deploy"],
    );
    assert!(!committed.is_empty());
    assert!(
        !holds_a_key(&committed),
        "a key was committed:\n{committed}"
    );
}

#[test]
fn without_secret_out_the_user_is_told_where_the_secret_went() {
    let repo = repo();
    let out = litegate_in(
        repo.path(),
        &["render", "gateway.yaml", "-o", "out"],
        &keys(),
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert!(
        text(&out).contains("note: the Secret (LITELLM_MASTER_KEY, OPENAI_API_KEY) is not in out"),
        "{}",
        text(&out)
    );
    assert!(!holds_a_key(&text(&out)));
    // Asked for by name, it is in the directory, as before.
    let plain = litegate_in(
        repo.path(),
        &[
            "render",
            "gateway.yaml",
            "-o",
            "plain",
            "--plaintext-secret",
        ],
        &keys(),
    );
    assert_eq!(plain.status.code(), Some(0));
    assert!(repo.path().join("plain/secret.yaml").exists());
}

#[test]
fn the_secret_cannot_be_written_into_the_committed_directory() {
    let repo = repo();
    fs::create_dir(repo.path().join("out")).expect("mkdir");
    for inside in ["out/secret.yaml", "out/../out/x.yaml"] {
        let out = litegate_in(
            repo.path(),
            &[
                "render",
                "gateway.yaml",
                "-o",
                "out",
                "--secret-out",
                inside,
            ],
            &keys(),
        );
        assert_eq!(out.status.code(), Some(1), "{inside}: {}", text(&out));
        assert!(
            text(&out).contains("the directory meant to be committed"),
            "{}",
            text(&out)
        );
    }
    // `-` is stdout, for a pipe into kubeseal or sops.
    let piped = litegate_in(
        repo.path(),
        &["render", "gateway.yaml", "-o", "piped", "--secret-out", "-"],
        &keys(),
    );
    assert_eq!(piped.status.code(), Some(0));
    let stdout = String::from_utf8_lossy(&piped.stdout);
    assert!(stdout.contains("kind: Secret") && holds_a_key(&stdout));
}

#[test]
fn ci_checks_the_committed_tree_without_any_key() {
    let repo = repo();
    let out = litegate_in(
        repo.path(),
        &["render", "gateway.yaml", "-o", "deploy"],
        &keys(),
    );
    assert_eq!(out.status.code(), Some(0));
    // No key at all in CI's environment.
    let fresh = litegate_in(
        repo.path(),
        &[
            "render",
            "gateway.yaml",
            "--check",
            "deploy",
            "--skip-secrets",
        ],
        &[],
    );
    assert_eq!(fresh.status.code(), Some(0), "{}", text(&fresh));
    assert!(
        text(&fresh).contains("secret values are not compared"),
        "{}",
        text(&fresh)
    );
    // Without --skip-secrets, the same job fails for want of the keys.
    let keyless = litegate_in(
        repo.path(),
        &["render", "gateway.yaml", "--check", "deploy"],
        &[],
    );
    assert_eq!(keyless.status.code(), Some(1));
    assert!(text(&keyless).contains("E015"));
    // A stale tree fails, keys or not.
    let spec = fs::read_to_string(repo.path().join("gateway.yaml")).expect("spec");
    fs::write(
        repo.path().join("gateway.yaml"),
        spec.replace("model: gpt-4o-mini", "model: gpt-4o"),
    )
    .expect("edit");
    let stale = litegate_in(
        repo.path(),
        &[
            "render",
            "gateway.yaml",
            "--check",
            "deploy",
            "--skip-secrets",
        ],
        &[],
    );
    assert_eq!(stale.status.code(), Some(1), "{}", text(&stale));
    assert!(text(&stale).contains("openai/gpt-4o"), "{}", text(&stale));
    // A plaintext-secret tree is checked by its keys' names, not their values.
    let plain = litegate_in(
        repo.path(),
        &[
            "render",
            "gateway.yaml",
            "-o",
            "plain",
            "--plaintext-secret",
        ],
        &keys(),
    );
    assert_eq!(plain.status.code(), Some(0));
    let checked = litegate_in(
        repo.path(),
        &[
            "render",
            "gateway.yaml",
            "--check",
            "plain",
            "--plaintext-secret",
            "--skip-secrets",
        ],
        &[],
    );
    assert_eq!(checked.status.code(), Some(0), "{}", text(&checked));
}

#[test]
fn a_rotation_shows_in_the_plan_and_ci_plans_without_keys() {
    let repo = repo();
    let out = litegate_in(
        repo.path(),
        &["render", "gateway.yaml", "-o", "deploy"],
        &keys(),
    );
    assert_eq!(out.status.code(), Some(0));
    let same = litegate_in(repo.path(), &["plan", "deploy", "gateway.yaml"], &keys());
    assert_eq!(same.status.code(), Some(0), "{}", text(&same));
    assert!(
        text(&same).contains("holds no Secret (it is kept apart)"),
        "{}",
        text(&same)
    );
    let rotated = [
        ("OPENAI_API_KEY", "sk-gitops-openai-MARKER-rotated-99"),
        ("LITELLM_MASTER_KEY", MASTER),
    ];
    let plan = litegate_in(repo.path(), &["plan", "deploy", "gateway.yaml"], &rotated);
    assert_eq!(plan.status.code(), Some(3), "{}", text(&plan));
    assert!(text(&plan).contains("checksum/secret"), "{}", text(&plan));
    assert!(!holds_a_key(&text(&plan)) && !text(&plan).contains("rotated-99"));
    let keyless = litegate_in(
        repo.path(),
        &["plan", "deploy", "gateway.yaml", "--skip-secrets"],
        &[],
    );
    assert_eq!(keyless.status.code(), Some(0), "{}", text(&keyless));
}

#[test]
fn with_external_secrets_operator_nothing_needs_a_key_and_rotation_rolls_by_token() {
    let dir = tempfile::tempdir().expect("tempdir");
    let spec = root().join("examples/external-secrets-operator.yaml");
    fs::copy(&spec, dir.path().join("gateway.yaml")).expect("copy");
    // No key anywhere: litegate reads none.
    let out = litegate_in(dir.path(), &["render", "gateway.yaml", "-o", "deploy"], &[]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let files: Vec<String> = fs::read_dir(dir.path().join("deploy"))
        .expect("deploy")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    assert!(
        files.contains(&"externalsecret.yaml".to_owned()),
        "{files:?}"
    );
    assert!(!files.contains(&"secret.yaml".to_owned()), "{files:?}");
    let external: serde_json::Value = serde_saphyr::from_str(
        &fs::read_to_string(dir.path().join("deploy/externalsecret.yaml")).expect("read"),
    )
    .expect("yaml");
    assert_eq!(external["spec"]["target"]["name"], "litellm-secrets");
    let keys: Vec<&str> = external["spec"]["data"]
        .as_array()
        .expect("data")
        .iter()
        .map(|d| d["secretKey"].as_str().expect("key"))
        .collect();
    assert_eq!(
        keys,
        ["ANTHROPIC_API_KEY", "LITELLM_MASTER_KEY", "OPENAI_API_KEY"]
    );
    let deployment = fs::read_to_string(dir.path().join("deploy/deployment.yaml")).expect("read");
    assert!(
        deployment.contains("name: litellm-secrets"),
        "the pods read the Secret ESO makes"
    );
    assert!(deployment.contains("secret.reloader.stakater.com/reload: litellm-secrets"));
    // CI checks it with no key and no flag.
    let check = litegate_in(
        dir.path(),
        &["render", "gateway.yaml", "--check", "deploy"],
        &[],
    );
    assert_eq!(check.status.code(), Some(0), "{}", text(&check));
    // Bumping the rotation token rolls the pods; nothing else changes.
    let text_spec = fs::read_to_string(dir.path().join("gateway.yaml")).expect("spec");
    fs::write(
        dir.path().join("rotated.yaml"),
        text_spec.replace("rotation: \"2026-12-01\"", "rotation: \"2026-12-02\""),
    )
    .expect("write");
    let plan = litegate_in(dir.path(), &["plan", "deploy", "rotated.yaml"], &[]);
    assert_eq!(plan.status.code(), Some(3), "{}", text(&plan));
    assert!(
        text(&plan).contains("checksum/secret-sources"),
        "{}",
        text(&plan)
    );
    assert!(text(&plan).contains("rollout"), "{}", text(&plan));
}
