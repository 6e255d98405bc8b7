//! parse -> validate -> resolve -> render -> emit on arbitrary bytes: no panic, and on
//! failure diagnostics only (with no secret value in them).
#![no_main]

use std::path::Path;

use libfuzzer_sys::fuzz_target;
use litegate::{Environment, Error, SpecSource};

/// Every env var and file holds the same marker, which must never reach a diagnostic.
struct Marked;

const MARKER: &[u8] = b"sk-FUZZ-MARKER-0123456789abcdef0123456789";

impl Environment for Marked {
    fn var(&self, _: &str) -> Result<Option<Vec<u8>>, litegate::resolve::EnvDenied> {
        Ok(Some(MARKER.to_vec()))
    }
    fn read_file(&self, _: &Path, _: &str) -> Result<Vec<u8>, litegate::ReadError> {
        Ok(MARKER.to_vec())
    }
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let source = SpecSource { path: "fuzz.yaml".into(), text: text.to_owned() };
    let redacted = litegate::diagnostics::redact_source(text);
    match litegate::compile(&source, &Marked) {
        Ok(compiled) => {
            let _ = litegate::emit::stream(&compiled.rendered, "fuzz.yaml").expect("typed objects serialize");
        }
        Err(Error::Invalid(diagnostics)) => {
            assert!(diagnostics.iter().any(|d| d.is_error()));
            let marker = std::str::from_utf8(MARKER).expect("ascii");
            for d in &diagnostics {
                assert!(!d.render("fuzz.yaml", Some(&redacted)).contains(marker));
            }
        }
        Err(other) => panic!("unexpected error kind: {other}"),
    }
});
