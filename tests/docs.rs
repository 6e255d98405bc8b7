//! The documentation is tested like code: every ```sh block of README.md and docs/*.md runs
//! and must exit as it says, every litegate spec in a ```yaml block validates, and the pages
//! that list something (commands, modules, prerequisites) list what really exists. The fence
//! convention is documented in docs/testing.md, "How the examples in these pages are run".

mod common;

use std::collections::BTreeSet;
use std::fs::File;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

use common::{root, tool};

/// How long one ```sh block may run.
const BLOCK_TIMEOUT: Duration = Duration::from_secs(60);

/// What the repository gives a page's scratch directory: what its examples refer to.
const COPIED_INTO_SCRATCH: &[&str] = &["examples", "contrib"];

/// Fence info strings the test knows; any other is refused so nothing is skipped by mistake.
const KNOWN_FENCES: &[&str] = &["sh", "console", "yaml", "text", "json"];

/// README.md, then every page of docs/ in name order: a page added later is covered too.
fn pages() -> Vec<PathBuf> {
    let mut docs: Vec<PathBuf> = std::fs::read_dir(root().join("docs"))
        .expect("docs/ exists")
        .map(|e| e.expect("readable entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "md"))
        .collect();
    docs.sort();
    let mut all = vec![root().join("README.md")];
    all.extend(docs);
    all
}

fn page_name(page: &Path) -> String {
    page.strip_prefix(root())
        .unwrap_or(page)
        .display()
        .to_string()
}

/// One fenced block: its info string, the line its opening fence is on, and its text with
/// the fence's indentation removed (blocks inside list items are indented).
#[derive(Debug)]
struct Block {
    info: String,
    line: usize,
    body: String,
}

fn blocks(text: &str) -> Vec<Block> {
    let mut out = Vec::new();
    let mut open: Option<(Block, usize)> = None;
    for (i, line) in text.lines().enumerate() {
        let trimmed = line.trim_start();
        let indent = line.len() - trimmed.len();
        match open.take() {
            None => {
                if let Some(info) = trimmed.strip_prefix("```") {
                    let block = Block {
                        info: info.trim().to_owned(),
                        line: i + 1,
                        body: String::new(),
                    };
                    open = Some((block, indent));
                }
            }
            Some((block, _)) if trimmed.trim_end() == "```" => out.push(block),
            Some((mut block, fence_indent)) => {
                let cut = fence_indent.min(indent);
                block.body.push_str(&line[cut..]);
                block.body.push('\n');
                open = Some((block, fence_indent));
            }
        }
    }
    assert!(open.is_none(), "a fenced block is never closed");
    out
}

fn page_blocks(page: &Path) -> Vec<Block> {
    let text = std::fs::read_to_string(page).expect("readable page");
    blocks(&text)
}

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

#[test]
fn the_commands_page_has_a_section_for_every_command() {
    use clap::CommandFactory as _;
    let page = std::fs::read_to_string(root().join("docs/commands.md")).expect("commands.md");
    let mut names: Vec<String> = litegate::cli::Cli::command()
        .get_subcommands()
        .map(|c| c.get_name().to_owned())
        .collect();
    names.push("help".to_owned());
    for name in names {
        assert!(
            page.contains(&format!("\n## `litegate {name}`")),
            "docs/commands.md has no section \"## `litegate {name}`\""
        );
        assert!(
            page.contains(&format!("](#litegate-{name})")),
            "docs/commands.md's table has no row linking to litegate {name}"
        );
    }
}

fn source_files(dir: &Path, out: &mut BTreeSet<String>) {
    for entry in std::fs::read_dir(dir).expect("readable dir") {
        let path = entry.expect("entry").path();
        if path.is_dir() {
            source_files(&path, out);
        } else if path.extension().is_some_and(|x| x == "rs") {
            let rel = path.strip_prefix(root()).expect("under the root");
            out.insert(rel.display().to_string());
        }
    }
}

#[test]
fn the_module_map_lists_exactly_the_source_files() {
    let page = std::fs::read_to_string(root().join("docs/architecture.md")).expect("page");
    let listed: BTreeSet<String> = page
        .lines()
        .filter_map(|l| l.strip_prefix("| `src/"))
        .filter_map(|rest| rest.split_once('`').map(|(path, _)| format!("src/{path}")))
        .collect();
    let mut real = BTreeSet::new();
    source_files(&root().join("src"), &mut real);
    let missing: Vec<_> = real.difference(&listed).collect();
    let gone: Vec<_> = listed.difference(&real).collect();
    assert!(
        missing.is_empty() && gone.is_empty(),
        "docs/architecture.md's module map is stale: not listed {missing:?}, listed but gone {gone:?}"
    );
    for line in page.lines().filter(|l| l.starts_with("| `")) {
        let Some((path, _)) = line["| `".len()..].split_once('`') else {
            continue;
        };
        assert!(
            root().join(path.trim_end_matches('/')).exists(),
            "docs/architecture.md lists {path}, which does not exist"
        );
    }
}

/// The programs `.ci/run` requires, from its `need NAME "how to get it"` lines.
fn ci_prerequisites() -> BTreeSet<String> {
    let ci = std::fs::read_to_string(root().join(".ci/run")).expect(".ci/run");
    ci.lines()
        .filter_map(|l| l.trim().strip_prefix("need "))
        .filter_map(|rest| rest.split_whitespace().next())
        .map(str::to_owned)
        .collect()
}

#[test]
fn ci_and_the_testing_page_agree_on_prerequisites() {
    let page = std::fs::read_to_string(root().join("docs/testing.md")).expect("testing.md");
    let section = page
        .split("\n## Prerequisites\n")
        .nth(1)
        .and_then(|s| s.split("\n## ").next())
        .expect("docs/testing.md has a Prerequisites section");
    let documented: BTreeSet<String> = section
        .lines()
        .filter_map(|l| l.strip_prefix("| `"))
        .filter_map(|rest| rest.split_once('`').map(|(name, _)| name.to_owned()))
        .collect();
    let required = ci_prerequisites();
    assert!(!required.is_empty(), ".ci/run has no `need NAME` lines");
    assert_eq!(
        documented, required,
        "docs/testing.md's prerequisites table and .ci/run's `need` lines differ"
    );
}

#[test]
fn the_readme_test_command_is_what_ci_runs() {
    let readme = std::fs::read_to_string(root().join("README.md")).expect("README.md");
    let ci = std::fs::read_to_string(root().join(".ci/run")).expect(".ci/run");
    let runs = |command: &str| ci.lines().any(|l| l.trim() == command);
    let test_block = blocks(&readme)
        .into_iter()
        .find(|b| b.body.lines().any(|l| l.trim() == "scripts/check"))
        .expect("README shows the test command, scripts/check, on a line of its own");
    for command in test_block.body.lines().filter(|l| !l.trim().is_empty()) {
        assert!(
            runs(command.trim()),
            "README's test command `{command}` is not what .ci/run runs"
        );
    }
    assert!(
        runs("tests/e2e/run.sh"),
        ".ci/run runs the end-to-end suite"
    );
}

/// Pages written on other branches that README already links to; a link to one of them may
/// dangle until they are merged. Remove an entry once its page exists.
const PAGES_BEING_WRITTEN: &[&str] = &["docs/pods.md", "docs/import.md", "docs/performance.md"];

/// GitHub's anchor for a heading: lower case, punctuation dropped, spaces as `-`.
fn anchor(heading: &str) -> String {
    heading
        .trim()
        .to_lowercase()
        .chars()
        .filter_map(|c| match c {
            ' ' => Some('-'),
            c if c.is_alphanumeric() || c == '-' || c == '_' => Some(c),
            _ => None,
        })
        .collect()
}

fn anchors(text: &str) -> BTreeSet<String> {
    let mut in_fence = false;
    let mut out = BTreeSet::new();
    for line in text.lines() {
        if line.trim_start().starts_with("```") {
            in_fence = !in_fence;
        } else if !in_fence && line.starts_with('#') {
            out.insert(anchor(line.trim_start_matches('#')));
        }
    }
    out
}

/// Every `](target)` of a page that is not a URL.
fn local_links(text: &str) -> Vec<String> {
    text.split("](")
        .skip(1)
        .filter_map(|rest| rest.split_once(')').map(|(target, _)| target.to_owned()))
        .filter(|t| !t.contains("://") && !t.starts_with("mailto:"))
        .collect()
}

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

/// README is the five-minute start; reference and evidence belong on the pages of docs/.
const README_MOST_LINES: usize = 150;

#[test]
fn the_readme_stays_a_quick_start() {
    let readme = std::fs::read_to_string(root().join("README.md")).expect("README.md");
    let lines = readme.lines().count();
    assert!(
        lines <= README_MOST_LINES,
        "README.md has {lines} lines: move reference text to a page of docs/ and link it"
    );
}

#[test]
fn the_commands_page_names_every_flag_of_every_command() {
    use clap::CommandFactory as _;
    let page = std::fs::read_to_string(root().join("docs/commands.md")).expect("commands.md");
    let cli = litegate::cli::Cli::command();
    let mut missing = Vec::new();
    for command in cli.get_subcommands() {
        let heading = format!("\n## `litegate {}`\n", command.get_name());
        let section = page
            .split(&heading)
            .nth(1)
            .and_then(|s| s.split("\n## ").next())
            .unwrap_or_default();
        for arg in command.get_arguments() {
            // --load-restrictor is described once, under "Common to every command".
            let Some(long) = arg.get_long().filter(|l| *l != "load-restrictor") else {
                continue;
            };
            if !section.contains(&format!("--{long}")) {
                missing.push(format!("litegate {} --{long}", command.get_name()));
            }
        }
    }
    assert!(
        missing.is_empty(),
        "docs/commands.md does not name these flags in their command's section: {missing:?}"
    );
}

/// Schema definitions that are Kubernetes' own types, documented by Kubernetes.
const KUBERNETES_TYPES: &[&str] = &["Toleration"];

#[test]
fn the_spec_page_names_every_field_of_the_spec() {
    let page = std::fs::read_to_string(root().join("docs/spec.md")).expect("spec.md");
    let schema: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(root().join("litegate.schema.json")).expect("the schema"),
    )
    .expect("JSON");
    let named = |field: &str| {
        page.match_indices(field).any(|(at, _)| {
            let before = page[..at].chars().next_back();
            let after = page[at + field.len()..].chars().next();
            let word = |c: Option<char>| c.is_some_and(|c| c.is_alphanumeric() || c == '_');
            !word(before) && !word(after)
        })
    };
    let mut fields: Vec<(String, String)> = Vec::new();
    let mut collect = |owner: &str, properties: Option<&serde_json::Value>| {
        for name in properties.and_then(|p| p.as_object()).into_iter().flatten() {
            fields.push((owner.to_owned(), name.0.clone()));
        }
    };
    collect("Gateway", schema.get("properties"));
    for (def, body) in schema["$defs"].as_object().expect("$defs") {
        if !KUBERNETES_TYPES.contains(&def.as_str()) {
            collect(def, body.get("properties"));
        }
    }
    assert!(fields.len() > 50, "the schema's fields were not found");
    let missing: Vec<String> = fields
        .iter()
        .filter(|(_, name)| !named(name))
        .map(|(owner, name)| format!("{owner}.{name}"))
        .collect();
    assert!(
        missing.is_empty(),
        "docs/spec.md does not document these spec fields: {missing:?}"
    );
}
