//! `verify`: do the running proxies serve the spec, pod by pod (exit 3 when one does not).

use std::time::Duration;

use super::sync::{master_key, proxy_url};
use super::{Failure, Outcome, Status, load_and_compile, print_stdout};
use crate::Environment;
use crate::cli::{Format, VerifyArgs};
use crate::plan::View;
use crate::proxy::{ClientOptions, answer_limit};
use crate::resolve::Placeholders;

pub fn exec(args: &VerifyArgs, env: &dyn Environment) -> Outcome {
    for url in &args.urls {
        proxy_url(url).map_err(|message| Failure::Usage(format!("--url {message}")))?;
    }
    let master_key = master_key(env, &args.master_key_env)?;
    // Models carry keys as os.environ/NAME only, so verify needs none of them.
    let (source, compiled) = load_and_compile(&args.spec, &Placeholders)?;
    let view = View::from_rendered(&compiled.rendered).map_err(|e| Failure::spec(&source, e))?;
    let database = compiled.rendered.triggers.settings.is_some();
    let models = view.models();
    let max_answer = answer_limit(models.len());
    let expected = crate::verify::Expected::new(view.gateway(), models, database);
    let options = crate::verify::Options {
        urls: args.urls.clone(),
        client: ClientOptions {
            url: String::new(),
            master_key,
            master_key_env: args.master_key_env.clone(),
            timeout: Duration::from_secs(args.timeout),
            retries: 0,
            backoff: Duration::from_millis(200),
            max_answer,
        },
        samples: args.samples,
        wait: args.wait,
    };
    let report =
        crate::verify::verify(&expected, &options).map_err(|e| Failure::line(e.to_string()))?;
    if let (false, Some(wait)) = (report.serves(), args.wait) {
        stderr_line!(
            "error: not every URL serves {} after waiting {}",
            args.spec.display(),
            humantime::format_duration(wait)
        );
    }
    print_stdout(&match args.format {
        Format::Text => report.to_text(),
        Format::Json => report.to_json(),
    })?;
    Ok(if report.serves() {
        Status::Done
    } else {
        Status::Changes
    })
}
