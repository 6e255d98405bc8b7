//! The command line's shape: clap argument types, nothing else. What each command does is
//! in `commands/`; `main.rs` parses with these types and exits with `commands::run`'s code.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

use crate::resolve::LoadRestrictor;

/// The name under which kustomize runs an exec plugin for `kind: Gateway`
/// (`$KUSTOMIZE_PLUGIN_HOME/litegate/v1alpha1/gateway/Gateway`).
pub const KUSTOMIZE_PLUGIN_NAME: &str = "Gateway";

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

// Deferred: a run builds the arguments of its own subcommand only (each subcommand's name
// and help are still there for the top-level help); `Command::build` builds them all. Plain
// comments, not doc comments, on this enum and on flattened `Args`: clap would read those
// as an `about`, and a deferred one would replace the subcommand's own.
#[derive(Debug, Subcommand)]
#[command(defer = true)]
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

// Where `file:` secret sources may be read from (see the note on `Command`).
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
