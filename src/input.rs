//! Reading what litegate is handed, bounded: a spec or config file, a stream on stdin, a
//! secret file. Nothing is read whole without a cap, no device is read at all, and a
//! secret file must be a regular file in or below its root (a load restrictor, like
//! kustomize's), so an untrusted repository cannot make litegate read the machine.

use std::fs::File;
use std::io::{self, Read};
use std::os::unix::fs::{FileTypeExt, OpenOptionsExt};
use std::path::{Component, Path};

/// The largest spec or LiteLLM config litegate reads: the largest spec whose config fits a
/// ConfigMap is well under it.
pub const MAX_SPEC_BYTES: u64 = 8 * 1024 * 1024;
/// The largest stream on stdin (a ResourceList, a chart's manifests).
pub const MAX_STREAM_BYTES: u64 = 64 * 1024 * 1024;
/// The largest secret file: a key is bytes, a service-account JSON a few KiB.
pub const MAX_SECRET_FILE_BYTES: u64 = 64 * 1024;

/// Why an input could not be read. No variant carries any of the input's bytes.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    #[error("No such file or directory")]
    NotFound,
    #[error("permission denied")]
    PermissionDenied,
    #[error("it is a directory")]
    Directory,
    #[error("it is a device, not a file")]
    Device,
    #[error("it is not a regular file (a pipe, a socket or a FIFO)")]
    NotRegular,
    #[error("it is larger than {cap} bytes")]
    TooLarge { cap: u64 },
    /// A path that leaves the root, by `..`, an absolute path or a link. Said the same
    /// way whether or not anything exists there.
    #[error("it is outside the directory secret files are read from")]
    OutsideRoot,
    #[error("{0}")]
    Other(io::Error),
}

impl From<io::Error> for ReadError {
    fn from(e: io::Error) -> Self {
        match e.kind() {
            io::ErrorKind::NotFound => ReadError::NotFound,
            io::ErrorKind::PermissionDenied => ReadError::PermissionDenied,
            io::ErrorKind::IsADirectory => ReadError::Directory,
            _ => ReadError::Other(e),
        }
    }
}

/// Whether a pipe will do where a file is asked for (a spec on `/dev/stdin`), or only a
/// regular file (a secret file: a FIFO would block forever).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pipes {
    Allowed,
    Refused,
}

/// Reads a file the caller named (a spec, a config), up to `cap` bytes.
pub fn read_path(path: &Path, cap: u64, pipes: Pipes) -> Result<Vec<u8>, ReadError> {
    // Non-blocking, so that opening a FIFO nobody writes to returns at once.
    let file = std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(rustix::fs::OFlags::NONBLOCK.bits() as i32)
        .open(path)?;
    read_opened(file, cap, pipes)
}

/// Reads stdin, up to `cap` bytes; a terminal or another device is refused.
pub fn read_stdin(cap: u64) -> Result<Vec<u8>, ReadError> {
    let stdin = io::stdin();
    let fd = rustix::io::dup(&stdin).map_err(io::Error::from)?;
    read_opened(File::from(fd), cap, Pipes::Allowed)
}

/// Reads `file`, relative to `root`, where every component and every link it follows
/// stays in or below `root` (the kernel checks it: `openat2` with `RESOLVE_BENEATH`).
pub fn read_beneath(root: &Path, file: &Path, cap: u64) -> Result<Vec<u8>, ReadError> {
    if file.is_absolute() {
        return Err(ReadError::OutsideRoot);
    }
    let dir = File::open(if root.as_os_str().is_empty() {
        Path::new(".")
    } else {
        root
    })?;
    use rustix::fs::{Mode, OFlags, ResolveFlags};
    let flags = OFlags::RDONLY | OFlags::NONBLOCK | OFlags::CLOEXEC | OFlags::NOCTTY;
    let resolve = ResolveFlags::BENEATH | ResolveFlags::NO_MAGICLINKS;
    match rustix::fs::openat2(&dir, file, flags, Mode::empty(), resolve) {
        Ok(fd) => read_opened(File::from(fd), cap, Pipes::Refused),
        Err(rustix::io::Errno::XDEV | rustix::io::Errno::LOOP) => Err(ReadError::OutsideRoot),
        // Kernels before 5.6, and sandboxes that filter the call.
        Err(rustix::io::Errno::NOSYS | rustix::io::Errno::PERM) => {
            read_beneath_by_path(root, file, cap)
        }
        Err(e) => Err(io::Error::from(e).into()),
    }
}

/// The same rule without `openat2`: the path may not climb out by name, and once every
/// link is followed it must still be in or below the root.
fn read_beneath_by_path(root: &Path, file: &Path, cap: u64) -> Result<Vec<u8>, ReadError> {
    let mut depth = 0i32;
    for component in file.components() {
        match component {
            Component::Normal(_) => depth += 1,
            Component::ParentDir => depth -= 1,
            Component::CurDir => {}
            Component::RootDir | Component::Prefix(_) => return Err(ReadError::OutsideRoot),
        }
        if depth < 0 {
            return Err(ReadError::OutsideRoot);
        }
    }
    let root = std::fs::canonicalize(root)?;
    let target = std::fs::canonicalize(root.join(file)).map_err(|_| ReadError::NotFound)?;
    if !target.starts_with(&root) {
        return Err(ReadError::OutsideRoot);
    }
    read_path(&target, cap, Pipes::Refused)
}

fn read_opened(file: File, cap: u64, pipes: Pipes) -> Result<Vec<u8>, ReadError> {
    let metadata = file.metadata()?;
    let kind = metadata.file_type();
    if kind.is_dir() {
        return Err(ReadError::Directory);
    }
    if kind.is_char_device() || kind.is_block_device() {
        return Err(ReadError::Device);
    }
    if !kind.is_file() {
        if pipes == Pipes::Refused {
            return Err(ReadError::NotRegular);
        }
        // A pipe is read as it comes: blocking again.
        let flags = rustix::fs::fcntl_getfl(&file).map_err(io::Error::from)?;
        rustix::fs::fcntl_setfl(&file, flags - rustix::fs::OFlags::NONBLOCK)
            .map_err(io::Error::from)?;
    }
    // Room for the whole file and the byte that tells it ended: two reads, not a doubling
    // series of them. A pipe's size is not known; the cap still bounds what is read.
    let expected = if kind.is_file() {
        metadata.len().min(cap) + 1
    } else {
        0
    };
    let mut bytes = Vec::with_capacity(usize::try_from(expected).unwrap_or(0));
    file.take(cap + 1).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > cap {
        return Err(ReadError::TooLarge { cap });
    }
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_secret_file_must_stay_beneath_its_root() {
        let dir = tempfile::tempdir().expect("tempdir");
        let root = dir.path().join("repo");
        std::fs::create_dir_all(root.join("keys")).expect("mkdir");
        std::fs::write(root.join("keys/a.txt"), "sk-a").expect("write");
        std::fs::write(dir.path().join("outside.txt"), "sk-outside").expect("write");
        std::os::unix::fs::symlink("../outside.txt", root.join("link")).expect("symlink");
        std::os::unix::fs::symlink("/etc/hostname", root.join("abs")).expect("symlink");
        let read = |f: &str| read_beneath(&root, Path::new(f), MAX_SECRET_FILE_BYTES);
        assert_eq!(read("keys/a.txt").expect("inside"), b"sk-a");
        assert_eq!(read("keys/../keys/a.txt").expect("inside"), b"sk-a");
        for escape in [
            "../outside.txt",
            "link",
            "abs",
            "/etc/hostname",
            "keys/../../x",
        ] {
            assert!(
                matches!(read(escape), Err(ReadError::OutsideRoot)),
                "{escape}: {:?}",
                read(escape)
            );
        }
        // A name that leaves the root says the same whether or not something is there.
        assert!(matches!(
            read("../nothing-here"),
            Err(ReadError::OutsideRoot)
        ));
        assert!(matches!(read("missing"), Err(ReadError::NotFound)));
    }

    #[test]
    fn the_fallback_without_openat2_keeps_the_same_rule() {
        let dir = tempfile::tempdir().expect("tempdir");
        let root = dir.path().join("repo");
        std::fs::create_dir_all(&root).expect("mkdir");
        std::fs::write(root.join("a.txt"), "sk-a").expect("write");
        std::fs::write(dir.path().join("outside.txt"), "x").expect("write");
        std::os::unix::fs::symlink("../outside.txt", root.join("link")).expect("symlink");
        let read = |f: &str| read_beneath_by_path(&root, Path::new(f), MAX_SECRET_FILE_BYTES);
        assert_eq!(read("a.txt").expect("inside"), b"sk-a");
        for escape in ["../outside.txt", "link", "/etc/hostname"] {
            assert!(
                matches!(read(escape), Err(ReadError::OutsideRoot)),
                "{escape}"
            );
        }
    }

    #[test]
    fn devices_fifos_and_large_files_are_refused_without_reading_them_whole() {
        let dir = tempfile::tempdir().expect("tempdir");
        let fifo = dir.path().join("fifo");
        assert!(
            std::process::Command::new("mkfifo")
                .arg(&fifo)
                .status()
                .expect("mkfifo runs")
                .success()
        );
        std::os::unix::fs::symlink("/dev/zero", dir.path().join("zero")).expect("symlink");
        std::fs::write(dir.path().join("big"), vec![b'a'; 70 * 1024]).expect("write");
        let read = |f: &str| read_beneath(dir.path(), Path::new(f), MAX_SECRET_FILE_BYTES);
        assert!(matches!(read("fifo"), Err(ReadError::NotRegular)));
        assert!(matches!(read("big"), Err(ReadError::TooLarge { .. })));
        assert!(matches!(
            read_path(Path::new("/dev/zero"), MAX_SPEC_BYTES, Pipes::Allowed),
            Err(ReadError::Device)
        ));
        assert!(matches!(
            read_path(dir.path(), MAX_SPEC_BYTES, Pipes::Allowed),
            Err(ReadError::Directory)
        ));
    }

    /// The file's length only sizes the buffer: a file of exactly the cap is read whole, one
    /// byte more is refused, and a file that says it is empty but is not (procfs) is read
    /// to its end.
    #[test]
    fn the_length_a_file_reports_sizes_the_buffer_but_does_not_bound_the_read() {
        let dir = tempfile::tempdir().expect("tempdir");
        let cap = 4096;
        for (name, len) in [("at-cap", cap), ("over-cap", cap + 1), ("empty", 0)] {
            std::fs::write(dir.path().join(name), vec![b'a'; len]).expect("write");
        }
        let read = |f: &str| read_path(&dir.path().join(f), cap as u64, Pipes::Refused);
        assert_eq!(read("at-cap").expect("read").len(), cap);
        assert!(matches!(read("over-cap"), Err(ReadError::TooLarge { .. })));
        assert!(read("empty").expect("read").is_empty());
        let status = read_path(
            Path::new("/proc/self/status"),
            MAX_SPEC_BYTES,
            Pipes::Refused,
        )
        .expect("procfs reads");
        assert_eq!(
            std::fs::metadata("/proc/self/status").expect("stat").len(),
            0
        );
        assert!(String::from_utf8_lossy(&status).contains("\nPid:"));
    }
}
