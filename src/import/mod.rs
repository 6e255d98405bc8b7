//! `litegate import CONFIG.yaml`: an existing LiteLLM config.yaml becomes a Gateway spec.
//!
//! Models keep their names, params and explicit ids; deployments that share a provider
//! type, `api_base`, `api_version` and keys become one provider. Credentials never travel
//! (`credentials`): an `os.environ/X` becomes `{env: X}`, a literal becomes an `env`
//! source or an `os.environ/NAME` reference with a warning that names the variable to
//! export, and its value is dropped on the spot; a URL with a password in it is refused.
//! Settings litegate models go to their fields, the rest to `passthrough`; what cannot be
//! carried over is reported with its path, never dropped silently. No message quotes the
//! config but through `secret_shape::scrub`, and the finished spec is checked once more
//! (`guard`) before it is written.

mod credentials;
mod explain;
mod guard;
mod include;
mod models;
mod names;
mod out;
mod providers;
mod read;
mod settings;
mod syntax;
mod values;

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use serde_json::{Map, Value};

use crate::secret_shape::scrub;
use credentials::Seen;
pub use include::ReadFile;
use models::Group;
use names::{config_names, litegate_names};
use out::{ConfigKeyOut, MetadataOut, PassthroughOut, RedisOut, SourceOut, SpecOut};
use providers::provider_names;
use read::read_tree;
use settings::custom_providers;

/// What an import gives: the spec's text, and what the user should know about it.
#[derive(Debug)]
pub struct Imported {
    pub spec: String,
    pub warnings: Vec<String>,
    /// Each `model_list` entry and what became of it, for `--explain`.
    pub entries: Vec<explain::Entry>,
}

impl Imported {
    /// `import --explain`: per entry, what was inferred, moved to a variable or dropped.
    pub fn explain(&self) -> String {
        explain::report(&self.entries, &self.warnings)
    }
}

/// Why a config cannot be imported: each problem with its path in the config.
#[derive(Debug, thiserror::Error)]
#[error("{}", .0.join("\n"))]
pub struct Failed(pub Vec<String>);

/// Reads a LiteLLM config found at `path`; `read` reads the files its `include:` names.
/// No variable of the environment is read: an `os.environ/X` stays a reference.
pub fn import(text: &str, name: &str, path: &Path, read: ReadFile) -> Result<Imported, Failed> {
    let (tree, repeated, included) = config_tree(text, path, read)?;
    let Value::Object(config) = &tree else {
        return Err(Failed(Vec::new()));
    };
    let mut im = Importer::new(name, config_names(&tree));
    im.file_notes(repeated, &included, config);
    let spec = im.spec(config);
    if !im.errors.is_empty() {
        return Err(Failed(im.errors));
    }
    let body = guard::written(&spec)?;
    Ok(Imported {
        spec: format!(
            "# yaml-language-server: $schema=./litegate.schema.json\n\
             # Imported by `litegate import`: review it, then `litegate validate` and `render`.\n{body}"
        ),
        warnings: im.warnings,
        entries: im.entries,
    })
}

/// The config as one mapping, its includes merged; the first repeated key's place, and
/// the files included.
fn config_tree(
    text: &str,
    path: &Path,
    read: ReadFile,
) -> Result<(Value, Option<String>, Vec<String>), Failed> {
    let (tree, repeated) = read_tree(text).map_err(|e| Failed(vec![syntax::not_yaml(text, &e)]))?;
    let Value::Object(config) = tree else {
        return Err(Failed(vec![
            "the file is not a LiteLLM config: its top level is not a mapping".into(),
        ]));
    };
    let mut errors = Vec::new();
    let (config, included) = include::merged(config, path, read, &mut errors);
    if !errors.is_empty() {
        return Err(Failed(errors));
    }
    Ok((Value::Object(config), repeated, included))
}

impl Importer<'_> {
    /// What concerns the whole file: a repeated key, the includes, custom providers.
    fn file_notes(
        &mut self,
        repeated: Option<String>,
        included: &[String],
        config: &Map<String, Value>,
    ) {
        if let Some(place) = repeated {
            self.warn(
                "(the file)",
                format!("a key is repeated in one mapping (first at {place}): LiteLLM's YAML reader keeps the last value, and so does this import; remove the earlier one"),
            );
        }
        if !included.is_empty() {
            self.warn(
                "include",
                format!(
                    "merged into one spec as LiteLLM merges them (lists extended, other sections replaced): {}",
                    included.join(", ")
                ),
            );
        }
        self.custom_providers = custom_providers(config);
        if !self.custom_providers.is_empty() {
            self.warn(
                "litellm_settings.custom_provider_map",
                "copied into passthrough, and models of its providers are imported with those provider types; but the handlers are Python modules next to the config, which the stock image does not have: build an image with them (deployment.image), or those models fail at their first request".into(),
            );
        }
    }

    /// The spec, section by section; problems are left in `errors`.
    fn spec(&mut self, config: &Map<String, Value>) -> SpecOut {
        let models = self.models(config.get("model_list"));
        let names = provider_names(&self.groups);
        self.reserve_provider_names(&names);
        let (router, router_extra) = self.router(config.get("router_settings"));
        let (settings, litellm_extra) = self.litellm_settings(config.get("litellm_settings"));
        let (master_key, database, general_extra) =
            self.general_settings(config.get("general_settings"));
        if models.is_empty() && database.is_none() {
            self.nothing_served();
        }
        self.claim_litegate_names(database.is_some());
        let (providers, models) = self.providers_and_models(models, &names);
        if models.is_empty() && self.errors.is_empty() {
            self.warn(
                "model_list",
                "no model in the file: the spec has none, and models come from the database (added through LiteLLM's admin API or UI, or `litegate sync`)".into(),
            );
        }
        self.environment_variables(config.get("environment_variables"));
        self.other_sections(config);
        SpecOut {
            api_version: crate::spec::API_VERSION,
            kind: crate::spec::KIND,
            metadata: MetadataOut {
                name: self.name.into(),
            },
            providers,
            models,
            router,
            settings,
            passthrough: PassthroughOut {
                litellm_settings: litellm_extra,
                router_settings: router_extra,
                general_settings: general_extra,
            },
            deployment: self.deployment(master_key, database),
        }
    }

    /// No model and no database: every entry was one LiteLLM drops too, or there was none.
    fn nothing_served(&mut self) {
        if !self.errors.is_empty() {
            return;
        }
        let skipped = std::mem::take(&mut self.skipped);
        if skipped.is_empty() {
            self.error(
                "model_list",
                "missing or empty, and no database to keep models in (general_settings.database_url, or store_model_in_db with $DATABASE_URL): the proxy would serve no model".into(),
            );
        }
        self.errors.extend(skipped);
    }

    /// The variables litegate gives the container itself: derived names must not take them.
    fn claim_litegate_names(&mut self, database: bool) {
        self.claim(crate::names::MASTER_KEY_ENV, "deployment.masterKey");
        if database {
            self.database = true;
            self.claim(crate::names::DATABASE_URL_ENV, "deployment.database.url");
            self.claim(crate::names::SALT_KEY_ENV, "deployment.database.saltKey");
        }
    }
}

struct Importer<'a> {
    warnings: Vec<String>,
    errors: Vec<String>,
    /// Entries LiteLLM drops too, reported as warnings (errors if nothing is left).
    skipped: Vec<String>,
    /// The spec's name: the ConfigMap `configEnv` entries point at is `<name>-env`.
    name: &'a str,
    /// Provider names `litellm_settings.custom_provider_map` registers.
    custom_providers: BTreeSet<String>,
    /// Every `model_list` entry met, for `--explain`.
    entries: Vec<explain::Entry>,
    /// Spec models written so far.
    models_out: usize,
    /// Non-secret variables the pod reads (`os.environ/X` in api_base, api_version).
    config_env: BTreeMap<String, ConfigKeyOut>,
    /// Provider groups in order of first use.
    groups: Vec<Group>,
    secret_env: BTreeMap<String, SourceOut>,
    redis: Option<RedisOut>,
    /// Where each literal secret was first seen (by digest), for the warning.
    literal_at: BTreeMap<String, Seen>,
    /// Literals moved to a variable (by digest): the variable, and where it was first met.
    stashed: BTreeMap<String, (String, String)>,
    /// Variable names a derived name must not take: litegate's, and the config's own.
    reserved: BTreeSet<String>,
    /// Variables litegate gives the container itself, with the spec field that does.
    claimed: BTreeMap<String, String>,
    /// The config has a database (`litegate sync` will write its models as rows).
    database: bool,
}

impl<'a> Importer<'a> {
    fn new(name: &'a str, config_names: BTreeSet<String>) -> Self {
        let mut reserved = config_names;
        reserved.extend(litegate_names());
        Importer {
            warnings: Vec::new(),
            errors: Vec::new(),
            skipped: Vec::new(),
            entries: Vec::new(),
            models_out: 0,
            name,
            custom_providers: BTreeSet::new(),
            config_env: BTreeMap::new(),
            groups: Vec::new(),
            secret_env: BTreeMap::new(),
            redis: None,
            literal_at: BTreeMap::new(),
            stashed: BTreeMap::new(),
            reserved,
            claimed: BTreeMap::new(),
            database: false,
        }
    }

    /// Every message may quote the config (a key, a model name): scrubbed, as a last net.
    fn warn(&mut self, path: &str, message: String) {
        self.warnings
            .push(scrub(&format!("{path}: {message}")).into_owned());
    }

    /// An entry LiteLLM would drop too: not imported, and said so.
    fn skip(&mut self, path: &str, message: String) {
        let line = scrub(&format!("{path}: {message}")).into_owned();
        self.warnings.push(line.clone());
        self.skipped.push(line);
    }

    fn error(&mut self, path: &str, message: String) {
        self.errors
            .push(scrub(&format!("{path}: {message}")).into_owned());
    }

    fn claim(&mut self, var: &str, field: &str) {
        self.claimed.insert(var.into(), field.into());
    }
}
