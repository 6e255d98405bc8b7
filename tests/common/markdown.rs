//! Reading the documentation's Markdown: the pages, their fenced blocks, headings and links.
//! Shared by tests/docs.rs (the examples run) and tests/docs_reference.rs (the lists match).

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use super::root;

/// README.md, then every page of docs/ in name order: a page added later is covered too.
pub fn pages() -> Vec<PathBuf> {
    let mut docs: Vec<PathBuf> = std::fs::read_dir(root().join("docs"))
        .expect("docs/ exists")
        .map(|e| e.expect("readable entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "md"))
        .collect();
    docs.sort();
    let mut all = vec![root().join("README.md")];
    all.extend(docs);
    all
}

pub fn page_name(page: &Path) -> String {
    page.strip_prefix(root())
        .unwrap_or(page)
        .display()
        .to_string()
}

/// One fenced block: its info string, the line its opening fence is on, and its text with
/// the fence's indentation removed (blocks inside list items are indented).
#[derive(Debug)]
pub struct Block {
    pub info: String,
    pub line: usize,
    pub body: String,
}

pub fn blocks(text: &str) -> Vec<Block> {
    let mut out = Vec::new();
    let mut open: Option<(Block, usize)> = None;
    for (i, line) in text.lines().enumerate() {
        let trimmed = line.trim_start();
        let indent = line.len() - trimmed.len();
        match open.take() {
            None => {
                if let Some(info) = trimmed.strip_prefix("```") {
                    let block = Block {
                        info: info.trim().to_owned(),
                        line: i + 1,
                        body: String::new(),
                    };
                    open = Some((block, indent));
                }
            }
            Some((block, _)) if trimmed.trim_end() == "```" => out.push(block),
            Some((mut block, fence_indent)) => {
                let cut = fence_indent.min(indent);
                block.body.push_str(&line[cut..]);
                block.body.push('\n');
                open = Some((block, fence_indent));
            }
        }
    }
    assert!(open.is_none(), "a fenced block is never closed");
    out
}

pub fn page_blocks(page: &Path) -> Vec<Block> {
    let text = std::fs::read_to_string(page).expect("readable page");
    blocks(&text)
}

/// GitHub's anchor for a heading: lower case, punctuation dropped, spaces as `-`.
pub fn anchor(heading: &str) -> String {
    heading
        .trim()
        .to_lowercase()
        .chars()
        .filter_map(|c| match c {
            ' ' => Some('-'),
            c if c.is_alphanumeric() || c == '-' || c == '_' => Some(c),
            _ => None,
        })
        .collect()
}

pub fn anchors(text: &str) -> BTreeSet<String> {
    let mut in_fence = false;
    let mut out = BTreeSet::new();
    for line in text.lines() {
        if line.trim_start().starts_with("```") {
            in_fence = !in_fence;
        } else if !in_fence && line.starts_with('#') {
            out.insert(anchor(line.trim_start_matches('#')));
        }
    }
    out
}

/// Every `](target)` of a page that is not a URL.
pub fn local_links(text: &str) -> Vec<String> {
    text.split("](")
        .skip(1)
        .filter_map(|rest| rest.split_once(')').map(|(target, _)| target.to_owned()))
        .filter(|t| !t.contains("://") && !t.starts_with("mailto:"))
        .collect()
}
