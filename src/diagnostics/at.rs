//! `At`: a spec path (`models[2].params.top_p`) that is written out only when a diagnostic
//! needs it. A check visits every field of the spec and finds fault with few of them, so
//! building each visited path as a `String` cost more than the checks it labelled.

use std::fmt;

/// A path as the steps that lead to it, each borrowing the one before: `At::root("models")
/// .index(2).key("params")` costs no allocation until it becomes a `Diagnostic`'s path.
#[derive(Debug, Clone, Copy)]
pub struct At<'a> {
    parent: Option<&'a At<'a>>,
    step: Step<'a>,
}

#[derive(Debug, Clone, Copy)]
enum Step<'a> {
    /// The start, as written: `providers`, `deployment.redis.password`.
    Root(&'a str),
    /// `.key`
    Key(&'a str),
    /// `[i]`
    Index(usize),
}

impl<'a> At<'a> {
    pub const fn root(path: &'a str) -> Self {
        At {
            parent: None,
            step: Step::Root(path),
        }
    }

    /// This path followed by `.key`.
    pub fn key(&'a self, key: &'a str) -> At<'a> {
        At {
            parent: Some(self),
            step: Step::Key(key),
        }
    }

    /// This path followed by `[i]`.
    pub fn index(&'a self, i: usize) -> At<'a> {
        At {
            parent: Some(self),
            step: Step::Index(i),
        }
    }
}

impl fmt::Display for At<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(parent) = self.parent {
            parent.fmt(f)?;
        }
        match self.step {
            Step::Root(path) => f.write_str(path),
            Step::Key(key) => write!(f, ".{key}"),
            Step::Index(i) => write!(f, "[{i}]"),
        }
    }
}

impl From<At<'_>> for String {
    fn from(at: At<'_>) -> String {
        at.to_string()
    }
}

impl From<&At<'_>> for String {
    fn from(at: &At<'_>) -> String {
        at.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_the_path_as_the_user_reads_it() {
        let models = At::root("models");
        let model = models.index(2);
        let params = model.key("params");
        assert_eq!(params.key("top_p").to_string(), "models[2].params.top_p");
        assert_eq!(String::from(&params), "models[2].params");
        let password = At::root("deployment.redis.password");
        assert_eq!(String::from(password), "deployment.redis.password");
        assert_eq!(
            params.key("a.b").index(0).to_string(),
            "models[2].params.a.b[0]"
        );
    }
}
