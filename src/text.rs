//! Human-facing text from the minijinja templates in `templates/`.

use std::sync::OnceLock;

use minijinja::syntax::SyntaxConfig;
use minijinja::{Environment, context};

use crate::Error;

const TEMPLATES: &[(&str, &str)] = &[
    (
        "header.yaml.j2",
        include_str!("../templates/header.yaml.j2"),
    ),
    (
        "config-header.yaml.j2",
        include_str!("../templates/config-header.yaml.j2"),
    ),
    ("init.yaml.j2", include_str!("../templates/init.yaml.j2")),
];

/// The templates, parsed once; a parse error is kept and reported on every use.
fn templates() -> Result<&'static Environment<'static>, Error> {
    static ENV: OnceLock<Result<Environment<'static>, (&'static str, String)>> = OnceLock::new();
    let env = ENV.get_or_init(|| {
        let mut env = Environment::new();
        let syntax = SyntaxConfig::builder()
            .keep_trailing_newline(true)
            .build()
            .map_err(|e| ("syntax", e.to_string()))?;
        env.set_syntax(syntax);
        for &(name, source) in TEMPLATES {
            env.add_template(name, source)
                .map_err(|e| (name, e.to_string()))?;
        }
        Ok(env)
    });
    env.as_ref().map_err(|(name, message)| Error::Template {
        name,
        message: message.clone(),
    })
}

fn render(name: &'static str, ctx: minijinja::Value) -> Result<String, Error> {
    templates()?
        .get_template(name)
        .and_then(|t| t.render(ctx))
        .map_err(|e| Error::Template {
            name,
            message: e.to_string(),
        })
}

/// The comment at the top of every generated manifest file. `spec` is the spec's file name;
/// control characters are replaced so a crafted name cannot end the comment line.
pub fn file_header(spec: &str) -> Result<String, Error> {
    let spec: String = spec
        .chars()
        .map(|c| if c.is_control() { '?' } else { c })
        .collect();
    render("header.yaml.j2", context! { spec })
}

/// The comment at the top of config.yaml. It names no file, so renaming the spec
/// changes no byte of the config (and so rolls no pod).
pub fn config_header() -> Result<String, Error> {
    render("config-header.yaml.j2", context! {})
}

/// The commented starter spec that `litegate init` prints.
pub fn starter_spec() -> Result<String, Error> {
    render(
        "init.yaml.j2",
        context! { api_version => crate::spec::API_VERSION, kind => crate::spec::KIND },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_newline_in_the_spec_name_cannot_escape_the_comment() {
        let header = file_header("evil\nkind: Secret").unwrap();
        assert!(header.lines().all(|l| l.starts_with('#')), "{header}");
    }
}
