//! The highly available defaults for everything `deployment:` leaves out: what resolve
//! fills in, what validate reasons about, and what import writes, from one place; and the
//! values derived from the spec by the same rules.

use crate::spec::Gateway;

pub struct Defaults {
    pub replicas: u32,
    /// At most one pod down at a time in a drain, whatever the replica count (an HPA
    /// at its maximum too): safer than a fixed `minAvailable`.
    pub disruption_max_unavailable: u32,
    pub termination_grace_period_seconds: u32,
    pub pre_stop_sleep_seconds: u32,
    pub max_surge: i32,
    pub max_unavailable: i32,
    pub port: u16,
    pub image: &'static str,
    /// The image with prisma and migrations, needed by `deployment.database`.
    pub database_image: &'static str,
}

pub const DEFAULTS: Defaults = Defaults {
    replicas: 2,
    disruption_max_unavailable: 1,
    termination_grace_period_seconds: 60,
    pre_stop_sleep_seconds: 10,
    max_surge: 1,
    max_unavailable: 0,
    port: 4000,
    image: "ghcr.io/berriai/litellm:v1.80.12-stable",
    database_image: "ghcr.io/berriai/litellm-database:v1.80.12-stable",
};

/// The longest request the spec lets LiteLLM run, and where it is set: the largest of
/// `router.timeout`, `settings.requestTimeout` and, with `models`, the models' `timeout`.
pub fn longest_timeout(spec: &Gateway, models: bool) -> Option<(u32, String)> {
    let models = spec
        .models
        .iter()
        .enumerate()
        .filter(|_| models)
        .filter_map(|(i, m)| Some((m.timeout?, format!("models[{i}].timeout"))));
    let router = spec
        .router
        .timeout
        .map(|t| (t, "router.timeout".to_owned()));
    let settings = spec
        .settings
        .request_timeout
        .map(|t| (t, "settings.requestTimeout".to_owned()));
    models.chain(router).chain(settings).max_by_key(|(t, _)| *t)
}

/// The grace period: as given, or long enough for the preStop sleep, then the longest
/// configured request, then 5 s to exit; never under 60 s. (uvicorn waits for open
/// connections without a limit of its own: SIGKILL at the grace period cuts them.) With a
/// database the models' timeouts do not count: an edit to one is applied live, and must
/// not change the pod template (`validate` warns instead, W006).
pub fn termination_grace_period(spec: &Gateway) -> u32 {
    let d = &spec.deployment;
    d.termination_grace_period_seconds.unwrap_or_else(|| {
        let pre_stop = d
            .pre_stop_sleep_seconds
            .unwrap_or(DEFAULTS.pre_stop_sleep_seconds);
        let longest = longest_timeout(spec, d.database.is_none()).map_or(0, |(t, _)| t);
        DEFAULTS
            .termination_grace_period_seconds
            .max(pre_stop.saturating_add(longest).saturating_add(5))
    })
}

/// Millicores each of two or more workers must be able to get while it starts (W007).
pub const MIN_CPU_PER_SUPERVISED_WORKER: u32 = 500;

/// The memory `workers` processes were measured to reach under load, in MiB.
pub fn measured_memory_mib(workers: u32) -> u64 {
    let supervisor = u64::from(workers >= 2);
    330 * (u64::from(workers) + supervisor) + 180 * u64::from(workers)
}
