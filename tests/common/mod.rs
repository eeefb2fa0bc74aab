//! Helpers shared by the integration tests: write a scenario and its trace into a temp dir.
#![allow(dead_code)]

use std::path::PathBuf;

use imagefs_sim::outcome::{Summary, VecRecorder};
use imagefs_sim::scenario::Scenario;
use imagefs_sim::sim::Simulation;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

pub struct Fixture {
    pub dir: tempfile::TempDir,
    pub scenario: PathBuf,
}

pub fn write(toml: &str, trace: &str) -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("trace.csv"), trace).unwrap();
    let scenario = dir.path().join("scenario.toml");
    std::fs::write(&scenario, toml).unwrap();
    Fixture { dir, scenario }
}

pub fn run(toml: &str, trace: &str) -> (Summary, VecRecorder) {
    let f = write(toml, trace);
    let sc = Scenario::load(&f.scenario).unwrap_or_else(|e| panic!("{e}"));
    let mut rec = VecRecorder::default();
    let s = Simulation::new(&sc).run(&mut rec);
    (s, rec)
}

/// A random scenario: a few layers shared among a few images, a disk that may be too small,
/// pods that come, finish and go with writable and log growth, random GC settings.
pub fn random_scenario(seed: u64, reporting: bool) -> (String, String) {
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
    match r.gen_range(0..3) {
        0 => {}
        1 => {
            toml += &format!(
                "layout = \"dedicated-imagefs\"\nimagefs = {}\n",
                r.gen_range(5_000_000u64..60_000_000)
            )
        }
        _ => {
            toml += &format!(
                "layout = \"split\"\nimagefs = {}\n",
                r.gen_range(5_000_000u64..60_000_000)
            )
        }
    }
    // (After every [node] key.) Sometimes a kubelet restart, with or without downtime (the duration is 60..4000 s).
    if r.gen_bool(0.25) {
        toml += &format!(
            "[[node.kubelet_restart]]\nat = \"{}s\"\ndowntime = \"{}s\"\n",
            r.gen_range(1..60),
            r.gen_range(0..40)
        );
    }
    toml += &format!(
        "[kubelet]\nimageGCHighThresholdPercent = {high}\nimageGCLowThresholdPercent = {low}\nimageMinimumGCAge = \"{}s\"\nserializeImagePulls = {}\nregistryPullQPS = {}\n",
        r.gen_range(1..300),
        r.gen_bool(0.5),
        r.gen_range(0..3)
    );
    if r.gen_bool(0.3) {
        toml += &format!("imageMaximumGCAge = \"{}s\"\n", r.gen_range(301..2000));
    }
    // Log rotation small enough to happen often (log rates below are up to 5 kB/s).
    if r.gen_bool(0.7) {
        toml += &format!(
            "containerLogMaxSize = {}\ncontainerLogMaxFiles = {}\ncontainerLogMonitorInterval = \"{}s\"\n",
            r.gen_range(1_000..200_000),
            r.gen_range(2..7),
            r.gen_range(3..40)
        );
    }
    toml += &random_eviction(&mut r, disk);
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
        "time,action,pod,container,image,pull_policy,writable_rate,writable_cap,log_rate,log_cap,request,limit,emptydir_rate,emptydir_limit,priority,tgps,critical,owner\n",
    );
    let mut t = 0u64;
    for p in 0..r.gen_range(0..25) {
        t += r.gen_range(0..300);
        let containers = r.gen_range(1..3);
        for c in 0..containers {
            let policy = ["", "Always", "IfNotPresent", "Never"][r.gen_range(0..4)];
            let mut opt = |p: f64, lo: i64, hi: i64| {
                if r.gen_bool(p) {
                    r.gen_range(lo..hi).to_string()
                } else {
                    String::new()
                }
            };
            let request = opt(0.4, 100_000, 5_000_000);
            let limit = opt(0.3, 1_000_000, 20_000_000);
            let ed_rate = opt(0.3, 0, 20_000);
            let ed_limit = opt(0.2, 100_000, 5_000_000);
            let prio = opt(0.5, -5, 5);
            let tgps = opt(0.5, 0, 60);
            let critical = if r.gen_bool(0.05) { "true" } else { "" };
            let owner = ["", "ReplicaSet", "DaemonSet", "Job"][r.gen_range(0..4)];
            trace += &format!(
                "{t},create,p{p},c{c},img{}:v1,{policy},{},{},{},{},{request},{limit},{ed_rate},{ed_limit},{prio},{tgps},{critical},{owner}\n",
                r.gen_range(0..ni),
                r.gen_range(0..50_000),
                r.gen_range(0..10_000_000),
                r.gen_range(0..5_000),
                r.gen_range(0..1_000_000)
            );
        }
        let end = t + r.gen_range(1..2000);
        if r.gen_bool(0.3) {
            trace += &format!("{},complete,p{p},,,,,,,,,,,,,,,\n", t + 1);
        }
        if r.gen_bool(0.8) {
            // Deletions may come after later creations: collect and sort below.
            trace += &format!("{end},delete,p{p},,,,,,,,,,,,,,,\n");
        }
    }
    // Keep rows in time order (stable, so a pod's rows stay together).
    let mut lines: Vec<&str> = trace.lines().collect();
    let header = lines.remove(0);
    lines.sort_by_key(|l| l.split(',').next().unwrap().parse::<u64>().unwrap());
    (toml, format!("{header}\n{}\n", lines.join("\n")))
}

/// Random eviction settings: hard/soft thresholds on nodefs and imagefs as quantities or
/// percentages, grace periods, min-reclaim, transition period, and sometimes the defaults.
fn random_eviction(r: &mut ChaCha8Rng, disk: u64) -> String {
    if r.gen_bool(0.2) {
        return String::new(); // the kubelet's default evictionHard
    }
    let val = |r: &mut ChaCha8Rng| {
        if r.gen_bool(0.5) {
            format!("{}%", r.gen_range(1..40))
        } else {
            format!("{}", r.gen_range(1..disk / 3))
        }
    };
    let mut out = String::new();
    let signals = ["imagefs.available", "nodefs.available"];
    let mut hard: Vec<String> = Vec::new();
    for s in signals {
        if r.gen_bool(0.7) {
            hard.push(format!("\"{s}\" = \"{}\"", val(r)));
        }
    }
    out += &format!("evictionHard = {{ {} }}\n", hard.join(", "));
    if r.gen_bool(0.5) {
        let soft: Vec<&str> = signals
            .iter()
            .copied()
            .filter(|_| r.gen_bool(0.6))
            .collect();
        let sv: Vec<String> = soft
            .iter()
            .map(|s| format!("\"{s}\" = \"{}\"", val(r)))
            .collect();
        let gv: Vec<String> = soft
            .iter()
            .map(|s| format!("\"{s}\" = \"{}s\"", r.gen_range(0..200)))
            .collect();
        out += &format!(
            "evictionSoft = {{ {} }}\nevictionSoftGracePeriod = {{ {} }}\n",
            sv.join(", "),
            gv.join(", ")
        );
        out += &format!("evictionMaxPodGracePeriod = {}\n", r.gen_range(-1..40));
    }
    if r.gen_bool(0.4) {
        let mut mv: Vec<String> = Vec::new();
        for s in signals {
            if r.gen_bool(0.6) {
                mv.push(format!("\"{s}\" = \"{}\"", r.gen_range(1..disk / 10)));
            }
        }
        out += &format!("evictionMinimumReclaim = {{ {} }}\n", mv.join(", "));
    }
    if r.gen_bool(0.5) {
        out += &format!(
            "evictionPressureTransitionPeriod = \"{}s\"\n",
            r.gen_range(1..600)
        );
    }
    if r.gen_bool(0.2) {
        out += "localStorageCapacityIsolation = false\n";
    }
    out
}

/// The `imagefs-sim` binary.
pub fn bin() -> std::process::Command {
    std::process::Command::new(env!("CARGO_BIN_EXE_imagefs-sim"))
}

/// A 1Gi node that pulls one 100Mi image at 10Mi/s and runs it for 5 minutes.
pub const GOOD: &str = r#"name = "cli"
duration = "10m"
seed = 1
[node]
disk = "1Gi"
pull_bandwidth = "10Mi"
[kubelet]
imageGCHighThresholdPercent = 85
imageGCLowThresholdPercent = 80
[[layer]]
id = "l1"
size = "100Mi"
[[image]]
name = "app:v1"
layers = ["l1"]
[workload]
trace = "trace.csv"
"#;

pub const TRACE: &str = "time,action,pod,image\n0,create,p1,app:v1\n5m,delete,p1,\n";
