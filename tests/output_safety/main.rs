//! Writing and reading output safely, against the real binary: stdout on a full disk.
//! Each attack here succeeded against litegate before the commit that added its test.
//!
//! A full disk: `/dev/full` as stdout, where every write fails with ENOSPC.

#[path = "../common/mod.rs"]
mod common;
mod streams;

use std::fs;
use std::process::{Command, Stdio};

use common::{DUMMY_ENV, root};

const LITEGATE: &str = env!("CARGO_BIN_EXE_litegate");

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn assert_no_secret_value(text: &str) {
    for (name, value) in DUMMY_ENV {
        assert!(!text.contains(value), "the value of {name} leaked:\n{text}");
    }
}
