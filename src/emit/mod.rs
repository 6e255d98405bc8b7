//! Rendered objects -> bytes: the multi-document stream, the files of `-o DIR`, and the
//! one-file atomic write of `import -o FILE`. All writing happens in this module and its
//! children: `dir` (`-o DIR`, `--check DIR`), `staging` (where `-o` writes first), `read`
//! (reading such a directory, untrusted) and `redact` (secret values out of a diff).

use std::path::Path;

use serde::Serialize;

use crate::render::{Object, Rendered};
use crate::{Error, text, yaml};

mod dir;
mod read;
mod redact;
mod staging;

pub use dir::{Values, check_dir, write_dir};
pub use read::{Foreign, Kind, MAX_FILE, OBJECT_FILES, Reason, RenderedDir, read_rendered_dir};

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
    let mut out = text::file_header(spec_name);
    for object in &rendered.objects {
        out.push_str("---\n");
        out.push_str(&object.to_yaml()?);
    }
    Ok(out)
}

/// Where `-o DIR` puts litegate's Secret, which holds every key in plain base64.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SecretPlacement {
    /// Not in DIR, so that a committed DIR holds no key: written apart (`--secret-out`),
    /// sealed or encrypted there, or applied on its own.
    Apart,
    /// In DIR as `secret.yaml` and listed by its kustomization: asked for by name
    /// (`--plaintext-secret`), for a DIR nobody commits.
    InDir,
}

/// The files of `-o DIR`: one per object, then config.yaml and kustomization.yaml; the
/// Secret only when `secret` says it goes in DIR.
pub fn files(
    rendered: &Rendered,
    spec_name: &str,
    secret: SecretPlacement,
) -> Result<Vec<OutputFile>, Error> {
    let header = text::file_header(spec_name);
    let mut out = Vec::with_capacity(rendered.objects.len() + 2);
    let listed =
        |object: &&Object| secret == SecretPlacement::InDir || !matches!(object, Object::Secret(_));
    for object in rendered.objects.iter().filter(listed) {
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
        resources: rendered
            .objects
            .iter()
            .filter(listed)
            .map(Object::file_name)
            .collect(),
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

/// The Secret manifest on its own (for `--secret-out`), with its keys' names.
pub fn secret_manifest(
    rendered: &Rendered,
    spec_name: &str,
) -> Result<Option<(String, Vec<String>)>, Error> {
    let Some(secret) = rendered.objects.iter().find_map(|o| match o {
        Object::Secret(s) => Some(s),
        _ => None,
    }) else {
        return Ok(None);
    };
    let keys = secret
        .data
        .iter()
        .flatten()
        .map(|(k, _)| k.clone())
        .collect();
    let text = format!(
        "{}{}",
        text::file_header(spec_name),
        yaml::manifest(secret)?
    );
    Ok(Some((text, keys)))
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Kustomization {
    api_version: &'static str,
    kind: &'static str,
    resources: Vec<&'static str>,
}

/// Writes `text` to stdout. A closed pipe (`litegate render ... | head`) is the reader's
/// choice and stays quiet; every other failure (a full disk) is an error.
pub fn write_stdout(text: &str) -> Result<(), Error> {
    use std::io::Write as _;
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(Error::Stdout(e)),
        _ => Ok(()),
    }
}

/// `--secret-out FILE`: the Secret written apart, 0600 from the first byte, never inside
/// the directory meant to be committed (links followed).
pub fn write_secret_file(path: &Path, dir: &Path, manifest: &str) -> Result<(), Error> {
    let parent = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    if let (Ok(dir), Ok(parent)) = (std::fs::canonicalize(dir), std::fs::canonicalize(parent))
        && parent.starts_with(&dir)
    {
        return Err(Error::SecretInsideOutput {
            path: path.to_path_buf(),
            dir,
        });
    }
    write_atomically(path, manifest, Some(0o600))
}

/// Writes one file atomically: a temporary file beside it (0600 until complete), renamed
/// over it once written and synced, so a reader sees the old file or the new one, and a
/// failure leaves no partial file and no temporary one. The file keeps the mode of the
/// file it replaces; a new one is 0644.
pub fn write_file_atomically(path: &Path, content: &str) -> Result<(), Error> {
    write_atomically(path, content, None)
}

/// The atomic write, with `mode` forced (a secret) or, when `None`, the replaced file's.
fn write_atomically(path: &Path, content: &str, mode: Option<u32>) -> Result<(), Error> {
    use std::os::unix::fs::PermissionsExt;
    let dir = match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    };
    let mode = mode.unwrap_or_else(|| {
        std::fs::symlink_metadata(path)
            .ok()
            .filter(std::fs::Metadata::is_file)
            .map_or(0o644, |m| m.permissions().mode() & 0o7777)
    });
    let mut staged = tempfile::Builder::new()
        .prefix(".litegate-")
        .tempfile_in(dir)
        .map_err(|e| Error::fs("creating a temporary file in", dir, e))?;
    std::io::Write::write_all(&mut staged, content.as_bytes())
        .and_then(|()| staged.as_file().sync_all())
        .map_err(|e| Error::fs("writing", staged.path(), e))?;
    staged
        .as_file()
        .set_permissions(std::fs::Permissions::from_mode(mode))
        .map_err(|e| Error::fs("setting the mode of", staged.path(), e))?;
    staged
        .persist(path)
        .map_err(|e| Error::fs("renaming the new file to", path, e.error))?;
    std::fs::File::open(dir)
        .and_then(|d| d.sync_all())
        .map_err(|e| Error::fs("syncing", dir, e))
}
