//! Issue 13's whole-run targets: `run` (every output: timeseries.csv, events.csv,
//! summary.json, usage.png/svg) of the two workloads the SimPy reference model is compared on,
//! `../shared/bench/simpy-30d/` and `simpy-365d/` (its trace gunzipped into a temporary
//! directory first, not timed). Targets: ≤ 100 ms for 30 days, ≤ 1.4 s for 365 days. Skips with
//! a message when `../shared` is absent.
//!
//!     cargo bench --bench simpy

use std::io::Read;
use std::path::{Path, PathBuf};

use criterion::{criterion_group, criterion_main, Criterion};
use imagefs_sim::runner::run_to_dir;
use imagefs_sim::scenario::Scenario;

fn shared() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/bench")
}

/// The workload copied into `dir` (the 365-day trace unpacked), loaded.
fn prepare(name: &str, dir: &Path) -> Option<Scenario> {
    let src = shared().join(name);
    if !src.is_dir() {
        return None;
    }
    for f in ["scenario.toml", "catalog.toml"] {
        std::fs::copy(src.join(f), dir.join(f)).expect("copy the workload");
    }
    if src.join("trace.csv").exists() {
        std::fs::copy(src.join("trace.csv"), dir.join("trace.csv")).expect("copy the trace");
    } else {
        let gz = std::fs::File::open(src.join("trace.csv.gz")).expect("open trace.csv.gz");
        let mut text = Vec::new();
        flate2::read::GzDecoder::new(gz)
            .read_to_end(&mut text)
            .expect("gunzip the trace");
        std::fs::write(dir.join("trace.csv"), text).expect("write the trace");
    }
    Some(Scenario::load(&dir.join("scenario.toml")).expect("the workload loads"))
}

fn bench(c: &mut Criterion) {
    let mut g = c.benchmark_group("simpy");
    g.sample_size(10);
    for name in ["simpy-30d", "simpy-365d"] {
        let tmp = tempfile::tempdir().expect("a temporary directory");
        let Some(sc) = prepare(name, tmp.path()) else {
            eprintln!("skipped: {} is absent", shared().join(name).display());
            continue;
        };
        let out = tmp.path().join("out");
        g.bench_function(format!("run_{name}"), |b| {
            b.iter(|| run_to_dir(&sc, &out).expect("the run"))
        });
    }
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
