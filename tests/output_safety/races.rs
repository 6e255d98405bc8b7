//! Renders that race into one directory, or are killed on the way: DIR is always whole,
//! and nothing git would commit is left beside it.

use std::os::unix::fs::PermissionsExt;

use super::*;

#[test]
fn two_renders_racing_into_a_new_directory_both_succeed_and_leave_no_copy() {
    let reference = rendered();
    for round in 0..20 {
        let tmp = tempfile::tempdir().expect("tempdir");
        fs::copy(
            root().join("examples/minimal.yaml"),
            tmp.path().join("spec.yaml"),
        )
        .expect("copy");
        let spawn = || {
            Command::new(LITEGATE)
                .args(["render", "spec.yaml", "-o", "out", "--plaintext-secret"])
                .env_clear()
                .envs(DUMMY_ENV.iter().copied())
                .current_dir(tmp.path())
                .stderr(Stdio::piped())
                .spawn()
                .expect("litegate runs")
        };
        let (first, second) = (spawn(), spawn());
        for child in [first, second] {
            let out = child.wait_with_output().expect("exits");
            assert_eq!(
                out.status.code(),
                Some(0),
                "round {round}: {}",
                text(&out.stderr)
            );
        }
        assert_eq!(
            files_in(&tmp.path().join("out")),
            files_in(&reference.1),
            "round {round}"
        );
        assert_eq!(
            litegate_leftovers(tmp.path()),
            Vec::<String>::new(),
            "round {round}"
        );
    }
}

/// A git work tree with the spec at its root; renders go to `deploy/out`.
fn git_repo() -> tempfile::TempDir {
    let repo = tempfile::tempdir().expect("tempdir");
    let git = Command::new("git")
        .args(["init", "-q", "."])
        .current_dir(repo.path())
        .status()
        .expect("git runs");
    assert!(git.success());
    fs::copy(
        root().join("examples/minimal.yaml"),
        repo.path().join("spec.yaml"),
    )
    .expect("copy");
    repo
}

/// `git status --porcelain --ignored` lines: `??` untracked, `!!` ignored.
fn git_status(repo: &Path) -> Vec<String> {
    let out = Command::new("git")
        .args([
            "status",
            "--porcelain",
            "--ignored",
            "--untracked-files=all",
        ])
        .current_dir(repo)
        .output()
        .expect("git runs");
    text(&out.stdout).lines().map(str::to_owned).collect()
}

/// The `.litegate*` paths git would add (`git add -A`): none may be there, ever.
fn exposed(status: &[String]) -> Vec<&String> {
    status
        .iter()
        .filter(|l| l.contains(".litegate") && !l.starts_with("!!"))
        .collect()
}

fn render_into_deploy(repo: &Path, pause: bool) -> Child {
    let mut cmd = Command::new(LITEGATE);
    cmd.args([
        "render",
        "spec.yaml",
        "-o",
        "deploy/out",
        "--plaintext-secret",
    ])
    .env_clear()
    .envs(DUMMY_ENV.iter().copied())
    .current_dir(repo)
    .stderr(Stdio::null());
    if pause {
        cmd.env("LITEGATE_TEST_PAUSE_BEFORE_SWAP", "1");
    }
    cmd.spawn().expect("litegate runs")
}

fn assert_next_render_cleans_up(repo: &Path) {
    let (code, _, err) = bounded(
        repo,
        &[
            "render",
            "spec.yaml",
            "-o",
            "deploy/out",
            "--plaintext-secret",
        ],
    );
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        litegate_leftovers(&repo.join("deploy")),
        Vec::<String>::new()
    );
}

#[test]
fn a_render_killed_before_the_swap_leaves_only_what_git_ignores() {
    if !cfg!(debug_assertions) {
        eprintln!("skipped: the pause hook exists in debug builds only");
        return;
    }
    let repo = git_repo();
    let deploy = repo.path().join("deploy");
    let mut child = render_into_deploy(repo.path(), true);
    let start = Instant::now();
    let staging = loop {
        let found = fs::read_dir(&deploy).ok().and_then(|entries| {
            entries
                .flatten()
                .map(|e| e.path())
                .find(|p| p.join("tree/kustomization.yaml").exists())
        });
        if let Some(path) = found {
            break path;
        }
        assert!(
            start.elapsed() < Duration::from_secs(20),
            "no staging directory appeared"
        );
        std::thread::sleep(Duration::from_millis(10));
    };
    child.kill().expect("SIGKILL");
    child.wait().expect("reaped");
    let mode = |p: &Path| fs::metadata(p).expect("exists").permissions().mode() & 0o777;
    assert_eq!(mode(&staging), 0o700, "the staging directory is private");
    assert!(staging.join("tree/secret.yaml").exists());
    let status = git_status(repo.path());
    let name = staging
        .file_name()
        .expect("name")
        .to_string_lossy()
        .into_owned();
    let ignored = format!("!! deploy/{name}/");
    assert!(status.iter().any(|l| l.starts_with(&ignored)), "{status:?}");
    assert!(exposed(&status).is_empty(), "{status:?}");
    assert_next_render_cleans_up(repo.path());
}

/// Kills at pseudo-random points over the whole render (a debug render of minimal.yaml
/// takes about 100 ms, most of it in fsync), from a fixed seed.
#[test]
fn renders_killed_at_random_points_never_leave_a_secret_for_git() {
    let repo = git_repo();
    let expected: Vec<String> = {
        let (_tmp, out) = rendered();
        files_in(&out).into_iter().map(|(n, _)| n).collect()
    };
    let mut seed: u64 = 0x5eed;
    for round in 0..40 {
        seed = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        let delay = Duration::from_micros((seed >> 33) % 120_000);
        let mut child = render_into_deploy(repo.path(), false);
        std::thread::sleep(delay);
        let _ = child.kill();
        child.wait().expect("reaped");
        let status = git_status(repo.path());
        assert!(
            exposed(&status).is_empty(),
            "round {round} ({delay:?}): {status:?}"
        );
        let out = repo.path().join("deploy/out");
        if out.exists() {
            let names: Vec<String> = files_in(&out).into_iter().map(|(n, _)| n).collect();
            assert_eq!(names, expected, "round {round}: deploy/out is incomplete");
        }
    }
    assert_next_render_cleans_up(repo.path());
}
