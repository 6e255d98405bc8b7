//! Where secret values come from, and what litegate may read to get them.
//!
//! The threat is a spec from an untrusted repository run on a build server that holds
//! real keys (a kustomize plugin on an Argo CD repo server, a KRM function in CI). So a
//! `file:` source is read only in or below the spec's own directory, as a regular file of
//! at most 64 KiB, and in plugin and function modes an `env:` source reads only the
//! variables the operator listed in `LITEGATE_ALLOW_ENV`.

use std::path::Path;

use crate::input::{self, MAX_SECRET_FILE_BYTES, Pipes, ReadError};

/// The variable in which the operator lists what plugin and function modes may read.
pub const ALLOW_ENV: &str = "LITEGATE_ALLOW_ENV";

/// Where secret values come from when rendering: the process, or a test's own map.
pub trait Environment {
    /// The raw value of an environment variable, if set; `Err` when this mode may not
    /// read it at all.
    fn var(&self, name: &str) -> Result<Option<Vec<u8>>, EnvDenied>;
    /// The bytes of a `file:` source, `file` as the spec writes it, relative to `base_dir`.
    fn read_file(&self, base_dir: &Path, file: &str) -> Result<Vec<u8>, ReadError>;
}

/// An `env:` source the operator did not allow in this mode.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnvDenied {
    /// The mode that restricts it: `kustomize-plugin`, `krm`.
    pub mode: &'static str,
}

/// kustomize's `--load-restrictor`, under its own names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum LoadRestrictor {
    // `file:` sources must stay in or below the spec's directory, links followed.
    #[default]
    #[value(name = "LoadRestrictionsRootOnly")]
    RootOnly,
    // Any path, for a spec you wrote yourself on your own machine.
    #[value(name = "LoadRestrictionsNone")]
    None,
}

impl LoadRestrictor {
    /// The kustomize plugin takes no flags: `LITEGATE_LOAD_RESTRICTOR` may lift the rule.
    pub fn from_process() -> Self {
        match std::env::var("LITEGATE_LOAD_RESTRICTOR").as_deref() {
            Ok("LoadRestrictionsNone") => LoadRestrictor::None,
            _ => LoadRestrictor::RootOnly,
        }
    }
}

/// Which environment variables `env:` sources may read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EnvAccess {
    /// Every variable: `render`, `validate` and `plan` run by the spec's own author.
    All,
    /// Only the listed names and `PREFIX*` patterns: a mode run for someone else's spec.
    Allowed {
        mode: &'static str,
        patterns: Vec<String>,
    },
}

impl EnvAccess {
    /// The operator's allow-list for `mode`, from `LITEGATE_ALLOW_ENV` (`A,B_*`); unset,
    /// nothing may be read.
    pub fn from_process(mode: &'static str) -> Self {
        let list = std::env::var(ALLOW_ENV).unwrap_or_default();
        EnvAccess::Allowed {
            mode,
            patterns: list
                .split([',', ' ', '\n'])
                .map(str::trim)
                .filter(|p| !p.is_empty())
                .map(str::to_owned)
                .collect(),
        }
    }

    pub fn allows(&self, name: &str) -> bool {
        match self {
            EnvAccess::All => true,
            EnvAccess::Allowed { patterns, .. } => {
                patterns.iter().any(|p| match p.strip_suffix('*') {
                    Some(prefix) => name.starts_with(prefix),
                    None => p == name,
                })
            }
        }
    }
}

/// The real environment of the litegate process and the real file system, behind the
/// restrictions of the mode it runs in.
#[derive(Debug, Clone)]
pub struct ProcessEnvironment {
    pub load: LoadRestrictor,
    pub vars: EnvAccess,
}

impl ProcessEnvironment {
    /// For a spec whose author runs litegate: every variable, files under the spec's root.
    pub fn for_author(load: LoadRestrictor) -> Self {
        Self {
            load,
            vars: EnvAccess::All,
        }
    }
}

impl Environment for ProcessEnvironment {
    fn var(&self, name: &str) -> Result<Option<Vec<u8>>, EnvDenied> {
        use std::os::unix::ffi::OsStringExt;
        if let EnvAccess::Allowed { mode, .. } = &self.vars
            && !self.vars.allows(name)
        {
            return Err(EnvDenied { mode });
        }
        Ok(std::env::var_os(name).map(OsStringExt::into_vec))
    }

    fn read_file(&self, base_dir: &Path, file: &str) -> Result<Vec<u8>, ReadError> {
        match self.load {
            LoadRestrictor::RootOnly => {
                input::read_beneath(base_dir, Path::new(file), MAX_SECRET_FILE_BYTES)
            }
            LoadRestrictor::None => input::read_path(
                &base_dir.join(file),
                MAX_SECRET_FILE_BYTES,
                // `{file: /dev/fd/63}` from a shell's `<(vault read ...)` is a pipe.
                Pipes::Allowed,
            ),
        }
    }
}

/// Stands in for every secret source with a strong dummy value: `--skip-secrets` checks
/// everything else without the keys, and `sync`/`verify` compile a spec whose rows carry
/// keys only as `os.environ/NAME`.
#[derive(Debug, Clone, Copy)]
pub struct Placeholders;

impl Placeholders {
    const VALUE: &'static [u8] = b"sk-placeholder-placeholder-placeholder-0000";
}

impl Environment for Placeholders {
    fn var(&self, _: &str) -> Result<Option<Vec<u8>>, EnvDenied> {
        Ok(Some(Self::VALUE.to_vec()))
    }

    fn read_file(&self, _: &Path, _: &str) -> Result<Vec<u8>, ReadError> {
        Ok(Self::VALUE.to_vec())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_allow_list_takes_names_and_prefixes() {
        let access = EnvAccess::Allowed {
            mode: "krm",
            patterns: vec!["OPENAI_API_KEY".into(), "ANTHROPIC_*".into()],
        };
        assert!(access.allows("OPENAI_API_KEY"));
        assert!(access.allows("ANTHROPIC_API_KEY"));
        assert!(!access.allows("OPENAI_API_KEY_2"));
        assert!(!access.allows("AWS_SECRET_ACCESS_KEY"));
        assert!(EnvAccess::All.allows("ANYTHING"));
    }
}
