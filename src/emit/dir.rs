//! `render -o DIR` and `render --check DIR`: replacing a directory with the rendered files
//! atomically, and diffing it against them; both decide from `read::read_rendered_dir`.

use std::fs;
use std::io::Write;
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

use super::read::read_rendered_dir;
use super::{OutputFile, redact_pair};
use crate::Error;

/// Replaces `dir` with exactly `files`, atomically: the new tree is written beside it and
/// swapped in with one `renameat2(RENAME_EXCHANGE)`, so a reader sees the old or the new
/// tree, never a mix, and a failure leaves `dir` as it was. A `dir` holding anything
/// litegate did not write is refused, with the entries named, and nothing is written.
pub fn write_dir(dir: &Path, files: &[OutputFile]) -> Result<(), Error> {
    let parent = match dir.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let current = read_rendered_dir(dir)?;
    if let Some(refusal) = current.refusal(dir) {
        return Err(refusal);
    }
    let exists = current.exists;
    fs::create_dir_all(&parent).map_err(|e| Error::io(&parent, e))?;
    let staging = tempfile::Builder::new()
        .prefix(".litegate-")
        .tempdir_in(&parent)
        .map_err(|e| Error::io(&parent, e))?;
    for file in files {
        write_file(&staging.path().join(&file.name), file)?;
    }
    fs::set_permissions(staging.path(), fs::Permissions::from_mode(0o755))
        .map_err(|e| Error::io(staging.path(), e))?;
    sync_dir(staging.path())?;
    if exists {
        swap(staging.path(), dir)?;
        // `staging` now names the old tree; dropping it removes it.
        drop(staging);
    } else {
        let staged = staging.keep();
        fs::rename(&staged, dir).map_err(|e| Error::io(dir, e))?;
    }
    sync_dir(&parent)
}

fn write_file(path: &Path, file: &OutputFile) -> Result<(), Error> {
    let mode = if file.secret { 0o600 } else { 0o644 };
    let mut f = fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(mode)
        .open(path)
        .map_err(|e| Error::io(path, e))?;
    f.write_all(file.content.as_bytes())
        .map_err(|e| Error::io(path, e))?;
    f.sync_all().map_err(|e| Error::io(path, e))
}

fn sync_dir(dir: &Path) -> Result<(), Error> {
    fs::File::open(dir)
        .and_then(|d| d.sync_all())
        .map_err(|e| Error::io(dir, e))
}

/// Exchanges two directories in one step; where the file system cannot, falls back to two
/// renames (a short window in which `dir` is missing, but never half-written).
fn swap(staged: &Path, dir: &Path) -> Result<(), Error> {
    use rustix::fs::{CWD, RenameFlags, renameat_with};
    match renameat_with(CWD, staged, CWD, dir, RenameFlags::EXCHANGE) {
        Ok(()) => Ok(()),
        Err(rustix::io::Errno::INVAL | rustix::io::Errno::NOSYS | rustix::io::Errno::NOTSUP) => {
            let aside = staged.with_extension("old");
            fs::rename(dir, &aside).map_err(|e| Error::io(dir, e))?;
            fs::rename(staged, dir).map_err(|e| Error::io(dir, e))?;
            fs::rename(&aside, staged).map_err(|e| Error::io(staged, e))
        }
        Err(e) => Err(Error::io(dir, e.into())),
    }
}

/// `--check`: `None` when `dir` holds exactly `files`, else a unified diff of what would
/// change, with secret values redacted on both sides. A `dir` that `-o` would refuse fails
/// the check with the same error; what litegate did not write is never read.
pub fn check_dir(dir: &Path, files: &[OutputFile]) -> Result<Option<String>, Error> {
    let current = read_rendered_dir(dir)?;
    if let Some(refusal) = current.refusal(dir) {
        return Err(refusal);
    }
    let mut on_disk = current.files;
    let mut diff = String::new();
    let display = dir.display();
    for file in files {
        let old = on_disk.remove(&file.name).unwrap_or_default();
        if old != file.content {
            let (old, new) = redact_pair(&old, &file.content);
            diff.push_str(&unified(&old, &new, &format!("{display}/{}", file.name)));
        }
    }
    for (name, old) in on_disk {
        let (old, _) = redact_pair(&old, "");
        diff.push_str(&unified(&old, "", &format!("{display}/{name}")));
    }
    Ok((!diff.is_empty()).then_some(diff))
}

fn unified(old: &str, new: &str, path: &str) -> String {
    similar::TextDiff::from_lines(old, new)
        .unified_diff()
        .context_radius(3)
        .header(path, &format!("{path} (rendered)"))
        .to_string()
}
