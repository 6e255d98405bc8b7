//! Reading secret values and registering the env vars that carry them: sources read once,
//! name collisions and weak master keys caught, no value ever in a message.

use std::collections::BTreeMap;
use std::path::Path;

use crate::diagnostics::{Code, Diagnostic};
use crate::input::ReadError;
use crate::spec::SecretSource;

use super::environment::{ALLOW_ENV, EnvDenied, Environment};
use super::{EnvSource, SecretEnv};

/// Shortest master key accepted: `sk-` and 32 random characters.
const MIN_MASTER_KEY_LEN: usize = 3 + 32;

/// LiteLLM exits on `sk-1234` and refuses keys without `sk-`; short keys are guessable.
pub(super) fn master_key_strength(value: &[u8], problems: &mut Vec<Diagnostic>) {
    let path = "deployment.masterKey";
    let problem = if !value.starts_with(b"sk-") {
        Some("the master key must start with \"sk-\"")
    } else if value == b"sk-1234" {
        Some("the master key is LiteLLM's documented example key, which the proxy refuses")
    } else if value.len() < MIN_MASTER_KEY_LEN {
        Some("the master key is too short: use \"sk-\" and at least 32 random characters")
    } else {
        None
    };
    if let Some(message) = problem {
        problems.push(
            Diagnostic::error(Code::E021, path, message)
                .with_help("generate one with: echo \"sk-$(openssl rand -hex 24)\""),
        );
    }
}

/// The directory `file:` sources are read from, as messages name it.
fn root_name(dir: &Path) -> String {
    if dir == Path::new(".") {
        "the spec's directory".to_owned()
    } else {
        dir.display().to_string()
    }
}

/// The container's secret env vars, and the values of the inline ones.
pub(super) type SecretEnvAndData = (Vec<SecretEnv>, BTreeMap<String, Vec<u8>>);

/// Gathers secret env vars, reading inline values and catching collisions.
pub(super) struct SecretCollector<'a> {
    base_dir: &'a Path,
    env: &'a dyn Environment,
    /// Env var name => the spec path that claimed it first.
    pub(super) claimed: BTreeMap<String, String>,
    secret_env: Vec<SecretEnv>,
    data: BTreeMap<String, Vec<u8>>,
    pub(super) problems: Vec<Diagnostic>,
}

impl<'a> SecretCollector<'a> {
    pub(super) fn new(base_dir: &'a Path, env: &'a dyn Environment) -> Self {
        Self {
            base_dir,
            env,
            claimed: BTreeMap::new(),
            secret_env: Vec::new(),
            data: BTreeMap::new(),
            problems: Vec::new(),
        }
    }

    /// Registers `var` as fed by `source`; returns the value when it was read here.
    pub(super) fn add(
        &mut self,
        var: String,
        source: &SecretSource,
        path: &str,
    ) -> Option<Vec<u8>> {
        if let Some(first) = self.claimed.get(&var) {
            self.problems.push(
                Diagnostic::error(
                    Code::E019,
                    path,
                    format!("container env var {var} is already used by {first}"),
                )
                .with_help("rename one of the providers or credentials"),
            );
            return None;
        }
        self.claimed.insert(var.clone(), path.to_owned());
        let (source, value) = match source {
            SecretSource::SecretRef(r) => (
                EnvSource::SecretKeyRef {
                    name: r.name.clone(),
                    key: r.key.clone(),
                },
                None,
            ),
            SecretSource::Remote(r) => (EnvSource::Remote(r.clone()), None),
            SecretSource::Env(name) => (EnvSource::OwnSecret, self.read_env(name, path)),
            SecretSource::File(file) => (EnvSource::OwnSecret, self.read_file(file, path)),
        };
        self.secret_env.push(SecretEnv {
            name: var.clone(),
            source,
        });
        if let Some(v) = &value {
            self.data.insert(var, v.clone());
        }
        value
    }

    fn read_env(&mut self, name: &str, path: &str) -> Option<Vec<u8>> {
        let problem = match self.env.var(name) {
            Ok(Some(v)) if !v.is_empty() => return Some(v),
            Ok(Some(_)) => Diagnostic::error(
                Code::E015,
                format!("{path}.env"),
                format!("environment variable {name} is empty"),
            ),
            Ok(None) => Diagnostic::error(
                Code::E015,
                format!("{path}.env"),
                format!("environment variable {name} is not set"),
            )
            .with_help(format!(
                "export {name} before rendering, or use a file or secretRef source"
            )),
            Err(EnvDenied { mode }) => Diagnostic::error(
                Code::E033,
                format!("{path}.env"),
                format!(
                    "environment variable {name} may not be read: in {mode} mode litegate reads \
                     only the variables the operator lists in {ALLOW_ENV}"
                ),
            )
            .with_help(format!(
                "whoever runs the build allows it with {ALLOW_ENV}={name} (names or PREFIX_*, \
                 comma-separated), or the spec uses a secretRef source"
            )),
        };
        self.problems.push(problem);
        None
    }

    fn read_file(&mut self, file: &str, path: &str) -> Option<Vec<u8>> {
        let at = format!("{path}.file");
        match self.env.read_file(self.base_dir, file) {
            Err(ReadError::OutsideRoot) => {
                self.problems.push(
                    Diagnostic::error(
                        Code::E033,
                        at,
                        format!(
                            "{file} is outside {}: secret files are read only in or below it",
                            root_name(self.base_dir)
                        ),
                    )
                    .with_help(
                        "move the file next to the spec; on your own machine, \
                         --load-restrictor LoadRestrictionsNone lifts the rule",
                    ),
                );
                None
            }
            // The reasons name no byte of the file.
            Err(e) => {
                self.problems.push(Diagnostic::error(
                    Code::E015,
                    at,
                    format!("cannot read {}: {e}", self.base_dir.join(file).display()),
                ));
                None
            }
            Ok(mut bytes) => {
                if bytes.ends_with(b"\n") {
                    bytes.pop();
                    if bytes.ends_with(b"\r") {
                        bytes.pop();
                    }
                }
                if bytes.is_empty() {
                    self.problems.push(Diagnostic::error(
                        Code::E015,
                        at,
                        format!("{} is empty", self.base_dir.join(file).display()),
                    ));
                    return None;
                }
                Some(bytes)
            }
        }
    }

    pub(super) fn finish(mut self) -> Result<SecretEnvAndData, Vec<Diagnostic>> {
        if !self.problems.is_empty() {
            return Err(self.problems);
        }
        self.secret_env.sort_by(|a, b| a.name.cmp(&b.name));
        Ok((self.secret_env, self.data))
    }
}
