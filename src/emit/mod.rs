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

pub use dir::{check_dir, write_dir};
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

/// Writes one file atomically: a temporary file beside it (0600 until complete), renamed
/// over it once written and synced, so a reader sees the old file or the new one, and a
/// failure leaves no partial file and no temporary one. The file keeps the mode of the
/// file it replaces; a new one is 0644.
pub fn write_file_atomically(path: &Path, content: &str) -> Result<(), Error> {
    use std::os::unix::fs::PermissionsExt;
    let dir = match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    };
    let mode = std::fs::symlink_metadata(path)
        .ok()
        .filter(std::fs::Metadata::is_file)
        .map_or(0o644, |m| m.permissions().mode() & 0o7777);
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
