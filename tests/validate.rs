//! `validate RUN --observed FILE`: a run against the node's own series. The observed files are
//! made from the run's own timeseries.csv (so the error is exactly 0), then perturbed by known
//! amounts (so the error is exactly the perturbation); the image GC instants are worked out by
//! hand on a run directory written by hand (validate reads only the run's files).

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use imagefs_sim::wallclock::WallTime;
use serde_json::Value;

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_imagefs-sim"))
}

/// 2026-03-18T06:47:29Z in Unix seconds (wallclock.rs works it out by hand).
const START: i64 = 1_773_816_449;
const MI: u64 = 1 << 20;

/// 1Gi disk with 700Mi of other use: 324Mi available at t = 0. p1 pulls a 100Mi image at
/// 10Mi/s; containerd keeps the compressed blob beside the unpacked layer, so the pull writes
/// 200Mi in 20 s (one rate for both). p2 asks for the same image at 0.25 s and waits for it.
const SCENARIO: &str = r#"name = "val"
duration = "10m"
seed = 1
START
[node]
disk = "1Gi"
other_used = "700Mi"
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

const TRACE: &str =
    "time,action,pod,image\n0,create,p1,app:v1\n0.25,create,p2,app:v1\n5m,delete,p1,\n";

struct Run {
    _fixture: common::Fixture,
    dir: PathBuf,
    out: PathBuf,
}

/// Runs the scenario with `start` as its fourth line.
fn run(start: &str) -> Run {
    let f = common::write(&SCENARIO.replace("START", start), TRACE);
    let dir = f.dir.path().join("run");
    let o = bin()
        .arg("run")
        .arg(&f.scenario)
        .arg("--out")
        .arg(&dir)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let out = f.dir.path().join("validated");
    Run {
        dir,
        out,
        _fixture: f,
    }
}

fn with_start() -> Run {
    run(r#"start_time = "2026-03-18T06:47:29Z""#)
}

/// (time_s, capacity_bytes, available_bytes) of each row.
fn rows(dir: &Path) -> Vec<(u64, u64, u64)> {
    let mut r = csv::Reader::from_path(dir.join("timeseries.csv")).unwrap();
    let h = r.headers().unwrap().clone();
    let c = |n: &str| h.iter().position(|x| x == n).unwrap();
    let (t, cap, av) = (c("time_s"), c("capacity_bytes"), c("available_bytes"));
    r.records()
        .map(|row| {
            let row = row.unwrap();
            (
                row[t].parse().unwrap(),
                row[cap].parse().unwrap(),
                row[av].parse().unwrap(),
            )
        })
        .collect()
}

/// Samples of a series: (Unix seconds as written, bytes).
type Points = Vec<(String, u64)>;

/// A query_range reply: (metric name, mountpoint, samples) per series.
fn prometheus(series: &[(&str, &str, Points)]) -> String {
    let result: Vec<String> = series
        .iter()
        .map(|(name, mount, values)| {
            let v: Vec<String> = values
                .iter()
                .map(|(t, b)| format!("[{t},\"{b}\"]"))
                .collect();
            format!(
                r#"{{"metric":{{"__name__":"{name}","device":"/dev/nvme0n1p1","instance":"node-1:9100","mountpoint":"{mount}"}},"values":[{}]}}"#,
                v.join(",")
            )
        })
        .collect();
    format!(
        r#"{{"status":"success","data":{{"resultType":"matrix","result":[{}]}}}}"#,
        result.join(",")
    )
}

/// One Summary reply on one line, the imageFs sampled at `secs`.
fn summary_line(secs: i64, cap: u64, avail: u64) -> String {
    let t = WallTime::from_unix(secs, 0);
    format!(
        r#"{{"node":{{"nodeName":"node-1","fs":{{"time":"{t}","capacityBytes":{cap},"availableBytes":{avail}}},"runtime":{{"imageFs":{{"time":"{t}","capacityBytes":{cap},"availableBytes":{avail},"usedBytes":1}}}}}},"pods":[]}}"#
    )
}

fn validate(r: &Run, observed: &str, extra: &[&str]) -> Output {
    let obs = r.out.with_file_name("obs.json");
    std::fs::write(&obs, observed).unwrap();
    bin()
        .arg("validate")
        .arg(&r.dir)
        .arg("--observed")
        .arg(&obs)
        .arg("--out")
        .arg(&r.out)
        .args(extra)
        .output()
        .unwrap()
}

/// Runs validate, which must succeed; returns validate.json.
fn report(r: &Run, observed: &str, extra: &[&str]) -> Value {
    let o = validate(r, observed, extra);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let text = std::fs::read_to_string(r.out.join("validate.txt")).unwrap();
    assert!(String::from_utf8_lossy(&o.stdout).starts_with(&text));
    assert!(r.out.join("validate.png").is_file());
    serde_json::from_str(&std::fs::read_to_string(r.out.join("validate.json")).unwrap()).unwrap()
}

fn f(v: &Value, path: &str) -> f64 {
    path.split('.')
        .fold(v, |v, k| &v[k])
        .as_f64()
        .unwrap_or_else(|| panic!("{path}: {v}"))
}

fn s<'a>(v: &'a Value, path: &str) -> &'a str {
    path.split('.')
        .fold(v, |v, k| &v[k])
        .as_str()
        .unwrap_or_else(|| panic!("{path}: not a string"))
}

/// The run as the node would report it: each row's available bytes at START + time_s.
fn own_series(rows: &[(u64, u64, u64)], delta: i64) -> Points {
    rows.iter()
        .map(|&(t, _, a)| ((START + t as i64).to_string(), (a as i64 + delta) as u64))
        .collect()
}

/// The pull's numbers by hand, which the error-free comparisons rest on: 324Mi available at
/// t = 0 (usage 100 − ⌊324·100/1024⌋ = 100 − 31 = 69), 224Mi at 10 s (100Mi written: 100 −
/// ⌊21.875⌋ = 79), 124Mi at 20 s (both copies: 100 − ⌊12.1⌋ = 88 ≥ 85).
#[test]
fn the_run_is_what_the_comparisons_assume() {
    let r = with_start();
    let rows = rows(&r.dir);
    assert_eq!(rows.len(), 61, "every 10 s from 0 to 600 inclusive");
    assert_eq!(
        &rows[..3],
        &[
            (0, 1024 * MI, 324 * MI),
            (10, 1024 * MI, 224 * MI),
            (20, 1024 * MI, 124 * MI)
        ]
    );
}

/// The run's own rows as a Prometheus reply (available and size series) and as Summary
/// replies (JSON lines, and an array): every error is exactly 0, every sample aligned, and
/// both series reach 85 % at the same instant, t = 20 s (124Mi available, usage 88).
#[test]
fn the_run_against_itself_has_no_error() {
    let r = with_start();
    let rows = rows(&r.dir);
    let sizes: Vec<(String, u64)> = rows
        .iter()
        .map(|&(t, c, _)| ((START + t as i64).to_string(), c))
        .collect();
    let prom = prometheus(&[
        (
            "node_filesystem_avail_bytes",
            "/var/lib/containerd",
            own_series(&rows, 0),
        ),
        ("node_filesystem_size_bytes", "/var/lib/containerd", sizes),
    ]);
    let lines: Vec<String> = rows
        .iter()
        .map(|&(t, c, a)| summary_line(START + t as i64, c, a))
        .collect();
    let jsonl = lines.join("\n") + "\n";
    let array = format!("[\n{}\n]\n", lines.join(",\n"));
    for (observed, format, cap_from) in [
        (prom, "prometheus", "observed"),
        (jsonl, "summary", "observed"),
        (array, "summary", "observed"),
    ] {
        let v = report(&r, &observed, &[]);
        assert_eq!(s(&v, "format"), format);
        assert_eq!(s(&v, "capacity_from"), cap_from);
        assert_eq!(f(&v, "aligned_samples"), 61.0);
        assert_eq!(f(&v, "dropped_before_start"), 0.0);
        assert_eq!(f(&v, "dropped_after_end"), 0.0);
        assert_eq!(f(&v, "available_bytes_error.mean"), 0.0);
        assert_eq!(f(&v, "available_bytes_error.max"), 0.0);
        assert_eq!(f(&v, "usage_percent_error.mean"), 0.0);
        assert_eq!(f(&v, "usage_percent_error.max"), 0.0);
        assert_eq!(s(&v, "threshold_from"), "plot.json");
        assert_eq!(f(&v, "image_gc_high_threshold_percent"), 85.0);
        for who in ["observed", "simulated"] {
            let t = &v["image_gc_trigger"][who];
            assert_eq!(t["first_at"], "2026-03-18T06:47:49Z", "{who}");
            assert_eq!(t["first_at_s"], 20.0);
        }
        assert_eq!(
            v["image_gc_trigger"]["observed"],
            v["image_gc_trigger"]["simulated"]
        );
    }
    let text = std::fs::read_to_string(r.out.join("validate.txt")).unwrap();
    assert!(text.contains("both reach it at the same instant"), "{text}");
}

/// Every available value 100Mi lower: mean and max |error| are 100Mi = 104857600 bytes
/// exactly, observed − simulated −104857600; usage is off by 100 × 100Mi / 1Gi = 9.765625
/// points everywhere. The node then reaches 85 % one row earlier: at 10 s it has 224 − 100 =
/// 124Mi (usage 88), where the run has 224Mi (79).
#[test]
fn available_bytes_100mi_lower_is_an_error_of_100mi() {
    let r = with_start();
    let rows = rows(&r.dir);
    let lines: Vec<String> = rows
        .iter()
        .map(|&(t, c, a)| summary_line(START + t as i64, c, a - 100 * MI))
        .collect();
    let v = report(&r, &(lines.join("\n") + "\n"), &[]);
    assert_eq!(f(&v, "available_bytes_error.mean"), 104_857_600.0);
    assert_eq!(f(&v, "available_bytes_error.mean_signed"), -104_857_600.0);
    assert_eq!(f(&v, "available_bytes_error.max"), 104_857_600.0);
    // Every sample is off by the max: the first one, t = 0, is its instant.
    assert_eq!(
        s(&v, "available_bytes_error.max_at"),
        "2026-03-18T06:47:29Z"
    );
    assert_eq!(f(&v, "usage_percent_error.mean"), 9.765625);
    assert_eq!(f(&v, "usage_percent_error.max"), 9.765625);
    assert_eq!(f(&v, "usage_percent_error.mean_signed"), 9.765625);
    assert_eq!(
        s(&v, "image_gc_trigger.observed.first_at"),
        "2026-03-18T06:47:39Z"
    );
    assert_eq!(
        s(&v, "image_gc_trigger.simulated.first_at"),
        "2026-03-18T06:47:49Z"
    );
    let text = std::fs::read_to_string(r.out.join("validate.txt")).unwrap();
    assert!(
        text.contains("mean |error| 104857600 (100.0 MiB)"),
        "{text}"
    );
    assert!(
        text.contains("the simulation reaches it 10 s after the node"),
        "{text}"
    );
}

/// One sample 5000 bytes high (t = 300 s) in a reply without a size series (so the run's
/// capacity is used): mean |error| 5000 / 62 (62 aligned samples), max 5000 at 06:52:29Z, usage max 100 × 5000 /
/// 2^30. Two more samples pin the rule: at t = 15.25 s (a millisecond timestamp) with row 10's
/// value, which the step rule compares with row 10 (error 0; linear interpolation would not
/// be 0), and one at t = 601 s past the run's end, dropped.
#[test]
fn one_sample_off_by_5000_bytes() {
    let r = with_start();
    let rows = rows(&r.dir);
    let mut series = own_series(&rows, 0);
    series[30].1 += 5000;
    series.insert(2, (format!("{}.250", START + 15), rows[1].2));
    series.push(((START + 601).to_string(), 1));
    let v = report(
        &r,
        &prometheus(&[("node_filesystem_avail_bytes", "/var/lib/containerd", series)]),
        &[],
    );
    assert_eq!(f(&v, "observed_samples"), 63.0);
    assert_eq!(f(&v, "aligned_samples"), 62.0);
    assert_eq!(f(&v, "dropped_after_end"), 1.0);
    assert_eq!(s(&v, "capacity_from"), "run");
    assert_eq!(f(&v, "available_bytes_error.mean"), 5000.0 / 62.0);
    assert_eq!(f(&v, "available_bytes_error.max"), 5000.0);
    assert_eq!(
        s(&v, "available_bytes_error.max_at"),
        "2026-03-18T06:52:29Z"
    );
    assert_eq!(f(&v, "available_bytes_error.max_at_s"), 300.0);
    assert_eq!(
        f(&v, "usage_percent_error.max"),
        5000.0 * 100.0 / 1_073_741_824.0
    );
}

/// Two mountpoints: refused without --mountpoint (naming both), and --mountpoint picks one.
/// The run's own values under /var/lib/containerd, junk under /: error 0 with the right one.
#[test]
fn mountpoint_picks_the_series() {
    let r = with_start();
    let rows = rows(&r.dir);
    let prom = prometheus(&[
        (
            "node_filesystem_avail_bytes",
            "/",
            own_series(&rows, -12345),
        ),
        (
            "node_filesystem_avail_bytes",
            "/var/lib/containerd",
            own_series(&rows, 0),
        ),
    ]);
    let o = validate(&r, &prom, &[]);
    assert_eq!(o.status.code(), Some(1));
    let e = String::from_utf8_lossy(&o.stderr);
    assert!(
        e.contains("obs.json:1: data.result: series of 2 mountpoints (/, /var/lib/containerd): name the image filesystem's with --mountpoint"),
        "{e}"
    );
    assert!(!r.out.exists(), "nothing written");
    let v = report(&r, &prom, &["--mountpoint", "/var/lib/containerd"]);
    assert_eq!(f(&v, "available_bytes_error.max"), 0.0);
}

/// A run directory written by hand: capacity 1000, rows every 10 s, high threshold 85. The
/// kubelet's usage is 100 − ⌊available × 100 / 1000⌋, so 159 available is 85 and 161 is 84.
///
/// | t (s)    | −5  | 0   | 5   | 15  | 25  | 35  | 45  | 55  | 60  | 65 |
/// |----------|-----|-----|-----|-----|-----|-----|-----|-----|-----|----|
/// | observed | 999 | 500 | 161 | 100 | 300 | 150 | 150 | 400 | 100 | 5  |
/// | row used | —   | 0   | 0   | 10  | 20  | 30  | 40  | 50  | 60  | —  |
/// | simulated| —   | 500 | 500 | 200 | 159 | 150 | 300 | 100 | 100 | —  |
///
/// −5 is before the run and 65 after its end (last row 60): 8 aligned samples.
/// Observed usage 50 84 90 70 85 85 60 90: at or over 85 at 15, 35, 45, 60: first at 15 s,
/// crossings at 15, 35 and 60 (3), 4 samples. Simulated 50 50 80 85 85 70 90 90: first at
/// 25 s, crossings at 25 and 55 (2), 4 samples. |errors| 0 339 100 141 0 150 300 0: sum 1030,
/// mean 128.75, max 339 at t = 5 (06:47:34Z); observed − simulated sums to −148: −18.5. Usage
/// errors are a tenth of those: mean 12.875, max 33.9.
#[test]
fn gc_trigger_instants_by_hand() {
    let dir = tempfile::tempdir().unwrap();
    let run = dir.path().join("run");
    std::fs::create_dir(&run).unwrap();
    std::fs::write(
        run.join("summary.json"),
        r#"{"scenario": "hand", "seed": 1, "start_time": "2026-03-18T06:47:29Z", "gc_runs": 0}"#,
    )
    .unwrap();
    let mut ts = String::from("time_s,timestamp,capacity_bytes,available_bytes,usage_percent\n");
    for (t, a) in [
        (0, 500),
        (10, 200),
        (20, 159),
        (30, 150),
        (40, 300),
        (50, 100),
        (60, 100),
    ] {
        ts.push_str(&format!("{t},x,1000,{a},0\n"));
    }
    std::fs::write(run.join("timeseries.csv"), ts).unwrap();
    let plot = r#"{"title": "hand", "gc_high_percent": 85.0, "gc_low_percent": 80.0}"#;
    std::fs::write(run.join("plot.json"), plot).unwrap();
    let obs: Vec<(String, u64)> = [
        (-5, 999),
        (0, 500),
        (5, 161),
        (15, 100),
        (25, 300),
        (35, 150),
        (45, 150),
        (55, 400),
        (60, 100),
        (65, 5),
    ]
    .iter()
    .map(|&(t, a)| ((START + t).to_string(), a))
    .collect();
    let sizes: Vec<(String, u64)> = obs.iter().map(|(t, _)| (t.clone(), 1000)).collect();
    let r = Run {
        _fixture: common::write("", ""),
        out: dir.path().join("v"),
        dir: run.clone(),
    };
    let prom = prometheus(&[
        (
            "node_filesystem_avail_bytes",
            "/var/lib/containerd",
            obs.clone(),
        ),
        (
            "node_filesystem_size_bytes",
            "/var/lib/containerd",
            sizes.clone(),
        ),
    ]);
    let v = report(&r, &prom, &[]);
    assert_eq!(f(&v, "aligned_samples"), 8.0);
    assert_eq!(f(&v, "dropped_before_start"), 1.0);
    assert_eq!(f(&v, "dropped_after_end"), 1.0);
    assert_eq!(f(&v, "available_bytes_error.mean"), 128.75);
    assert_eq!(f(&v, "available_bytes_error.mean_signed"), -18.5);
    assert_eq!(f(&v, "available_bytes_error.max"), 339.0);
    assert_eq!(
        s(&v, "available_bytes_error.max_at"),
        "2026-03-18T06:47:34Z"
    );
    assert_eq!(f(&v, "available_bytes_error.observed_at_max"), 161.0);
    assert_eq!(f(&v, "available_bytes_error.simulated_at_max"), 500.0);
    assert!((f(&v, "usage_percent_error.mean") - 12.875).abs() < 1e-12);
    assert!((f(&v, "usage_percent_error.max") - 33.9).abs() < 1e-12);
    let obs_t = &v["image_gc_trigger"]["observed"];
    assert_eq!(obs_t["first_at"], "2026-03-18T06:47:44Z");
    assert_eq!(obs_t["first_at_s"], 15.0);
    assert_eq!(obs_t["crossings"], 3);
    assert_eq!(obs_t["samples_over"], 4);
    let sim_t = &v["image_gc_trigger"]["simulated"];
    assert_eq!(sim_t["first_at"], "2026-03-18T06:47:54Z");
    assert_eq!(sim_t["crossings"], 2);
    assert_eq!(sim_t["samples_over"], 4);
    let text = std::fs::read_to_string(r.out.join("validate.txt")).unwrap();
    assert!(
        text.contains("the simulation reaches it 10 s after the node"),
        "{text}"
    );

    // Without plot.json the threshold is the first ImageGCTriggered's highThreshold=, 90:
    // observed 90 at 15 and 60 (first 15, 2 crossings, 2 samples), simulated 90 at 55 and 60
    // (first 55, 1 crossing, 2 samples).
    std::fs::remove_file(run.join("plot.json")).unwrap();
    std::fs::write(
        run.join("events.csv"),
        "time_s,type,reason,object,message\n300,Normal,ImageGCTriggered,node/n,usage=93 highThreshold=90 amountToFree=1 lowThreshold=80\n",
    )
    .unwrap();
    let v = report(&r, &prom, &[]);
    assert_eq!(f(&v, "image_gc_high_threshold_percent"), 90.0);
    assert!(s(&v, "threshold_from").starts_with("events.csv"));
    let o = &v["image_gc_trigger"]["observed"];
    assert_eq!(
        (o["first_at_s"].as_f64(), o["crossings"].as_u64()),
        (Some(15.0), Some(2))
    );
    let m = &v["image_gc_trigger"]["simulated"];
    assert_eq!(
        (m["first_at_s"].as_f64(), m["crossings"].as_u64()),
        (Some(55.0), Some(1))
    );
}

/// A run whose scenario had no start_time: refused, saying how to fix it; --start gives t = 0
/// (then the run against itself is exact again).
#[test]
fn a_run_without_start_time_needs_start() {
    let r = run("");
    let rows = rows(&r.dir);
    let prom = prometheus(&[(
        "node_filesystem_avail_bytes",
        "/var/lib/containerd",
        own_series(&rows, 0),
    )]);
    let o = validate(&r, &prom, &[]);
    assert_eq!(o.status.code(), Some(1));
    let e = String::from_utf8_lossy(&o.stderr);
    assert!(e.contains("summary.json: no start_time"), "{e}");
    assert!(e.contains("--start"), "{e}");
    assert!(!r.out.exists());
    let v = report(&r, &prom, &["--start", "2026-03-18T07:47:29+01:00"]);
    assert_eq!(s(&v, "start_from"), "--start");
    assert_eq!(f(&v, "available_bytes_error.max"), 0.0);
    let o = validate(&r, &prom, &["--start", "2026-03-18"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr)
        .contains("--start: \"2026-03-18\" is a date without a time"));
}

/// Bad observed files: each refused with the file, the line and the JSON path, exit 1, and
/// the output directory of an earlier validate left as it was.
#[test]
fn bad_observed_files_name_the_place() {
    let r = with_start();
    let rows = rows(&r.dir);
    let good = prometheus(&[(
        "node_filesystem_avail_bytes",
        "/var/lib/containerd",
        own_series(&rows, 0),
    )]);
    report(&r, &good, &[]);
    let before = std::fs::read(r.out.join("validate.json")).unwrap();
    let cases: &[(String, &str)] = &[
        ("this is not JSON".into(), "obs.json:1: starts with 't': expected JSON"),
        ("{\"status\": \"success\", \"data\": {".into(), "obs.json:1: the file ends inside the reply"),
        (
            r#"{"status":"success","data":{"resultType":"vector","result":[]}}"#.into(),
            "obs.json:1: data.resultType: \"vector\": the reply of an instant query (api/v1/query)",
        ),
        (
            good.replacen("\"339738624\"", "\"339738624x\"", 1),
            "obs.json:1: data.result[0].values[0][1]: \"339738624x\" is not a number of bytes",
        ),
        (
            good.replacen(&format!("[{},", START + 30), "[\"soon\",", 1),
            "obs.json:1: data.result[0].values[3][0]: expected a Unix time in seconds (a number), found \"soon\"",
        ),
        (
            format!(
                "{}\n{}\n",
                summary_line(START, 1 << 30, 1),
                summary_line(START + 10, 1 << 30, 1).replace("\"availableBytes\":1,", "\"availableBytes\":-1,")
            ),
            "obs.json:2: node.runtime.imageFs.availableBytes: expected an unsigned 64-bit integer, found -1",
        ),
        (
            summary_line(START + 86_400, 1 << 30, 1),
            "none of the 1 observed samples (at 2026-03-19T06:47:29Z) fall within the run (2026-03-18T06:47:29Z to 2026-03-18T06:57:29Z",
        ),
    ];
    for (text, want) in cases {
        let o = validate(&r, text, &[]);
        let e = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(1), "{want}: {e}");
        assert!(e.contains(want), "want {want:?} in {e}");
        assert!(!e.contains("panicked"));
        assert_eq!(std::fs::read(r.out.join("validate.json")).unwrap(), before);
    }
}

/// The fuzz seeds (tests/fixtures/validate/) read as they say: 6 samples every 60 s from
/// 06:47:29.123Z with their size, 10Mi less each time; the second Prometheus file has two
/// mountpoints; the Summary files 3 and 2 replies, 100Mi less each time.
#[test]
fn fixtures_read_as_described() {
    use imagefs_sim::observed::read_observed;
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/validate");
    let o = read_observed(&dir.join("prometheus-avail-size.json"), None).unwrap();
    assert_eq!(o.samples.len(), 6);
    assert_eq!(o.samples[0].time_ns, (START * 1000 + 123) * 1_000_000);
    assert_eq!(o.samples[1].time_ns - o.samples[0].time_ns, 60_000_000_000);
    assert_eq!(
        o.samples[0].available_bytes - o.samples[1].available_bytes,
        10 * MI
    );
    assert_eq!(o.samples[5].capacity_bytes, Some(1 << 30));
    let two = dir.join("prometheus-two-mountpoints.json");
    let e = read_observed(&two, None).unwrap_err().to_string();
    assert!(e.contains("2 mountpoints (/, /var/lib/containerd)"), "{e}");
    assert_eq!(
        read_observed(&two, Some("/")).unwrap().samples[0].available_bytes,
        20_000_000_000
    );
    for (f, n) in [("summary-lines.jsonl", 3), ("summary-array.json", 2)] {
        let o = read_observed(&dir.join(f), None).unwrap();
        assert_eq!(o.samples.len(), n, "{f}");
        assert_eq!(o.samples[0].available_bytes, 324 * MI);
        assert_eq!(o.samples[1].available_bytes, 224 * MI);
        assert_eq!(o.samples[0].time_ns, START * 1_000_000_000);
    }
}
