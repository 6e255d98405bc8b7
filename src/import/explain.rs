//! `import --explain`: per model_list entry, what became of it (kept as which spec model,
//! or skipped) and each note about it: what was inferred, what moved to a variable, what
//! was dropped and why; then the notes about the rest of the file. Built from the same
//! (already scrubbed) warnings `import` prints, so it can quote no more than they do.

/// One `model_list` entry as import met it.
#[derive(Debug, Clone)]
pub struct Entry {
    /// `model_list[3]`.
    pub at: String,
    pub name: String,
    /// `models[2] on provider openai`, or `None` when it was skipped.
    pub became: Option<String>,
}

/// The report: entries in order, each with its notes, then the other notes.
pub fn report(entries: &[Entry], warnings: &[String]) -> String {
    let mut out = String::new();
    let mut used = vec![false; warnings.len()];
    for entry in entries {
        let fate = entry
            .became
            .as_deref()
            .map_or("skipped".to_owned(), |b| format!("kept as {b}"));
        out.push_str(&format!("{} \"{}\": {fate}\n", entry.at, entry.name));
        for (i, w) in warnings.iter().enumerate() {
            let about = w
                .strip_prefix(&entry.at)
                .is_some_and(|rest| rest.starts_with('.') || rest.starts_with(':'));
            if about {
                used[i] = true;
                out.push_str(&format!("  {}: {}\n", kind(w), w));
            }
        }
    }
    let rest: Vec<&String> = warnings
        .iter()
        .zip(&used)
        .filter(|(_, u)| !**u)
        .map(|(w, _)| w)
        .collect();
    if !rest.is_empty() {
        out.push_str("the rest of the file:\n");
        for w in rest {
            out.push_str(&format!("  {}: {}\n", kind(w), w));
        }
    }
    out
}

/// What a note is about, in one word.
fn kind(warning: &str) -> &'static str {
    if warning.contains("drops") || warning.contains("not imported") {
        "dropped"
    } else if warning.contains("literal secret") {
        "secret moved"
    } else if warning.contains("model map gives") || warning.contains("LiteLLM reads $") {
        "inferred"
    } else if warning.contains("read from $") {
        "from the pod's env"
    } else {
        "note"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn notes_go_under_their_entry_and_the_rest_after() {
        let entries = [
            Entry {
                at: "model_list[0]".into(),
                name: "gpt-4o".into(),
                became: Some("models[0] on provider openai".into()),
            },
            Entry {
                at: "model_list[1]".into(),
                name: "x".into(),
                became: None,
            },
        ];
        let warnings = [
            "model_list[0].litellm_params.model: \"gpt-4o\" has no provider prefix: LiteLLM's model map gives it provider \"openai\"".to_owned(),
            "model_list[1].litellm_params.model: ... drops model \"x\"".to_owned(),
            "model_list[10].litellm_params.api_key: a literal secret".to_owned(),
        ];
        let text = report(&entries, &warnings);
        assert!(text.starts_with("model_list[0] \"gpt-4o\": kept as models[0] on provider openai\n  inferred: model_list[0]."), "{text}");
        assert!(
            text.contains("model_list[1] \"x\": skipped\n  dropped: "),
            "{text}"
        );
        assert!(text.ends_with("the rest of the file:\n  secret moved: model_list[10].litellm_params.api_key: a literal secret\n"), "{text}");
    }
}
