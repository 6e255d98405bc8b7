//! The commands, one module each over the library, the way cargo keeps `commands/`: each
//! `exec` returns what happened as data ([`Status`] or [`Failure`]); [`run`] alone prints a
//! failure and decides the exit code.

/// `eprintln!` that ignores a closed stderr (`litegate ... 2>&1 | head`): the reader's choice,
/// not a reason to panic. Every line is scrubbed of secret-shaped words on its way out: the
/// last net under messages that quote what they were given.
macro_rules! stderr_line {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let line = format!($($arg)*);
        let _ = writeln!(std::io::stderr().lock(), "{}", crate::secret_shape::scrub(&line));
    }};
}

mod import;
mod krm;
mod kustomize_plugin;
mod man;
mod plan;
mod post_render;
mod render;
mod sync;
mod validate;
mod verify;

use std::path::Path;

use crate::cli::{Cli, Command, FileAccessArgs};
use crate::diagnostics::Diagnostic;
use crate::resolve::{EnvAccess, LoadRestrictor, Placeholders};
use crate::{Compiled, Environment, Error, ProcessEnvironment, SpecSource, compile, emit};

/// Exit codes: docs/commands.md lists them.
pub mod exit {
    pub const OK: i32 = 0;
    /// Invalid input, a failed check, or a failed write.
    pub const FAILED: i32 = 1;
    /// A usage error (clap exits with it on its own).
    pub const USAGE: i32 = 2;
    /// `plan`: a change is planned; `sync --dry-run`, `verify`: the proxy differs from the spec.
    pub const CHANGES: i32 = 3;
}

/// How a command that did its job ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    Done,
    /// Something differs: a planned change, drift, a proxy that does not serve the spec.
    Changes,
}

/// Why a command failed, not yet printed: [`run`] prints it, then exits 1 (2 for `Usage`).
#[derive(Debug)]
pub enum Failure {
    /// An argument clap could not check, e.g. a URL without its scheme.
    Usage(String),
    /// An error about the spec in `source`: its diagnostics quote the file.
    Spec(Box<SpecSource>, Error),
    /// An error about no spec file.
    Error(Error),
    /// Lines that say what failed, each printed as `error: LINE`.
    Lines(Vec<String>),
    /// The output itself says why (a KRM ResourceList's results): nothing more to print.
    Said,
    /// A failure and a note that helps read it.
    Noted(Box<Failure>, &'static str),
}

impl Failure {
    pub fn line(line: impl Into<String>) -> Self {
        Failure::Lines(vec![line.into()])
    }

    fn spec(source: &SpecSource, error: Error) -> Self {
        Failure::Spec(Box::new(source.clone()), error)
    }
}

impl From<Error> for Failure {
    fn from(error: Error) -> Self {
        Failure::Error(error)
    }
}

type Outcome = Result<Status, Failure>;

/// Runs a parsed command line against the real environment; returns the exit code.
pub fn run(cli: Cli) -> i32 {
    let outcome = dispatch(cli);
    match outcome {
        Ok(Status::Done) => exit::OK,
        Ok(Status::Changes) => exit::CHANGES,
        Err(failure) => {
            let code = match failure {
                Failure::Usage(_) => exit::USAGE,
                _ => exit::FAILED,
            };
            print_failure(&failure);
            code
        }
    }
}

fn dispatch(cli: Cli) -> Outcome {
    let author = |files: FileAccessArgs| ProcessEnvironment::for_author(files.load_restrictor);
    // sync and verify read only the master key: models carry keys as os.environ/NAME.
    let master_key_only = || ProcessEnvironment::for_author(LoadRestrictor::RootOnly);
    match cli.command {
        Command::Render(args) if args.skip_secrets => render::exec(&args, &Placeholders),
        Command::Render(args) => render::exec(&args, &author(args.files)),
        Command::Plan(args) if args.skip_secrets => plan::exec(&args, &Placeholders),
        Command::Plan(args) => plan::exec(&args, &author(args.files)),
        Command::Validate(args) if args.skip_secrets => validate::exec(&args, &Placeholders),
        Command::Validate(args) => validate::exec(&args, &author(args.files)),
        Command::Sync(args) => sync::exec(&args, &master_key_only()),
        Command::Verify(args) => verify::exec(&args, &master_key_only()),
        Command::Krm(args) => krm::exec(
            &args,
            &ProcessEnvironment {
                load: args.files.load_restrictor,
                vars: EnvAccess::from_process("krm"),
            },
        ),
        Command::PostRender { spec, files } => post_render::exec(&spec, &author(files)),
        Command::KustomizePlugin { config } => kustomize_plugin::exec(
            &config,
            &ProcessEnvironment {
                load: LoadRestrictor::from_process(),
                vars: EnvAccess::from_process("kustomize-plugin"),
            },
        ),
        Command::Import(args) => import::exec(&args),
        Command::Init => print_stdout(&crate::text::starter_spec()?),
        Command::Schema => print_stdout(&crate::schema::json()),
        Command::Completions { shell } => man::completions(shell),
        Command::Man { dir } => man::exec(dir.as_deref()),
    }
}

/// Prints a failure to stderr: errors with their `caused by:` chain, diagnostics with
/// snippets of the spec they are about.
fn print_failure(failure: &Failure) {
    match failure {
        Failure::Usage(line) => stderr_line!("error: {line}"),
        Failure::Spec(_, Error::Invalid(diagnostics))
        | Failure::Error(Error::Invalid(diagnostics)) => {
            let source = match failure {
                Failure::Spec(source, _) => source,
                _ => &SpecSource::unread(Path::new("")),
            };
            print_diagnostics(diagnostics, source);
            let errors = diagnostics.iter().filter(|d| d.is_error()).count();
            let warnings = diagnostics.len() - errors;
            stderr_line!(
                "error: {} has {errors} error(s) and {warnings} warning(s); nothing was written",
                source.path.display()
            );
        }
        Failure::Spec(_, error) | Failure::Error(error) => {
            stderr_line!("error: {error}");
            let mut cause = std::error::Error::source(error);
            while let Some(c) = cause {
                stderr_line!("  caused by: {c}");
                cause = c.source();
            }
        }
        Failure::Lines(lines) => {
            for line in lines {
                stderr_line!("error: {line}");
            }
        }
        Failure::Said => {}
        Failure::Noted(failure, note) => {
            print_failure(failure);
            stderr_line!("note: {note}");
        }
    }
}

/// Reads the spec at `path` and compiles it; a failure names the file.
fn load_and_compile(path: &Path, env: &dyn Environment) -> Result<(SpecSource, Compiled), Failure> {
    let source = SpecSource::read(path).map_err(|e| Failure::spec(&SpecSource::unread(path), e))?;
    match compile(&source, env) {
        Ok(compiled) => Ok((source, compiled)),
        Err(e) => Err(Failure::spec(&source, e)),
    }
}

fn print_diagnostics(diagnostics: &[Diagnostic], source: &SpecSource) {
    if diagnostics.is_empty() {
        return;
    }
    let file = source.path.display().to_string();
    // Snippets quote the spec with every possible secret masked. Only a located diagnostic
    // has a snippet: a whole-file one (E020 on a huge spec) must not pay for the masking.
    let located = diagnostics
        .iter()
        .any(|d| d.span.is_some() || d.location.is_some());
    let redacted = located.then(|| crate::diagnostics::redact_source(&source.text));
    for d in diagnostics {
        stderr_line!("{}", d.to_text(&file, redacted.as_deref()));
    }
}

/// Prints `text` on stdout. A closed pipe is the reader's choice and not a failure; a full
/// disk is.
fn print_stdout(text: &str) -> Outcome {
    emit::write_stdout(text)?;
    Ok(Status::Done)
}
