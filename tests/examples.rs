//! Every file in examples/: its full output is a reviewed snapshot, it renders to the same
//! bytes twice, no secret value leaves the Secret, and kustomize builds its `-o DIR`.

mod common;

use std::process::Command;

use common::{DUMMY_ENV, MapEnvironment, compile_text, examples};
use litegate::SpecSource;

fn render_example(path: &std::path::Path) -> String {
    let source = SpecSource::read(path).expect("example is readable");
    let compiled = litegate::compile(&source, &MapEnvironment::dummy())
        .unwrap_or_else(|e| panic!("{}: {e:?}", path.display()));
    litegate::emit::stream(&compiled.rendered, &source.file_name()).expect("emits")
}

#[test]
fn every_example_output_matches_its_snapshot() {
    insta::with_settings!({snapshot_path => "../snapshots", prepend_module_to_snapshot => false}, {
        insta::glob!("../examples", "*.yaml", |path| {
            insta::assert_snapshot!("example", render_example(path));
        });
    });
}

#[test]
fn every_example_renders_identical_bytes_twice() {
    for path in examples() {
        assert_eq!(
            render_example(&path),
            render_example(&path),
            "{}",
            path.display()
        );
    }
}

#[test]
fn every_example_compiles_without_warnings() {
    for path in examples() {
        let text = std::fs::read_to_string(&path).expect("readable");
        let compiled = compile_text(&text, &MapEnvironment::dummy());
        assert!(
            compiled.warnings.is_empty(),
            "{}: {:?}",
            path.display(),
            compiled.warnings
        );
    }
}

/// The secret values, and their base64, appear in the Secret object and nowhere else.
#[test]
fn no_secret_value_appears_outside_the_secret() {
    use base64::Engine;
    for path in examples() {
        let output = render_example(&path);
        let outside: String = output
            .split("\n---\n")
            .filter(|doc| !doc.contains("\nkind: Secret\n"))
            .collect();
        for (name, value) in DUMMY_ENV {
            let encoded = base64::engine::general_purpose::STANDARD.encode(value);
            assert!(
                !outside.contains(value),
                "{}: value of {name} outside the Secret",
                path.display()
            );
            assert!(
                !outside.contains(&encoded),
                "{}: base64 of {name} outside the Secret",
                path.display()
            );
        }
    }
}

#[test]
fn kubectl_kustomize_builds_every_rendered_directory() {
    let kubectl = common::tool("kubectl");
    for path in examples() {
        let source = SpecSource::read(&path).expect("readable");
        let compiled = litegate::compile(&source, &MapEnvironment::dummy()).expect("compiles");
        let files = litegate::emit::files(
            &compiled.rendered,
            &source.file_name(),
            litegate::emit::SecretPlacement::InDir,
        )
        .expect("emits");
        let tmp = tempfile::tempdir().expect("tempdir");
        let dir = tmp.path().join("out");
        litegate::emit::write_dir(&dir, &files).expect("writes");
        let out = Command::new(&kubectl)
            .arg("kustomize")
            .arg(&dir)
            .output()
            .expect("kubectl runs");
        assert!(
            out.status.success(),
            "{}: {}",
            path.display(),
            String::from_utf8_lossy(&out.stderr)
        );
        let built = String::from_utf8_lossy(&out.stdout);
        for object in &compiled.rendered.objects {
            assert!(
                built.contains(&format!("kind: {}\n", object.kind())),
                "{}: kustomize dropped {}",
                path.display(),
                object.kind()
            );
        }
    }
}
