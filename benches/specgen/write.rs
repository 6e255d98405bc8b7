//! Writes the benchmark specs to a directory, for `scripts/bench-process.sh`:
//! `cargo run --release --example specgen -- DIR`. Prints the largest fitting model count.

#[path = "mod.rs"]
mod specgen;

use std::path::PathBuf;
use std::{env, fs, process};

fn main() {
    let Some(dir) = env::args_os().nth(1).map(PathBuf::from) else {
        eprintln!("usage: specgen DIR");
        process::exit(2);
    };
    let largest = specgen::largest_fitting();
    let specs = [
        ("models-10", 10),
        ("models-100", 100),
        ("models-1000", 1_000),
        ("models-largest", largest),
        ("models-10000", 10_000),
    ];
    let write = |name: &str, text: String| {
        let path = dir.join(name);
        fs::write(&path, text).unwrap_or_else(|e| {
            eprintln!("specgen: {}: {e}", path.display());
            process::exit(1);
        });
    };
    if let Err(e) = fs::create_dir_all(&dir) {
        eprintln!("specgen: {}: {e}", dir.display());
        process::exit(1);
    }
    for (name, models) in specs {
        write(&format!("{name}.yaml"), specgen::spec(models));
    }
    write(
        "env",
        format!(
            "export {}={}\nexport {}={}\n",
            specgen::API_KEY_ENV,
            specgen::API_KEY,
            specgen::MASTER_KEY_ENV,
            specgen::MASTER_KEY
        ),
    );
    println!("{largest}");
}
