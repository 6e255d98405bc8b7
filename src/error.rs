//! The library's error type: a spec with problems, or a failure to read or write around it.

use std::io;
use std::path::PathBuf;

use crate::diagnostics::Diagnostic;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The spec has errors; each one is a diagnostic (warnings may be among them).
    #[error("the spec has {} error(s)", .0.iter().filter(|d| d.is_error()).count())]
    Invalid(Vec<Diagnostic>),
    /// An input file could not be read: missing, a device, too large, ...
    #[error("cannot read {what} {}: {reason}", path.display())]
    Read {
        /// What the file is to litegate: "spec", "config".
        what: &'static str,
        path: PathBuf,
        reason: crate::input::ReadError,
    },
    /// A file's content is not what litegate expects there: not YAML, or not the object
    /// its name says (a hand-edited directory of `render -o`).
    #[error("{}: {problem}", path.display())]
    Content { path: PathBuf, problem: String },
    /// A file-system step failed: what was being done, to which path, and why.
    #[error("{action} {}: {cause}", path.display())]
    Fs {
        action: &'static str,
        path: PathBuf,
        cause: io::Error,
    },
    /// Writing to standard output failed (a closed pipe is the reader's choice, not this).
    #[error("writing stdout: {0}")]
    Stdout(io::Error),
    /// An output path that must be a directory is something else (a symlink is never followed).
    #[error("{}: {what}", path.display())]
    NotADirectory { path: PathBuf, what: &'static str },
    /// The output directory holds entries litegate did not write: none was read, and
    /// nothing was written.
    #[error(
        "{}: holds files litegate did not write: {}; move them elsewhere or render to another directory",
        dir.display(),
        entries.join(", ")
    )]
    Foreign { dir: PathBuf, entries: Vec<String> },
    /// The output directory is not empty and has no kustomization.yaml that litegate wrote.
    #[error(
        "{}: not empty and has no kustomization.yaml written by litegate; refusing to replace it or read it",
        dir.display()
    )]
    NotRendered { dir: PathBuf },
    /// The fallback swap (no rename-exchange) moved DIR aside and could put neither tree
    /// in its place: where the old tree is now.
    #[error(
        "{}: moved aside to {} and could not be put back ({cause}; {undo}); move it back by hand",
        dir.display(),
        aside.display()
    )]
    Stranded {
        dir: PathBuf,
        aside: PathBuf,
        cause: io::Error,
        undo: io::Error,
    },
    /// Another litegate render holds the lock on the output's parent directory (this path).
    #[error(
        "{}: another litegate render there held its lock for {seconds} s; giving up",
        path.display()
    )]
    Locked { path: PathBuf, seconds: u64 },
    /// `--secret-out` points into the directory meant to be committed.
    #[error(
        "--secret-out {}: inside {}, the directory meant to be committed; write the Secret elsewhere",
        path.display(),
        dir.display()
    )]
    SecretInsideOutput { path: PathBuf, dir: PathBuf },
    /// Serializing an object to YAML failed; a bug, since every object is typed.
    #[error("serializing {what}: {message}")]
    Serialize { what: &'static str, message: String },
    /// The manifests handed to `post-render` on stdin cannot take litegate's objects.
    #[error("the chart's manifests on stdin: {0}")]
    Manifests(String),
    /// A built-in text template failed to render; a bug, since templates are fixed.
    #[error("rendering template {name}: {message}")]
    Template { name: &'static str, message: String },
}

impl Error {
    /// `action` says what failed, as a verb: "writing", "creating", "renaming".
    pub fn fs(action: &'static str, path: impl Into<PathBuf>, cause: io::Error) -> Self {
        Error::Fs {
            action,
            path: path.into(),
            cause,
        }
    }
}
