//! Container log rotation (kubelet ContainerLogManager) end to end, every number by hand.

mod common;

const S: u64 = 1_000_000_000;

/// One pod from t = 0 on a preloaded image, writing `log_rate` B/s of stdout, sampled every 5 s.
fn scenario(kubelet: &str, log_cap: &str) -> (String, String) {
    let toml = format!(
        r#"name = "logs"
duration = "10m"
seed = 1
[node]
disk = "100Gi"
pull_bandwidth = "100Mi"
[kubelet]
{kubelet}
[output]
sample_interval = "5s"
[[layer]]
id = "l"
size = "10Mi"
[[image]]
name = "app:1"
layers = ["l"]
preloaded = true
[workload]
trace = "trace.csv"
"#
    );
    let trace = format!(
        "time,action,pod,container,image,log_rate,log_cap\n0,create,p,c,app:1,4000000,{log_cap}\n"
    );
    (toml, trace)
}

fn log_bytes_at(rec: &imagefs_sim::outcome::VecRecorder, t: u64) -> u64 {
    rec.samples
        .iter()
        .find(|s| s.time == t * S)
        .unwrap()
        .log_bytes
}

/// 4 MB/s with the defaults (containerLogMaxSize 10Mi = 10485760 B, MaxFiles 5, monitor runs
/// every 10 s from t = 0, our gzip ratio 5). The current file reaches 10Mi at 2.62 s, so each
/// run at 10·k s finds 40,000,000 B and rotates it: 60 rotations in 10 minutes (the last at
/// 600 s, the end). Rotated files after rotation k: k = 1: 40 MB plain; k = 2: 8 MB gz + 40 MB;
/// k = 3: 8 + 8 + 40; from k = 4 on: MaxFiles − 2 = 3 kept and gzipped (8 MB each) + the new
/// 40 MB plain = 64 MB. So at 595 s (5 s after the run at 590 s): 64 MB + 20 MB current =
/// 84,000,000 B; at 15 s: 40 MB rotated + 20 MB = 60,000,000 B; at 35 s: 8 + 8 + 40 + 20 =
/// 76,000,000 B; at 600 s, just rotated: 64,000,000 B. Without rotation: 2.4 GB.
#[test]
fn a_4_mb_per_s_container_is_rotated_every_monitor_run() {
    let (toml, trace) = scenario("", "");
    let (s, rec) = common::run(&toml, &trace);
    assert_eq!(s.log_rotations, 60);
    assert_eq!(log_bytes_at(&rec, 5), 20_000_000);
    assert_eq!(log_bytes_at(&rec, 15), 60_000_000);
    assert_eq!(log_bytes_at(&rec, 35), 76_000_000);
    assert_eq!(log_bytes_at(&rec, 595), 84_000_000);
    assert_eq!(log_bytes_at(&rec, 600), 64_000_000);
    let peak = rec.samples.iter().map(|x| x.log_bytes).max().unwrap();
    // The most, just before a run once 3 files are gzipped: 64 MB + 40 MB (sampled at 5 s
    // past a run, so the samples see at most 64 + 20).
    assert_eq!(peak, 84_000_000);
}

/// A log cap of 100 MB (the writer stops after 25 s): rotations at 10 s and 20 s (40 MB
/// each), so at 25 s: 8 MB gz + 40 MB plain + the last 20 MB current = 68,000,000 B. At 30 s
/// the current file (20 MB >= 10Mi) is rotated too, leaving 8 MB gz + 8 MB gz + 20 MB plain =
/// 36,000,000 B; the empty current file never grows again.
#[test]
fn rotation_follows_the_log_cap() {
    let (toml, trace) = scenario("", "100000000");
    let (s, rec) = common::run(&toml, &trace);
    assert_eq!(s.log_rotations, 3);
    assert_eq!(log_bytes_at(&rec, 25), 68_000_000);
    assert_eq!(log_bytes_at(&rec, 30), 36_000_000);
    assert_eq!(log_bytes_at(&rec, 600), 36_000_000);
}

/// containerLogMaxSize = "-1" turns rotation off (the stub manager): 4 MB/s × 600 s.
/// containerLogMaxFiles = 2 keeps no rotated file before the rename: after each run at 10·k s
/// only the 40 MB just rotated stays: 40 MB + 20 MB at 595 s. A 30 s monitor interval and
/// 3 files: runs at 30·k s find 120 MB; after the second run 24 MB gz + 120 MB plain; at 595 s
/// (last run 570 s): 24 + 120 + 25 s × 4 MB = 244,000,000 B; 20 rotations (30 … 600 s).
#[test]
fn max_size_negative_max_files_and_interval() {
    let (toml, trace) = scenario("containerLogMaxSize = \"-1\"", "");
    let (s, rec) = common::run(&toml, &trace);
    assert_eq!(s.log_rotations, 0);
    assert_eq!(log_bytes_at(&rec, 600), 2_400_000_000);

    let (toml, trace) = scenario("containerLogMaxFiles = 2", "");
    let (s, rec) = common::run(&toml, &trace);
    assert_eq!(s.log_rotations, 60);
    assert_eq!(log_bytes_at(&rec, 595), 60_000_000);

    let (toml, trace) = scenario(
        "containerLogMaxFiles = 3\ncontainerLogMonitorInterval = \"30s\"",
        "",
    );
    let (s, rec) = common::run(&toml, &trace);
    assert_eq!(s.log_rotations, 20);
    assert_eq!(log_bytes_at(&rec, 595), 244_000_000);
}

/// A log cap holds when the *other* filesystem fills (dedicated imagefs: writable layers on
/// imagefs, logs on nodefs). The writable layer grows 10 MB/s on a 100 MB imagefs holding a
/// 10 MB image and its 10 MB blob (containerd keeps it; no `compressed` given, so as big):
/// imagefs is full at 8 s and the writable layer stalls at 80 MB; the log (1 MB/s on
/// nodefs, log_cap 20 MB, rotation off) goes on to its cap at 20 s and stops there: 20 MB at
/// 30 s and at 60 s. (The stall re-armed the container's timers only for the stalled stream,
/// so the log ran past its cap.)
#[test]
fn a_log_cap_holds_when_the_imagefs_fills() {
    let toml = r#"name = "caps"
duration = "1m"
seed = 1
[node]
disk = "10Gi"
pull_bandwidth = "100Mi"
layout = "dedicated-imagefs"
imagefs = 100000000
[kubelet]
containerLogMaxSize = "-1"
evictionHard = { "memory.available" = "100Mi" }
[output]
sample_interval = "1s"
[[layer]]
id = "l"
size = 10000000
[[image]]
name = "app:1"
layers = ["l"]
preloaded = true
[workload]
trace = "trace.csv"
"#;
    let trace = "time,action,pod,container,image,writable_rate,log_rate,log_cap\n\
                 0,create,p,c,app:1,10000000,1000000,20000000\n";
    let (s, rec) = common::run(toml, trace);
    assert_eq!(s.disk_full_events, 1);
    assert_eq!(log_bytes_at(&rec, 10), 10_000_000);
    assert_eq!(log_bytes_at(&rec, 30), 20_000_000);
    assert_eq!(log_bytes_at(&rec, 60), 20_000_000);
    let w = rec
        .samples
        .iter()
        .find(|x| x.time == 60 * S)
        .unwrap()
        .writable_bytes;
    assert_eq!(w, 80_000_000);
}
