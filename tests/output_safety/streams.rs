//! stdout on a full disk: every failed write is a message and exit 1; a closed pipe stays
//! quiet.

use std::process::Output;

use super::*;

/// `litegate args` at the repository root with the dummy keys, `stdin` fed in.
fn litegate(args: &[&str], stdin: &str, stdout: Stdio) -> Output {
    use std::io::Write as _;
    let mut child = Command::new(LITEGATE)
        .args(args)
        .env_clear()
        .envs(DUMMY_ENV.iter().copied())
        .current_dir(root())
        .stdin(Stdio::piped())
        .stdout(stdout)
        .stderr(Stdio::piped())
        .spawn()
        .expect("litegate runs");
    let mut input = child.stdin.take().expect("stdin");
    // A command that does not read stdin may be gone already: that is fine.
    let _ = input.write_all(stdin.as_bytes());
    drop(input);
    child.wait_with_output().expect("exits")
}

fn dev_full() -> Stdio {
    Stdio::from(
        fs::OpenOptions::new()
            .write(true)
            .open("/dev/full")
            .expect("/dev/full"),
    )
}

#[test]
fn every_command_that_prints_fails_loudly_when_stdout_is_full() {
    let spec = fs::read_to_string(root().join("examples/minimal.yaml")).expect("readable");
    let indented: String = spec.lines().map(|l| format!("  {l}\n")).collect();
    let resource_list = format!(
        "apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems: []\nfunctionConfig:\n{indented}"
    );
    let spec = "examples/minimal.yaml";
    let cases: [(&[&str], &str); 13] = [
        (&["render", spec], ""),
        (&["render", spec, "--check", "no-such-dir"], ""),
        (&["validate", spec, "--format", "json"], ""),
        (&["plan", spec, spec], ""),
        (&["plan", spec, "examples/full.yaml"], ""),
        (&["krm"], &resource_list),
        (&["post-render", spec], ""),
        (&["kustomize-plugin", spec], ""),
        (&["import", "tests/import/azure-load-balanced.yaml"], ""),
        (&["init"], ""),
        (&["schema"], ""),
        (&["completions", "bash"], ""),
        (&["man"], ""),
    ];
    for (args, stdin) in cases {
        let out = litegate(args, stdin, dev_full());
        let err = text(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "litegate {args:?}: {err}");
        assert!(
            err.contains("error: writing stdout: No space left on device"),
            "litegate {args:?}: {err}"
        );
        assert_no_secret_value(&err);
    }
}

#[test]
fn a_closed_pipe_stays_quiet() {
    let mut child = Command::new(LITEGATE)
        .args(["render", "examples/full.yaml"])
        .env_clear()
        .envs(DUMMY_ENV.iter().copied())
        .current_dir(root())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("litegate runs");
    drop(child.stdout.take());
    let out = child.wait_with_output().expect("exits");
    assert_eq!(out.status.code(), Some(0));
    assert!(out.stderr.is_empty(), "{}", text(&out.stderr));
}
