//! Shared by the integration tests: dummy secret values and an in-memory environment.
#![allow(dead_code)]

pub mod markdown;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use litegate::ReadError;
use litegate::resolve::EnvDenied;
use litegate::{Compiled, Environment, SpecSource};

/// Every env var the examples read, with a dummy value that is easy to grep for.
pub const DUMMY_ENV: &[(&str, &str)] = &[
    ("ANTHROPIC_API_KEY", "dummy-anthropic-3c1f9e"),
    ("AWS_ACCESS_KEY_ID", "dummy-aws-id-8b2d41"),
    ("AWS_SECRET_ACCESS_KEY", "dummy-aws-secret-5e7a02"),
    (
        "DATABASE_URL",
        "postgresql://litellm:dummy-db-9f4c7d@db:5432/litellm",
    ),
    ("GROQ_API_KEY", "dummy-groq-2a6e19"),
    ("LITELLM_SALT_KEY", "dummy-salt-1a2b3c4d5e6f7a8b"),
    (
        "LITELLM_MASTER_KEY",
        "sk-dummy-master-7d3b5f0e1c9a8b2d4f6e0a1c3b5d7f9e",
    ),
    ("MISTRAL_API_KEY", "dummy-mistral-6f1b83"),
    ("OPENAI_API_KEY", "dummy-openai-4d8c2a"),
    ("REDIS_PASSWORD", "dummy-redis-0e5b7c"),
];

/// `LITEGATE_ALLOW_ENV` allowing every variable of `DUMMY_ENV`: what an operator sets for
/// the plugin and function modes, which read no other variable.
pub fn allow_dummy_env() -> (&'static str, String) {
    let names: Vec<&str> = DUMMY_ENV.iter().map(|(name, _)| *name).collect();
    ("LITEGATE_ALLOW_ENV", names.join(","))
}

/// A test's own environment: env vars and files from maps, never the process.
#[derive(Debug, Clone, Default)]
pub struct MapEnvironment {
    pub vars: BTreeMap<String, Vec<u8>>,
    pub files: BTreeMap<PathBuf, Vec<u8>>,
}

impl MapEnvironment {
    pub fn dummy() -> Self {
        Self {
            vars: DUMMY_ENV
                .iter()
                .map(|(k, v)| (k.to_string(), v.as_bytes().to_vec()))
                .collect(),
            files: BTreeMap::new(),
        }
    }

    pub fn with_var(mut self, name: &str, value: &str) -> Self {
        self.vars.insert(name.to_owned(), value.as_bytes().to_vec());
        self
    }
}

impl Environment for MapEnvironment {
    fn var(&self, name: &str) -> Result<Option<Vec<u8>>, EnvDenied> {
        Ok(self.vars.get(name).cloned())
    }

    fn read_file(&self, base_dir: &Path, file: &str) -> Result<Vec<u8>, ReadError> {
        self.files
            .get(&base_dir.join(file))
            .cloned()
            .ok_or(ReadError::NotFound)
    }
}

pub fn source(text: &str) -> SpecSource {
    SpecSource {
        path: PathBuf::from("spec.yaml"),
        text: text.to_owned(),
    }
}

pub fn compile_text(text: &str, env: &MapEnvironment) -> Compiled {
    match litegate::compile(&source(text), env) {
        Ok(c) => c,
        Err(litegate::Error::Invalid(d)) => panic!("spec does not compile:\n{}", render_all(&d)),
        Err(e) => panic!("spec does not compile: {e}"),
    }
}

pub fn render_all(diagnostics: &[litegate::diagnostics::Diagnostic]) -> String {
    diagnostics
        .iter()
        .map(|d| d.to_text("spec.yaml", None))
        .collect()
}

/// An external program the tests run (`kubectl`, `kpt`, `jq`), from the PATH. When it is not
/// there, the test fails naming it and where to get it (docs/testing.md, "Prerequisites").
pub fn tool(name: &str) -> PathBuf {
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .map(|dir| dir.join(name))
        .find(|p| p.is_file())
        .unwrap_or_else(|| {
            panic!(
                "{name} is needed by this test and is not on the PATH; get it from {} \
                 (docs/testing.md, \"Prerequisites\")",
                where_to_get(name)
            )
        })
}

fn where_to_get(name: &str) -> &'static str {
    match name {
        "kubectl" => "https://kubernetes.io/docs/tasks/tools/",
        "kpt" => "https://kpt.dev/installation/ (or `gcloud components install kpt`)",
        "jq" => "your package manager (`apt-get install jq`)",
        _ => "your package manager",
    }
}

/// The repository's root, for paths to examples/ and the built binary.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub fn examples() -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = std::fs::read_dir(root().join("examples"))
        .expect("examples/ exists")
        .map(|e| e.expect("readable entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "yaml"))
        .collect();
    out.sort();
    out
}

/// Runs the built `litegate` in `dir` with exactly `env` (nothing inherited).
pub fn litegate_in(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_litegate"))
        .args(args)
        .env_clear()
        .envs(env.iter().copied())
        .current_dir(dir)
        .output()
        .expect("litegate runs")
}

/// Runs the built `litegate` at the repository root with exactly `env`.
pub fn litegate(args: &[&str], env: &[(&str, &str)]) -> Output {
    litegate_in(&root(), args, env)
}

/// Runs the built `litegate` at the repository root with exactly `env`, `input` on stdin.
pub fn litegate_stdin(args: &[&str], env: &[(&str, &str)], input: &str) -> Output {
    use std::io::Write as _;
    let mut child = Command::new(env!("CARGO_BIN_EXE_litegate"))
        .args(args)
        .env_clear()
        .envs(env.iter().copied())
        // krm reads only the variables the operator allows; render ignores this.
        .env(allow_dummy_env().0, allow_dummy_env().1)
        .current_dir(root())
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("litegate runs");
    let mut stdin = child.stdin.take().expect("stdin");
    // Written from a thread: a large input must not block on a full stdout pipe.
    let input = input.to_owned();
    let writer = std::thread::spawn(move || stdin.write_all(input.as_bytes()));
    let out = child.wait_with_output().expect("exits");
    writer.join().expect("writer").expect("writes");
    out
}

/// kpt, from the PATH.
pub fn kpt() -> PathBuf {
    tool("kpt")
}
