//! The command line: argument types (clap derive) and what each command does with them.
//! `main.rs` only parses and exits with the code `run` returns.

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

use std::path::{Path, PathBuf};

use clap::{Args, CommandFactory, Parser, Subcommand};

use crate::diagnostics::Diagnostic;
use crate::input::ReadError;
use crate::resolve::{EnvAccess, EnvDenied, Environment, LoadRestrictor};
use crate::{Error, ProcessEnvironment, SpecSource, compile, emit};

/// Exit codes, as SPEC.md fixes them.
pub mod exit {
    pub const OK: i32 = 0;
    /// Invalid input, a failed check, or a failed write.
    pub const FAILED: i32 = 1;
    /// A usage error (clap exits with it on its own).
    pub const USAGE: i32 = 2;
    /// `plan`: a change is planned; `sync --dry-run`: the proxy differs from the spec.
    pub const CHANGES: i32 = 3;
}

#[derive(Debug, Parser)]
#[command(
    name = "litegate",
    version,
    about = "Compile a Gateway spec into LiteLLM config and highly available Kubernetes manifests"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Render every object: to stdout, to a directory (-o), or check a directory (--check).
    #[command(after_long_help = crate::help::RENDER)]
    Render(RenderArgs),
    /// Check a spec and report every error and warning; writes nothing.
    #[command(after_long_help = crate::help::VALIDATE)]
    Validate(ValidateArgs),
    /// Show what changes from OLD to NEW, per object, and whether pods roll (exit 3 on change).
    #[command(after_long_help = crate::help::PLAN)]
    Plan(PlanArgs),
    /// Make a running, database-backed LiteLLM serve the spec's models, live (exit 3: drift, with --dry-run).
    ///
    /// Reads GET /model/info, sends the admin requests `plan` would list for the rows
    /// litegate owns, and reads back until the proxy matches. Provider keys are not needed:
    /// the rows carry them as os.environ/NAME references.
    #[command(after_long_help = crate::help::SYNC)]
    Sync(SyncArgs),
    /// Check that running proxies serve the spec, pod by pod (exit 3: one does not).
    ///
    /// Reads GET /model/info and GET /v1/models from each URL and compares: without a
    /// database, each model's config stamp; with one, the rows litegate owns, as sync does.
    /// With --wait, polls until every URL serves the spec or the time is up.
    #[command(after_long_help = crate::help::VERIFY)]
    Verify(VerifyArgs),
    /// A KRM function for kustomize `generators:` and kpt: a ResourceList on stdin, the Gateway
    /// spec as functionConfig, the list with the rendered objects appended on stdout.
    ///
    /// `env:` sources read only the variables listed in LITEGATE_ALLOW_ENV; `file:` sources
    /// only files in or below --root.
    #[command(after_long_help = crate::help::KRM)]
    Krm(KrmArgs),
    /// A Helm post-renderer: the chart's manifests from stdin, unchanged, then the spec's objects.
    ///
    /// For `helm install --post-renderer`; see docs/integrations.md. Exits 1, printing nothing, when the
    /// spec is invalid or the chart already has an object litegate emits.
    #[command(after_long_help = crate::help::POST_RENDER)]
    PostRender {
        /// The Gateway spec file (relative to where helm runs).
        spec: PathBuf,
        #[command(flatten)]
        files: FileAccessArgs,
    },
    /// A kustomize exec plugin: what litegate does when run as `Gateway`.
    ///
    /// For `kubectl kustomize --enable-alpha-plugins` with the spec under `generators:`;
    /// CONFIG is the copy of the spec kustomize hands over. See docs/integrations.md. `env:` sources read
    /// only the variables listed in LITEGATE_ALLOW_ENV; `file:` sources only files in or
    /// below the kustomization's directory (LITEGATE_LOAD_RESTRICTOR=LoadRestrictionsNone
    /// lifts that).
    #[command(after_long_help = crate::help::KUSTOMIZE_PLUGIN)]
    KustomizePlugin {
        /// The generator config file kustomize passes (a copy of the spec).
        config: PathBuf,
    },
    /// Turn an existing LiteLLM config.yaml into a spec (to stdout, or -o FILE); keys are never copied.
    #[command(after_long_help = crate::help::IMPORT)]
    Import(ImportArgs),
    /// Print a commented starter spec to stdout.
    Init,
    /// Print the JSON Schema of the spec (as in litegate.schema.json).
    Schema,
    /// Print a shell completion script.
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the man page (roff), or with --dir write one per command there.
    Man {
        /// Write litegate.1 and litegate-COMMAND.1 for every command to DIR.
        #[arg(long, value_name = "DIR")]
        dir: Option<PathBuf>,
    },
}

/// Where `file:` secret sources may be read from.
#[derive(Debug, Clone, Copy, Args)]
pub struct FileAccessArgs {
    /// Where `file:` sources may be: in or below the spec's directory (RootOnly), or anywhere.
    #[arg(
        long,
        value_enum,
        value_name = "RESTRICTOR",
        default_value_t = LoadRestrictor::RootOnly,
        env = "LITEGATE_LOAD_RESTRICTOR"
    )]
    pub load_restrictor: LoadRestrictor,
}

#[derive(Debug, Args)]
pub struct KrmArgs {
    /// The directory `file:` sources are relative to, and must stay in (default: the
    /// working directory, which kpt sets to where it runs).
    #[arg(long, value_name = "DIR")]
    pub root: Option<PathBuf>,
    #[command(flatten)]
    pub files: FileAccessArgs,
}

#[derive(Debug, Args)]
pub struct RenderArgs {
    /// The Gateway spec file.
    pub spec: PathBuf,
    #[command(flatten)]
    pub files: FileAccessArgs,
    /// Write one file per object, config.yaml and kustomization.yaml to DIR, atomically.
    #[arg(
        short = 'o',
        long = "output",
        value_name = "DIR",
        conflicts_with = "check"
    )]
    pub output: Option<PathBuf>,
    /// Write nothing; exit 1 with a diff (secret values redacted) if DIR is not up to date.
    #[arg(long, value_name = "DIR")]
    pub check: Option<PathBuf>,
    /// With -o: write the Secret (every key, base64) to FILE, outside DIR, mode 0600, for
    /// kubeseal, sops or a separate apply; `-` is stdout.
    #[arg(
        long,
        value_name = "FILE",
        requires = "output",
        conflicts_with = "plaintext_secret"
    )]
    pub secret_out: Option<PathBuf>,
    /// Put the Secret in DIR as secret.yaml, keys in plain base64: only for a DIR nobody
    /// commits. Without it, -o and --check leave the Secret out of DIR.
    #[arg(long)]
    pub plaintext_secret: bool,
    /// With --check: read no secret source, and compare everything but secret values
    /// (checksum/secret and the Secret's data), for CI jobs without the keys.
    #[arg(long, requires = "check")]
    pub skip_secrets: bool,
}

#[derive(Debug, Args)]
pub struct ValidateArgs {
    /// The Gateway spec file.
    pub spec: PathBuf,
    #[command(flatten)]
    pub files: FileAccessArgs,
    /// Treat warnings as errors.
    #[arg(long)]
    pub strict: bool,
    /// Do not read secret sources (for CI jobs without the keys); checks all else.
    #[arg(long)]
    pub skip_secrets: bool,
    /// `text` for people (stderr), `json` for machines such as CI annotations (stdout).
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
}

#[derive(Debug, Args)]
pub struct PlanArgs {
    /// The spec now applied, or a directory written by `litegate render -o`.
    pub old: PathBuf,
    /// The spec to apply.
    pub new: PathBuf,
    #[command(flatten)]
    pub files: FileAccessArgs,
    /// Read no secret source, and compare everything but secret values (the Secret's
    /// content and checksum/secret), for CI jobs without the keys.
    #[arg(long)]
    pub skip_secrets: bool,
    /// `text` for people, `json` for machines (both on stdout).
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
}

#[derive(Debug, Args)]
pub struct ImportArgs {
    /// The LiteLLM config.yaml to read.
    pub config: PathBuf,
    /// Write the spec to FILE (atomically) instead of stdout.
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// The gateway's name (metadata.name), the prefix of every object name.
    #[arg(long, default_value = "litellm")]
    pub name: String,
    /// Print, per model_list entry, what was inferred, moved to a variable or dropped.
    #[arg(long)]
    pub explain: bool,
}

#[derive(Debug, Args)]
pub struct SyncArgs {
    /// The Gateway spec file.
    pub spec: PathBuf,
    /// The proxy's base URL, e.g. http://127.0.0.1:4000 (a port-forward to one pod is best).
    #[arg(long)]
    pub url: String,
    /// The env var that holds the proxy's master key.
    #[arg(long, value_name = "NAME", default_value = "LITELLM_MASTER_KEY")]
    pub master_key_env: String,
    /// Send nothing: print the requests that would make the proxy match (the drift).
    #[arg(long)]
    pub dry_run: bool,
    /// `text` for people, `json` for machines (both on stdout).
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    /// Seconds each HTTP request may take.
    #[arg(long, value_name = "SECONDS", default_value_t = 30)]
    pub timeout: u64,
    /// Retries after a connection error or a 5xx answer, with exponential backoff.
    #[arg(long, default_value_t = 4)]
    pub retries: u32,
    /// The first retry's delay in milliseconds; it doubles on each retry (up to 10 s).
    #[arg(long, value_name = "MS", default_value_t = 500)]
    pub backoff_ms: u64,
    /// Seconds the read-back may take to show the applied state.
    #[arg(long, value_name = "SECONDS", default_value_t = 60)]
    pub verify_timeout: u64,
}

#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// The Gateway spec file.
    pub spec: PathBuf,
    /// A proxy's base URL; give one per pod (port-forwards or pod IPs) for a definite answer.
    #[arg(long = "url", value_name = "URL", required = true)]
    pub urls: Vec<String>,
    /// The env var that holds the proxies' master key.
    #[arg(long, value_name = "NAME", default_value = "LITELLM_MASTER_KEY")]
    pub master_key_env: String,
    /// Poll until every URL serves the spec, for at most this long (e.g. 90s, 5m).
    #[arg(long, value_name = "DURATION", value_parser = humantime::parse_duration)]
    pub wait: Option<std::time::Duration>,
    /// Reads per URL, each on a new connection: behind a Service each may reach another pod.
    #[arg(long, default_value_t = 5)]
    pub samples: u32,
    /// Seconds each HTTP request may take.
    #[arg(long, value_name = "SECONDS", default_value_t = 10)]
    pub timeout: u64,
    /// `text` for people, `json` for machines (both on stdout).
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Text,
    Json,
}

/// Runs a parsed command line against the real environment; returns the exit code.
pub fn run(cli: Cli) -> i32 {
    let author = |files: FileAccessArgs| ProcessEnvironment::for_author(files.load_restrictor);
    match cli.command {
        Command::Render(args) if args.skip_secrets => render(&args, &Placeholders),
        Command::Render(args) => render(&args, &author(args.files)),
        Command::Plan(args) if args.skip_secrets => plan(&args, &Placeholders),
        Command::Plan(args) => plan(&args, &author(args.files)),
        Command::Validate(args) => {
            if args.skip_secrets {
                validate(&args, &Placeholders)
            } else {
                validate(&args, &author(args.files))
            }
        }
        Command::Sync(args) => sync(
            &args,
            &ProcessEnvironment::for_author(LoadRestrictor::RootOnly),
        ),
        Command::Verify(args) => verify(
            &args,
            &ProcessEnvironment::for_author(LoadRestrictor::RootOnly),
        ),
        Command::Krm(args) => krm(
            &args,
            &ProcessEnvironment {
                load: args.files.load_restrictor,
                vars: EnvAccess::from_process("krm"),
            },
        ),
        Command::PostRender { spec, files } => post_render(&spec, &author(files)),
        Command::KustomizePlugin { config } => kustomize_plugin(
            &config,
            &ProcessEnvironment {
                load: LoadRestrictor::from_process(),
                vars: EnvAccess::from_process("kustomize-plugin"),
            },
        ),
        Command::Import(args) => import(&args),
        Command::Init => init(),
        Command::Schema => print_stdout(&crate::schema::json(), exit::OK),
        Command::Completions { shell } => completions(shell),
        Command::Man { dir } => man(dir.as_deref()),
    }
}

fn krm(args: &KrmArgs, env: &dyn Environment) -> i32 {
    // Whatever happens, the function answers with a ResourceList.
    let bytes = crate::input::read_stdin(crate::input::MAX_STREAM_BYTES);
    let input = match bytes.map(String::from_utf8) {
        Ok(Ok(input)) => input,
        Ok(Err(_)) => return print_krm(crate::krm::refused("stdin is not UTF-8")),
        Err(e) => {
            let message = format!("cannot read the ResourceList from stdin: {e}");
            return print_krm(crate::krm::refused(&message));
        }
    };
    let root = args.root.clone().unwrap_or_else(|| PathBuf::from("."));
    print_krm(crate::krm::run(&input, &root, env))
}

fn print_krm(outcome: crate::krm::Outcome) -> i32 {
    let code = if outcome.ok { exit::OK } else { exit::FAILED };
    print_stdout(&outcome.output, code)
}

/// stdin as text, bounded; an error is reported and becomes the exit code.
fn read_stdin(what: &str) -> Result<String, i32> {
    let failed = |reason: &dyn std::fmt::Display| {
        stderr_line!("error: cannot read {what} from stdin: {reason}");
        exit::FAILED
    };
    let bytes = crate::input::read_stdin(crate::input::MAX_STREAM_BYTES).map_err(|e| failed(&e))?;
    String::from_utf8(bytes).map_err(|_| failed(&"it is not UTF-8"))
}

fn post_render(spec: &Path, env: &dyn Environment) -> i32 {
    let input = match read_stdin("the chart's manifests") {
        Ok(input) => input,
        Err(code) => return code,
    };
    let (source, compiled) = match load_and_compile(spec, env) {
        Ok(ok) => ok,
        Err(code) => return code,
    };
    print_diagnostics(&compiled.warnings, &source);
    match crate::post_render::append(&input, &compiled.rendered, &source.file_name()) {
        Ok(text) => print_stdout(&text, exit::OK),
        Err(e) => report(&e, &source),
    }
}

/// The name under which kustomize runs an exec plugin for `kind: Gateway`
/// (`$KUSTOMIZE_PLUGIN_HOME/litegate/v1alpha1/gateway/Gateway`).
pub const KUSTOMIZE_PLUGIN_NAME: &str = "Gateway";

/// Kustomize passes a re-serialized copy of the spec in a temporary file (comments gone,
/// keys sorted) and runs the plugin in the kustomization's directory, which `file:` secret
/// sources are then relative to.
fn kustomize_plugin(config: &Path, env: &dyn Environment) -> i32 {
    let mut source = match SpecSource::read(config) {
        Ok(source) => source,
        Err(e) => return report_plain(&e),
    };
    let root = std::env::var_os("KUSTOMIZE_PLUGIN_CONFIG_ROOT")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("."));
    // A fixed name, not kustomize's temporary one: it appears in the output's header.
    source.path = root.join("kustomize-generator.yaml");
    let compiled = match compile(&source, env) {
        Ok(compiled) => compiled,
        Err(e) => {
            let code = report(&e, &source);
            stderr_line!(
                "note: lines refer to the copy of the spec that kustomize passed \
                 (comments dropped, keys sorted); `litegate validate` on the spec file gives \
                 its own lines"
            );
            return code;
        }
    };
    print_diagnostics(&compiled.warnings, &source);
    match emit::stream(&compiled.rendered, &source.file_name()) {
        Ok(text) => print_stdout(&text, exit::OK),
        Err(e) => report(&e, &source),
    }
}

fn import(args: &ImportArgs) -> i32 {
    let read = crate::input::read_path(
        &args.config,
        crate::input::MAX_SPEC_BYTES,
        crate::input::Pipes::Allowed,
    );
    let text = match read.map(String::from_utf8) {
        Ok(Ok(text)) => text,
        Ok(Err(_)) => {
            stderr_line!("error: {} is not UTF-8", args.config.display());
            return exit::FAILED;
        }
        Err(reason) => {
            return report_plain(&Error::Read {
                what: "config",
                path: args.config.clone(),
                reason,
            });
        }
    };
    let read = |path: &std::path::Path| {
        crate::input::read_path(
            path,
            crate::input::MAX_SPEC_BYTES,
            crate::input::Pipes::Refused,
        )
        .map_err(|e| e.to_string())
        .and_then(|bytes| String::from_utf8(bytes).map_err(|_| "not UTF-8".to_owned()))
    };
    let imported = match crate::import::import(&text, &args.name, &args.config, &read) {
        Ok(imported) => imported,
        Err(failed) => {
            for problem in &failed.0 {
                stderr_line!("error: {}: {problem}", args.config.display());
            }
            stderr_line!(
                "error: {} cannot be imported ({} problem(s)); nothing was written",
                args.config.display(),
                failed.0.len()
            );
            return exit::FAILED;
        }
    };
    if args.explain {
        stderr_line!("{}", imported.explain().trim_end());
    } else {
        for warning in &imported.warnings {
            stderr_line!("warning: {}: {warning}", args.config.display());
        }
    }
    match &args.output {
        None => print_stdout(&imported.spec, exit::OK),
        Some(path) => match emit::write_file_atomically(path, &imported.spec) {
            Ok(()) => exit::OK,
            Err(e) => report_plain(&e),
        },
    }
}

fn init() -> i32 {
    match crate::text::starter_spec() {
        Ok(text) => print_stdout(&text, exit::OK),
        Err(e) => report_plain(&e),
    }
}

fn completions(shell: clap_complete::Shell) -> i32 {
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut Cli::command(), "litegate", &mut script);
    print_stdout(&String::from_utf8_lossy(&script), exit::OK)
}

fn man(dir: Option<&Path>) -> i32 {
    let mut cmd = Cli::command().disable_help_subcommand(true);
    cmd.build();
    let page = |cmd: &clap::Command| {
        let mut page = Vec::new();
        clap_mangen::Man::new(cmd.clone())
            .render(&mut page)
            .map(|()| title_first(&String::from_utf8_lossy(&page)))
    };
    let Some(dir) = dir else {
        return match page(&cmd) {
            Ok(text) => print_stdout(&text, exit::OK),
            Err(e) => {
                stderr_line!("error: cannot write the man page: {e}");
                exit::FAILED
            }
        };
    };
    // Like `install -d`: the man1 directory of a fresh prefix does not exist yet.
    if let Err(e) = std::fs::create_dir_all(dir) {
        return report_plain(&Error::fs("creating", dir, e));
    }
    let commands = std::iter::once(&cmd).chain(cmd.get_subcommands());
    for c in commands {
        let name = c.get_display_name().unwrap_or_else(|| c.get_name());
        let path = dir.join(format!("{name}.1"));
        let written = page(c)
            .map_err(|e| Error::fs("rendering", &path, e))
            .and_then(|text| emit::write_file_atomically(&path, &text));
        if let Err(e) = written {
            return report_plain(&e);
        }
    }
    exit::OK
}

/// Moves `.TH` above clap_mangen's string definitions: man(7) pages open with the title,
/// and the definitions still come before any use.
fn title_first(page: &str) -> String {
    let Some(start) = page.find("\n.TH ") else {
        return page.to_owned();
    };
    let end = page[start + 1..]
        .find('\n')
        .map_or(page.len(), |i| start + 2 + i);
    format!(
        "{}{}{}",
        &page[start + 1..end],
        &page[..start + 1],
        &page[end..]
    )
}

/// Reports an error that concerns no spec file.
fn report_plain(error: &Error) -> i32 {
    let stub = SpecSource {
        path: PathBuf::new(),
        text: String::new(),
    };
    report(error, &stub)
}

fn render(args: &RenderArgs, env: &dyn Environment) -> i32 {
    let (source, compiled) = match load_and_compile(&args.spec, env) {
        Ok(ok) => ok,
        Err(code) => return code,
    };
    print_diagnostics(&compiled.warnings, &source);
    let spec_name = source.file_name();
    let placement = if args.plaintext_secret {
        emit::SecretPlacement::InDir
    } else {
        emit::SecretPlacement::Apart
    };
    let values = if args.skip_secrets {
        stderr_line!(
            "note: --skip-secrets: no secret source was read, so secret values are not compared (checksum/secret, the Secret's data)"
        );
        emit::Values::NotCompared
    } else {
        emit::Values::Compared
    };
    let result = if let Some(dir) = &args.check {
        emit::files(&compiled.rendered, &spec_name, placement)
            .and_then(|files| emit::check_dir(dir, &files, values))
            .map(|diff| match diff {
                None => exit::OK,
                Some(diff) => {
                    let code = print_stdout(&diff, exit::FAILED);
                    stderr_line!(
                        "error: {} is not up to date with {}",
                        dir.display(),
                        args.spec.display()
                    );
                    code
                }
            })
    } else if let Some(dir) = &args.output {
        emit::files(&compiled.rendered, &spec_name, placement)
            .and_then(|files| emit::write_dir(dir, &files))
            .and_then(|()| secret_apart(args, dir, &compiled.rendered, &spec_name))
    } else {
        emit::stream(&compiled.rendered, &spec_name).map(|text| print_stdout(&text, exit::OK))
    };
    result.unwrap_or_else(|e| report(&e, &source))
}

/// The Secret after `-o DIR` without `--plaintext-secret`: to `--secret-out`, or a note
/// that it was left out and how to get it.
fn secret_apart(
    args: &RenderArgs,
    dir: &Path,
    rendered: &crate::render::Rendered,
    spec_name: &str,
) -> Result<i32, Error> {
    if args.plaintext_secret {
        return Ok(exit::OK);
    }
    let Some((manifest, keys)) = emit::secret_manifest(rendered, spec_name)? else {
        return Ok(exit::OK);
    };
    match &args.secret_out {
        Some(path) if path.as_os_str() == "-" => Ok(print_stdout(&manifest, exit::OK)),
        Some(path) => {
            emit::write_secret_file(path, dir, &manifest)?;
            Ok(exit::OK)
        }
        None => {
            stderr_line!(
                "note: the Secret ({}) is not in {}: give --secret-out FILE to write it apart (then seal, encrypt or apply it), or --plaintext-secret to put it in the directory",
                keys.join(", "),
                dir.display()
            );
            Ok(exit::OK)
        }
    }
}

fn plan(args: &PlanArgs, env: &dyn Environment) -> i32 {
    use crate::plan::View;
    let old = if args.old.is_dir() {
        match View::from_dir(&args.old) {
            Ok((view, not_read)) => {
                for entry in not_read {
                    stderr_line!("note: {}", entry.describe(&args.old));
                }
                view
            }
            Err(e) => {
                let stub = SpecSource {
                    path: args.old.clone(),
                    text: String::new(),
                };
                return report(&e, &stub);
            }
        }
    } else {
        match load_and_compile(&args.old, env).and_then(|(source, c)| {
            View::from_rendered(&c.rendered).map_err(|e| report(&e, &source))
        }) {
            Ok(view) => view,
            Err(code) => return code,
        }
    };
    let new = match load_and_compile(&args.new, env)
        .and_then(|(source, c)| View::from_rendered(&c.rendered).map_err(|e| report(&e, &source)))
    {
        Ok(view) => view,
        Err(code) => return code,
    };
    let new = if old.has("Secret") || !args.old.is_dir() {
        new
    } else {
        stderr_line!(
            "note: {} holds no Secret (it is kept apart): a key change shows as checksum/secret",
            args.old.display()
        );
        new.without_secret()
    };
    let (old, new) = if args.skip_secrets {
        stderr_line!(
            "note: --skip-secrets: no secret source was read; secret values are not compared"
        );
        (old.without_secret_values(), new.without_secret_values())
    } else {
        (old, new)
    };
    let plan = crate::plan::plan(&old, &new);
    let code = if plan.has_changes() {
        exit::CHANGES
    } else {
        exit::OK
    };
    let text = match args.format {
        Format::Text => plan.to_text(),
        Format::Json => plan.to_json(),
    };
    print_stdout(&text, code)
}

fn sync(args: &SyncArgs, env: &dyn Environment) -> i32 {
    if let Err(message) = proxy_url(&args.url) {
        stderr_line!("error: --url {message}");
        return exit::USAGE;
    }
    let Some(master_key) = master_key(env, &args.master_key_env) else {
        return exit::FAILED;
    };
    // The rows carry keys as os.environ/NAME only, so sync needs none of them.
    let (source, compiled) = match load_and_compile(&args.spec, &Placeholders) {
        Ok(ok) => ok,
        Err(code) => return code,
    };
    if compiled.rendered.triggers.settings.is_none() {
        stderr_line!(
            "error: {} has no deployment.database, so its models change by rollout, not through the admin API: `litegate plan` shows the rollout, and `litegate verify` checks what the pods serve",
            args.spec.display()
        );
        return exit::FAILED;
    }
    let view = match crate::plan::View::from_rendered(&compiled.rendered) {
        Ok(view) => view,
        Err(e) => return report(&e, &source),
    };
    let desired = crate::sync::Desired::new(view.gateway(), &view.models());
    let options = crate::sync::Options {
        client: crate::proxy::ClientOptions {
            url: args.url.clone(),
            master_key,
            master_key_env: args.master_key_env.clone(),
            timeout: std::time::Duration::from_secs(args.timeout),
            retries: args.retries,
            backoff: std::time::Duration::from_millis(args.backoff_ms),
            max_answer: crate::proxy::answer_limit(desired.rows.len()),
        },
        verify_timeout: std::time::Duration::from_secs(args.verify_timeout),
        dry_run: args.dry_run,
    };
    match crate::sync::sync(&desired, &options) {
        Ok(outcome) => {
            let code = if outcome.dry_run && !outcome.planned.is_empty() {
                exit::CHANGES
            } else {
                exit::OK
            };
            let text = match args.format {
                Format::Text => outcome.to_text(),
                Format::Json => outcome.to_json(),
            };
            print_stdout(&text, code)
        }
        Err(failed) => {
            stderr_line!("error: {failed}");
            match args.format {
                // What was applied before the failure, for a pipeline to read.
                Format::Json => print_stdout(
                    &crate::secret_shape::scrub(&failed.outcome.to_json()),
                    exit::FAILED,
                ),
                Format::Text => exit::FAILED,
            }
        }
    }
}

/// A proxy's base URL as the client takes it: a scheme and a host, e.g.
/// `http://127.0.0.1:4000`; the reason when it is not one.
fn proxy_url(url: &str) -> Result<(), String> {
    let Some((scheme, rest)) = url.split_once("://") else {
        return Err(format!("{url}: a URL needs its scheme, e.g. http://{url}"));
    };
    if !matches!(scheme, "http" | "https") {
        return Err(format!("{url}: the scheme must be http or https"));
    }
    if rest.trim_end_matches('/').is_empty() {
        return Err(format!("{url}: no host"));
    }
    Ok(())
}

fn verify(args: &VerifyArgs, env: &dyn Environment) -> i32 {
    for url in &args.urls {
        if let Err(message) = proxy_url(url) {
            stderr_line!("error: --url {message}");
            return exit::USAGE;
        }
    }
    let Some(master_key) = master_key(env, &args.master_key_env) else {
        return exit::FAILED;
    };
    // Models carry keys as os.environ/NAME only, so verify needs none of them.
    let (source, compiled) = match load_and_compile(&args.spec, &Placeholders) {
        Ok(ok) => ok,
        Err(code) => return code,
    };
    let view = match crate::plan::View::from_rendered(&compiled.rendered) {
        Ok(view) => view,
        Err(e) => return report(&e, &source),
    };
    let database = compiled.rendered.triggers.settings.is_some();
    let models = view.models();
    let max_answer = crate::proxy::answer_limit(models.len());
    let expected = crate::verify::Expected::new(view.gateway(), models, database);
    let options = crate::verify::Options {
        urls: args.urls.clone(),
        client: crate::proxy::ClientOptions {
            url: String::new(),
            master_key,
            master_key_env: args.master_key_env.clone(),
            timeout: std::time::Duration::from_secs(args.timeout),
            retries: 0,
            backoff: std::time::Duration::from_millis(200),
            max_answer,
        },
        samples: args.samples,
        wait: args.wait,
    };
    match crate::verify::verify(&expected, &options) {
        Ok(report) => {
            let text = match args.format {
                Format::Text => report.to_text(),
                Format::Json => report.to_json(),
            };
            let code = if report.serves() {
                exit::OK
            } else {
                exit::CHANGES
            };
            if !report.serves() && args.wait.is_some() {
                stderr_line!(
                    "error: not every URL serves {} after waiting {}",
                    args.spec.display(),
                    humantime::format_duration(args.wait.unwrap_or_default())
                );
            }
            print_stdout(&text, code)
        }
        Err(e) => {
            stderr_line!("error: {e}");
            exit::FAILED
        }
    }
}

/// The master key from the env var `name`, or an error printed and `None`.
fn master_key(env: &dyn Environment, name: &str) -> Option<String> {
    let key = env
        .var(name)
        .ok()
        .flatten()
        .and_then(|v| String::from_utf8(v).ok())
        .filter(|v| !v.trim().is_empty());
    if key.is_none() {
        stderr_line!(
            "error: --master-key-env {name}: ${name} is not set; export the proxy's master key in it"
        );
    }
    key.map(|k| k.trim().to_owned())
}

fn validate(args: &ValidateArgs, env: &dyn Environment) -> i32 {
    let read = SpecSource::read(&args.spec);
    let stub = || SpecSource {
        path: args.spec.clone(),
        text: String::new(),
    };
    let (source, outcome) = match read {
        Ok(source) => {
            let outcome = compile(&source, env);
            (source, outcome)
        }
        Err(e) => (stub(), Err(e)),
    };
    let (diagnostics, compiled) = match outcome {
        Ok(compiled) => (compiled.warnings.clone(), Some(compiled)),
        Err(Error::Invalid(diagnostics)) => (diagnostics, None),
        Err(other) => return report(&other, &source),
    };
    let errors = diagnostics.iter().filter(|d| d.is_error()).count();
    let failed = errors > 0 || (args.strict && !diagnostics.is_empty());
    if args.format == Format::Json {
        let json =
            crate::diagnostics::render::json(&diagnostics, &source.path.display().to_string());
        return print_stdout(&json, if failed { exit::FAILED } else { exit::OK });
    }
    print_diagnostics(&diagnostics, &source);
    let warnings = diagnostics.len() - errors;
    match compiled {
        None => stderr_line!(
            "error: {} has {errors} error(s) and {warnings} warning(s)",
            args.spec.display()
        ),
        Some(_) if failed => {
            stderr_line!("error: {warnings} warning(s), and --strict treats them as errors")
        }
        Some(c) => stderr_line!(
            "{}: ok ({} model(s), {} object(s), {warnings} warning(s))",
            args.spec.display(),
            c.rendered.models,
            c.rendered.objects.len()
        ),
    }
    if failed { exit::FAILED } else { exit::OK }
}

fn load_and_compile(
    path: &Path,
    env: &dyn Environment,
) -> Result<(SpecSource, crate::Compiled), i32> {
    let source = SpecSource::read(path).map_err(|e| {
        let stub = SpecSource {
            path: path.to_path_buf(),
            text: String::new(),
        };
        report(&e, &stub)
    })?;
    match compile(&source, env) {
        Ok(compiled) => Ok((source, compiled)),
        Err(e) => Err(report(&e, &source)),
    }
}

/// Prints an error to stderr with its `caused by:` chain; returns the exit code.
fn report(error: &Error, source: &SpecSource) -> i32 {
    match error {
        Error::Invalid(diagnostics) => {
            print_diagnostics(diagnostics, source);
            let errors = diagnostics.iter().filter(|d| d.is_error()).count();
            let warnings = diagnostics.len() - errors;
            stderr_line!(
                "error: {} has {errors} error(s) and {warnings} warning(s); nothing was written",
                source.path.display()
            );
        }
        other => {
            stderr_line!("error: {other}");
            let mut cause = std::error::Error::source(other);
            while let Some(c) = cause {
                stderr_line!("  caused by: {c}");
                cause = c.source();
            }
        }
    }
    exit::FAILED
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
        stderr_line!("{}", d.render(&file, redacted.as_deref()));
    }
}

/// Prints `text` on stdout, then returns `code`; or, when stdout cannot take it (a full
/// disk, not a closed pipe), says so on stderr and returns `exit::FAILED`.
fn print_stdout(text: &str, code: i32) -> i32 {
    match emit::write_stdout(text) {
        Ok(()) => code,
        Err(e) => report_plain(&e),
    }
}

/// Stands in for every secret source with a strong dummy value, so `validate --skip-secrets`
/// checks everything else without the keys.
struct Placeholders;

impl Environment for Placeholders {
    fn var(&self, _: &str) -> Result<Option<Vec<u8>>, EnvDenied> {
        Ok(Some(
            b"sk-placeholder-placeholder-placeholder-0000".to_vec(),
        ))
    }

    fn read_file(&self, _: &Path, _: &str) -> Result<Vec<u8>, ReadError> {
        Ok(b"sk-placeholder-placeholder-placeholder-0000".to_vec())
    }
}
