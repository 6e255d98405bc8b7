//! Single values of the config: strings, counts, URLs, and `os.environ/X` references to
//! non-secret values, which the pod reads from `deployment.configEnv` (never read here).

use serde_json::Value;

use super::Importer;
use super::out::{ConfigKeyOut, SourceOut, ValueOut};
use crate::secret_shape::is_secret_value;

impl Importer<'_> {
    /// `api_base`: the URL, or `os.environ/X` kept as a reference the pod resolves; never
    /// one that carries a credential, as config.yaml shows it.
    pub(super) fn url(&mut self, path: &str, value: &Value) -> Option<ValueOut> {
        let url = match self.plain_or_env(path, value)? {
            ValueOut::Value(url) => url,
            from_env => return Some(from_env),
        };
        if is_secret_value(&url) {
            self.error(
                path,
                "the URL carries a credential (a password before the host, a key in the query, or a webhook path), and the spec keeps api_base in config.yaml, a ConfigMap: not imported; move the credential into a header (extra_headers) or the api_key, then import again".into(),
            );
            return None;
        }
        Some(ValueOut::Value(url))
    }

    /// A non-secret value, or `os.environ/X`: then `{env: X}`, which the pod reads from
    /// `deployment.configEnv.X` (a ConfigMap per environment); X is never read here.
    pub(super) fn plain_or_env(&mut self, path: &str, value: &Value) -> Option<ValueOut> {
        let text = self.plain_string(path, value)?;
        let Some(var) = text.strip_prefix("os.environ/") else {
            return Some(ValueOut::Value(text));
        };
        Some(self.pod_env(path, var, "(os.environ/ in the config)"))
    }

    /// `{env: var}`, and a `deployment.configEnv` entry that gives the pod `var`.
    pub(super) fn pod_env(&mut self, path: &str, var: &str, how: &str) -> ValueOut {
        if !self.config_env.contains_key(var) {
            let config_map = format!("{}-env", self.name);
            self.warn(
                path,
                format!(
                    "read from ${var} by the proxy {how}, so the spec says: {{env: {var}}}, which deployment.configEnv.{var} gives the pod from ConfigMap {config_map} (key {var}); create that ConfigMap in each environment, or set deployment.env.{var} instead"
                ),
            );
            self.config_env
                .insert(var.into(), ConfigKeyOut { config_map });
        }
        ValueOut::Env(SourceOut::Env(var.into()))
    }

    pub(super) fn plain_string(&mut self, path: &str, value: &Value) -> Option<String> {
        match value {
            Value::String(s) => Some(s.clone()),
            Value::Number(n) => Some(n.to_string()),
            _ => {
                self.error(path, "is not a string".into());
                None
            }
        }
    }

    pub(super) fn count(&mut self, path: &str, value: &Value) -> Option<u64> {
        match value.as_f64() {
            Some(f) if f >= 0.0 && f.fract() == 0.0 && f <= u32::MAX as f64 => Some(f as u64),
            _ => {
                self.error(path, "is not a whole, non-negative number".into());
                None
            }
        }
    }
}
