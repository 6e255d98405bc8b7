//! `litegate import`: each realistic LiteLLM config in tests/import/ becomes a spec that
//! validates and renders back into an equivalent config.yaml: the same models in the same
//! order with the same params, the same settings. What may differ, by design: env var
//! names behind `os.environ/` (and literal keys become references), ids litegate adds, and
//! `environment_variables`, which move into the Secret.

mod common;

use std::path::{Path, PathBuf};

use common::{litegate_in, root};
use litegate::secret_shape::{is_secret_name, is_secret_value};
use litegate::{Environment, SpecSource};
use serde_json::{Map, Value, json};

/// Any variable is set, to a value that is easy to spot; files are not read.
struct AnyVar;

impl Environment for AnyVar {
    fn var(&self, name: &str) -> Result<Option<Vec<u8>>, litegate::resolve::EnvDenied> {
        Ok(Some(
            format!("sk-dummy-import-{name}-0123456789abcdef01234567").into_bytes(),
        ))
    }

    fn read_file(&self, _: &Path, _: &str) -> Result<Vec<u8>, litegate::ReadError> {
        Err(litegate::ReadError::NotFound)
    }
}

fn corpus() -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(root().join("tests/import"))
        .expect("tests/import")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "yaml"))
        .collect();
    files.sort();
    assert!(files.len() >= 8, "the corpus has {} configs", files.len());
    files
}

fn import(file: &Path) -> (String, String) {
    let out = litegate_in(&root(), &["import", &file.display().to_string()], &[]);
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(out.status.code(), Some(0), "{}: {stderr}", file.display());
    (String::from_utf8(out.stdout).expect("UTF-8"), stderr)
}

/// Secrets compare as "a secret"; numbers as numbers (30 == 30.0).
fn norm(value: &Value, key: &str) -> Value {
    match value {
        Value::String(s)
            if s.starts_with("os.environ/") || is_secret_name(key) || is_secret_value(s) =>
        {
            json!("<secret>")
        }
        Value::Number(n) => json!(n.as_f64()),
        Value::Array(items) => Value::Array(items.iter().map(|v| norm(v, key)).collect()),
        Value::Object(map) => Value::Object(norm_map(map)),
        _ => value.clone(),
    }
}

fn norm_map(map: &Map<String, Value>) -> Map<String, Value> {
    map.iter().map(|(k, v)| (k.clone(), norm(v, k))).collect()
}

fn section(config: &Value, name: &str) -> Map<String, Value> {
    config
        .get(name)
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default()
}

/// LiteLLM's fallbacks are a list of single-key maps, in no meaningful order.
fn fallbacks_as_map(section: &mut Map<String, Value>) {
    for key in ["fallbacks", "context_window_fallbacks"] {
        if let Some(Value::Array(items)) = section.get(key).cloned() {
            let mut merged = Map::new();
            for item in items.iter().filter_map(Value::as_object) {
                merged.extend(item.clone());
            }
            section.insert(key.into(), Value::Object(merged));
        }
    }
}

/// The config as LiteLLM reads it: each `include:` merged in (lists extended, other
/// sections replaced), one level deep as the corpus uses it.
fn with_includes(file: &Path, config: &mut Value) {
    let Some(Value::Object(map)) = Some(&mut *config) else {
        return;
    };
    let entries = map.remove("include").unwrap_or(Value::Null);
    for entry in entries
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
    {
        let path = file.parent().expect("dir").join(entry);
        let text = std::fs::read_to_string(&path).expect("included file");
        let included: Map<String, Value> = serde_saphyr::from_str(&text).expect("YAML");
        for (key, value) in included {
            match (map.get_mut(&key), value) {
                (Some(Value::Array(base)), Value::Array(more)) => base.extend(more),
                (_, value) => {
                    map.insert(key, value);
                }
            }
        }
    }
}

/// The entries import skipped as ones LiteLLM drops too, by index.
fn dropped(warnings: &str) -> Vec<usize> {
    warnings
        .lines()
        .filter(|l| l.contains("drops"))
        .filter_map(|l| {
            let rest = &l[l.find("model_list[")? + "model_list[".len()..];
            rest[..rest.find(']')?].parse().ok()
        })
        .collect()
}

/// What LiteLLM reads the same: an unprefixed or `custom_llm_provider` model and its
/// `provider/model` form; a null `api_base` and none; no `api_key` and the variable LiteLLM
/// falls back to, which the spec names.
fn same_reading(before: &mut Map<String, Value>, after: &mut Map<String, Value>) {
    // A model from the environment keeps the provider in custom_llm_provider.
    if let Some(provider) = before.remove("custom_llm_provider")
        && after.get("custom_llm_provider") == Some(&provider)
    {
        after.remove("custom_llm_provider");
    }
    before.retain(|_, v| !v.is_null());
    if let (Some(Value::String(b)), Some(Value::String(a))) =
        (before.get("model"), after.get("model"))
        && a.ends_with(&format!("/{b}"))
    {
        let b = b.clone();
        after.insert("model".into(), Value::String(b));
    }
    for key in ["api_key", "api_base", "api_version"] {
        if !before.contains_key(key)
            && after
                .get(key)
                .and_then(Value::as_str)
                .is_some_and(|v| v.starts_with("os.environ/"))
        {
            after.remove(key);
        }
    }
}

fn assert_equivalent(file: &Path, original: &Value, rendered: &Value) {
    let name = file.display();
    let models = |c: &Value| c["model_list"].as_array().cloned().unwrap_or_default();
    let (before, after) = (models(original), models(rendered));
    assert_eq!(before.len(), after.len(), "{name}: model count");
    for (i, (b, a)) in before.iter().zip(&after).enumerate() {
        assert_eq!(
            b["model_name"], a["model_name"],
            "{name}: model_list[{i}].model_name"
        );
        let (mut pb, mut pa) = (section(b, "litellm_params"), section(a, "litellm_params"));
        same_reading(&mut pb, &mut pa);
        assert_eq!(
            norm_map(&pb),
            norm_map(&pa),
            "{name}: model_list[{i}].litellm_params"
        );
        let mut info_b = section(b, "model_info");
        let mut info_a = section(a, "model_info");
        let id_b = info_b.remove("id");
        let id_a = info_a.remove("id");
        // litegate's own stamp: which config the entry belongs to.
        info_a.remove("litegate_config");
        if id_b.is_some() {
            assert_eq!(id_b, id_a, "{name}: model_list[{i}].model_info.id kept");
        }
        assert_eq!(
            norm_map(&info_b),
            norm_map(&info_a),
            "{name}: model_list[{i}].model_info"
        );
        // The entry's own keys (rpm, tpm beside litellm_params).
        let own = |entry: &Value| -> Map<String, Value> {
            let mut keys = entry.as_object().cloned().unwrap_or_default();
            for section in ["model_name", "litellm_params", "model_info"] {
                keys.remove(section);
            }
            norm_map(&keys)
        };
        assert_eq!(own(b), own(a), "{name}: model_list[{i}]'s own keys");
    }
    let ids: std::collections::BTreeSet<String> = after
        .iter()
        .map(|m| m["model_info"]["id"].to_string())
        .collect();
    assert_eq!(ids.len(), after.len(), "{name}: ids are unique");

    for key in ["router_settings", "litellm_settings"] {
        let mut b = section(original, key);
        let mut a = section(rendered, key);
        fallbacks_as_map(&mut b);
        fallbacks_as_map(&mut a);
        assert_eq!(norm_map(&b), norm_map(&a), "{name}: {key}");
    }
    // litegate sets store_model_in_db itself, with a database.
    let mut b = section(original, "general_settings");
    let a = section(rendered, "general_settings");
    if b.get("store_model_in_db") == Some(&json!(true)) && !b.contains_key("database_url") {
        // LiteLLM reads $DATABASE_URL; the spec says so.
        b.insert("database_url".into(), json!("os.environ/DATABASE_URL"));
    }
    if b.contains_key("database_url") {
        b.insert("store_model_in_db".into(), json!(true));
    } else {
        b.remove("store_model_in_db");
    }
    if !b.contains_key("master_key") {
        b.insert("master_key".into(), json!("os.environ/LITELLM_MASTER_KEY"));
    }
    assert_eq!(norm_map(&b), norm_map(&a), "{name}: general_settings");
}

#[test]
fn every_config_in_the_corpus_round_trips() {
    for file in corpus() {
        let (spec, warnings) = import(&file);
        let stem = file
            .file_stem()
            .expect("stem")
            .to_string_lossy()
            .into_owned();
        insta::with_settings!({snapshot_path => "import", prepend_module_to_snapshot => false, omit_expression => true}, {
            insta::assert_snapshot!(format!("{stem}.spec"), spec);
        });

        let source = SpecSource {
            path: root()
                .join("tests/import")
                .join(format!("{stem}.spec.yaml")),
            text: spec.clone(),
        };
        let compiled = match litegate::compile(&source, &AnyVar) {
            Ok(c) => c,
            Err(litegate::Error::Invalid(d)) => panic!(
                "{}: the imported spec does not compile:\n{}\n{spec}",
                file.display(),
                common::render_all(&d)
            ),
            Err(e) => panic!("{}: {e}", file.display()),
        };
        assert!(
            compiled.warnings.iter().all(|w| w.code.as_str() != "W003"),
            "{}: {:?}",
            file.display(),
            compiled.warnings
        );
        let text = std::fs::read_to_string(&file).expect("corpus file");
        // As PyYAML reads it: whatever the number of comments in a row (serde-saphyr is
        // built without its `comments` feature, so comments are never events).
        let mut original: Value = serde_saphyr::from_str(&text).expect("corpus is YAML");
        with_includes(&file, &mut original);
        let gone = dropped(&warnings);
        if let Some(Value::Array(list)) = original.get_mut("model_list") {
            let mut i = 0;
            list.retain(|_| {
                i += 1;
                !gone.contains(&(i - 1))
            });
        }
        let rendered: Value =
            serde_saphyr::from_str(&compiled.rendered.config_yaml).expect("config.yaml");
        assert_equivalent(&file, &original, &rendered);

        // environment_variables move into the Secret, by name.
        let secret = compiled
            .rendered
            .objects
            .iter()
            .find(|o| o.kind() == "Secret")
            .map(|o| o.to_yaml().expect("yaml"))
            .unwrap_or_default();
        for name in original["environment_variables"]
            .as_object()
            .into_iter()
            .flatten()
            .map(|(k, _)| k)
        {
            assert!(
                secret.contains(&format!("  {name}: ")),
                "{}: {name} not in the Secret",
                file.display()
            );
        }

        // Literal keys in the corpus are marked: none may leave the config, not even into
        // what rendering the imported spec gives.
        let objects: Vec<String> = compiled
            .rendered
            .objects
            .iter()
            .map(|o| o.to_yaml().expect("yaml"))
            .collect();
        for out in [&spec, &warnings, &compiled.rendered.config_yaml]
            .into_iter()
            .chain(&objects)
        {
            assert!(
                !out.contains("LITERAL"),
                "{}: a literal secret was copied:\n{out}",
                file.display()
            );
        }
    }
}

/// `os.environ/NAME`, or `Bearer os.environ/NAME` as LiteLLM's pass-through headers take it.
fn is_reference(s: &str) -> bool {
    s.split_once("os.environ/").is_some_and(|(head, _)| {
        ["", "bearer ", "basic ", "token "].contains(&head.to_ascii_lowercase().as_str())
    })
}

/// Where a spec holds something that may be a secret: a value `is_secret_value` flags, a
/// key it flags, or any scalar but a boolean under a secret-shaped key. Allowed: an
/// `os.environ/NAME` reference, and the NAME of an `{env: NAME}` source.
fn secrets_in(value: &Value, path: &str, under_secret: bool, out: &mut Vec<String>) {
    match value {
        Value::String(s) if is_reference(s) => {}
        Value::String(s) if under_secret || is_secret_value(s) => out.push(path.to_owned()),
        Value::Number(_) if under_secret => out.push(path.to_owned()),
        Value::Object(map) if map.len() == 1 && map.get("env").is_some_and(Value::is_string) => {}
        Value::Object(map) => {
            for (k, v) in map {
                let at = format!("{path}.{k}");
                if is_secret_value(k) {
                    out.push(format!("{at} (the key)"));
                }
                secrets_in(v, &at, under_secret || is_secret_name(k), out);
            }
        }
        Value::Array(items) => {
            for (i, v) in items.iter().enumerate() {
                secrets_in(v, &format!("{path}[{i}]"), under_secret, out);
            }
        }
        _ => {}
    }
}

#[test]
fn no_imported_spec_holds_a_secret() {
    for file in corpus() {
        let (spec, _) = import(&file);
        let tree: Value = serde_saphyr::from_str(&spec).expect("the spec is YAML");
        let mut found = Vec::new();
        secrets_in(&tree, "", false, &mut found);
        assert!(
            found.is_empty(),
            "{}: the spec holds what may be a secret at {found:?}:\n{spec}",
            file.display()
        );
    }
}

#[test]
fn credentials_in_headers_and_settings_move_to_named_variables() {
    let (spec, warnings) = import(&root().join("tests/import/gateway-headers.yaml"));
    for expected in [
        "Authorization: os.environ/OPENAI_EXTRA_HEADERS_AUTHORIZATION",
        "X-Team: ml-platform",
        "Ocp-Apim-Subscription-Key: os.environ/AZURE_EXTRA_HEADERS_OCP_APIM_SUBSCRIPTION_KEY",
        "X-Api-Key: os.environ/VLLM_GATEWAY_KEY",
        "    OPENAI_EXTRA_HEADERS_AUTHORIZATION:\n      env: OPENAI_EXTRA_HEADERS_AUTHORIZATION",
        "    VLLM_GATEWAY_KEY:\n      env: VLLM_GATEWAY_KEY",
        "    credentials:\n      client_secret:\n        env: AZURE_2_CLIENT_SECRET",
    ] {
        assert!(spec.contains(expected), "{expected}:\n{spec}");
    }
    // One literal shared by two models is one variable and one warning.
    assert_eq!(
        warnings
            .matches("export OPENAI_EXTRA_HEADERS_AUTHORIZATION")
            .count(),
        1,
        "{warnings}"
    );
    assert!(
        warnings.contains("model_list[2].litellm_params.extra_headers.Ocp-Apim-Subscription-Key: a literal secret, not copied into the spec"),
        "{warnings}"
    );

    let (spec, warnings) = import(&root().join("tests/import/alerting-webhooks.yaml"));
    for expected in [
        "redis_url: os.environ/REDIS_URL",
        "slack_webhook_url: os.environ/SLACK_WEBHOOK_URL",
        "- os.environ/ALERT_TO_WEBHOOK_URL_BUDGET_ALERTS_0",
        "- os.environ/SLACK_FINANCE_WEBHOOK",
        "llm_exceptions: os.environ/ALERT_TO_WEBHOOK_URL_LLM_EXCEPTIONS",
        "clientId: litellm-prod",
        "clientSecret: os.environ/CALLBACK_SETTINGS_AUDIT_SINK_CLIENT_SECRET",
        "langfuse_secret: os.environ/DEFAULT_TEAM_SETTINGS_0_LANGFUSE_SECRET",
        "Authorization: bearer os.environ/COHERE_API_KEY",
        "x-api-key: os.environ/PASS_THROUGH_ENDPOINTS_1_HEADERS_X_API_KEY",
        "prefix_for_stored_virtual_keys: litellm/",
        "- ANTHROPIC_API_KEY",
    ] {
        assert!(spec.contains(expected), "{expected}:\n{spec}");
    }
    // The provider's key is already in the container: no second COHERE_API_KEY (E019).
    assert!(!spec.contains("    COHERE_API_KEY:\n"), "{spec}");
    for var in [
        "REDIS_URL",
        "SLACK_WEBHOOK_URL",
        "ALERT_TO_WEBHOOK_URL_BUDGET_ALERTS_0",
    ] {
        assert!(
            warnings.contains(&format!("export {var} ")),
            "{var}: {warnings}"
        );
    }
}

/// A URL whose credentials cannot be split off is refused, at its place, without quoting it.
#[test]
fn urls_with_credentials_are_refused_without_quoting_them() {
    let dir = tempfile::tempdir().expect("tempdir");
    let model = |base: &str| {
        format!(
            "model_list:\n  - model_name: m\n    litellm_params:\n      model: openai/llama\n      api_base: {base}\n"
        )
    };
    let cases = [
        (
            "userinfo.yaml",
            model("https://svc:hunter2pw@llm.internal/v1"),
            "hunter2pw",
        ),
        (
            "query.yaml",
            model("https://llm.internal/v1?api-key=q8s7r6p5o4"),
            "q8s7r6p5o4",
        ),
    ];
    for (file, text, secret) in cases {
        std::fs::write(dir.path().join(file), text).expect("write");
        let out = litegate_in(
            dir.path(),
            &["import", file, "-o", "spec.yaml"],
            &[("INTERNAL_LLM_URL", "https://svc:envpw7788@llm.internal/v1")],
        );
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{file}: {err}");
        assert!(
            err.contains("model_list[0].litellm_params.api_base: ")
                && err.contains("move the credential into a header"),
            "{file}: {err}"
        );
        assert!(
            !err.contains(secret) && !err.contains("llm.internal"),
            "{file}: {err}"
        );
        assert!(!dir.path().join("spec.yaml").exists(), "{file}: written");
    }
}

/// `api_base: os.environ/X` stays a reference the pod resolves: import never reads X (it
/// may differ per environment, or carry a credential), the spec says `{env: X}`, and the
/// Deployment gives the pod X from a ConfigMap, never the Secret.
#[test]
fn endpoints_from_the_environment_stay_references_and_are_never_read() {
    let dir = tempfile::tempdir().expect("tempdir");
    let text = "model_list:\n  - model_name: m\n    litellm_params:\n      model: azure/gpt-4o\n      api_base: os.environ/INTERNAL_LLM_URL\n      api_version: os.environ/AZURE_API_VERSION\n      api_key: os.environ/AZURE_API_KEY\n";
    std::fs::write(dir.path().join("env.yaml"), text).expect("write");
    let out = litegate_in(
        dir.path(),
        &["import", "env.yaml", "-o", "spec.yaml"],
        &[("INTERNAL_LLM_URL", "https://svc:envpw7788@llm.internal/v1")],
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{err}");
    let spec = std::fs::read_to_string(dir.path().join("spec.yaml")).expect("spec");
    for out in [&spec, &err.to_string()] {
        assert!(
            !out.contains("envpw7788") && !out.contains("llm.internal"),
            "{out}"
        );
    }
    assert!(
        spec.contains("apiBase:\n      env: INTERNAL_LLM_URL"),
        "{spec}"
    );
    assert!(
        spec.contains("apiVersion:\n      env: AZURE_API_VERSION"),
        "{spec}"
    );
    assert!(
        spec.contains("configEnv:\n    AZURE_API_VERSION:\n      configMap: litellm-env\n"),
        "{spec}"
    );
    let source = SpecSource {
        path: dir.path().join("spec.yaml"),
        text: spec.clone(),
    };
    let compiled = litegate::compile(&source, &AnyVar).expect("the spec renders");
    let config = &compiled.rendered.config_yaml;
    assert!(
        config.contains("api_base: os.environ/INTERNAL_LLM_URL"),
        "{config}"
    );
    assert!(
        config.contains("api_version: os.environ/AZURE_API_VERSION"),
        "{config}"
    );
    let objects: Vec<String> = compiled
        .rendered
        .objects
        .iter()
        .map(|o| o.to_yaml().expect("yaml"))
        .collect();
    let secret = objects
        .iter()
        .find(|o| o.contains("kind: Secret"))
        .expect("a Secret");
    assert!(!secret.contains("INTERNAL_LLM_URL"), "{secret}");
    let deployment = objects
        .iter()
        .find(|o| o.contains("kind: Deployment"))
        .expect("a Deployment");
    assert!(
        deployment.contains("- name: INTERNAL_LLM_URL\n          valueFrom:\n            configMapKeyRef:\n              key: INTERNAL_LLM_URL\n              name: litellm-env\n              optional: false"),
        "{deployment}"
    );
}

/// A YAML error shows where it is, and the lines around it masked, never the key on them.
#[test]
fn yaml_errors_never_quote_the_config() {
    let dir = tempfile::tempdir().expect("tempdir");
    let key = "sk-proj-yamlerror-LITERAL-0123456789";
    std::fs::write(
        dir.path().join("config.yaml"),
        format!(
            "model_list:\n  - model_name: gpt-4o\n    litellm_params:\n      api_key: {key}\n      model: [openai/gpt-4o\n"
        ),
    )
    .expect("write");
    let out = litegate_in(dir.path(), &["import", "config.yaml"], &[]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("the file is not YAML"), "{err}");
    assert!(err.contains("line 5"), "{err}");
    assert!(
        !err.contains("LITERAL") && !err.contains("sk-proj"),
        "{err}"
    );
    assert!(
        err.contains("litellm_params:"),
        "the snippet shows what is safe: {err}"
    );
}

/// Secrets of every other shape: a number under a secret name, a service account given as a
/// mapping, a secret-named param LiteLLM does not know.
#[test]
fn secrets_of_any_shape_are_never_copied() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(
        dir.path().join("config.yaml"),
        "model_list:\n  - model_name: gemini\n    litellm_params:\n      model: vertex_ai/gemini-2.5-pro\n      vertex_project: acme\n      vertex_location: europe-west4\n      vertex_credentials:\n        type: service_account\n        private_key_id: LITERAL-pkid-0a1b\n        private_key: \"-----BEGIN PRIVATE KEY-----\\nLITERAL\\n-----END PRIVATE KEY-----\\n\"\n      apiSecret: LITERAL-camel-9f8e\n\
         general_settings:\n  master_key: os.environ/LITELLM_MASTER_KEY\n\
         litellm_settings:\n  cache: true\n  cache_params: {type: redis, host: redis, password: 73510046}\n",
    )
    .expect("write");
    let out = litegate_in(
        dir.path(),
        &["import", "config.yaml", "-o", "spec.yaml"],
        &[],
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{err}");
    let spec = std::fs::read_to_string(dir.path().join("spec.yaml")).expect("spec");
    for text in [&spec, &err.to_string()] {
        assert!(
            !text.contains("LITERAL") && !text.contains("73510046"),
            "{text}"
        );
    }
    assert!(
        spec.contains("vertex_credentials:\n        env: VERTEX_AI_VERTEX_CREDENTIALS"),
        "{spec}"
    );
    assert!(err.contains("export VERTEX_AI_VERTEX_CREDENTIALS"), "{err}");
    assert!(
        spec.contains("password: os.environ/CACHE_PARAMS_PASSWORD"),
        "{spec}"
    );
    let tree: Value = serde_saphyr::from_str(&spec).expect("yaml");
    let mut found = Vec::new();
    secrets_in(&tree, "", false, &mut found);
    assert!(found.is_empty(), "{found:?}");
}

#[test]
fn literal_keys_are_named_in_warnings_never_copied() {
    let (spec, warnings) = import(&root().join("tests/import/literal-keys.yaml"));
    assert!(
        spec.contains("apiKey:\n      env: OPENAI_API_KEY"),
        "{spec}"
    );
    assert!(
        warnings.contains("model_list[0].litellm_params.api_key: a literal secret, not copied into the spec: providers.openai.apiKey reads it from $OPENAI_API_KEY"),
        "{warnings}"
    );
    assert!(
        warnings.contains("general_settings.master_key: a literal secret, not copied into the spec: deployment.masterKey reads it from $LITELLM_MASTER_KEY"),
        "{warnings}"
    );
    // One literal used by two models is one provider and one warning.
    assert_eq!(warnings.matches("$OPENAI_API_KEY").count(), 1, "{warnings}");
}

#[test]
fn bad_configs_are_refused_with_the_path_and_nothing_written() {
    let dir = tempfile::tempdir().expect("tempdir");
    let cases = [
        (
            "not-yaml.yaml",
            "model_list: [unclosed\n",
            "the file is not YAML",
        ),
        ("list.yaml", "- a\n- b\n", "its top level is not a mapping"),
        (
            "no-models.yaml",
            "general_settings: {}\n",
            "model_list: missing or empty, and no database to keep models in",
        ),
        (
            "empty-models.yaml",
            "model_list: []\n",
            "model_list: missing or empty, and no database to keep models in",
        ),
        (
            "no-name.yaml",
            "model_list:\n  - litellm_params: {model: openai/gpt-4o}\n",
            "model_list[0]: has no `model_name` string",
        ),
        (
            "typo.yaml",
            "model_list:\n  - model_name: x\n    litellm_params: {model: opnai/gpt-4o}\n",
            "model_list[0].litellm_params.model: unknown provider prefix \"opnai\" (did you mean \"openai\"?): LiteLLM 1.106.2 cannot tell its provider either, and drops model \"x\" at start",
        ),
        (
            "bare.yaml",
            "model_list:\n  - model_name: x\n    litellm_params: {model: gpt-4o-typo}\n",
            "\"gpt-4o-typo\" has no provider prefix, and LiteLLM's model map does not know it",
        ),
    ];
    for (file, text, expected) in cases {
        std::fs::write(dir.path().join(file), text).expect("write");
        let out = litegate_in(dir.path(), &["import", file, "-o", "spec.yaml"], &[]);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{file}: {err}");
        assert!(err.contains(expected), "{file}: {err}");
        assert!(
            !dir.path().join("spec.yaml").exists(),
            "{file}: something was written"
        );
    }
}

#[test]
fn import_writes_atomically_and_its_output_validates() {
    let dir = tempfile::tempdir().expect("tempdir");
    let config = root().join("tests/import/azure-load-balanced.yaml");
    let out = litegate_in(
        dir.path(),
        &[
            "import",
            &config.display().to_string(),
            "-o",
            "gateway.yaml",
            "--name",
            "llm",
        ],
        &[],
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let written = std::fs::read_to_string(dir.path().join("gateway.yaml")).expect("written");
    assert!(written.starts_with("# yaml-language-server: $schema="));
    assert!(written.contains("metadata:\n  name: llm\n"));
    let leftovers: Vec<_> = std::fs::read_dir(dir.path())
        .expect("dir")
        .map(|e| e.expect("entry").file_name())
        .collect();
    assert_eq!(leftovers.len(), 1, "{leftovers:?}");
    let check = litegate_in(
        dir.path(),
        &["validate", "--strict", "--skip-secrets", "gateway.yaml"],
        &[],
    );
    assert_eq!(
        check.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&check.stderr)
    );
}

/// A setting named like a key but not a secret passes through as it is, and validates.
#[test]
fn settings_that_only_mention_keys_or_tokens_are_not_taken_for_secrets() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(
        dir.path().join("config.yaml"),
        "model_list:\n  - model_name: m\n    litellm_params: {model: openai/gpt-4o, api_key: os.environ/OPENAI_API_KEY}\n\
         general_settings:\n  master_key: os.environ/LITELLM_MASTER_KEY\n  key_management_system: aws_kms\n\
         litellm_settings:\n  cache_params: {type: redis, password: hunter2-LITERAL}\n",
    )
    .expect("write");
    let out = litegate_in(
        dir.path(),
        &["import", "config.yaml", "-o", "spec.yaml"],
        &[],
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{err}");
    let spec = std::fs::read_to_string(dir.path().join("spec.yaml")).expect("spec");
    assert!(spec.contains("key_management_system: aws_kms"), "{spec}");
    assert!(!err.contains("key_management_system"), "{err}");
    assert!(
        spec.contains("password: os.environ/CACHE_PARAMS_PASSWORD"),
        "{spec}"
    );
    assert!(!spec.contains("LITERAL") && !err.contains("LITERAL"));
    let check = litegate_in(
        dir.path(),
        &["validate", "--skip-secrets", "spec.yaml"],
        &[],
    );
    assert_eq!(
        check.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&check.stderr)
    );
}

/// `--explain` tells, per entry, what became of it and why, and quotes no secret.
#[test]
fn explain_tells_each_entry_s_fate() {
    let file = root().join("tests/import/unprefixed-models.yaml");
    let out = litegate_in(
        &root(),
        &["import", "--explain", &file.display().to_string()],
        &[],
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{err}");
    assert!(
        err.starts_with(
            "model_list[0] \"gpt-4o\": kept as models[0] on provider openai\n  inferred: "
        ),
        "{err}"
    );
    assert!(
        err.contains("model_list[4] \"command\": skipped\n  dropped: model_list[4].litellm_params.model: \"command-r\""),
        "{err}"
    );
    assert!(
        err.contains("model_list[5] \"embeddings\": kept as models[4] on provider openai"),
        "{err}"
    );
}

/// Sections the spec cannot carry are named with what to do, and the models still import.
#[test]
fn mcp_servers_are_named_with_what_to_do() {
    let dir = tempfile::tempdir().expect("tempdir");
    let text = "model_list:\n  - model_name: m\n    litellm_params: {model: openai/gpt-4.1, api_key: os.environ/OPENAI_API_KEY}\nmcp_servers:\n  wiki: {url: 'https://mcp.example.com/mcp', transport: http}\n";
    std::fs::write(dir.path().join("mcp.yaml"), text).expect("write");
    let out = litegate_in(dir.path(), &["import", "mcp.yaml"], &[]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{err}");
    assert!(
        err.contains("mcp_servers: not imported: MCP servers are not in the spec: with a database, add them through LiteLLM's UI"),
        "{err}"
    );
}

/// A bare `*` route is one LiteLLM serves (provider inferred per request): imported on a
/// provider without type, which says so, and never called dropped.
#[test]
fn a_bare_wildcard_route_is_imported_on_a_provider_without_type() {
    let dir = tempfile::tempdir().expect("tempdir");
    let text = "model_list:\n  - model_name: gpt-4o\n    litellm_params: {model: openai/gpt-4o, api_key: os.environ/OPENAI_API_KEY}\n  - model_name: '*'\n    litellm_params: {model: '*'}\n  - model_name: 'openai/*'\n    litellm_params: {model: 'openai/*', api_key: os.environ/OPENAI_API_KEY}\n";
    std::fs::write(dir.path().join("wild.yaml"), text).expect("write");
    let out = litegate_in(dir.path(), &["import", "wild.yaml"], &[]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{err}");
    assert!(
        err.contains("model_list[1].litellm_params.model: a bare \"*\" route: LiteLLM sends each request to the provider it infers"),
        "{err}"
    );
    assert!(!err.contains("drops"), "{err}");
    let spec: Value = serde_saphyr::from_str(&String::from_utf8_lossy(&out.stdout)).expect("spec");
    assert_eq!(spec["models"].as_array().map(Vec::len), Some(3), "{spec}");
    assert_eq!(spec["models"][1]["provider"], "any", "{spec}");
    assert_eq!(spec["models"][1]["model"], "*", "{spec}");
    assert_eq!(spec["providers"]["any"], json!({}), "{spec}");
    assert_eq!(spec["models"][2]["model"], "*", "{spec}");
    assert_eq!(spec["providers"]["openai"]["type"], "openai", "{spec}");
}

/// `fallbacks` items that are not `{name: [names]}` stop LiteLLM's router at start (its
/// `validate_fallbacks`): refused with LiteLLM's reason. In `context_window_fallbacks`
/// LiteLLM passes over them: left out, and said.
#[test]
fn malformed_fallbacks_are_refused_as_litellm_refuses_them() {
    let models = "model_list:\n  - model_name: a\n    litellm_params: {model: openai/gpt-4o, api_key: os.environ/OPENAI_API_KEY}\n  - model_name: b\n    litellm_params: {model: openai/gpt-4o-mini, api_key: os.environ/OPENAI_API_KEY}\n";
    let refused = litegate::import::import(
        &format!("{models}router_settings:\n  fallbacks: [b]\n"),
        "litellm",
        Path::new("config.yaml"),
        &|_: &Path| Err("no includes".into()),
    )
    .expect_err("refused");
    assert_eq!(
        refused.0,
        [
            "router_settings.fallbacks[0]: is not a {name: [names]} mapping: LiteLLM refuses it too, and its router does not start (\"Item ... is not a dictionary\")"
        ]
    );
    let kept = litegate::import::import(
        &format!("{models}router_settings:\n  context_window_fallbacks: [b, {{a: [b]}}]\n"),
        "litellm",
        Path::new("config.yaml"),
        &|_: &Path| Err("no includes".into()),
    )
    .expect("imported");
    assert!(
        kept.warnings.iter().any(|w| w == "router_settings.context_window_fallbacks[0]: is not a {name: [names]} mapping, and LiteLLM passes over it: not imported"),
        "{:?}",
        kept.warnings
    );
    assert!(
        kept.spec
            .contains("contextWindowFallbacks:\n    a:\n    - b\n"),
        "{}",
        kept.spec
    );
}

/// A param of a type LiteLLM's annotation does not allow (a list for `drop_params`, which
/// LiteLLM tests with `is True`) is left out with why, never carried into a spec that
/// `validate` refuses (E037).
#[test]
fn a_param_of_the_wrong_type_is_left_out_with_why() {
    let config = "model_list:\n  - model_name: kimi\n    litellm_params:\n      model: openai/kimi-k2\n      api_key: os.environ/OPENAI_API_KEY\n      drop_params: [temperature]\n      weight: 2\n";
    let imported =
        litegate::import::import(config, "litellm", Path::new("config.yaml"), &|_: &Path| {
            Err("no includes".into())
        })
        .expect("imported");
    assert!(
        imported.warnings.iter().any(|w| w.starts_with("model_list[0].litellm_params.drop_params: not imported: \"drop_params\" is a boolean or a string in LiteLLM")),
        "{:?}",
        imported.warnings
    );
    assert!(!imported.spec.contains("drop_params"), "{}", imported.spec);
    assert!(imported.spec.contains("weight: 2"), "{}", imported.spec);
}

#[test]
fn a_misspelt_param_is_not_imported_and_the_known_one_is_suggested() {
    let config = "model_list:\n  - model_name: gpt-4o\n    litellm_params:\n      model: openai/gpt-4o\n      api_key: os.environ/OPENAI_API_KEY\n      temprature: 0.2\n";
    let imported = litegate::import::import(
        config,
        "litellm",
        std::path::Path::new("config.yaml"),
        &|_| Err("no includes".into()),
    )
    .expect("imports");
    let warning = imported
        .warnings
        .iter()
        .find(|w| w.contains("temprature"))
        .expect("a warning about temprature");
    assert!(
        warning.ends_with("did you mean \"temperature\"?"),
        "{warning}"
    );
    assert!(!imported.spec.contains("temprature"), "{}", imported.spec);
}

/// A key repeated in one mapping: PyYAML, which LiteLLM reads with, keeps the last value;
/// import does the same and says where, instead of refusing a file LiteLLM loads.
#[test]
fn a_repeated_key_keeps_the_last_value_as_litellm_does_and_is_named() {
    let dir = tempfile::tempdir().expect("tempdir");
    let text = "model_list:\n  - model_name: gpt-4o\n    litellm_params: {model: openai/gpt-4o, api_key: os.environ/OPENAI_API_KEY}\nlitellm_settings:\n  num_retries: 1\nlitellm_settings:\n  num_retries: 4\n";
    std::fs::write(dir.path().join("dup.yaml"), text).expect("write");
    let out = litegate_in(dir.path(), &["import", "dup.yaml"], &[]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{err}");
    assert!(
        err.contains("a key is repeated in one mapping (first at line 6)"),
        "{err}"
    );
    let spec = String::from_utf8_lossy(&out.stdout);
    assert!(
        spec.contains("num_retries: 4"),
        "the last value wins: {spec}"
    );
    assert!(!spec.contains("num_retries: 1"), "{spec}");
}

/// An ollama model with no api_base: LiteLLM sends it to http://localhost:11434; the spec
/// needs an apiBase (E011), so import writes LiteLLM's default and says what it means in a pod.
#[test]
fn ollama_without_api_base_gets_litellm_s_default_made_explicit() {
    let dir = tempfile::tempdir().expect("tempdir");
    let text = "model_list:\n  - model_name: llama\n    litellm_params: {model: ollama/llama3.2}\n";
    std::fs::write(dir.path().join("ollama.yaml"), text).expect("write");
    let out = litegate_in(
        dir.path(),
        &["import", "ollama.yaml", "-o", "gateway.yaml"],
        &[],
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{err}");
    assert!(
        err.contains("so LiteLLM uses http://localhost:11434: the spec now says so"),
        "{err}"
    );
    let valid = litegate_in(
        dir.path(),
        &["validate", "gateway.yaml"],
        &[(
            "LITELLM_MASTER_KEY",
            "sk-import-test-0123456789abcdef0123456789abcdef",
        )],
    );
    assert_eq!(
        valid.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&valid.stderr)
    );
}

#[test]
fn placeholder_keys_are_named_as_such_and_shared_literals_name_each_entry() {
    let (_, warnings) = import(&root().join("tests/import/local-servers.yaml"));
    assert!(
        warnings.contains(
            "model_list[0].litellm_params.api_key: a placeholder key (\"EMPTY\"), not a secret"
        ) && warnings.contains("export OPENAI_API_KEY=EMPTY before rendering"),
        "{warnings}"
    );
    assert!(
        warnings.contains("model_list[2].litellm_params.api_key: a placeholder key (\"none\")"),
        "{warnings}"
    );
    // The second provider with the same pasted key is named at its own entry.
    assert!(
        warnings.contains("model_list[4].litellm_params.api_key: a literal secret (the same literal as at model_list[3].litellm_params.api_key)"),
        "{warnings}"
    );
    assert!(!warnings.contains("LITERALKEY"), "{warnings}");
}

#[test]
fn an_endpoint_litellm_knows_gives_the_provider_before_its_model_map() {
    let (spec, warnings) = import(&root().join("tests/import/endpoint-inferred.yaml"));
    let spec: Value = serde_saphyr::from_str(&spec).expect("the spec is YAML");
    let types: Vec<&str> = ["groq", "together-ai", "openai"]
        .iter()
        .map(|p| spec["providers"][p]["type"].as_str().unwrap_or("(none)"))
        .collect();
    assert_eq!(types, ["groq", "together_ai", "openai"], "{spec}");
    assert_eq!(spec["models"].as_array().map(Vec::len), Some(3), "{spec}");
    assert!(!warnings.contains("drops model"), "{warnings}");
}

#[test]
fn models_of_a_registered_custom_provider_are_imported_with_its_type() {
    let (spec, warnings) = import(&root().join("tests/import/custom-providers.yaml"));
    let spec: Value = serde_saphyr::from_str(&spec).expect("the spec is YAML");
    assert_eq!(spec["providers"]["echo"]["type"], json!("echo"), "{spec}");
    assert_eq!(spec["models"].as_array().map(Vec::len), Some(3), "{spec}");
    assert!(
        warnings.contains("build an image with them (deployment.image)"),
        "{warnings}"
    );
}
