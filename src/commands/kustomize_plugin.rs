//! `kustomize-plugin`: what litegate does when kustomize runs it as the `Gateway` exec plugin.

use std::path::{Path, PathBuf};

use super::{Failure, Outcome, print_diagnostics, print_stdout};
use crate::{Environment, SpecSource, compile, emit};

/// Kustomize passes a re-serialized copy of the spec in a temporary file (comments gone,
/// keys sorted) and runs the plugin in the kustomization's directory, which `file:` secret
/// sources are then relative to.
pub fn exec(config: &Path, env: &dyn Environment) -> Outcome {
    let mut source =
        SpecSource::read(config).map_err(|e| Failure::spec(&SpecSource::unread(config), e))?;
    let root = std::env::var_os("KUSTOMIZE_PLUGIN_CONFIG_ROOT")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("."));
    // A fixed name, not kustomize's temporary one: it appears in the output's header.
    source.path = root.join("kustomize-generator.yaml");
    let compiled = compile(&source, env).map_err(|e| {
        Failure::Noted(
            Box::new(Failure::spec(&source, e)),
            "lines refer to the copy of the spec that kustomize passed (comments dropped, keys \
             sorted); `litegate validate` on the spec file gives its own lines",
        )
    })?;
    print_diagnostics(&compiled.warnings, &source);
    let text = emit::stream(&compiled.rendered, &source.file_name())
        .map_err(|e| Failure::spec(&source, e))?;
    print_stdout(&text)
}
