//! `deployment.secrets`: what the mode needs (a store for External Secrets Operator), and
//! whether a rotation of values litegate cannot see will roll the pods (W008).

use crate::diagnostics::{Code, Diagnostic};
use crate::spec::{Gateway, SecretSource, SecretsMode};

use super::kubernetes::is_dns1123_subdomain;

pub fn check(spec: &Gateway, out: &mut Vec<Diagnostic>) {
    let s = &spec.deployment.secrets;
    let eso = s.mode == SecretsMode::ExternalSecrets;
    match (&s.store, eso) {
        (None, true) => out.push(
            Diagnostic::error(
                Code::E028,
                "deployment.secrets.store",
                "external-secrets mode needs the store the keys are in",
            )
            .with_help(
                "store: {name: STORE, kind: ClusterSecretStore} (kind SecretStore by default)",
            ),
        ),
        (Some(store), true) => {
            if !is_dns1123_subdomain(&store.name) {
                out.push(Diagnostic::error(
                    Code::E004,
                    "deployment.secrets.store.name",
                    format!("\"{}\" is not a valid store name", store.name),
                ));
            }
            if let Some(kind) = &store.kind
                && !matches!(kind.as_str(), "SecretStore" | "ClusterSecretStore")
            {
                out.push(Diagnostic::error(
                    Code::E028,
                    "deployment.secrets.store.kind",
                    format!("\"{kind}\" is not SecretStore or ClusterSecretStore"),
                ));
            }
        }
        (Some(_), false) => out.push(only_with_eso("deployment.secrets.store")),
        (None, false) => {}
    }
    if let Some(interval) = &s.refresh_interval {
        if !eso {
            out.push(only_with_eso("deployment.secrets.refreshInterval"));
        } else if !is_duration(interval) {
            out.push(Diagnostic::error(
                Code::E028,
                "deployment.secrets.refreshInterval",
                format!("\"{interval}\" is not a duration such as 1h, 15m or 1h30m"),
            ));
        }
    }
    let unseen = unseen_sources(spec);
    if !unseen.is_empty() && !s.reloader && s.rotation.is_none() {
        out.push(
            Diagnostic::warning(
                Code::W008,
                "deployment.secrets",
                format!(
                    "litegate cannot see the values of {}: a rotation rolls the pods only if Stakater Reloader runs in the cluster (the pods carry its annotation)",
                    unseen.join(", ")
                ),
            )
            .with_help("say reloader: true if it does; otherwise set rotation: TOKEN and change it whenever you rotate a key"),
        );
    }
}

fn only_with_eso(path: &str) -> Diagnostic {
    Diagnostic::error(
        Code::E028,
        path,
        "only with deployment.secrets.mode: external-secrets",
    )
}

/// Go's duration syntax as ESO reads it, in the units a refresh takes: `1h`, `15m`, `1h30m`.
fn is_duration(text: &str) -> bool {
    let mut rest = text;
    let mut parts = 0;
    while !rest.is_empty() {
        let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
        let unit = rest[digits..]
            .bytes()
            .take_while(u8::is_ascii_alphabetic)
            .count();
        if digits == 0 || !matches!(&rest[digits..digits + unit], "h" | "m" | "s") {
            return false;
        }
        rest = &rest[digits + unit..];
        parts += 1;
    }
    parts > 0
}

/// Where values litegate never reads are used: secretRef Secrets and remote keys.
fn unseen_sources(spec: &Gateway) -> Vec<String> {
    let d = &spec.deployment;
    let mut sources: Vec<&SecretSource> = Vec::new();
    for p in spec.providers.values() {
        sources.extend(p.api_key.iter());
        sources.extend(p.credentials.values());
    }
    sources.extend(d.master_key.iter());
    sources.extend(d.database.iter().map(|db| &db.url));
    sources.extend(d.redis.iter().filter_map(|r| r.password.as_ref()));
    sources.extend(d.secret_env.values());
    let mut names: Vec<String> = sources
        .into_iter()
        .filter_map(|s| match s {
            SecretSource::SecretRef(r) => Some(format!("Secret {}", r.name)),
            SecretSource::Remote(_) => Some(format!(
                "Secret {}-secrets (from the store)",
                spec.metadata.name
            )),
            _ => None,
        })
        .collect();
    names.sort();
    names.dedup();
    names
}

#[cfg(test)]
mod tests {
    #[test]
    fn durations_as_eso_reads_them() {
        for ok in ["1h", "15m", "1h30m", "30s"] {
            assert!(super::is_duration(ok), "{ok}");
        }
        for bad in ["", "1", "h", "1d", "1.5h", "-1h"] {
            assert!(!super::is_duration(bad), "{bad}");
        }
    }
}
