//! litegate as a kustomize generator, for real: `kubectl kustomize --enable-alpha-plugins`
//! runs it as an exec plugin (`$KUSTOMIZE_PLUGIN_HOME/litegate/v1alpha1/gateway/Gateway`, a
//! link to the litegate binary) and must give the same objects as `litegate render`.
//! kubectl's embedded kustomize has no `--enable-exec`, so this is the generator that runs
//! under plain kubectl; the KRM function (`litegate krm`) is tested with kpt in krm.rs.

mod common;

use std::path::PathBuf;
use std::process::{Command, Output};

use common::{DUMMY_ENV, allow_dummy_env, litegate_in, root, tool};
use serde_json::Value;

/// A kustomization directory whose generator is `spec`, and a plugin home linking to litegate.
struct Fixture {
    dir: tempfile::TempDir,
}

impl Fixture {
    fn new(spec: &str, kustomization: &str) -> Self {
        let dir = tempfile::tempdir().expect("tempdir");
        let base = dir.path().join("base");
        std::fs::create_dir_all(base.join("keys")).expect("mkdir");
        std::fs::write(base.join("gateway.yaml"), spec).expect("write spec");
        std::fs::write(base.join("kustomization.yaml"), kustomization).expect("write");
        let plugin_dir = dir.path().join("plugins/litegate/v1alpha1/gateway");
        std::fs::create_dir_all(&plugin_dir).expect("mkdir");
        std::os::unix::fs::symlink(env!("CARGO_BIN_EXE_litegate"), plugin_dir.join("Gateway"))
            .expect("symlink");
        Fixture { dir }
    }

    fn path(&self, rel: &str) -> PathBuf {
        self.dir.path().join(rel)
    }

    fn kustomize(&self, rel: &str, env: &[(&str, &str)]) -> Output {
        let allow = allow_dummy_env();
        Command::new(tool("kubectl"))
            .args(["kustomize", "--enable-alpha-plugins"])
            .arg(self.path(rel))
            .env_clear()
            .envs(env.iter().copied())
            .env(allow.0, &allow.1)
            .env("HOME", self.dir.path())
            .env("KUSTOMIZE_PLUGIN_HOME", self.path("plugins"))
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .output()
            .expect("kubectl runs")
    }
}

fn objects(yaml: &[u8]) -> Vec<Value> {
    let mut out: Vec<Value> = serde_saphyr::from_multiple::<Value>(&String::from_utf8_lossy(yaml))
        .expect("multi-document YAML")
        .into_iter()
        .filter(|v| !v.is_null())
        .collect();
    out.sort_by_key(|v| format!("{}/{}", v["kind"], v["metadata"]["name"]));
    out
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// full.yaml with its OpenAI key read from a file next to the spec, so the test also shows
/// that `file:` sources resolve against the kustomization, not kustomize's temporary copy.
fn spec_with_file_key() -> String {
    let full = std::fs::read_to_string(root().join("examples/full.yaml")).expect("full.yaml");
    let with_file = full.replacen(
        "apiKey: {env: OPENAI_API_KEY}",
        "apiKey: {file: keys/openai.txt}",
        1,
    );
    assert_ne!(with_file, full, "full.yaml reads OPENAI_API_KEY from env");
    with_file
}

const GENERATOR: &str = "generators:\n- gateway.yaml\n";

#[test]
fn kubectl_kustomize_runs_litegate_as_a_generator_with_the_same_objects_as_render() {
    let fixture = Fixture::new(&spec_with_file_key(), GENERATOR);
    std::fs::write(
        fixture.path("base/keys/openai.txt"),
        "dummy-openai-file-71c2\n",
    )
    .expect("key");

    let built = fixture.kustomize("base", DUMMY_ENV);
    assert!(built.status.success(), "{}", stderr(&built));
    let rendered = litegate_in(
        &fixture.path("base"),
        &["render", "gateway.yaml"],
        DUMMY_ENV,
    );
    assert_eq!(rendered.status.code(), Some(0), "{}", stderr(&rendered));

    let built = objects(&built.stdout);
    assert_eq!(built, objects(&rendered.stdout));
    let kinds: Vec<&Value> = built.iter().map(|o| &o["kind"]).collect();
    assert_eq!(
        kinds,
        [
            "ConfigMap",
            "Deployment",
            "NetworkPolicy",
            "PodDisruptionBudget",
            "Secret",
            "Service"
        ]
    );
    let secret = built
        .iter()
        .find(|o| o["kind"] == "Secret")
        .expect("a Secret");
    // "dummy-openai-file-71c2" in base64: the key came from the file beside the spec.
    assert_eq!(
        secret["data"]["OPENAI_API_KEY"],
        "ZHVtbXktb3BlbmFpLWZpbGUtNzFjMg=="
    );
}

#[test]
fn an_overlay_transforms_the_generated_objects_and_builds_are_byte_identical() {
    let spec = std::fs::read_to_string(root().join("examples/minimal.yaml")).expect("spec");
    let fixture = Fixture::new(&spec, GENERATOR);
    std::fs::create_dir(fixture.path("overlay")).expect("mkdir");
    std::fs::write(
        fixture.path("overlay/kustomization.yaml"),
        "resources:\n- ../base\nnamespace: llm-prod\ncommonLabels:\n  env: prod\n",
    )
    .expect("write");

    let first = fixture.kustomize("overlay", DUMMY_ENV);
    assert!(first.status.success(), "{}", stderr(&first));
    let second = fixture.kustomize("overlay", DUMMY_ENV);
    assert_eq!(first.stdout, second.stdout, "two builds differ");
    for object in objects(&first.stdout) {
        assert_eq!(object["metadata"]["namespace"], "llm-prod", "{object}");
        assert_eq!(object["metadata"]["labels"]["env"], "prod", "{object}");
    }
}

#[test]
fn a_bad_spec_fails_the_build_with_the_field_and_no_secret() {
    let spec = std::fs::read_to_string(root().join("examples/minimal.yaml")).expect("spec");
    let fixture = Fixture::new(&spec, GENERATOR);
    let weak = "sk-weak-but-secret-9d1e";
    let env = [
        ("OPENAI_API_KEY", "dummy-openai-4d8c2a"),
        ("LITELLM_MASTER_KEY", weak),
    ];

    let built = fixture.kustomize("base", &env);
    assert!(!built.status.success());
    assert!(built.stdout.is_empty(), "a failed build printed objects");
    let err = stderr(&built);
    assert!(err.contains("error[E021]: deployment.masterKey"), "{err}");
    assert!(err.contains("kustomize passed"), "{err}");
    assert!(!err.contains(weak), "the master key leaked: {err}");
    assert!(!err.contains("dummy-openai-4d8c2a"), "a key leaked: {err}");
}

#[test]
fn without_enable_alpha_plugins_kubectl_refuses_rather_than_skipping() {
    let spec = std::fs::read_to_string(root().join("examples/minimal.yaml")).expect("spec");
    let fixture = Fixture::new(&spec, GENERATOR);
    let out = Command::new(tool("kubectl"))
        .arg("kustomize")
        .arg(fixture.path("base"))
        .env_clear()
        .envs(DUMMY_ENV.iter().copied())
        .env("HOME", fixture.dir.path())
        .env("KUSTOMIZE_PLUGIN_HOME", fixture.path("plugins"))
        .output()
        .expect("kubectl runs");
    assert!(!out.status.success());
    assert!(out.stdout.is_empty());
    assert!(stderr(&out).contains("plugins"), "{}", stderr(&out));
}

/// A generator config too large to read names the file it is about (the report used to
/// print an empty path: "error:  has 1 error(s)"), and the plugin exits 1 with no output.
#[test]
fn an_oversized_generator_config_names_the_file() {
    let dir = tempfile::tempdir().expect("tempdir");
    let config = dir.path().join("huge.yaml");
    let huge = "#".repeat(8 * 1024 * 1024 + 1);
    std::fs::write(&config, huge).expect("write");
    let path = config.to_str().expect("utf-8 path");
    let out = common::litegate_in(dir.path(), &["kustomize-plugin", path], &[]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(out.stdout.is_empty());
    assert!(
        err.contains(&format!("error: {path} has 1 error(s)")),
        "{err}"
    );
}
