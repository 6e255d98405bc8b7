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
mod out;
mod syntax;

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use serde_json::{Map, Value};

use crate::resolve::DEFAULTS;
use crate::secret_shape::{is_secret_name, is_secret_value, scrub};
use crate::validate::catalog::catalog;
use crate::validate::passthrough::modelled;
use credentials::{Secret, Seen, Spot, config_names, litegate_names};
pub use include::ReadFile;
use out::{
    ConfigKeyOut, DatabaseOut, DeploymentOut, LimitsOut, MetadataOut, ModelOut, PassthroughOut,
    ProviderOut, RedisOut, RouterOut, SettingsOut, SourceOut, SpecOut, ValueOut,
};

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

/// How the config is parsed: like PyYAML, whatever the number of comments in a row (the
/// parser's comment events, which nothing here reads, are buffered with a limit).
/// Where LiteLLM sends an ollama model whose config gives no `api_base`.
const OLLAMA_DEFAULT_API_BASE: &str = "http://localhost:11434";

fn yaml_options() -> serde_saphyr::Options {
    let mut options = serde_saphyr::Options::default();
    options.emit_comments = false;
    options
}

/// Reads the config as LiteLLM does (PyYAML: a repeated key keeps its last value), and
/// the first repeated key's place when there is one: a parse that refuses duplicates
/// fails where the lenient one succeeds only because of a repeated key.
fn read_tree(text: &str) -> Result<(Value, Option<String>), serde_saphyr::Error> {
    let mut lenient = yaml_options();
    lenient.duplicate_keys = serde_saphyr::options::DuplicateKeyPolicy::LastWins;
    let tree: Value = serde_saphyr::from_str_with_options(text, lenient)?;
    let repeated = serde_saphyr::from_str_with_options::<Value>(text, yaml_options())
        .err()
        .map(|e| match e.location() {
            Some(loc) => format!("line {}", loc.line()),
            None => "somewhere".to_owned(),
        });
    Ok((tree, repeated))
}

/// Reads a LiteLLM config found at `path`; `read` reads the files its `include:` names.
/// No variable of the environment is read: an `os.environ/X` stays a reference.
pub fn import(text: &str, name: &str, path: &Path, read: ReadFile) -> Result<Imported, Failed> {
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
    let tree = Value::Object(config);
    let Value::Object(config) = &tree else {
        return Err(Failed(Vec::new()));
    };
    let mut im = Importer::new(name, config_names(&tree));
    if let Some(place) = repeated {
        im.warn(
            "(the file)",
            format!("a key is repeated in one mapping (first at {place}): LiteLLM's YAML reader keeps the last value, and so does this import; remove the earlier one"),
        );
    }
    if !included.is_empty() {
        im.warn(
            "include",
            format!(
                "merged into one spec as LiteLLM merges them (lists extended, other sections replaced): {}",
                included.join(", ")
            ),
        );
    }
    im.custom_providers = custom_providers(config);
    if !im.custom_providers.is_empty() {
        im.warn(
            "litellm_settings.custom_provider_map",
            "copied into passthrough, but its handlers are Python modules next to the config, which the image does not have: build an image with them (deployment.image); models of these providers are not imported".into(),
        );
    }
    let models = im.models(config.get("model_list"));
    let names = provider_names(&im.groups);
    im.reserve_provider_names(&names);
    let router = im.router(config.get("router_settings"));
    let (settings, litellm_extra) = im.litellm_settings(config.get("litellm_settings"));
    let (master_key, database, general_extra) = im.general_settings(config.get("general_settings"));
    if models.is_empty() && database.is_none() && im.errors.is_empty() {
        // Every entry was one LiteLLM drops too, or there was none: nothing would be served.
        let skipped = std::mem::take(&mut im.skipped);
        if skipped.is_empty() {
            im.error(
                "model_list",
                "missing or empty, and no database to keep models in (general_settings.database_url, or store_model_in_db with $DATABASE_URL): the proxy would serve no model".into(),
            );
        }
        im.errors.extend(skipped);
    }
    im.claim(crate::resolve::MASTER_KEY_ENV, "deployment.masterKey");
    if database.is_some() {
        im.database = true;
        im.claim(crate::resolve::DATABASE_URL_ENV, "deployment.database.url");
        im.claim(crate::resolve::SALT_KEY_ENV, "deployment.database.saltKey");
    }
    let (providers, models) = im.providers_and_models(models, &names);
    if models.is_empty() && im.errors.is_empty() {
        im.warn(
            "model_list",
            "no model in the file: the spec has none, and models come from the database (added through LiteLLM's admin API or UI, or `litegate sync`)".into(),
        );
    }
    im.environment_variables(config.get("environment_variables"));
    im.other_sections(config);
    if !im.errors.is_empty() {
        return Err(Failed(im.errors));
    }
    let spec = SpecOut {
        api_version: crate::spec::API_VERSION,
        kind: crate::spec::KIND,
        metadata: MetadataOut { name: name.into() },
        providers,
        models,
        router: router.0,
        settings,
        passthrough: PassthroughOut {
            litellm_settings: litellm_extra,
            router_settings: router.1,
            general_settings: general_extra,
        },
        deployment: im.deployment(master_key, database),
    };
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

/// One model_list entry, read.
struct ModelIn {
    /// `model_list[i]`.
    at: String,
    name: String,
    group: usize,
    upstream: String,
    id: Option<String>,
    limits: LimitsOut,
    timeout: Option<u64>,
    drop_params: Vec<String>,
    params: BTreeMap<String, Value>,
    info: BTreeMap<String, Value>,
}

/// What makes deployments one provider.
#[derive(Clone, PartialEq)]
struct Group {
    provider_type: String,
    api_base: Option<ValueOut>,
    api_version: Option<ValueOut>,
    /// A secret's identity: the env var it came from, or a digest of the literal (never
    /// printed, only compared).
    api_key: Option<Secret>,
    credentials: BTreeMap<String, Secret>,
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

    fn deployment(&mut self, master_key: SourceOut, database: Option<SourceOut>) -> DeploymentOut {
        DeploymentOut {
            image: if database.is_some() {
                DEFAULTS.database_image
            } else {
                DEFAULTS.image
            }
            .into(),
            master_key,
            database: database.map(|url| {
                self.warn(
                    "general_settings.database_url",
                    format!(
                        "a database needs a salt key, which the spec reads from ${SALT}: export \
                         the value your proxy has in {SALT}, or, if it ran without one, the master \
                         key's (stored models are encrypted with it), or they become unreadable",
                        SALT = crate::resolve::SALT_KEY_ENV
                    ),
                );
                DatabaseOut {
                    url,
                    salt_key: SourceOut::Env(crate::resolve::SALT_KEY_ENV.into()),
                }
            }),
            redis: self.redis.take(),
            config_env: std::mem::take(&mut self.config_env),
            secret_env: self.take_secret_env(),
        }
    }

    fn claim(&mut self, var: &str, field: &str) {
        self.claimed.insert(var.into(), field.into());
    }

    /// Each provider's key and credential variables, as `resolve` names them.
    fn reserve_provider_names(&mut self, names: &[String]) {
        let mut vars = Vec::new();
        for (group, name) in self.groups.iter().zip(names) {
            let prefix = env_prefix(name);
            if group.api_key.is_some() {
                vars.push(format!("{prefix}_API_KEY"));
            }
            for key in group.credentials.keys() {
                vars.push(format!("{prefix}_{}", key.to_ascii_uppercase()));
            }
        }
        self.reserve(vars);
    }

    fn other_sections(&mut self, config: &Map<String, Value>) {
        for key in config.keys() {
            if !matches!(
                key.as_str(),
                "model_list"
                    | "router_settings"
                    | "litellm_settings"
                    | "general_settings"
                    | "environment_variables"
            ) {
                let what = match key.as_str() {
                    "mcp_servers" => "MCP servers are not in the spec: with a database, add them through LiteLLM's UI or its /v1/mcp/server API; without one, keep them in a config of your own".into(),
                    "files_settings" => "LiteLLM's files API settings are not in the spec: add them by hand to a config of your own if you use /v1/files".into(),
                    _ => format!("litegate does not model the `{key}` section; add what it needs by hand"),
                };
                self.warn(key, format!("not imported: {what}"));
            }
        }
    }

    fn models(&mut self, list: Option<&Value>) -> Vec<ModelIn> {
        let list = match list {
            // No model_list (models in the database, or all in an include) is a config
            // LiteLLM loads; `import` says where models come from.
            None | Some(Value::Null) => return Vec::new(),
            Some(Value::Array(list)) => list,
            Some(_) => {
                self.error("model_list", "is not a list of models".into());
                return Vec::new();
            }
        };
        let mut out = Vec::new();
        for (i, entry) in list.iter().enumerate() {
            let path = format!("model_list[{i}]");
            let Some(name) = entry.get("model_name").and_then(Value::as_str) else {
                self.error(&path, "has no `model_name` string".into());
                continue;
            };
            let Some(params) = entry.get("litellm_params").and_then(Value::as_object) else {
                self.skip(
                    &path,
                    "has no `litellm_params` mapping: LiteLLM cannot build it and drops it too; not imported".into(),
                );
                continue;
            };
            self.entries.push(explain::Entry {
                at: path.clone(),
                name: name.into(),
                became: None,
            });
            if let Some(model) = self.model(&path, name, params, entry.get("model_info")) {
                out.push(model);
            }
        }
        out
    }

    fn model(
        &mut self,
        path: &str,
        name: &str,
        params: &Map<String, Value>,
        info: Option<&Value>,
    ) -> Option<ModelIn> {
        let at = format!("{path}.litellm_params");
        let (provider_type, upstream) = self.provider_prefix(&at, name, params)?;
        let mut group = Group {
            provider_type,
            api_base: None,
            api_version: None,
            api_key: None,
            credentials: BTreeMap::new(),
        };
        let mut model = ModelIn {
            at: path.into(),
            name: name.into(),
            group: 0,
            upstream,
            id: None,
            limits: LimitsOut::default(),
            timeout: None,
            drop_params: Vec::new(),
            params: BTreeMap::new(),
            info: BTreeMap::new(),
        };
        for (key, value) in params {
            self.param(&format!("{at}.{key}"), key, value, &mut group, &mut model);
        }
        for (key, value) in info.and_then(Value::as_object).into_iter().flatten() {
            if key == "id" {
                model.id = match value {
                    Value::String(s) => Some(s.clone()),
                    Value::Number(n) => Some(n.to_string()),
                    _ => None,
                };
            } else if crate::validate::STAMPED_INFO.contains(&key.as_str()) {
                // A config litegate rendered: its stamps and marks are made anew on render.
            } else {
                model.info.insert(key.clone(), value.clone());
            }
        }
        model.group = match self.groups.iter().position(|g| *g == group) {
            Some(i) => i,
            None => {
                self.groups.push(group);
                self.groups.len() - 1
            }
        };
        Some(model)
    }

    /// `openai/gpt-4o` => (`openai`, `gpt-4o`), for a provider type LiteLLM knows; the type
    /// `custom_llm_provider` names (`meta-llama/Llama-3` on `openai`); or the one LiteLLM's
    /// model map infers (`gpt-4o` => `openai`). An entry LiteLLM cannot place either is
    /// skipped: LiteLLM logs "Error creating deployment" and drops it too.
    fn provider_prefix(
        &mut self,
        at: &str,
        name: &str,
        params: &Map<String, Value>,
    ) -> Option<(String, String)> {
        let c = catalog();
        let full = match params.get("model") {
            Some(Value::String(full)) => full.as_str(),
            _ => {
                self.skip(
                    at,
                    "has no `model` string: LiteLLM drops this entry too; not imported".into(),
                );
                return None;
            }
        };
        let here = format!("{at}.model");
        if let Some(var) = full.strip_prefix("os.environ/") {
            self.skip(
                &here,
                format!("the model comes from ${var} when the proxy starts, so its provider (and the provider's keys) cannot be known here: not imported; write the model in the config (one spec per environment), then import again"),
            );
            return None;
        }
        if full == "*" && !params.contains_key("custom_llm_provider") {
            // LiteLLM serves it: each request goes to the provider it infers from the name
            // asked for. The spec ties every model to one provider, so it cannot say that.
            self.warn(
                &here,
                format!("a bare \"*\" route sends each request to whichever provider LiteLLM infers from the requested name, and the spec ties a model to one provider: not imported; add one route per provider (model: openai/*, anthropic/*, ...) under model_name \"{name}\""),
            );
            return None;
        }
        if let Some(custom) = params.get("custom_llm_provider").and_then(Value::as_str) {
            if !c.provider_types.contains(custom) {
                self.skip(
                    &format!("{at}.custom_llm_provider"),
                    format!("\"{custom}\" is not a provider LiteLLM {} knows: LiteLLM drops this entry too; not imported", c.litellm_version),
                );
                return None;
            }
            let upstream = full.strip_prefix(&format!("{custom}/")).unwrap_or(full);
            return Some((custom.into(), upstream.into()));
        }
        if let Some((provider_type, upstream)) = full.split_once('/')
            && c.provider_types.contains(provider_type)
        {
            return Some((provider_type.into(), upstream.into()));
        }
        if let Some(inferred) = c.inferred_provider(full) {
            self.warn(
                &here,
                format!("\"{full}\" has no provider prefix: LiteLLM's model map gives it provider \"{inferred}\", and the spec says so (config.yaml gets {inferred}/{full}, which LiteLLM reads the same)"),
            );
            return Some((inferred.into(), full.into()));
        }
        let prefix = full.split_once('/').map(|(p, _)| p);
        if let Some(p) = prefix.filter(|p| self.custom_providers.contains(*p)) {
            self.skip(
                &here,
                format!("provider \"{p}\" is registered by litellm_settings.custom_provider_map, a Python handler litegate cannot carry: not imported; build an image with the handler (deployment.image), or serve the model behind an OpenAI-compatible endpoint"),
            );
            return None;
        }
        let hint = prefix
            .and_then(|p| crate::suggest::help(p, c.provider_types.iter()))
            .map(|h| format!(" ({h})"))
            .unwrap_or_default();
        let why = match prefix {
            Some(p) => format!("unknown provider prefix \"{p}\"{hint}"),
            None => format!(
                "\"{full}\" has no provider prefix, and LiteLLM's model map does not know it"
            ),
        };
        self.skip(
            &here,
            format!("{why}: LiteLLM {} cannot tell its provider either, and drops model \"{name}\" at start (\"Error creating deployment\"); not imported. Write it as <provider>/{full} or add custom_llm_provider", c.litellm_version),
        );
        None
    }

    /// One `litellm_params` key: a spec field, a provider credential (a secret-shaped
    /// name, a secret-looking value, an `os.environ/` reference), or a param kept as it is
    /// (its nested credentials moved later, once variables can be named).
    fn param(&mut self, p: &str, key: &str, value: &Value, group: &mut Group, model: &mut ModelIn) {
        let c = catalog();
        let secret = (is_secret_name(key) && !value.is_boolean())
            || value
                .as_str()
                .is_some_and(|s| is_secret_value(s) || s.starts_with("os.environ/"));
        match key {
            // Consumed by the provider prefix.
            "model" | "custom_llm_provider" => {}
            // LiteLLM reads a null as unset.
            "api_base" | "api_version" | "api_key" if value.is_null() => {}
            "api_base" => group.api_base = self.url(p, value),
            "api_version" => group.api_version = self.plain_or_env(p, value),
            "api_key" => group.api_key = self.secret(p, value),
            "rpm" => model.limits.rpm = self.count(p, value),
            "tpm" => model.limits.tpm = self.count(p, value),
            "timeout" => model.timeout = self.count(p, value),
            "additional_drop_params" => {
                model.drop_params = value
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(|v| v.as_str().map(str::to_owned))
                    .collect();
            }
            _ if !c.is_known_param(key) => self.warn(
                p,
                format!(
                    "not imported{}: not a param LiteLLM {} knows, so it would be forwarded to the provider as a request field{}",
                    if secret { " (a secret: its value is not copied anywhere)" } else { "" },
                    c.litellm_version,
                    crate::suggest::help(key, c.known_params())
                        .map(|help| format!("; {help}"))
                        .unwrap_or_default()
                ),
            ),
            _ if secret => {
                if let Some(secret) = self.secret(p, value) {
                    group.credentials.insert(key.into(), secret);
                }
            }
            _ => {
                model.params.insert(key.into(), value.clone());
            }
        }
    }

    /// `api_base`: the URL, or `os.environ/X` kept as a reference the pod resolves; never
    /// one that carries a credential, as config.yaml shows it.
    fn url(&mut self, path: &str, value: &Value) -> Option<ValueOut> {
        let url = match self.plain_or_env(path, value)? {
            ValueOut::Value(url) => url,
            from_env => return Some(from_env),
        };
        if is_secret_value(&url) {
            self.error(
                path,
                "the URL carries a credential (a password before the host, a key in the query, or a webhook path), and the spec keeps api_base in config.yaml, a ConfigMap: not imported; move the credential into a header (extra_headers) or the api_key, then import again".into(),
            );
            return None;
        }
        Some(ValueOut::Value(url))
    }

    /// A non-secret value, or `os.environ/X`: then `{env: X}`, which the pod reads from
    /// `deployment.configEnv.X` (a ConfigMap per environment); X is never read here.
    fn plain_or_env(&mut self, path: &str, value: &Value) -> Option<ValueOut> {
        let text = self.plain_string(path, value)?;
        let Some(var) = text.strip_prefix("os.environ/") else {
            return Some(ValueOut::Value(text));
        };
        Some(self.pod_env(path, var, "(os.environ/ in the config)"))
    }

    /// `{env: var}`, and a `deployment.configEnv` entry that gives the pod `var`.
    fn pod_env(&mut self, path: &str, var: &str, how: &str) -> ValueOut {
        if !self.config_env.contains_key(var) {
            let config_map = format!("{}-env", self.name);
            self.warn(
                path,
                format!(
                    "read from ${var} by the proxy {how}, so the spec says: {{env: {var}}}, which deployment.configEnv.{var} gives the pod from ConfigMap {config_map} (key {var}); create that ConfigMap in each environment, or set deployment.env.{var} instead"
                ),
            );
            self.config_env
                .insert(var.into(), ConfigKeyOut { config_map });
        }
        ValueOut::Env(SourceOut::Env(var.into()))
    }

    fn plain_string(&mut self, path: &str, value: &Value) -> Option<String> {
        match value {
            Value::String(s) => Some(s.clone()),
            Value::Number(n) => Some(n.to_string()),
            _ => {
                self.error(path, "is not a string".into());
                None
            }
        }
    }

    fn count(&mut self, path: &str, value: &Value) -> Option<u64> {
        match value.as_f64() {
            Some(f) if f >= 0.0 && f.fract() == 0.0 && f <= u32::MAX as f64 => Some(f as u64),
            _ => {
                self.error(path, "is not a whole, non-negative number".into());
                None
            }
        }
    }

    fn router(&mut self, section: Option<&Value>) -> (RouterOut, BTreeMap<String, Value>) {
        let mut out = RouterOut::default();
        let mut extra = BTreeMap::new();
        for (key, value) in section.and_then(Value::as_object).into_iter().flatten() {
            let p = format!("router_settings.{key}");
            match key.as_str() {
                "routing_strategy" => out.strategy = self.plain_string(&p, value),
                "num_retries" => out.num_retries = self.count(&p, value),
                "timeout" => out.timeout = self.count(&p, value),
                "allowed_fails" => out.allowed_fails = self.count(&p, value),
                "cooldown_time" => out.cooldown_time = self.count(&p, value),
                "fallbacks" => out.fallbacks = self.fallbacks(&p, value),
                "context_window_fallbacks" => {
                    out.context_window_fallbacks = self.fallbacks(&p, value);
                }
                "redis_host" => {
                    let host = self.plain_string(&p, value);
                    self.redis_mut().host = host.unwrap_or_default();
                }
                "redis_port" => {
                    let port = self.count(&p, value);
                    self.redis_mut().port = port;
                }
                "redis_password" => {
                    if let Some(secret) = self.secret(&p, value) {
                        let source =
                            self.source(secret, "REDIS_PASSWORD", "deployment.redis.password");
                        self.redis_mut().password = Some(source);
                        self.claim(
                            crate::resolve::REDIS_PASSWORD_ENV,
                            "deployment.redis.password",
                        );
                    }
                }
                _ => {
                    self.setting(&mut extra, "router_settings", key, value);
                }
            }
        }
        (out, extra)
    }

    /// A passthrough setting into `extra`, its credentials moved to variables named after
    /// its place (`cache_params.password` => `CACHE_PARAMS_PASSWORD`).
    fn setting(
        &mut self,
        extra: &mut BTreeMap<String, Value>,
        section: &str,
        key: &str,
        value: &Value,
    ) {
        let one = Value::Object(Map::from_iter([(key.to_owned(), value.clone())]));
        let spot = Spot::new(section.into(), String::new(), false);
        if let Value::Object(kept) = self.keep(&spot, &one, false) {
            extra.extend(kept);
        }
    }

    fn redis_mut(&mut self) -> &mut RedisOut {
        self.redis.get_or_insert_with(RedisOut::default)
    }

    fn fallbacks(&mut self, path: &str, value: &Value) -> BTreeMap<String, Vec<String>> {
        let mut out = BTreeMap::new();
        for (i, item) in value.as_array().into_iter().flatten().enumerate() {
            for (from, to) in item.as_object().into_iter().flatten() {
                let targets: Vec<String> = to
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(|t| t.as_str().map(str::to_owned))
                    .collect();
                out.insert(from.clone(), targets);
            }
            if !item.is_object() {
                self.error(
                    &format!("{path}[{i}]"),
                    "is not a {name: [names]} mapping".into(),
                );
            }
        }
        out
    }

    fn litellm_settings(
        &mut self,
        section: Option<&Value>,
    ) -> (SettingsOut, BTreeMap<String, Value>) {
        let mut out = SettingsOut::default();
        let mut extra = BTreeMap::new();
        for (key, value) in section.and_then(Value::as_object).into_iter().flatten() {
            let p = format!("litellm_settings.{key}");
            match (key.as_str(), value) {
                ("drop_params", Value::Bool(b)) => out.drop_params = Some(*b),
                ("json_logs", Value::Bool(b)) => out.json_logs = Some(*b),
                ("request_timeout", _) => out.request_timeout = self.count(&p, value),
                _ if modelled("litellm_settings", key).is_some() => {
                    self.error(&p, "has a value of the wrong type".into());
                }
                _ => {
                    self.setting(&mut extra, "litellm_settings", key, value);
                }
            }
        }
        (out, extra)
    }

    fn general_settings(
        &mut self,
        section: Option<&Value>,
    ) -> (SourceOut, Option<SourceOut>, BTreeMap<String, Value>) {
        let mut master = None;
        let mut database = None;
        let mut store = false;
        let mut extra = BTreeMap::new();
        for (key, value) in section.and_then(Value::as_object).into_iter().flatten() {
            let p = format!("general_settings.{key}");
            match key.as_str() {
                "master_key" => {
                    if let Some(secret) = self.secret(&p, value) {
                        master =
                            Some(self.source(secret, "LITELLM_MASTER_KEY", "deployment.masterKey"));
                    }
                }
                "database_url" => {
                    if let Some(secret) = self.secret(&p, value) {
                        database =
                            Some(self.source(secret, "DATABASE_URL", "deployment.database.url"));
                    }
                }
                "store_model_in_db" => store = value.as_bool() == Some(true),
                _ => {
                    self.setting(&mut extra, "general_settings", key, value);
                }
            }
        }
        if store && database.is_none() {
            // LiteLLM reads DATABASE_URL from its environment when the file gives none.
            self.warn(
                "general_settings.store_model_in_db",
                format!("without database_url, LiteLLM reads the database from ${DB}: the spec says so, deployment.database.url: {{env: {DB}}}; export {DB} before rendering", DB = crate::resolve::DATABASE_URL_ENV),
            );
            database = Some(SourceOut::Env(crate::resolve::DATABASE_URL_ENV.into()));
        }
        let master = master.unwrap_or_else(|| {
            self.warn(
                "general_settings.master_key",
                "missing: the spec reads the master key from $LITELLM_MASTER_KEY (LiteLLM refuses to start without one)".into(),
            );
            SourceOut::Env("LITELLM_MASTER_KEY".into())
        });
        (master, database, extra)
    }

    fn providers_and_models(
        &mut self,
        models: Vec<ModelIn>,
        names: &[String],
    ) -> (BTreeMap<String, ProviderOut>, Vec<ModelOut>) {
        let groups = std::mem::take(&mut self.groups);
        // Where each provider was first met: its warnings name that entry.
        let mut first_at: Vec<Option<&str>> = vec![None; groups.len()];
        for m in &models {
            first_at[m.group].get_or_insert(m.at.as_str());
        }
        let providers = groups
            .iter()
            .zip(names)
            .zip(&first_at)
            .map(|((group, name), at)| (name.clone(), self.provider(group, name, *at)))
            .collect();
        // Default ids are <name>--<provider>: two deployments of one name on one provider
        // (a load-balanced group) need explicit ids.
        let mut seen: BTreeMap<String, usize> = BTreeMap::new();
        let out = models
            .into_iter()
            .map(|m| {
                let provider = names[m.group].clone();
                let index = self.models_out;
                self.models_out += 1;
                if let Some(e) = self.entries.iter_mut().find(|e| e.at == m.at) {
                    e.became = Some(format!("models[{index}] on provider {provider}"));
                }
                let default_id = format!("{}--{provider}", m.name);
                let n = seen.entry(default_id.clone()).or_insert(0);
                *n += 1;
                let id =
                    m.id.clone()
                        .or_else(|| (*n > 1).then(|| format!("{default_id}--{n}")));
                self.model_out(m, provider, id)
            })
            .collect();
        (providers, out)
    }

    /// A provider, each key and credential from its source, under `resolve`'s names.
    fn provider(&mut self, group: &Group, name: &str, entry: Option<&str>) -> ProviderOut {
        let prefix = env_prefix(name);
        let path = |what: &str| format!("providers.{name}.{what}");
        let c = catalog();
        let ty = group.provider_type.as_str();
        let fallback = |field: &str| c.env_fallback(ty, field);
        let mut api_key = group.api_key.clone().map(|s| {
            let var = format!("{prefix}_API_KEY");
            self.claim(&var, &path("apiKey"));
            let here = entry.map(|at| format!("{at}.litellm_params.api_key"));
            self.source_at(s, &var, &path("apiKey"), here.as_deref())
        });
        if api_key.is_none()
            && group.credentials.is_empty()
            && let Some(var) = fallback("api_key")
        {
            self.warn(
                &path("apiKey"),
                format!("the config gives provider type \"{ty}\" no api_key, so LiteLLM reads ${var}: the spec now says so, apiKey: {{env: {var}}}; export {var} before rendering"),
            );
            self.claim(&format!("{prefix}_API_KEY"), &path("apiKey"));
            api_key = Some(SourceOut::Env(var.into()));
        }
        let mut from_fallback = |field: &str, given: &Option<ValueOut>, spec_field: &str| {
            given.clone().or_else(|| {
                let var = fallback(field)?;
                Some(self.pod_env(
                    &path(spec_field),
                    var,
                    &format!("when the config gives provider type \"{ty}\" no {field}"),
                ))
            })
        };
        let mut api_base = from_fallback("api_base", &group.api_base, "apiBase");
        let api_version = from_fallback("api_version", &group.api_version, "apiVersion");
        if api_base.is_none() && matches!(ty, "ollama" | "ollama_chat") {
            // LiteLLM's own default (OllamaConfig.get_api_base), made explicit: the spec
            // requires an apiBase for self-hosted types (E011).
            self.warn(
                &path("apiBase"),
                format!("the config gives provider type \"{ty}\" no api_base, so LiteLLM uses {OLLAMA_DEFAULT_API_BASE}: the spec now says so; in a pod that is the pod itself, so point apiBase at your Ollama Service"),
            );
            api_base = Some(ValueOut::Value(OLLAMA_DEFAULT_API_BASE.into()));
        }
        let credentials = group
            .credentials
            .iter()
            .map(|(k, s)| {
                let var = format!("{prefix}_{}", k.to_ascii_uppercase());
                let field = path(&format!("credentials.{k}"));
                self.claim(&var, &field);
                let here = entry.map(|at| format!("{at}.litellm_params.{k}"));
                (k.clone(), self.source_at(s.clone(), &var, &field, here.as_deref()))
            })
            .collect();
        ProviderOut {
            provider_type: group.provider_type.clone(),
            api_base,
            api_version,
            api_key,
            credentials,
        }
    }

    /// A model, the credentials nested in its params and info moved to variables named
    /// after the provider and the place (`OPENAI_EXTRA_HEADERS_AUTHORIZATION`).
    fn model_out(&mut self, m: ModelIn, provider: String, id: Option<String>) -> ModelOut {
        let prefix = env_prefix(&provider);
        let mut walk = |section: &str, stem: String, map: &BTreeMap<String, Value>| {
            let spot = Spot::new(format!("{}.{section}", m.at), stem, true);
            let all = Value::Object(map.clone().into_iter().collect());
            match self.keep(&spot, &all, false) {
                Value::Object(kept) => kept.into_iter().collect(),
                _ => BTreeMap::new(),
            }
        };
        let params = walk("litellm_params", prefix.clone(), &m.params);
        let info = walk("model_info", format!("{prefix}_MODEL_INFO"), &m.info);
        ModelOut {
            name: m.name,
            provider,
            model: m.upstream,
            id,
            limits: (m.limits.rpm.is_some() || m.limits.tpm.is_some()).then_some(m.limits),
            timeout: m.timeout,
            drop_params: m.drop_params,
            params,
            info,
        }
    }
}

/// The provider names `litellm_settings.custom_provider_map` registers.
fn custom_providers(config: &Map<String, Value>) -> BTreeSet<String> {
    config
        .get("litellm_settings")
        .and_then(|s| s.get("custom_provider_map"))
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|entry| entry.get("provider").and_then(Value::as_str))
        .map(str::to_owned)
        .collect()
}

/// The env var prefix of a provider, as `resolve` makes it: `azure-eu` => `AZURE_EU`.
fn env_prefix(provider: &str) -> String {
    provider.to_ascii_uppercase().replace('-', "_")
}

/// Readable, unique provider names: the type (`openai`, `azure`...), then `-2`, `-3`.
fn provider_names(groups: &[Group]) -> Vec<String> {
    let mut used = BTreeSet::new();
    groups
        .iter()
        .map(|g| {
            let base: String = g
                .provider_type
                .chars()
                .map(|c| {
                    if c.is_ascii_alphanumeric() {
                        c.to_ascii_lowercase()
                    } else {
                        '-'
                    }
                })
                .collect();
            let mut name = base.clone();
            let mut n = 1;
            while !used.insert(name.clone()) {
                n += 1;
                name = format!("{base}-{n}");
            }
            name
        })
        .collect()
}
