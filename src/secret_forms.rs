//! Every form a known secret may take when a program echoes it back, found and masked.
//!
//! `secret_shape` guesses what could be a secret; this module knows the secret (sync's
//! master key) and looks for it in text a proxy sent: as it is, in another letter case,
//! as hex, as base64 (standard or URL-safe, at any of the three alignments it can have
//! inside a longer encoded text), JSON-escaped (`\/`, `\u00xx`, Python's `\xNN`) or
//! URL-encoded (`%NN`), and mixes of those escapes. Escapes are undone positionally (each
//! decoded byte remembers the span of text it came from), so a match in decoded text masks
//! exactly the encoded span. `encodings` lists the concrete forms, for tests that play a
//! hostile proxy and for leak hunts over any output.

use std::ops::Range;

use base64::Engine;
use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD};

/// What a masked span becomes.
pub const REDACTED: &str = "<redacted>";

/// How many times escapes are undone (JSON inside a URL inside JSON...).
const DECODE_ROUNDS: usize = 3;

/// The shortest base64 or hex form searched for: shorter ones would mask innocent text.
const MIN_DERIVED_LEN: usize = 6;

/// `text` with every form of every secret replaced by `<redacted>`.
pub fn scrub_known(text: &str, secrets: &[&[u8]]) -> String {
    let found = find_known(text, secrets);
    if found.is_empty() {
        return text.to_owned();
    }
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for range in found {
        out.push_str(&text[at..range.start]);
        out.push_str(REDACTED);
        at = range.end;
    }
    out.push_str(&text[at..]);
    out
}

/// Where in `text` a form of a secret stands: sorted, merged byte ranges on char
/// boundaries.
pub fn find_known(text: &str, secrets: &[&[u8]]) -> Vec<Range<usize>> {
    let patterns: Vec<Pattern> = secrets
        .iter()
        .filter(|s| !s.is_empty())
        .flat_map(|s| patterns(s))
        .collect();
    let mut view: Vec<Decoded> = text
        .bytes()
        .enumerate()
        .map(|(i, b)| Decoded {
            byte: b,
            span: i..i + 1,
        })
        .collect();
    let mut found = Vec::new();
    for round in 0..=DECODE_ROUNDS {
        for p in &patterns {
            let from = found.len();
            find_in(&view, p, &mut found);
            if p.widen {
                for r in &mut found[from..] {
                    *r = base64_run(text.as_bytes(), r.clone());
                }
            }
        }
        if round < DECODE_ROUNDS {
            let next = decode(&view);
            if next.len() == view.len() {
                break;
            }
            view = next;
        }
    }
    merge(text, found)
}

/// The concrete forms of `secret` a proxy may echo, each named: for hostile stand-ins in
/// tests and for leak hunts (search an output for each, case-insensitively for `hex`).
pub fn encodings(secret: &[u8]) -> Vec<(&'static str, String)> {
    let text = String::from_utf8_lossy(secret).into_owned();
    let mut out = vec![
        ("exact", text.clone()),
        ("lowercase", text.to_ascii_lowercase()),
        ("uppercase", text.to_ascii_uppercase()),
        ("hex", hex(secret)),
        ("HEX", hex(secret).to_ascii_uppercase()),
        ("base64", STANDARD.encode(secret)),
        ("base64url", URL_SAFE.encode(secret)),
        (
            "base64 after 1 byte",
            STANDARD.encode([b"x", secret].concat()),
        ),
        (
            "base64 after 2 bytes",
            STANDARD.encode([b"xy", secret].concat()),
        ),
        (
            "base64url after 1 byte",
            URL_SAFE.encode([b"x", secret].concat()),
        ),
        (
            "base64url after 2 bytes",
            URL_SAFE.encode([b"xy", secret].concat()),
        ),
        (
            "json \\u00xx",
            text.chars()
                .map(|c| format!("\\u{:04x}", u32::from(c)))
                .collect(),
        ),
        ("json \\/", text.replace('/', "\\/")),
        (
            "url %NN",
            secret.iter().map(|b| format!("%{b:02X}")).collect(),
        ),
        (
            "url %nn",
            secret.iter().map(|b| format!("%{b:02x}")).collect(),
        ),
    ];
    out.push(("url reserved", percent_reserved(secret)));
    out
}

/// One thing to look for in decoded text.
struct Pattern {
    bytes: Vec<u8>,
    any_case: bool,
    /// A base64 core: the whole base64 run around it is masked, since its edge characters
    /// still carry bits of the secret.
    widen: bool,
}

/// A byte of decoded text and the span of the original text it came from.
#[derive(Clone)]
struct Decoded {
    byte: u8,
    span: Range<usize>,
}

fn patterns(secret: &[u8]) -> Vec<Pattern> {
    let mut out = vec![
        Pattern {
            bytes: secret.to_vec(),
            any_case: true,
            widen: false,
        },
        Pattern {
            bytes: hex(secret).into_bytes(),
            any_case: true,
            widen: false,
        },
    ];
    for engine in [STANDARD_NO_PAD, URL_SAFE_NO_PAD] {
        for core in base64_cores(secret, &engine) {
            out.push(Pattern {
                bytes: core.into_bytes(),
                any_case: false,
                widen: true,
            });
        }
    }
    out
}

/// For each of the 3 places the secret can start within a base64 group, the characters
/// of its encoding that depend on its bytes only: they stand in any base64 text of any
/// text that contains the secret at that place.
fn base64_cores(secret: &[u8], engine: &impl Engine) -> Vec<String> {
    (0..3usize)
        .filter_map(|offset| {
            let mut buf = vec![0u8; offset];
            buf.extend_from_slice(secret);
            let encoded = engine.encode(&buf);
            let start = (8 * offset).div_ceil(6);
            let end = (8 * (offset + secret.len())) / 6;
            (end >= start + MIN_DERIVED_LEN).then(|| encoded[start..end].to_owned())
        })
        .collect()
}

fn find_in(view: &[Decoded], p: &Pattern, found: &mut Vec<Range<usize>>) {
    let n = p.bytes.len();
    if n == 0 || view.len() < n {
        return;
    }
    for start in 0..=view.len() - n {
        let hit = view[start..start + n].iter().zip(&p.bytes).all(|(d, b)| {
            if p.any_case {
                d.byte.eq_ignore_ascii_case(b)
            } else {
                d.byte == *b
            }
        });
        if hit {
            found.push(view[start].span.start..view[start + n - 1].span.end);
        }
    }
}

/// One round of undoing escapes: JSON's `\"` `\\` `\/` `\b` `\f` `\n` `\r` `\t` `\uXXXX`
/// (surrogate pairs too), Python's `\xNN`, and URL encoding's `%NN`.
fn decode(view: &[Decoded]) -> Vec<Decoded> {
    let mut out = Vec::with_capacity(view.len());
    let mut i = 0;
    while i < view.len() {
        let (bytes, used) = escape_at(view, i).unwrap_or_else(|| (vec![view[i].byte], 1));
        let span = view[i].span.start..view[i + used - 1].span.end;
        out.extend(bytes.into_iter().map(|byte| Decoded {
            byte,
            span: span.clone(),
        }));
        i += used;
    }
    out
}

/// The bytes an escape at `i` stands for, and how many view bytes it takes.
fn escape_at(view: &[Decoded], i: usize) -> Option<(Vec<u8>, usize)> {
    let at = |k: usize| view.get(i + k).map(|d| d.byte);
    let hex_at = |k: usize, n: usize| -> Option<u32> {
        (0..n).try_fold(0u32, |acc, j| {
            let digit = char::from(at(k + j)?).to_digit(16)?;
            Some(acc * 16 + digit)
        })
    };
    match (at(0)?, at(1)?) {
        (b'%', _) => Some((vec![u8::try_from(hex_at(1, 2)?).ok()?], 3)),
        (b'\\', b'x') => Some((vec![u8::try_from(hex_at(2, 2)?).ok()?], 4)),
        (b'\\', b'u') => {
            let unit = hex_at(2, 4)?;
            let (code, used) = if (0xD800..0xDC00).contains(&unit) {
                let low = (at(6)? == b'\\' && at(7)? == b'u')
                    .then(|| hex_at(8, 4))
                    .flatten()
                    .filter(|l| (0xDC00..0xE000).contains(l))?;
                (0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00), 12)
            } else {
                (unit, 6)
            };
            let c = char::from_u32(code)?;
            Some((c.to_string().into_bytes(), used))
        }
        (b'\\', e) => {
            let byte = match e {
                b'"' | b'\\' | b'/' | b'\'' => e,
                b'b' => 8,
                b'f' => 12,
                b'n' => b'\n',
                b'r' => b'\r',
                b't' => b'\t',
                _ => return None,
            };
            Some((vec![byte], 2))
        }
        _ => None,
    }
}

/// Sorted, merged, widened to char boundaries of `text`.
fn merge(text: &str, mut found: Vec<Range<usize>>) -> Vec<Range<usize>> {
    found.sort_by_key(|r| (r.start, r.end));
    let mut out: Vec<Range<usize>> = Vec::new();
    for r in found {
        let start = text.floor_char_boundary(r.start.min(text.len()));
        let end = text.ceil_char_boundary(r.end.min(text.len()));
        match out.last_mut() {
            Some(last) if start <= last.end => last.end = last.end.max(end),
            _ => out.push(start..end),
        }
    }
    out
}

/// `range` grown over the base64 characters (either alphabet, and padding) around it.
fn base64_run(text: &[u8], range: Range<usize>) -> Range<usize> {
    let is_b64 = |b: &u8| b.is_ascii_alphanumeric() || b"+/-_".contains(b);
    let start = text[..range.start]
        .iter()
        .rposition(|b| !is_b64(b))
        .map_or(0, |i| i + 1);
    let tail = &text[range.end..];
    let mut end = range.end + tail.iter().position(|b| !is_b64(b)).unwrap_or(tail.len());
    while text.get(end) == Some(&b'=') {
        end += 1;
    }
    start..end
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// `application/x-www-form-urlencoded` style: unreserved bytes stay, the rest are `%NN`.
fn percent_reserved(bytes: &[u8]) -> String {
    bytes
        .iter()
        .map(|&b| {
            if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                char::from(b).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &[u8] = b"sk-live/9Zx+Q7mP2wR4tY6uI8oA0sD3fG5hJ";

    fn clean(text: &str) -> String {
        scrub_known(text, &[KEY])
    }

    #[test]
    fn every_listed_form_is_masked_and_nothing_else() {
        for (name, form) in encodings(KEY) {
            let text = format!("error: got {form} from you.");
            let out = clean(&text);
            assert!(out.starts_with("error: got "), "{name}: {out}");
            assert!(out.ends_with(" from you."), "{name}: {out}");
            assert!(out.contains(REDACTED), "{name}: {text} => {out}");
            assert!(!out.contains(&form), "{name}: {out}");
        }
    }

    #[test]
    fn base64_inside_a_longer_text_at_every_alignment() {
        for prefix in ["", "a", "ab", "abc", "Authorization: Bearer "] {
            let message = format!("{prefix}{}\u{0} trailing", String::from_utf8_lossy(KEY));
            for engine in [STANDARD, URL_SAFE] {
                let blob = engine.encode(message.as_bytes());
                let out = clean(&format!("echo: {blob}, done"));
                assert_eq!(out, "echo: <redacted>, done", "{prefix:?}: {blob}");
            }
        }
    }

    #[test]
    fn mixed_escapes_and_cases_are_undone() {
        let json = r#"{"detail": "bad key sk-live\/9zX+q7Mp2wR4tY6uI8oA0sD3fG5hJ"}"#;
        assert_eq!(clean(json), r#"{"detail": "bad key <redacted>"}"#);
        let url = "GET /x?key=sk%2Dlive%2F9Zx%2BQ7mP2wR4tY6uI8oA0sD3fG5hJ&y=1";
        assert_eq!(clean(url), "GET /x?key=<redacted>&y=1");
        let python = r"{'error': 'sk\x2dlive/9Zx+Q7mP2wR4tY6uI8oA0sD3fG5hJ'}";
        assert_eq!(clean(python), "{'error': '<redacted>'}");
        let nested = r"%5Cu0073k-live/9Zx+Q7mP2wR4tY6uI8oA0sD3fG5hJ";
        assert_eq!(clean(nested), "<redacted>");
    }

    #[test]
    fn text_without_the_secret_is_left_alone() {
        let text = "model gpt-4o--openai was refused: \\u00e9t\u{e9} 100% done %zz \\q";
        assert_eq!(clean(text), text);
        assert_eq!(scrub_known("sk-1", &[b""]), "sk-1");
    }

    #[test]
    fn masks_stay_on_char_boundaries() {
        let text = format!("é{}é", String::from_utf8_lossy(KEY));
        assert_eq!(clean(&text), "é<redacted>é");
    }
}
