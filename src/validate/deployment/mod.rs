//! `deployment:`: the rules that keep the gateway highly available and schedulable.

use crate::defaults::DEFAULTS;
use crate::diagnostics::{At, Code, Diagnostic};
use crate::spec::{Gateway, IntOrPercent};

use super::kubernetes::is_env_var_name;
use super::providers::secret_source;

mod resources;
mod scheduling;

pub fn check(spec: &Gateway, out: &mut Vec<Diagnostic>) {
    let d = &spec.deployment;
    image(d.image.as_deref(), out);
    stores(d, out);
    extra_env(d, out);
    replicas(spec, out);
    timing(spec, out);
    rollout(spec, out);
    if d.port == Some(0) {
        out.push(Diagnostic::error(
            Code::E028,
            "deployment.port",
            "port 0 is not a port",
        ));
    }
    if d.workers == Some(0) {
        out.push(Diagnostic::error(
            Code::E028,
            "deployment.workers",
            "at least one worker is needed",
        ));
    }
    scheduling::scheduling(spec, out);
    if spec.settings.drop_params == Some(true) {
        out.push(
            Diagnostic::warning(
                Code::W004,
                "settings.dropParams",
                "a global dropParams: true silently drops every unsupported request field for every model",
            )
            .with_help("name the params to drop per model with models[].dropParams"),
        );
    }
}

/// The master key, the database and its salt key, Redis: present where needed, their
/// sources readable in this secrets mode.
fn stores(d: &crate::spec::Deployment, out: &mut Vec<Diagnostic>) {
    let mode = d.secrets.mode;
    match &d.master_key {
        None => out.push(
            Diagnostic::error(
                Code::E021,
                "deployment.masterKey",
                "a master key is required",
            )
            .with_help(
                "masterKey: {env: LITELLM_MASTER_KEY}; without one the proxy answers every caller",
            ),
        ),
        Some(source) => secret_source(&At::root("deployment.masterKey"), source, mode, out),
    }
    if let Some(db) = &d.database {
        secret_source(&At::root("deployment.database.url"), &db.url, mode, out);
        match &db.salt_key {
            Some(salt) => secret_source(&At::root("deployment.database.saltKey"), salt, mode, out),
            None => out.push(
                Diagnostic::error(
                    Code::E034,
                    "deployment.database",
                    "a database needs a salt key: LiteLLM encrypts the stored models' params with LITELLM_SALT_KEY, or without one with the master key, so a master-key rotation would leave every stored model unreadable",
                )
                .with_help("saltKey: {env: LITELLM_SALT_KEY}: a random value, set once and never changed (e.g. openssl rand -hex 32)"),
            ),
        }
    }
    if let Some(redis) = &d.redis {
        if redis.host.literal() == Some("") {
            out.push(Diagnostic::error(
                Code::E028,
                "deployment.redis.host",
                "the Redis host is empty",
            ));
        }
        if let Some(password) = &redis.password {
            secret_source(&At::root("deployment.redis.password"), password, mode, out);
        }
    }
}

/// An image whose tag moves (none, `latest`, `main-stable`, ...): the bytes behind it change
/// without the spec changing. A digest or a release tag is pinned.
pub fn is_floating_image(image: &str) -> bool {
    if image.contains("@sha256:") {
        return false;
    }
    let last = image.rsplit('/').next().unwrap_or(image);
    let tag = last.split_once(':').map(|(_, t)| t);
    matches!(
        tag,
        None | Some("latest" | "main-stable" | "main-latest" | "main" | "stable")
    )
}

fn image(image: Option<&str>, out: &mut Vec<Diagnostic>) {
    let Some(image) = image else { return };
    if image.contains("@sha256:") {
        return;
    }
    if is_floating_image(image) {
        out.push(
            Diagnostic::warning(
                Code::W001,
                "deployment.image",
                format!("image \"{image}\" is not pinned"),
            )
            .with_help("pin a release tag (ghcr.io/berriai/litellm:v1.80.12-stable) or a digest"),
        );
    }
}

fn replicas(spec: &Gateway, out: &mut Vec<Diagnostic>) {
    let d = &spec.deployment;
    // The default budget (maxUnavailable 1) never blocks a drain; a minAvailable may.
    let min_available = d.disruption_budget.min_available.unwrap_or(0);
    match &d.autoscaling {
        Some(a) => autoscaled(d, a, min_available, out),
        None => fixed_replicas(d, min_available, out),
    }
}

/// An HPA owns the count: bounds that keep two pods, targets that scale, a budget that
/// lets a drain through at the minimum.
fn autoscaled(
    d: &crate::spec::Deployment,
    a: &crate::spec::Autoscaling,
    min_available: u32,
    out: &mut Vec<Diagnostic>,
) {
    if d.replicas.is_some() {
        out.push(
            Diagnostic::error(
                Code::E024,
                "deployment.replicas",
                "replicas and autoscaling exclude each other",
            )
            .with_help("the HorizontalPodAutoscaler owns the replica count: remove replicas"),
        );
    }
    if a.min_replicas < 2 {
        out.push(
            Diagnostic::error(
                Code::E024,
                "deployment.autoscaling.minReplicas",
                "minReplicas must be at least 2",
            )
            .with_help("with one pod every rollout and node drain is an outage"),
        );
    }
    if a.max_replicas < a.min_replicas {
        out.push(Diagnostic::error(
            Code::E024,
            "deployment.autoscaling.maxReplicas",
            format!(
                "maxReplicas {} is below minReplicas {}",
                a.max_replicas, a.min_replicas
            ),
        ));
    }
    for (field, value) in [
        ("targetCpuUtilization", a.target_cpu_utilization),
        ("targetMemoryUtilization", a.target_memory_utilization),
    ] {
        if value == Some(0) {
            out.push(Diagnostic::error(
                Code::E028,
                format!("deployment.autoscaling.{field}"),
                "a target of 0% would scale to maxReplicas at once",
            ));
        }
    }
    if min_available >= a.min_replicas {
        out.push(budget_blocks_drains(
            min_available,
            a.min_replicas,
            "autoscaling.minReplicas",
        ));
    }
}

/// A fixed count: at least one pod (two to survive a drain), and a budget that lets one go.
fn fixed_replicas(d: &crate::spec::Deployment, min_available: u32, out: &mut Vec<Diagnostic>) {
    let replicas = d.replicas.unwrap_or(DEFAULTS.replicas);
    if replicas == 0 {
        out.push(Diagnostic::error(
            Code::E028,
            "deployment.replicas",
            "0 replicas serve nothing",
        ));
    } else if replicas == 1 {
        out.push(
            Diagnostic::warning(
                Code::W002,
                "deployment.replicas",
                "one replica: every rollout and node drain is an outage",
            )
            .with_help("use 2 or more replicas"),
        );
    }
    if replicas >= 1 && min_available >= replicas {
        out.push(budget_blocks_drains(min_available, replicas, "replicas"));
    }
}

fn budget_blocks_drains(min_available: u32, pods: u32, what: &str) -> Diagnostic {
    Diagnostic::error(
        Code::E022,
        "deployment.disruptionBudget.minAvailable",
        format!("minAvailable {min_available} is not below {what} {pods}: node drains would block forever"),
    )
    .with_help(format!("use a minAvailable below {pods}"))
}

fn timing(spec: &Gateway, out: &mut Vec<Diagnostic>) {
    let d = &spec.deployment;
    let grace = crate::defaults::termination_grace_period(spec);
    let pre_stop = d
        .pre_stop_sleep_seconds
        .unwrap_or(DEFAULTS.pre_stop_sleep_seconds);
    if grace <= pre_stop {
        out.push(
            Diagnostic::error(
                Code::E023,
                "deployment.terminationGracePeriodSeconds",
                format!("the grace period ({grace} s) must be longer than the preStop sleep ({pre_stop} s)"),
            )
            .with_help("in-flight requests are killed when the grace period ends; leave room for the longest stream"),
        );
        return;
    }
    if let Some((longest, at)) = crate::defaults::longest_timeout(spec, true)
        && longest > grace - pre_stop
    {
        out.push(
            Diagnostic::warning(
                Code::W006,
                "deployment.terminationGracePeriodSeconds",
                format!(
                    "{at} lets a request run {longest} s, but a stopping pod has only {} s after its preStop sleep: longer requests and streams are cut at every rollout and drain",
                    grace - pre_stop
                ),
            )
            .with_help(format!(
                "give at least {} s{}",
                pre_stop + longest + 5,
                if d.database.is_some() {
                    " (with a database a model's timeout does not set the grace period: an edit to it is live and must not roll the pods)"
                } else {
                    ", or leave it out: litegate then derives it from the timeouts"
                }
            )),
        );
    }
}

fn rollout(spec: &Gateway, out: &mut Vec<Diagnostic>) {
    let r = &spec.deployment.rollout;
    for (field, value) in [
        ("maxSurge", &r.max_surge),
        ("maxUnavailable", &r.max_unavailable),
    ] {
        if let Some(v) = value {
            let ok = match v {
                IntOrPercent::Int(n) => *n >= 0,
                IntOrPercent::Percent(p) => p
                    .strip_suffix('%')
                    .and_then(|n| n.parse::<u32>().ok())
                    .is_some_and(|n| n <= 100),
            };
            if !ok {
                out.push(Diagnostic::error(
                    Code::E028,
                    format!("deployment.rollout.{field}"),
                    "expected a count (1) or a percentage (\"25%\")",
                ));
            }
        }
    }
    let zero = |v: &Option<IntOrPercent>, default: i32| match v {
        None => default == 0,
        Some(IntOrPercent::Int(n)) => *n == 0,
        Some(IntOrPercent::Percent(p)) => p == "0%",
    };
    if zero(&r.max_surge, DEFAULTS.max_surge) && zero(&r.max_unavailable, DEFAULTS.max_unavailable)
    {
        out.push(Diagnostic::error(
            Code::E028,
            "deployment.rollout",
            "maxSurge and maxUnavailable are both 0: a rollout could never start",
        ));
    }
}

/// `deployment.env` and `deployment.secretEnv`: valid names, readable sources. Collisions
/// with litegate's own env vars are caught where the names are all known, in `resolve`.
fn extra_env(d: &crate::spec::Deployment, out: &mut Vec<Diagnostic>) {
    let mut name = |path: At, var: &str| {
        if !is_env_var_name(var) {
            out.push(
                Diagnostic::error(
                    Code::E004,
                    path,
                    format!("\"{var}\" is not a valid environment variable name"),
                )
                .on_key(),
            );
        }
    };
    let (env, secret_env) = (At::root("deployment.env"), At::root("deployment.secretEnv"));
    for var in d.env.keys() {
        name(env.key(var), var);
    }
    for var in d.secret_env.keys() {
        name(secret_env.key(var), var);
    }
    for (var, source) in &d.secret_env {
        secret_source(&secret_env.key(var), source, d.secrets.mode, out);
    }
}
