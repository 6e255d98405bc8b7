//! Rules over the parsed spec. Each rule is a small function that returns diagnostics;
//! nothing here reads files or the environment (that happens once, in `resolve`).

pub mod catalog;
mod deployment;
mod gateway;
pub mod kubernetes;
mod literal_secrets;
mod models;
pub mod passthrough;
mod providers;
mod router;
mod secrets;
mod size;
mod yaml_hazards;

pub use deployment::is_floating_image;
pub use models::STAMPED_INFO;
pub use providers::param_type_problem;
pub use size::config_floor;
pub use yaml_hazards::{may_have_yaml_hazards, yaml_hazards};

use crate::diagnostics::Diagnostic;
use crate::spec::Gateway;

/// Every rule that needs only the spec itself, in one pass; all problems, not the first.
pub fn validate(spec: &Gateway) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    gateway::check(spec, &mut out);
    providers::check(spec, &mut out);
    models::check(spec, &mut out);
    router::check(spec, &mut out);
    passthrough::check(spec, &mut out);
    literal_secrets::check(spec, &mut out);
    deployment::check(spec, &mut out);
    secrets::check(spec, &mut out);
    size::check(spec, &mut out);
    out
}

/// `1 MiB`: what the API server accepts for a ConfigMap's or Secret's data.
pub const MAX_OBJECT_DATA_BYTES: usize = 1024 * 1024;

/// What to do about a config over the ConfigMap limit (E020, early and exact).
pub(crate) const TOO_LARGE_HELP: &str =
    "split the gateway into several specs, or move models to the database (`deployment.database`)";

/// The rules over the output, from what only the render knows: the 1 MiB object limit
/// (E020) on config.yaml and the Secret, and `os.environ/` references the container does
/// not provide (E019).
pub fn output(
    config_bytes: usize,
    secret_bytes: usize,
    unprovided_env: &[(String, String)],
) -> Vec<Diagnostic> {
    let unprovided = unprovided_env.iter().map(|(at, name)| {
        Diagnostic::error(
            crate::diagnostics::Code::E019,
            "",
            format!("config.yaml {at} refers to os.environ/{name}, which the container does not provide"),
        )
        .with_help(format!("give secrets as providers.<name>.credentials, not as os.environ/ strings in params; a non-secret value as deployment.env.{name} or deployment.configEnv.{name}: {{configMap: NAME}}"))
    });
    unprovided
        .chain(data_size("", "ConfigMap", config_bytes))
        .chain(data_size("", "Secret", secret_bytes))
        .collect()
}

/// The size rule, which needs the rendered data.
pub fn data_size(path: &str, object: &str, bytes: usize) -> Option<Diagnostic> {
    (bytes > MAX_OBJECT_DATA_BYTES).then(|| {
        Diagnostic::error(
            crate::diagnostics::Code::E020,
            path,
            format!(
                "the {object}'s data is {bytes} bytes, over Kubernetes' limit of {MAX_OBJECT_DATA_BYTES} bytes (1 MiB)"
            ),
        )
        .with_help(TOO_LARGE_HELP)
    })
}
