//! `validate`: every error and warning of a spec, as text or JSON; writes nothing.

use super::{Failure, Outcome, Status, print_diagnostics, print_stdout};
use crate::cli::{Format, ValidateArgs};
use crate::{Environment, Error, SpecSource, compile};

pub fn exec(args: &ValidateArgs, env: &dyn Environment) -> Outcome {
    let (source, outcome) = match SpecSource::read(&args.spec) {
        Ok(source) => {
            let outcome = compile(&source, env);
            (source, outcome)
        }
        Err(e) => (SpecSource::unread(&args.spec), Err(e)),
    };
    let (diagnostics, compiled) = match outcome {
        Ok(compiled) => (compiled.warnings.clone(), Some(compiled)),
        Err(Error::Invalid(diagnostics)) => (diagnostics, None),
        Err(other) => return Err(Failure::spec(&source, other)),
    };
    let errors = diagnostics.iter().filter(|d| d.is_error()).count();
    let failed = errors > 0 || (args.strict && !diagnostics.is_empty());
    if args.format == Format::Json {
        let json =
            crate::diagnostics::report::json(&diagnostics, &source.path.display().to_string());
        print_stdout(&json)?;
        return if failed {
            Err(Failure::Said)
        } else {
            Ok(Status::Done)
        };
    }
    print_diagnostics(&diagnostics, &source);
    let warnings = diagnostics.len() - errors;
    match compiled {
        None => Err(Failure::line(format!(
            "{} has {errors} error(s) and {warnings} warning(s)",
            args.spec.display()
        ))),
        Some(_) if failed => Err(Failure::line(format!(
            "{warnings} warning(s), and --strict treats them as errors"
        ))),
        Some(c) => {
            stderr_line!(
                "{}: ok ({} model(s), {} object(s), {warnings} warning(s))",
                args.spec.display(),
                c.rendered.models,
                c.rendered.objects.len()
            );
            Ok(Status::Done)
        }
    }
}
