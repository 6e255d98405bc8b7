//! Pages that list what exists are checked against it, so they cannot go stale: a section
//! and every flag of each command (docs/commands.md), every field of the spec (docs/spec.md),
//! every source file (docs/architecture.md), the prerequisites (docs/testing.md against
//! .ci/run), and README's test command against what CI runs.

mod common;

use std::collections::BTreeSet;
use std::path::Path;

use common::markdown::blocks;
use common::root;

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
    // The subcommands' arguments are deferred until the tree is built.
    let mut cli = litegate::cli::Cli::command();
    cli.build();
    let (mut missing, mut seen) = (Vec::new(), 0);
    for command in cli.get_subcommands() {
        let heading = format!("\n## `litegate {}`\n", command.get_name());
        let section = page
            .split(&heading)
            .nth(1)
            .and_then(|s| s.split("\n## ").next())
            .unwrap_or_default();
        // Building adds clap's own `--help` to each command: not a flag the page lists.
        for arg in command.get_arguments().filter(|a| a.get_id() != "help") {
            // --load-restrictor is described once, under "Common to every command".
            let Some(long) = arg.get_long().filter(|l| *l != "load-restrictor") else {
                continue;
            };
            seen += 1;
            if !section.contains(&format!("--{long}")) {
                missing.push(format!("litegate {} --{long}", command.get_name()));
            }
        }
    }
    assert!(
        seen > 10,
        "only {seen} flags found: is the command tree built?"
    );
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
