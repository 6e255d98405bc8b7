//! The rollout rule as properties: a key change, and nothing else, rolls the pods; model
//! edits roll them only when LiteLLM cannot apply them live (no database).

mod common;

use std::collections::BTreeMap;

use common::{MapEnvironment, compile_text};
use litegate::render::Object;
use proptest::prelude::*;

#[derive(Debug, Clone)]
struct ModelGen {
    name: String,
    provider: usize,
    model: String,
    timeout: Option<u32>,
    temperature: Option<u8>,
}

const PROVIDERS: [(&str, &str, &str); 3] = [
    ("openai", "openai", "OPENAI_API_KEY"),
    ("anthropic", "anthropic", "ANTHROPIC_API_KEY"),
    ("groq", "groq", "GROQ_API_KEY"),
];

/// A spec's text from its parts; `order` permutes how the providers (and so the secret
/// sources) are written in the file.
fn spec_text(
    order: &[usize],
    labels: &BTreeMap<String, String>,
    models: &[ModelGen],
    database: bool,
) -> String {
    let mut s =
        String::from("apiVersion: litegate/v1alpha1\nkind: Gateway\nmetadata:\n  name: gw\n");
    if !labels.is_empty() {
        s.push_str("  labels:\n");
        for (k, v) in labels {
            s.push_str(&format!("    {k}: \"{v}\"\n"));
        }
    }
    s.push_str("providers:\n");
    for &i in order {
        let (name, ty, var) = PROVIDERS[i];
        s.push_str(&format!(
            "  {name}:\n    type: {ty}\n    apiKey: {{env: {var}}}\n"
        ));
    }
    s.push_str("models:\n");
    for m in models {
        s.push_str(&format!(
            "  - name: {}\n    provider: {}\n    model: \"{}\"\n",
            m.name, PROVIDERS[m.provider].0, m.model
        ));
        if let Some(t) = m.timeout {
            s.push_str(&format!("    timeout: {t}\n"));
        }
        if let Some(t) = m.temperature {
            s.push_str(&format!("    params: {{temperature: 0.{t}}}\n"));
        }
    }
    s.push_str("deployment:\n  image: ghcr.io/berriai/litellm-database:v1.80.12-stable\n");
    s.push_str("  masterKey: {env: LITELLM_MASTER_KEY}\n");
    if database {
        s.push_str("  database: {url: {env: DATABASE_URL}, saltKey: {env: LITELLM_SALT_KEY}}\n");
    }
    s
}

fn base_models() -> Vec<ModelGen> {
    vec![ModelGen {
        name: "chat".into(),
        provider: 0,
        model: "gpt-4o".into(),
        timeout: None,
        temperature: None,
    }]
}

fn model_strategy() -> impl Strategy<Value = Vec<ModelGen>> {
    prop::collection::btree_map(
        "[a-z][a-z0-9-]{0,10}[a-z0-9]",
        (
            0..3usize,
            "[a-z0-9][a-z0-9.:-]{0,15}",
            prop::option::of(1..600u32),
            prop::option::of(0..10u8),
        ),
        1..5,
    )
    .prop_map(|m| {
        m.into_iter()
            .map(|(name, (provider, model, timeout, temperature))| ModelGen {
                name,
                provider,
                model,
                timeout,
                temperature,
            })
            .collect()
    })
}

fn labels_strategy() -> impl Strategy<Value = BTreeMap<String, String>> {
    prop::collection::btree_map("[a-z][a-z0-9]{0,8}", "[a-z0-9]{1,8}", 0..4)
}

fn object_yaml(compiled: &litegate::Compiled, kind: &str) -> String {
    compiled
        .rendered
        .objects
        .iter()
        .find(|o| o.kind() == kind)
        .unwrap_or_else(|| panic!("no {kind}"))
        .to_yaml()
        .expect("serializes")
}

fn pod_annotation(compiled: &litegate::Compiled, key: &str) -> Option<String> {
    let deployment = compiled.rendered.deployment().expect("a Deployment");
    let template = deployment.spec.as_ref()?.template.metadata.as_ref()?;
    template.annotations.as_ref()?.get(key).cloned()
}

fn pod_template(compiled: &litegate::Compiled) -> String {
    let deployment = compiled.rendered.deployment().expect("a Deployment");
    serde_json::to_string(&deployment.spec.as_ref().expect("spec").template).expect("serializes")
}

fn all_orders() -> impl Strategy<Value = Vec<usize>> {
    Just(vec![0usize, 1, 2]).prop_shuffle()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn model_edit_never_changes_deployment_in_database_mode(models in model_strategy()) {
        let env = MapEnvironment::dummy();
        let base = compile_text(&spec_text(&[0, 1, 2], &BTreeMap::new(), &base_models(), true), &env);
        let edited = compile_text(&spec_text(&[0, 1, 2], &BTreeMap::new(), &models, true), &env);
        prop_assert_eq!(object_yaml(&base, "Deployment"), object_yaml(&edited, "Deployment"));
        prop_assert_eq!(pod_annotation(&edited, "checksum/config"), None);
        if base.rendered.config_yaml != edited.rendered.config_yaml {
            prop_assert_ne!(object_yaml(&base, "ConfigMap"), object_yaml(&edited, "ConfigMap"));
        }
    }

    #[test]
    fn model_edit_changes_config_checksum_without_database(models in model_strategy()) {
        let env = MapEnvironment::dummy();
        let base = compile_text(&spec_text(&[0, 1, 2], &BTreeMap::new(), &base_models(), false), &env);
        let edited = compile_text(&spec_text(&[0, 1, 2], &BTreeMap::new(), &models, false), &env);
        let changed = base.rendered.config_yaml != edited.rendered.config_yaml;
        let base_sum = pod_annotation(&base, "checksum/config");
        prop_assert!(base_sum.is_some());
        prop_assert_eq!(changed, base_sum != pod_annotation(&edited, "checksum/config"));
        // A model edit never touches the Secret's checksum.
        prop_assert_eq!(pod_annotation(&base, "checksum/secret"), pod_annotation(&edited, "checksum/secret"));
    }

    #[test]
    fn changing_any_key_value_changes_secret_checksum(
        which in 0..4usize,
        value in "[A-Za-z0-9_-]{1,40}",
        database in any::<bool>(),
    ) {
        let var = ["OPENAI_API_KEY", "ANTHROPIC_API_KEY", "GROQ_API_KEY", "DATABASE_URL"][which];
        let env = MapEnvironment::dummy();
        prop_assume!(env.vars[var] != value.as_bytes());
        prop_assume!(database || var != "DATABASE_URL");
        let text = spec_text(&[0, 1, 2], &BTreeMap::new(), &base_models(), database);
        let base = compile_text(&text, &env);
        let rotated = compile_text(&text, &env.clone().with_var(var, &value));
        prop_assert_ne!(pod_annotation(&base, "checksum/secret"), pod_annotation(&rotated, "checksum/secret"));
        // The rotation changes the Secret and the checksum, and nothing else in the output.
        prop_assert_eq!(object_yaml(&base, "ConfigMap"), object_yaml(&rotated, "ConfigMap"));
        prop_assert_eq!(object_yaml(&base, "Service"), object_yaml(&rotated, "Service"));
    }

    #[test]
    fn labels_secret_order_and_models_never_change_secret_checksum(
        labels in labels_strategy(),
        order in all_orders(),
        models in model_strategy(),
        database in any::<bool>(),
    ) {
        let env = MapEnvironment::dummy();
        let base = compile_text(&spec_text(&[0, 1, 2], &BTreeMap::new(), &base_models(), database), &env);
        let edited = compile_text(&spec_text(&order, &labels, &models, database), &env);
        prop_assert!(pod_annotation(&base, "checksum/secret").is_some());
        prop_assert_eq!(pod_annotation(&base, "checksum/secret"), pod_annotation(&edited, "checksum/secret"));
    }

    #[test]
    fn object_labels_and_secret_order_never_change_the_pod_template(
        labels in labels_strategy(),
        order in all_orders(),
        database in any::<bool>(),
    ) {
        let env = MapEnvironment::dummy();
        let base = compile_text(&spec_text(&[0, 1, 2], &BTreeMap::new(), &base_models(), database), &env);
        let relabelled = compile_text(&spec_text(&order, &labels, &base_models(), database), &env);
        prop_assert_eq!(pod_template(&base), pod_template(&relabelled));
    }

    #[test]
    fn rendering_twice_gives_identical_bytes(
        labels in labels_strategy(),
        order in all_orders(),
        models in model_strategy(),
        database in any::<bool>(),
    ) {
        let env = MapEnvironment::dummy();
        let text = spec_text(&order, &labels, &models, database);
        let first = litegate::emit::stream(&compile_text(&text, &env).rendered, "spec.yaml").expect("emits");
        let second = litegate::emit::stream(&compile_text(&text, &env).rendered, "spec.yaml").expect("emits");
        prop_assert_eq!(first, second);
    }
}

#[test]
fn autoscaling_emits_an_hpa_and_no_replicas() {
    let text = spec_text(&[0, 1, 2], &BTreeMap::new(), &base_models(), false)
        + "  autoscaling: {minReplicas: 2, maxReplicas: 5}\n";
    let compiled = compile_text(&text, &MapEnvironment::dummy());
    let kinds: Vec<&str> = compiled.rendered.objects.iter().map(Object::kind).collect();
    assert_eq!(
        kinds,
        [
            "ConfigMap",
            "Secret",
            "Service",
            "Deployment",
            "PodDisruptionBudget",
            "HorizontalPodAutoscaler"
        ]
    );
    let spec = compiled
        .rendered
        .deployment()
        .and_then(|d| d.spec.as_ref())
        .expect("spec");
    assert_eq!(spec.replicas, None);
}

#[test]
fn defaults_are_the_highly_available_shape() {
    let text = spec_text(&[0, 1, 2], &BTreeMap::new(), &base_models(), false);
    let compiled = compile_text(&text, &MapEnvironment::dummy());
    let deployment = object_yaml(&compiled, "Deployment");
    for expected in [
        "  replicas: 2\n",
        "      maxSurge: 1\n      maxUnavailable: 0\n    type: RollingUpdate\n",
        "          preStop:\n            sleep:\n              seconds: 10\n",
        "      terminationGracePeriodSeconds: 60\n",
        "            path: /health/liveliness\n",
        "            path: /health/readiness\n",
        "        - containerPort: 4000\n          name: http\n",
        "        - --config\n        - /etc/litellm/config.yaml\n        - --port\n        - \"4000\"\n",
    ] {
        assert!(
            deployment.contains(expected),
            "missing {expected:?} in\n{deployment}"
        );
    }
    assert!(object_yaml(&compiled, "PodDisruptionBudget").contains("  maxUnavailable: 1\n"));
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// The early size rule may only refuse what the exact rule would: its floor never
    /// exceeds the real config.yaml.
    #[test]
    fn config_size_floor_never_exceeds_the_rendered_config(models in model_strategy(), database in any::<bool>()) {
        let text = spec_text(&[0, 1, 2], &BTreeMap::new(), &models, database);
        let spec = litegate::parse::parse(&text).expect("parses");
        let compiled = compile_text(&text, &MapEnvironment::dummy());
        prop_assert!(litegate::validate::config_floor(&spec) <= compiled.rendered.config_yaml.len());
    }
}

#[test]
fn config_size_floor_holds_for_every_example() {
    for path in common::examples() {
        let text = std::fs::read_to_string(&path).expect("readable");
        let spec = litegate::parse::parse(&text).expect("parses");
        let compiled = compile_text(&text, &MapEnvironment::dummy());
        let (floor, real) = (
            litegate::validate::config_floor(&spec),
            compiled.rendered.config_yaml.len(),
        );
        assert!(floor <= real, "{}: floor {floor} > {real}", path.display());
        assert!(
            floor * 3 > real / 2,
            "{}: floor {floor} is too loose against {real} to be useful",
            path.display()
        );
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(32))]

    /// The admin API edits models only: a settings edit in database mode must roll the
    /// pods (`checksum/settings`), or running pods would keep the old settings unseen.
    #[test]
    fn settings_edit_rolls_pods_in_database_mode(retries in 0..10u32, timeout in 1..600u32, models in model_strategy()) {
        let env = MapEnvironment::dummy();
        let base_text = spec_text(&[0, 1, 2], &BTreeMap::new(), &base_models(), true);
        let base = compile_text(&base_text, &env);
        let edited_text = format!("{}router:\n  numRetries: {retries}\n  timeout: {timeout}\n", spec_text(&[0, 1, 2], &BTreeMap::new(), &models, true));
        let edited = compile_text(&edited_text, &env);
        prop_assert!(pod_annotation(&base, "checksum/settings").is_some());
        prop_assert_ne!(pod_annotation(&base, "checksum/settings"), pod_annotation(&edited, "checksum/settings"));
        // Models alone never touch it.
        let models_only = compile_text(&spec_text(&[0, 1, 2], &BTreeMap::new(), &models, true), &env);
        prop_assert_eq!(pod_annotation(&base, "checksum/settings"), pod_annotation(&models_only, "checksum/settings"));
        prop_assert_eq!(pod_annotation(&edited, "checksum/config"), None);
    }
}

/// The settings, env and secrets a spec may add beyond its models follow the same rule:
/// a passthrough setting is read at start (checksum/config without a database,
/// checksum/settings with one), a secretEnv value is a key (checksum/secret), and a plain
/// env var is part of the pod template.
#[test]
fn passthrough_env_and_secret_env_roll_the_pods_by_the_right_field() {
    let spec = |database: bool, cache: bool, offline: &str| {
        format!(
            "apiVersion: litegate/v1alpha1\nkind: Gateway\nmetadata: {{name: gw}}\n\
             providers:\n  openai: {{type: openai, apiKey: {{env: OPENAI_API_KEY}}}}\n\
             models:\n  - {{name: gpt-4o, provider: openai, model: gpt-4o}}\n\
             passthrough:\n  litellm_settings:\n    cache: {cache}\n    callbacks: [langfuse]\n\
             deployment:\n  image: ghcr.io/berriai/litellm-database:v1.80.12-stable\n\
             \x20 masterKey: {{env: LITELLM_MASTER_KEY}}\n\
             \x20 env: {{HF_HUB_OFFLINE: \"{offline}\"}}\n\
             \x20 secretEnv: {{LANGFUSE_SECRET_KEY: {{env: LANGFUSE_SECRET_KEY}}}}\n{}",
            if database {
                "  database: {url: {env: DATABASE_URL}, saltKey: {env: LITELLM_SALT_KEY}}\n"
            } else {
                ""
            }
        )
    };
    let env = MapEnvironment::dummy().with_var("LANGFUSE_SECRET_KEY", "dummy-langfuse-1f2e3d");
    for database in [false, true] {
        let base = compile_text(&spec(database, true, "1"), &env);
        let config = object_yaml(&base, "ConfigMap");
        assert!(
            config.contains("cache: true") && config.contains("- langfuse"),
            "{config}"
        );
        assert!(pod_template(&base).contains("{\"name\":\"HF_HUB_OFFLINE\",\"value\":\"1\"}"));

        let settings_key = if database {
            "checksum/settings"
        } else {
            "checksum/config"
        };
        let recached = compile_text(&spec(database, false, "1"), &env);
        assert_ne!(
            pod_annotation(&base, settings_key),
            pod_annotation(&recached, settings_key),
            "a passthrough edit must roll the pods (database: {database})"
        );
        assert_eq!(
            pod_annotation(&base, "checksum/secret"),
            pod_annotation(&recached, "checksum/secret")
        );

        let rotated = compile_text(
            &spec(database, true, "1"),
            &env.clone()
                .with_var("LANGFUSE_SECRET_KEY", "dummy-langfuse-rotated-9a8b"),
        );
        assert_ne!(
            pod_annotation(&base, "checksum/secret"),
            pod_annotation(&rotated, "checksum/secret"),
            "a secretEnv rotation must roll the pods"
        );
        assert_eq!(
            object_yaml(&base, "ConfigMap"),
            object_yaml(&rotated, "ConfigMap")
        );

        let online = compile_text(&spec(database, true, "0"), &env);
        assert_ne!(pod_template(&base), pod_template(&online));
        assert_eq!(
            pod_annotation(&base, "checksum/secret"),
            pod_annotation(&online, "checksum/secret")
        );
    }
}
