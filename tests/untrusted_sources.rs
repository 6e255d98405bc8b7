//! A spec from an untrusted repository cannot make litegate read the machine: `file:`
//! sources stay in or below the spec's directory (a load restrictor, like kustomize's),
//! `env:` sources in plugin and function modes read only what the operator allows, and
//! no input (a secret file, the spec, stdin) is read past its cap or from a device.
//! Each attack runs the real binary, and through real `kubectl kustomize` and `kpt`
//! where the attack goes through them.

mod common;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use common::{DUMMY_ENV, allow_dummy_env, litegate_in, root};

const OUTSIDE_MARKER: &str = "sk-outside-the-root-MARKER-5f3a9c";
const ENV_MARKER: &str = "sk-build-server-variable-MARKER-77e1";

fn minimal_with_key(source: &str) -> String {
    std::fs::read_to_string(root().join("examples/minimal.yaml"))
        .expect("minimal.yaml")
        .replacen(
            "apiKey: {env: OPENAI_API_KEY}",
            &format!("apiKey: {source}"),
            1,
        )
}

/// `work/repo/gateway.yaml` with a key source; `work/outside/id_rsa` holds a marker.
struct Repo {
    dir: tempfile::TempDir,
}

impl Repo {
    fn new(source: &str) -> Self {
        let dir = tempfile::tempdir().expect("tempdir");
        let repo = dir.path().join("repo");
        std::fs::create_dir_all(repo.join("keys")).expect("mkdir");
        std::fs::create_dir_all(dir.path().join("outside")).expect("mkdir");
        std::fs::write(dir.path().join("outside/id_rsa"), OUTSIDE_MARKER).expect("write");
        std::fs::write(repo.join("keys/openai.txt"), "sk-inside-the-root-ok-1234\n").expect("w");
        std::os::unix::fs::symlink("../../outside/id_rsa", repo.join("keys/link-out"))
            .expect("symlink");
        std::os::unix::fs::symlink("/proc/self/environ", repo.join("keys/environ"))
            .expect("symlink");
        std::fs::write(repo.join("gateway.yaml"), minimal_with_key(source)).expect("write");
        Repo { dir }
    }

    fn repo(&self) -> PathBuf {
        self.dir.path().join("repo")
    }
}

fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// Every encoding a leak could take in a manifest or a message.
fn leaks(haystack: &str, secret: &str) -> bool {
    use base64::Engine;
    let b64 = base64::engine::general_purpose::STANDARD.encode(secret);
    haystack.contains(secret) || haystack.contains(b64.trim_end_matches('='))
}

/// The attacks on `file:`, each a path the repository may write.
const ESCAPES: &[&str] = &[
    "/etc/hostname",
    "../outside/id_rsa",
    "keys/../../outside/id_rsa",
    "keys/link-out",
    "/proc/self/environ",
    "keys/environ",
];

fn env_with_marker() -> Vec<(&'static str, &'static str)> {
    let mut env: Vec<(&str, &str)> = DUMMY_ENV.to_vec();
    env.push(("BUILD_SERVER_TOKEN", ENV_MARKER));
    env
}

#[test]
fn render_refuses_file_sources_that_leave_the_spec_directory() {
    for escape in ESCAPES {
        let repo = Repo::new(&format!("{{file: {escape}}}"));
        let out = litegate_in(
            &repo.repo(),
            &["render", "gateway.yaml"],
            &env_with_marker(),
        );
        assert_eq!(out.status.code(), Some(1), "{escape}: {}", text(&out));
        assert!(
            out.stdout.is_empty(),
            "{escape}: a failing render writes nothing"
        );
        assert!(
            text(&out).contains("error[E033]: providers.openai.apiKey.file"),
            "{escape}: {}",
            text(&out)
        );
        assert!(!leaks(&text(&out), OUTSIDE_MARKER), "{escape}");
        assert!(!leaks(&text(&out), ENV_MARKER), "{escape}");
    }
    // Inside the root, files still work.
    let repo = Repo::new("{file: keys/openai.txt}");
    let out = litegate_in(&repo.repo(), &["render", "gateway.yaml"], DUMMY_ENV);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
}

#[test]
fn a_refusal_does_not_tell_whether_the_outside_path_exists() {
    let message = |escape: &str| {
        let repo = Repo::new(&format!("{{file: {escape}}}"));
        let out = litegate_in(&repo.repo(), &["validate", "gateway.yaml"], DUMMY_ENV);
        String::from_utf8_lossy(&out.stderr).replace(escape, "PATH")
    };
    // Paths of one length, so that even the caret under them is the same.
    assert_eq!(message("../outside/id_rsa"), message("../outside/nothin"));
    assert_eq!(message("/etc/hostname"), message("/etc/nosuchfl"));
}

#[test]
fn the_opt_out_reads_outside_the_root_as_before() {
    let repo = Repo::new("{file: ../outside/id_rsa}");
    let out = litegate_in(
        &repo.repo(),
        &[
            "render",
            "gateway.yaml",
            "--load-restrictor",
            "LoadRestrictionsNone",
        ],
        DUMMY_ENV,
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert!(leaks(&String::from_utf8_lossy(&out.stdout), OUTSIDE_MARKER));
}

/// A kustomization in the repo whose generator is the spec; litegate linked as the plugin.
fn kustomize(repo: &Repo, env: &[(&str, &str)]) -> Output {
    std::fs::write(
        repo.repo().join("kustomization.yaml"),
        "generators:\n  - gateway.yaml\n",
    )
    .expect("write");
    let plugins = repo.dir.path().join("plugins");
    let plugin_dir = plugins.join("litegate/v1alpha1/gateway");
    std::fs::create_dir_all(&plugin_dir).expect("mkdir");
    let link = plugin_dir.join("Gateway");
    if !link.exists() {
        std::os::unix::fs::symlink(env!("CARGO_BIN_EXE_litegate"), &link).expect("symlink");
    }
    Command::new(common::tool("kubectl"))
        .args(["kustomize", "--enable-alpha-plugins"])
        .arg(repo.repo())
        .env_clear()
        .envs(env.iter().copied())
        .env("HOME", repo.dir.path())
        .env("KUSTOMIZE_PLUGIN_HOME", &plugins)
        .output()
        .expect("kubectl runs")
}

#[test]
fn kubectl_kustomize_cannot_make_the_plugin_read_outside_the_kustomization() {
    let allow = allow_dummy_env();
    for escape in ESCAPES {
        let repo = Repo::new(&format!("{{file: {escape}}}"));
        let mut env = env_with_marker();
        env.push((allow.0, &allow.1));
        let out = kustomize(&repo, &env);
        assert!(!out.status.success(), "{escape}: {}", text(&out));
        assert!(out.stdout.is_empty(), "{escape}");
        assert!(text(&out).contains("E033"), "{escape}: {}", text(&out));
        assert!(!leaks(&text(&out), OUTSIDE_MARKER), "{escape}");
    }
    let repo = Repo::new("{file: keys/openai.txt}");
    let mut env = DUMMY_ENV.to_vec();
    env.push((allow.0, &allow.1));
    let out = kustomize(&repo, &env);
    assert!(out.status.success(), "{}", text(&out));
}

#[test]
fn the_plugin_reads_only_the_variables_the_operator_allows() {
    let repo = Repo::new("{env: BUILD_SERVER_TOKEN}");
    let allow = allow_dummy_env();
    let mut env = env_with_marker();
    env.push((allow.0, &allow.1));
    let out = kustomize(&repo, &env);
    assert!(!out.status.success(), "{}", text(&out));
    assert!(
        text(&out).contains("environment variable BUILD_SERVER_TOKEN may not be read"),
        "{}",
        text(&out)
    );
    assert!(text(&out).contains("LITEGATE_ALLOW_ENV=BUILD_SERVER_TOKEN"));
    assert!(!leaks(&text(&out), ENV_MARKER));

    // No allow-list at all: nothing is read, not even the master key.
    let out = kustomize(&Repo::new("{env: OPENAI_API_KEY}"), DUMMY_ENV);
    assert!(!out.status.success());
    assert!(
        text(&out).contains("LITELLM_MASTER_KEY may not be read"),
        "{}",
        text(&out)
    );

    // Allowed by a prefix pattern, it is read.
    let allowed = format!("{},BUILD_SERVER_*", allow.1);
    let mut env = env_with_marker();
    env.push(("LITEGATE_ALLOW_ENV", &allowed));
    let out = kustomize(&repo, &env);
    assert!(out.status.success(), "{}", text(&out));
    assert!(leaks(&String::from_utf8_lossy(&out.stdout), ENV_MARKER));
}

/// `kpt fn eval PKG --exec litegate-krm --fn-config SPEC`, run in the repo.
fn kpt(repo: &Repo, env: &[(&str, &str)]) -> Output {
    let pkg = repo.repo().join("pkg");
    std::fs::create_dir_all(&pkg).expect("mkdir");
    let wrapper = repo.dir.path().join("litegate-krm");
    std::fs::write(
        &wrapper,
        format!("#!/bin/sh\nexec {} krm\n", env!("CARGO_BIN_EXE_litegate")),
    )
    .expect("write");
    std::fs::set_permissions(
        &wrapper,
        std::os::unix::fs::PermissionsExt::from_mode(0o755),
    )
    .expect("chmod");
    Command::new(common::tool("kpt"))
        .args(["fn", "eval", "pkg", "--exec"])
        .arg(&wrapper)
        .args(["--fn-config", "gateway.yaml"])
        .current_dir(repo.repo())
        .env_clear()
        .envs(env.iter().copied())
        .env("HOME", repo.dir.path())
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .output()
        .expect("kpt runs")
}

fn package_text(repo: &Repo) -> String {
    let mut all = String::new();
    for entry in std::fs::read_dir(repo.repo().join("pkg")).expect("pkg") {
        all.push_str(&std::fs::read_to_string(entry.expect("entry").path()).unwrap_or_default());
    }
    all
}

#[test]
fn kpt_cannot_make_the_function_read_outside_its_root_or_unlisted_variables() {
    let allow = allow_dummy_env();
    for escape in ["../outside/id_rsa", "keys/link-out", "/proc/self/environ"] {
        let repo = Repo::new(&format!("{{file: {escape}}}"));
        let mut env = env_with_marker();
        env.push((allow.0, &allow.1));
        let out = kpt(&repo, &env);
        assert!(!out.status.success(), "{escape}: {}", text(&out));
        assert!(text(&out).contains("E033"), "{escape}: {}", text(&out));
        assert!(!leaks(&package_text(&repo), OUTSIDE_MARKER), "{escape}");
        assert!(!leaks(&text(&out), OUTSIDE_MARKER), "{escape}");
    }
    let repo = Repo::new("{env: BUILD_SERVER_TOKEN}");
    let mut env = env_with_marker();
    env.push((allow.0, &allow.1));
    let out = kpt(&repo, &env);
    assert!(!out.status.success(), "{}", text(&out));
    assert!(
        text(&out).contains("BUILD_SERVER_TOKEN may not be read"),
        "{}",
        text(&out)
    );
    assert!(!leaks(&package_text(&repo), ENV_MARKER));
}

/// Runs litegate with `stdin` piped in; fails the test if it has not exited in 20 s.
fn bounded(dir: &Path, args: &[&str], stdin: Option<&[u8]>) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_litegate"))
        .args(args)
        .current_dir(dir)
        .env_clear()
        .envs(DUMMY_ENV.iter().copied())
        .stdin(if stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("litegate runs");
    if let Some(bytes) = stdin {
        let mut pipe = child.stdin.take().expect("stdin");
        let bytes = bytes.to_vec();
        // A reader that stops early closes the pipe: the writer's error is expected.
        std::thread::spawn(move || pipe.write_all(&bytes));
    }
    let start = Instant::now();
    while child.try_wait().expect("waits").is_none() {
        if start.elapsed() > Duration::from_secs(20) {
            let _ = child.kill();
            panic!("litegate {args:?} hung");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    child.wait_with_output().expect("exits")
}

#[test]
fn fifos_devices_and_huge_files_are_refused_at_once() {
    let repo = Repo::new("{file: keys/fifo}");
    let status = Command::new("mkfifo")
        .arg(repo.repo().join("keys/fifo"))
        .status()
        .expect("mkfifo");
    assert!(status.success());
    let out = bounded(&repo.repo(), &["validate", "gateway.yaml"], None);
    assert!(text(&out).contains("not a regular file"), "{}", text(&out));

    // 1.5 GB of holes: read past the 64 KiB cap, it would cost 3 GB.
    let repo = Repo::new("{file: keys/huge}");
    std::fs::File::create(repo.repo().join("keys/huge"))
        .and_then(|f| f.set_len(1536 * 1024 * 1024))
        .expect("sparse file");
    let out = bounded(&repo.repo(), &["validate", "gateway.yaml"], None);
    assert!(
        text(&out).contains("larger than 65536 bytes"),
        "{}",
        text(&out)
    );

    let repo = Repo::new("{file: /dev/zero}");
    let out = bounded(
        &repo.repo(),
        &[
            "validate",
            "gateway.yaml",
            "--load-restrictor",
            "LoadRestrictionsNone",
        ],
        None,
    );
    assert!(text(&out).contains("it is a device"), "{}", text(&out));
}

#[test]
fn the_spec_and_stdin_are_capped_and_devices_refused() {
    let dir = tempfile::tempdir().expect("tempdir");
    let huge = vec![b'#'; 9 * 1024 * 1024];
    let out = bounded(dir.path(), &["validate", "/dev/stdin"], Some(&huge));
    assert!(text(&out).contains("error[E031]"), "{}", text(&out));

    for args in [
        &["kustomize-plugin", "/dev/zero"][..],
        &["validate", "/dev/zero"],
    ] {
        let out = bounded(dir.path(), args, None);
        assert_eq!(out.status.code(), Some(1), "{args:?}");
        assert!(
            text(&out).contains("it is a device"),
            "{args:?}: {}",
            text(&out)
        );
    }
    let spec = root().join("examples/minimal.yaml");
    let spec = spec.to_str().expect("utf-8");
    let over = vec![b'#'; 65 * 1024 * 1024];
    for args in [&["krm"][..], &["post-render", spec]] {
        let out = bounded(dir.path(), args, Some(&over));
        assert_eq!(out.status.code(), Some(1), "{args:?}");
        assert!(
            text(&out).contains("larger than 67108864 bytes"),
            "{args:?}: {}",
            text(&out)
        );
    }
}
