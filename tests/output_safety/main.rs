//! Writing and reading output safely, against the real binary: stdout and files on a full
//! disk; `-o` directories edited by hand or by a pull request (extra files, symlinks into
//! /proc, FIFOs, huge files); renders that race or are killed. Each attack here succeeded
//! against litegate before the commit that added its test.
//!
//! A full disk: `/dev/full` as stdout, where every write fails with ENOSPC. For `-o DIR`,
//! `import -o FILE` and a stdout redirected into a file, a 512 KiB tmpfs is mounted in a
//! private mount namespace (`unshare -rm`: a user namespace maps the test to root, so this
//! needs no real root where unprivileged user namespaces are allowed) and filled up; a
//! shell script runs litegate there and copies out what is left, since the mount vanishes
//! with the namespace. Where `unshare -rm` is refused that test fails saying so: it does not
//! pass without having run.

#[path = "../common/mod.rs"]
mod common;
mod hostile;
mod races;
mod streams;

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::{DUMMY_ENV, allow_dummy_env, root};

const LITEGATE: &str = env!("CARGO_BIN_EXE_litegate");

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn assert_no_secret_value(text: &str) {
    for (name, value) in DUMMY_ENV {
        assert!(!text.contains(value), "the value of {name} leaked:\n{text}");
    }
}

/// `litegate args` in `cwd` under a 2 GiB address-space limit, stdout and stderr into
/// files; killed (and the test failed) if it takes over 20 s. Returns (code, stdout, stderr).
fn bounded(cwd: &Path, args: &[&str]) -> (i32, String, String) {
    let out = tempfile::tempdir().expect("tempdir");
    let file = |name: &str| fs::File::create(out.path().join(name)).expect("create");
    let mut child = Command::new("sh")
        .args(["-c", "ulimit -v 2097152; exec \"$0\" \"$@\"", LITEGATE])
        .args(args)
        .env_clear()
        .envs(DUMMY_ENV.iter().copied())
        .current_dir(cwd)
        .stdin(Stdio::null())
        .stdout(file("out"))
        .stderr(file("err"))
        .spawn()
        .expect("litegate runs");
    let code = wait_at_most(&mut child, Duration::from_secs(20))
        .unwrap_or_else(|| panic!("litegate {args:?} hung"));
    let read = |name: &str| text(&fs::read(out.path().join(name)).expect("read"));
    (code, read("out"), read("err"))
}

fn wait_at_most(child: &mut Child, limit: Duration) -> Option<i32> {
    let start = Instant::now();
    while start.elapsed() < limit {
        if let Some(status) = child.try_wait().expect("wait") {
            return Some(status.code().unwrap_or(-1));
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let _ = child.kill();
    let _ = child.wait();
    None
}

/// Every regular file in `dir`, by name, with its bytes.
fn files_in(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut out: Vec<_> = fs::read_dir(dir)
        .expect("dir")
        .map(|e| {
            let e = e.expect("entry");
            let bytes = fs::read(e.path()).unwrap_or_default();
            (e.file_name().to_string_lossy().into_owned(), bytes)
        })
        .collect();
    out.sort();
    out
}

/// A temporary directory with `examples/minimal.yaml` rendered into `out/`.
fn rendered() -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().expect("tempdir");
    fs::copy(
        root().join("examples/minimal.yaml"),
        tmp.path().join("spec.yaml"),
    )
    .expect("copy");
    // With the Secret in the directory: the hardest case for what may be left behind.
    let (code, _, err) = bounded(
        tmp.path(),
        &["render", "spec.yaml", "-o", "out", "--plaintext-secret"],
    );
    assert_eq!(code, 0, "{err}");
    let out = tmp.path().join("out");
    (tmp, out)
}

/// Every `.litegate*` entry in `dir`.
fn litegate_leftovers(dir: &Path) -> Vec<String> {
    fs::read_dir(dir)
        .expect("dir")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(".litegate"))
        .collect()
}
