//! `report.html`: what it embeds (read back from the JSON in the page), from hand-made run files
//! and from a real run; its escaping; its bounds on a run built to overflow every one of them;
//! the same bytes for the same run.

use std::fs;
use std::path::Path;

use imagefs_sim::report::html::{
    ENVELOPE_BINS, MAX_EXACT_POINTS, MAX_PRESSURE_PERIODS, MAX_STRIP_EXACT, MAX_TABLE_ROWS,
    REPORT_FILE, STRIP_BINS,
};
use imagefs_sim::report::plot::replot;
use imagefs_sim::runner::{is_run_file, run_to_dir};
use imagefs_sim::scenario::Scenario;
use serde_json::Value;

const OPEN: &str = "<script type=\"application/json\" id=\"report-data\">";

/// The page's embedded data.
fn embedded(html: &str) -> Value {
    let start = html.find(OPEN).expect("the data script") + OPEN.len();
    let len = html[start..].find("</script>").expect("its end");
    serde_json::from_str(&html[start..start + len]).expect("valid JSON")
}

fn report(dir: &Path) -> (String, Value) {
    let html = fs::read_to_string(dir.join(REPORT_FILE)).unwrap();
    let data = embedded(&html);
    (html, data)
}

/// Times of a series or strip: the differences summed, times the unit, in seconds.
fn times(deltas: &Value, unit_ms: f64) -> Vec<f64> {
    let mut acc = 0i64;
    deltas
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            acc += d.as_i64().unwrap();
            acc as f64 * unit_ms / 1000.0
        })
        .collect()
}

fn f64s(v: &Value) -> Vec<f64> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_f64().unwrap())
        .collect()
}

fn strip<'a>(d: &'a Value, name: &str) -> &'a Value {
    d["strips"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["name"] == name)
        .unwrap_or_else(|| panic!("no strip {name}"))
}

const TS_HEADER: &str = "time_s,capacity_bytes,available_bytes,usage_percent,image_bytes,\
    reported_image_bytes,pulling_bytes,writable_bytes,log_bytes,emptydir_bytes,other_bytes,images,\
    running_pods,containers,disk_pressure\n";

fn ts_row(t: u64, usage: u64) -> String {
    let cap = 100u64 << 30;
    let avail = cap / 100 * (100 - usage);
    format!("{t},{cap},{avail},{usage},1000,500,0,0,0,0,0,1,1,1,0\n")
}

/// A run of 100 samples (0..990 s every 10 s) whose usage is 50 until 300 s, 90 until 600 s and
/// 70 after, with a GC pass and its deletions, an eviction with its reclaim, an eviction, a
/// rejection, a kubelet restart and one DiskPressure period; plot.json with thresholds 90/75 and
/// an eviction line at 88 %; a summary.json.
fn hand_made(dir: &Path) {
    let mut ts = String::from(TS_HEADER);
    for i in 0..100 {
        let t = i * 10;
        let usage = if t < 300 {
            50
        } else if t < 600 {
            90
        } else {
            70
        };
        ts.push_str(&ts_row(t, usage));
    }
    fs::write(dir.join("timeseries.csv"), ts).unwrap();
    let events = "seq,time_s,type,reason,object,message\n\
        0,300,Normal,ImageGCTriggered,node/n,usage=90 highThreshold=90 amountToFree=21474836480 lowThreshold=75\n\
        1,300,Normal,ImageDeleted,image/a:1,reason=space reportedBytes=100 freedOnDiskBytes=1073741824\n\
        2,300,Normal,ImageDeleted,image/b:1,reason=age reportedBytes=200 freedOnDiskBytes=2147483648\n\
        3,300,Warning,FreeDiskSpaceFailed,node/n,Failed to garbage collect required amount of images.\n\
        4,300.5,Normal,ImageDeleted,image/c:1,reason=space reportedBytes=5 freedOnDiskBytes=5\n\
        5,310,Warning,NodeHasDiskPressure,node/n,Node n status is now: NodeHasDiskPressure\n\
        6,320.25,Warning,EvictionThresholdMet,node/n,Attempting to reclaim ephemeral-storage\n\
        7,320.25,Normal,ImageDeleted,image/d:1,reason=eviction reportedBytes=1 freedOnDiskBytes=4096\n\
        8,330,Warning,Evicted,pod/big,\"The node was low on resource: ephemeral-storage. Container </script> was using 1, request is 0, has larger consumption of ephemeral-storage. \"\n\
        9,340,Warning,Evicted,pod/new,\"The node had condition: [DiskPressure]. \"\n\
        10,600,Normal,NodeHasNoDiskPressure,node/n,Node n status is now: NodeHasNoDiskPressure\n\
        11,700,Normal,Starting,node/n,Starting kubelet.\n";
    fs::write(dir.join("events.csv"), events).unwrap();
    fs::write(
        dir.join("plot.json"),
        r#"{"title": "hand <made> & \u2028 run", "subtitle": "sub</script>title",
            "gc_high_percent": 90.0, "gc_low_percent": 75.0,
            "eviction_threshold_percent": 88.0, "eviction_label": "hard imagefs.available"}"#,
    )
    .unwrap();
    fs::write(
        dir.join("summary.json"),
        r#"{"scenario": "hand", "scenario_path": "s.toml", "seed": 7, "gc_runs": 3,
            "bytes_freed_on_disk": 3221225472, "disk_pressure_seconds": 290,
            "peak_usage_percent": 90, "evictions_by_signal": {"imagefs.available": 1}}"#,
    )
    .unwrap();
}

#[test]
fn report_embeds_the_runs_series_thresholds_strips_and_tables() {
    let d = tempfile::tempdir().unwrap();
    hand_made(d.path());
    replot(d.path()).unwrap();
    let (html, data) = report(d.path());

    // Usage: the three values' first samples and the last sample, exactly, in units of 30 s
    // (the greatest that divides their times).
    let u = &data["usage"];
    assert_eq!(u["exact"], true);
    assert_eq!(u["samples"], 100);
    assert_eq!(u["points"], 4);
    assert_eq!(u["t_unit_ms"], 30_000);
    assert_eq!(times(&u["t"], 30_000.0), vec![0.0, 300.0, 600.0, 990.0]);
    assert_eq!(f64s(&u["v"]), vec![50.0, 90.0, 70.0, 70.0]);
    assert_eq!(data["t_end"], 990.0);

    // Thresholds as plot.json has them; no start_time.
    assert_eq!(data["thresholds"]["gc_high"], 90.0);
    assert_eq!(data["thresholds"]["gc_low"], 75.0);
    assert_eq!(data["thresholds"]["eviction"], 88.0);
    assert_eq!(data["start_unix_ms"], Value::Null);
    assert_eq!(data["title"], "hand <made> & \u{2028} run");

    // Strips: each event at its time (ms), counts per time.
    let s = strip(&data, "GC passes");
    assert_eq!(
        (s["total"].as_u64(), times(&s["t"], 1.0)),
        (Some(1), vec![300.0])
    );
    let s = strip(&data, "deleted by GC");
    assert_eq!(times(&s["t"], 1.0), vec![300.0, 300.5]);
    assert_eq!(s["n"], serde_json::json!([2, 1]));
    for (name, t) in [
        ("eviction reclaim", 320.25),
        ("GC failed", 300.0),
        ("pods evicted", 330.0),
        ("pods rejected", 340.0),
        ("kubelet restarts", 700.0),
    ] {
        let s = strip(&data, name);
        assert_eq!(s["total"], 1, "{name}");
        assert_eq!(times(&s["t"], 1.0), vec![t], "{name}");
        assert_eq!(s["bin_s"], Value::Null, "{name}");
    }
    assert_eq!(data["pressure"], serde_json::json!([[310.0, 600.0]]));

    // The GC pass: its two deletions of the same instant (not the one at 300.5 s) and its
    // failure.
    let gc = &data["gc_passes"];
    assert_eq!(
        (gc["total"].as_u64(), gc["rows"].as_u64()),
        (Some(1), Some(1))
    );
    let c = &gc["columns"];
    assert_eq!(c["time_s"], serde_json::json!(["300"]));
    assert_eq!(c["usage"], serde_json::json!([90.0]));
    assert_eq!(c["high"], serde_json::json!([90.0]));
    assert_eq!(c["low"], serde_json::json!([75.0]));
    assert_eq!(c["amount_to_free"], serde_json::json!([21_474_836_480u64]));
    assert_eq!(c["deleted"], serde_json::json!([2]));
    assert_eq!(c["freed_on_disk"], serde_json::json!([3_221_225_472u64]));
    assert_eq!(c["freed_reported"], serde_json::json!([300]));
    assert_eq!(c["failed"], serde_json::json!(["FreeDiskSpaceFailed"]));

    // Evictions: the threshold met with its reclaim, the eviction, the rejection.
    let ev = &data["evictions"];
    assert_eq!(
        (ev["total"].as_u64(), ev["rows"].as_u64()),
        (Some(3), Some(3))
    );
    let c = &ev["columns"];
    assert_eq!(c["time_s"], serde_json::json!(["320.25", "330", "340"]));
    assert_eq!(
        c["kind"],
        serde_json::json!(["threshold met", "evicted", "rejected"])
    );
    assert_eq!(
        c["object"],
        serde_json::json!(["node/n", "pod/big", "pod/new"])
    );
    assert_eq!(c["reclaimed_images"], serde_json::json!([1, null, null]));
    assert_eq!(c["reclaimed_bytes"], serde_json::json!([4096, null, null]));
    assert!(c["message"][1]
        .as_str()
        .unwrap()
        .contains("Container </script> was using"));

    // Escaped: one closing tag per script, none from the data; texts in the page escaped.
    assert_eq!(html.matches("</script>").count(), 2);
    let script = &html[html.find(OPEN).unwrap()..];
    assert!(!script.contains('\u{2028}') && script.contains("\\u2028"));
    assert!(html.contains("<h1>hand &lt;made&gt; &amp; "));
    assert!(html.contains("sub&lt;/script&gt;title"));

    // The summary with units, in the file's order; the scenario file in the header.
    for cell in [
        "<th>gc_runs</th><td data-key=\"gc_runs\">3</td>",
        "<td data-key=\"bytes_freed_on_disk\">3.0 GiB <span class=\"raw\">3221225472 B</span></td>",
        "<td data-key=\"disk_pressure_seconds\">290 s <span class=\"raw\">4m 50s</span></td>",
        "<td data-key=\"peak_usage_percent\">90 %</td>",
        "<td data-key=\"evictions_by_signal\">imagefs.available: 1</td>",
        "<td data-key=\"seed\">7</td>",
        "scenario file: <b>s.toml</b>",
    ] {
        assert!(html.contains(cell), "no {cell}");
    }
    assert!(html.find("data-key=\"seed\"").unwrap() < html.find("data-key=\"gc_runs\"").unwrap());
    assert!(html.contains("<div id=\"errors\" hidden></div>"));

    // Re-written from the same files: the same bytes.
    replot(d.path()).unwrap();
    assert_eq!(
        fs::read_to_string(d.path().join(REPORT_FILE)).unwrap(),
        html
    );
}

#[test]
fn report_from_csvs_alone_takes_start_time_from_the_events() {
    let d = tempfile::tempdir().unwrap();
    let mut ts = String::from(TS_HEADER);
    for i in 0..10 {
        ts.push_str(&ts_row(i * 10, 40));
    }
    fs::write(d.path().join("timeseries.csv"), ts).unwrap();
    fs::write(
        d.path().join("events.csv"),
        "seq,time_s,timestamp,type,reason,object,message\n\
         0,20.5,2026-03-18T06:47:50Z,Warning,Evicted,pod/p,The node was low on resource: ephemeral-storage.\n",
    )
    .unwrap();
    replot(d.path()).unwrap();
    let (html, data) = report(d.path());
    // 06:47:50 − 20.5 s = 06:47:29.500.
    assert_eq!(data["start_time"], "2026-03-18T06:47:29.500Z");
    assert_eq!(data["start_unix_ms"], 1_773_816_449_500.0);
    assert!(html.contains("No summary.json in this directory."));
    // Without plot.json, the kubelet's default thresholds (as usage.png says).
    assert_eq!(data["thresholds"]["gc_high"], 85.0);
    assert_eq!(data["thresholds"]["eviction"], Value::Null);
}

fn quickstart(duration: &str, extra: &str) -> Scenario {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/quickstart.toml");
    let text = fs::read_to_string(&path).unwrap();
    let text = text.replace(
        "duration = \"7d\"",
        &format!("duration = \"{duration}\"\n{extra}"),
    );
    Scenario::from_str(&path, &text).unwrap()
}

#[test]
fn a_run_writes_its_report_with_its_start_time_and_the_same_bytes_twice() {
    assert!(is_run_file(REPORT_FILE));
    let sc = quickstart("1d", "start_time = \"2026-03-18T06:47:29Z\"");
    let d = tempfile::tempdir().unwrap();
    let (a, b) = (d.path().join("a"), d.path().join("b"));
    let summary = run_to_dir(&sc, &a).unwrap();
    run_to_dir(&sc, &b).unwrap();
    let (html, data) = report(&a);
    assert_eq!(fs::read_to_string(b.join(REPORT_FILE)).unwrap(), html);
    assert_eq!(data["start_time"], "2026-03-18T06:47:29Z");
    assert_eq!(data["start_unix_ms"], 1_773_816_449_000.0);
    assert_eq!(data["usage"]["samples"], 86_400 / 10 + 1);
    assert_eq!(data["usage"]["exact"], true);
    assert_eq!(data["gc_passes"]["total"], summary.gc_triggered);
    assert_eq!(
        strip(&data, "eviction reclaim")["total"],
        summary.images_deleted_by_eviction
    );
    // A second run over the directory replaces it, report.html included.
    run_to_dir(&sc, &a).unwrap();
    assert_eq!(fs::read_to_string(a.join(REPORT_FILE)).unwrap(), html);
}

/// Every part past its bound at once: usage changing at each of 450 000 samples, every strip
/// over its list, DiskPressure flapping, both tables over their rows with long messages. The
/// page stays within its stated size and each part within its bound.
#[test]
fn report_stays_bounded_when_every_part_overflows() {
    use std::fmt::Write;
    let d = tempfile::tempdir().unwrap();
    let n = MAX_EXACT_POINTS * 9 / 4;
    let mut ts = String::from(TS_HEADER);
    for i in 0..n as u64 {
        ts.push_str(&ts_row(i * 10, 40 + (i * 7919) % 60));
    }
    fs::write(d.path().join("timeseries.csv"), ts).unwrap();
    let t_end = (n as u64 - 1) * 10;
    let long = "x".repeat(1000);
    let mut ev = String::from("seq,time_s,type,reason,object,message\n");
    let per = MAX_STRIP_EXACT + MAX_PRESSURE_PERIODS + MAX_TABLE_ROWS;
    for i in 0..per as u64 {
        let t = i * t_end / per as u64;
        for (reason, message) in [
            (
                "ImageGCTriggered",
                "usage=90 highThreshold=85 amountToFree=123456789012 lowThreshold=80",
            ),
            (
                "ImageDeleted",
                "reason=space reportedBytes=123456789 freedOnDiskBytes=123456789",
            ),
            (
                "ImageDeleted",
                "reason=eviction reportedBytes=123456789 freedOnDiskBytes=123456789",
            ),
            ("FreeDiskSpaceFailed", "Failed to garbage collect."),
            ("Failed", "Failed to pull image 'a': no space"),
            ("NodeHasDiskPressure", ""),
            (
                "EvictionThresholdMet",
                "Attempting to reclaim ephemeral-storage",
            ),
            ("Evicted", &long),
            ("Evicted", "The node had condition: [DiskPressure]. "),
            ("Starting", "Starting kubelet."),
        ] {
            writeln!(
                ev,
                "{i},{t}.123456789,Warning,{reason},pod/p-{i},\"{message}\""
            )
            .unwrap();
        }
        writeln!(ev, "{i},{t}.5,Normal,NodeHasNoDiskPressure,node/n,").unwrap();
    }
    fs::write(d.path().join("events.csv"), ev).unwrap();
    replot(d.path()).unwrap();
    let size = fs::metadata(d.path().join(REPORT_FILE)).unwrap().len();
    assert!(size < 5_000_000, "report.html is {size} bytes");
    let (_, data) = report(d.path());
    let u = &data["usage"];
    assert_eq!(u["exact"], false);
    assert!(u["points"].as_u64().unwrap() <= 2 * ENVELOPE_BINS as u64 + 1);
    assert!(u["bin_s"].as_f64().unwrap() * ENVELOPE_BINS as f64 >= t_end as f64);
    // The envelope keeps the extremes.
    let v = f64s(&u["v"]);
    assert_eq!(v.iter().cloned().fold(f64::MAX, f64::min), 40.0);
    assert_eq!(v.iter().cloned().fold(0.0, f64::max), 99.0);
    for s in data["strips"].as_array().unwrap() {
        assert_eq!(s["total"], per, "{}", s["name"]);
        assert!(s["bin_s"].is_number(), "{}", s["name"]);
        assert!(s["n"].as_array().unwrap().len() <= STRIP_BINS);
        let sum: u64 = s["n"]
            .as_array()
            .unwrap()
            .iter()
            .map(|n| n.as_u64().unwrap())
            .sum();
        assert_eq!(sum, per as u64, "{}", s["name"]);
    }
    assert!(data["pressure"].as_array().unwrap().len() <= MAX_PRESSURE_PERIODS);
    assert!(data["pressure_merged_gap_s"].is_number());
    for table in ["gc_passes", "evictions"] {
        assert_eq!(data[table]["rows"], MAX_TABLE_ROWS, "{table}");
    }
    assert_eq!(data["evictions"]["total"], 3 * per);
    let longest = data["evictions"]["columns"]["message"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m.as_str().unwrap().chars().count())
        .max();
    assert_eq!(longest, Some(imagefs_sim::report::html::MAX_MESSAGE_CHARS));
    eprintln!("report.html with every part at its bound: {size} bytes");
}
