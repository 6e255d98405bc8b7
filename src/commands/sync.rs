//! `sync`: a running, database-backed LiteLLM made to serve the spec's models, live.

use std::time::Duration;

use super::{Failure, Outcome, Status, load_and_compile, print_stdout};
use crate::Environment;
use crate::cli::{Format, SyncArgs};
use crate::plan::View;
use crate::proxy::{ClientOptions, answer_limit};
use crate::resolve::Placeholders;

pub fn exec(args: &SyncArgs, env: &dyn Environment) -> Outcome {
    proxy_url(&args.url).map_err(|message| Failure::Usage(format!("--url {message}")))?;
    let master_key = master_key(env, &args.master_key_env)?;
    // The rows carry keys as os.environ/NAME only, so sync needs none of them.
    let (source, compiled) = load_and_compile(&args.spec, &Placeholders)?;
    if compiled.rendered.triggers.settings.is_none() {
        return Err(Failure::line(format!(
            "{} has no deployment.database, so its models change by rollout, not through the admin API: `litegate plan` shows the rollout, and `litegate verify` checks what the pods serve",
            args.spec.display()
        )));
    }
    let view = View::from_rendered(&compiled.rendered).map_err(|e| Failure::spec(&source, e))?;
    let desired = crate::sync::Desired::new(view.gateway(), &view.models());
    let options = crate::sync::Options {
        client: ClientOptions {
            url: args.url.clone(),
            master_key,
            master_key_env: args.master_key_env.clone(),
            timeout: Duration::from_secs(args.timeout),
            retries: args.retries,
            backoff: Duration::from_millis(args.backoff_ms),
            max_answer: answer_limit(desired.rows.len()),
        },
        verify_timeout: Duration::from_secs(args.verify_timeout),
        dry_run: args.dry_run,
    };
    match crate::sync::sync(&desired, &options) {
        Ok(outcome) => {
            print_stdout(&match args.format {
                Format::Text => outcome.to_text(),
                Format::Json => outcome.to_json(),
            })?;
            Ok(if outcome.dry_run && !outcome.planned.is_empty() {
                Status::Changes
            } else {
                Status::Done
            })
        }
        Err(failed) => {
            if args.format == Format::Json {
                // What was applied before the failure, for a pipeline to read.
                print_stdout(&crate::secret_shape::scrub(&failed.outcome.to_json()))?;
            }
            Err(Failure::line(failed.to_string()))
        }
    }
}

/// A proxy's base URL as the client takes it: a scheme and a host, e.g.
/// `http://127.0.0.1:4000`; the reason when it is not one.
pub(super) fn proxy_url(url: &str) -> Result<(), String> {
    let Some((scheme, rest)) = url.split_once("://") else {
        return Err(format!("{url}: a URL needs its scheme, e.g. http://{url}"));
    };
    if !matches!(scheme, "http" | "https") {
        return Err(format!("{url}: the scheme must be http or https"));
    }
    if rest.trim_end_matches('/').is_empty() {
        return Err(format!("{url}: no host"));
    }
    Ok(())
}

/// The master key from the env var `name`, trimmed; a failure when it is unset or blank.
pub(super) fn master_key(env: &dyn Environment, name: &str) -> Result<String, Failure> {
    env.var(name)
        .ok()
        .flatten()
        .and_then(|v| String::from_utf8(v).ok())
        .filter(|v| !v.trim().is_empty())
        .map(|k| k.trim().to_owned())
        .ok_or_else(|| {
            Failure::line(format!(
                "--master-key-env {name}: ${name} is not set; export the proxy's master key in it"
            ))
        })
}
