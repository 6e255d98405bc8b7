//! `-o DIR` and `--check DIR` / `plan DIR` against a directory a person or a pull request
//! changed: extra files are refused and kept; symlinks, FIFOs and huge files are named and
//! never read.

use super::*;

#[test]
fn files_a_person_added_are_refused_never_deleted() {
    let (tmp, out) = rendered();
    fs::write(out.join("README.md"), "mine").expect("write");
    fs::create_dir(out.join("overlays")).expect("mkdir");
    fs::write(out.join("overlays/kustomization.yaml"), "resources: [..]\n").expect("write");
    let before = files_in(&out);
    let expected = "out: holds files litegate did not write: README.md, overlays/; \
                    move them elsewhere or render to another directory";
    for args in [
        ["render", "spec.yaml", "-o", "out", "--plaintext-secret"],
        [
            "render",
            "spec.yaml",
            "--check",
            "out",
            "--plaintext-secret",
        ],
    ] {
        let (code, stdout, err) = bounded(tmp.path(), &args);
        assert_eq!(code, 1, "{args:?}: {err}");
        assert!(err.contains(expected), "{args:?}: {err}");
        assert!(stdout.is_empty(), "{args:?}: {stdout}");
        assert_eq!(files_in(&out), before, "{args:?} changed the directory");
        assert!(out.join("overlays/kustomization.yaml").exists());
    }
}

#[test]
fn check_and_plan_never_follow_a_symlink_into_proc() {
    let (tmp, out) = rendered();
    std::os::unix::fs::symlink("/proc/self/environ", out.join("NOTES")).expect("symlink");
    let (code, stdout, err) = bounded(
        tmp.path(),
        &[
            "render",
            "spec.yaml",
            "--check",
            "out",
            "--plaintext-secret",
        ],
    );
    assert_no_secret_value(&format!("{stdout}{err}"));
    assert_eq!(code, 1, "{err}");
    assert!(
        err.contains("holds files litegate did not write: NOTES;"),
        "{err}"
    );
    let (code, stdout, err) = bounded(tmp.path(), &["plan", "out", "spec.yaml"]);
    assert_no_secret_value(&format!("{stdout}{err}"));
    assert_eq!(code, 0, "{err}");
    assert!(
        err.contains("note: out/NOTES: not written by litegate, not read"),
        "{err}"
    );

    fs::remove_file(out.join("secret.yaml")).expect("rm");
    std::os::unix::fs::symlink("/proc/self/environ", out.join("secret.yaml")).expect("symlink");
    fs::remove_file(out.join("deployment.yaml")).expect("rm");
    std::os::unix::fs::symlink("/dev/zero", out.join("deployment.yaml")).expect("symlink");
    for args in [
        &[
            "render",
            "spec.yaml",
            "--check",
            "out",
            "--plaintext-secret",
        ][..],
        &["plan", "out", "spec.yaml"],
    ] {
        let (code, stdout, err) = bounded(tmp.path(), args);
        assert_no_secret_value(&format!("{stdout}{err}"));
        assert_eq!(code, 1, "{args:?}: {err}");
        assert!(
            err.contains("deployment.yaml (a symbolic link), secret.yaml (a symbolic link)"),
            "{args:?}: {err}"
        );
    }
}

#[test]
fn fifos_and_huge_files_are_named_not_read() {
    let (tmp, out) = rendered();
    let fifo = |name: &str| {
        let _ = fs::remove_file(out.join(name));
        let made = Command::new("mkfifo")
            .arg(out.join(name))
            .status()
            .expect("mkfifo");
        assert!(made.success());
    };
    fifo("NOTES");
    fifo("configmap.yaml");
    for args in [
        &[
            "render",
            "spec.yaml",
            "--check",
            "out",
            "--plaintext-secret",
        ][..],
        &["plan", "out", "spec.yaml"],
    ] {
        let (code, _, err) = bounded(tmp.path(), args);
        assert_eq!(code, 1, "{args:?}: {err}");
        assert!(err.contains("configmap.yaml (a FIFO)"), "{args:?}: {err}");
    }
    fs::remove_file(out.join("configmap.yaml")).expect("rm");
    fs::remove_file(out.join("NOTES")).expect("rm");
    let huge = fs::File::create(out.join("configmap.yaml")).expect("create");
    huge.set_len(5 << 20).expect("a sparse 5 MiB file");
    for args in [
        &[
            "render",
            "spec.yaml",
            "--check",
            "out",
            "--plaintext-secret",
        ][..],
        &["plan", "out", "spec.yaml"],
    ] {
        let (code, _, err) = bounded(tmp.path(), args);
        assert_eq!(code, 1, "{args:?}: {err}");
        assert!(
            err.contains("configmap.yaml (over 4 MiB)"),
            "{args:?}: {err}"
        );
    }
}
