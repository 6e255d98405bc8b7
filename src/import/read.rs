//! Reading the config's text as LiteLLM does: PyYAML's rules, not the spec's.

use serde_json::Value;

/// How the config is parsed: like PyYAML, whatever the number of comments in a row
/// (serde-saphyr is built without its `comments` feature: no comment becomes an event).
pub(super) fn yaml_options() -> serde_saphyr::Options {
    serde_saphyr::Options::default()
}

/// Reads the config as LiteLLM does (PyYAML: a repeated key keeps its last value), and
/// the first repeated key's place when there is one: a parse that refuses duplicates
/// fails where the lenient one succeeds only because of a repeated key.
pub(super) fn read_tree(text: &str) -> Result<(Value, Option<String>), serde_saphyr::Error> {
    let mut lenient = yaml_options();
    lenient.duplicate_keys = serde_saphyr::options::DuplicateKeyPolicy::LastWins;
    let tree: Value = serde_saphyr::from_str_with_options(text, lenient)?;
    let repeated = serde_saphyr::from_str_with_options::<Value>(text, yaml_options())
        .err()
        .map(|e| match e.location() {
            Some(loc) => format!("line {}", loc.line()),
            None => "somewhere".to_owned(),
        });
    Ok((tree, repeated))
}
