//! `import`: an existing LiteLLM config.yaml becomes a spec; keys are never copied.

use std::path::Path;

use super::{Failure, Outcome, Status, print_stdout};
use crate::Error;
use crate::cli::ImportArgs;
use crate::emit;
use crate::input::{MAX_SPEC_BYTES, Pipes, read_path};

pub fn exec(args: &ImportArgs) -> Outcome {
    let config = args.config.display();
    let text = match read_path(&args.config, MAX_SPEC_BYTES, Pipes::Allowed).map(String::from_utf8)
    {
        Ok(Ok(text)) => text,
        Ok(Err(_)) => return Err(Failure::line(format!("{config} is not UTF-8"))),
        Err(reason) => {
            return Err(Failure::Error(Error::Read {
                what: "config",
                path: args.config.clone(),
                reason,
            }));
        }
    };
    // Files named by `include:`; never a FIFO, so a config cannot make import wait.
    let read = |path: &Path| {
        read_path(path, MAX_SPEC_BYTES, Pipes::Refused)
            .map_err(|e| e.to_string())
            .and_then(|bytes| String::from_utf8(bytes).map_err(|_| "not UTF-8".to_owned()))
    };
    let imported =
        crate::import::import(&text, &args.name, &args.config, &read).map_err(|failed| {
            let mut lines: Vec<String> =
                failed.0.iter().map(|p| format!("{config}: {p}")).collect();
            lines.push(format!(
                "{config} cannot be imported ({} problem(s)); nothing was written",
                failed.0.len()
            ));
            Failure::Lines(lines)
        })?;
    if args.explain {
        stderr_line!("{}", imported.explain().trim_end());
    } else {
        for warning in &imported.warnings {
            stderr_line!("warning: {config}: {warning}");
        }
    }
    match &args.output {
        None => print_stdout(&imported.spec),
        Some(path) => {
            emit::write_file_atomically(path, &imported.spec)?;
            Ok(Status::Done)
        }
    }
}
