//! `plan OLD NEW`: what changes per object, and whether pods roll (exit 3 on change).

use super::{Failure, Outcome, Status, load_and_compile, print_stdout};
use crate::cli::{Format, PlanArgs};
use crate::plan::View;
use crate::{Environment, SpecSource};

pub fn exec(args: &PlanArgs, env: &dyn Environment) -> Outcome {
    let old = if args.old.is_dir() {
        let (view, not_read) = View::from_dir(&args.old)
            .map_err(|e| Failure::spec(&SpecSource::unread(&args.old), e))?;
        for entry in not_read {
            stderr_line!("note: {}", entry.describe(&args.old));
        }
        view
    } else {
        compiled_view(&args.old, env)?
    };
    let new = compiled_view(&args.new, env)?;
    let new = if old.has("Secret") || !args.old.is_dir() {
        new
    } else {
        stderr_line!(
            "note: {} holds no Secret (it is kept apart): a key change shows as checksum/secret",
            args.old.display()
        );
        new.without_secret()
    };
    let (old, new) = if args.skip_secrets {
        stderr_line!(
            "note: --skip-secrets: no secret source was read; secret values are not compared"
        );
        (old.without_secret_values(), new.without_secret_values())
    } else {
        (old, new)
    };
    let plan = crate::plan::plan(&old, &new);
    print_stdout(&match args.format {
        Format::Text => plan.to_text(),
        Format::Json => plan.to_json(),
    })?;
    Ok(if plan.has_changes() {
        Status::Changes
    } else {
        Status::Done
    })
}

fn compiled_view(path: &std::path::Path, env: &dyn Environment) -> Result<View, Failure> {
    let (source, compiled) = load_and_compile(path, env)?;
    View::from_rendered(&compiled.rendered).map_err(|e| Failure::spec(&source, e))
}
