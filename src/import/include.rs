//! `include:` followed as LiteLLM 1.106.2 follows it (`proxy/common_utils/config_includes.py`):
//! each entry names a file next to the config that declares it (else next to the root
//! config), its own `include:` entries are read after the ones already pending, a file
//! already read is skipped, and each is merged over what came before: a list extends a
//! list, any other value replaces the section.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use serde_json::{Map, Value};

/// Reads a file a config names; the reason it cannot, without its content.
pub type ReadFile<'a> = &'a dyn Fn(&Path) -> Result<String, String>;

/// The config with every included file merged in and no `include:` left; what was read.
pub(super) fn merged(
    config: Map<String, Value>,
    root: &Path,
    read: ReadFile,
    errors: &mut Vec<String>,
) -> (Map<String, Value>, Vec<String>) {
    let mut merged = config;
    let mut pending: Vec<(String, PathBuf)> = entries(&merged, "include", errors)
        .into_iter()
        .map(|e| (e, root.to_path_buf()))
        .collect();
    let mut loaded = BTreeSet::from([root.to_path_buf()]);
    let mut read_names = Vec::new();
    let mut next = 0;
    while let Some((entry, declared_in)) = pending.get(next).cloned() {
        next += 1;
        let beside = |config: &Path| config.parent().unwrap_or(Path::new("")).join(&entry);
        let (location, text) = match read(&beside(&declared_in)) {
            Ok(text) => (beside(&declared_in), text),
            Err(first) => match read(&beside(root)) {
                Ok(text) if declared_in != root => (beside(root), text),
                _ => {
                    errors.push(format!("include: {entry}: {first}"));
                    continue;
                }
            },
        };
        if !loaded.insert(location.clone()) {
            continue;
        }
        let tree: Value =
            match serde_saphyr::from_str_with_options(&text, super::read::yaml_options()) {
                Ok(tree) => tree,
                Err(e) => {
                    errors.push(format!(
                        "include: {entry}: {}",
                        super::syntax::not_yaml(&text, &e)
                    ));
                    continue;
                }
            };
        let Value::Object(included) = tree else {
            errors.push(format!("include: {entry}: its top level is not a mapping"));
            continue;
        };
        let at = format!("include: {entry}: include");
        pending.extend(
            entries(&included, &at, errors)
                .into_iter()
                .map(|e| (e, location.clone())),
        );
        for (key, value) in included {
            if key == "include" {
                continue;
            }
            match (merged.get_mut(&key), value) {
                (Some(Value::Array(base)), Value::Array(more)) => base.extend(more),
                (_, value) => {
                    merged.insert(key, value);
                }
            }
        }
        read_names.push(entry);
    }
    merged.remove("include");
    (merged, read_names)
}

/// The `include:` entries: a list of file names, as LiteLLM requires.
fn entries(config: &Map<String, Value>, at: &str, errors: &mut Vec<String>) -> Vec<String> {
    match config.get("include") {
        None => Vec::new(),
        Some(Value::Array(items)) if items.iter().all(Value::is_string) => items
            .iter()
            .filter_map(|v| v.as_str().map(str::to_owned))
            .collect(),
        Some(_) => {
            errors.push(format!(
                "{at}: must be a list of file paths (LiteLLM refuses the config otherwise)"
            ));
            Vec::new()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn lists_extend_and_other_sections_are_replaced_as_litellm_merges() {
        let files = |p: &Path| {
            match p.to_str() {
            Some("conf/models.yaml") => Ok("model_list: [{model_name: b}]\ninclude: [more.yaml, models.yaml]\nrouter_settings: {num_retries: 3}\n".into()),
            Some("conf/more.yaml") => Ok("model_list: [{model_name: c}]\n".into()),
            _ => Err("not found".into()),
        }
        };
        let Value::Object(root) = json!({"include": ["models.yaml"], "model_list": [{"model_name": "a"}], "router_settings": {"timeout": 5}})
        else {
            panic!()
        };
        let mut errors = Vec::new();
        let (out, read) = merged(root, Path::new("conf/config.yaml"), &files, &mut errors);
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(read, ["models.yaml", "more.yaml"]);
        assert_eq!(
            Value::Object(out),
            json!({"model_list": [{"model_name": "a"}, {"model_name": "b"}, {"model_name": "c"}], "router_settings": {"num_retries": 3}})
        );
    }
}
