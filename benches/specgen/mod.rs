//! Generated Gateway specs for benchmarks: N models across 20 providers of mixed types, every
//! optional model field in use, load-balanced groups and fallbacks. Shared by the divan
//! benches (`benches/pipeline.rs`) and `scripts/bench-process.sh` (through the `specgen`
//! example), so both measure the same inputs. Specs are generated, never committed.

use std::fmt::Write;
use std::path::Path;

/// Providers per spec, as the benchmark sizes are stated.
pub const PROVIDERS: usize = 20;
/// The one env var every provider key reads, and the master key's.
pub const API_KEY_ENV: &str = "BENCH_API_KEY";
pub const MASTER_KEY_ENV: &str = "LITELLM_MASTER_KEY";
pub const API_KEY: &str = "sk-bench-provider-key-0123456789abcdef";
pub const MASTER_KEY: &str = "sk-bench-master-0123456789abcdef0123456789abcdef";

/// (name, type, extra lines): hosted APIs with keys, self-hosted ones with `apiBase`, Azure
/// with a version, Bedrock with params and credentials.
const KINDS: [(&str, &str, &str); 10] = [
    ("openai", "openai", ""),
    ("anthropic", "anthropic", ""),
    (
        "azure",
        "azure",
        "    apiBase: https://bench.openai.azure.com\n    apiVersion: \"2024-10-21\"\n",
    ),
    (
        "bedrock",
        "bedrock",
        "    params: {aws_region_name: eu-west-1}\n",
    ),
    (
        "ollama",
        "ollama_chat",
        "    apiBase: http://ollama.llm.svc.cluster.local:11434\n",
    ),
    ("groq", "groq", ""),
    ("mistral", "mistral", ""),
    (
        "vllm",
        "hosted_vllm",
        "    apiBase: http://vllm.llm.svc.cluster.local:8000/v1\n",
    ),
    ("gemini", "gemini", ""),
    ("deepseek", "deepseek", ""),
];

fn provider_name(p: usize) -> String {
    format!("{}-{}", KINDS[p % KINDS.len()].0, p / KINDS.len())
}

/// A valid spec with `models` model deployments. Models come in pairs sharing a name (a
/// load-balanced group on two providers); every tenth group falls back to the next two.
pub fn spec(models: usize) -> String {
    let mut s = String::with_capacity(400 + models * 220);
    s.push_str(
        "apiVersion: litegate/v1alpha1\nkind: Gateway\nmetadata:\n  name: bench\n  namespace: llm\n  labels: {team: bench}\nproviders:\n",
    );
    for p in 0..PROVIDERS {
        let (_, ty, extra) = KINDS[p % KINDS.len()];
        let _ = write!(s, "  {}:\n    type: {ty}\n{extra}", provider_name(p));
        match ty {
            "ollama_chat" | "hosted_vllm" => {}
            "bedrock" => {
                let _ = write!(
                    s,
                    "    credentials:\n      aws_access_key_id: {{env: {API_KEY_ENV}}}\n      aws_secret_access_key: {{env: {API_KEY_ENV}}}\n"
                );
            }
            _ => {
                let _ = writeln!(s, "    apiKey: {{env: {API_KEY_ENV}}}");
            }
        }
    }
    s.push_str("models:\n");
    for i in 0..models {
        let group = i / 2;
        let _ = write!(
            s,
            "  - name: group-{group:05}\n    provider: {}\n    model: upstream-model-{i:05}\n",
            provider_name(i % PROVIDERS)
        );
        if i % 3 == 0 {
            s.push_str("    limits: {rpm: 600, tpm: 200000}\n");
        }
        if i % 4 == 0 {
            s.push_str("    timeout: 120\n");
        }
        if i % 5 == 0 {
            s.push_str("    dropParams: [logit_bias, user]\n");
        }
        if i % 7 == 0 {
            s.push_str("    params: {max_tokens: 4096, temperature: 0.2}\n");
        }
        if i % 11 == 0 {
            s.push_str("    info: {mode: chat, base_model: gpt-4o}\n");
        }
    }
    let groups = models.div_ceil(2);
    s.push_str("router:\n  strategy: simple-shuffle\n  numRetries: 2\n  timeout: 120\n");
    let fallback_sources: Vec<usize> = (0..groups).step_by(10).filter(|g| g + 2 < groups).collect();
    if !fallback_sources.is_empty() {
        s.push_str("  fallbacks:\n");
        for g in fallback_sources {
            let _ = writeln!(
                s,
                "    group-{g:05}: [group-{:05}, group-{:05}]",
                g + 1,
                g + 2
            );
        }
    }
    s.push_str("deployment:\n  image: ghcr.io/berriai/litellm:v1.80.12-stable\n  replicas: 2\n");
    let _ = writeln!(s, "  masterKey: {{env: {MASTER_KEY_ENV}}}");
    // Shared counters, so the rate limits above are not warned about per model.
    s.push_str("  redis:\n    host: redis.llm.svc.cluster.local\n");
    s
}

/// The environment the generated specs read: the provider key and the master key.
pub struct BenchEnvironment;

impl litegate::Environment for BenchEnvironment {
    fn var(&self, name: &str) -> Result<Option<Vec<u8>>, litegate::resolve::EnvDenied> {
        Ok(match name {
            API_KEY_ENV => Some(API_KEY.as_bytes().to_vec()),
            MASTER_KEY_ENV => Some(MASTER_KEY.as_bytes().to_vec()),
            _ => None,
        })
    }

    fn read_file(&self, _: &Path, _: &str) -> Result<Vec<u8>, litegate::ReadError> {
        Err(litegate::ReadError::NotFound)
    }
}

/// Whether a spec of `models` models compiles (its config fits the ConfigMap).
pub fn fits(models: usize) -> bool {
    let source = litegate::SpecSource {
        path: "bench.yaml".into(),
        text: spec(models),
    };
    litegate::compile(&source, &BenchEnvironment).is_ok()
}

/// The largest model count whose config.yaml still fits the 1 MiB ConfigMap limit.
pub fn largest_fitting() -> usize {
    // Invariant: `fits(lo)` and `!fits(hi)`.
    let (mut lo, mut hi) = (1_000, 10_000);
    assert!(
        fits(lo) && !fits(hi),
        "the size limit moved out of 1,000..10,000 models"
    );
    while hi - lo > 1 {
        let mid = lo + (hi - lo) / 2;
        if fits(mid) {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    lo
}
