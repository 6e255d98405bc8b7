//! `models[].model: {env: NAME}` and providers without `type`: one spec for many
//! environments, where the pod's environment says which upstream model serves (or, for the
//! bare `"*"` route, each request does). What config.yaml says, what the container is given,
//! and each refusal at its path.

mod common;

use common::{MapEnvironment, compile_text, render_all, source};
use serde_json::Value;

const HEAD: &str = "apiVersion: litegate/v1alpha1\nkind: Gateway\nmetadata: {name: gw}\n";
const DEPLOYMENT: &str = "deployment:\n  image: ghcr.io/berriai/litellm:v1.80.12-stable\n  replicas: 2\n  masterKey: {env: LITELLM_MASTER_KEY}\n";

fn config(text: &str) -> Value {
    let compiled = compile_text(text, &MapEnvironment::dummy());
    serde_saphyr::from_str(&compiled.rendered.config_yaml).expect("config.yaml")
}

fn errors(text: &str) -> String {
    match litegate::compile(&source(text), &MapEnvironment::dummy()) {
        Ok(_) => panic!("compiled, but an error was expected:\n{text}"),
        Err(litegate::Error::Invalid(d)) => render_all(&d),
        Err(e) => e.to_string(),
    }
}

/// The container env var `name` of the rendered Deployment, as YAML text.
fn container_env(text: &str, name: &str) -> String {
    let compiled = compile_text(text, &MapEnvironment::dummy());
    let deployment = compiled
        .rendered
        .objects
        .iter()
        .find(|o| o.kind() == "Deployment")
        .expect("a Deployment")
        .to_yaml()
        .expect("yaml");
    let at = deployment
        .find(&format!("- name: {name}\n"))
        .unwrap_or_else(|| panic!("no env var {name} in:\n{deployment}"));
    deployment[at..]
        .lines()
        .take(5)
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn a_typed_provider_names_itself_in_custom_llm_provider() {
    let spec = format!(
        "{HEAD}providers:\n  azure:\n    type: azure\n    apiBase: {{env: AZURE_API_BASE}}\n    apiKey: {{env: OPENAI_API_KEY}}\nmodels:\n  - {{name: chat, provider: azure, model: {{env: AZURE_DEPLOYMENT}}}}\n{DEPLOYMENT}  configEnv:\n    AZURE_API_BASE: {{configMap: azure}}\n    AZURE_DEPLOYMENT: {{configMap: azure}}\n"
    );
    let params = &config(&spec)["model_list"][0]["litellm_params"];
    assert_eq!(params["model"], "os.environ/AZURE_DEPLOYMENT", "{params}");
    assert_eq!(params["custom_llm_provider"], "azure", "{params}");
    let env = container_env(&spec, "AZURE_DEPLOYMENT");
    assert!(
        env.contains("configMapKeyRef") && env.contains("name: azure"),
        "{env}"
    );
}

#[test]
fn an_untyped_provider_leaves_the_whole_model_string_to_the_environment() {
    let spec = format!(
        "{HEAD}providers:\n  upstream:\n    apiKey: {{env: OPENAI_API_KEY}}\nmodels:\n  - {{name: default, provider: upstream, model: {{env: UPSTREAM_MODEL}}}}\n{DEPLOYMENT}  env:\n    UPSTREAM_MODEL: openai/gpt-4o-mini\n"
    );
    let entry = &config(&spec)["model_list"][0];
    let params = entry["litellm_params"].as_object().expect("litellm_params");
    assert_eq!(params["model"], "os.environ/UPSTREAM_MODEL");
    assert!(!params.contains_key("custom_llm_provider"), "{params:?}");
    assert_eq!(entry["model_info"]["id"], "default--upstream");
}

#[test]
fn the_bare_wildcard_route_may_have_no_type() {
    let spec = format!(
        "{HEAD}providers:\n  any: {{}}\n  openai: {{type: openai, apiKey: {{env: OPENAI_API_KEY}}}}\nmodels:\n  - {{name: gpt-4o, provider: openai, model: gpt-4o}}\n  - {{name: '*', provider: any, model: '*'}}\n{DEPLOYMENT}"
    );
    let config = config(&spec);
    let params = config["model_list"][1]["litellm_params"]
        .as_object()
        .expect("litellm_params");
    assert_eq!(params["model"], "*");
    assert_eq!(params.len(), 1, "{params:?}");
    assert_eq!(
        config["model_list"][0]["litellm_params"]["model"],
        "openai/gpt-4o"
    );
}

#[test]
fn a_model_variable_the_container_lacks_is_refused() {
    let spec = format!(
        "{HEAD}providers:\n  upstream: {{apiKey: {{env: OPENAI_API_KEY}}}}\nmodels:\n  - {{name: default, provider: upstream, model: {{env: UPSTREAM_MODEL}}}}\n{DEPLOYMENT}"
    );
    let err = errors(&spec);
    assert!(
        err.contains("error[E019]: config.yaml model_list[0].litellm_params.model refers to os.environ/UPSTREAM_MODEL, which the container does not provide"),
        "{err}"
    );
}

#[test]
fn an_untyped_provider_with_a_written_model_is_refused_at_the_model() {
    let spec = format!(
        "{HEAD}providers:\n  upstream: {{apiKey: {{env: OPENAI_API_KEY}}}}\nmodels:\n  - {{name: mini, provider: upstream, model: gpt-4o-mini}}\n{DEPLOYMENT}"
    );
    let err = errors(&spec);
    assert!(
        err.contains("error[E035]: models[0].model: provider \"upstream\" has no `type`"),
        "{err}"
    );
    // A provider without type and without models has nothing to name it: still required.
    let spec = format!(
        "{HEAD}providers:\n  idle: {{apiKey: {{env: OPENAI_API_KEY}}}}\n  openai: {{type: openai, apiKey: {{env: OPENAI_API_KEY}}}}\nmodels:\n  - {{name: mini, provider: openai, model: gpt-4o-mini}}\n{DEPLOYMENT}"
    );
    let err = errors(&spec);
    assert!(
        err.contains("error[E001]: providers.idle.type: missing field `type`"),
        "{err}"
    );
}

#[test]
fn custom_llm_provider_by_hand_is_refused_for_the_type() {
    let spec = format!(
        "{HEAD}providers:\n  openai: {{type: openai, apiKey: {{env: OPENAI_API_KEY}}, params: {{custom_llm_provider: azure}}}}\nmodels:\n  - {{name: mini, provider: openai, model: gpt-4o-mini}}\n{DEPLOYMENT}"
    );
    let err = errors(&spec);
    assert!(
        err.contains("error[E025]: providers.openai.params.custom_llm_provider: \"custom_llm_provider\" is set by litegate from the spec's own fields"),
        "{err}"
    );
    assert!(err.contains("set providers.<name>.type"), "{err}");
}

#[test]
fn a_malformed_model_variable_or_an_unquoted_non_string_is_refused() {
    let spec = format!(
        "{HEAD}providers:\n  upstream: {{apiKey: {{env: OPENAI_API_KEY}}}}\nmodels:\n  - {{name: default, provider: upstream, model: {{env: 'not a name'}}}}\n{DEPLOYMENT}"
    );
    let err = errors(&spec);
    assert!(
        err.contains("error[E014]: models[0].model.env: \"not a name\" is not a valid environment variable name"),
        "{err}"
    );
    // YAML reads `n` as false: the model id's text is gone, so it is refused, not guessed.
    let spec = format!(
        "{HEAD}providers:\n  openai: {{type: openai, apiKey: {{env: OPENAI_API_KEY}}}}\nmodels:\n  - {{name: default, provider: openai, model: n}}\n{DEPLOYMENT}"
    );
    let err = errors(&spec);
    assert!(
        err.contains("error[E001]: models[0].model: YAML reads this unquoted value as a boolean (false), not as text: quote it"),
        "{err}"
    );
    let quoted = spec.replace("model: n}", "model: 'n'}");
    assert_eq!(
        config(&quoted)["model_list"][0]["litellm_params"]["model"],
        "openai/n"
    );
}

/// LiteLLM resolves `os.environ/` in litellm_params, never in model_name or model_info:
/// such a name is a literal, and the container need not have the variable.
#[test]
fn a_model_name_that_looks_like_a_reference_is_a_literal_name() {
    let spec = format!(
        "{HEAD}providers:\n  openai: {{type: openai, apiKey: {{env: OPENAI_API_KEY}}}}\nmodels:\n  - {{name: os.environ/PUBLIC_NAME, provider: openai, model: gpt-4o-mini, info: {{base_model: os.environ/BASE}}}}\n{DEPLOYMENT}"
    );
    let entry = &config(&spec)["model_list"][0];
    assert_eq!(entry["model_name"], "os.environ/PUBLIC_NAME");
    assert_eq!(entry["model_info"]["base_model"], "os.environ/BASE");
}
