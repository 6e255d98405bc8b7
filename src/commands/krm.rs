//! `krm`: a KRM function. Whatever happens, it answers with a ResourceList on stdout.

use std::path::PathBuf;

use super::{Failure, Outcome, print_stdout};
use crate::Environment;
use crate::cli::KrmArgs;
use crate::input::{MAX_STREAM_BYTES, read_stdin};

pub fn exec(args: &KrmArgs, env: &dyn Environment) -> Outcome {
    let outcome = match read_stdin(MAX_STREAM_BYTES).map(String::from_utf8) {
        Ok(Ok(input)) => {
            let root = args.root.clone().unwrap_or_else(|| PathBuf::from("."));
            crate::krm::run(&input, &root, env)
        }
        Ok(Err(_)) => crate::krm::refused("stdin is not UTF-8"),
        Err(e) => crate::krm::refused(&format!("cannot read the ResourceList from stdin: {e}")),
    };
    let status = print_stdout(&outcome.output)?;
    // The list's results say why.
    if outcome.ok {
        Ok(status)
    } else {
        Err(Failure::Said)
    }
}
