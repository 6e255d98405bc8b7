//! litegate as a Helm post-renderer. No helm binary can be had on this machine (no Go
//! toolchain, and no registry here ships one for Linux), so these tests hold litegate to
//! the contract Helm's own source defines, read from helm v4 (pkg/postrenderer,
//! internal/plugin/subprocess_commands.go, runtime_subprocess.go) and helm v3
//! (pkg/postrender/exec.go):
//! - the chart's manifests on stdin, the manifests to install on stdout;
//! - Helm 4 runs a `postrenderer/v1` plugin's `platformCommand` (command split on spaces,
//!   `$VAR`s expanded, then its `args`, then every `--post-renderer-args`), with helm's own
//!   environment plus HELM_PLUGIN_NAME and HELM_PLUGIN_DIR, in helm's working directory;
//! - Helm 3 runs `--post-renderer PATH` with the `--post-renderer-args`;
//! - a non-zero exit aborts the install, and so does an output that is only whitespace.

mod common;

use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};

use common::{DUMMY_ENV, litegate, root};
use serde_json::Value;

/// Runs `program args` the way Helm runs a post-renderer: manifests on stdin, in `dir`.
fn run_as_helm(program: &Path, args: &[String], env: &[(&str, &str)], stdin: &str) -> Output {
    let mut child = Command::new(program)
        .args(args)
        .env_clear()
        .envs(env.iter().copied())
        .current_dir(root())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the post-renderer starts");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(stdin.as_bytes())
        .expect("writes the manifests");
    child.wait_with_output().expect("exits")
}

/// What Helm 4's PrepareCommands makes of contrib/helm-plugin/plugin.yaml: the program and
/// its arguments, with `extra` as the `--post-renderer-args`.
fn helm4_command(extra: &[&str], plugin_dir: &Path) -> (String, Vec<String>) {
    let text = std::fs::read_to_string(root().join("contrib/helm-plugin/plugin.yaml"))
        .expect("the plugin manifest");
    let plugin: Value = serde_saphyr::from_str(&text).expect("plugin.yaml is YAML");
    assert_eq!(plugin["apiVersion"], "v1");
    assert_eq!(plugin["type"], "postrenderer/v1");
    assert_eq!(plugin["runtime"], "subprocess");
    let commands = plugin["runtimeConfig"]["platformCommand"]
        .as_array()
        .expect("platformCommand is a list");
    // One entry without os/arch: the one Helm picks on every platform.
    assert_eq!(commands.len(), 1);
    let entry = &commands[0];
    assert!(entry.get("os").is_none() && entry.get("arch").is_none());
    let expand = |s: &str| s.replace("${HELM_PLUGIN_DIR}", &plugin_dir.display().to_string());
    let command = entry["command"].as_str().expect("command");
    let mut parts = command.split(' ').map(expand);
    let program = parts.next().expect("a program");
    let mut args: Vec<String> = parts.collect();
    args.extend(
        entry["args"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|a| expand(a.as_str().expect("string args"))),
    );
    args.extend(extra.iter().map(|s| s.to_string()));
    (program, args)
}

/// A PATH on which `litegate` is the binary under test, as a user's install would be.
fn path_with_litegate(dir: &Path) -> String {
    std::os::unix::fs::symlink(env!("CARGO_BIN_EXE_litegate"), dir.join("litegate"))
        .expect("symlink");
    dir.display().to_string()
}

fn chart_manifests() -> String {
    std::fs::read_to_string(root().join("tests/helm/chart-manifests.yaml")).expect("fixture")
}

fn render(spec: &str) -> String {
    let out = litegate(&["render", spec], DUMMY_ENV);
    assert_eq!(out.status.code(), Some(0));
    String::from_utf8(out.stdout).expect("UTF-8")
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn the_helm4_plugin_passes_the_chart_through_and_appends_the_spec_objects() {
    let bin = tempfile::tempdir().expect("tempdir");
    let path = path_with_litegate(bin.path());
    let (program, args) = helm4_command(&["examples/full.yaml"], Path::new("/plugins/litegate"));
    assert_eq!(
        program, "litegate",
        "found on PATH, as Helm's exec.Command does"
    );
    let program = bin.path().join(program);
    let mut env: Vec<(&str, &str)> = DUMMY_ENV.to_vec();
    env.extend([
        ("PATH", path.as_str()),
        ("HELM_PLUGIN_NAME", "litegate"),
        ("HELM_PLUGIN_DIR", "/plugins/litegate"),
    ]);

    let input = chart_manifests();
    let out = run_as_helm(&program, &args, &env, &input);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let output = String::from_utf8(out.stdout).expect("UTF-8");
    // Byte for byte: the chart's documents untouched, then exactly what `render` prints.
    assert_eq!(output, format!("{input}{}", render("examples/full.yaml")));

    let documents: Vec<Value> = serde_saphyr::from_multiple::<Value>(&output)
        .expect("one YAML stream")
        .into_iter()
        .filter(|v| !v.is_null())
        .collect();
    let kinds: Vec<&str> = documents
        .iter()
        .map(|d| d["kind"].as_str().expect("kind"))
        .collect();
    assert_eq!(
        kinds,
        [
            "NetworkPolicy",
            "Ingress",
            "ConfigMap",
            "Secret",
            "Service",
            "Deployment",
            "PodDisruptionBudget",
            "NetworkPolicy"
        ]
    );
}

#[test]
fn helm3_style_arguments_give_the_same_bytes() {
    let input = chart_manifests();
    let helm3_args = ["post-render".to_owned(), "examples/minimal.yaml".to_owned()];
    let out = run_as_helm(
        Path::new(env!("CARGO_BIN_EXE_litegate")),
        &helm3_args,
        DUMMY_ENV,
        &input,
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        format!("{input}{}", render("examples/minimal.yaml"))
    );
}

#[test]
fn a_chart_without_templates_gets_just_the_spec_objects() {
    for stdin in ["", "\n", "---\n# Source: carrier/templates/NOTES.txt\n"] {
        let out = run_as_helm(
            Path::new(env!("CARGO_BIN_EXE_litegate")),
            &["post-render".to_owned(), "examples/minimal.yaml".to_owned()],
            DUMMY_ENV,
            stdin,
        );
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
        let expected = if stdin.trim().is_empty() {
            render("examples/minimal.yaml")
        } else {
            format!("{stdin}{}", render("examples/minimal.yaml"))
        };
        assert_eq!(String::from_utf8_lossy(&out.stdout), expected);
    }
}

#[test]
fn an_object_the_chart_already_has_aborts_the_install() {
    let input = format!(
        "{}---\n# Source: llm-extras/templates/service.yaml\napiVersion: v1\nkind: Service\nmetadata:\n  name: litellm\nspec:\n  ports: [{{port: 80}}]\n",
        chart_manifests()
    );
    let out = run_as_helm(
        Path::new(env!("CARGO_BIN_EXE_litegate")),
        &["post-render".to_owned(), "examples/minimal.yaml".to_owned()],
        DUMMY_ENV,
        &input,
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(
        out.stdout.is_empty(),
        "an aborted post-render printed manifests"
    );
    let err = stderr(&out);
    assert!(
        err.contains(
            "document 4 of the chart's manifests (llm-extras/templates/service.yaml) is Service \"litellm\", which litegate also emits"
        ),
        "{err}"
    );
}

#[test]
fn a_bad_spec_or_broken_manifests_abort_with_nothing_on_stdout_and_no_secret() {
    let weak = "sk-weak-but-secret-9d1e";
    let env = [
        ("OPENAI_API_KEY", "dummy-openai-4d8c2a"),
        ("LITELLM_MASTER_KEY", weak),
    ];
    let out = run_as_helm(
        Path::new(env!("CARGO_BIN_EXE_litegate")),
        &["post-render".to_owned(), "examples/minimal.yaml".to_owned()],
        &env,
        &chart_manifests(),
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty());
    let err = stderr(&out);
    assert!(err.contains("error[E021]: deployment.masterKey"), "{err}");
    assert!(
        !err.contains(weak) && !err.contains("dummy-openai-4d8c2a"),
        "{err}"
    );

    let out = run_as_helm(
        Path::new(env!("CARGO_BIN_EXE_litegate")),
        &["post-render".to_owned(), "examples/minimal.yaml".to_owned()],
        DUMMY_ENV,
        "---\n# Source: c/templates/x.yaml\nkind: [broken\n",
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty());
    assert!(
        stderr(&out).contains("document 1 (c/templates/x.yaml) is not YAML"),
        "{}",
        stderr(&out)
    );
}
