//! The user manual of our errors: each `tests/ui/NAME.yaml` is one bad spec, and
//! `tests/ui/NAME.snap` is exactly what `litegate validate NAME.yaml` prints and exits with.
//! A new case is a new file; this code tests it.

mod common;

use std::collections::BTreeSet;
use std::process::Command;

use common::{DUMMY_ENV, root};
use litegate::diagnostics::Code;

/// The output of `litegate validate` run in tests/ui/, as a user would see it.
fn validate(file: &str) -> (i32, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_litegate"))
        .args(["validate", file])
        .env_clear()
        .envs(DUMMY_ENV.iter().copied())
        // e021-weak-master-key reads LiteLLM's documented example key from here.
        .env("LITEGATE_UI_WEAK_MASTER_KEY", "sk-1234")
        .current_dir(root().join("tests/ui"))
        .output()
        .expect("litegate runs");
    assert!(out.stdout.is_empty(), "{file}: validate printed to stdout");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn cases() -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(root().join("tests/ui"))
        .expect("tests/ui exists")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".yaml"))
        .collect();
    names.sort();
    names
}

#[test]
fn every_ui_case_prints_its_snapshot() {
    insta::with_settings!({snapshot_path => "ui", prepend_module_to_snapshot => false, omit_expression => true}, {
        for file in cases() {
            let (code, stderr) = validate(&file);
            let name = file.trim_end_matches(".yaml");
            insta::assert_snapshot!(name, format!("exit: {code}\n{stderr}"));
        }
    });
}

#[test]
fn every_error_case_fails_and_every_warning_case_passes_unless_strict() {
    for file in cases() {
        let (code, stderr) = validate(&file);
        if file.starts_with('w') {
            assert_eq!(
                code, 0,
                "{file}: a warning alone must not fail validate\n{stderr}"
            );
        } else {
            assert_eq!(code, 1, "{file}: must fail\n{stderr}");
        }
    }
}

/// Each case's name says which code it shows; that code must be what it reports.
#[test]
fn each_case_reports_the_code_in_its_name() {
    for file in cases() {
        let is_code = |c: &&str| c.len() == 4 && c[1..].bytes().all(|b| b.is_ascii_digit());
        let Some(code) = file.split('-').next().filter(is_code) else {
            continue;
        };
        let (_, stderr) = validate(&file);
        let wanted = format!("[{}]", code.to_ascii_uppercase());
        assert!(
            stderr.contains(&wanted),
            "{file} does not report {wanted}:\n{stderr}"
        );
    }
}

#[test]
fn the_corpus_covers_every_code_but_the_file_size_limit() {
    let shown: BTreeSet<String> = cases()
        .iter()
        .filter_map(|f| f.split('-').next().map(str::to_ascii_uppercase))
        .collect();
    // E031 needs a file over 8 MiB: tests/cli.rs generates one instead of committing it.
    let missing: Vec<&str> = Code::ALL
        .iter()
        .map(|c| c.as_str())
        .filter(|c| *c != "E031" && !shown.contains(*c))
        .collect();
    assert!(missing.is_empty(), "no tests/ui case for {missing:?}");
    assert!(cases().len() >= 50);
}

#[test]
fn five_independent_mistakes_are_reported_in_one_run_with_line_and_column() {
    let (code, stderr) = validate("five-mistakes.yaml");
    assert_eq!(code, 1);
    let located = stderr
        .lines()
        .filter(|l| l.trim_start().starts_with("--> five-mistakes.yaml:"))
        .count();
    let problems = stderr
        .lines()
        .filter(|l| l.starts_with("error[") || l.starts_with("warning["))
        .count();
    assert!(problems >= 5, "{stderr}");
    assert_eq!(
        located, problems,
        "every diagnostic has a line and column:\n{stderr}"
    );
}

#[test]
fn no_ui_output_quotes_a_literal_secret() {
    for file in cases() {
        let (_, stderr) = validate(&file);
        for marker in ["NEVER-BE-PRINTED", "NEVER-PRINT", "sk-1234"] {
            assert!(
                !stderr.contains(marker),
                "{file} printed {marker}:\n{stderr}"
            );
        }
        for (name, value) in DUMMY_ENV {
            assert!(
                !stderr.contains(value),
                "{file} printed the value of {name}"
            );
        }
    }
}

#[test]
fn the_diagnostics_page_lists_every_code() {
    let page =
        std::fs::read_to_string(root().join("docs/diagnostics.md")).expect("docs/diagnostics.md");
    for code in Code::ALL {
        assert!(
            page.contains(&format!("| {} |", code.as_str())),
            "docs/diagnostics.md has no row for {}",
            code.as_str()
        );
    }
}

#[test]
fn one_run_reports_a_typo_missing_fields_a_rule_and_an_unset_secret_each_at_its_path() {
    let (code, stderr) = validate("one-pass-every-kind.yaml");
    assert_eq!(code, 1);
    for wanted in [
        "error[E001]: missing field `metadata`",
        "error[E001]: models[1]: missing field `model`",
        "error[E002]: deployment.replicsa: unknown field `replicsa`",
        "error[E010]: providers.openai.type:",
        "error[E015]: providers.openai.apiKey.env: environment variable NOT_SET_IN_THE_UI_RUN is not set",
    ] {
        assert!(stderr.contains(wanted), "no {wanted:?} in:\n{stderr}");
    }
    // Never the old cascade: a missing field reported under whichever key serde stopped at.
    assert!(!stderr.contains("kind: missing field"), "{stderr}");
    assert_eq!(
        stderr.matches("missing field `metadata`").count(),
        1,
        "{stderr}"
    );
}
