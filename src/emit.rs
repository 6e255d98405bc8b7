//! Rendered objects -> bytes: the multi-document stream, the files of `-o DIR` written
//! atomically, and the `--check` diff with secret values redacted. All writing happens here.

use std::collections::BTreeMap;
use std::fs;
use std::io::Write;
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::render::{Object, Rendered};
use crate::{Error, text, yaml};

/// One file of `render -o DIR`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutputFile {
    pub name: String,
    pub content: String,
    /// Holds secret values: written owner-only, redacted in diffs.
    pub secret: bool,
}

pub const KUSTOMIZATION: &str = "kustomization.yaml";
/// The LiteLLM config on its own, for reading and for running a proxy locally.
pub const CONFIG_FILE: &str = "config.yaml";

/// Every object as one multi-document YAML stream, in the fixed object order.
pub fn stream(rendered: &Rendered, spec_name: &str) -> Result<String, Error> {
    let mut out = text::file_header(spec_name)?;
    for object in &rendered.objects {
        out.push_str("---\n");
        out.push_str(&object.to_yaml()?);
    }
    Ok(out)
}

/// The files of `-o DIR`: one per object, then config.yaml and kustomization.yaml.
pub fn files(rendered: &Rendered, spec_name: &str) -> Result<Vec<OutputFile>, Error> {
    let header = text::file_header(spec_name)?;
    let mut out = Vec::with_capacity(rendered.objects.len() + 2);
    for object in &rendered.objects {
        out.push(OutputFile {
            name: object.file_name().to_owned(),
            content: format!("{header}{}", object.to_yaml()?),
            secret: matches!(object, Object::Secret(_)),
        });
    }
    out.push(OutputFile {
        name: CONFIG_FILE.to_owned(),
        content: rendered.config_yaml.clone(),
        secret: false,
    });
    let kustomization = Kustomization {
        api_version: "kustomize.config.k8s.io/v1beta1",
        kind: "Kustomization",
        resources: rendered.objects.iter().map(Object::file_name).collect(),
    };
    out.push(OutputFile {
        name: KUSTOMIZATION.to_owned(),
        content: format!(
            "{header}{}",
            yaml::to_string(&kustomization, KUSTOMIZATION)?
        ),
        secret: false,
    });
    Ok(out)
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Kustomization {
    api_version: &'static str,
    kind: &'static str,
    resources: Vec<&'static str>,
}

/// Writes one file atomically: a temporary file beside it, renamed over it once complete,
/// so a reader sees the old file or the new one, and a failure leaves no partial file.
pub fn write_file_atomically(path: &Path, content: &str) -> Result<(), Error> {
    let dir = match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    };
    let mut staged = tempfile::Builder::new()
        .prefix(".litegate-")
        .tempfile_in(dir)
        .map_err(|e| Error::io(dir, e))?;
    std::io::Write::write_all(&mut staged, content.as_bytes())
        .and_then(|()| staged.as_file().sync_all())
        .map_err(|e| Error::io(staged.path(), e))?;
    staged.persist(path).map_err(|e| Error::io(path, e.error))?;
    Ok(())
}

/// Replaces `dir` with exactly `files`, atomically: the new tree is written beside it and
/// swapped in with one `renameat2(RENAME_EXCHANGE)`, so a reader sees the old or the new
/// tree, never a mix, and a failure leaves `dir` as it was. A non-empty `dir` that litegate
/// did not write is refused rather than replaced.
pub fn write_dir(dir: &Path, files: &[OutputFile]) -> Result<(), Error> {
    let parent = match dir.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let exists = match fs::symlink_metadata(dir) {
        Ok(meta) if meta.is_dir() => true,
        Ok(_) => {
            return Err(Error::io(
                dir,
                std::io::Error::other("exists and is not a directory"),
            ));
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => false,
        Err(e) => return Err(Error::io(dir, e)),
    };
    if exists && !owned_by_litegate(dir)? {
        return Err(Error::io(
            dir,
            std::io::Error::other(format!(
                "not empty and has no {KUSTOMIZATION} written by litegate; refusing to replace it"
            )),
        ));
    }
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

/// Empty, or holding a kustomization.yaml that litegate wrote.
fn owned_by_litegate(dir: &Path) -> Result<bool, Error> {
    let mut entries = fs::read_dir(dir).map_err(|e| Error::io(dir, e))?;
    if entries.next().is_none() {
        return Ok(true);
    }
    let marker = dir.join(KUSTOMIZATION);
    match fs::read_to_string(&marker) {
        Ok(text) => Ok(text.starts_with("# Generated by litegate")),
        Err(_) => Ok(false),
    }
}

/// `--check`: `None` when `dir` holds exactly `files`, else a unified diff of what would
/// change, with secret values redacted on both sides.
pub fn check_dir(dir: &Path, files: &[OutputFile]) -> Result<Option<String>, Error> {
    let mut on_disk: BTreeMap<String, String> = BTreeMap::new();
    match fs::read_dir(dir) {
        Ok(entries) => {
            for entry in entries {
                let entry = entry.map_err(|e| Error::io(dir, e))?;
                let name = entry.file_name().to_string_lossy().into_owned();
                let path = entry.path();
                if path.is_file() {
                    let bytes = fs::read(&path).map_err(|e| Error::io(&path, e))?;
                    on_disk.insert(name, String::from_utf8_lossy(&bytes).into_owned());
                }
            }
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(Error::io(dir, e)),
    }
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

/// Redacts the values under `data:`/`stringData:` of a Secret document, keeping whether
/// each key's value changed: `<redacted>` when equal on both sides, else `<redacted: old>`
/// and `<redacted: new>`. Text that is not a Secret passes through unchanged.
pub fn redact_pair(old: &str, new: &str) -> (String, String) {
    let old_values = secret_values(old);
    let new_values = secret_values(new);
    let marker = |key: &str, side: &str| match (old_values.get(key), new_values.get(key)) {
        (Some(a), Some(b)) if a == b => "<redacted>".to_owned(),
        _ => format!("<redacted: {side} value>"),
    };
    (
        redact(old, |k| marker(k, "old")),
        redact(new, |k| marker(k, "new")),
    )
}

fn is_secret(text: &str) -> bool {
    text.lines().any(|l| {
        l.strip_prefix("kind:")
            .is_some_and(|k| k.trim().trim_matches(|c| c == '"' || c == '\'') == "Secret")
    })
}

/// Key => raw value line(s) inside the data blocks of a Secret.
fn secret_values(text: &str) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    if !is_secret(text) {
        return out;
    }
    let mut current: Option<String> = None;
    for line in data_lines(text) {
        match line {
            DataLine::Entry(_, key, value) => {
                out.insert(key.to_owned(), value.to_owned());
                current = Some(key.to_owned());
            }
            DataLine::Continuation(more) => {
                if let Some(v) = current.as_ref().and_then(|key| out.get_mut(key)) {
                    v.push('\n');
                    v.push_str(more);
                }
            }
            DataLine::Other(_) => current = None,
        }
    }
    out
}

fn redact(text: &str, marker: impl Fn(&str) -> String) -> String {
    if !is_secret(text) {
        return text.to_owned();
    }
    let mut out = String::with_capacity(text.len());
    for line in data_lines(text) {
        match line {
            DataLine::Entry(indent, key, _) => {
                out.push_str(&format!("{indent}{key}: {}\n", marker(key)));
            }
            DataLine::Continuation(_) => {}
            DataLine::Other(l) => {
                out.push_str(l);
                out.push('\n');
            }
        }
    }
    out
}

enum DataLine<'a> {
    /// Indentation, key, value.
    Entry(&'a str, &'a str, &'a str),
    Continuation(&'a str),
    Other(&'a str),
}

/// Classifies lines: entries and continuation lines of top-level `data:`/`stringData:`.
fn data_lines(text: &str) -> impl Iterator<Item = DataLine<'_>> {
    let mut in_data = false;
    text.lines().map(move |line| {
        let indented = line.starts_with(' ') || line.starts_with('\t');
        if !indented && !line.is_empty() {
            in_data = false;
            for key in ["data", "stringData"] {
                if let Some(rest) = line.strip_prefix(key).and_then(|r| r.strip_prefix(':')) {
                    if rest.trim().is_empty() {
                        in_data = true;
                    } else {
                        // A flow mapping on one line (`data: {A: x}`): redact it whole.
                        return DataLine::Entry("", key, rest.trim());
                    }
                }
            }
            return DataLine::Other(line);
        }
        if !in_data {
            return DataLine::Other(line);
        }
        let depth = line.len() - line.trim_start().len();
        match line.trim_start().split_once(':') {
            Some((key, value)) if depth <= 2 && !key.is_empty() => {
                DataLine::Entry(&line[..depth], key, value.trim())
            }
            _ => DataLine::Continuation(line),
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const OLD: &str = "apiVersion: v1\nkind: Secret\ndata:\n  A: c2VjcmV0MQ==\n  B: c2FtZQ==\nmetadata:\n  name: x\n";
    const NEW: &str = "apiVersion: v1\nkind: Secret\ndata:\n  A: c2VjcmV0Mg==\n  B: c2FtZQ==\nmetadata:\n  name: x\n";

    #[test]
    fn redaction_hides_values_but_shows_which_changed() {
        let (old, new) = redact_pair(OLD, NEW);
        for text in [&old, &new] {
            assert!(
                !text.contains("c2VjcmV0") && !text.contains("c2FtZQ"),
                "{text}"
            );
            assert!(text.contains("  B: <redacted>\n"), "{text}");
        }
        assert!(old.contains("  A: <redacted: old value>\n"), "{old}");
        assert!(new.contains("  A: <redacted: new value>\n"), "{new}");
        assert!(new.contains("metadata:\n  name: x\n"), "{new}");
    }

    #[test]
    fn block_scalar_values_are_redacted_whole() {
        let text =
            "kind: Secret\nstringData:\n  K: |\n    line-one-SECRET\n    line-two\ntype: Opaque\n";
        let (out, _) = redact_pair(text, "");
        assert!(!out.contains("SECRET"), "{out}");
        assert!(out.contains("type: Opaque"), "{out}");
    }

    #[test]
    fn flow_style_data_is_redacted() {
        let (out, _) = redact_pair("kind: \"Secret\"\ndata: {A: c2VjcmV0}\n", "");
        assert!(!out.contains("c2VjcmV0"), "{out}");
    }

    #[test]
    fn other_documents_pass_through() {
        let text = "kind: ConfigMap\ndata:\n  config.yaml: x\n";
        assert_eq!(redact_pair(text, text).0, text);
    }
}
