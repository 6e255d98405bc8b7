//! The 1 MiB rule, early: a floor on config.yaml's size from the spec alone, so a spec far
//! too large is refused before anything is rendered. Specs near the limit are measured
//! exactly after rendering (`data_size`).

use crate::diagnostics::{Code, Diagnostic};
use crate::spec::{Gateway, ValueOrEnv};

use super::MAX_OBJECT_DATA_BYTES;

/// The text every model entry of config.yaml has whatever its values (names, provider type
/// and model, id empty).
const ENTRY_FIXED: &str =
    "- model_name: \n  litellm_params:\n    model: /\n  model_info:\n    id: \n";
const ENTRY_FIXED_BYTES: usize = ENTRY_FIXED.len();

/// A lower bound on config.yaml's length: each entry's fixed text plus its name, provider
/// type, upstream model and id, which serialization can only lengthen (quotes, escapes,
/// folding), never shorten.
pub fn config_floor(spec: &Gateway) -> usize {
    spec.models
        .iter()
        .map(|m| {
            // `<type>/<id>`, or `os.environ/NAME` (and the type, if any, once more as
            // custom_llm_provider): at least the type and the id or `os.environ` + NAME.
            let provider_type = spec
                .providers
                .get(&m.provider)
                .and_then(|p| p.provider_type.as_ref())
                .map_or(0, String::len);
            let upstream = match &m.model {
                ValueOrEnv::Value(id) => id.len(),
                ValueOrEnv::Env(e) => "os.environ".len() + e.env.len(),
            };
            let id =
                m.id.as_ref()
                    .map_or(m.name.len() + 2 + m.provider.len(), String::len);
            ENTRY_FIXED_BYTES + m.name.len() + provider_type + upstream + id
        })
        .sum()
}

pub fn check(spec: &Gateway, out: &mut Vec<Diagnostic>) {
    let floor = config_floor(spec);
    if floor > MAX_OBJECT_DATA_BYTES {
        out.push(
            // About the whole file: no path, so no snippet (and no source map) is needed.
            Diagnostic::error(
                Code::E020,
                "",
                format!(
                    "config.yaml would be at least {floor} bytes for {} models, over the ConfigMap limit of {MAX_OBJECT_DATA_BYTES} bytes (1 MiB)",
                    spec.models.len()
                ),
            )
            .with_help(super::TOO_LARGE_HELP),
        );
    }
}
