//! `render`: the objects to stdout, to a directory (`-o`), or a directory checked (`--check`).

use std::path::Path;

use super::{Failure, Outcome, Status, load_and_compile, print_diagnostics, print_stdout};
use crate::cli::RenderArgs;
use crate::render::Rendered;
use crate::{Environment, emit};

pub fn exec(args: &RenderArgs, env: &dyn Environment) -> Outcome {
    let (source, compiled) = load_and_compile(&args.spec, env)?;
    print_diagnostics(&compiled.warnings, &source);
    let spec_name = source.file_name();
    let placement = if args.plaintext_secret {
        emit::SecretPlacement::InDir
    } else {
        emit::SecretPlacement::Apart
    };
    let in_spec = |e| Failure::spec(&source, e);
    if let Some(dir) = &args.check {
        let values = if args.skip_secrets {
            stderr_line!(
                "note: --skip-secrets: no secret source was read, so secret values are not compared (checksum/secret, the Secret's data)"
            );
            emit::Values::NotCompared
        } else {
            emit::Values::Compared
        };
        let files = emit::files(&compiled.rendered, &spec_name, placement).map_err(in_spec)?;
        let Some(diff) = emit::check_dir(dir, &files, values).map_err(in_spec)? else {
            return Ok(Status::Done);
        };
        print_stdout(&diff)?;
        return Err(Failure::line(format!(
            "{} is not up to date with {}",
            dir.display(),
            args.spec.display()
        )));
    }
    if let Some(dir) = &args.output {
        emit::files(&compiled.rendered, &spec_name, placement)
            .and_then(|files| emit::write_dir(dir, &files))
            .map_err(in_spec)?;
        return secret_apart(args, dir, &compiled.rendered, &spec_name);
    }
    print_stdout(&emit::stream(&compiled.rendered, &spec_name).map_err(in_spec)?)
}

/// The Secret after `-o DIR` without `--plaintext-secret`: to `--secret-out`, or a note
/// that it was left out and how to get it.
fn secret_apart(args: &RenderArgs, dir: &Path, rendered: &Rendered, spec_name: &str) -> Outcome {
    if args.plaintext_secret {
        return Ok(Status::Done);
    }
    let Some((manifest, keys)) = emit::secret_manifest(rendered, spec_name)? else {
        return Ok(Status::Done);
    };
    match &args.secret_out {
        Some(path) if path.as_os_str() == "-" => print_stdout(&manifest),
        Some(path) => {
            emit::write_secret_file(path, dir, &manifest)?;
            Ok(Status::Done)
        }
        None => {
            stderr_line!(
                "note: the Secret ({}) is not in {}: give --secret-out FILE to write it apart (then seal, encrypt or apply it), or --plaintext-secret to put it in the directory",
                keys.join(", "),
                dir.display()
            );
            Ok(Status::Done)
        }
    }
}
