//! Kubelet restarts: what the kubelet forgets, what the runtime keeps, every number by hand.

mod common;

const S: u64 = 1_000_000_000;

fn deleted(rec: &imagefs_sim::outcome::VecRecorder) -> Vec<(u64, String, String)> {
    rec.events
        .iter()
        .filter(|e| e.reason == "ImageDeleted")
        .map(|e| (e.time / S, e.object.clone(), e.message.clone()))
        .collect()
}

/// A CRI-O node (sizes reported unpacked, no blobs) of 10 MB with 7.8 MB of other data and an
/// unused 1 MB image `old:1` preloaded: usage 88 % >= 85 %, amountToFree = 10 MB × 20 % −
/// 1.2 MB = 0.8 MB, so every GC pass wants `old:1` gone, but MinAge is 5 minutes from its first
/// detection. The image GC loop runs at 0, 300, 600 … s.
/// - No restart: detected at 0; the pass at 0 finds it 0 s old (FreeDiskSpaceFailed); at 300 s
///   it is 300 s old, not less than 5 min: deleted.
/// - A restart at 200 s (no downtime): the records are lost; the loops start again at 200 s,
///   whose pass detects `old:1` afresh (0 s old: FreeDiskSpaceFailed again); the next pass, at
///   500 s, deletes it.
#[test]
fn a_restart_makes_min_age_protect_every_image_again() {
    let toml = |restart: &str| {
        format!(
            r#"name = "restart-min-age"
duration = "12m"
seed = 1
[node]
runtime = "cri-o"
disk = 10000000
other_used = 7800000
pull_bandwidth = 1000000
{restart}
[kubelet]
imageMinimumGCAge = "5m"
evictionHard = {{ "memory.available" = "100Mi" }}
[[layer]]
id = "old"
size = 1000000
[[image]]
name = "old:1"
layers = ["old"]
preloaded = true
[workload]
trace = "trace.csv"
"#
        )
    };
    let trace = "time,action,pod,image\n";
    let (s, rec) = common::run(&toml(""), trace);
    assert_eq!(
        deleted(&rec),
        [(
            300,
            "image/old:1".to_string(),
            "reason=space reportedBytes=1000000 freedOnDiskBytes=1000000".to_string()
        )]
    );
    assert_eq!((s.gc_shortfalls, s.kubelet_restarts), (1, 0));

    let (s, rec) = common::run(&toml("[[node.kubelet_restart]]\nat = \"200s\""), trace);
    assert_eq!(
        deleted(&rec),
        [(
            500,
            "image/old:1".to_string(),
            "reason=space reportedBytes=1000000 freedOnDiskBytes=1000000".to_string()
        )]
    );
    assert_eq!((s.gc_shortfalls, s.kubelet_restarts), (2, 1));
    let starting: Vec<_> = rec
        .events
        .iter()
        .filter(|e| e.reason == "Starting")
        .map(|e| (e.time / S, e.message.as_str()))
        .collect();
    assert_eq!(starting, [(200, "Starting kubelet.")]);
}

/// imageMaximumGCAge = 10m deletes an unused image once the kubelet has been up longer than
/// MaxAge (a never-used image counts as unused since forever). Plenty of space: only age
/// matters. GC passes at 0, 300, 600, 900 s: at 900 s the uptime is 900 s > 600 s: `stale:1`
/// goes (reason age). With a restart at 800 s the uptime starts over: passes at 800, 1100,
/// 1400 s (uptime 600 s, not more than 600 s), 1700 s (900 s): deleted at 1700 s.
#[test]
fn a_restart_makes_the_max_age_stage_wait_for_the_new_uptime() {
    let toml = |restart: &str| {
        format!(
            r#"name = "restart-max-age"
duration = "30m"
seed = 1
[node]
runtime = "cri-o"
disk = "10Gi"
pull_bandwidth = 1000000
{restart}
[kubelet]
imageMaximumGCAge = "10m"
[[layer]]
id = "stale"
size = 1000000
[[image]]
name = "stale:1"
layers = ["stale"]
preloaded = true
[workload]
trace = "trace.csv"
"#
        )
    };
    let trace = "time,action,pod,image\n";
    let (_, rec) = common::run(&toml(""), trace);
    assert_eq!(deleted(&rec)[0].0, 900);
    assert!(deleted(&rec)[0].2.starts_with("reason=age"));
    let (s, rec) = common::run(&toml("[[node.kubelet_restart]]\nat = \"800s\""), trace);
    assert_eq!(deleted(&rec)[0].0, 1700);
    assert_eq!(s.kubelet_restarts, 1);
}

/// While the kubelet is down (800 s to 830 s), nothing of it runs: a pod created at 805 s is
/// started at 830 s, when the kubelet is back (its image is preloaded: no pull); a running
/// container goes on writing (1 MB/s from 0 s: 820 MB at 820 s). `kubelet_restart_every = "10m"`
/// with a 30 s downtime restarts it at 600 s and 1200 s of a 25-minute run: 2 restarts.
#[test]
fn nothing_of_the_kubelet_runs_while_it_is_down() {
    let toml = |restart: &str| {
        format!(
            r#"name = "restart-down"
duration = "25m"
seed = 1
[node]
runtime = "cri-o"
disk = "100Gi"
pull_bandwidth = 1000000
{restart}
[output]
sample_interval = "1s"
[[layer]]
id = "app"
size = 1000000
[[image]]
name = "app:1"
layers = ["app"]
preloaded = true
[workload]
trace = "trace.csv"
"#
        )
    };
    let trace = "time,action,pod,image,writable_rate\n0,create,writer,app:1,1000000\n805,create,late,app:1,0\n";
    let (s, rec) = common::run(
        &toml("[[node.kubelet_restart]]\nat = \"800s\"\ndowntime = \"30s\""),
        trace,
    );
    let late: Vec<_> = rec
        .events
        .iter()
        .filter(|e| e.object == "pod/late")
        .map(|e| (e.time / S, e.reason))
        .collect();
    assert_eq!(late[0], (830, "Pulled"));
    let w = rec.samples.iter().find(|x| x.time == 820 * S).unwrap();
    assert_eq!((w.writable_bytes, w.running_pods), (820_000_000, 1));
    assert_eq!(s.kubelet_restarts, 1);

    let (s, _) = common::run(
        &toml("kubelet_restart_every = \"10m\"\nkubelet_restart_downtime = \"30s\""),
        trace,
    );
    assert_eq!(s.kubelet_restarts, 2);
}
