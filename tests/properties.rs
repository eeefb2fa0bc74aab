//! Invariants over random small scenarios (proptest picks the generator's seed and knobs).

mod common;

use imagefs_sim::outcome::{NullRecorder, VecRecorder};
use imagefs_sim::scenario::Scenario;
use imagefs_sim::sim::Simulation;
use proptest::prelude::*;

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn invariants_hold_on_random_scenarios(seed in 0..i64::MAX as u64, compressed in any::<bool>()) {
        let (toml, trace) = common::random_scenario(seed, compressed);
        // Every other case ends on a sample (a duration in whole 10 s), for the conservation
        // check below.
        let toml = if seed % 2 == 0 { end_on_a_sample(&toml) } else { toml };
        let f = common::write(&toml, &trace);
        let sc = Scenario::load(&f.scenario).map_err(|e| TestCaseError::fail(e.to_string()))?;
        let mut rec = VecRecorder::default();
        let summary = Simulation::new(&sc).run_checked(&mut rec).map_err(TestCaseError::fail)?;
        let mut last = None;
        for s in &rec.samples {
            // used ≤ capacity on every filesystem, and the parts add up to the used bytes.
            let parts = s.image_bytes + s.writable_bytes + s.log_bytes + s.emptydir_bytes + s.other_bytes + s.pulling_bytes;
            let capacity: u64 = s.per_fs.iter().map(|(c, _)| c).sum();
            let used: u64 = s.per_fs.iter().map(|(c, a)| c - a).sum();
            prop_assert!(s.per_fs.iter().all(|(c, a)| a <= c));
            prop_assert!(parts <= capacity, "at {}: {} > {}", s.time, parts, capacity);
            prop_assert_eq!(used, parts);
            prop_assert!(last.is_none_or(|l| s.time > l), "sample time went back");
            last = Some(s.time);
        }
        prop_assert!(rec.events.windows(2).all(|w| w[0].time <= w[1].time), "event time went back");
        // Layer bytes are conserved: random scenarios preload nothing, so every byte of a layer
        // came from a completed pull (a pull writes only the layers missing), and what GC freed
        // is what left. The last sample (at the end) holds the rest.
        prop_assert!(summary.bytes_freed_on_disk <= summary.pull_bytes);
        if let Some(end) = rec.samples.last().filter(|s| s.time == sc.duration) {
            prop_assert_eq!(summary.pull_bytes - summary.bytes_freed_on_disk, end.image_bytes);
        }
        // Same seed, same everything.
        let mut rec2 = VecRecorder::default();
        let summary2 = Simulation::new(&sc).run(&mut rec2);
        prop_assert_eq!(summary, summary2);
        prop_assert_eq!(rec.samples, rec2.samples);
        prop_assert_eq!(rec.events, rec2.events);
    }
}

/// The scenario with its `duration = "Ns"` rounded up to a multiple of the 10 s sample interval.
fn end_on_a_sample(toml: &str) -> String {
    let start = toml.find("duration = \"").unwrap() + "duration = \"".len();
    let len = toml[start..].find('s').unwrap();
    let secs: u64 = toml[start..start + len].parse().unwrap();
    format!(
        "{}{}{}",
        &toml[..start],
        secs.div_ceil(10) * 10,
        &toml[start + len..]
    )
}

#[test]
fn same_seed_writes_identical_files() {
    let (toml, trace) = common::random_scenario(42, true);
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

proptest! {
    #![proptest_config(ProptestConfig::with_cases(96))]

    /// Skipping eviction syncs that cannot change anything gives the same outputs as ticking
    /// every 10 s (only the count of events processed and syncs run differ).
    #[test]
    fn skipping_quiet_eviction_syncs_changes_no_output(seed in 0..i64::MAX as u64) {
        let (toml, trace) = common::random_scenario(seed, seed % 2 == 0);
        let f = common::write(&toml, &trace);
        let sc = Scenario::load(&f.scenario).map_err(|e| TestCaseError::fail(e.to_string()))?;
        let mut skipped = VecRecorder::default();
        let mut a = Simulation::new(&sc).run(&mut skipped);
        let mut ticked = VecRecorder::default();
        let mut b = Simulation::new(&sc).without_sync_skipping().run(&mut ticked);
        prop_assert!(a.eviction_syncs <= b.eviction_syncs);
        a.events_processed = 0;
        b.events_processed = 0;
        a.eviction_syncs = 0;
        b.eviction_syncs = 0;
        prop_assert_eq!(skipped.events, ticked.events);
        prop_assert_eq!(skipped.samples, ticked.samples);
        prop_assert_eq!(a, b);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// Image detection's shortcuts (the unchanged-generation paths, the runtime's image
    /// handles, the one-walk listing) give the same outputs as listing and looking up every
    /// image as the default `ImageRuntime` does; and a run that records nothing (a sweep's,
    /// which builds no event texts) ends with the same summary.
    #[test]
    fn detection_shortcuts_and_unrecorded_runs_change_no_output(seed in 0..i64::MAX as u64) {
        let (toml, trace) = common::random_scenario(seed, seed % 2 == 1);
        let f = common::write(&toml, &trace);
        let sc = Scenario::load(&f.scenario).map_err(|e| TestCaseError::fail(e.to_string()))?;
        let mut fast = VecRecorder::default();
        let mut a = Simulation::new(&sc).run(&mut fast);
        let mut plain = VecRecorder::default();
        let mut b = Simulation::new(&sc).without_detection_shortcuts().run(&mut plain);
        let mut c = Simulation::new(&sc).run(&mut NullRecorder);
        a.events_processed = 0;
        b.events_processed = 0;
        c.events_processed = 0;
        prop_assert_eq!(fast.events, plain.events);
        prop_assert_eq!(fast.samples, plain.samples);
        prop_assert_eq!(&a, &b);
        prop_assert_eq!(&a, &c);
    }
}

/// The random scenarios above exercise log rotation (most set a small containerLogMaxSize):
/// over the first 64 seeds, some runs rotate logs, so the skipping property covers rotations.
#[test]
fn random_scenarios_rotate_logs() {
    let rotated = (0..64u64)
        .filter(|&seed| {
            let (toml, trace) = common::random_scenario(seed, seed % 2 == 0);
            common::run(&toml, &trace).0.log_rotations > 0
        })
        .count();
    assert!(
        rotated >= 8,
        "only {rotated} of 64 random runs rotated a log"
    );
}
