//! The leak hunt: a marker value in every kind of secret source, every command run on it,
//! and every byte those commands print or write (but the Secret object itself) searched
//! for every marker raw, in base64 at all three alignments (standard and URL-safe), in
//! hex, URL-encoded and JSON-escaped. Hostile inputs too: hand-edited `secret.yaml`
//! files, broken specs holding literal keys, a broken chart Secret, an imported config
//! full of credentials, and a proxy that echoes the master key back in every form.

mod common;

use std::fs;
use std::io::{Read, Write};
use std::path::Path;
use std::process::{Command, Output, Stdio};

use base64::Engine;
use common::{allow_dummy_env, litegate_in, root};

/// Env sources, each holding a marker (the master key must also look like one).
const ENV: &[(&str, &str)] = &[
    ("OPENAI_API_KEY", "MARKER-openai-a1b2c3d4e5f6"),
    ("AWS_ACCESS_KEY_ID", "MARKER-awsid-0a0b0c0d0e0f"),
    ("AWS_SECRET_ACCESS_KEY", "MARKER-awssecret-1d1e1f1a1b"),
    ("REDIS_PASSWORD", "MARKER-redis-2a2b2c2d2e2f"),
    ("LANGFUSE_SECRET_KEY", "MARKER-langfuse-5a5b5c5d5e"),
    ("GROQ_API_KEY", "MARKER-groq-7a7b7c7d7e7f"),
    ("MISTRAL_API_KEY", "MARKER-mistral-8a8b8c8d8e"),
    ("LITELLM_SALT_KEY", "MARKER-salt-9a9b9c9d9e9f"),
    (
        "LITELLM_MASTER_KEY",
        "sk-MARKER-master-3d3e3f3a3b3c3d3e3f3a3b3c3d3e",
    ),
    (
        "DATABASE_URL",
        "postgresql://litellm:MARKER-dbpass-6a6b6c6d@db:5432/litellm",
    ),
];
fn master_key() -> &'static str {
    ENV.iter()
        .find(|(k, _)| *k == "LITELLM_MASTER_KEY")
        .map(|(_, v)| *v)
        .expect("the master key is among the markers")
}

/// A `file:` source.
const FILE_MARKER: &str = "MARKER-file-4f4e4d4c4b4a";
/// Literals typed into specs, configs and charts: refused or passed through, never echoed.
const LITERAL_MARKER: &str = "MARKER-literal-9z9y8x7w6v";

/// Every value that must not be printed, the rotated ones included.
fn secrets() -> Vec<String> {
    let mut out: Vec<String> = ENV.iter().map(|(_, v)| v.to_string()).collect();
    out.push("MARKER-dbpass-6a6b6c6d".to_owned());
    out.push(FILE_MARKER.to_owned());
    out.push(LITERAL_MARKER.to_owned());
    let rotated: Vec<String> = out.iter().map(|v| format!("{v}-rotated")).collect();
    out.extend(rotated);
    out
}

/// Every form in which `secret` could stand inside some larger text.
fn forms(secret: &str) -> Vec<String> {
    let mut out = vec![secret.to_owned(), secret.to_ascii_uppercase()];
    // A message cut short (or cut on the left) leaks a part: any 10 characters of it (a
    // URL's parts are its own words, so only its password stands for it).
    let chars: Vec<char> = secret.chars().collect();
    if !secret.contains("://") {
        for window in chars.windows(10) {
            out.push(window.iter().collect());
        }
    }
    let engines = [
        &base64::engine::general_purpose::STANDARD,
        &base64::engine::general_purpose::URL_SAFE,
    ];
    for engine in engines {
        for offset in 0..3 {
            // Text before the secret shifts its bytes; the quanta made of its bytes alone
            // are the same whatever came before or after.
            let mut bytes = vec![b'x'; offset];
            bytes.extend_from_slice(secret.as_bytes());
            let encoded = engine.encode(&bytes);
            let skip = if offset == 0 { 0 } else { 4 };
            let inner = &encoded[skip..encoded.len().saturating_sub(4)];
            if inner.len() >= 8 {
                out.push(inner.to_owned());
            }
        }
    }
    let hex: String = secret.bytes().map(|b| format!("{b:02x}")).collect();
    out.push(hex.to_ascii_uppercase());
    out.push(hex);
    let url: String = secret
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect();
    out.push(url);
    let json = serde_json::to_string(secret).expect("a string serializes");
    out.push(json.trim_matches('"').to_owned());
    out.push(json.trim_matches('"').replace('/', "\\/"));
    let unicode: String = secret
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_string()
            } else {
                format!("\\u{:04x}", c as u32)
            }
        })
        .collect();
    out.push(unicode);
    out
}

/// Fails, naming the form, when `text` holds any secret in any form.
fn assert_clean(what: &str, text: &str) {
    for secret in secrets() {
        for form in forms(&secret) {
            assert!(
                !text.contains(&form),
                "{what} leaks {secret:?} as {form:?}:\n{text}"
            );
        }
    }
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// A multi-document stream without its Secret documents: what must hold no value.
fn without_secrets(stream: &str) -> String {
    stream
        .split("\n---\n")
        .filter(|d| !d.contains("\nkind: Secret\n"))
        .collect::<Vec<_>>()
        .join("\n---\n")
}

/// full.yaml with every kind of source: env, file, secretRef, credentials, secretEnv,
/// the master key and the Redis password; plus database.yaml for the database URL.
fn workspace() -> tempfile::TempDir {
    let tmp = tempfile::tempdir().expect("tempdir");
    let full = fs::read_to_string(root().join("examples/full.yaml"))
        .expect("full.yaml")
        .replace(
            "apiKey: {env: ANTHROPIC_API_KEY}",
            "apiKey: {file: keys/anthropic.key}",
        )
        .replace(
            "  masterKey: {env: LITELLM_MASTER_KEY}\n",
            "  masterKey: {env: LITELLM_MASTER_KEY}\n  secretEnv:\n    LANGFUSE_SECRET_KEY: {env: LANGFUSE_SECRET_KEY}\n",
        );
    fs::write(tmp.path().join("gateway.yaml"), full).expect("write");
    fs::copy(
        root().join("examples/database.yaml"),
        tmp.path().join("database.yaml"),
    )
    .expect("copy");
    fs::create_dir(tmp.path().join("keys")).expect("mkdir");
    write_file_key(tmp.path(), FILE_MARKER);
    tmp
}

fn write_file_key(dir: &Path, value: &str) {
    fs::write(dir.join("keys/anthropic.key"), format!("{value}\n")).expect("write");
}

fn rotated_env() -> Vec<(String, String)> {
    ENV.iter()
        .map(|(k, v)| {
            let v = if *k == "DATABASE_URL" {
                v.replace("6a6b6c6d@", "6a6b6c6d-rotated@")
            } else {
                format!("{v}-rotated")
            };
            (k.to_string(), v)
        })
        .collect()
}

fn run(dir: &Path, args: &[&str], env: &[(String, String)]) -> Output {
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    litegate_in(dir, args, &env)
}

fn env() -> Vec<(String, String)> {
    ENV.iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

#[test]
fn render_stdout_and_files_hold_values_in_the_secret_only() {
    let tmp = workspace();
    for spec in ["gateway.yaml", "database.yaml"] {
        let out = run(tmp.path(), &["render", spec], &env());
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
        let text = stdout(&out);
        let b64 = base64::engine::general_purpose::STANDARD;
        assert!(
            text.contains(&b64.encode(master_key())),
            "the Secret holds the master key"
        );
        assert_clean(&format!("render {spec}"), &without_secrets(&text));
        assert_clean(&format!("render {spec} stderr"), &stderr(&out));
    }
    let out = run(
        tmp.path(),
        &["render", "gateway.yaml", "-o", "out", "--plaintext-secret"],
        &env(),
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    for entry in fs::read_dir(tmp.path().join("out")).expect("out") {
        let path = entry.expect("entry").path();
        if path.file_name().is_some_and(|n| n != "secret.yaml") {
            assert_clean(
                &path.display().to_string(),
                &fs::read_to_string(&path).expect("r"),
            );
        }
    }
}

/// `-o out`, then `secret.yaml` edited by hand in one of the ways people do.
fn hand_edited(tmp: &Path, edit: &dyn Fn(&str) -> String) {
    let _ = fs::remove_dir_all(tmp.join("out"));
    let out = run(
        tmp,
        &["render", "gateway.yaml", "-o", "out", "--plaintext-secret"],
        &env(),
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let path = tmp.join("out/secret.yaml");
    let text = fs::read_to_string(&path).expect("secret.yaml");
    fs::write(&path, edit(&text)).expect("write");
}

/// The shapes a hand edit gives `secret.yaml`, each still holding the old values.
type Edit = Box<dyn Fn(&str) -> String>;

fn hand_edits() -> Vec<(&'static str, Edit)> {
    vec![
        (
            "a comment inside data",
            Box::new(|t: &str| t.replacen("data:\n", "data:\n  # rotated on Monday\n", 1)),
        ),
        (
            "kind with a comment",
            Box::new(|t: &str| t.replace("kind: Secret\n", "kind: Secret # note\n")),
        ),
        (
            "data with a comment",
            Box::new(|t: &str| t.replace("data:\n", "data: # note\n")),
        ),
        (
            "a quoted key",
            Box::new(|t: &str| t.replace("kind: Secret\n", "\"kind\": Secret\n")),
        ),
        (
            "lower-case kind",
            Box::new(|t: &str| t.replace("kind: Secret\n", "kind: secret\n")),
        ),
        (
            "no kind",
            Box::new(|t: &str| t.replace("kind: Secret\n", "")),
        ),
        (
            "rewritten as JSON",
            Box::new(|t: &str| {
                let docs: serde_json::Value = serde_saphyr::from_str(t).expect("yaml");
                serde_json::to_string_pretty(&docs).expect("json")
            }),
        ),
        (
            "a flow mapping",
            Box::new(|t: &str| {
                let docs: serde_json::Value = serde_saphyr::from_str(t).expect("yaml");
                format!(
                    "apiVersion: v1\nkind: Secret\nmetadata: {{name: litellm-secrets}}\ndata: {}\n",
                    docs["data"]
                )
            }),
        ),
        (
            "broken YAML",
            Box::new(|t: &str| t.replacen("data:\n", "data:\n  broken: \"unterminated\n", 1)),
        ),
        (
            "indented by four",
            Box::new(|t: &str| t.replace("\n  ", "\n    ")),
        ),
    ]
}

#[test]
fn check_and_plan_never_show_a_value_whatever_the_hand_edit() {
    let tmp = workspace();
    for (name, edit) in hand_edits() {
        hand_edited(tmp.path(), edit.as_ref());
        for env in [env(), rotated_env()] {
            write_file_key(
                tmp.path(),
                if env == self::env() {
                    FILE_MARKER
                } else {
                    "MARKER-file-4f4e4d4c4b4a-rotated"
                },
            );
            let check = run(
                tmp.path(),
                &[
                    "render",
                    "gateway.yaml",
                    "--check",
                    "out",
                    "--plaintext-secret",
                ],
                &env,
            );
            assert_eq!(check.status.code(), Some(1), "{name}: {}", stderr(&check));
            assert_clean(&format!("--check after {name}"), &stdout(&check));
            assert_clean(&format!("--check after {name} (stderr)"), &stderr(&check));
            for format in ["text", "json"] {
                let plan = run(
                    tmp.path(),
                    &["plan", "out", "gateway.yaml", "--format", format],
                    &env,
                );
                assert_clean(&format!("plan after {name}"), &stdout(&plan));
                assert_clean(&format!("plan after {name} (stderr)"), &stderr(&plan));
            }
        }
        write_file_key(tmp.path(), FILE_MARKER);
    }
}

#[test]
fn plans_between_specs_and_rotations_show_no_value() {
    let tmp = workspace();
    let out = run(
        tmp.path(),
        &["render", "gateway.yaml", "-o", "out", "--plaintext-secret"],
        &env(),
    );
    assert_eq!(out.status.code(), Some(0));
    write_file_key(tmp.path(), "MARKER-file-4f4e4d4c4b4a-rotated");
    for args in [
        &["plan", "out", "gateway.yaml"][..],
        &["plan", "out", "gateway.yaml", "--format", "json"],
        &["plan", "gateway.yaml", "database.yaml"],
        &["plan", "gateway.yaml", "database.yaml", "--format", "json"],
    ] {
        let out = run(tmp.path(), args, &rotated_env());
        assert_eq!(out.status.code(), Some(3), "{args:?}: {}", stderr(&out));
        assert_clean(&format!("{args:?}"), &stdout(&out));
        assert_clean(&format!("{args:?} stderr"), &stderr(&out));
    }
}

/// Broken specs that still resolve every source, and specs with literal keys in every
/// place a literal can be typed.
fn broken_specs(tmp: &Path) -> Vec<String> {
    let spec = fs::read_to_string(tmp.join("gateway.yaml")).expect("spec");
    let m = LITERAL_MARKER;
    let variants = [
        spec.replace("type: ollama_chat", "type: olama_chat")
            .replace("replicas: 2", "replicas: 1"),
        spec.replace("apiKey: {env: OPENAI_API_KEY}", &format!("apiKey: {m}")),
        spec.replace(
            "apiKey: {env: OPENAI_API_KEY}",
            &format!("apiKey: |\n      {m}"),
        ),
        spec.replace(
            "apiKey: {env: OPENAI_API_KEY}",
            &format!("apiKey: !!str >-\n      {m}"),
        ),
        spec.replace("apiKey: {env: OPENAI_API_KEY}", &format!("apiKey: \"{m}")),
        spec.replace(
            "apiKey: {env: OPENAI_API_KEY}",
            &format!("apiKey: {{value: {m}}}"),
        ),
        spec.replace(
            "apiKey: {env: OPENAI_API_KEY}",
            &format!("apiKey: {{env: sk-{m}}}"),
        ),
        spec.replace(
            "apiKey: {env: OPENAI_API_KEY}",
            &format!("apiKey: {{file: sk-{m}}}"),
        ),
        spec.replace(
            "apiKey: {secretRef: {name: azure-keys, key: eu}}",
            &format!("apiKey: {{secretRef: {{name: azure-keys, key: eu, value: {m}}}}}"),
        ),
        spec.replace(
            "info: {mode: chat}",
            &format!("info: {{mode: chat, admin_token: {m}}}"),
        ),
        spec.replace(
            "params: {aws_region_name: eu-west-1}",
            &format!("params: {{aws_region_name: eu-west-1, aws_secret_access_key: {m}}}"),
        ),
        spec.replace(
            "  replicas: 2\n",
            &format!("  replicas: 2\n  env:\n    MY_API_KEY: sk-{m}\n"),
        ),
    ];
    variants.into_iter().collect()
}

#[test]
fn validate_render_krm_and_the_plugin_never_echo_a_broken_spec_s_values() {
    let tmp = workspace();
    let allow = allow_dummy_env_for(ENV);
    for (i, spec) in broken_specs(tmp.path()).iter().enumerate() {
        let file = format!("broken-{i}.yaml");
        fs::write(tmp.path().join(&file), spec).expect("write");
        for args in [
            &["validate", file.as_str()][..],
            &["validate", "--format", "json", file.as_str()],
            &["validate", "--strict", file.as_str()],
            &["render", file.as_str()],
            &["kustomize-plugin", file.as_str()],
        ] {
            let mut env = env();
            env.push(allow.clone());
            let out = run(tmp.path(), args, &env);
            assert_clean(
                &format!("{args:?} on variant {i}"),
                &without_secrets(&stdout(&out)),
            );
            assert_clean(&format!("{args:?} on variant {i} (stderr)"), &stderr(&out));
        }
        let out = krm(tmp.path(), spec);
        assert_clean(&format!("krm on variant {i}"), &without_secrets(&out));
    }
}

fn allow_dummy_env_for(env: &[(&str, &str)]) -> (String, String) {
    let names: Vec<&str> = env.iter().map(|(k, _)| *k).collect();
    (allow_dummy_env().0.to_owned(), names.join(","))
}

/// `litegate krm` on a ResourceList whose functionConfig is `spec`; stdout and stderr.
fn krm(dir: &Path, spec: &str) -> String {
    let indented: String = spec.lines().map(|l| format!("  {l}\n")).collect();
    let list = format!(
        "apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems: []\nfunctionConfig:\n{indented}"
    );
    let (name, names) = allow_dummy_env_for(ENV);
    let mut child = Command::new(env!("CARGO_BIN_EXE_litegate"))
        .arg("krm")
        .current_dir(dir)
        .env_clear()
        .envs(ENV.iter().copied())
        .env(name, names)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("litegate runs");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(list.as_bytes())
        .expect("writes");
    let out = child.wait_with_output().expect("exits");
    // The output is one ResourceList: its Secret item may hold values, nothing else may.
    let mut list: serde_json::Value = serde_saphyr::from_str(&stdout(&out)).unwrap_or_default();
    if let Some(items) = list.get_mut("items").and_then(|i| i.as_array_mut()) {
        items.retain(|item| item["kind"] != "Secret");
    }
    format!("{list}\n{}", stderr(&out))
}

#[test]
fn post_render_passes_the_chart_through_and_never_echoes_a_broken_chart_secret() {
    let tmp = workspace();
    let chart = format!(
        "---\n# Source: chart/templates/secret.yaml\napiVersion: v1\nkind: Secret\nmetadata: {{name: chart-secret}}\nstringData:\n  token: \"{LITERAL_MARKER}\n  other: x\n"
    );
    let mut child = Command::new(env!("CARGO_BIN_EXE_litegate"))
        .args(["post-render", "gateway.yaml"])
        .current_dir(tmp.path())
        .env_clear()
        .envs(ENV.iter().copied())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("litegate runs");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(chart.as_bytes())
        .expect("writes");
    let out = child.wait_with_output().expect("exits");
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty());
    assert_clean("post-render's error", &stderr(&out));
}

#[test]
fn import_moves_every_credential_out_and_quotes_none() {
    let tmp = workspace();
    let m = LITERAL_MARKER;
    let configs: [String; 3] = [
        format!(
            "model_list:\n  - model_name: gpt-4o\n    litellm_params:\n      model: openai/gpt-4o\n      api_key: sk-{m}\n      extra_headers: {{Authorization: Bearer {m}}}\n  - model_name: azure\n    litellm_params:\n      model: azure/gpt-4o\n      api_base: https://user:{m}@example.openai.azure.com\n      api_version: \"2024-10-21\"\n      clientSecret: {m}\n      api_key: os.environ/AZURE_API_KEY\nlitellm_settings:\n  cache: true\n  cache_params: {{type: redis, redis_url: \"redis://:{m}@redis:6379\"}}\ngeneral_settings:\n  master_key: sk-{m}\n  alerting: [slack]\n  slack_webhook_url: https://hooks.slack.com/services/T0/B0/{m}\n"
        ),
        format!(
            "model_list:\n  - model_name: a\n    litellm_params: {{model: openai/a, api_key: \"sk-{m}\n"
        ),
        format!(
            "model_list:\n  - model_name: a\n    litellm_params:\n      model: openai/a\n      api_key: sk-{m}\n    : broken\n"
        ),
    ];
    // Shapes import now carries instead of refusing: an included file with literal keys
    // (also at depth), entries LiteLLM drops (skipped with a warning that must not quote
    // their keys), an org/model id, an endpoint from the environment whose value holds a
    // password (never read), and comments in a row before a key.
    fs::write(
        tmp.path().join("keys.yaml"),
        format!("model_list:\n  - model_name: inc\n    litellm_params:\n      model: claude-sonnet-4-5\n      api_key: sk-ant-{m}\n      extra_headers: {{x-api-key: {m}}}\nrouter_settings:\n  redis_password: {m}\n"),
    )
    .expect("write");
    let comments = "  # retired\n".repeat(90);
    let configs = configs.into_iter().chain([
        format!(
            "include: [keys.yaml]\nmodel_list:\n{comments}  - model_name: dropped\n    litellm_params:\n      model: opnai/gpt-4o\n      api_key: sk-{m}\n  - model_name: bare\n    litellm_params:\n      model: not-a-known-model\n      api_key: sk-{m}\n  - model_name: org\n    litellm_params:\n      model: meta-llama/Llama-3\n      custom_llm_provider: openai\n      api_base: os.environ/LEAKY_URL\n      api_key: {m}\n"
        ),
    ]);
    let env: Vec<(String, String)> = env()
        .into_iter()
        .chain([(
            "LEAKY_URL".to_owned(),
            format!("https://u:{m}@llm.internal/v1"),
        )])
        .collect();
    for (i, config) in configs.enumerate() {
        let file = format!("config-{i}.yaml");
        fs::write(tmp.path().join(&file), config).expect("write");
        let out = run(tmp.path(), &["import", &file], &env);
        if i == 3 {
            assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
            assert!(stderr(&out).contains("drops"), "{}", stderr(&out));
        }
        assert_clean(&format!("import of config {i}"), &stdout(&out));
        assert_clean(&format!("import of config {i} (stderr)"), &stderr(&out));
        let spec_out = format!("imported-{i}.yaml");
        let _ = run(tmp.path(), &["import", &file, "-o", &spec_out], &env);
        if let Ok(spec) = fs::read_to_string(tmp.path().join(&spec_out)) {
            assert_clean(&format!("the spec imported from config {i}"), &spec);
        }
    }
}

/// A proxy that answers every write with the master key in every form it could echo.
fn hostile_proxy(master_key: &str) -> (String, std::thread::JoinHandle<()>) {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let url = format!("http://{}", listener.local_addr().expect("addr"));
    let key = master_key.to_owned();
    let handle = std::thread::spawn(move || {
        for stream in listener.incoming().take(8) {
            let Ok(mut stream) = stream else { break };
            let mut buf = [0u8; 65536];
            let n = stream.read(&mut buf).unwrap_or(0);
            let request = String::from_utf8_lossy(&buf[..n]);
            let (status, body) = if request.starts_with("GET /model/info") {
                ("200 OK", "{\"data\": []}".to_owned())
            } else {
                let padding = "x".repeat(290);
                let b64 = base64::engine::general_purpose::STANDARD.encode(&key);
                let message = format!(
                    "{padding}{key} key={} b64={b64} json={}",
                    key.to_ascii_uppercase(),
                    serde_json::to_string(&key)
                        .expect("json")
                        .replace('-', "\\u002d"),
                );
                (
                    "400 Bad Request",
                    serde_json::json!({"error": {"message": message}}).to_string(),
                )
            };
            let _ = write!(
                stream,
                "HTTP/1.1 {status}\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                body.len()
            );
        }
    });
    (url, handle)
}

#[test]
fn sync_and_verify_never_repeat_the_master_key_a_proxy_echoes() {
    let tmp = workspace();
    let master = master_key();
    for format in ["text", "json"] {
        let (url, _server) = hostile_proxy(master);
        let out = run(
            tmp.path(),
            &[
                "sync",
                "database.yaml",
                "--url",
                &url,
                "--retries",
                "0",
                "--format",
                format,
            ],
            &env(),
        );
        assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
        assert!(stderr(&out).contains("refused"), "{}", stderr(&out));
        assert_clean("sync's output", &stdout(&out));
        assert_clean("sync's error", &stderr(&out));
        // verify reads /v1/models too, which this proxy answers with the key in every form.
        let (url, _server) = hostile_proxy(master);
        let out = run(
            tmp.path(),
            &[
                "verify",
                "gateway.yaml",
                "--url",
                &url,
                "--samples",
                "1",
                "--format",
                format,
            ],
            &env(),
        );
        assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
        assert!(stdout(&out).contains("not answering"), "{}", stdout(&out));
        assert_clean("verify's output", &stdout(&out));
        assert_clean("verify's error", &stderr(&out));
    }
}

#[test]
fn the_hunt_finds_what_it_hunts() {
    // The hunt itself must catch each form, or a clean result means nothing.
    let value = ENV[0].1;
    let b64 = base64::engine::general_purpose::STANDARD;
    for text in [
        format!("prefix {value} suffix"),
        b64.encode(format!("ab{value}cd")),
        b64.encode(format!("a{value}")),
        b64.encode(value),
        value
            .bytes()
            .map(|b| format!("{b:02x}"))
            .collect::<String>(),
        serde_json::to_string(&format!("x/{value}")).expect("json"),
        value.replace('-', "\\u002d"),
    ] {
        let caught = std::panic::catch_unwind(|| assert_clean("probe", &text));
        assert!(caught.is_err(), "the hunt missed {text:?}");
    }
}

#[test]
fn a_weak_master_key_is_refused_without_showing_it() {
    let tmp = workspace();
    let weak = "MARKER-literal-9z9y8x7w6v";
    let env: Vec<(String, String)> = env()
        .into_iter()
        .map(|(k, v)| {
            let v = if k == "LITELLM_MASTER_KEY" {
                weak.to_owned()
            } else {
                v
            };
            (k, v)
        })
        .collect();
    for args in [
        &["render", "gateway.yaml"][..],
        &["validate", "--format", "json", "gateway.yaml"],
    ] {
        let out = run(tmp.path(), args, &env);
        assert_eq!(out.status.code(), Some(1), "{args:?}");
        assert!(
            format!("{}{}", stdout(&out), stderr(&out)).contains("E021"),
            "{args:?}"
        );
        assert_clean(
            &format!("{args:?}"),
            &format!("{}{}", stdout(&out), stderr(&out)),
        );
    }
}
