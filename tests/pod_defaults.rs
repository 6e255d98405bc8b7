//! The pod defaults the real proxy and real clusters call for, one test per rule: what the
//! rollout drill and the boot measurements found (docs/pods.md).

mod common;

use common::{MapEnvironment, compile_text, render_all};
use serde_json::Value;

const SPEC: &str = "apiVersion: litegate/v1alpha1\nkind: Gateway\nmetadata: {name: gw}\nproviders:\n  openai: {type: openai, apiKey: {env: OPENAI_API_KEY}}\nmodels:\n  - {name: a, provider: openai, model: gpt-4o}\ndeployment:\n  masterKey: {env: LITELLM_MASTER_KEY}\n";

fn objects(deployment_extra: &str, models_extra: &str) -> Vec<Value> {
    let text = SPEC
        .replace(
            "model: gpt-4o}\n",
            &format!("model: gpt-4o{models_extra}}}\n"),
        )
        .replace("deployment:\n", &format!("deployment:\n{deployment_extra}"));
    let compiled = compile_text(&text, &MapEnvironment::dummy());
    compiled
        .rendered
        .objects
        .iter()
        .map(|o| serde_saphyr::from_str(&o.to_yaml().expect("yaml")).expect("value"))
        .collect()
}

fn kind<'a>(objects: &'a [Value], kind: &str) -> &'a Value {
    objects
        .iter()
        .find(|o| o["kind"] == kind)
        .unwrap_or_else(|| panic!("no {kind}"))
}

fn pod(objects: &[Value]) -> &Value {
    &kind(objects, "Deployment")["spec"]["template"]["spec"]
}

fn warnings(deployment_extra: &str, models_extra: &str) -> String {
    let text = SPEC
        .replace(
            "model: gpt-4o}\n",
            &format!("model: gpt-4o{models_extra}}}\n"),
        )
        .replace("deployment:\n", &format!("deployment:\n{deployment_extra}"));
    render_all(&compile_text(&text, &MapEnvironment::dummy()).warnings)
}

#[test]
fn service_links_are_off_so_a_service_named_like_a_setting_cannot_crash_the_proxy() {
    assert_eq!(pod(&objects("", ""))["enableServiceLinks"], false);
}

#[test]
fn the_budget_lets_one_pod_go_at_a_time_whatever_the_replica_count() {
    for extra in ["", "  autoscaling: {minReplicas: 2, maxReplicas: 8}\n"] {
        let all = objects(extra, "");
        let pdb = &kind(&all, "PodDisruptionBudget")["spec"];
        assert_eq!(pdb["maxUnavailable"], 1, "{extra}");
        assert!(pdb.get("minAvailable").is_none(), "{extra}");
    }
    let asked = objects("  replicas: 3\n  disruptionBudget: {minAvailable: 2}\n", "");
    assert_eq!(
        kind(&asked, "PodDisruptionBudget")["spec"]["minAvailable"],
        2
    );
}

#[test]
fn pods_spread_over_zones_and_nodes_counting_each_replica_set_apart() {
    let spread = pod(&objects("", ""))["topologySpreadConstraints"]
        .as_array()
        .expect("constraints")
        .clone();
    let keys: Vec<&str> = spread
        .iter()
        .map(|c| c["topologyKey"].as_str().expect("key"))
        .collect();
    assert_eq!(
        keys,
        ["topology.kubernetes.io/zone", "kubernetes.io/hostname"]
    );
    for c in &spread {
        assert_eq!(
            c["matchLabelKeys"],
            serde_json::json!(["pod-template-hash"])
        );
        assert_eq!(c["whenUnsatisfiable"], "ScheduleAnyway");
    }
}

/// Bytes in a quantity such as `3840Mi` or `1Gi`.
fn mib(q: &Value) -> u64 {
    let q = q.as_str().expect("quantity");
    if let Some(n) = q.strip_suffix("Mi") {
        n.parse().expect("number")
    } else if let Some(n) = q.strip_suffix("Gi") {
        n.parse::<u64>().expect("number") * 1024
    } else {
        panic!("unexpected quantity {q}")
    }
}

#[test]
fn memory_grows_with_workers_and_fits_what_they_were_measured_to_use() {
    // Measured idle and under 200 streams (MiB): 1 worker up to 508, 2 up to 1321.
    for (workers, measured_peak) in [(1u32, 508u64), (2, 1321), (4, 2370)] {
        let extra = if workers == 1 {
            String::new()
        } else {
            format!("  workers: {workers}\n")
        };
        let objects = objects(&extra, "");
        let resources = &pod(&objects)["containers"][0]["resources"];
        let limit = mib(&resources["limits"]["memory"]);
        let request = mib(&resources["requests"]["memory"]);
        assert!(
            limit >= measured_peak,
            "{workers} worker(s): limit {limit} MiB"
        );
        assert!(
            request >= 330 * u64::from(workers),
            "{workers} worker(s): request {request} MiB"
        );
    }
    let too_small = warnings("  workers: 4\n  resources: {limits: {memory: 1Gi}}\n", "");
    assert!(too_small.contains("warning[W007]"), "{too_small}");
    let enough = warnings("  workers: 4\n  resources: {limits: {memory: 3Gi}}\n", "");
    assert!(!enough.contains("W007"), "{enough}");
}

#[test]
fn the_grace_period_outlasts_the_longest_configured_request() {
    let derived = objects("", ", timeout: 120");
    // preStop 10 + the 120 s timeout + 5 s to exit.
    assert_eq!(pod(&derived)["terminationGracePeriodSeconds"], 135);
    assert_eq!(pod(&objects("", ""))["terminationGracePeriodSeconds"], 60);
    let short = warnings("  terminationGracePeriodSeconds: 60\n", ", timeout: 120");
    assert!(
        short.contains("warning[W006]")
            && short.contains("models[0].timeout lets a request run 120 s"),
        "{short}"
    );
}

#[test]
fn with_a_database_a_model_timeout_warns_instead_of_rolling_the_pods() {
    let database = "  database: {url: {env: DATABASE_URL}, saltKey: {env: LITELLM_SALT_KEY}}\n";
    let a = objects(database, ", timeout: 30");
    let b = objects(database, ", timeout: 300");
    assert_eq!(
        pod(&a)["terminationGracePeriodSeconds"],
        pod(&b)["terminationGracePeriodSeconds"]
    );
    let w = warnings(database, ", timeout: 300");
    assert!(
        w.contains("warning[W006]") && w.contains("an edit to it is live"),
        "{w}"
    );
}

#[test]
fn a_pinned_image_is_pulled_if_not_present_and_a_floating_one_always() {
    for (image, policy) in [
        ("ghcr.io/berriai/litellm:v1.80.12-stable", "IfNotPresent"),
        (
            "ghcr.io/berriai/litellm@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
            "IfNotPresent",
        ),
        ("ghcr.io/berriai/litellm:main-latest", "Always"),
    ] {
        let objects = objects(&format!("  image: \"{image}\"\n"), "");
        assert_eq!(
            pod(&objects)["containers"][0]["imagePullPolicy"],
            policy,
            "{image}"
        );
        let skips = kind(&objects, "Deployment")["metadata"]["annotations"].to_string();
        // checkov wants Always; a pinned image says why not, where a reviewer reads it.
        assert_eq!(
            skips.contains("CKV_K8S_15="),
            policy == "IfNotPresent",
            "{image}: {skips}"
        );
    }
}

#[test]
fn policy_annotations_false_drops_every_checkov_skip() {
    let with = objects("", "");
    assert!(
        with.iter()
            .any(|o| o.to_string().contains("checkov.io/skip"))
    );
    let without = objects("  policyAnnotations: false\n", "");
    for o in &without {
        assert!(!o.to_string().contains("checkov.io/"), "{o}");
    }
}

fn env_value<'a>(pod: &'a Value, name: &str) -> Option<&'a str> {
    pod["containers"][0]["env"]
        .as_array()?
        .iter()
        .find(|v| v["name"] == name)?["value"]
        .as_str()
}

/// Mount path -> volume name, for the emptyDir volumes only.
fn empty_dir_mounts(pod: &Value) -> Vec<(String, String)> {
    let empty: Vec<&str> = pod["volumes"]
        .as_array()
        .expect("volumes")
        .iter()
        .filter(|v| v.get("emptyDir").is_some())
        .map(|v| v["name"].as_str().expect("name"))
        .collect();
    pod["containers"][0]["volumeMounts"]
        .as_array()
        .expect("mounts")
        .iter()
        .filter(|m| empty.contains(&m["name"].as_str().expect("name")))
        .map(|m| {
            (
                m["mountPath"].as_str().expect("path").to_owned(),
                m["name"].as_str().expect("name").to_owned(),
            )
        })
        .collect()
}

#[test]
fn on_a_read_only_root_the_ui_and_assets_are_copied_to_empty_dirs_not_rewritten_in_place() {
    let all = objects("", "");
    let pod = pod(&all);
    assert_eq!(
        pod["containers"][0]["securityContext"]["readOnlyRootFilesystem"],
        true
    );
    // 1.80.12 rewrites site-packages at import without it (EROFS, then /ui/ 404).
    assert_eq!(env_value(pod, "LITELLM_NON_ROOT"), Some("true"));
    let mounts: Vec<String> = empty_dir_mounts(pod).into_iter().map(|(p, _)| p).collect();
    // The volume is the parent: LiteLLM's copy chmods its target, which uid 65534 may not
    // do on a volume's root (EPERM, measured), and 1.80.12 then rewrites site-packages.
    assert_eq!(mounts, ["/tmp", "/var/lib/litellm"]);
    for (var, path) in [
        ("LITELLM_UI_PATH", "/var/lib/litellm/ui"),
        ("LITELLM_ASSETS_PATH", "/var/lib/litellm/assets"),
    ] {
        // 1.80.12 hard-codes these paths, 1.106.2 reads the variable: both must agree.
        assert_eq!(env_value(pod, var), Some(path), "{var}");
    }
    assert_eq!(env_value(pod, "LITELLM_MIGRATION_DIR"), None);
}

#[test]
fn with_a_database_migrations_are_copied_to_an_empty_dir() {
    let database = "  database: {url: {env: DATABASE_URL}, saltKey: {env: LITELLM_SALT_KEY}}\n";
    let all = objects(database, "");
    let pod = pod(&all);
    assert_eq!(
        env_value(pod, "LITELLM_MIGRATION_DIR"),
        Some("/var/lib/litellm/migrations")
    );
    // Under the emptyDir, created by LiteLLM itself.
    assert!(
        empty_dir_mounts(pod)
            .iter()
            .any(|(p, _)| p == "/var/lib/litellm")
    );
}

#[test]
fn deployment_env_overrides_a_read_only_default_without_a_duplicate() {
    let all = objects("  env: {LITELLM_NON_ROOT: \"false\"}\n", "");
    let env = pod(&all)["containers"][0]["env"]
        .as_array()
        .expect("env")
        .clone();
    let named: Vec<&Value> = env
        .iter()
        .filter(|v| v["name"] == "LITELLM_NON_ROOT")
        .collect();
    assert_eq!(named.len(), 1, "{env:?}");
    assert_eq!(named[0]["value"], "false");
}

#[test]
fn with_a_database_prisma_caches_under_an_empty_dir_not_the_read_only_home() {
    // Measured (tests/e2e/boot_check.py, database mode): as uid 65534 with HOME=/ the
    // start-up's `prisma migrate deploy` makes its CLI and engine cache under
    // $HOME/.cache: `mkdir /.cache` = EROFS. With HOME on the emptyDir, every write lands there.
    let database = "  database: {url: {env: DATABASE_URL}, saltKey: {env: LITELLM_SALT_KEY}}\n";
    let all = objects(database, "");
    assert_eq!(env_value(pod(&all), "HOME"), Some("/var/lib/litellm"));
    // Without a database nothing is written under HOME (measured): the image's HOME stays.
    assert_eq!(env_value(pod(&objects("", "")), "HOME"), None);
}

fn millicores(q: &Value) -> u64 {
    let text = q
        .as_str()
        .map(str::to_owned)
        .unwrap_or_else(|| q.to_string());
    match text.strip_suffix('m') {
        Some(m) => m.parse().expect("millicores"),
        None => (text.parse::<f64>().expect("cores") * 1000.0) as u64,
    }
}

#[test]
fn from_two_workers_each_gets_the_cpu_to_answer_its_supervisor_while_it_starts() {
    // Measured (1.80.12, two workers, the pod capped at its request): uvicorn's supervisor
    // kills a worker that does not answer its ping within 5 s, and a worker importing
    // LiteLLM on 250m does not: at 500m for two the workers were killed and restarted for
    // 300 s and the pod never started; at 1 CPU it started in 23-25 s.
    for workers in [2u32, 4] {
        let all = objects(&format!("  workers: {workers}\n"), "");
        let cpu = millicores(&pod(&all)["containers"][0]["resources"]["requests"]["cpu"]);
        assert!(cpu >= 500 * u64::from(workers), "{workers} workers: {cpu}m");
    }
    let starved = warnings("  workers: 2\n  resources: {requests: {cpu: 500m}}\n", "");
    assert!(
        starved.contains("warning[W007]") && starved.contains("requests.cpu"),
        "{starved}"
    );
    let enough = warnings("  workers: 2\n  resources: {requests: {cpu: \"1\"}}\n", "");
    assert!(!enough.contains("W007"), "{enough}");
    // One worker has no supervisor to kill it.
    let single = warnings("  resources: {requests: {cpu: 100m}}\n", "");
    assert!(!single.contains("W007"), "{single}");
}

#[test]
fn a_service_account_asked_for_is_emitted_without_a_token_and_the_pods_use_it() {
    let asked = "  serviceAccount:\n    name: llm-gateway\n    annotations: {eks.amazonaws.com/role-arn: \"arn:aws:iam::111122223333:role/llm\"}\n";
    let all = objects(asked, "");
    let sa = kind(&all, "ServiceAccount");
    assert_eq!(sa["metadata"]["name"], "llm-gateway");
    assert_eq!(
        sa["metadata"]["annotations"]["eks.amazonaws.com/role-arn"],
        "arn:aws:iam::111122223333:role/llm"
    );
    assert_eq!(sa["automountServiceAccountToken"], false);
    assert_eq!(pod(&all)["serviceAccountName"], "llm-gateway");
    assert_eq!(pod(&all)["automountServiceAccountToken"], false);
    // Named after the gateway by default.
    let default = objects("  serviceAccount: {}\n", "");
    assert_eq!(kind(&default, "ServiceAccount")["metadata"]["name"], "gw");
    assert_eq!(pod(&default)["serviceAccountName"], "gw");
    // An existing one is referenced, not emitted.
    let existing = objects("  serviceAccountName: shared\n", "");
    assert!(existing.iter().all(|o| o["kind"] != "ServiceAccount"));
    assert_eq!(pod(&existing)["serviceAccountName"], "shared");
}
