//! `litegate plan`: per-object changes and the verdict (none, live, rollout), in database
//! and database-less mode; the exact admin requests; plans against a `render -o` directory.

mod common;

use std::path::Path;
use std::process::Output;

use common::{DUMMY_ENV, MapEnvironment, compile_text};
use litegate::plan::{Change, Plan, Verdict, View, plan};

const BASE: &str = "\
apiVersion: litegate/v1alpha1
kind: Gateway
metadata:
  name: gw
  labels: {team: ai}
providers:
  openai:
    type: openai
    apiKey: {env: OPENAI_API_KEY}
  groq:
    type: groq
    apiKey: {env: GROQ_API_KEY}
models:
  - name: gpt-4o
    provider: openai
    model: gpt-4o-2024-08-06
    params: {temperature: 0.2}
  - name: llama
    provider: groq
    model: llama-3.3-70b-versatile
deployment:
  image: ghcr.io/berriai/litellm-database:v1.80.12-stable
  replicas: 2
  masterKey: {env: LITELLM_MASTER_KEY}
";

const DATABASE: &str =
    "  database:\n    url: {env: DATABASE_URL}\n    saltKey: {env: LITELLM_SALT_KEY}\n";

const EXTRA_MODEL: &str = "  - name: mini\n    provider: openai\n    model: gpt-4o-mini\n";

fn spec(database: bool, edit: impl Fn(String) -> String) -> String {
    let text = if database {
        format!("{BASE}{DATABASE}")
    } else {
        BASE.to_owned()
    };
    edit(text)
}

fn view(text: &str, env: &MapEnvironment) -> View {
    View::from_rendered(&compile_text(text, env).rendered).expect("view")
}

fn plan_of(database: bool, edit: impl Fn(String) -> String) -> Plan {
    let env = MapEnvironment::dummy();
    plan(
        &view(&spec(database, |s| s), &env),
        &view(&spec(database, edit), &env),
    )
}

fn change(p: &Plan, kind: &str) -> Change {
    p.objects
        .iter()
        .find(|o| o.kind == kind)
        .map(|o| o.change)
        .expect("kind listed")
}

fn add_model(s: String) -> String {
    s.replace("deployment:\n", &format!("{EXTRA_MODEL}deployment:\n"))
}

fn remove_model(s: String) -> String {
    s.replace(
        "  - name: llama\n    provider: groq\n    model: llama-3.3-70b-versatile\n",
        "",
    )
}

fn change_param(s: String) -> String {
    s.replace("temperature: 0.2", "temperature: 0.7")
}

fn bump_image(s: String) -> String {
    s.replace("v1.80.12-stable", "v1.81.0-stable")
}

fn scale(s: String) -> String {
    s.replace("replicas: 2", "replicas: 3")
}

fn relabel(s: String) -> String {
    s.replace("team: ai", "team: ml")
}

#[test]
fn model_edits_are_live_with_a_database_and_roll_without_one() {
    for edit in [add_model, remove_model, change_param] {
        let live = plan_of(true, edit);
        assert_eq!(live.verdict, Verdict::Live, "{}", live.to_text());
        assert!(live.reasons.is_empty());
        assert_eq!(change(&live, "Deployment"), Change::Unchanged);
        assert_eq!(change(&live, "ConfigMap"), Change::Changed);
        assert_eq!(live.requests.len(), 1);

        let rolled = plan_of(false, edit);
        assert_eq!(rolled.verdict, Verdict::Rollout, "{}", rolled.to_text());
        assert_eq!(rolled.reasons, ["checksum/config"]);
        assert!(rolled.requests.is_empty());
    }
    let removed = plan_of(true, remove_model);
    assert_eq!(removed.requests[0].path, "/model/delete");
    assert_eq!(
        removed.requests[0].body,
        serde_json::json!({"id": "llama--groq"})
    );
    let changed = plan_of(true, change_param);
    assert_eq!(
        (
            changed.requests[0].method,
            changed.requests[0].path.as_str()
        ),
        ("PATCH", "/model/gpt-4o--openai/update")
    );
    assert_eq!(changed.models.changed, ["gpt-4o--openai"]);
    assert_eq!(
        changed.requests[0].body["litellm_params"]["temperature"],
        serde_json::json!(0.7)
    );
}

#[test]
fn adding_one_model_in_database_mode_is_live_with_exactly_one_model_new() {
    let env = MapEnvironment::dummy();
    let old = compile_text(&spec(true, |s| s), &env).rendered;
    let new = compile_text(&spec(true, add_model), &env).rendered;
    let p = plan(
        &View::from_rendered(&old).unwrap(),
        &View::from_rendered(&new).unwrap(),
    );
    assert_eq!(p.verdict, Verdict::Live);
    assert_eq!(p.models.added, ["mini--openai"]);
    assert_eq!(p.requests.len(), 1);
    let request = &p.requests[0];
    assert_eq!(
        (request.method, request.path.as_str()),
        ("POST", "/model/new")
    );
    let mut body = request.body.clone();
    let digest = body["model_info"]
        .as_object_mut()
        .and_then(|info| info.remove("litegate_digest"))
        .expect("a digest");
    assert_eq!(digest.as_str().map(str::len), Some(64), "hex sha256");
    let stamp = body["model_info"]
        .as_object_mut()
        .and_then(|info| info.remove("litegate_config"))
        .expect("the config stamp");
    assert_eq!(stamp.as_str().map(str::len), Some(16), "64 bits of hex");
    assert_eq!(
        body,
        serde_json::json!({
            "model_name": "mini",
            "litellm_params": {"model": "openai/gpt-4o-mini", "api_key": "os.environ/OPENAI_API_KEY"},
            "model_info": {
                "id": "mini--openai",
                "managed_by": "litegate",
                "gateway": "gw",
                "litegate_keys": [
                    "litellm_params.api_key",
                    "litellm_params.model",
                    "model_info.gateway",
                    "model_info.id",
                    "model_info.litegate_config",
                    "model_info.managed_by",
                ],
            },
        })
    );
    let deployment = |r: &litegate::render::Rendered| {
        r.objects
            .iter()
            .find(|o| o.kind() == "Deployment")
            .unwrap()
            .to_yaml()
            .unwrap()
    };
    assert_eq!(
        deployment(&old),
        deployment(&new),
        "Deployment byte-identical"
    );
}

#[test]
fn live_requests_are_deletes_then_updates_then_adds_each_by_id() {
    let p = plan_of(true, |s| add_model(remove_model(change_param(s))));
    assert_eq!(p.verdict, Verdict::Live);
    let paths: Vec<_> = p.requests.iter().map(|r| r.path.as_str()).collect();
    assert_eq!(
        paths,
        [
            "/model/delete",
            "/model/gpt-4o--openai/update",
            "/model/new"
        ]
    );
}

/// LiteLLM's update endpoints merge: a param the spec no longer sets would stay in the
/// row, so dropping one replaces the row under the same id.
#[test]
fn dropping_a_param_replaces_the_row_under_the_same_id() {
    let p = plan_of(true, |s| s.replace("    params: {temperature: 0.2}\n", ""));
    assert_eq!(p.verdict, Verdict::Live);
    assert_eq!(p.models.changed, ["gpt-4o--openai"]);
    let shape: Vec<_> = p
        .requests
        .iter()
        .map(|r| (r.method, r.path.as_str(), r.model_id()))
        .collect();
    assert_eq!(
        shape,
        [
            ("POST", "/model/delete", "gpt-4o--openai"),
            ("POST", "/model/new", "gpt-4o--openai")
        ]
    );
    assert!(
        p.requests[1].body["litellm_params"]
            .get("temperature")
            .is_none()
    );
    assert!(
        p.notes
            .iter()
            .any(|n| n.starts_with("briefly missing: gpt-4o--openai on the one pod")),
        "{:?}",
        p.notes
    );
    let patched = plan_of(true, change_param);
    assert!(
        !patched.notes.iter().any(|n| n.contains("briefly missing")),
        "a PATCH leaves the model served: {:?}",
        patched.notes
    );
}

#[test]
fn rotating_one_key_rolls_by_checksum_secret_with_no_admin_request() {
    for database in [true, false] {
        let text = spec(database, |s| s);
        let old = view(&text, &MapEnvironment::dummy());
        let new = view(
            &text,
            &MapEnvironment::dummy().with_var("OPENAI_API_KEY", "dummy-rotated-1a2b3c"),
        );
        let p = plan(&old, &new);
        assert_eq!(p.verdict, Verdict::Rollout);
        assert_eq!(p.reasons, ["checksum/secret"]);
        assert!(p.requests.is_empty());
        assert_eq!(change(&p, "Secret"), Change::Changed);
        assert_eq!(change(&p, "ConfigMap"), Change::Unchanged);
        for out in [p.to_text(), p.to_json()] {
            assert!(!out.contains("dummy-rotated-1a2b3c"));
            assert_no_secret_value(&out);
        }
    }
}

#[test]
fn an_image_bump_rolls_by_image() {
    for database in [true, false] {
        let p = plan_of(database, bump_image);
        assert_eq!(p.verdict, Verdict::Rollout);
        assert_eq!(p.reasons, ["image"]);
    }
}

#[test]
fn replicas_and_labels_change_objects_but_restart_no_pod() {
    for database in [true, false] {
        let p = plan_of(database, scale);
        assert_eq!(p.verdict, Verdict::None, "{}", p.to_text());
        assert!(p.has_changes());
        assert_eq!(change(&p, "Deployment"), Change::Changed);

        let p = plan_of(database, relabel);
        assert_eq!(p.verdict, Verdict::None, "{}", p.to_text());
        assert!(
            p.objects.iter().all(|o| o.change == Change::Changed),
            "every object carries the labels"
        );
    }
}

#[test]
fn the_same_spec_plans_nothing() {
    for database in [true, false] {
        let p = plan_of(database, |s| s);
        assert_eq!(p.verdict, Verdict::None);
        assert!(!p.has_changes());
    }
}

fn assert_no_secret_value(text: &str) {
    for (name, value) in DUMMY_ENV {
        assert!(!text.contains(value), "the value of {name} leaked:\n{text}");
    }
}

/// `litegate ARGS` run in `cwd` with the dummy keys.
fn litegate(args: &[&str], cwd: &Path) -> Output {
    common::litegate_in(cwd, args, DUMMY_ENV)
}

#[test]
fn plan_against_a_rendered_directory_and_exit_codes() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    std::fs::write(dir.join("old.yaml"), spec(true, |s| s)).unwrap();
    std::fs::write(dir.join("new.yaml"), spec(true, add_model)).unwrap();
    let out = litegate(&["render", "old.yaml", "-o", "out"], dir);
    assert_eq!(out.status.code(), Some(0));

    let same = litegate(&["plan", "out", "old.yaml"], dir);
    assert_eq!(
        same.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&same.stderr)
    );
    assert!(String::from_utf8_lossy(&same.stdout).contains("verdict: none (nothing changes)"));

    let added = litegate(&["plan", "out", "new.yaml", "--format", "json"], dir);
    assert_eq!(added.status.code(), Some(3));
    let json: serde_json::Value = serde_json::from_slice(&added.stdout).unwrap();
    assert_eq!(json["verdict"], "live");
    assert_eq!(json["requests"].as_array().unwrap().len(), 1);
    assert_eq!(json["requests"][0]["path"], "/model/new");

    // A key rotated since the directory was rendered: only the checksum tells.
    let rotated_env: Vec<(&str, &str)> = DUMMY_ENV
        .iter()
        .map(|&(k, v)| {
            if k == "GROQ_API_KEY" {
                (k, "dummy-rotated-9z8y7x")
            } else {
                (k, v)
            }
        })
        .collect();
    let rotated = common::litegate_in(dir, &["plan", "out", "old.yaml"], &rotated_env);
    assert_eq!(rotated.status.code(), Some(3));
    let text = String::from_utf8_lossy(&rotated.stdout);
    assert!(text.contains("verdict: rollout"), "{text}");
    assert!(text.contains("checksum/secret"), "{text}");
    for out in [&same, &added, &rotated] {
        let all = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        assert_no_secret_value(&all);
        assert!(!all.contains("dummy-rotated-9z8y7x"));
    }
}

#[test]
fn invalid_input_exits_1_and_usage_exits_2() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    std::fs::write(dir.join("ok.yaml"), spec(true, |s| s)).unwrap();
    std::fs::write(dir.join("bad.yaml"), "kind: Nope\n").unwrap();
    assert_eq!(
        litegate(&["plan", "ok.yaml", "bad.yaml"], dir)
            .status
            .code(),
        Some(1)
    );
    assert_eq!(
        litegate(&["plan", "ok.yaml", "missing.yaml"], dir)
            .status
            .code(),
        Some(1)
    );
    std::fs::create_dir(dir.join("empty")).unwrap();
    assert_eq!(
        litegate(&["plan", "empty", "ok.yaml"], dir).status.code(),
        Some(1)
    );
    assert_eq!(litegate(&["plan", "ok.yaml"], dir).status.code(), Some(2));
}

#[test]
fn plan_snapshots() {
    let live = plan_of(true, |s| add_model(remove_model(change_param(s))));
    let rolled = plan_of(false, |s| bump_image(change_param(s)));
    insta::with_settings!({snapshot_path => "../snapshots"}, {
        insta::assert_snapshot!("plan-rollout-text", rolled.to_text());
        insta::assert_snapshot!("plan-live-json", live.to_json());
    });
}

#[test]
fn a_model_edit_names_the_field_with_its_old_and_new_value() {
    for database in [true, false] {
        let p = plan_of(database, change_param);
        let line = "models[gpt-4o].params.temperature: 0.2 -> 0.7";
        assert!(p.to_text().contains(line), "{}", p.to_text());
        let json: serde_json::Value = serde_json::from_str(&p.to_json()).expect("JSON");
        assert_eq!(
            json["models"]["fields"][0],
            serde_json::json!({"path": "models[gpt-4o].params.temperature", "old": 0.2, "new": 0.7})
        );
    }
}

#[test]
fn a_rotated_key_is_named_and_its_value_never_shown() {
    for database in [true, false] {
        let text = spec(database, |s| s);
        let old = view(
            &text,
            &MapEnvironment::dummy().with_var("OPENAI_API_KEY", "MARKER-OLD-VALUE-1"),
        );
        let new = view(
            &text,
            &MapEnvironment::dummy().with_var("OPENAI_API_KEY", "MARKER-NEW-VALUE-2"),
        );
        let p = plan(&old, &new);
        assert_eq!(p.secret_keys.changed, ["OPENAI_API_KEY"]);
        assert!(p.destructive.is_empty(), "{:?}", p.destructive);
        let text = p.to_text();
        assert!(
            text.contains("Secret key OPENAI_API_KEY changed (value not shown)"),
            "{text}"
        );
        let json = p.to_json();
        assert!(json.contains("\"OPENAI_API_KEY\""), "{json}");
        for out in [text, json] {
            assert!(!out.contains("MARKER-"), "{out}");
            assert_no_secret_value(&out);
        }
    }
}

#[test]
fn a_new_salt_key_is_flagged_destructive_for_the_stored_models() {
    let text = spec(true, |s| s);
    let old = view(&text, &MapEnvironment::dummy());
    let new = view(
        &text,
        &MapEnvironment::dummy().with_var("LITELLM_SALT_KEY", "MARKER-SALT-ROTATED-3"),
    );
    let p = plan(&old, &new);
    assert_eq!(p.secret_keys.changed, ["LITELLM_SALT_KEY"]);
    let text = p.to_text();
    assert!(
        text.contains("DESTRUCTIVE: LITELLM_SALT_KEY (deployment.database.saltKey) changed: every model stored in the database becomes unreadable"),
        "{text}"
    );
    let json = p.to_json();
    assert!(json.contains("\"destructive\""), "{json}");
    for out in [text, json] {
        assert!(!out.contains("MARKER-"), "{out}");
    }
}

#[test]
fn plan_dir_new_names_the_rotated_key_in_text_and_json() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path();
    std::fs::write(dir.join("gw.yaml"), spec(true, |s| s)).expect("write");
    let out = litegate(
        &["render", "gw.yaml", "-o", "out", "--plaintext-secret"],
        dir,
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let rotated_env: Vec<(&str, &str)> = DUMMY_ENV
        .iter()
        .map(|&(k, v)| {
            if k == "GROQ_API_KEY" {
                (k, "MARKER-GROQ-ROTATED-4")
            } else {
                (k, v)
            }
        })
        .collect();
    for (format, wanted) in [
        ("text", "Secret key GROQ_API_KEY changed (value not shown)"),
        ("json", "\"GROQ_API_KEY\""),
    ] {
        let out = common::litegate_in(
            dir,
            &["plan", "out", "gw.yaml", "--format", format],
            &rotated_env,
        );
        assert_eq!(
            out.status.code(),
            Some(3),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let all = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(all.contains(wanted), "{all}");
        assert!(!all.contains("MARKER-"), "{all}");
        assert_no_secret_value(&all);
    }
}

/// The rollout verdict says how fast pods go, from the new Deployment's strategy: "one at a
/// time" was printed whatever maxSurge was.
#[test]
fn a_rollout_says_how_many_pods_go_at_once() {
    let text = |p: &Plan| p.to_text();
    let image = |s: String| s.replace("v1.80.12-stable", "v1.80.13-stable");
    assert!(text(&plan_of(false, image)).contains("every pod is replaced, one at a time"));
    let surge = |s: String| {
        image(s).replace(
            "  replicas: 2\n",
            "  replicas: 2\n  rollout: {maxSurge: 3}\n",
        )
    };
    let printed = text(&plan_of(false, surge));
    assert!(
        printed.contains(
            "every pod is replaced, 3 at a time, none down before its replacement is ready"
        ),
        "{printed}"
    );
}
