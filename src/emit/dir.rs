//! `render -o DIR` and `render --check DIR`: replacing DIR with the rendered files in one
//! atomic step, and diffing DIR against them; both decide from `read::read_rendered_dir`.
//!
//! While writing, everything is beside DIR in its parent directory PARENT:
//!
//! ```text
//! PARENT/.litegate-stage-XXXXXX/   0700 from its creation: no one else can look inside
//!     .gitignore                   `*`, there whole before any other file: git ignores all
//!     tree/                        the new files; exchanged with DIR once complete
//! ```
//!
//! After the exchange `tree/` holds the old DIR, and the staging directory is removed. A
//! render killed on the way leaves a staging directory that git ignores; the next render
//! into PARENT removes it. Renders into PARENT are serialized by an exclusive `flock` on
//! PARENT itself, which leaves no file behind.

use std::fs;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use rustix::io::Errno;

use super::OutputFile;
use super::read::read_rendered_dir;
use super::redact::{Shown, redact_pair};
use super::staging::{self, Staging};
use crate::Error;

/// How long a render waits for another one into the same parent directory.
const LOCK_WAIT: Duration = Duration::from_secs(60);

/// Replaces `dir` with exactly `files`, atomically: a reader sees the old tree or the new
/// one, never a mix, and a failure leaves `dir` as it was. A `dir` holding anything
/// litegate did not write is refused, with the entries named, and nothing is written.
pub fn write_dir(dir: &Path, files: &[OutputFile]) -> Result<(), Error> {
    let parent = parent_of(dir)?;
    fs::create_dir_all(&parent).map_err(|e| Error::fs("creating", &parent, e))?;
    let lock = lock(&parent)?;
    let current = read_rendered_dir(dir)?;
    if let Some(refusal) = current.refusal(dir) {
        return Err(refusal);
    }
    staging::remove_stale(&parent);
    let staging = Staging::create(&parent)?;
    staging.write(files)?;
    pause_for_tests();
    let tree = staging.tree();
    let placed = if current.exists {
        swap(&tree, dir, &staging.path().join("old"))
    } else {
        fs::rename(&tree, dir).map_err(|e| Error::fs("renaming the new tree to", dir, e))
    };
    if let Err(e) = placed {
        if matches!(e, Error::Stranded { .. }) {
            // The old tree is in the staging directory now: it must not be removed.
            staging.keep();
        }
        return Err(e);
    }
    lock.sync_all()
        .map_err(|e| Error::fs("syncing", &parent, e))?;
    // Dropping `staging` removes the old tree, then dropping `lock` releases the lock.
    Ok(())
}

/// The directory DIR is in; DIR must end in a name (not `.`, `..` or `/`).
fn parent_of(dir: &Path) -> Result<PathBuf, Error> {
    if dir.file_name().is_none() {
        return Err(Error::NotADirectory {
            path: dir.to_path_buf(),
            what: "does not end in a directory name; name the directory to render into",
        });
    }
    Ok(match dir.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    })
}

/// An exclusive `flock` on `parent`, held until the returned handle is dropped. Polls so
/// that a stuck render makes this one fail after [`LOCK_WAIT`], not hang.
fn lock(parent: &Path) -> Result<fs::File, Error> {
    use rustix::fs::{FlockOperation, flock};
    let handle = fs::File::open(parent).map_err(|e| Error::fs("opening", parent, e))?;
    let deadline = Instant::now() + LOCK_WAIT;
    loop {
        match flock(&handle, FlockOperation::NonBlockingLockExclusive) {
            Ok(()) => return Ok(handle),
            Err(Errno::WOULDBLOCK) if Instant::now() < deadline => {
                std::thread::sleep(Duration::from_millis(10));
            }
            Err(Errno::WOULDBLOCK) => {
                return Err(Error::Locked {
                    path: parent.to_path_buf(),
                    seconds: LOCK_WAIT.as_secs(),
                });
            }
            Err(e) => return Err(Error::fs("locking", parent, e.into())),
        }
    }
}

/// Debug builds only: `LITEGATE_TEST_PAUSE_BEFORE_SWAP` holds a render with its staging
/// directory complete, for the test that kills it there (tests/output_safety/races.rs).
fn pause_for_tests() {
    #[cfg(debug_assertions)]
    if std::env::var_os("LITEGATE_TEST_PAUSE_BEFORE_SWAP").is_some() {
        std::thread::sleep(Duration::from_secs(30));
    }
}

/// Exchanges the new tree with `dir` in one step; where the file system cannot, falls back
/// to two renames through `aside`.
fn swap(tree: &Path, dir: &Path, aside: &Path) -> Result<(), Error> {
    use rustix::fs::{CWD, RenameFlags, renameat_with};
    match renameat_with(CWD, tree, CWD, dir, RenameFlags::EXCHANGE) {
        Ok(()) => Ok(()),
        Err(Errno::INVAL | Errno::NOSYS | Errno::NOTSUP) => swap_by_renames(tree, dir, aside),
        Err(e) => Err(Error::fs("exchanging the new tree with", dir, e.into())),
    }
}

/// `dir` aside, then the tree into its place; if that fails, `dir` back. So `dir` is
/// missing only between two renames, never after a failure (unless putting it back fails
/// too: `Error::Stranded` then says where it is).
fn swap_by_renames(tree: &Path, dir: &Path, aside: &Path) -> Result<(), Error> {
    fs::rename(dir, aside).map_err(|e| Error::fs("moving aside", dir, e))?;
    match fs::rename(tree, dir) {
        Ok(()) => Ok(()),
        Err(cause) => match fs::rename(aside, dir) {
            Ok(()) => Err(Error::fs("renaming the new tree to", dir, cause)),
            Err(undo) => Err(Error::Stranded {
                dir: dir.to_path_buf(),
                aside: aside.to_path_buf(),
                cause,
                undo,
            }),
        },
    }
}

/// `--check`: `None` when `dir` holds exactly `files`, else a unified diff of what would
/// change, with secret values redacted on both sides. A `dir` that `-o` would refuse fails
/// the check with the same error; what litegate did not write is never read.
pub fn check_dir(
    dir: &Path,
    files: &[OutputFile],
    values: Values,
) -> Result<Option<String>, Error> {
    let current = read_rendered_dir(dir)?;
    if let Some(refusal) = current.refusal(dir) {
        return Err(refusal);
    }
    let mut on_disk = current.files;
    let mut diff = String::new();
    let display = dir.display();
    for file in files {
        let old = on_disk.remove(&file.name).unwrap_or_default();
        let (old, new) = match values {
            Values::Compared => (old, file.content.clone()),
            Values::NotCompared => (forget_values(&old), forget_values(&file.content)),
        };
        if old != new {
            let path = format!("{display}/{}", file.name);
            diff.push_str(&shown(&path, redact_pair(&file.name, &old, &new)));
        }
    }
    for (name, old) in on_disk {
        let path = format!("{display}/{name}");
        diff.push_str(&shown(&path, redact_pair(&name, &old, "")));
    }
    Ok((!diff.is_empty()).then_some(diff))
}

/// Whether `--check` compares secret values: with the keys at hand, or not
/// (`--skip-secrets`, for CI jobs that have no production keys).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Values {
    Compared,
    NotCompared,
}

const NOT_COMPARED: &str = "<not compared>";

/// A litegate file without what depends on secret values: the `checksum/secret`
/// annotation, and the values of a Secret's data (its keys stay).
fn forget_values(text: &str) -> String {
    let checksum = format!("{}: ", crate::names::SECRET_CHECKSUM);
    let mut out: String = text
        .split_inclusive('\n')
        .map(|line| match line.find(&checksum) {
            Some(at) => format!("{}{NOT_COMPARED}\n", &line[..at + checksum.len()]),
            None => line.to_owned(),
        })
        .collect();
    if let Some(forgotten) = forget_secret_data(&out) {
        out = forgotten;
    }
    out
}

/// A Secret with every data value replaced, canonical again; `None` when `text` is not one.
fn forget_secret_data(text: &str) -> Option<String> {
    let mut value: serde_json::Value = serde_saphyr::from_str(text).ok()?;
    if value.get("kind")?.as_str()? != "Secret" {
        return None;
    }
    for field in ["data", "stringData"] {
        if let Some(entries) = value
            .get_mut(field)
            .and_then(serde_json::Value::as_object_mut)
        {
            for v in entries.values_mut() {
                *v = NOT_COMPARED.into();
            }
        }
    }
    crate::yaml::manifest(&value).ok()
}

fn shown(path: &str, shown: Shown) -> String {
    match shown {
        Shown::Diff { old, new } => unified(&old, &new, path),
        Shown::Withheld(why) => {
            format!("--- {path}\n+++ {path} (rendered)\n@@ differs: {why} @@\n")
        }
    }
}

fn unified(old: &str, new: &str, path: &str) -> String {
    similar::TextDiff::from_lines(old, new)
        .unified_diff()
        .context_radius(3)
        .header(path, &format!("{path} (rendered)"))
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tree_with(root: &Path, name: &str, file: &str) -> PathBuf {
        let dir = root.join(name);
        fs::create_dir(&dir).unwrap();
        fs::write(dir.join(file), name).unwrap();
        dir
    }

    #[test]
    fn the_fallback_swap_replaces_the_directory() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tree_with(tmp.path(), "out", "old.yaml");
        let tree = tree_with(tmp.path(), "tree", "new.yaml");
        swap_by_renames(&tree, &dir, &tmp.path().join("aside")).unwrap();
        assert_eq!(fs::read_to_string(dir.join("new.yaml")).unwrap(), "tree");
        assert!(!dir.join("old.yaml").exists());
        assert!(tmp.path().join("aside/old.yaml").exists());
    }

    #[test]
    fn a_failed_fallback_swap_puts_the_directory_back() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tree_with(tmp.path(), "out", "old.yaml");
        // The second rename fails: there is no new tree to move in.
        let missing = tmp.path().join("no-tree");
        let err = swap_by_renames(&missing, &dir, &tmp.path().join("aside")).unwrap_err();
        assert!(matches!(err, Error::Fs { .. }), "{err}");
        assert_eq!(fs::read_to_string(dir.join("old.yaml")).unwrap(), "out");
        assert!(!tmp.path().join("aside").exists());
    }
}
