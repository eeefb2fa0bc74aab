//! Sweeps: grid expansion and skipping, replicate seeds, thread-count independence, shards and
//! merge, resumption, the goal's recommendation, plots.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use imagefs_sim::scenario::Scenario;
use imagefs_sim::sweep::spec::Ordered;
use imagefs_sim::sweep::{
    merge, read_journal, replicate_seed, run_sweep, write_outputs, Entry, Plan, SweepOptions,
    SweepSpec, JOURNAL,
};

/// A scenario on the quickstart's trace and catalog (a few hours), plus `extra` TOML.
fn scenario(dir: &Path, name: &str, extra: &str) -> PathBuf {
    let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/data");
    let text = format!(
        r#"name = "{name}"
duration = "8h"
seed = 3

{extra}

[node]
disk = "40Gi"
other_used = "9Gi"
pull_bandwidth = "60Mi"

[kubelet]
imageGCHighThresholdPercent = 85
imageGCLowThresholdPercent = 80

[workload]
trace = "{}"
catalog = "{}"
"#,
        data.join("quickstart.trace.csv").display(),
        data.join("quickstart.catalog.toml").display()
    );
    let p = dir.join(format!("{name}.toml"));
    fs::write(&p, text).unwrap();
    p
}

const GRID: &str = r#"[sweep]
"kubelet.imageGCHighThresholdPercent" = [80, 85]
"kubelet.imageGCLowThresholdPercent" = [80, 70]
"node.disk" = ["30Gi", "25Gi"]
replicates = 2"#;

/// Every file of a directory but the journal, by name.
fn files(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.file_name().unwrap() != JOURNAL)
        .map(|p| {
            (
                p.file_name().unwrap().to_string_lossy().into_owned(),
                fs::read(&p).unwrap(),
            )
        })
        .collect()
}

fn sweep(spec: &SweepSpec, out: &Path, threads: usize) -> imagefs_sim::sweep::SweepReport {
    let mut o = SweepOptions::new(out);
    o.threads = Some(threads);
    run_sweep(spec, &o).unwrap()
}

#[test]
fn grid_expansion_order_and_skipping() {
    let t = tempfile::tempdir().unwrap();
    let spec = SweepSpec::load(&scenario(t.path(), "grid", GRID)).unwrap();
    assert_eq!(spec.points(), 8);
    assert_eq!(spec.replicates, 2);
    // The first axis varies slowest.
    assert_eq!(spec.value_texts(0), ["80", "80", "30Gi"]);
    assert_eq!(spec.value_texts(1), ["80", "80", "25Gi"]);
    assert_eq!(spec.value_texts(5), ["85", "80", "25Gi"]);
    assert_eq!(spec.value_texts(7), ["85", "70", "25Gi"]);
    let sc = spec.scenario(5, 0).unwrap();
    assert_eq!(sc.kubelet.image_gc_high_threshold_percent, 85);
    assert_eq!(sc.kubelet.image_gc_low_threshold_percent, 80);
    assert_eq!(sc.node.nodefs_capacity, 25 << 30);
    // low >= high: the kubelet's validation rejects points 0 and 1; they are skipped.
    let out = t.path().join("out");
    let r = sweep(&spec, &out, 2);
    let o = r.outputs.unwrap();
    let skipped: Vec<usize> = o.skipped.iter().map(|(i, _)| *i).collect();
    assert_eq!(skipped, [0, 1]);
    assert!(
        o.skipped[0].1.contains("imageGCLowThresholdPercent"),
        "{}",
        o.skipped[0].1
    );
    let csv = fs::read_to_string(out.join("sweep.csv")).unwrap();
    assert_eq!(csv.lines().count(), 1 + 6 * 2);
    assert!(csv.starts_with("point,replicate,kubelet.imageGCHighThresholdPercent,kubelet.imageGCLowThresholdPercent,node.disk,scenario,seed,gc_runs,"));
    let summary = fs::read_to_string(out.join("sweep_summary.csv")).unwrap();
    assert_eq!(summary.lines().count(), 1 + 6);
    assert!(summary
        .lines()
        .next()
        .unwrap()
        .contains(",evictions_mean,evictions_sd,evictions_ci95,"));
    let sk = fs::read_to_string(out.join("skipped.csv")).unwrap();
    assert_eq!(sk.lines().count(), 3);
    assert!(sk.lines().nth(1).unwrap().starts_with("0,80,80,30Gi,"));
}

#[test]
fn dotted_paths_reach_maps_lists_and_new_tables() {
    let t = tempfile::tempdir().unwrap();
    let spec = SweepSpec::load(&scenario(
        t.path(),
        "paths",
        r#"[sweep]
"kubelet.evictionHard.imagefs.available" = ["10%", "20%"]
"output.sample_interval" = ["30s"]"#,
    ))
    .unwrap();
    assert_eq!(spec.points(), 2);
    let text = spec.point_text(1, 0).unwrap();
    assert!(text.contains("\"imagefs.available\" = \"20%\""), "{text}");
    assert!(text.contains("sample_interval = \"30s\""), "{text}");
    let sc = spec.scenario(1, 0).unwrap();
    assert_eq!(sc.sample_interval, 30_000_000_000);
    // A field the scenario format does not know: every point is skipped, with the reason.
    let bad = SweepSpec::load(&scenario(
        t.path(),
        "bad",
        "[sweep]\n\"node.disks\" = [\"1Gi\"]",
    ))
    .unwrap();
    let e = bad.scenario(0, 0).unwrap_err();
    assert!(e.contains("disks"), "{e}");
    // A sweep file is still a scenario: `run` and `check` use its base point.
    let sc = Scenario::load(&t.path().join("paths.toml")).unwrap();
    assert_eq!(sc.seed, 3);
}

#[test]
fn replicate_seeds_are_derived_from_the_scenario_seed() {
    let seeds: Vec<u64> = (0..1000).map(|r| replicate_seed(3, r)).collect();
    let mut uniq = seeds.clone();
    uniq.sort();
    uniq.dedup();
    assert_eq!(uniq.len(), 1000);
    assert!(seeds.iter().all(|&s| s <= i64::MAX as u64));
    assert_eq!(replicate_seed(3, 7), replicate_seed(3, 7));
    assert_ne!(replicate_seed(3, 0), replicate_seed(4, 0));
    // splitmix64's first output for seed 0 is 0xe220a8397b1dcdaf.
    assert_eq!(replicate_seed(0, 0), 0xe220a8397b1dcdaf >> 1);

    let t = tempfile::tempdir().unwrap();
    let spec = SweepSpec::load(&scenario(t.path(), "seeds", "[sweep]\nreplicates = 3")).unwrap();
    assert_eq!(spec.points(), 1);
    for r in 0..3 {
        assert_eq!(spec.scenario(0, r).unwrap().seed, replicate_seed(3, r));
    }
    let out = t.path().join("out");
    sweep(&spec, &out, 1);
    let csv = fs::read_to_string(out.join("sweep.csv")).unwrap();
    let got: Vec<u64> = csv
        .lines()
        .skip(1)
        .map(|l| l.split(',').nth(3).unwrap().parse().unwrap())
        .collect();
    assert_eq!(
        got,
        (0..3).map(|r| replicate_seed(3, r)).collect::<Vec<_>>()
    );
}

#[test]
fn output_is_identical_for_one_and_two_threads() {
    let t = tempfile::tempdir().unwrap();
    let spec = SweepSpec::load(&scenario(t.path(), "threads", GRID)).unwrap();
    let (a, b) = (t.path().join("a"), t.path().join("b"));
    sweep(&spec, &a, 1);
    sweep(&spec, &b, 2);
    let (fa, fb) = (files(&a), files(&b));
    assert!(fa.contains_key("sweep.csv") && fa.contains_key("sweep_summary.csv"));
    assert_eq!(fa.keys().collect::<Vec<_>>(), fb.keys().collect::<Vec<_>>());
    for (k, v) in &fa {
        assert!(v == &fb[k], "{k} differs between 1 and 2 threads");
    }
}

#[test]
fn shards_merged_equal_a_single_run() {
    let t = tempfile::tempdir().unwrap();
    let spec = SweepSpec::load(&scenario(t.path(), "shards", GRID)).unwrap();
    let whole = t.path().join("whole");
    sweep(&spec, &whole, 2);
    let mut dirs = Vec::new();
    for k in 0..3 {
        let d = t.path().join(format!("shard-{k}"));
        let mut o = SweepOptions::new(&d);
        o.shard = (k, 3);
        o.threads = Some(1);
        let r = run_sweep(&spec, &o).unwrap();
        assert_eq!(r.points, (0..8).filter(|i| i % 3 == k).count());
        dirs.push(d);
    }
    // A missing shard is an error.
    assert!(merge(&dirs[..2], &t.path().join("partial"), &[]).is_err());
    let all = t.path().join("all");
    merge(&dirs, &all, &[]).unwrap();
    let (fw, fm) = (files(&whole), files(&all));
    assert_eq!(fw.keys().collect::<Vec<_>>(), fm.keys().collect::<Vec<_>>());
    for (k, v) in &fw {
        assert!(
            v == &fm[k],
            "{k} differs between the merged shards and a single run"
        );
    }
    // The merged journal resumes as a finished sweep: nothing left to compute.
    let r = sweep(&spec, &all, 1);
    assert_eq!((r.computed, r.resumed), (0, 8));
}

#[test]
fn a_killed_sweep_resumes_to_the_same_files() {
    let t = tempfile::tempdir().unwrap();
    let spec = SweepSpec::load(&scenario(t.path(), "resume", GRID)).unwrap();
    let whole = t.path().join("whole");
    sweep(&spec, &whole, 2);

    // "Kill" after 3 points: the journal holds them, no final file is written; then a line cut
    // short as by a kill during a write.
    let out = t.path().join("out");
    let mut o = SweepOptions::new(&out);
    o.threads = Some(2);
    o.limit = Some(3);
    let r = run_sweep(&spec, &o).unwrap();
    assert!(!r.complete);
    assert!(!out.join("sweep.csv").exists());
    let mut j = fs::OpenOptions::new()
        .append(true)
        .open(out.join(JOURNAL))
        .unwrap();
    std::io::Write::write_all(&mut j, b"{\"point\":7,\"runs\":[{\"scen").unwrap();
    drop(j);
    let (_, entries, _) = read_journal(&out.join(JOURNAL)).unwrap();
    assert_eq!(entries.len(), 3);

    let r = sweep(&spec, &out, 2);
    assert_eq!((r.computed, r.resumed), (5, 3));
    let (fw, fo) = (files(&whole), files(&out));
    assert_eq!(fw.keys().collect::<Vec<_>>(), fo.keys().collect::<Vec<_>>());
    for (k, v) in &fw {
        assert!(v == &fo[k], "{k} differs after resuming");
    }
    let (_, entries, _) = read_journal(&out.join(JOURNAL)).unwrap();
    assert_eq!(entries.len(), 8);

    // A journal of changed inputs is not reused.
    let path = t.path().join("resume.toml");
    let text = fs::read_to_string(&path)
        .unwrap()
        .replace("seed = 3", "seed = 4");
    fs::write(&path, text).unwrap();
    let spec2 = SweepSpec::load(&path).unwrap();
    let r = sweep(&spec2, &out, 2);
    assert!(r.journal_discarded);
    assert_eq!((r.computed, r.resumed), (8, 0));
}

fn row(pairs: &[(&str, i64)]) -> Ordered<serde_json::Value> {
    Ordered(
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), serde_json::json!(v)))
            .collect(),
    )
}

#[test]
fn recommendation_is_the_cheapest_point_meeting_the_goal_in_every_replicate() {
    // Hand-made results: disk × high threshold, 2 replicates.
    let disks = ["100Gi", "30Gi", "50Gi"];
    let plan = Plan {
        format: 1,
        scenario: "hand".into(),
        fingerprint: "x".into(),
        axes: vec!["node.disk".into(), "kubelet.imageGCHighThresholdPercent".into()],
        axis_values: vec![
            disks.iter().map(|s| s.to_string()).collect(),
            vec!["80".into(), "90".into()],
        ],
        points: 6,
        replicates: 2,
        shard: [0, 1],
        goal: Some(
            toml::from_str("conditions = [{ metric = \"evictions\", max = 0.0 }, { metric = \"gc_failures\", max = 1.0 }]\nminimize = \"node.disk\"")
                .unwrap(),
        ),
        zip: vec![],
    };
    // (evictions, gc_failures) per replicate, per point; point = disk index * 2 + high index.
    let data: [[(i64, i64); 2]; 6] = [
        [(0, 0), (0, 0)], // 100Gi/80: meets
        [(0, 0), (0, 1)], // 100Gi/90: meets
        [(0, 0), (1, 0)], // 30Gi/80: one replicate evicts
        [(0, 2), (0, 0)], // 30Gi/90: too many GC failures in one
        [(0, 1), (0, 1)], // 50Gi/80: meets -> the answer (smallest disk that does)
        [(0, 0), (0, 0)], // 50Gi/90: meets too, but a later point
    ];
    let entries: BTreeMap<usize, Entry> = data
        .iter()
        .enumerate()
        .map(|(i, reps)| {
            (
                i,
                Entry {
                    point: i,
                    skipped: None,
                    runs: reps
                        .iter()
                        .map(|&(e, g)| row(&[("evictions", e), ("gc_failures", g)]))
                        .collect(),
                },
            )
        })
        .collect();
    let t = tempfile::tempdir().unwrap();
    let o = write_outputs(t.path(), &plan, &entries, &["evictions".to_string()]).unwrap();
    let r = o.recommendation.unwrap();
    assert!(r.found);
    assert_eq!(r.point, Some(4));
    assert_eq!(r.points_meeting_goal, 4);
    assert_eq!(
        r.settings.get("node.disk").map(String::as_str),
        Some("50Gi")
    );
    let json: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(t.path().join("recommendation.json")).unwrap())
            .unwrap();
    assert_eq!(json["point"], 4);
    assert_eq!(json["metrics"]["gc_failures"]["worst"], 1.0);

    // Nothing meets a stricter goal.
    let mut strict = plan.clone();
    strict.goal.as_mut().unwrap().conditions[1].max = Some(-1.0);
    let o = write_outputs(t.path(), &strict, &entries, &["evictions".to_string()]).unwrap();
    assert!(!o.recommendation.unwrap().found);
}

#[test]
fn goal_from_a_scenario_file_and_its_syntax_errors() {
    let t = tempfile::tempdir().unwrap();
    let spec = SweepSpec::load(&scenario(
        t.path(),
        "goal",
        "[sweep]\n\"node.disk\" = [\"20Gi\", \"25Gi\", \"40Gi\"]\n[goal]\npeak_usage_percent = { max = 87 }\nevictions = 0\nminimize = \"node.disk\"",
    ))
    .unwrap();
    let g = spec.goal.clone().unwrap();
    assert_eq!(g.minimize.as_deref(), Some("node.disk"));
    assert_eq!(g.conditions.len(), 2);
    assert_eq!(g.conditions[0].max, Some(87.0));
    // The answer by running each point directly.
    let mut want = None;
    for i in 0..3 {
        let s = imagefs_sim::sim::Simulation::new(&spec.scenario(i, 0).unwrap())
            .run(&mut imagefs_sim::outcome::NullRecorder);
        if s.peak_usage_percent <= 87 && s.evictions == 0 && want.is_none() {
            want = Some(i);
        }
    }
    assert!(want.is_some(), "the test needs a point that meets the goal");
    let out = t.path().join("out");
    let r = sweep(&spec, &out, 2)
        .outputs
        .unwrap()
        .recommendation
        .unwrap();
    assert_eq!(r.point, want);
    assert!(out.join("recommendation.json").exists());

    for bad in [
        "[goal]\nno_such_metric = 0",
        "[goal]\nevictions = \"none\"",
        "[sweep]\n\"node.disk\" = [\"20Gi\"]\n[goal]\nminimize = \"node.other_used\"",
        "[sweep]\n\"node.disk\" = []",
        "[sweep]\nreplicates = 0",
    ] {
        let p = scenario(t.path(), "bad", bad);
        assert!(SweepSpec::load(&p).is_err(), "{bad}");
    }
}

fn png_size(p: &Path) -> (u32, u32) {
    let b = fs::read(p).unwrap();
    assert_eq!(&b[1..4], b"PNG", "{}", p.display());
    let be = |i: usize| u32::from_be_bytes([b[i], b[i + 1], b[i + 2], b[i + 3]]);
    (be(16), be(20))
}

#[test]
fn plots_are_written_at_their_size() {
    let t = tempfile::tempdir().unwrap();
    // One axis: line panels.
    let spec = SweepSpec::load(&scenario(
        t.path(),
        "one",
        "[sweep]\n\"node.disk\" = [\"20Gi\", \"30Gi\", \"40Gi\"]\nreplicates = 2",
    ))
    .unwrap();
    let out = t.path().join("one");
    let mut o = SweepOptions::new(&out);
    o.metrics = vec!["peak_usage_percent".into(), "images_deleted".into()];
    run_sweep(&spec, &o).unwrap();
    assert_eq!(png_size(&out.join("sweep.png")), (1600, 1000));
    let svg = fs::read_to_string(out.join("sweep.svg")).unwrap();
    assert!(svg.contains("<svg") && svg.contains("images_deleted"));
    // Two axes: heatmaps; three: one file per value of the third.
    let spec = SweepSpec::load(&scenario(t.path(), "three", GRID)).unwrap();
    let out = t.path().join("three");
    sweep(&spec, &out, 2);
    for d in ["30Gi", "25Gi"] {
        let p = out.join(format!("sweep_node.disk={d}.png"));
        assert_eq!(png_size(&p), (1600, 1000));
        assert!(
            fs::metadata(out.join(format!("sweep_node.disk={d}.svg")))
                .unwrap()
                .len()
                > 1000
        );
    }
    // An unknown metric is an error naming the choices.
    let mut o = SweepOptions::new(t.path().join("bad"));
    o.metrics = vec!["nope".into()];
    let e = run_sweep(&spec, &o).unwrap_err().to_string();
    assert!(e.contains("peak_usage_percent"), "{e}");
}

#[test]
fn points_with_the_same_workload_share_one_trace() {
    // ci-churn's synthetic workload over 2 days, swept over the disk (trace unchanged) and the
    // Zipf exponent (a new trace), 2 replicates (a new seed each).
    let base =
        fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/ci-churn.toml"))
            .unwrap()
            .replace("duration = \"7d\"", "duration = \"2d\"");
    let text = base.replacen(
        "[node]",
        "[sweep]\n\"node.disk\" = [\"40Gi\", \"50Gi\"]\n\"workload.synthetic.pods.zipf_alpha\" = [0.9, 1.2]\nreplicates = 2\n\n[node]",
        1,
    );
    let t = tempfile::tempdir().unwrap();
    let p = t.path().join("cache.toml");
    fs::write(&p, text).unwrap();
    let spec = SweepSpec::load(&p).unwrap();
    assert_eq!(spec.points(), 4);
    // Point order: the last axis varies fastest (disk 40Gi: alpha 0.9, 1.2; then 50Gi).
    let sc = |i, r| spec.scenario(i, r).unwrap();
    let (a, b) = (sc(0, 0), sc(2, 0));
    assert_eq!(a.node.nodefs_capacity, 40 << 30);
    assert_eq!(b.node.nodefs_capacity, 50 << 30);
    assert!(
        std::sync::Arc::ptr_eq(&a.trace, &b.trace),
        "same workload and seed: shared"
    );
    assert!(
        !std::sync::Arc::ptr_eq(&a.trace, &sc(1, 0).trace),
        "another alpha"
    );
    assert!(
        !std::sync::Arc::ptr_eq(&a.trace, &sc(0, 1).trace),
        "another seed"
    );
    assert_ne!(*a.trace, *sc(1, 0).trace);
    // A shared trace is the one the point would generate on its own.
    for (i, r) in [(0, 0), (1, 1), (2, 0), (3, 1)] {
        let alone = Scenario::from_str(&p, &spec.point_text(i, r).unwrap()).unwrap();
        assert_eq!(*alone.trace, *sc(i, r).trace, "point {i} replicate {r}");
    }
}

/// A hand-made plan of `points` points on one `node.disk` axis with `replicates` each.
fn hand_plan(disks: &[&str], replicates: u32, goal: Option<&str>) -> Plan {
    Plan {
        format: 1,
        scenario: "hand".into(),
        fingerprint: "x".into(),
        axes: vec!["node.disk".into()],
        axis_values: vec![disks.iter().map(|s| s.to_string()).collect()],
        points: disks.len(),
        replicates,
        shard: [0, 1],
        goal: goal.map(|g| toml::from_str(g).unwrap()),
        zip: vec![],
    }
}

fn hand_entries(runs: &[Vec<Vec<(&str, i64)>>]) -> BTreeMap<usize, Entry> {
    runs.iter()
        .enumerate()
        .map(|(i, reps)| {
            (
                i,
                Entry {
                    point: i,
                    skipped: None,
                    runs: reps.iter().map(|r| row(r)).collect(),
                },
            )
        })
        .collect()
}

#[test]
fn sweep_summary_sd_uses_n_minus_1_and_the_interval_t_with_n_minus_1_df() {
    use imagefs_sim::sweep::stats::{stat, t975};
    // Point 0, evictions = 1, 2, 6: mean 3; squared deviations 4 + 1 + 9 = 14; sample variance
    // 14 / (3 − 1) = 7, sd = √7 = 2.645751; t(0.975, 2 df) = 4.302653; half-width
    // 4.302653 · √7 / √3 = 6.572411. (Dividing by n: sd 2.160247; t with 3 df, 3.182446:
    // half-width 4.861266.)
    // Point 1, evictions = 0, 2: mean 1, sd √2 = 1.414214, half-width t(1 df) · √2/√2 = 12.706205.
    // Point 2, one replicate (5): mean 5, sd and half-width empty.
    let st = stat(&[1.0, 2.0, 6.0]);
    assert_eq!(st.mean, 3.0);
    assert!((st.sd.unwrap() - 7f64.sqrt()).abs() < 1e-12, "{st:?}");
    assert!(
        (st.ci95.unwrap() - 6.572411020542944).abs() < 1e-9,
        "{st:?}"
    );
    assert_eq!(
        stat(&[5.0]),
        imagefs_sim::sweep::stats::Stat {
            mean: 5.0,
            sd: None,
            ci95: None
        }
    );
    // The table's ends and the expansion beyond it (t(0.975, 31) = 2.039513, t(0.975, 120) =
    // 1.979930 from standard tables).
    assert_eq!(
        (t975(1), t975(2), t975(30)),
        (12.706205, 4.302653, 2.042272)
    );
    assert!((t975(31) - 2.039513).abs() < 1e-5, "{}", t975(31));
    assert!((t975(120) - 1.979930).abs() < 1e-5, "{}", t975(120));
    assert!(t975(0).is_nan());

    let plan = hand_plan(&["10Gi", "20Gi", "30Gi"], 3, None);
    let entries = hand_entries(&[
        vec![
            vec![("evictions", 1)],
            vec![("evictions", 2)],
            vec![("evictions", 6)],
        ],
        vec![vec![("evictions", 0)], vec![("evictions", 2)]],
        vec![vec![("evictions", 5)]],
    ]);
    let t = tempfile::tempdir().unwrap();
    write_outputs(t.path(), &plan, &entries, &["evictions".to_string()]).unwrap();
    assert_eq!(
        fs::read_to_string(t.path().join("sweep_summary.csv")).unwrap(),
        "point,node.disk,replicates,evictions_mean,evictions_sd,evictions_ci95\n\
         0,10Gi,3,3,2.645751,6.572411\n\
         1,20Gi,2,1,1.414214,12.706205\n\
         2,30Gi,1,5,,\n"
    );
}

#[test]
fn goal_worst_replicate_is_the_smallest_for_min_the_largest_for_max_and_for_both() {
    // One point, three replicates, every condition met by every replicate:
    //   peak_usage_percent = 80, 88, 85 with { max = 90 }: the worst is the largest, 88;
    //   min_available_bytes = 300, 150, 200 with { min = 100 }: the worst is the smallest, 150;
    //   gc_runs = 12, 18, 15 with { min = 10, max = 20 }: an upper bound, so (as documented)
    //   the largest, 18.
    // Means: 253/3 = 84.333…, 650/3 = 216.666…, 45/3 = 15.
    let plan = hand_plan(
        &["10Gi"],
        3,
        Some(
            "conditions = [{ metric = \"peak_usage_percent\", max = 90.0 }, \
             { metric = \"min_available_bytes\", min = 100.0 }, \
             { metric = \"gc_runs\", min = 10.0, max = 20.0 }]",
        ),
    );
    let rep = |p, m, g| {
        vec![
            ("peak_usage_percent", p),
            ("min_available_bytes", m),
            ("gc_runs", g),
        ]
    };
    let entries = hand_entries(&[vec![rep(80, 300, 12), rep(88, 150, 18), rep(85, 200, 15)]]);
    let t = tempfile::tempdir().unwrap();
    let o = write_outputs(t.path(), &plan, &entries, &["gc_runs".to_string()]).unwrap();
    let r = o.recommendation.unwrap();
    assert_eq!(
        (r.found, r.point, r.points_meeting_goal),
        (true, Some(0), 1)
    );
    let json: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(t.path().join("recommendation.json")).unwrap())
            .unwrap();
    let m = &json["metrics"];
    assert_eq!(m["peak_usage_percent"]["worst"], 88.0);
    assert_eq!(m["min_available_bytes"]["worst"], 150.0);
    assert_eq!(m["gc_runs"]["worst"], 18.0);
    // (serde_json's default float parsing may be an ulp off: compare means within 1e-9.)
    let mean = |k: &str| m[k]["mean"].as_f64().unwrap();
    assert!((mean("peak_usage_percent") - 253.0 / 3.0).abs() < 1e-9);
    assert!((mean("min_available_bytes") - 650.0 / 3.0).abs() < 1e-9);
    assert_eq!(mean("gc_runs"), 15.0);
    assert_eq!(r.to_string(), "point 0: node.disk = 10Gi — meets peak_usage_percent ≤ 90, min_available_bytes ≥ 100, 10 ≤ gc_runs ≤ 20 in all 3 replicates (1 of 1 points do)");
}

#[test]
fn goal_not_met_names_the_closest_point_and_what_it_misses() {
    // Goal: evictions ≤ 0 and peak_usage_percent ≤ 90, 3 replicates per point.
    //   p0 (10Gi): evictions 5, 6, 7, peaks 95, 96, 97: misses both; the worst replicates miss
    //       by 7 (7 / max(0, 1) = 7) and by 7 (7 / 90 = 0.078): 2 conditions, 7.078.
    //   p1 (20Gi): evictions 0, 2, 0, peaks 85, 88, 89: misses evictions by 2: 1 condition, 2.
    //   p2 (30Gi): evictions 0, 0, 0, peaks 91, 85, 86: misses peak by 1: 1 condition,
    //       1 / 90 = 0.011; 2 replicates meet both.
    //   p3 (40Gi): evictions 0, 0, 0, peaks 91, 91, 85: the same miss (1, 0.011), but only 1
    //       replicate meets both: p2 is closer.
    let plan = hand_plan(
        &["10Gi", "20Gi", "30Gi", "40Gi"],
        3,
        Some(
            "conditions = [{ metric = \"evictions\", max = 0.0 }, \
             { metric = \"peak_usage_percent\", max = 90.0 }]",
        ),
    );
    let rep = |e, p| vec![("evictions", e), ("peak_usage_percent", p)];
    let entries = hand_entries(&[
        vec![rep(5, 95), rep(6, 96), rep(7, 97)],
        vec![rep(0, 85), rep(2, 88), rep(0, 89)],
        vec![rep(0, 91), rep(0, 85), rep(0, 86)],
        vec![rep(0, 91), rep(0, 91), rep(0, 85)],
    ]);
    let t = tempfile::tempdir().unwrap();
    let o = write_outputs(t.path(), &plan, &entries, &["evictions".to_string()]).unwrap();
    let r = o.recommendation.unwrap();
    assert!(!r.found);
    let c = r.closest.clone().unwrap();
    assert_eq!((c.point, c.replicates_meeting), (2, 2));
    assert_eq!(c.missed.len(), 1);
    assert_eq!(
        (
            c.missed[0].metric.as_str(),
            c.missed[0].bound,
            c.missed[0].limit,
            c.missed[0].worst,
            c.missed[0].by
        ),
        ("peak_usage_percent", "max", 90.0, 91.0, 1.0)
    );
    assert_eq!(
        r.to_string(),
        "no point meets the goal (evictions ≤ 0, peak_usage_percent ≤ 90) in all 3 replicates \
         (4 points run); closest: point 2: node.disk = 30Gi — 2 of 3 replicates meet it; worst \
         replicate: peak_usage_percent 91 > 90 (by 1)"
    );
    let json: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(t.path().join("recommendation.json")).unwrap())
            .unwrap();
    assert_eq!(json["closest"]["point"], 2);
    assert_eq!(json["closest"]["settings"]["node.disk"], "30Gi");
    assert_eq!(json["closest"]["missed"][0]["by"], 1.0);

    // Without p2 and p3, p1 (one condition, 2) beats p0 (two conditions).
    let plan = hand_plan(
        &["10Gi", "20Gi"],
        3,
        plan.goal.as_ref().map(|_| {
            "conditions = [{ metric = \"evictions\", max = 0.0 }, \
         { metric = \"peak_usage_percent\", max = 90.0 }]"
        }),
    );
    let entries: BTreeMap<usize, Entry> = entries.into_iter().take(2).collect();
    let o = write_outputs(t.path(), &plan, &entries, &["evictions".to_string()]).unwrap();
    let c = o.recommendation.unwrap().closest.unwrap();
    assert_eq!((c.point, c.replicates_meeting), (1, 2));
    assert_eq!(
        (
            c.missed[0].metric.as_str(),
            c.missed[0].worst,
            c.missed[0].by
        ),
        ("evictions", 2.0, 2.0)
    );
}

#[test]
fn ranges_expand_in_the_kind_they_are_written_in() {
    use imagefs_sim::sweep::spec::range_values;
    let r = |s: &str| range_values(&toml::from_str::<toml::Table>(s).unwrap());
    let texts = |s: &str| -> Vec<String> {
        r(s).unwrap()
            .iter()
            .map(imagefs_sim::sweep::spec::value_text)
            .collect()
    };
    // 60, 65, …, 90: (90 − 60) / 5 + 1 = 7 values, both ends included.
    assert_eq!(
        texts("from = 60\nto = 90\nstep = 5"),
        ["60", "65", "70", "75", "80", "85", "90"]
    );
    // A step that does not land on `to` stops before it: 60, 70, 80 (90 > 85).
    assert_eq!(texts("from = 60\nto = 85\nstep = 10"), ["60", "70", "80"]);
    // Downwards with a negative step.
    assert_eq!(texts("from = 90\nto = 60\nstep = -15"), ["90", "75", "60"]);
    // Decimal steps are rounded to the inputs' decimals: 0.1 + 2 × 0.1 is 0.3, not
    // 0.30000000000000004; (0.5 − 0.1) / 0.1 = 4.000000000000001 still gives 5 values.
    assert_eq!(
        texts("from = 0.1\nto = 0.5\nstep = 0.1"),
        ["0.1", "0.2", "0.3", "0.4", "0.5"]
    );
    // Quantities in the largest unit dividing from and step: 30Gi, 40Gi, 50Gi; 1G by 500M is
    // written in M (1G = 1000M).
    assert_eq!(
        texts("from = \"30Gi\"\nto = \"50Gi\"\nstep = \"10Gi\""),
        ["30Gi", "40Gi", "50Gi"]
    );
    assert_eq!(
        texts("from = \"1G\"\nto = \"2G\"\nstep = \"500M\""),
        ["1000M", "1500M", "2000M"]
    );
    // Durations likewise (30m does not divide by 1h): 30m, 60m, 90m, 120m. `10m` is a duration
    // here, not ten thousandths of a byte.
    assert_eq!(
        texts("from = \"30m\"\nto = \"2h\"\nstep = \"30m\""),
        ["30m", "60m", "90m", "120m"]
    );
    assert_eq!(
        texts("from = \"1d\"\nto = \"3d\"\nstep = \"1d\""),
        ["1d", "2d", "3d"]
    );
    for (bad, want) in [
        (
            "from = 60\nto = 90\nstep = 0",
            "step must be a number other than 0",
        ),
        (
            "from = 60\nto = 90\nstep = -5",
            "the step leads away from `to`",
        ),
        ("from = 60\nto = \"90\"\nstep = 5", "must be of one kind"),
        ("from = 60\nstep = 5", "the range has no to"),
        (
            "from = 60\nto = 90\nstep = 5\nby = 2",
            "\"by\" is not a part of a range",
        ),
        (
            "from = 0\nto = 10000000\nstep = 1",
            "the range has 10000001 values; an axis may have at most 1000000",
        ),
        (
            "from = \"1Gi\"\nto = \"2h\"\nstep = \"1Gi\"",
            "must all be numbers, all quantities",
        ),
    ] {
        let e = r(bad).unwrap_err();
        assert!(e.contains(want), "{bad}: {e}");
    }
}

#[test]
fn zipped_axes_vary_together_and_ranges_are_axes() {
    // node.disk 30Gi..50Gi by 10Gi (3 values) × the zipped pair (high, low) = (80, 70), (90, 80):
    // 3 × 2 = 6 points, not 3 × 2 × 2 = 12. The first dimension varies slowest.
    let t = tempfile::tempdir().unwrap();
    let spec = SweepSpec::load(&scenario(
        t.path(),
        "zip",
        r#"[sweep]
"node.disk" = { from = "30Gi", to = "50Gi", step = "10Gi" }
[[sweep.zip]]
"kubelet.imageGCHighThresholdPercent" = [80, 90]
"kubelet.imageGCLowThresholdPercent" = { from = 70, to = 85, step = 10 }"#,
    ))
    .unwrap();
    assert_eq!(spec.points(), 6);
    assert_eq!(spec.value_texts(0), ["30Gi", "80", "70"]);
    assert_eq!(spec.value_texts(1), ["30Gi", "90", "80"]);
    assert_eq!(spec.value_texts(5), ["50Gi", "90", "80"]);
    let sc = spec.scenario(3, 0).unwrap();
    assert_eq!(sc.node.nodefs_capacity, 40 << 30);
    assert_eq!(
        (
            sc.kubelet.image_gc_high_threshold_percent,
            sc.kubelet.image_gc_low_threshold_percent
        ),
        (90, 80)
    );
    spec.check_axes().unwrap();
    let out = t.path().join("out");
    let r = sweep(&spec, &out, 2);
    assert_eq!(r.points, 6);
    let csv = fs::read_to_string(out.join("sweep_summary.csv")).unwrap();
    let rows: Vec<&str> = csv.lines().collect();
    assert!(rows[0].starts_with("point,node.disk,kubelet.imageGCHighThresholdPercent,kubelet.imageGCLowThresholdPercent,replicates,"), "{}", rows[0]);
    assert!(rows[2].starts_with("1,30Gi,90,80,1,"), "{}", rows[2]);
    assert_eq!(rows.len(), 7);
    // The journal's plan records the dimensions: a resumed run computes nothing.
    let r = sweep(&spec, &out, 1);
    assert_eq!((r.computed, r.resumed), (0, 6));
    // Zipped axes of different lengths: an error naming both.
    let e = SweepSpec::load(&scenario(
        t.path(),
        "zipbad",
        "[[sweep.zip]]\n\"kubelet.imageGCHighThresholdPercent\" = [80, 90]\n\"kubelet.imageGCLowThresholdPercent\" = [70]",
    ))
    .unwrap_err()
    .to_string();
    assert!(e.contains("sweep.zip: zipped axes vary together, so they need as many values each: kubelet.imageGCHighThresholdPercent has 2, kubelet.imageGCLowThresholdPercent has 1"), "{e}");
}
