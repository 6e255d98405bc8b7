//! The staging directory of `render -o DIR`: private from its creation, ignored by git
//! from before its first file until after its last one is gone, and removed on every path
//! out of a render, or by the next render when a kill left it behind.

use std::fs;
use std::io::Write;
use std::os::fd::AsRawFd;
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

use rustix::fs::{AtFlags, CWD, Mode, OFlags};

use super::OutputFile;
use crate::Error;

/// Every staging directory's name starts with this.
pub const PREFIX: &str = ".litegate-stage-";
const IGNORE_ALL: &[u8] = b"*\n";

/// `PARENT/.litegate-stage-XXXXXX/` holding `.gitignore` (`*`) and `tree/`; removed, with
/// all it holds, when dropped unless kept.
pub struct Staging {
    path: PathBuf,
    keep: bool,
}

impl Staging {
    /// Created 0700, then its `.gitignore` appears whole: git never sees a file inside.
    pub fn create(parent: &Path) -> Result<Self, Error> {
        let path = tempfile::Builder::new()
            .prefix(PREFIX)
            .permissions(fs::Permissions::from_mode(0o700))
            .tempdir_in(parent)
            .map_err(|e| Error::fs("creating a staging directory in", parent, e))?
            .keep();
        let staging = Staging { path, keep: false };
        write_whole(&staging.path, ".gitignore", IGNORE_ALL)?;
        Ok(staging)
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn tree(&self) -> PathBuf {
        self.path.join("tree")
    }

    /// `tree/` with every file, synced; 0755 like any directory once complete.
    pub fn write(&self, files: &[OutputFile]) -> Result<(), Error> {
        let tree = self.tree();
        fs::DirBuilder::new()
            .mode(0o700)
            .create(&tree)
            .map_err(|e| Error::fs("creating", &tree, e))?;
        for file in files {
            write_file(&tree.join(&file.name), file)?;
        }
        fs::set_permissions(&tree, fs::Permissions::from_mode(0o755))
            .map_err(|e| Error::fs("setting the mode of", &tree, e))?;
        fs::File::open(&tree)
            .and_then(|d| d.sync_all())
            .map_err(|e| Error::fs("syncing", &tree, e))
    }

    /// Leaves the directory in place (it holds the only copy of something).
    pub fn keep(mut self) {
        self.keep = true;
    }
}

impl Drop for Staging {
    fn drop(&mut self) {
        if !self.keep {
            remove(&self.path);
        }
    }
}

/// Removes a staging directory so that git never sees inside it: everything but the
/// `.gitignore` first, then the rest. Best effort: what stays is still ignored.
pub fn remove(path: &Path) {
    if let Ok(entries) = fs::read_dir(path) {
        for entry in entries.flatten() {
            if entry.file_name() == ".gitignore" {
                continue;
            }
            let _ = match entry.file_type() {
                Ok(t) if t.is_dir() => fs::remove_dir_all(entry.path()),
                _ => fs::remove_file(entry.path()),
            };
        }
    }
    let _ = fs::remove_dir_all(path);
}

/// Under the lock no other render is staging in `parent`: every staging directory there
/// is a killed render's.
pub fn remove_stale(parent: &Path) {
    let Ok(entries) = fs::read_dir(parent) else {
        return;
    };
    for entry in entries.flatten() {
        let stale = entry
            .file_name()
            .to_str()
            .is_some_and(|n| n.starts_with(PREFIX))
            && entry.file_type().is_ok_and(|t| t.is_dir());
        if stale {
            remove(&entry.path());
        }
    }
}

/// `dir/name` with `content`, appearing under its name only once whole: written to an
/// unnamed `O_TMPFILE` and linked in. Where the file system has no `O_TMPFILE`, or /proc
/// is missing, a plain write (the name exists, empty, for the moment before the write).
fn write_whole(dir: &Path, name: &str, content: &[u8]) -> Result<(), Error> {
    let path = dir.join(name);
    let flags = OFlags::WRONLY | OFlags::TMPFILE | OFlags::CLOEXEC;
    let linked = rustix::fs::openat(CWD, dir, flags, Mode::from_raw_mode(0o644))
        .map(fs::File::from)
        .map_err(std::io::Error::from)
        .and_then(|mut f| {
            f.write_all(content)?;
            let proc_path = format!("/proc/self/fd/{}", f.as_raw_fd());
            rustix::fs::linkat(CWD, proc_path.as_str(), CWD, &path, AtFlags::SYMLINK_FOLLOW)?;
            Ok(())
        });
    if linked.is_ok() {
        return Ok(());
    }
    fs::write(&path, content).map_err(|e| Error::fs("writing", &path, e))
}

fn write_file(path: &Path, file: &OutputFile) -> Result<(), Error> {
    let mode = if file.secret { 0o600 } else { 0o644 };
    let mut f = fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(mode)
        .open(path)
        .map_err(|e| Error::fs("creating", path, e))?;
    f.write_all(file.content.as_bytes())
        .and_then(|()| f.sync_all())
        .map_err(|e| Error::fs("writing", path, e))
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
    fn a_staging_directory_is_private_and_ignores_everything() {
        let tmp = tempfile::tempdir().unwrap();
        let staging = Staging::create(tmp.path()).unwrap();
        let mode = fs::metadata(staging.path()).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o700);
        assert_eq!(
            fs::read(staging.path().join(".gitignore")).unwrap(),
            IGNORE_ALL
        );
        let path = staging.path().to_path_buf();
        drop(staging);
        assert!(!path.exists());
    }

    #[test]
    fn stale_staging_directories_are_removed_and_nothing_else() {
        let tmp = tempfile::tempdir().unwrap();
        tree_with(tmp.path(), ".litegate-stage-dead01", "secret.yaml");
        tree_with(tmp.path(), "out", "kustomization.yaml");
        fs::write(tmp.path().join(".litegate-stage-file"), "not a dir").unwrap();
        remove_stale(tmp.path());
        let mut left: Vec<String> = fs::read_dir(tmp.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        left.sort();
        assert_eq!(left, [".litegate-stage-file", "out"]);
    }
}
