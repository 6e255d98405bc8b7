//! stdout and files on a full disk: every failed write is a message and exit 1, and the
//! old output stays; a closed pipe stays quiet.

use std::os::unix::fs::PermissionsExt;
use std::process::Output;

use super::*;

/// `litegate args` at the repository root with the dummy keys, `stdin` fed in.
fn litegate(args: &[&str], stdin: &str, stdout: Stdio) -> Output {
    use std::io::Write as _;
    let mut child = Command::new(LITEGATE)
        .args(args)
        .env_clear()
        .envs(DUMMY_ENV.iter().copied())
        .env(allow_dummy_env().0, allow_dummy_env().1)
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

/// Fills a small tmpfs, then writes `-o DIR`, `import -o FILE` and a redirected stdout there.
const FULL_DISK_SCRIPT: &str = r#"
mount -t tmpfs -o size=512k litegate-test "$MNT" || exit 90
"$LG" render examples/minimal.yaml -o "$MNT/out" || exit 91
"$LG" import tests/import/azure-load-balanced.yaml -o "$MNT/gateway.yaml" || exit 92
cp -a "$MNT/out" "$SAVE/out.before" && cp "$MNT/gateway.yaml" "$SAVE/gateway.before"
head -c 2097152 /dev/zero > "$MNT/fill" 2>/dev/null
"$LG" render examples/full.yaml -o "$MNT/out" 2> "$SAVE/dir.err"; echo $? > "$SAVE/dir.rc"
"$LG" import tests/import/bedrock-vertex.yaml -o "$MNT/gateway.yaml" 2> "$SAVE/file.err"
echo $? > "$SAVE/file.rc"
"$LG" render examples/full.yaml > "$MNT/stream.yaml" 2> "$SAVE/stream.err"
echo $? > "$SAVE/stream.rc"
cp -a "$MNT/out" "$SAVE/out.after" && cp "$MNT/gateway.yaml" "$SAVE/gateway.after"
ls -A "$MNT" > "$SAVE/ls"
"#;

#[test]
fn a_full_file_system_fails_every_write_and_keeps_the_old_output() {
    let mnt = tempfile::tempdir().expect("tempdir");
    let save = tempfile::tempdir().expect("tempdir");
    let out = Command::new("unshare")
        .args(["-rm", "sh", "-c", FULL_DISK_SCRIPT])
        .env_clear()
        .envs(DUMMY_ENV.iter().copied())
        .env("PATH", "/usr/sbin:/usr/bin:/sbin:/bin")
        .env("LG", LITEGATE)
        .env("MNT", mnt.path())
        .env("SAVE", save.path())
        .current_dir(root())
        .output()
        .expect("unshare runs");
    assert_eq!(
        out.status.code(),
        Some(0),
        "this test mounts a small tmpfs in a private mount namespace and needs `unshare -rm` \
         to be allowed: {}",
        text(&out.stderr)
    );
    let read = |name: &str| fs::read_to_string(save.path().join(name)).expect(name);
    for step in ["dir", "file", "stream"] {
        let err = read(&format!("{step}.err"));
        assert_eq!(read(&format!("{step}.rc")), "1\n", "{step}: {err}");
        assert!(err.contains("No space left on device"), "{step}: {err}");
        assert_no_secret_value(&err);
    }
    assert!(
        read("dir.err").contains("error: writing "),
        "{}",
        read("dir.err")
    );
    assert_eq!(read("gateway.before"), read("gateway.after"));
    assert_eq!(
        files_in(&save.path().join("out.before")),
        files_in(&save.path().join("out.after"))
    );
    assert_eq!(read("ls"), "fill\ngateway.yaml\nout\nstream.yaml\n");
}

#[test]
fn import_output_is_0644_and_keeps_the_mode_of_the_file_it_replaces() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let config = root().join("tests/import/azure-load-balanced.yaml");
    let config = config.to_str().expect("utf-8");
    let mode = |name: &str| {
        fs::metadata(tmp.path().join(name))
            .expect("exists")
            .permissions()
            .mode()
            & 0o777
    };
    let (code, _, err) = bounded(tmp.path(), &["import", config, "-o", "new.yaml"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(mode("new.yaml"), 0o644);
    fs::write(tmp.path().join("kept.yaml"), "old").expect("write");
    fs::set_permissions(
        tmp.path().join("kept.yaml"),
        fs::Permissions::from_mode(0o640),
    )
    .expect("chmod");
    let (code, _, err) = bounded(tmp.path(), &["import", config, "-o", "kept.yaml"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(mode("kept.yaml"), 0o640);
    assert_eq!(litegate_leftovers(tmp.path()), Vec::<String>::new());
}
