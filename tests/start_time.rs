//! A scenario's `start_time`: the wall-clock instant of t = 0. With it `timeseries.csv` and
//! `events.csv` get a `timestamp` column after `time_s` and `summary.json` a `start_time`;
//! without it every file is as before (the golden runs pin that).

mod common;

use std::path::Path;
use std::process::Command;

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_imagefs-sim"))
}

/// 100 MiB pulled at 10 MiB/s; p2 asks for the same image 250 ms later.
const SCENARIO: &str = r#"name = "st"
duration = "10m"
seed = 1
START
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
[sweep]
"kubelet.imageGCHighThresholdPercent" = [85, 90]
"#;

const TRACE: &str =
    "time,action,pod,image\n0,create,p1,app:v1\n0.25,create,p2,app:v1\n5m,delete,p1,\n";

/// Runs the scenario with `start` as its fourth line; returns (timeseries, events, summary).
fn run(start: &str) -> (String, String, String) {
    let f = common::write(&SCENARIO.replace("START", start), TRACE);
    let out = f.dir.path().join("out");
    let o = bin()
        .arg("run")
        .arg(&f.scenario)
        .arg("--out")
        .arg(&out)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let read = |n: &str| std::fs::read_to_string(out.join(n)).unwrap();
    // `plot` reads the CSVs back: the extra column is no obstacle.
    let p = bin().arg("plot").arg(&out).output().unwrap();
    assert!(p.status.success(), "{}", String::from_utf8_lossy(&p.stderr));
    (
        read("timeseries.csv"),
        without_seq(&read("events.csv")),
        read("summary.json"),
    )
}

/// events.csv without its first column, `seq`, after checking that it numbers the rows 0, 1, ….
fn without_seq(ev: &str) -> String {
    let mut out = String::new();
    for (i, l) in ev.lines().enumerate() {
        let (seq, rest) = l.split_once(',').unwrap();
        if i == 0 {
            assert_eq!(seq, "seq");
        } else {
            assert_eq!(seq, (i - 1).to_string(), "{ev}");
        }
        out.push_str(rest);
        out.push('\n');
    }
    out
}

fn line_starting<'a>(text: &'a str, prefix: &str) -> &'a str {
    text.lines()
        .find(|l| l.starts_with(prefix))
        .unwrap_or_else(|| panic!("no line {prefix:?} in\n{text}"))
}

/// start_time 07:47:29.5 at +01:00 is 06:47:29.500Z; a row at time_s = t is that plus t.
#[test]
fn timestamps_are_start_time_plus_time_s() {
    let (ts, ev, summary) = run(r#"start_time = "2026-03-18T07:47:29.5+01:00""#);
    assert!(ts.starts_with("time_s,timestamp,capacity_bytes,available_bytes,"));
    assert!(line_starting(&ts, "0,").starts_with("0,2026-03-18T06:47:29.500Z,1073741824,"));
    assert!(line_starting(&ts, "10,").starts_with("10,2026-03-18T06:47:39.500Z,"));
    // 600 s = 10 min later: the last sample.
    assert!(ts
        .lines()
        .last()
        .unwrap()
        .starts_with("600,2026-03-18T06:57:29.500Z,"));
    assert_eq!(
        ev.lines().next(),
        Some("time_s,timestamp,type,reason,object,message")
    );
    assert!(line_starting(&ev, "0.25,")
        .starts_with("0.25,2026-03-18T06:47:29.750Z,Normal,Pulling,pod/p2,"));
    // The pull: 100 MiB at 10 MiB/s, blob then snapshot (containerd keeps both): 20 s.
    assert!(
        line_starting(&ev, "20,").starts_with("20,2026-03-18T06:47:49.500Z,Normal,Pulled,pod/p1,")
    );
    assert!(
        summary.contains("  \"seed\": 1,\n  \"start_time\": \"2026-03-18T06:47:29.500Z\",\n"),
        "{summary}"
    );
}

/// Whole seconds print without a fraction; removing the column gives the files of a run
/// without `start_time`, byte for byte; and summary.json has no `start_time` then.
#[test]
fn without_start_time_the_files_are_as_before() {
    let (ts, ev, summary) = run(r#"start_time = "2026-03-18T06:47:29Z""#);
    assert!(line_starting(&ts, "0,").starts_with("0,2026-03-18T06:47:29Z,"));
    assert!(line_starting(&ev, "0.25,").starts_with("0.25,2026-03-18T06:47:29.250Z,"));
    let (ts0, ev0, summary0) = run("");
    assert!(ts0.starts_with("time_s,capacity_bytes,"));
    assert!(!summary0.contains("start_time"));
    // The two runs' scenario files are in different temporary directories.
    let without_path = |s: &str| -> String {
        s.lines()
            .filter(|l| !l.starts_with("  \"scenario_path\": "))
            .map(|l| format!("{l}\n"))
            .collect()
    };
    assert_eq!(
        without_path(&summary.replace("  \"start_time\": \"2026-03-18T06:47:29Z\",\n", "")),
        without_path(&summary0)
    );
    let drop_second = |text: &str| -> String {
        let mut r = csv::Reader::from_reader(text.as_bytes());
        let mut w = csv::Writer::from_writer(Vec::new());
        let h = r.headers().unwrap().clone();
        assert_eq!(&h[1], "timestamp");
        w.write_record(
            h.iter()
                .enumerate()
                .filter(|(i, _)| *i != 1)
                .map(|(_, f)| f),
        )
        .unwrap();
        for rec in r.records() {
            let rec = rec.unwrap();
            w.write_record(
                rec.iter()
                    .enumerate()
                    .filter(|(i, _)| *i != 1)
                    .map(|(_, f)| f),
            )
            .unwrap();
        }
        String::from_utf8(w.into_inner().unwrap()).unwrap()
    };
    assert_eq!(drop_second(&ts), ts0);
    assert_eq!(drop_second(&ev), ev0);
}

/// TOML's own date-time (unquoted) is the same instant as the string.
#[test]
fn a_toml_datetime_is_taken_as_the_string() {
    let load = |start: &str| {
        let f = common::write(&SCENARIO.replace("START", start), TRACE);
        imagefs_sim::scenario::Scenario::load(&f.scenario)
            .unwrap()
            .start_time
            .map(|t| t.to_string())
    };
    let want = Some("2026-03-18T06:47:29Z".to_string());
    assert_eq!(load("start_time = 2026-03-18T06:47:29Z"), want);
    assert_eq!(load("start_time = 2026-03-18T08:47:29+02:00"), want);
    assert_eq!(load(r#"start_time = "2026-03-18T06:47:29Z""#), want);
    assert_eq!(load(""), None);
}

/// A sweep's base scenario may have a start_time (it is a plain field, not an axis).
#[test]
fn a_sweep_takes_start_time() {
    let f = common::write(
        &SCENARIO.replace("START", r#"start_time = "2026-03-18T06:47:29Z""#),
        TRACE,
    );
    let out = f.dir.path().join("sweep-out");
    let o = bin()
        .arg("sweep")
        .arg(&f.scenario)
        .arg("--out")
        .arg(&out)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let rows = std::fs::read_to_string(Path::new(&out).join("sweep.csv")).unwrap();
    // The header and the two points.
    assert_eq!(rows.lines().count(), 3, "{rows}");
}
