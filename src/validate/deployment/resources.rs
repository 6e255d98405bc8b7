//! `deployment.resources`: Kubernetes quantities, and enough memory and CPU for the
//! configured `workers` (measured, W007).

use crate::diagnostics::{Code, Diagnostic};

pub(super) fn quantities(resources: &crate::spec::Resources, out: &mut Vec<Diagnostic>) {
    for (kind, map) in [
        ("requests", &resources.requests),
        ("limits", &resources.limits),
    ] {
        for (name, quantity) in map {
            if !is_quantity(quantity) {
                out.push(Diagnostic::error(
                    Code::E028,
                    format!("deployment.resources.{kind}.{name}"),
                    format!("\"{quantity}\" is not a Kubernetes quantity"),
                ));
            }
        }
    }
}

/// A memory limit under what the workers were measured to use gets the pod OOM-killed
/// under load: one process per worker, and a supervisor from two workers on.
pub(super) fn memory_for_workers(
    workers: u32,
    resources: &crate::spec::Resources,
    out: &mut Vec<Diagnostic>,
) {
    let Some(limit) = resources
        .limits
        .get("memory")
        .and_then(|q| quantity_bytes(q))
    else {
        return;
    };
    let needed = crate::defaults::measured_memory_mib(workers);
    if limit < needed * 1024 * 1024 {
        out.push(
            Diagnostic::warning(
                Code::W007,
                "deployment.resources.limits.memory",
                format!(
                    "{} MiB for {workers} worker(s), which were measured to reach {needed} MiB under load: pods would be OOM-killed",
                    limit / (1024 * 1024)
                ),
            )
            .with_help(format!("give at least {needed}Mi, or leave resources out: litegate then sizes them by workers")),
        );
    }
}

/// From two workers uvicorn's supervisor pings each one and kills it when no answer comes
/// within 5 s; a worker importing LiteLLM on too little CPU cannot answer, and is killed
/// and restarted until the startup probe gives up (measured: two workers on 500m never
/// started in 300 s, on 1 CPU in 23-25 s). A node under load gives a pod its request.
pub(super) fn cpu_for_workers(
    workers: u32,
    resources: &crate::spec::Resources,
    out: &mut Vec<Diagnostic>,
) {
    let Some(request) = resources.requests.get("cpu").and_then(|q| millicores(q)) else {
        return;
    };
    let needed = u64::from(crate::defaults::MIN_CPU_PER_SUPERVISED_WORKER * workers);
    if workers >= 2 && request < needed {
        out.push(
            Diagnostic::warning(
                Code::W007,
                "deployment.resources.requests.cpu",
                format!(
                    "{request}m for {workers} workers: on a busy node each gets too little CPU to answer its supervisor's 5 s health check while it starts, and is killed and restarted until the startup probe fails"
                ),
            )
            .with_help(format!("request at least {needed}m, or use one worker per pod and more replicas")),
        );
    }
}

/// A CPU quantity in millicores (`500m`, `1`, `1.5`).
fn millicores(q: &str) -> Option<u64> {
    let value: f64 = match q.strip_suffix('m') {
        Some(m) => m.parse::<f64>().ok()? / 1000.0,
        None => q.parse().ok()?,
    };
    (value >= 0.0).then_some((value * 1000.0).round() as u64)
}

/// A Kubernetes quantity in bytes, for the suffixes a memory limit uses.
fn quantity_bytes(q: &str) -> Option<u64> {
    let units: [(&str, u64); 8] = [
        ("Ki", 1 << 10),
        ("Mi", 1 << 20),
        ("Gi", 1 << 30),
        ("Ti", 1 << 40),
        ("k", 1_000),
        ("M", 1_000_000),
        ("G", 1_000_000_000),
        ("T", 1_000_000_000_000),
    ];
    let (number, scale) = units
        .iter()
        .find_map(|(suffix, scale)| q.strip_suffix(suffix).map(|n| (n, *scale)))
        .unwrap_or((q, 1));
    let value: f64 = number.parse().ok()?;
    (value >= 0.0).then_some((value * scale as f64) as u64)
}

/// Kubernetes' quantity grammar: a decimal number with an optional suffix.
fn is_quantity(s: &str) -> bool {
    const SUFFIXES: &[&str] = &[
        "Ki", "Mi", "Gi", "Ti", "Pi", "Ei", "n", "u", "m", "k", "M", "G", "T", "P", "E", "",
    ];
    let body = s.strip_prefix(['+', '-']).unwrap_or(s);
    let number = SUFFIXES
        .iter()
        .find_map(|suffix| body.strip_suffix(suffix))
        .unwrap_or(body);
    let number = match number.split_once(['e', 'E']) {
        Some((mantissa, exp))
            if !exp.is_empty()
                && exp
                    .trim_start_matches(['+', '-'])
                    .bytes()
                    .all(|b| b.is_ascii_digit()) =>
        {
            mantissa
        }
        _ => number,
    };
    let (int, frac) = number.split_once('.').unwrap_or((number, ""));
    !(int.is_empty() && frac.is_empty())
        && int.bytes().all(|b| b.is_ascii_digit())
        && frac.bytes().all(|b| b.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::is_quantity;

    #[test]
    fn quantities() {
        for ok in ["500m", "1", "1Gi", "0.5", "2e3", "128Mi", ".5"] {
            assert!(is_quantity(ok), "{ok}");
        }
        for bad in ["", "1 Gi", "abc", "1GB", "Mi"] {
            assert!(!is_quantity(bad), "{bad}");
        }
    }
}
