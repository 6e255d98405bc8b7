//! `man` and `completions`: the command line described for other programs, from clap's tree.

use std::path::Path;

use clap::CommandFactory;

use super::{Failure, Outcome, Status, print_stdout};
use crate::cli::Cli;
use crate::{Error, emit};

pub fn completions(shell: clap_complete::Shell) -> Outcome {
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut Cli::command(), "litegate", &mut script);
    print_stdout(&String::from_utf8_lossy(&script))
}

/// The man page on stdout, or with `dir`, one page per command written there.
pub fn exec(dir: Option<&Path>) -> Outcome {
    let mut cmd = Cli::command().disable_help_subcommand(true);
    cmd.build();
    let Some(dir) = dir else {
        let text =
            page(&cmd).map_err(|e| Failure::line(format!("cannot write the man page: {e}")))?;
        return print_stdout(&text);
    };
    // Like `install -d`: the man1 directory of a fresh prefix does not exist yet.
    std::fs::create_dir_all(dir).map_err(|e| Error::fs("creating", dir, e))?;
    for c in std::iter::once(&cmd).chain(cmd.get_subcommands()) {
        let name = c.get_display_name().unwrap_or_else(|| c.get_name());
        let path = dir.join(format!("{name}.1"));
        let text = page(c).map_err(|e| Error::fs("rendering", &path, e))?;
        emit::write_file_atomically(&path, &text)?;
    }
    Ok(Status::Done)
}

fn page(cmd: &clap::Command) -> std::io::Result<String> {
    let mut page = Vec::new();
    clap_mangen::Man::new(cmd.clone()).render(&mut page)?;
    Ok(title_first(&String::from_utf8_lossy(&page)))
}

/// Moves `.TH` above clap_mangen's string definitions: man(7) pages open with the title,
/// and the definitions still come before any use.
fn title_first(page: &str) -> String {
    let Some(start) = page.find("\n.TH ") else {
        return page.to_owned();
    };
    let end = page[start + 1..]
        .find('\n')
        .map_or(page.len(), |i| start + 2 + i);
    format!(
        "{}{}{}",
        &page[start + 1..end],
        &page[..start + 1],
        &page[end..]
    )
}
