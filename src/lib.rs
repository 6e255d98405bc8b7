//! litegate compiles a Gateway spec into LiteLLM's config.yaml and highly available
//! Kubernetes manifests, deterministically: parse -> validate -> resolve -> render -> emit.
//!
//! `compile` is the library face; `cli` is the command line on top of it.

pub mod cli;
pub mod diagnostics;
pub mod emit;
mod error;
pub mod parse;
pub mod render;
pub mod resolve;
pub mod spec;
mod suggest;
mod text;
pub mod validate;
mod yaml;

pub use error::Error;
pub use parse::SpecSource;
pub use resolve::{Environment, ProcessEnvironment};

use diagnostics::Diagnostic;
use render::Rendered;

/// A spec compiled to objects, and the warnings found on the way.
#[derive(Debug, Clone)]
pub struct Compiled {
    pub rendered: Rendered,
    pub warnings: Vec<Diagnostic>,
}

/// Runs the whole pipeline but the writing. On failure, `Error::Invalid` carries every
/// error found (and the warnings), sorted; no secret value is in any of them.
pub fn compile(source: &SpecSource, env: &dyn Environment) -> Result<Compiled, Error> {
    let spec = parse::parse(&source.text).map_err(Error::Invalid)?;
    let mut found = validate::validate(&spec);
    let failed = |mut diagnostics: Vec<Diagnostic>| {
        diagnostics::sort(&mut diagnostics);
        Error::Invalid(diagnostics)
    };
    if found.iter().any(Diagnostic::is_error) {
        return Err(failed(found));
    }
    let resolved = match resolve::resolve(&spec, source.base_dir(), env) {
        Ok(r) => r,
        Err(errors) => {
            found.extend(errors);
            return Err(failed(found));
        }
    };
    let rendered = match render::render(&resolved) {
        Ok(r) => r,
        Err(Error::Invalid(errors)) => {
            found.extend(errors);
            return Err(failed(found));
        }
        Err(e) => return Err(e),
    };
    diagnostics::sort(&mut found);
    Ok(Compiled {
        rendered,
        warnings: found,
    })
}
