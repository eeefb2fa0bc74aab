//! Invariants over random small scenarios (proptest picks the generator's seed and knobs).

mod common;

use imagefs_sim::outcome::VecRecorder;
use imagefs_sim::scenario::Scenario;
use imagefs_sim::sim::Simulation;
use proptest::prelude::*;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// A random scenario: a few layers shared among a few images, a disk that may be too small,
/// pods that come, finish and go with writable and log growth, random GC settings.
fn random_scenario(seed: u64, reporting: bool) -> (String, String) {
    let mut r = ChaCha8Rng::seed_from_u64(seed);
    let nl = r.gen_range(1..7);
    let ni = r.gen_range(1..6);
    let mut toml = String::new();
    let high = r.gen_range(2..=100);
    let low = r.gen_range(0..high);
    let disk = r.gen_range(5_000_000u64..60_000_000);
    toml += &format!(
        "name = \"prop\"\nduration = \"{}s\"\nseed = {seed}\n[node]\ndisk = {disk}\nother_used = {}\npull_bandwidth = {}\nimage_size_reporting = \"{}\"\n",
        r.gen_range(60..4000),
        r.gen_range(0..disk / 4),
        r.gen_range(100_000..5_000_000),
        if reporting { "compressed" } else { "unpacked" }
    );
    toml += &format!(
        "[kubelet]\nimageGCHighThresholdPercent = {high}\nimageGCLowThresholdPercent = {low}\nimageMinimumGCAge = \"{}s\"\nserializeImagePulls = {}\nregistryPullQPS = {}\n",
        r.gen_range(1..300),
        r.gen_bool(0.5),
        r.gen_range(0..3)
    );
    if r.gen_bool(0.3) {
        toml += &format!("imageMaximumGCAge = \"{}s\"\n", r.gen_range(301..2000));
    }
    for l in 0..nl {
        let size = r.gen_range(100_000u64..8_000_000);
        toml += &format!(
            "[[layer]]\nid = \"l{l}\"\nsize = {size}\ncompressed = {}\n",
            size / r.gen_range(1..4)
        );
    }
    for i in 0..ni {
        let mut ls: Vec<usize> = (0..nl).filter(|_| r.gen_bool(0.5)).collect();
        if ls.is_empty() {
            ls.push(r.gen_range(0..nl));
        }
        let ls: Vec<String> = ls.iter().map(|l| format!("\"l{l}\"")).collect();
        toml += &format!(
            "[[image]]\nname = \"img{i}:v1\"\nlayers = [{}]\npinned = {}\n",
            ls.join(", "),
            r.gen_bool(0.1)
        );
    }
    toml += "[workload]\ntrace = \"trace.csv\"\n";
    let mut trace = String::from(
        "time,action,pod,container,image,pull_policy,writable_rate,writable_cap,log_rate,log_cap\n",
    );
    let mut t = 0u64;
    for p in 0..r.gen_range(0..25) {
        t += r.gen_range(0..300);
        let containers = r.gen_range(1..3);
        for c in 0..containers {
            let policy = ["", "Always", "IfNotPresent", "Never"][r.gen_range(0..4)];
            trace += &format!(
                "{t},create,p{p},c{c},img{}:v1,{policy},{},{},{},{}\n",
                r.gen_range(0..ni),
                r.gen_range(0..50_000),
                r.gen_range(0..10_000_000),
                r.gen_range(0..5_000),
                r.gen_range(0..1_000_000)
            );
        }
        let end = t + r.gen_range(1..2000);
        if r.gen_bool(0.3) {
            trace += &format!("{},complete,p{p},,,,,,,\n", t + 1);
        }
        if r.gen_bool(0.8) {
            // Deletions may come after later creations: collect and sort below.
            trace += &format!("{end},delete,p{p},,,,,,,\n");
        }
    }
    // Keep rows in time order (stable, so a pod's rows stay together).
    let mut lines: Vec<&str> = trace.lines().collect();
    let header = lines.remove(0);
    lines.sort_by_key(|l| l.split(',').next().unwrap().parse::<u64>().unwrap());
    (toml, format!("{header}\n{}\n", lines.join("\n")))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn invariants_hold_on_random_scenarios(seed in 0..i64::MAX as u64, compressed in any::<bool>()) {
        let (toml, trace) = random_scenario(seed, compressed);
        let f = common::write(&toml, &trace);
        let sc = Scenario::load(&f.scenario).map_err(|e| TestCaseError::fail(e.to_string()))?;
        let mut rec = VecRecorder::default();
        let summary = Simulation::new(&sc).run_checked(&mut rec).map_err(TestCaseError::fail)?;
        let mut last = None;
        for s in &rec.samples {
            // used ≤ capacity, counted from its parts.
            let parts = s.image_bytes + s.writable_bytes + s.log_bytes + s.emptydir_bytes + s.other_bytes + s.pulling_bytes;
            prop_assert!(parts <= s.capacity_bytes, "at {}: {} > {}", s.time, parts, s.capacity_bytes);
            prop_assert_eq!(s.capacity_bytes - s.available_bytes, parts.min(s.capacity_bytes));
            prop_assert!(last.is_none_or(|l| s.time > l), "sample time went back");
            last = Some(s.time);
        }
        prop_assert!(rec.events.windows(2).all(|w| w[0].time <= w[1].time), "event time went back");
        prop_assert!(summary.bytes_freed_on_disk <= summary.pull_bytes + 60_000_000 * 7);
        // Same seed, same everything.
        let mut rec2 = VecRecorder::default();
        let summary2 = Simulation::new(&sc).run(&mut rec2);
        prop_assert_eq!(summary, summary2);
        prop_assert_eq!(rec.samples, rec2.samples);
        prop_assert_eq!(rec.events, rec2.events);
    }
}

#[test]
fn same_seed_writes_identical_files() {
    let (toml, trace) = random_scenario(42, true);
    let f = common::write(&toml, &trace);
    let sc = Scenario::load(&f.scenario).unwrap();
    let a = f.dir.path().join("out-a");
    let b = f.dir.path().join("out-b");
    imagefs_sim::runner::run_to_dir(&sc, &a).unwrap();
    imagefs_sim::runner::run_to_dir(&sc, &b).unwrap();
    for name in ["timeseries.csv", "events.csv", "summary.json"] {
        let x = std::fs::read(a.join(name)).unwrap();
        let y = std::fs::read(b.join(name)).unwrap();
        assert!(!x.is_empty());
        assert!(x == y, "{name} differs between two runs with the same seed");
    }
}
