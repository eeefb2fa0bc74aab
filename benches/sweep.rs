//! Speed of a sweep: 1,000 points (imageGCHigh × imageGCLow × disk, 10 values each) × 30
//! simulated days of the ci-churn workload (scenarios/ci-churn.toml, its synthetic generator
//! included in every point's load), with 1 and 2 threads.
//!
//! Targets (sweep issue): under 30 s, and at least 1.8× faster with 2 threads than with 1;
//! memory bounded by the points in flight (results are summary rows; no samples are kept).
//! Prints the wall time of each sweep, the cost of one point (load and simulation), and the
//! peak resident memory after a 100-point and after the 1,000-point sweep (Linux).
//!
//!     cargo bench --bench sweep                    # SWEEP_BENCH_POINTS=200 for a shorter run

use std::fs;
use std::path::Path;
use std::time::Instant;

use imagefs_sim::outcome::NullRecorder;
use imagefs_sim::sim::Simulation;
use imagefs_sim::sweep::{run_sweep, SweepOptions, SweepSpec};

fn peak_rss_kib() -> Option<u64> {
    let s = fs::read_to_string("/proc/self/status").ok()?;
    let l = s.lines().find(|l| l.starts_with("VmHWM:"))?;
    l.split_whitespace().nth(1)?.parse().ok()
}

/// The ci-churn scenario over 30 days with a 10 × 10 × 10 grid (cut to `points`).
fn spec(dir: &Path, points: usize) -> SweepSpec {
    let base = fs::read_to_string("scenarios/ci-churn.toml").expect("scenarios/ci-churn.toml");
    let mut out = String::new();
    for line in base.lines() {
        if line.starts_with("duration =") {
            out.push_str("duration = \"30d\"\n");
            continue;
        }
        if line.trim() == "[node]" {
            let n = |k: usize| points.div_ceil(k).clamp(1, 10);
            let (a, b, c) = (n(100), n(10).min(10), points.min(10));
            let list = |v: Vec<String>| v.join(", ");
            out.push_str("[sweep]\n");
            out.push_str(&format!(
                "\"node.disk\" = [{}]\n",
                list((0..a).map(|i| format!("\"{}Gi\"", 60 + 5 * i)).collect())
            ));
            out.push_str(&format!(
                "\"kubelet.imageGCHighThresholdPercent\" = [{}]\n",
                list((0..b).map(|i| (81 + i).to_string()).collect())
            ));
            out.push_str(&format!(
                "\"kubelet.imageGCLowThresholdPercent\" = [{}]\n\n",
                list((0..c).map(|i| (60 + i).to_string()).collect())
            ));
        }
        out.push_str(line);
        out.push('\n');
    }
    // ci-churn's workload is synthetic: no file paths to keep relative.
    let p = dir.join(format!("bench-{points}.toml"));
    fs::write(&p, &out).unwrap();
    SweepSpec::load(&p).expect("the bench scenario loads")
}

fn run(spec: &SweepSpec, dir: &Path, threads: usize) -> f64 {
    let out = dir.join(format!("t{threads}-{}", spec.points()));
    fs::remove_dir_all(&out).ok();
    let mut o = SweepOptions::new(&out);
    o.threads = Some(threads);
    let t = Instant::now();
    let r = run_sweep(spec, &o).expect("the sweep runs");
    let secs = t.elapsed().as_secs_f64();
    assert_eq!(r.computed, spec.points());
    secs
}

fn main() {
    let points: usize = std::env::var("SWEEP_BENCH_POINTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1000);
    let tmp = tempfile::tempdir().unwrap();
    let big = spec(tmp.path(), points);
    eprintln!("sweep bench: {} points x 30 days of ci-churn", big.points());

    // One point: load (generation, validation) and simulation.
    let t = Instant::now();
    let sc = big.scenario(0, 0).unwrap();
    let load = t.elapsed().as_secs_f64();
    let t = Instant::now();
    let s = Simulation::new(&sc).run(&mut NullRecorder);
    let sim = t.elapsed().as_secs_f64();
    eprintln!(
        "one point: load {:.1} ms, simulate {:.1} ms ({} events)",
        load * 1e3,
        sim * 1e3,
        s.events_processed
    );

    let small = spec(tmp.path(), 100);
    run(&small, tmp.path(), 2);
    let rss_small = peak_rss_kib();
    let t1 = run(&big, tmp.path(), 1);
    eprintln!(
        "1 thread:  {t1:.1} s ({:.1} ms per point)",
        t1 * 1e3 / big.points() as f64
    );
    let t2 = run(&big, tmp.path(), 2);
    eprintln!(
        "2 threads: {t2:.1} s ({:.1} ms per point); speed-up {:.2}x",
        t2 * 1e3 / big.points() as f64,
        t1 / t2
    );
    if let (Some(a), Some(b)) = (rss_small, peak_rss_kib()) {
        eprintln!(
            "peak resident memory: {:.1} MiB after 100 points, {:.1} MiB after {} points",
            a as f64 / 1024.0,
            b as f64 / 1024.0,
            big.points()
        );
    }
}
