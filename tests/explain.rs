//! `explain`: a decision of the kubelet, traced as it was made, on hand-computed scenarios;
//! and that explaining changes nothing (the rerun's decision is the plain run's).

mod common;

use std::process::{Command, Output};

use imagefs_sim::engine::{secs, SimTime};
use imagefs_sim::explain::{
    self, Decision, DecisionKind, EvictionSync, ExplainRequest, GcPass, RerunKeeper, Verdict,
    WalkEnd,
};
use imagefs_sim::outcome::VecRecorder;
use imagefs_sim::scenario::Scenario;
use imagefs_sim::sim::Simulation;

const MI: u64 = 1 << 20;

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_imagefs-sim"))
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// A 1Gi containerd node (blobs kept: a layer costs its unpacked plus its compressed bytes),
/// 100Mi of other use. Layers (unpacked/compressed → on disk): base 100/40 → 140Mi, a-app
/// 150/60 → 210Mi, b-app 100/40 → 140Mi, c-app 50/20 → 70Mi, pause 1/1 → 2Mi. Images
/// (reported = compressed sum): a:v1 = base + a-app, 100Mi; b:v1 = base + b-app, 80Mi (base is
/// shared with a); c:v1 = c-app, 20Mi; pause:3.10, 1Mi, pinned. a, b and pause are on disk at
/// t = 0: 140 + 210 + 140 + 2 = 492Mi. p1 runs b:v1 from t = 0 writing 0.5Mi/s; p2 pulls c:v1
/// at 2m (70Mi at 700Mi/s, 0.1 s) and is deleted at 3m30s (container GC removes its container
/// at 4m). imageMinimumGCAge 10m. Eviction only below 1% (out of the way). Image GC passes
/// every 5 minutes from 0.
const GC: &str = r#"name = "explain-gc"
duration = "12m"
seed = 1
[node]
disk = "1Gi"
other_used = "100Mi"
pull_bandwidth = "700Mi"
[kubelet]
imageGCHighThresholdPercent = 85
imageGCLowThresholdPercent = 80
imageMinimumGCAge = "10m"
evictionHard = { "nodefs.available" = "1%" }
[[layer]]
id = "base"
size = "100Mi"
compressed = "40Mi"
[[layer]]
id = "a-app"
size = "150Mi"
compressed = "60Mi"
[[layer]]
id = "b-app"
size = "100Mi"
compressed = "40Mi"
[[layer]]
id = "c-app"
size = "50Mi"
compressed = "20Mi"
[[layer]]
id = "pause"
size = "1Mi"
compressed = "1Mi"
[[image]]
name = "a:v1"
layers = ["base", "a-app"]
preloaded = true
[[image]]
name = "b:v1"
layers = ["base", "b-app"]
preloaded = true
[[image]]
name = "c:v1"
layers = ["c-app"]
[[image]]
name = "pause:3.10"
layers = ["pause"]
pinned = true
preloaded = true
[workload]
trace = "trace.csv"
"#;

const GC_TRACE: &str = "time,action,pod,image,writable_rate\n\
0,create,p1,b:v1,524288\n\
2m,create,p2,c:v1,\n\
3m30s,delete,p2,,\n";

fn load(f: &common::Fixture) -> Scenario {
    Scenario::load(&f.scenario).unwrap_or_else(|e| panic!("{e}"))
}

fn req(at: SimTime, kind: Option<DecisionKind>) -> ExplainRequest {
    ExplainRequest {
        at_ns: at,
        kind,
        any: false,
    }
}

fn gc_pass(e: &explain::Explanation) -> &GcPass {
    match &e.decision {
        Decision::ImageGc(g) => g,
        d => panic!("not a GC pass: {d:?}"),
    }
}

fn sync(e: &explain::Explanation) -> &EvictionSync {
    match &e.decision {
        Decision::EvictionSync(s) => s,
        d => panic!("not an eviction sync: {d:?}"),
    }
}

/// The pass at 10m, worked by hand. At 5m: used = 100 + 492 + c's 70 + p1's 150 (300 s ×
/// 0.5Mi) = 812Mi, available 212Mi, 212·100/1024 = 20 → usage 80 < 85: nothing. At 10m: p1
/// has written 300Mi, used 962Mi, available 62Mi = 65011712; 62·100/1024 = 6 → usage 94 >= 85.
/// amountToFree = 1073741824·20/100 - 65011712 = 214748364 - 65011712 = 149736652 (142.8Mi).
/// Candidates (never used, so by first detection, then ID): a:v1 (detected at 0), c:v1
/// (first detected by the 5m pass: its pod had gone before any detection saw it in use).
/// a:v1 is 10m old, not under MinAge 10m: deleted, 100Mi counted (104857600 < 149736652), and
/// on disk it frees a-app only (210Mi: base stays for b). c:v1 is 5m old: kept. The walk runs
/// out → FreeDiskSpaceFailed. Then the non-candidates: pause (never used) before b:v1 (used
/// now). b:v1 would now free 280Mi (b-app and base, a being gone); pause 2Mi; c 70Mi. After:
/// used 752Mi, available 272Mi, 272·100/1024 = 26 → usage 74.
#[test]
fn a_gc_pass_explained_row_by_row() {
    let f = common::write(GC, GC_TRACE);
    let sc = load(&f);
    let e = explain::explain(
        &sc,
        req(0, Some(DecisionKind::Gc)),
        &mut RerunKeeper::default(),
    )
    .unwrap();
    // The passes at 0 and 5m were under the threshold.
    assert_eq!(e.passed_over.gc_passes, 2);
    assert_eq!(e.passed_over.eviction_syncs, 0);
    let g = gc_pass(&e);
    assert_eq!(g.time_ns, secs(600));
    let fs = g.filesystem.unwrap();
    assert_eq!(
        (fs.capacity_bytes, fs.available_bytes, fs.usage_percent),
        (1073741824, 62 * MI, 94)
    );
    assert!(g.over_high_threshold);
    assert_eq!(g.amount_to_free, Some(149736652));
    assert!(!g.max_age_stage);
    let rows: Vec<(Option<usize>, &str, u64, u64, &Verdict)> = g
        .images
        .iter()
        .map(|r| {
            (
                r.position,
                r.image.as_str(),
                r.reported_bytes,
                r.on_disk_bytes,
                &r.verdict,
            )
        })
        .collect();
    assert_eq!(
        rows,
        [
            (Some(1), "a:v1", 100 * MI, 210 * MI, &Verdict::Deleted),
            (
                Some(2),
                "c:v1",
                20 * MI,
                70 * MI,
                &Verdict::TooYoung { age_ns: secs(300) }
            ),
            (None, "pause:3.10", MI, 2 * MI, &Verdict::Pinned),
            (None, "b:v1", 80 * MI, 280 * MI, &Verdict::InUse),
        ]
    );
    let a = &g.images[0];
    assert_eq!((a.first_detected_ns, a.last_used_ns), (0, None));
    let c = &g.images[1];
    assert_eq!((c.first_detected_ns, c.last_used_ns), (secs(300), None));
    let b = &g.images[3];
    assert_eq!(b.last_used_ns, Some(secs(600)));
    assert_eq!(b.used_by, ["p1/main (running)"]);
    assert!(g.images[2].pinned);
    assert_eq!(g.walk_end, Some(WalkEnd::RanOutOfCandidates));
    assert_eq!(
        (g.freed_reported_bytes, g.freed_on_disk_bytes),
        (100 * MI, 210 * MI)
    );
    assert_eq!(
        (g.after.available_bytes, g.after.usage_percent),
        (272 * MI, 74)
    );
    let err = g.error.as_deref().unwrap();
    assert!(
        err.contains("149736652") && err.contains("104857600"),
        "{err}"
    );
    let reasons: Vec<&str> = g.events.iter().map(|e| e.reason.as_str()).collect();
    assert_eq!(
        reasons,
        ["ImageGCTriggered", "ImageDeleted", "FreeDiskSpaceFailed"]
    );
}

/// The default rule takes either kind: the 60 eviction syncs before 10m (0, 10 s, … 590 s)
/// met nothing, and at 10m the GC pass comes before that instant's sync.
#[test]
fn the_first_decision_that_did_something_of_either_kind() {
    let f = common::write(GC, GC_TRACE);
    let sc = load(&f);
    let e = explain::explain(&sc, req(secs(1), None), &mut RerunKeeper::default()).unwrap();
    assert_eq!(gc_pass(&e).time_ns, secs(600));
    assert_eq!(e.passed_over.gc_passes, 1);
    assert_eq!(e.passed_over.eviction_syncs, 59);
    // --any: the literal next one, the sync at 10 s.
    let mut any = req(secs(1), None);
    any.any = true;
    let e = explain::explain(&sc, any, &mut RerunKeeper::default()).unwrap();
    let s = sync(&e);
    assert_eq!(s.time_ns, secs(10));
    assert!(s.thresholds.iter().all(|t| !t.met_now));
    // --any --kind gc at 5m: the pass at 5m, under the threshold: freeSpace did not run.
    let e = explain::explain(
        &sc,
        ExplainRequest {
            at_ns: secs(300),
            kind: Some(DecisionKind::Gc),
            any: true,
        },
        &mut RerunKeeper::default(),
    )
    .unwrap();
    let g = gc_pass(&e);
    assert_eq!(
        (g.time_ns, g.filesystem.unwrap().usage_percent),
        (secs(300), 80)
    );
    assert!(!g.over_high_threshold);
    assert!(g
        .images
        .iter()
        .filter(|r| r.position.is_some())
        .all(|r| r.verdict == Verdict::NotWalked));
}

/// A 1Gi node with 500Mi of other use; app:v1 (50Mi/20Mi → 70Mi on disk) runs in both pods,
/// old:v1 (10Mi/5Mi → 15Mi) is unused; both on disk at t = 0: used 585Mi. p1 writes 1Mi/s and
/// requests 200Mi, p2 writes 0.5Mi/s and requests nothing; equal priority. Hard threshold
/// nodefs.available < 100Mi with a 50Mi min-reclaim; the GC loop is off (high 100).
const EVICTION: &str = r#"name = "explain-eviction"
duration = "10m"
seed = 1
[node]
disk = "1Gi"
other_used = "500Mi"
pull_bandwidth = "100Mi"
[kubelet]
imageGCHighThresholdPercent = 100
imageGCLowThresholdPercent = 80
evictionHard = { "nodefs.available" = "100Mi" }
evictionMinimumReclaim = { "nodefs.available" = "50Mi" }
[[layer]]
id = "app"
size = "50Mi"
compressed = "20Mi"
[[layer]]
id = "old"
size = "10Mi"
compressed = "5Mi"
[[image]]
name = "app:v1"
layers = ["app"]
preloaded = true
[[image]]
name = "old:v1"
layers = ["old"]
preloaded = true
[workload]
trace = "trace.csv"
"#;

const EVICTION_TRACE: &str = "time,action,pod,image,writable_rate,request\n\
0,create,p1,app:v1,1048576,200Mi\n\
0,create,p2,app:v1,524288,\n";

/// Used = 585Mi + 1.5Mi/s·t; available < 100Mi once used > 924Mi, t > 226 s: the sync at
/// 230 s sees 930Mi used, 94Mi available. Met (hard: at once), acted on. Reclaim: no exited
/// containers; DeleteUnusedImages deletes old:v1 (230 s >= MinAge 2m): 15Mi back, 109Mi
/// available, still under 100Mi + 50Mi min-reclaim: rank. Both pods use more than they
/// request (p1 230Mi > 200Mi, p2 115Mi > 0), priorities tie, so more usage above the request
/// first: p2 115Mi above, p1 30Mi: p2 is evicted, though p1 writes twice as much.
#[test]
fn an_eviction_sync_explained_with_its_ranking() {
    let f = common::write(EVICTION, EVICTION_TRACE);
    let sc = load(&f);
    let e = explain::explain(
        &sc,
        req(0, Some(DecisionKind::Eviction)),
        &mut RerunKeeper::default(),
    )
    .unwrap();
    // Syncs at 0, 10 s, … 220 s met nothing.
    assert_eq!(e.passed_over.eviction_syncs, 23);
    let s = sync(&e);
    assert_eq!(s.time_ns, secs(230));
    let nodefs = s
        .observations
        .iter()
        .find(|o| o.signal == "nodefs.available")
        .unwrap();
    assert_eq!(
        (nodefs.available, nodefs.capacity),
        (94 * MI as i64, 1024 * MI as i64)
    );
    let t = &s.thresholds[0];
    assert_eq!(
        (
            t.signal.as_str(),
            t.value.as_str(),
            t.quantity,
            t.min_reclaim
        ),
        (
            "nodefs.available",
            "100Mi",
            Some(100 * MI as i64),
            Some(50 * MI as i64)
        )
    );
    assert!(t.hard && t.met_now && t.passed_grace && t.acted_on);
    assert_eq!(t.first_observed_ns, Some(secs(230)));
    assert_eq!(s.conditions.reported, ["DiskPressure"]);
    assert!(s.conditions.reported_before.is_empty());
    assert_eq!(s.acted_on.as_ref().unwrap().signal, "nodefs.available");
    let reclaim: Vec<(&str, u64, u64)> = s
        .reclaim
        .iter()
        .map(|r| (r.function.as_str(), r.containers_removed, r.freed_bytes))
        .collect();
    assert_eq!(
        reclaim,
        [
            ("DeleteAllUnusedContainers", 0, 0),
            ("DeleteUnusedImages", 0, 15 * MI)
        ]
    );
    let images: Vec<(&str, &Verdict, u64)> = s.reclaim[1]
        .images
        .iter()
        .map(|r| (r.image.as_str(), &r.verdict, r.on_disk_bytes))
        .collect();
    assert_eq!(
        images,
        [
            ("old:v1", &Verdict::Deleted, 15 * MI),
            ("app:v1", &Verdict::InUse, 70 * MI)
        ]
    );
    assert_eq!(s.reclaim_resolved, Some(false));
    let after = s.after_reclaim.as_ref().unwrap();
    assert!(after
        .iter()
        .any(|o| o.signal == "nodefs.available" && o.available == 109 * MI as i64));
    let r = s.ranking.as_ref().unwrap();
    assert_eq!(r.resource, "ephemeral-storage");
    let pods: Vec<(&str, i64, i64, bool, i32)> = r
        .pods
        .iter()
        .map(|p| {
            (
                p.pod.as_str(),
                p.usage,
                p.request,
                p.exceeds_request,
                p.priority,
            )
        })
        .collect();
    assert_eq!(
        pods,
        [
            ("p2", 115 * MI as i64, 0, true, 0),
            ("p1", 230 * MI as i64, 200 * MI as i64, true, 0)
        ]
    );
    assert_eq!(s.evicted.len(), 1);
    assert_eq!(
        (s.evicted[0].pod.as_str(), s.evicted[0].grace_seconds),
        ("p2", 1)
    );
    let reasons: Vec<&str> = s.events.iter().map(|e| e.reason.as_str()).collect();
    assert_eq!(
        reasons,
        [
            // The kubelet records the event before it reclaims (synchronize steps 14, 15).
            "EvictionThresholdMet",
            "ImageDeleted",
            "Evicted",
            "NodeHasDiskPressure"
        ]
    );
}

/// Explaining changes nothing: on random scenarios, the events a rerun emits before the
/// explained pass are the plain run's, and the pass deletes what the plain run's ImageDeleted
/// rows at that instant say, with the same reported and on-disk bytes.
#[test]
fn an_explained_pass_is_the_plain_runs_pass() {
    let mut checked = 0;
    for seed in 0..40 {
        let (toml, trace) = common::random_scenario(seed, seed % 2 == 0);
        let f = common::write(&toml, &trace);
        let sc = load(&f);
        let mut plain = VecRecorder::default();
        Simulation::new(&sc).run(&mut plain);
        let Some(t) = plain
            .events
            .iter()
            .find(|e| e.reason == "ImageGCTriggered")
            .map(|e| e.time)
        else {
            continue;
        };
        let mut keeper = RerunKeeper::default();
        let e = explain::explain(&sc, req(t, Some(DecisionKind::Gc)), &mut keeper).unwrap();
        let g = gc_pass(&e);
        assert_eq!(g.time_ns, t, "seed {seed}");
        let before_plain: Vec<String> = plain
            .events
            .iter()
            .filter(|e| e.time < t)
            .map(|e| format!("{} {} {} {}", e.time, e.reason, e.object, e.message))
            .collect();
        let before_rerun: Vec<String> = keeper
            .events
            .iter()
            .filter(|r| imagefs_sim::workload::trace::parse_time(&r[0]).unwrap() < t)
            .map(|r| {
                format!(
                    "{} {} {} {}",
                    imagefs_sim::workload::trace::parse_time(&r[0]).unwrap(),
                    r[2],
                    r[3],
                    r[4]
                )
            })
            .collect();
        assert_eq!(before_rerun, before_plain, "seed {seed}");
        let samples = |v: &mut dyn Iterator<Item = (SimTime, u64, u64)>| -> Vec<_> {
            v.filter(|s| s.0 < t).collect()
        };
        assert_eq!(
            samples(&mut keeper.samples.iter().copied()),
            samples(&mut plain.samples.iter().map(|s| (
                s.time,
                s.capacity_bytes,
                s.available_bytes
            ))),
            "seed {seed}"
        );
        // The pass's own ImageDeleted rows come right after its ImageGCTriggered row.
        let at = plain
            .events
            .iter()
            .position(|e| e.time == t && e.reason == "ImageGCTriggered")
            .unwrap();
        let want: Vec<String> = plain.events[at + 1..]
            .iter()
            .take_while(|e| e.time == t && e.reason == "ImageDeleted")
            .map(|e| format!("{} {}", e.object, e.message))
            .collect();
        let got: Vec<String> = g
            .images
            .iter()
            .filter(|r| r.verdict == Verdict::Deleted)
            .map(|r| {
                format!(
                    "image/{} reason=space reportedBytes={} freedOnDiskBytes={}",
                    r.image, r.reported_bytes, r.on_disk_bytes
                )
            })
            .collect();
        assert_eq!(got, want, "seed {seed}");
        checked += 1;
    }
    assert!(
        checked >= 5,
        "only {checked} random scenarios had a GC pass"
    );
}

// ---------------------------------------------------------------------------------------------
// The command line
// ---------------------------------------------------------------------------------------------

fn explain_cli(cwd: &std::path::Path, args: &[&str]) -> Output {
    bin()
        .arg("explain")
        .args(args)
        .current_dir(cwd)
        .output()
        .unwrap()
}

/// The text names the numbers the kubelet computed and each image's fate.
#[test]
fn explain_prints_the_pass_as_text() {
    let f = common::write(GC, GC_TRACE);
    let o = explain_cli(
        f.dir.path(),
        &["scenario.toml", "--at", "0", "--kind", "gc"],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let t = stdout(&o);
    for want in [
        "explain-gc: Image GC pass at 10m0s",
        "asked for: the first image GC pass that did something at or after the start",
        "passed over on the way, as they decided nothing: 2 GC passes under the high threshold",
        "capacity 1.0 GiB (1073741824), available 62.0 MiB (65011712)",
        "usage = 100 - available*100/capacity = 100 - 6 = 94%: at or over the high threshold 85%",
        "amountToFree = capacity*(100-80)/100 - available = 214748364 - 65011712 = 149736652 bytes",
        "kept: first detected 5m0s ago, under imageMinimumGCAge 10m0s",
        "kept: in use by p1/main (running)",
        "kept: pinned by the runtime",
        "The walk ran out of candidates: the reported bytes freed, 104857600, fall short of amountToFree, 149736652 → FreeDiskSpaceFailed.",
        // 210Mi = 220200960 bytes left the disk, more than the 149736652 asked for.
        "Yet on disk the pass freed 220200960 bytes (210.0 MiB), more than amountToFree: usage after it is 74%, at or under the low threshold 80%.",
        "Freed 100.0 MiB as the kubelet counts it (reported sizes), 210.0 MiB on disk (2.1× what it counted); usage after the pass: 74%",
    ] {
        assert!(t.contains(want), "no {want:?} in:\n{t}");
    }
    let row = t.lines().find(|l| l.contains(" a:v1 ")).unwrap();
    assert!(
        row.contains("100.0 MiB") && row.contains("210.0 MiB") && row.contains("deleted"),
        "{row}"
    );
}

/// The sync as text: the threshold with its min-reclaim, what reclaim gave back and why the
/// pods are ranked, the ranking with the evicted pod marked.
#[test]
fn explain_prints_the_sync_as_text() {
    let f = common::write(EVICTION, EVICTION_TRACE);
    let o = explain_cli(f.dir.path(), &["scenario.toml", "--at", "0"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let t = stdout(&o);
    for want in [
        "explain-eviction: Eviction sync at 3m50s",
        "passed over on the way, as they decided nothing: 23 eviction syncs that met no threshold",
        "nodefs.available       94.0 MiB of 1.0 GiB available  (98566144 of 1073741824)",
        "Node conditions: observed now DiskPressure; reported DiskPressure; before this sync none",
        "Acted on nodefs.available (resource ephemeral-storage).",
        "DeleteUnusedImages: deleted 1 image (5.0 MiB reported, 15.0 MiB on disk); kept 1 in use; 15.0 MiB more available",
        "still met, with min-reclaim: nodefs.available 109.0 MiB < 100.0 MiB + 50.0 MiB min-reclaim",
        "The sync ended: one pod evicted: the first non-critical pod of the ranking (step 17).",
    ] {
        assert!(t.contains(want), "no {want:?} in:\n{t}");
    }
    let row = |pod: &str| {
        t.lines()
            .find(|l| l.split_whitespace().nth(1) == Some(pod))
            .unwrap_or_else(|| panic!("no ranking row of {pod} in:\n{t}"))
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
    };
    assert_eq!(row("p2"), "1 p2 115.0 MiB 0 B yes 0 ← evicted");
    assert_eq!(row("p1"), "2 p1 230.0 MiB 200.0 MiB yes 0");
}

/// --json: the same explanation, for machines.
#[test]
fn explain_json_is_the_same_explanation() {
    let f = common::write(EVICTION, EVICTION_TRACE);
    let o = explain_cli(
        f.dir.path(),
        &[
            "scenario.toml",
            "--at",
            "3m",
            "--kind",
            "eviction",
            "--json",
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(v["decision"]["kind"], "eviction_sync");
    assert_eq!(v["decision"]["time_ns"], 230_000_000_000u64);
    assert_eq!(v["decision"]["evicted"][0]["pod"], "p2");
    assert_eq!(v["decision"]["ranking"]["pods"][1]["pod"], "p1");
    assert_eq!(v["request"]["at_ns"], 180_000_000_000u64);
    // Passed over from --at on: the syncs at 180, 190, 200, 210 and 220 s met nothing.
    assert_eq!(v["passed_over"]["eviction_syncs"], 5);
}

/// A run directory: summary.json names the scenario and its what-ifs, which the rerun
/// applies (MinAge 1m: c:v1, 5m old, is deleted too); an edited scenario is a warning, a
/// reseeded one an error; --set with a directory is refused.
#[test]
fn explain_a_run_directory_reruns_its_scenario_and_what_ifs() {
    let f = common::write(GC, GC_TRACE);
    let cwd = f.dir.path();
    let o = bin()
        .args([
            "run",
            "scenario.toml",
            "--set",
            "kubelet.imageMinimumGCAge=1m",
            "--out",
            "out",
        ])
        .current_dir(cwd)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    let o = explain_cli(cwd, &["out", "--at", "600", "--json"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(stderr(&o), "");
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    let images = v["decision"]["images"].as_array().unwrap();
    assert_eq!(images[1]["image"], "c:v1");
    assert_eq!(images[1]["verdict"]["is"], "deleted");

    let o = explain_cli(cwd, &["out", "--at", "600", "--set", "node.disk=2Gi"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("--set goes with a scenario file"),
        "{}",
        stderr(&o)
    );

    // Another 1Mi of other use moves every event: the run no longer matches.
    let edited = GC.replace("other_used = \"100Mi\"", "other_used = \"101Mi\"");
    std::fs::write(&f.scenario, &edited).unwrap();
    let o = explain_cli(cwd, &["out", "--at", "600"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("warning: out is not what scenario.toml produces now"),
        "{}",
        stderr(&o)
    );
    std::fs::write(&f.scenario, edited.replace("seed = 1", "seed = 2")).unwrap();
    let o = explain_cli(cwd, &["out", "--at", "600"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("is of scenario \"explain-gc\" with seed 1")
            && stderr(&o).contains("the scenario changed since the run"),
        "{}",
        stderr(&o)
    );
}

/// Instants that name no decision, or no instant at all: each a clear error.
#[test]
fn explain_refuses_instants_it_cannot_explain() {
    let f = common::write(GC, GC_TRACE);
    let cwd = f.dir.path();
    // After the last pass that did something (10m) there is none to the end (12m).
    let o = explain_cli(cwd, &["scenario.toml", "--at", "11m", "--kind", "gc"]);
    assert_eq!(o.status.code(), Some(1));
    let e = stderr(&o);
    assert!(
        e.contains(
            "no image GC pass that did something at or after 11m0s until the run's end (12m0s)"
        ) && e.contains("the last one before is at 10m0s (explain --at 600 --kind gc)")
            && e.contains("--any"),
        "{e}"
    );
    // The eviction scenario's GC loop is off: no pass at all, even with --any.
    let g = common::write(EVICTION, EVICTION_TRACE);
    let o = explain_cli(
        g.dir.path(),
        &["scenario.toml", "--at", "0", "--kind", "gc", "--any"],
    );
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("no image GC pass at or after 0s until the run's end (10m0s)")
            && stderr(&o).contains("none before it either"),
        "{}",
        stderr(&o)
    );
    let o = explain_cli(cwd, &["scenario.toml", "--at", "13m"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("--at 13m: past the run's end (12m0s, 720 s)"),
        "{}",
        stderr(&o)
    );
    for (bad, why) in [
        ("5x", "--at 5x: "),
        ("-5", "--at -5: must be a non-negative number of seconds"),
        ("2026-13-01T00:00:00Z", "--at 2026-13-01T00:00:00Z: "),
    ] {
        let o = explain_cli(cwd, &["scenario.toml", "--at", bad]);
        assert_eq!(o.status.code(), Some(2), "{bad}");
        assert!(stderr(&o).contains(why), "{bad}: {}", stderr(&o));
    }
    // An instant needs a start_time.
    let o = explain_cli(cwd, &["scenario.toml", "--at", "2026-03-18T06:47:29Z"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("needs the scenario's start_time"),
        "{}",
        stderr(&o)
    );
    let o = explain_cli(cwd, &["scenario.toml", "--at", "0", "--kind", "pods"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("--kind pods: expected gc"),
        "{}",
        stderr(&o)
    );
}

/// With a start_time, --at takes an RFC 3339 instant, and the decision carries its timestamp.
#[test]
fn explain_takes_a_wall_clock_instant_with_a_start_time() {
    let toml = GC.replace(
        "seed = 1\n",
        "seed = 1\nstart_time = \"2026-03-18T06:00:00Z\"\n",
    );
    let f = common::write(&toml, GC_TRACE);
    let o = explain_cli(
        f.dir.path(),
        &[
            "scenario.toml",
            "--at",
            "2026-03-18T06:07:00+00:00",
            "--json",
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(v["request"]["at_ns"], 420_000_000_000u64);
    assert_eq!(v["decision"]["timestamp"], "2026-03-18T06:10:00Z");
    let o = explain_cli(
        f.dir.path(),
        &["scenario.toml", "--at", "2026-03-18T05:59:59Z"],
    );
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("before the run's start"),
        "{}",
        stderr(&o)
    );
}

/// README's "Explain a decision" block is what `explain` prints for the quickstart at
/// 391500 s, line for line (its "…" lines stand for rows left out).
#[test]
fn readme_example_is_what_explain_prints() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let readme = std::fs::read_to_string(root.join("README.md")).unwrap();
    let at = readme
        .find("quickstart: Image GC pass at 108h45m0s")
        .expect("README has the explain example");
    let block = &readme[at..at + readme[at..].find("```").unwrap()];
    let sc = Scenario::load(&root.join("scenarios/quickstart.toml")).unwrap();
    let e = explain::explain(&sc, req(secs(391500), None), &mut RerunKeeper::default()).unwrap();
    let text = imagefs_sim::report::explain::render(&e);
    let lines: Vec<&str> = text.lines().collect();
    for l in block.lines().filter(|l| l.trim() != "…") {
        assert!(lines.contains(&l), "README line not printed: {l:?}\n{text}");
    }
}

/// The sync after the eviction at 230 s, held by min-reclaim alone. At 230 s, 94Mi + 15Mi
/// (old:v1's layer and blob) = 109Mi were available; p2 (0.5Mi/s) is killed 1 s later, p1
/// writes 1Mi/s: at the sync 2 s later (the kill's grace 1 s, then the 1 s cleanup poll),
/// 232 s, 109 − 1.5 − 1 = 106.5Mi = 111673344 bytes. That is not under 100Mi (not met now), but
/// under 100Mi + 50Mi of min-reclaim: the threshold is carried over, so the sync acts and its
/// reclaim removes p2's dead container with its 231 s × 0.5Mi = 115.5Mi writable layer:
/// 106.5 + 115.5 = 222Mi = 232783872 bytes available after.
#[test]
fn a_sync_held_by_min_reclaim_alone_is_explained() {
    let f = common::write(EVICTION, EVICTION_TRACE);
    let sc = load(&f);
    let e = explain::explain(
        &sc,
        req(secs(231), Some(DecisionKind::Eviction)),
        &mut RerunKeeper::default(),
    )
    .unwrap();
    let s = sync(&e);
    assert_eq!(s.time_ns, secs(232));
    let t = &s.thresholds[0];
    assert_eq!(t.signal, "nodefs.available");
    assert!(!t.met_now && t.carried_over, "{t:?}");
    let obs = |o: &[explain::Observation]| {
        o.iter()
            .find(|o| o.signal == "nodefs.available")
            .map(|o| o.available)
    };
    assert_eq!(obs(&s.observations), Some(111673344));
    assert_eq!(s.after_reclaim.as_deref().and_then(obs), Some(232783872));
}
