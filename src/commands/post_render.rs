//! `post-render`: a Helm post-renderer; the chart's manifests in, unchanged, then the spec's objects.

use std::path::Path;

use super::{Failure, Outcome, load_and_compile, print_diagnostics, print_stdout};
use crate::Environment;
use crate::input::{MAX_STREAM_BYTES, read_stdin};

pub fn exec(spec: &Path, env: &dyn Environment) -> Outcome {
    let what = "the chart's manifests";
    let input = match read_stdin(MAX_STREAM_BYTES).map(String::from_utf8) {
        Ok(Ok(input)) => input,
        Ok(Err(_)) => {
            return Err(Failure::line(format!(
                "cannot read {what} from stdin: it is not UTF-8"
            )));
        }
        Err(e) => return Err(Failure::line(format!("cannot read {what} from stdin: {e}"))),
    };
    let (source, compiled) = load_and_compile(spec, env)?;
    print_diagnostics(&compiled.warnings, &source);
    let text = crate::post_render::append(&input, &compiled.rendered, &source.file_name())
        .map_err(|e| Failure::spec(&source, e))?;
    print_stdout(&text)
}
