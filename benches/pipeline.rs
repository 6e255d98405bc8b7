//! Each pipeline step on generated specs of 10, 100 and 1,000 models across 20 providers,
//! and on the largest spec whose config.yaml still fits a ConfigMap; plus the 10,000-model
//! spec that must be refused on size. `cargo bench --bench pipeline`; allocations are
//! counted too (divan's `AllocProfiler`). The whole process is timed by
//! `scripts/bench-process.sh`.

mod specgen;

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::OnceLock;

use divan::{AllocProfiler, Bencher, black_box};
use litegate::render::Rendered;
use litegate::source_map::SourceMap;
use litegate::spec::Gateway;
use litegate::{Error, emit, parse, render, resolve, validate};
use specgen::BenchEnvironment;

#[global_allocator]
static ALLOC: AllocProfiler = AllocProfiler::system();

/// The model counts benchmarked; the last is the largest that fits.
fn sizes() -> [usize; 4] {
    static LARGEST: OnceLock<usize> = OnceLock::new();
    [
        10,
        100,
        1_000,
        *LARGEST.get_or_init(specgen::largest_fitting),
    ]
}

/// The spec text of each size, generated once.
fn text(models: usize) -> &'static str {
    static TEXTS: OnceLock<std::sync::Mutex<BTreeMap<usize, &'static str>>> = OnceLock::new();
    let mut texts = TEXTS
        .get_or_init(Default::default)
        .lock()
        .expect("not poisoned");
    texts
        .entry(models)
        .or_insert_with(|| String::leak(specgen::spec(models)))
}

fn gateway(models: usize) -> Gateway {
    parse::parse(text(models)).expect("generated specs parse")
}

fn rendered(models: usize) -> Rendered {
    let resolved = resolve::resolve(&gateway(models), Path::new("."), &BenchEnvironment)
        .expect("generated specs resolve");
    render::render(&resolved).expect("generated specs render")
}

fn main() {
    divan::main();
}

/// Text -> the typed spec (serde-saphyr), as `compile` does it.
#[divan::bench(args = sizes())]
fn parse(bencher: Bencher, models: usize) {
    let text = text(models);
    bencher.bench(|| parse::parse_recovering(black_box(text)));
}

/// Spec paths -> places in the file: built only to locate diagnostics or when the text may
/// hold a YAML 1.1 hazard (none of the generated specs do).
#[divan::bench(args = sizes())]
fn source_map(bencher: Bencher, models: usize) {
    let text = text(models);
    bencher.bench(|| SourceMap::build(black_box(text)));
}

/// Every rule over the spec, and the quick look for YAML 1.1 hazards over the text.
#[divan::bench(args = sizes())]
fn validate(bencher: Bencher, models: usize) {
    let spec = gateway(models);
    let text = text(models);
    bencher.bench(|| {
        let found = validate::validate(black_box(&spec));
        (found, validate::may_have_yaml_hazards(black_box(text)))
    });
}

/// Secret sources, names and ids (resolve), then config.yaml and the objects (render).
#[divan::bench(args = sizes())]
fn render(bencher: Bencher, models: usize) {
    let spec = gateway(models);
    bencher.bench(|| {
        let resolved = resolve::resolve(black_box(&spec), Path::new("."), &BenchEnvironment)
            .expect("resolves");
        render::render(&resolved).expect("renders")
    });
}

/// Objects -> the multi-document stream that `litegate render` prints.
#[divan::bench(args = sizes())]
fn emit_stream(bencher: Bencher, models: usize) {
    let rendered = rendered(models);
    bencher.bench(|| emit::stream(black_box(&rendered), "bench.yaml").expect("emits"));
}

/// Objects -> the files of `render -o DIR` (not written).
#[divan::bench(args = sizes())]
fn emit_files(bencher: Bencher, models: usize) {
    let rendered = rendered(models);
    bencher.bench(|| {
        emit::files(
            black_box(&rendered),
            "bench.yaml",
            emit::SecretPlacement::InDir,
        )
        .expect("emits")
    });
}

/// The library's whole pipeline, text to objects (`litegate::compile`).
#[divan::bench(args = sizes())]
fn compile(bencher: Bencher, models: usize) {
    let source = litegate::SpecSource {
        path: "bench.yaml".into(),
        text: text(models).to_owned(),
    };
    bencher.bench(|| litegate::compile(black_box(&source), &BenchEnvironment).expect("compiles"));
}

/// 10,000 models: config.yaml is over 1 MiB, and `compile` must say so (E020).
#[divan::bench]
fn compile_rejects_10000_models(bencher: Bencher) {
    let source = litegate::SpecSource {
        path: "bench.yaml".into(),
        text: specgen::spec(10_000),
    };
    bencher.bench(
        || match litegate::compile(black_box(&source), &BenchEnvironment) {
            Err(Error::Invalid(diagnostics)) => diagnostics,
            _ => panic!("a 10,000-model spec must be refused on size"),
        },
    );
}
