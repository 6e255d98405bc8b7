//! The checksums that roll the pods: over the Secret's data, config.yaml, and the
//! secret sources litegate cannot read.

use std::collections::BTreeMap;

use base64::Engine;
use sha2::{Digest, Sha256};

use super::{EnvSource, Resolved};

impl Resolved {
    /// `checksum/secret-sources`: over the remote keys ESO fetches and the rotation token,
    /// so pointing at another remote key, or bumping `deployment.secrets.rotation`, rolls
    /// the pods (a `secretRef` change is in the pod template already); `None` without either.
    pub fn secret_sources_checksum(&self) -> Option<String> {
        let mut lines: Vec<String> = self
            .secret_env
            .iter()
            .filter_map(|e| match &e.source {
                EnvSource::Remote(r) => Some(format!(
                    "{}=remote:{}/{}/{}",
                    e.name,
                    r.key,
                    r.property.as_deref().unwrap_or(""),
                    r.version.as_deref().unwrap_or("")
                )),
                EnvSource::OwnSecret | EnvSource::SecretKeyRef { .. } => None,
            })
            .collect();
        if lines.is_empty() && self.secret_rotation.is_none() {
            return None;
        }
        if let Some(token) = &self.secret_rotation {
            lines.push(format!("rotation={token}"));
        }
        Some(sha256_hex(lines.join("\n").as_bytes()))
    }

    /// `checksum/secret`; `None` when litegate emits no Secret.
    pub fn secret_checksum(&self) -> Option<String> {
        (!self.secret_data.is_empty()).then(|| secret_checksum(&self.secret_data))
    }
}

/// Hex sha256 over the Secret's data in this encoding: for each key in byte order, the line
/// `KEY=BASE64(VALUE)\n`, BASE64 being the standard padded alphabet, as in the Secret's `data`.
/// Keys are env var names (no `=`, no newline) and base64 has neither, so it is unambiguous.
pub fn secret_checksum(data: &BTreeMap<String, Vec<u8>>) -> String {
    let mut hasher = Sha256::new();
    for (key, value) in data {
        hasher.update(key.as_bytes());
        hasher.update(b"=");
        hasher.update(
            base64::engine::general_purpose::STANDARD
                .encode(value)
                .as_bytes(),
        );
        hasher.update(b"\n");
    }
    hex(&hasher.finalize())
}

/// Hex sha256 of bytes: `checksum/config` is this over config.yaml.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

fn hex(bytes: &[u8]) -> String {
    // A digit at a time: `format!` per byte costs more than the short hashes themselves.
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        out.push(char::from(DIGITS[usize::from(b >> 4)]));
        out.push(char::from(DIGITS[usize::from(b & 0x0f)]));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_is_lower_case_two_digits_a_byte() {
        assert_eq!(hex(&[0x00, 0x0f, 0xa5, 0xff]), "000fa5ff");
        assert_eq!(
            sha256_hex(b""),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
    }

    #[test]
    fn secret_checksum_matches_the_documented_shell_recipe() {
        // Computed outside Rust: printf 'A=eA==\nB=eXk=\n' | sha256sum
        let data = BTreeMap::from([
            ("B".to_owned(), b"yy".to_vec()),
            ("A".to_owned(), b"x".to_vec()),
        ]);
        assert_eq!(
            secret_checksum(&data),
            "48363b364c2b4713ad617c619dc72c8278394f9e2ebaba64197cddb41ed36b07"
        );
    }
}
