//! litegate compiles a Gateway spec into LiteLLM's config.yaml and highly available
//! Kubernetes manifests, deterministically: parse -> validate -> resolve -> render -> emit.
//!
//! `compile` is the library face: it reads top to bottom as the pipeline runs. `commands`
//! is the command line on top of it, one module a command.

// The pipeline, a stage a module, public so tools and benchmarks can run one stage alone.
pub mod emit;
pub mod parse;
pub mod render;
pub mod resolve;
pub mod validate;

// What the stages pass along, and what the library's users read.
pub mod diagnostics;
pub mod spec;

// The other jobs over the pipeline's output.
pub mod import;
pub mod plan;
pub mod schema;

// The command line: the binary (`main.rs`) parses with `cli` and runs `commands`.
pub mod cli;
pub mod commands;

// Exposed for the integration tests and benchmarks that exercise them directly; not part
// of the library's API.
#[doc(hidden)]
pub mod secret_forms;
#[doc(hidden)]
pub mod secret_shape;
#[doc(hidden)]
pub mod source_map;

mod admin;
mod defaults;
mod error;
mod help;
mod input;
mod krm;
mod kube_fields;
mod names;
mod post_render;
mod proxy;
mod served;
mod suggest;
mod sync;
mod text;
mod verify;
mod yaml;

pub use error::Error;
pub use input::ReadError;
pub use parse::SpecSource;
pub use resolve::{EnvAccess, EnvDenied, Environment, LoadRestrictor, ProcessEnvironment};

use diagnostics::Diagnostic;
use render::Rendered;

/// A spec compiled to objects, and the warnings found on the way.
#[derive(Debug, Clone)]
pub struct Compiled {
    pub rendered: Rendered,
    pub warnings: Vec<Diagnostic>,
}

/// What `resolve` finds about a secret source (unset, unreadable, outside the root, weak),
/// which no rule in `validate` can see: worth reporting even when the spec has other errors.
fn is_secret_source_problem(d: &Diagnostic) -> bool {
    use diagnostics::Code;
    matches!(d.code, Code::E015 | Code::E021 | Code::E033)
}

/// Whether two spec paths are one place, or one lies inside the other.
fn same_source(a: &str, b: &str) -> bool {
    let inside = |x: &str, y: &str| x.strip_prefix(y).is_some_and(|r| r.starts_with(['.', '[']));
    a == b || inside(a, b) || inside(b, a)
}

/// Runs the whole pipeline but the writing. On failure, `Error::Invalid` carries every
/// error found (and the warnings), located and sorted; no secret value is in any of them.
pub fn compile(source: &SpecSource, env: &dyn Environment) -> Result<Compiled, Error> {
    let parsed = parse::parse_recovering(&source.text);
    // The source map parses the text a second time, so it is built only when needed: for a
    // diagnostic to locate, or for a text that may hold a YAML 1.1 hazard.
    let map = std::cell::OnceCell::new();
    let source_map = || map.get_or_init(|| source_map::SourceMap::build(&source.text));
    let finish = |diagnostics| located_and_sorted(diagnostics, source_map);
    let Some(spec) = parsed.spec else {
        return Err(Error::Invalid(parsed.diagnostics));
    };
    let blanked = Blanked(&parsed.blanked);
    let mut found = parsed.diagnostics;
    found.extend(
        validate::validate(&spec)
            .into_iter()
            .filter(|d| !blanked.concerns(d)),
    );
    if validate::may_have_yaml_hazards(&source.text) {
        found.extend(validate::yaml_hazards(source_map()));
    }
    let resolved = resolve::resolve(&spec, source.base_dir(), env);
    if found.iter().any(Diagnostic::is_error) || !blanked.0.is_empty() {
        // Secret sources are checked all the same: one run names an unset key next to a
        // typo, rather than a second run after the typo is fixed.
        if let Err(errors) = resolved {
            let fresh = secret_source_problems(errors, &found, &blanked);
            found.extend(fresh);
        }
        return Err(Error::Invalid(finish(found)));
    }
    let resolved = match resolved {
        Ok(r) => r,
        Err(errors) => {
            found.extend(errors);
            return Err(Error::Invalid(finish(found)));
        }
    };
    // `resolved` holds all that render needs: the spec's memory is reused for config.yaml.
    drop(spec);
    let rendered = render::render(&resolved)?;
    let facts = &rendered.facts;
    let problems = validate::output(
        rendered.config_yaml.len(),
        facts.secret_bytes,
        &facts.unprovided_env,
    );
    if !problems.is_empty() {
        found.extend(problems);
        return Err(Error::Invalid(finish(found)));
    }
    Ok(Compiled {
        rendered,
        warnings: finish(found),
    })
}

/// The spec paths a recovering parse blanked out. A spec that parsed only once they were
/// blanked is still checked, but nothing is reported again about them: it would be a
/// consequence, not a mistake.
struct Blanked<'a>(&'a [String]);

impl Blanked<'_> {
    fn concerns(&self, d: &Diagnostic) -> bool {
        // With `providers` missing, every model's provider is unknown: a consequence.
        let providers_missing =
            d.code == diagnostics::Code::E012 && self.0.iter().any(|b| b == "providers");
        providers_missing
            || self
                .0
                .iter()
                .any(|b| d.path == *b || d.path.starts_with(&format!("{b}.")))
    }
}

/// What `resolve` found about secret sources that is worth saying beside the spec's other
/// errors: not about a blanked entry, and not about a source that already has an error (a
/// bad env var name is also an unset one: that is the same mistake, said once).
fn secret_source_problems(
    errors: Vec<Diagnostic>,
    found: &[Diagnostic],
    blanked: &Blanked,
) -> Vec<Diagnostic> {
    errors
        .into_iter()
        .filter(|d| is_secret_source_problem(d) && !blanked.concerns(d))
        .filter(|d| {
            !found
                .iter()
                .any(|f| f.is_error() && same_source(&f.path, &d.path))
        })
        .collect()
}

/// Diagnostics that name a path and have no place yet are placed (building the source map
/// only then), and all are sorted.
fn located_and_sorted<'m>(
    mut diagnostics: Vec<Diagnostic>,
    source_map: impl Fn() -> &'m source_map::SourceMap,
) -> Vec<Diagnostic> {
    if diagnostics
        .iter()
        .any(|d| d.location.is_none() && !d.path.is_empty())
    {
        let map = source_map();
        for d in &mut diagnostics {
            d.locate(map);
        }
    }
    diagnostics::sort(&mut diagnostics);
    diagnostics
}
