//! Compiles data/litellm.yaml (the provider catalog) into the binary as a Rust static, so
//! a run parses no YAML for it: read into the crate's own types, written out as Rust.

use std::error::Error;
use std::path::PathBuf;

#[allow(dead_code)] // the crate uses the sets' methods; build.rs only fills them
mod catalog_types {
    include!("src/validate/catalog_types.rs");
}
#[path = "build/rust_literal.rs"]
mod rust_literal;

const CATALOG_YAML: &str = "data/litellm.yaml";

fn main() -> Result<(), Box<dyn Error>> {
    println!("cargo::rerun-if-changed={CATALOG_YAML}");
    println!("cargo::rerun-if-changed=src/validate/catalog_types.rs");
    println!("cargo::rerun-if-changed=build/rust_literal.rs");
    let text = std::fs::read_to_string(CATALOG_YAML)?;
    let catalog: catalog_types::Catalog = serde_saphyr::from_str(&text)
        .map_err(|e| format!("{CATALOG_YAML} does not match src/validate/catalog_types.rs: {e}"))?;
    let code = rust_literal::to_string(&catalog)?;
    let out = PathBuf::from(std::env::var("OUT_DIR")?).join("catalog.rs");
    std::fs::write(out, code)?;
    Ok(())
}
