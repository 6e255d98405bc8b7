//! The documentation's examples are tested like code: every ```sh block of README.md and
//! docs/*.md runs and must exit as it says, every litegate spec in a ```yaml block validates,
//! and every link between pages resolves. The fence convention is documented in
//! docs/testing.md, "How the examples in these pages are run".

mod common;

use std::fs::File;
use std::path::Path;
use std::process::{Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

use common::markdown::{anchor, anchors, blocks, local_links, page_blocks, page_name, pages};
use common::{root, tool};

/// How long one ```sh block may run.
const BLOCK_TIMEOUT: Duration = Duration::from_secs(120);

/// What the repository gives a page's scratch directory: what its examples refer to.
const COPIED_INTO_SCRATCH: &[&str] = &["examples", "contrib", "tests/import"];

/// Fence info strings the test knows; any other is refused so nothing is skipped by mistake.
const KNOWN_FENCES: &[&str] = &["sh", "console", "yaml", "text", "json"];

/// The exit code a ```sh block declares with `# exit: N`, else 0.
fn expected_exit(body: &str) -> i32 {
    body.lines()
        .filter_map(|line| line.split_once("# exit:").map(|(_, n)| n.trim()))
        .map(|n| n.parse().expect("`# exit: N` takes a number"))
        .next_back()
        .unwrap_or(0)
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for entry in std::fs::read_dir(from).expect("readable dir") {
        let entry = entry.expect("entry");
        let target = to.join(entry.file_name());
        if entry.file_type().expect("file type").is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).expect("copy");
        }
    }
}

/// A page's scratch directory: a copy of what its examples refer to, nothing else.
fn scratch() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    for name in COPIED_INTO_SCRATCH {
        copy_dir(&root().join(name), &dir.path().join(name));
    }
    dir
}

/// PATH with the built litegate first.
fn path_with_litegate() -> std::ffi::OsString {
    let bin = Path::new(env!("CARGO_BIN_EXE_litegate"))
        .parent()
        .expect("the binary has a directory")
        .to_path_buf();
    let rest = std::env::var_os("PATH").unwrap_or_default();
    std::env::join_paths(std::iter::once(bin).chain(std::env::split_paths(&rest))).expect("a PATH")
}

struct Run {
    status: Option<ExitStatus>,
    stdout: String,
    stderr: String,
}

/// Runs `script` with bash in `dir`, with nothing of this process's environment but PATH.
fn run_sh(script: &str, dir: &Path, logs: &Path) -> Run {
    let script_file = logs.join("block.sh");
    std::fs::write(&script_file, script).expect("write script");
    let (out, err) = (logs.join("stdout"), logs.join("stderr"));
    let mut child = Command::new("bash")
        .args(["-eu", "-o", "pipefail"])
        .arg(&script_file)
        .current_dir(dir)
        .env_clear()
        .env("PATH", path_with_litegate())
        .env("HOME", dir)
        .env("LANG", "C.UTF-8")
        .stdin(Stdio::null())
        .stdout(File::create(&out).expect("stdout file"))
        .stderr(File::create(&err).expect("stderr file"))
        .spawn()
        .expect("bash runs");
    let deadline = Instant::now() + BLOCK_TIMEOUT;
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait") {
            break Some(status);
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            break None;
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let read =
        |p: &Path| String::from_utf8_lossy(&std::fs::read(p).unwrap_or_default()).into_owned();
    Run {
        status,
        stdout: read(&out),
        stderr: read(&err),
    }
}

/// The programs a block calls that the tests need from the PATH: named clearly when missing.
fn require_tools(body: &str) {
    for name in ["kubectl", "kpt", "jq"] {
        let called = body
            .split(|c: char| c.is_whitespace() || c == '|' || c == '(' || c == ';')
            .any(|word| word == name);
        if called {
            tool(name);
        }
    }
}

#[test]
fn every_fence_is_one_the_doc_test_knows() {
    let mut bad = Vec::new();
    for page in pages() {
        for block in page_blocks(&page) {
            if !KNOWN_FENCES.contains(&block.info.as_str()) {
                bad.push(format!(
                    "{}:{}: ```{} (use sh to run it, console to show a command, or one of {KNOWN_FENCES:?})",
                    page_name(&page),
                    block.line,
                    block.info
                ));
            }
        }
    }
    assert!(bad.is_empty(), "unknown fences:\n{}", bad.join("\n"));
}

#[test]
fn every_sh_block_exits_as_documented() {
    let mut failures = Vec::new();
    let mut ran = 0;
    for page in pages() {
        let dir = scratch();
        let logs = tempfile::tempdir().expect("tempdir");
        for block in page_blocks(&page).iter().filter(|b| b.info == "sh") {
            require_tools(&block.body);
            let want = expected_exit(&block.body);
            let run = run_sh(&block.body, dir.path(), logs.path());
            ran += 1;
            let got = run.status.map(|s| s.code().unwrap_or(-1));
            if got != Some(want) {
                let got = got.map_or("a timeout".to_owned(), |c| format!("exit {c}"));
                failures.push(format!(
                    "{}:{}: expected exit {want}, got {got}\n--- block\n{}--- stdout\n{}--- stderr\n{}",
                    page_name(&page),
                    block.line,
                    block.body,
                    run.stdout,
                    run.stderr
                ));
            }
        }
    }
    assert!(
        ran > 10,
        "only {ran} sh blocks found: is the fence parser broken?"
    );
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn every_litegate_spec_in_the_docs_validates() {
    let mut failures = Vec::new();
    let mut checked = 0;
    for page in pages() {
        for block in page_blocks(&page).iter().filter(|b| b.info == "yaml") {
            if !block
                .body
                .lines()
                .any(|l| l.starts_with("apiVersion: litegate/"))
            {
                continue;
            }
            checked += 1;
            let dir = tempfile::tempdir().expect("tempdir");
            std::fs::write(dir.path().join("gateway.yaml"), &block.body).expect("write spec");
            let out = common::litegate_in(
                dir.path(),
                &["validate", "gateway.yaml", "--skip-secrets"],
                &[],
            );
            if !out.status.success() {
                failures.push(format!(
                    "{}:{}: the spec does not validate:\n{}",
                    page_name(&page),
                    block.line,
                    String::from_utf8_lossy(&out.stderr)
                ));
            }
        }
    }
    assert!(checked > 0, "no litegate spec found in the docs");
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn the_fence_parser_reads_indented_blocks_and_exit_codes() {
    let text = "a\n\n  ```sh\n  litegate x   # exit: 3\n  ```\n```yaml\nk: v\n```\n";
    let found = blocks(text);
    assert_eq!(found.len(), 2);
    assert_eq!(found[0].info, "sh");
    assert_eq!(found[0].line, 3);
    assert_eq!(found[0].body, "litegate x   # exit: 3\n");
    assert_eq!(expected_exit(&found[0].body), 3);
    assert_eq!(expected_exit(&found[1].body), 0);
}

/// Pages written on other branches that README already links to; a link to one of them may
/// dangle until they are merged. Remove an entry once its page exists.
const PAGES_BEING_WRITTEN: &[&str] = &[];

#[test]
fn every_link_between_pages_resolves() {
    let mut broken = Vec::new();
    for page in pages() {
        let text = std::fs::read_to_string(&page).expect("readable page");
        for link in local_links(&text) {
            let (file, fragment) = link.split_once('#').unwrap_or((&link, ""));
            let target = if file.is_empty() {
                page.clone()
            } else {
                page.parent().expect("a directory").join(file)
            };
            let rel = target
                .canonicalize()
                .ok()
                .and_then(|t| t.strip_prefix(root()).ok().map(|p| p.display().to_string()));
            if !target.exists() {
                let dir = page.parent().expect("a directory");
                let pending = PAGES_BEING_WRITTEN
                    .iter()
                    .any(|p| root().join(p) == dir.join(file));
                if !pending {
                    broken.push(format!("{}: {link}: no such file", page_name(&page)));
                }
                continue;
            }
            if !fragment.is_empty() && target.extension().is_some_and(|x| x == "md") {
                let target_text = std::fs::read_to_string(&target).expect("readable");
                if !anchors(&target_text).contains(fragment) {
                    broken.push(format!(
                        "{}: {link}: {} has no heading with anchor #{fragment}",
                        page_name(&page),
                        rel.unwrap_or_default()
                    ));
                }
            }
        }
    }
    assert!(broken.is_empty(), "broken links:\n{}", broken.join("\n"));
}

#[test]
fn anchors_are_githubs() {
    assert_eq!(
        anchor(" `litegate sync`: apply model edits live"),
        "litegate-sync-apply-model-edits-live"
    );
    assert_eq!(
        anchor(" Measured against LiteLLM's own code (1.106.2)"),
        "measured-against-litellms-own-code-11062"
    );
}
