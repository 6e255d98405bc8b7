//! `litegate sync` against a stand-in for LiteLLM's model admin API.
//!
//! A STAND-IN, not LiteLLM: a database-backed LiteLLM cannot run here (prisma needs engine
//! downloads). The stand-in implements the contract as LiteLLM 1.106.2's source has it
//! (`proxy/proxy_server.py` `model_info_v1`, `model_management_endpoints.py` `add_new_model`,
//! `patch_model`, `update_model`, `delete_model`; see docs/live-updates.md):
//! - every call needs `Authorization: Bearer <master key>`, else 401;
//! - `GET /model/info` lists the router: config.yaml models, each replaced by the database
//!   row with the same `model_info.id` (the row wins), then the other rows; rows carry
//!   `model_info.db_model: true`; `api_key` and AWS keys are stripped from `litellm_params`;
//! - without a database every write answers 500 "No DB Connected";
//! - `POST /model/new` creates the row under `model_info.id` (500 if it exists);
//!   `PATCH /model/{id}/update` merges `litellm_params` and `model_info` into the row (404
//!   without a row); `POST /model/update` merges `litellm_params` only, and answers 400
//!   "Model in config" for an id only config.yaml has; `POST /model/delete` removes the row
//!   (400 without one).
//!
//! The real database-less proxy's error path is checked in tests/e2e/e2e.py.

mod common;

use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::process::Output;
use std::sync::{Arc, Mutex};

use common::litegate_in;
use serde_json::{Value, json};

const MASTER_KEY: &str = "sk-sync-test-master-6e1d0b9a7c5f3e2d4b6a8c0e1f3d5b7a";

const SPEC: &str = "\
apiVersion: litegate/v1alpha1
kind: Gateway
metadata:
  name: gw
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
    timeout: 30
  - name: legacy
    provider: groq
    model: llama3-70b-8192
deployment:
  image: ghcr.io/berriai/litellm-database:v1.80.12-stable
  masterKey: {env: LITELLM_MASTER_KEY}
  database:
    url: {env: DATABASE_URL}
    saltKey: {env: LITELLM_SALT_KEY}
";

/// Every kind of model edit at once: a param changed (a PATCH), a param dropped (a
/// replacement under the same id), a model removed and one added.
fn edited(spec: &str) -> String {
    spec.replace("temperature: 0.2", "temperature: 0.7")
        .replace("    timeout: 30\n", "")
        .replace(
            "  - name: legacy\n    provider: groq\n    model: llama3-70b-8192\n",
            "  - name: mini\n    provider: openai\n    model: gpt-4o-mini\n",
        )
}

// ------------------------------------------------------------------ the stand-in

#[derive(Debug, Clone)]
enum Fault {
    /// Answer with this status and body instead of handling the request.
    Status(u16, String),
    /// Close the connection without answering, before handling.
    Drop,
    /// Handle the request, then close the connection without answering (a lost answer).
    ApplyThenDrop,
    /// Handle the request, then answer with this status and body instead (LiteLLM's
    /// "saved to the database, but not live" answer).
    ApplyThenStatus(u16, String),
}

#[derive(Debug, Clone, PartialEq)]
struct Recorded {
    method: String,
    path: String,
    body: Value,
}

#[derive(Debug, Default)]
struct State {
    database: bool,
    config: Vec<Value>,
    rows: BTreeMap<String, Value>,
    /// Rows in the database the proxy cannot decrypt: not shown, but their id is taken
    /// (LiteLLM 1.106.2 after a salt-key change, as the sync harness measures it).
    unloadable: BTreeSet<String>,
    faults: VecDeque<(String, Fault)>,
    log: Vec<Recorded>,
}

struct StandIn {
    url: String,
    state: Arc<Mutex<State>>,
}

impl StandIn {
    fn start(database: bool, config: Vec<Value>) -> StandIn {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let url = format!("http://{}", listener.local_addr().expect("addr"));
        let state = Arc::new(Mutex::new(State {
            database,
            config,
            ..State::default()
        }));
        let shared = Arc::clone(&state);
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                serve(stream, &shared);
            }
        });
        StandIn { url, state }
    }

    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().expect("state lock")
    }

    /// The next request whose "METHOD path" starts with `matching` gets `fault`.
    fn fault(&self, matching: &str, fault: Fault) {
        self.state().faults.push_back((matching.to_owned(), fault));
    }

    /// How many writes went to `path`.
    fn writes_to(&self, path: &str) -> usize {
        self.writes().iter().filter(|r| r.path == path).count()
    }

    fn writes(&self) -> Vec<Recorded> {
        self.state()
            .log
            .iter()
            .filter(|r| r.method != "GET")
            .cloned()
            .collect()
    }

    fn clear_log(&self) {
        self.state().log.clear();
    }
}

fn serve(stream: TcpStream, state: &Mutex<State>) {
    let mut reader = BufReader::new(match stream.try_clone() {
        Ok(s) => s,
        Err(_) => return,
    });
    let mut request_line = String::new();
    if reader.read_line(&mut request_line).is_err() {
        return;
    }
    let mut parts = request_line.split_whitespace();
    let method = parts.next().unwrap_or_default().to_owned();
    let path = parts.next().unwrap_or_default().to_owned();
    let mut headers = BTreeMap::new();
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
            break;
        }
        if let Some((k, v)) = line.split_once(':') {
            headers.insert(k.trim().to_ascii_lowercase(), v.trim().to_owned());
        }
    }
    let length: usize = headers
        .get("content-length")
        .and_then(|l| l.parse().ok())
        .unwrap_or(0);
    let mut body = vec![0; length];
    if reader.read_exact(&mut body).is_err() {
        return;
    }
    let body: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);

    let mut state = state.lock().expect("state lock");
    state.log.push(Recorded {
        method: method.clone(),
        path: path.clone(),
        body: body.clone(),
    });
    let line = format!("{method} {path}");
    let fault = state
        .faults
        .iter()
        .position(|(m, _)| line.starts_with(m.as_str()))
        .and_then(|i| state.faults.remove(i))
        .map(|(_, f)| f);
    let (status, answer) = match fault {
        Some(Fault::Status(status, text)) => (status, text),
        Some(Fault::Drop) => return,
        Some(Fault::ApplyThenDrop) => {
            handle(&mut state, &method, &path, &headers, body);
            return;
        }
        Some(Fault::ApplyThenStatus(status, text)) => {
            handle(&mut state, &method, &path, &headers, body);
            (status, text)
        }
        None => handle(&mut state, &method, &path, &headers, body),
    };
    drop(state);
    let mut stream = stream;
    let _ = write!(
        stream,
        "HTTP/1.1 {status} X\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{answer}",
        answer.len()
    );
}

/// LiteLLM's error shape (`ProxyException`).
fn error(status: u16, message: &str) -> (u16, String) {
    (
        status,
        json!({"error": {"message": message, "type": "auth_error", "param": "None", "code": status.to_string()}})
            .to_string(),
    )
}

fn handle(
    state: &mut State,
    method: &str,
    path: &str,
    headers: &BTreeMap<String, String>,
    body: Value,
) -> (u16, String) {
    if headers.get("authorization").map(String::as_str) != Some(&format!("Bearer {MASTER_KEY}")) {
        return error(
            401,
            "Authentication Error, Invalid proxy server token passed.",
        );
    }
    let writes = method != "GET";
    if writes && !state.database {
        // PATCH /model/{id}/update words it differently, and as FastAPI's `detail`.
        if method == "PATCH" {
            return (
                500,
                json!({"detail": {"error": "DB not connected. This endpoint needs a database; set DATABASE_URL to a PostgreSQL connection string (postgresql://...) to enable it."}})
                    .to_string(),
            );
        }
        return error(
            500,
            "{'error': \"No DB Connected. Here's how to do it - https://docs.litellm.ai/docs/proxy/virtual_keys\"}",
        );
    }
    let id_of = |v: &Value| {
        v.pointer("/model_info/id")
            .and_then(Value::as_str)
            .map(str::to_owned)
    };
    match (method, path) {
        ("GET", "/model/info") => {
            let mut data = Vec::new();
            for model in &state.config {
                let id = id_of(model).unwrap_or_default();
                data.push(state.rows.get(&id).unwrap_or(model).clone());
            }
            let in_config: Vec<String> = state.config.iter().filter_map(id_of).collect();
            data.extend(
                state
                    .rows
                    .iter()
                    .filter(|(id, _)| !in_config.contains(id))
                    .map(|(_, row)| row.clone()),
            );
            for row in &mut data {
                let is_row = id_of(row).is_some_and(|id| state.rows.contains_key(&id));
                row["model_info"]["db_model"] = json!(is_row);
                // As the real /model/info (seen on the DB-less proxy): secrets stripped or
                // masked, LiteLLM_Params defaults added, timeout a float.
                if let Some(params) = row["litellm_params"].as_object_mut() {
                    for secret in ["api_key", "aws_access_key_id", "aws_secret_access_key"] {
                        params.remove(secret);
                    }
                    for (key, value) in params.iter_mut() {
                        if key.contains("token") || key.contains("secret") {
                            *value = json!("****");
                        }
                    }
                    if let Some(t) = params.get("timeout").and_then(Value::as_f64) {
                        params.insert("timeout".into(), json!(t));
                    }
                    params.insert("use_in_pass_through".into(), json!(false));
                    params.insert("merge_reasoning_content_in_choices".into(), json!(false));
                }
            }
            (200, json!({ "data": data }).to_string())
        }
        ("GET", "/v1/models") => {
            let mut names: Vec<&str> = state
                .config
                .iter()
                .chain(state.rows.values())
                .filter_map(|m| m["model_name"].as_str())
                .collect();
            names.sort_unstable();
            names.dedup();
            let data: Vec<Value> = names.iter().map(|n| json!({"id": n})).collect();
            (200, json!({ "data": data }).to_string())
        }
        ("POST", "/model/new") => {
            let Some(id) = id_of(&body) else {
                return error(400, "model_info.id not provided");
            };
            if state.rows.contains_key(&id) || state.unloadable.contains(&id) {
                return error(
                    500,
                    "{'error': 'Failed to add model to db. Check your server logs for more details.'}",
                );
            }
            state.rows.insert(id.clone(), body);
            (200, json!({ "model_id": id }).to_string())
        }
        ("POST", "/model/update") => {
            let Some(id) = id_of(&body) else {
                return error(400, "model_info.id not provided");
            };
            let Some(row) = state.rows.get_mut(&id) else {
                let in_config = state
                    .config
                    .iter()
                    .any(|m| id_of(m).as_deref() == Some(&id));
                return if in_config {
                    error(
                        400,
                        "{'error': \"Can't edit model. Model in config. Store model in db via `/model/new`. to edit.\"}",
                    )
                } else {
                    error(400, "model not found")
                };
            };
            merge(&mut row["litellm_params"], &body["litellm_params"]);
            (200, json!({ "model_id": id }).to_string())
        }
        ("PATCH", p) if p.starts_with("/model/") && p.ends_with("/update") => {
            let id = &p["/model/".len()..p.len() - "/update".len()];
            let Some(row) = state.rows.get_mut(id) else {
                return error(404, &format!("Model {id} not found on proxy."));
            };
            merge(&mut row["litellm_params"], &body["litellm_params"]);
            merge(&mut row["model_info"], &body["model_info"]);
            if let Some(name) = body.get("model_name").filter(|n| !n.is_null()) {
                row["model_name"] = name.clone();
            }
            (200, row.to_string())
        }
        ("POST", "/model/delete") => {
            let id = body["id"].as_str().unwrap_or_default().to_owned();
            if state.rows.remove(&id).is_none() && !state.unloadable.remove(&id) {
                return error(
                    400,
                    &format!("{{'error': 'Model with id={id} not found in db'}}"),
                );
            }
            (
                200,
                json!({ "message": format!("Model: {id} deleted successfully") }).to_string(),
            )
        }
        _ => error(404, "Not Found"),
    }
}

fn merge(into: &mut Value, from: &Value) {
    if let (Some(into), Some(from)) = (into.as_object_mut(), from.as_object()) {
        for (k, v) in from {
            into.insert(k.clone(), v.clone());
        }
    }
}

// ------------------------------------------------------------------ helpers

struct Workspace {
    dir: tempfile::TempDir,
}

impl Workspace {
    fn new() -> Self {
        Workspace {
            dir: tempfile::tempdir().expect("tempdir"),
        }
    }

    fn spec(&self, name: &str, text: &str) -> String {
        std::fs::write(self.dir.path().join(name), text).expect("write spec");
        name.to_owned()
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }
}

/// Runs litegate with the master key only: sync needs no provider key.
fn run(ws: &Workspace, args: &[&str]) -> Output {
    let out = litegate_in(ws.path(), args, &[("LITELLM_MASTER_KEY", MASTER_KEY)]);
    for text in [&out.stdout, &out.stderr] {
        assert!(
            !String::from_utf8_lossy(text).contains(MASTER_KEY),
            "the master key was printed"
        );
    }
    out
}

fn sync(ws: &Workspace, spec: &str, stand_in: &StandIn, extra: &[&str]) -> Output {
    let mut args = vec![
        "sync",
        spec,
        "--url",
        stand_in.url.as_str(),
        "--backoff-ms",
        "10",
    ];
    args.extend_from_slice(extra);
    run(ws, &args)
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// config.yaml's model_list for a spec: what a pod started with that spec has in config.
fn config_models(ws: &Workspace, spec: &str) -> Vec<Value> {
    let out = litegate_in(
        ws.path(),
        &["render", spec],
        &[
            ("OPENAI_API_KEY", "dummy-openai-4d8c2a"),
            ("GROQ_API_KEY", "dummy-groq-2a6e19"),
            ("DATABASE_URL", "postgresql://u:dummy-db-9f4c7d@db/x"),
            ("LITELLM_SALT_KEY", "dummy-salt-1a2b3c4d5e6f7a8b"),
            ("LITELLM_MASTER_KEY", MASTER_KEY),
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let docs: Vec<Value> = serde_saphyr::from_multiple(&text(&out.stdout)).expect("yaml");
    let config = docs
        .iter()
        .find(|d| d["kind"] == "ConfigMap")
        .and_then(|d| d["data"]["config.yaml"].as_str())
        .expect("config.yaml");
    let config: Value = serde_saphyr::from_str(config).expect("config yaml");
    config["model_list"].as_array().expect("model_list").clone()
}

/// A proxy whose pods started with `spec`'s config.yaml and that litegate has synced.
fn synced_proxy(ws: &Workspace, spec: &str) -> StandIn {
    let stand_in = StandIn::start(true, config_models(ws, spec));
    let out = sync(ws, spec, &stand_in, &[]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    stand_in.clear_log();
    stand_in
}

fn plan_requests(ws: &Workspace, old: &str, new: &str) -> Vec<Recorded> {
    let out = litegate_in(
        ws.path(),
        &["plan", old, new, "--format", "json"],
        &[
            ("OPENAI_API_KEY", "dummy-openai-4d8c2a"),
            ("GROQ_API_KEY", "dummy-groq-2a6e19"),
            ("DATABASE_URL", "postgresql://u:dummy-db-9f4c7d@db/x"),
            ("LITELLM_SALT_KEY", "dummy-salt-1a2b3c4d5e6f7a8b"),
            ("LITELLM_MASTER_KEY", MASTER_KEY),
        ],
    );
    assert_eq!(out.status.code(), Some(3), "{}", text(&out.stderr));
    let plan: Value = serde_json::from_slice(&out.stdout).expect("json plan");
    assert_eq!(plan["verdict"], "live");
    plan["requests"]
        .as_array()
        .expect("requests")
        .iter()
        .map(|r| Recorded {
            method: r["method"].as_str().expect("method").to_owned(),
            path: r["path"].as_str().expect("path").to_owned(),
            body: r["body"].clone(),
        })
        .collect()
}

// ------------------------------------------------------------------ tests

#[test]
fn sync_sends_exactly_the_plans_requests_then_nothing() {
    let ws = Workspace::new();
    let old = ws.spec("old.yaml", SPEC);
    let new = ws.spec("new.yaml", &edited(SPEC));
    let stand_in = synced_proxy(&ws, &old);

    let planned = plan_requests(&ws, &old, &new);
    let shape: Vec<(&str, &str, &str)> = planned
        .iter()
        .map(|r| {
            let id = r.body.pointer("/model_info/id").or(r.body.get("id"));
            (
                r.method.as_str(),
                r.path.as_str(),
                id.and_then(Value::as_str).unwrap_or_default(),
            )
        })
        .collect();
    assert_eq!(
        shape,
        [
            ("POST", "/model/delete", "legacy--groq"),
            ("PATCH", "/model/gpt-4o--openai/update", "gpt-4o--openai"),
            // A replace's two requests together: the window without a deployment is short.
            ("POST", "/model/delete", "llama--groq"),
            ("POST", "/model/new", "llama--groq"),
            ("POST", "/model/new", "mini--openai"),
        ]
    );

    let first = sync(&ws, &new, &stand_in, &[]);
    assert_eq!(first.status.code(), Some(0), "{}", text(&first.stderr));
    assert_eq!(
        stand_in.writes(),
        planned,
        "the first sync sends the plan's requests"
    );
    assert!(text(&first.stdout).contains("read back: in sync"));

    stand_in.clear_log();
    let second = sync(&ws, &new, &stand_in, &[]);
    assert_eq!(second.status.code(), Some(0), "{}", text(&second.stderr));
    assert!(stand_in.writes().is_empty(), "the second sync wrote");
    assert!(text(&second.stdout).contains("in sync: no request needed"));
}

#[test]
fn transient_failures_are_retried_by_rereading_and_never_sent_twice_blindly() {
    let ws = Workspace::new();
    let old = ws.spec("old.yaml", SPEC);
    let new = ws.spec("new.yaml", &edited(SPEC));
    let stand_in = synced_proxy(&ws, &old);
    // The first read fails twice, one write is refused by a busy proxy, one answer is lost
    // after the row was written, and one connection drops before anything happens.
    stand_in.fault("GET /model/info", Fault::Status(503, "busy".into()));
    stand_in.fault("GET /model/info", Fault::Drop);
    stand_in.fault(
        "PATCH /model/gpt-4o--openai/update",
        Fault::Status(502, "bad gateway".into()),
    );
    stand_in.fault("POST /model/new", Fault::ApplyThenDrop);
    stand_in.fault("POST /model/delete", Fault::Drop);

    let out = sync(&ws, &new, &stand_in, &[]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(
        stand_in.state().faults.is_empty(),
        "every injected failure was met: {:?}",
        stand_in.state().faults
    );
    let after = sync(&ws, &new, &stand_in, &["--dry-run"]);
    assert_eq!(
        after.status.code(),
        Some(0),
        "drift left: {}",
        text(&after.stdout)
    );

    // The lost answer: its row was written, so sync saw it on the re-read and did not
    // send that /model/new again (a second one would have failed on the existing id).
    let news: Vec<Value> = stand_in
        .writes()
        .into_iter()
        .filter(|r| r.path == "/model/new")
        .map(|r| r.body["model_info"]["id"].clone())
        .collect();
    assert_eq!(news, [json!("llama--groq"), json!("mini--openai")]);
}

#[test]
fn retries_are_bounded_and_a_server_error_that_persists_is_reported() {
    let ws = Workspace::new();
    let spec = ws.spec("gw.yaml", SPEC);
    let stand_in = StandIn::start(true, config_models(&ws, &spec));
    for _ in 0..10 {
        stand_in.fault(
            "POST /model/new",
            Fault::Status(
                503,
                "{\"error\": {\"message\": \"db pool exhausted\"}}".into(),
            ),
        );
    }
    let out = sync(&ws, &spec, &stand_in, &["--retries", "2"]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        stand_in.state().faults.len(),
        7,
        "three tries met three failures"
    );
    let err = text(&out.stderr);
    assert!(
        err.contains("POST /model/new was refused (HTTP 503): db pool exhausted"),
        "{err}"
    );
    assert_eq!(stand_in.writes().len(), 3, "one try and two retries");
}

#[test]
fn a_failure_midway_says_what_was_applied_and_a_rerun_converges() {
    let ws = Workspace::new();
    let old = ws.spec("old.yaml", SPEC);
    let new = ws.spec("new.yaml", &edited(SPEC));
    let stand_in = synced_proxy(&ws, &old);
    stand_in.fault(
        "PATCH /model/gpt-4o--openai/update",
        Fault::Status(
            400,
            "{\"error\": {\"message\": \"team admins cannot edit this model\"}}".into(),
        ),
    );

    let out = sync(&ws, &new, &stand_in, &[]);
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    assert!(err.contains("PATCH /model/gpt-4o--openai/update was refused (HTTP 400): team admins cannot edit this model"), "{err}");
    assert!(
        err.contains("applied before the failure: POST /model/delete (legacy--groq)\n"),
        "{err}"
    );
    assert!(
        err.contains("not applied: PATCH /model/gpt-4o--openai/update (gpt-4o--openai), POST /model/delete (llama--groq), POST /model/new (llama--groq), POST /model/new (mini--openai)\n"),
        "{err}"
    );
    assert!(err.contains("running it again finishes the job"), "{err}");

    stand_in.clear_log();
    let again = sync(&ws, &new, &stand_in, &[]);
    assert_eq!(again.status.code(), Some(0), "{}", text(&again.stderr));
    let paths: Vec<String> = stand_in.writes().into_iter().map(|r| r.path).collect();
    assert_eq!(
        paths,
        [
            "/model/gpt-4o--openai/update",
            "/model/delete",
            "/model/new",
            "/model/new"
        ],
        "the rerun sends only what was left"
    );
}

#[test]
fn an_answer_larger_than_a_gateway_of_this_size_is_refused_not_retried() {
    let ws = Workspace::new();
    let spec = ws.spec("gw.yaml", SPEC);
    let stand_in = StandIn::start(true, config_models(&ws, &spec));
    // 17 MiB of model list: more than 16 MiB plus 32 KiB a model for a three-model spec.
    let huge = format!("{{\"data\": [\"{}\"]}}", "x".repeat(17 << 20));
    stand_in.fault("GET /model/info", Fault::Status(200, huge));
    let out = sync(&ws, &spec, &stand_in, &["--dry-run"]);
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    assert!(
        err.contains("answered GET /model/info with more than 16 MiB"),
        "{err}"
    );
    assert!(stand_in.state().faults.is_empty());
    assert_eq!(
        stand_in.state().log.len(),
        1,
        "a final answer: read once, not retried"
    );
}

#[test]
fn rows_the_proxy_cannot_decrypt_are_replaced_once_and_named() {
    let ws = Workspace::new();
    let spec = ws.spec("gw.yaml", SPEC);
    let stand_in = StandIn::start(true, config_models(&ws, &spec));
    stand_in
        .state()
        .unloadable
        .extend(["gpt-4o--openai".to_owned(), "llama--groq".to_owned()]);
    let out = sync(&ws, &spec, &stand_in, &[]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let said = text(&out.stdout);
    assert!(
        said.contains("replaced stored rows the proxy could not load (encrypted with a LITELLM_SALT_KEY, or a master key, it no longer has): gpt-4o--openai, llama--groq"),
        "{said}"
    );
    assert!(stand_in.state().unloadable.is_empty());
    let again = sync(&ws, &spec, &stand_in, &["--format", "json"]);
    assert_eq!(again.status.code(), Some(0));
    let report: Value = serde_json::from_slice(&again.stdout).expect("json");
    assert_eq!(report["unloadable"], json!([]), "nothing left to replace");
}

#[test]
fn a_row_that_stays_unloadable_after_its_delete_is_reported_not_looped() {
    let ws = Workspace::new();
    let spec = ws.spec("gw.yaml", SPEC);
    let stand_in = StandIn::start(true, config_models(&ws, &spec));
    stand_in
        .state()
        .unloadable
        .insert("gpt-4o--openai".to_owned());
    // The delete is answered, but the row stays (a proxy whose delete does not reach it).
    stand_in.fault(
        "POST /model/delete",
        Fault::Status(200, "{\"message\": \"deleted\"}".into()),
    );
    let out = sync(&ws, &spec, &stand_in, &[]);
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    assert!(
        err.contains("POST /model/new for gpt-4o--openai fails with \"Failed to add model to db\""),
        "{err}"
    );
    let news = stand_in.writes_to("/model/new");
    assert!(news <= 4, "bounded: {news} creates");
}

#[test]
fn a_failed_sync_with_format_json_still_says_what_it_applied() {
    let ws = Workspace::new();
    let old = ws.spec("old.yaml", SPEC);
    let new = ws.spec("new.yaml", &edited(SPEC));
    let stand_in = synced_proxy(&ws, &old);
    stand_in.fault(
        "PATCH /model/gpt-4o--openai/update",
        Fault::Status(400, "{\"error\": {\"message\": \"no\"}}".into()),
    );
    let out = sync(&ws, &new, &stand_in, &["--format", "json"]);
    assert_eq!(out.status.code(), Some(1));
    let report: Value = serde_json::from_slice(&out.stdout).expect("a JSON report on failure");
    let applied: Vec<&str> = report["applied"]
        .as_array()
        .expect("applied")
        .iter()
        .filter_map(|r| r["path"].as_str())
        .collect();
    assert_eq!(applied, ["/model/delete"], "{report}");
    assert!(
        report["error"]
            .as_str()
            .is_some_and(|e| e.contains("was refused (HTTP 400): no")),
        "{report}"
    );
    assert_eq!(report["in_sync"], json!(false));
    assert!(!text(&out.stdout).contains(MASTER_KEY));
}

#[test]
fn a_write_saved_but_not_live_counts_as_applied_and_is_reported_not_resent() {
    let ws = Workspace::new();
    let spec = ws.spec("gw.yaml", SPEC);
    let stand_in = StandIn::start(true, config_models(&ws, &spec));
    let said = "Model create was saved to the database, but the model id(s) ['gpt-4o--openai'] are not live in this pod's router";
    stand_in.fault(
        "POST /model/new",
        Fault::ApplyThenStatus(500, json!({"error": {"message": said}}).to_string()),
    );
    let out = sync(&ws, &spec, &stand_in, &[]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(
        text(&out.stdout).contains(&format!(
            "stored, but not live on the pod that took it until its next reload: gpt-4o--openai: {said}"
        )),
        "{}",
        text(&out.stdout)
    );
    let news = stand_in.writes_to("/model/new");
    assert_eq!(news, 3, "one create per model, none sent twice");

    // The proxy's words are shown, so a master key in them must not be.
    let ws = Workspace::new();
    let spec = ws.spec("gw.yaml", SPEC);
    let stand_in = StandIn::start(true, config_models(&ws, &spec));
    let echo = format!("Model create was saved to the database, but not live (key {MASTER_KEY})");
    stand_in.fault(
        "POST /model/new",
        Fault::ApplyThenStatus(500, json!({"error": {"message": echo}}).to_string()),
    );
    for format in ["text", "json"] {
        let out = sync(&ws, &spec, &stand_in, &["--format", format]);
        let printed = format!("{}{}", text(&out.stdout), text(&out.stderr));
        assert!(!printed.contains(MASTER_KEY), "{format}: {printed}");
        if format == "text" {
            assert!(printed.contains("stored, but not live"), "{printed}");
        }
    }
}

#[test]
fn a_replace_cut_between_its_delete_and_its_new_names_the_model_left_unserved() {
    let ws = Workspace::new();
    let old = ws.spec("old.yaml", SPEC);
    let new = ws.spec("new.yaml", &edited(SPEC));
    let stand_in = synced_proxy(&ws, &old);
    // The replace of llama--groq is a delete then a new; the first new it sends fails.
    stand_in.fault(
        "POST /model/new",
        Fault::Status(400, "{\"error\": {\"message\": \"bad request\"}}".into()),
    );
    let out = sync(&ws, &new, &stand_in, &[]);
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    assert!(
        err.contains("deleted and not yet re-created (the pods that took the delete serve none of them meanwhile): llama--groq"),
        "{err}"
    );
    stand_in.clear_log();
    let again = sync(&ws, &new, &stand_in, &[]);
    assert_eq!(again.status.code(), Some(0), "{}", text(&again.stderr));
}

#[test]
fn a_wrong_master_key_is_a_clear_error_naming_the_variable_not_the_key() {
    let ws = Workspace::new();
    let spec = ws.spec("gw.yaml", SPEC);
    let stand_in = StandIn::start(true, config_models(&ws, &spec));
    let wrong = "sk-wrong-key-0a1b2c3d4e5f60718293a4b5c6d7e8f9";
    let out = litegate_in(
        ws.path(),
        &[
            "sync",
            &spec,
            "--url",
            &stand_in.url,
            "--master-key-env",
            "PROXY_KEY",
        ],
        &[("PROXY_KEY", wrong)],
    );
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    assert!(
        err.contains(&format!(
            "{} rejected the master key from $PROXY_KEY (HTTP 401)",
            stand_in.url
        )),
        "{err}"
    );
    assert!(!err.contains(wrong) && !text(&out.stdout).contains(wrong));
    assert!(stand_in.writes().is_empty());
    assert_eq!(stand_in.state().log.len(), 1, "401 is not retried");

    let unset = litegate_in(ws.path(), &["sync", &spec, "--url", &stand_in.url], &[]);
    assert_eq!(unset.status.code(), Some(1));
    assert!(text(&unset.stderr).contains("$LITELLM_MASTER_KEY is not set"));
}

#[test]
fn a_proxy_without_a_database_is_told_to_roll_out_after_one_attempt() {
    let ws = Workspace::new();
    let spec = ws.spec("gw.yaml", SPEC);
    let stand_in = StandIn::start(false, config_models(&ws, &spec));
    let out = sync(&ws, &spec, &stand_in, &[]);
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    assert!(
        err.contains("has no database (\"No DB Connected\")"),
        "{err}"
    );
    assert!(err.contains("roll out instead"), "{err}");
    assert_eq!(stand_in.writes().len(), 1, "No DB Connected is not retried");
}

#[test]
fn an_unreachable_proxy_is_retried_then_reported() {
    let ws = Workspace::new();
    let spec = ws.spec("gw.yaml", SPEC);
    let closed = {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        listener.local_addr().expect("addr")
    };
    let url = format!("http://{closed}");
    let out = run(
        &ws,
        &[
            "sync",
            &spec,
            "--url",
            &url,
            "--retries",
            "2",
            "--backoff-ms",
            "10",
        ],
    );
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    assert!(
        err.contains(&format!("cannot reach {url} after 3 attempt(s)")),
        "{err}"
    );
}

#[test]
fn rows_litegate_does_not_own_are_never_touched() {
    let ws = Workspace::new();
    let spec = ws.spec("gw.yaml", SPEC);
    let mut config = config_models(&ws, &spec);
    // A model only config.yaml has (its id left the spec; it goes with the next config).
    config.push(json!({"model_name": "old-cfg", "litellm_params": {"model": "openai/x"}, "model_info": {"id": "old-cfg--openai"}}));
    let stand_in = StandIn::start(true, config);
    let people = json!({"model_name": "ui", "litellm_params": {"model": "openai/gpt-4.1"}, "model_info": {"id": "made-in-the-ui"}});
    let other_gateway = json!({"model_name": "x", "litellm_params": {"model": "openai/x"},
        "model_info": {"id": "x--openai", "managed_by": "litegate", "gateway": "another-gateway"}});
    stand_in
        .state()
        .rows
        .insert("made-in-the-ui".into(), people.clone());
    stand_in
        .state()
        .rows
        .insert("x--openai".into(), other_gateway.clone());

    let out = sync(&ws, &spec, &stand_in, &[]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let touched: Vec<String> = stand_in
        .writes()
        .iter()
        .map(|r| {
            r.body
                .pointer("/model_info/id")
                .or(r.body.get("id"))
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_owned()
        })
        .collect();
    assert_eq!(touched, ["gpt-4o--openai", "legacy--groq", "llama--groq"]);
    assert_eq!(stand_in.state().rows["made-in-the-ui"], people);
    assert_eq!(stand_in.state().rows["x--openai"], other_gateway);
}

#[test]
fn dry_run_reports_drift_and_writes_nothing() {
    let ws = Workspace::new();
    let old = ws.spec("old.yaml", SPEC);
    let new = ws.spec("new.yaml", &edited(SPEC));
    let stand_in = synced_proxy(&ws, &old);

    let out = sync(&ws, &new, &stand_in, &["--dry-run"]);
    assert_eq!(out.status.code(), Some(3), "drift exits 3");
    assert!(stand_in.writes().is_empty());
    let stdout = text(&out.stdout);
    assert!(stdout.contains("drift: these requests would make the proxy match the spec"));
    assert!(
        stdout.contains("PATCH /model/gpt-4o--openai/update"),
        "{stdout}"
    );

    let json_out = sync(&ws, &new, &stand_in, &["--dry-run", "--format", "json"]);
    let report: Value = serde_json::from_slice(&json_out.stdout).expect("json");
    assert_eq!(report["dry_run"], true);
    assert_eq!(report["planned"].as_array().map(Vec::len), Some(5));
    assert_eq!(report["applied"], json!([]));

    // A row someone edited by hand is drift too, though its digest still matches.
    let in_sync = sync(&ws, &old, &stand_in, &["--dry-run"]);
    assert_eq!(in_sync.status.code(), Some(0), "{}", text(&in_sync.stdout));
    stand_in
        .state()
        .rows
        .get_mut("gpt-4o--openai")
        .expect("row")["litellm_params"]["temperature"] = json!(1.5);
    let edited_by_hand = sync(&ws, &old, &stand_in, &["--dry-run"]);
    assert_eq!(edited_by_hand.status.code(), Some(3));
    assert!(text(&edited_by_hand.stdout).contains("PATCH /model/gpt-4o--openai/update"));
    let repaired = sync(&ws, &old, &stand_in, &[]);
    assert_eq!(
        repaired.status.code(),
        Some(0),
        "{}",
        text(&repaired.stderr)
    );
    assert_eq!(
        stand_in.state().rows["gpt-4o--openai"]["litellm_params"]["temperature"],
        json!(0.2)
    );
}

#[test]
fn verify_and_sync_dry_run_agree_in_every_state() {
    let ws = Workspace::new();
    let old = ws.spec("old.yaml", SPEC);
    let new = ws.spec("new.yaml", &edited(SPEC));
    let both_say = |stand_in: &StandIn, spec: &str, code: i32, case: &str| {
        let dry = sync(&ws, spec, stand_in, &["--dry-run"]);
        let url = stand_in.url.clone();
        let verified = run(&ws, &["verify", spec, "--url", &url, "--samples", "1"]);
        assert_eq!(dry.status.code(), Some(code), "sync --dry-run, {case}");
        assert_eq!(
            verified.status.code(),
            Some(code),
            "verify, {case}:\n{}{}",
            text(&verified.stdout),
            text(&verified.stderr)
        );
        assert!(
            stand_in.writes().is_empty(),
            "{case}: verify and --dry-run write nothing"
        );
        text(&verified.stdout)
    };
    let fresh = StandIn::start(true, config_models(&ws, &old));
    let report = both_say(&fresh, &old, 3, "config copies only, no rows yet");
    assert!(report.contains("no database row yet"), "{report}");

    let stand_in = synced_proxy(&ws, &old);
    let report = both_say(&stand_in, &old, 0, "synced");
    assert!(report.contains("1 of 1 serve the spec"), "{report}");
    both_say(&stand_in, &new, 3, "the spec moved on");
    stand_in
        .state()
        .rows
        .get_mut("gpt-4o--openai")
        .expect("row")["litellm_params"]["temperature"] = json!(1.5);
    let report = both_say(&stand_in, &old, 3, "a row edited by hand");
    assert!(
        report.contains("gpt-4o--openai: its database row differs"),
        "{report}"
    );
    assert_eq!(sync(&ws, &old, &stand_in, &[]).status.code(), Some(0));
    stand_in.clear_log();
    both_say(&stand_in, &old, 0, "repaired");
}

// ------------------------------------------------------------------ a hostile proxy

/// Every form the master key can take in what a proxy sends back.
fn key_forms() -> Vec<(&'static str, String)> {
    litegate::secret_forms::encodings(MASTER_KEY.as_bytes())
}

/// No form of the master key, and no 12 characters of it, in anything sync printed.
fn assert_no_form_of_the_key(case: &str, out: &Output) {
    let printed = format!("{}\n{}", text(&out.stdout), text(&out.stderr));
    let lower = printed.to_ascii_lowercase();
    for (name, form) in key_forms() {
        assert!(
            !lower.contains(&form.to_ascii_lowercase()),
            "{case}: the key's {name} form was printed:\n{printed}"
        );
    }
    let key = MASTER_KEY.as_bytes();
    for piece in key.windows(12) {
        let piece = String::from_utf8_lossy(piece).to_ascii_lowercase();
        assert!(
            !lower.contains(&piece),
            "{case}: part of the key ({piece}) was printed:\n{printed}"
        );
    }
    assert!(
        litegate::secret_forms::find_known(&printed, &[key]).is_empty(),
        "{case}:\n{printed}"
    );
}

/// A proxy that echoes the master key, in every form, in every place an error can carry
/// it: `error.message` of a 4xx, `detail` of a 5xx, a plain-text body, and a long body
/// with the key where sync cuts the message. None of it reaches stdout or stderr, in text
/// or JSON output.
#[test]
fn a_proxy_that_echoes_the_master_key_never_gets_it_printed() {
    let ws = Workspace::new();
    let spec = ws.spec("gw.yaml", SPEC);
    let stand_in = StandIn::start(true, config_models(&ws, &spec));
    let padding = "x".repeat(284);
    let mut runs = 0;
    for (name, form) in key_forms() {
        let answers = [
            (
                "POST /model/new",
                400,
                json!({"error": {"message": format!("invalid key {form} for this route")}})
                    .to_string(),
            ),
            (
                "POST /model/new",
                500,
                json!({"detail": format!("{form}: db write failed")}).to_string(),
            ),
            (
                "POST /model/new",
                503,
                json!({"detail": format!("{padding}{form} and more after the cut")}).to_string(),
            ),
            (
                "GET /model/info",
                422,
                format!("Traceback: auth header was Bearer {form}\n"),
            ),
        ];
        for (route, status, body) in answers {
            for format in ["text", "json"] {
                stand_in.fault(route, Fault::Status(status, body.clone()));
                let out = sync(
                    &ws,
                    &spec,
                    &stand_in,
                    &["--retries", "0", "--format", format],
                );
                let case = format!("{name} in a {status} on {route} ({format})");
                assert_eq!(out.status.code(), Some(1), "{case}: {}", text(&out.stderr));
                assert!(
                    text(&out.stderr).contains(&format!("(HTTP {status})")),
                    "{case}: {}",
                    text(&out.stderr)
                );
                assert_no_form_of_the_key(&case, &out);
                runs += 1;
            }
        }
    }
    assert!(stand_in.state().faults.is_empty(), "every answer was met");
    assert!(runs >= 4 * 2 * 15, "{runs} runs");
}

/// Ids come from the proxy too: a row this gateway "owns" whose id is the key, in any
/// form, is planned for deletion, and the plan is printed without it.
#[test]
fn ids_the_proxy_gives_are_printed_without_the_master_key() {
    let ws = Workspace::new();
    let spec = ws.spec("gw.yaml", SPEC);
    let stand_in = StandIn::start(true, config_models(&ws, &spec));
    let forms: std::collections::BTreeSet<String> =
        key_forms().into_iter().map(|(_, f)| f).collect();
    for form in &forms {
        let row = json!({"model_name": "gone", "litellm_params": {"model": "openai/gone"},
            "model_info": {"id": form, "managed_by": "litegate", "gateway": "gw"}});
        stand_in.state().rows.insert(form.clone(), row);
    }
    for format in ["text", "json"] {
        let out = sync(&ws, &spec, &stand_in, &["--dry-run", "--format", format]);
        assert_eq!(out.status.code(), Some(3), "{}", text(&out.stderr));
        let stdout = text(&out.stdout);
        assert_eq!(
            stdout.matches("/model/delete").count(),
            forms.len(),
            "{stdout}"
        );
        assert_no_form_of_the_key(&format!("dry run ({format})"), &out);
    }
    let out = sync(&ws, &spec, &stand_in, &["--format", "json"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_no_form_of_the_key("applied (json)", &out);
    assert!(
        stand_in.state().rows.keys().all(|id| id.contains("--")),
        "the real ids were sent: the rows are gone"
    );
}
