//! A copy of a YAML text safe to quote in a snippet. Built from the parser's events, not
//! from lines, so it holds whatever the style: every scalar that is, or may be, a secret
//! is masked with `*`, byte for byte (spans stay valid), in plain, quoted, literal and
//! folded form alike. Where the parser gives up (an unterminated quote, a broken block),
//! everything after the last complete event is masked: fail closed.

use std::ops::Range;

use serde_saphyr::granit_parser::{Event, Parser, Span};

use crate::secret_shape::{is_secret_name, is_secret_value};

/// What the masker knows of the text beyond the generic rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    /// A Gateway spec: secret sources stand at known places, and the names inside them
    /// (`env`, `file`, `secretRef.name`, `secretRef.key`) are shown unless they look secret.
    Spec,
    /// Any other YAML (a LiteLLM config.yaml): the generic rules only.
    Other,
}

/// The spec text with every possible secret masked.
pub fn redact_source(text: &str) -> String {
    redact(text, Shape::Spec)
}

/// `text` with every scalar under a secret-shaped key, every secret-shaped scalar (key or
/// value), every literal at a secret source's place, and everything after a parse error
/// masked.
pub fn redact(text: &str, shape: Shape) -> String {
    let mut bytes = text.as_bytes().to_vec();
    let mut walk = Walk {
        shape,
        stack: Vec::new(),
    };
    let mut good_until = 0;
    let mut failed = false;
    for item in Parser::new_from_str(text) {
        let Ok((event, span)) = item else {
            failed = true;
            break;
        };
        let range = bytes_of(&span);
        good_until = good_until.max(range.end);
        if walk.event(event) {
            mask(&mut bytes, range);
        }
    }
    if failed {
        let rest = &text[good_until.min(text.len())..];
        // YAML indicators between the last event and the broken scalar are not its content.
        let skip = rest
            .find(|c: char| !(c.is_whitespace() || ":-?,[]{}".contains(c)))
            .unwrap_or(rest.len());
        mask(&mut bytes, good_until + skip..text.len());
    }
    // Whole characters were replaced by ASCII, so the bytes stay UTF-8.
    String::from_utf8(bytes).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
}

fn mask(bytes: &mut [u8], range: Range<usize>) {
    let end = range.end.min(bytes.len());
    for b in &mut bytes[range.start.min(end)..end] {
        if !b.is_ascii_whitespace() {
            *b = b'*';
        }
    }
}

fn bytes_of(span: &Span) -> Range<usize> {
    let start = span.start.byte_offset().unwrap_or(span.start.index());
    let end = span.end.byte_offset().unwrap_or(span.end.index());
    start..end.max(start)
}

/// Where a value stands: the mapping keys above it, sequence items left out.
#[derive(Debug, Clone, Default)]
struct Place {
    keys: Vec<String>,
}

impl Place {
    fn child(&self, key: Option<&str>) -> Place {
        let mut keys = self.keys.clone();
        if let Some(k) = key {
            keys.push(k.to_owned());
        }
        Place { keys }
    }
}

enum Frame {
    Mapping {
        place: Place,
        /// The key whose value comes next; `None` while a key is expected.
        key: Option<String>,
    },
    Sequence {
        place: Place,
    },
}

struct Walk {
    shape: Shape,
    stack: Vec<Frame>,
}

impl Walk {
    /// Follows one event; true when its span must be masked.
    fn event(&mut self, event: Event<'_>) -> bool {
        match event {
            Event::MappingStart(..) => {
                let place = self.value_place();
                self.stack.push(Frame::Mapping { place, key: None });
                false
            }
            Event::SequenceStart(..) => {
                let place = self.value_place();
                self.stack.push(Frame::Sequence { place });
                false
            }
            Event::MappingEnd | Event::SequenceEnd => {
                self.stack.pop();
                self.value_done();
                false
            }
            Event::Scalar(value, ..) => {
                if let Some(Frame::Mapping {
                    key: key @ None, ..
                }) = self.stack.last_mut()
                {
                    let secret = is_secret_value(&value);
                    *key = Some(value.into_owned());
                    return secret;
                }
                let place = self.value_place();
                self.value_done();
                self.masks(&place, &value)
            }
            Event::Alias(..) => {
                self.value_place();
                self.value_done();
                false
            }
            _ => false,
        }
    }

    /// The place of the value that starts now.
    fn value_place(&self) -> Place {
        match self.stack.last() {
            None => Place::default(),
            Some(Frame::Sequence { place }) => place.clone(),
            Some(Frame::Mapping { place, key }) => place.child(key.as_deref()),
        }
    }

    /// A value ended: its mapping expects a key again.
    fn value_done(&mut self) {
        if let Some(Frame::Mapping { key, .. }) = self.stack.last_mut() {
            *key = None;
        }
    }

    fn masks(&self, place: &Place, value: &str) -> bool {
        // litegate's `checksum/*` annotations are digests, which reveal no value.
        if place
            .keys
            .last()
            .is_some_and(|k| k.starts_with("checksum/"))
        {
            return false;
        }
        if is_secret_value(value) {
            return true;
        }
        if self.shape == Shape::Spec
            && let Some(inside) = secret_source_depth(&place.keys)
        {
            // The literal itself, or anything but a source's names, is masked.
            return !is_source_name(&place.keys[inside..]);
        }
        let keys = match self.shape {
            // Elsewhere the spec's own field names (`tolerations[].key`) name no secret.
            Shape::Spec => match free_form_depth(&place.keys) {
                Some(depth) => &place.keys[depth..],
                None => return false,
            },
            Shape::Other => &place.keys[..],
        };
        keys.iter().any(|k| is_secret_name(k))
    }
}

/// If `keys` is at or under a spec field that holds a secret source, how many keys that
/// field takes: `providers.openai.apiKey.env` -> 3.
fn secret_source_depth(keys: &[String]) -> Option<usize> {
    let k: Vec<&str> = keys.iter().map(String::as_str).collect();
    match k.as_slice() {
        ["providers", _, "apiKey", ..] => Some(3),
        ["providers", _, "credentials", _, ..] => Some(4),
        ["deployment", "masterKey", ..] => Some(2),
        ["deployment", "database", "url", ..] => Some(3),
        ["deployment", "redis", "password", ..] => Some(3),
        ["deployment", "secretEnv", _, ..] => Some(3),
        _ => None,
    }
}

/// If `keys` is inside one of the spec's free-form maps, whose keys are LiteLLM's or the
/// user's, how many keys lead to it: `models.params.api_key` -> 2 (items are not keys).
fn free_form_depth(keys: &[String]) -> Option<usize> {
    let k: Vec<&str> = keys.iter().map(String::as_str).collect();
    match k.as_slice() {
        ["passthrough", ..] => Some(1),
        ["models", "params" | "info", ..] => Some(2),
        ["providers", _, "params", ..] => Some(3),
        ["deployment", "env", ..] => Some(2),
        _ => None,
    }
}

/// The names a secret source is made of: `env`, `file`, `secretRef.name`, `secretRef.key`.
fn is_source_name(rest: &[String]) -> bool {
    let r: Vec<&str> = rest.iter().map(String::as_str).collect();
    matches!(
        r.as_slice(),
        ["env"] | ["file"] | ["secretRef", "name"] | ["secretRef", "key"]
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    const MARK: &str = "QWERTY-not-a-key";

    fn spec(text: &str) -> String {
        let out = redact_source(text);
        assert_eq!(out.len(), text.len(), "byte offsets are kept");
        out
    }

    #[test]
    fn literal_secrets_are_masked_and_other_values_kept() {
        let text = format!(
            "providers:\n  openai:\n    type: opnai\n    apiKey: {MARK}\n    credentials:\n      aws_secret_access_key: \"{MARK}\"\n"
        );
        let out = spec(&text);
        assert!(!out.contains(MARK), "{out}");
        assert!(out.contains("type: opnai"), "{out}");
    }

    #[test]
    fn block_scalars_in_every_style_are_masked() {
        for style in ["|", ">-", "|+", "!!str |", "|2"] {
            let text = format!(
                "providers:\n  openai:\n    apiKey: {style}\n      {MARK}\n      second-line-{MARK}\n    type: openai\n"
            );
            let out = spec(&text);
            assert!(!out.contains("QWERTY"), "{style}: {out}");
            assert!(out.contains("type: openai"), "{style}: {out}");
        }
    }

    #[test]
    fn an_unterminated_quote_masks_the_rest() {
        let text = format!("providers:\n  openai:\n    apiKey: \"{MARK}\n    type: openai\n");
        let out = spec(&text);
        assert!(!out.contains("QWERTY"), "{out}");
        assert!(out.contains("    apiKey: *"), "{out}");
    }

    #[test]
    fn anything_inside_a_secret_source_but_its_names_is_masked() {
        for body in [
            format!("{{value: {MARK}}}"),
            format!("{{secretRef: {{name: s, key: k, value: {MARK}}}}}"),
            format!("{{env: OPENAI, extra: [{MARK}]}}"),
        ] {
            let out = spec(&format!("providers:\n  openai:\n    apiKey: {body}\n"));
            assert!(!out.contains("QWERTY"), "{body}: {out}");
        }
        let out = spec(
            "deployment:\n  secretEnv:\n    TOKEN: {env: LANGFUSE_TOKEN}\n    X: plain-literal\n",
        );
        assert!(out.contains("LANGFUSE_TOKEN"), "{out}");
        assert!(!out.contains("plain-literal"), "{out}");
    }

    #[test]
    fn names_of_secrets_are_not_secrets_unless_they_look_like_one() {
        let out = spec(
            "apiKey: {secretRef: {name: azure-keys, key: eu}}\nproviders:\n  a:\n    apiKey: {env: OPENAI_API_KEY}\n  b:\n    apiKey: {env: sk-proj-pasted-here-1234}\n  c:\n    apiKey: {file: keys/anthropic.txt}\n",
        );
        assert!(out.contains("OPENAI_API_KEY"), "{out}");
        assert!(out.contains("keys/anthropic.txt"), "{out}");
        assert!(!out.contains("sk-proj"), "{out}");
    }

    #[test]
    fn secret_shaped_keys_and_values_are_masked_anywhere() {
        let out = redact(
            &format!(
                "models:\n  - params: {{apikey: {MARK}, foo: sk-abc12345, url: \"postgres://u:pw@db/x\"}}\n    info: {{admin_token: {MARK}}}\nsk-proj-used-as-a-key-1234: 1\nextra_headers:\n  Authorization: Bearer {MARK}\n"
            ),
            Shape::Other,
        );
        for leaked in ["QWERTY", "sk-abc", "pw@db", "sk-proj"] {
            assert!(!out.contains(leaked), "{leaked}: {out}");
        }
        assert!(
            out.contains("apikey:") && out.contains("Authorization:"),
            "{out}"
        );
    }

    #[test]
    fn a_broken_document_hides_what_follows_the_break() {
        let text =
            format!("model_list:\n  - model_name: a\n    litellm_params: {{api_key: {MARK}\n");
        let out = redact(&text, Shape::Other);
        assert!(!out.contains("QWERTY"), "{out}");
        assert!(out.contains("model_name: a"), "{out}");
    }
}
