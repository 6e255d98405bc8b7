//! `litegate post-render`: a Helm post-renderer. Helm hands the manifests it rendered on
//! stdin and installs what comes back on stdout; litegate passes them through byte for
//! byte and appends its own objects, so they become part of the release (history,
//! rollback, uninstall) while litegate stays the only author of the LiteLLM objects.
//!
//! The contract is the same for Helm 3 (`--post-renderer PATH --post-renderer-args ...`)
//! and Helm 4 (a `postrenderer/v1` plugin: `contrib/helm-plugin/plugin.yaml`): stdin in,
//! stdout out, non-zero exit aborts the install, and an empty output is an error.

use serde::Deserialize;

use crate::render::Rendered;
use crate::{Error, emit};

/// Helm's manifests, then litegate's objects. Refuses an input object litegate also emits
/// (same kind and name): Helm would send both, and the later one silently wins.
pub fn append(input: &str, rendered: &Rendered, spec_name: &str) -> Result<String, Error> {
    let incoming = heads(input)?;
    for object in &rendered.objects {
        let (kind, name, namespace) = object.key();
        let clash = incoming.iter().find(|head| {
            head.kind.as_deref() == Some(kind)
                && head.name() == Some(name)
                && (head.namespace().is_none()
                    || namespace.is_none()
                    || head.namespace() == namespace)
        });
        if let Some(head) = clash {
            return Err(Error::Manifests(format!(
                "document {} of the chart's manifests{} is {kind} \"{name}\", which litegate \
                 also emits; rename one of them (litegate names objects after the spec's \
                 metadata.name)",
                head.index + 1,
                head.source
                    .as_deref()
                    .map(|s| format!(" ({s})"))
                    .unwrap_or_default(),
            )));
        }
    }
    let ours = emit::stream(rendered, spec_name)?;
    let mut out = String::with_capacity(input.len() + ours.len() + 1);
    if !input.trim().is_empty() {
        out.push_str(input);
        if !input.ends_with('\n') {
            out.push('\n');
        }
    }
    out.push_str(&ours);
    Ok(out)
}

/// What identifies an input document; everything else in it is Helm's business.
#[derive(Debug, Default, Deserialize)]
struct Head {
    kind: Option<String>,
    metadata: Option<HeadMetadata>,
    #[serde(skip)]
    index: usize,
    /// Helm's `# Source: chart/templates/x.yaml` comment, for the error message.
    #[serde(skip)]
    source: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
struct HeadMetadata {
    name: Option<String>,
    namespace: Option<String>,
}

impl Head {
    fn name(&self) -> Option<&str> {
        self.metadata.as_ref()?.name.as_deref()
    }

    fn namespace(&self) -> Option<&str> {
        self.metadata.as_ref()?.namespace.as_deref()
    }
}

fn heads(input: &str) -> Result<Vec<Head>, Error> {
    let mut out = Vec::new();
    for (index, document) in documents(input).into_iter().enumerate() {
        let source = document
            .lines()
            .find_map(|l| l.strip_prefix("# Source: "))
            .map(|s| s.trim().to_owned());
        // A template that rendered nothing leaves a document of comments only: null.
        let head: Option<Head> = serde_saphyr::from_str(document).map_err(|e| {
            let from = source
                .as_deref()
                .map(|s| format!(" ({s})"))
                .unwrap_or_default();
            // Never the parser's snippet: the document may be the chart's own Secret.
            let reason = e.without_snippet();
            Error::Manifests(format!(
                "document {}{from} is not YAML: {reason}",
                index + 1
            ))
        })?;
        if let Some(head) = head {
            out.push(Head {
                index,
                source,
                ..head
            });
        }
    }
    Ok(out)
}

/// The stream cut at its `---` lines (always at column 0, so never inside a block scalar).
/// Text before the first `---` is a document only when it holds more than comments.
fn documents(input: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start = 0;
    let mut offset = 0;
    for line in input.split_inclusive('\n') {
        let bare = line.trim_end_matches(['\n', '\r']);
        if bare == "---" || bare.starts_with("--- ") {
            out.push(&input[start..offset]);
            start = offset + line.len();
        }
        offset += line.len();
    }
    out.push(&input[start..]);
    if out.first().is_some_and(|first| only_comments(first)) {
        out.remove(0);
    }
    out
}

fn only_comments(text: &str) -> bool {
    text.lines()
        .all(|l| l.trim().is_empty() || l.trim_start().starts_with('#'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sources_follow_helm_template_layout() {
        let input = "---\n# Source: c/templates/a.yaml\nkind: A\n---\n# Source: c/templates/b.yaml\nkind: B\n";
        let heads = heads(input).expect("valid stream");
        let sources: Vec<_> = heads.iter().map(|h| h.source.as_deref()).collect();
        assert_eq!(
            sources,
            [Some("c/templates/a.yaml"), Some("c/templates/b.yaml")]
        );
    }

    #[test]
    fn a_stream_without_leading_separator_counts_the_same() {
        let input = "# Source: c/a.yaml\nkind: A\n---\n# Source: c/b.yaml\nkind: B\n";
        let heads = heads(input).expect("valid stream");
        assert_eq!(heads[1].source.as_deref(), Some("c/b.yaml"));
        assert_eq!(heads[1].kind.as_deref(), Some("B"));
    }

    #[test]
    fn empty_documents_are_skipped_but_counted() {
        let input =
            "---\n# Source: c/empty.yaml\n---\n# Source: c/b.yaml\nkind: B\nmetadata: {name: b}\n";
        let heads = heads(input).expect("valid stream");
        assert_eq!(heads.len(), 1);
        assert_eq!(heads[0].index, 1);
        assert_eq!(heads[0].name(), Some("b"));
        assert_eq!(heads[0].source.as_deref(), Some("c/b.yaml"));
    }

    #[test]
    fn a_broken_chart_secret_is_refused_without_quoting_it() {
        let input = "---\n# Source: c/templates/secret.yaml\nkind: Secret\nstringData:\n  token: \"sk-chart-MARKER-1234\n  other: x\n";
        let err = heads(input).expect_err("unterminated quote");
        let message = err.to_string();
        assert!(!message.contains("MARKER"), "{message}");
        assert!(
            message.contains("document 1 (c/templates/secret.yaml) is not YAML"),
            "{message}"
        );
    }

    #[test]
    fn not_yaml_is_an_error_not_a_pass_through() {
        let err = heads("kind: [unclosed\n").expect_err("broken YAML");
        assert!(err.to_string().contains("document 1 is not YAML"), "{err}");
    }

    proptest::proptest! {
        /// Whatever a chart renders, reading it gives the objects or an error, never a panic,
        /// and never more objects than the stream has documents.
        #[test]
        fn any_input_is_passed_through_or_refused_never_a_panic(
            docs in proptest::collection::vec(
                proptest::prop_oneof![
                    proptest::string::string_regex("(# Source: [a-z/.]{1,12}\n)?kind: [A-Za-z]{1,8}\nmetadata: \\{name: [a-z-]{1,10}\\}\n").expect("regex"),
                    proptest::string::string_regex("[ -~\n]{0,60}").expect("regex"),
                ],
                0..6,
            )
        ) {
            let input = docs.join("---\n");
            if let Ok(heads) = heads(&input) {
                proptest::prop_assert!(heads.len() <= documents(&input).len());
            }
        }
    }
}
