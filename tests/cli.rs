//! The command line as a user meets it: exit codes, error texts naming file, line and field,
//! and no partial output left behind.

mod common;

use common::{bin, GOOD, TRACE};

fn stderr_of(toml: &str, trace: &str, args: &[&str]) -> (i32, String, common::Fixture) {
    let f = common::write(toml, trace);
    let out = bin()
        .args(args)
        .arg(&f.scenario)
        .current_dir(f.dir.path())
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stderr).into_owned(),
        f,
    )
}

#[test]
fn run_writes_the_three_outputs_into_output_name() {
    let (code, err, f) = stderr_of(GOOD, TRACE, &["run"]);
    assert_eq!(code, 0, "{err}");
    for name in ["timeseries.csv", "events.csv", "summary.json"] {
        let p = f.dir.path().join("output/cli").join(name);
        assert!(std::fs::metadata(&p).unwrap().len() > 0, "{name} is empty");
    }
    let ts = std::fs::read_to_string(f.dir.path().join("output/cli/timeseries.csv")).unwrap();
    // A sample every 10 s from 0 to 600 s inclusive, plus the header.
    assert_eq!(ts.lines().count(), 62);
    assert!(ts.starts_with("time_s,capacity_bytes,available_bytes,usage_percent,image_bytes,"));
}

#[test]
fn low_not_below_high_is_the_kubelets_error_with_line_and_field() {
    let bad = GOOD.replace(
        "imageGCLowThresholdPercent = 80",
        "imageGCLowThresholdPercent = 85",
    );
    let (code, err, f) = stderr_of(&bad, TRACE, &["run"]);
    assert_eq!(code, 1);
    assert!(err.contains("scenario.toml:9: kubelet.imageGCLowThresholdPercent: invalid configuration: imageGCLowThresholdPercent (--image-gc-low-threshold) 85 must be less than imageGCHighThresholdPercent (--image-gc-high-threshold) 85"), "{err}");
    assert!(
        !f.dir.path().join("output").exists(),
        "no output directory after a failed run"
    );
}

#[test]
fn unknown_key_and_wrong_type_name_the_field() {
    let (code, err, _) = stderr_of(
        &GOOD.replace("imageGCHighThresholdPercent", "imageGCHighThreshold"),
        TRACE,
        &["check"],
    );
    assert_eq!(code, 1);
    assert!(
        err.contains("scenario.toml:8:") && err.contains("unknown field `imageGCHighThreshold`"),
        "{err}"
    );
    let (code, err, _) = stderr_of(&GOOD.replace("= 85", "= \"85\""), TRACE, &["check"]);
    assert_eq!(code, 1);
    assert!(
        err.contains(
            "scenario.toml:8: kubelet.imageGCHighThresholdPercent: invalid type: string \"85\""
        ),
        "{err}"
    );
}

#[test]
fn bad_quantity_duration_and_layer_reference() {
    let (_, err, _) = stderr_of(&GOOD.replace("\"1Gi\"", "\"1GB\""), TRACE, &["check"]);
    assert!(
        err.contains(
            "scenario.toml:5: node.disk: \"1GB\": quantities must match the regular expression"
        ),
        "{err}"
    );
    let (_, err, _) = stderr_of(&GOOD.replace("\"10m\"", "\"10 min\""), TRACE, &["check"]);
    assert!(
        err.contains("scenario.toml:2: duration: time: unknown unit"),
        "{err}"
    );
    let (_, err, _) = stderr_of(
        &GOOD.replace("layers = [\"l1\"]", "layers = [\"l2\"]"),
        TRACE,
        &["check"],
    );
    assert!(
        err.contains(
            "scenario.toml:15: image.layers: layer \"l2\" is not defined in any [[layer]]"
        ),
        "{err}"
    );
}

#[test]
fn trace_rows_name_their_line_and_column() {
    let (code, err, _) = stderr_of(
        GOOD,
        "time,action,pod,image\n0,create,p1,app:v2\n",
        &["run"],
    );
    assert_eq!(code, 1);
    assert!(
        err.contains("trace.csv:2: image: image \"app:v2\" is not defined"),
        "{err}"
    );
    let (_, err, _) = stderr_of(
        GOOD,
        "time,action,pod,image\n0,create,p1,app:v1\nsoon,delete,p1,\n",
        &["run"],
    );
    assert!(err.contains("trace.csv:3: time:"), "{err}");
    let (_, err, _) = stderr_of(GOOD, "time,action,pod,image,color\n", &["run"]);
    assert!(err.contains("trace.csv:1: color: unknown column"), "{err}");
    let (_, err, _) = stderr_of(
        GOOD,
        "time,action,pod,image\n10,create,p1,app:v1\n5,delete,p1,\n",
        &["run"],
    );
    assert!(
        err.contains("trace.csv:3: time: rows must be in time order"),
        "{err}"
    );
}

#[test]
fn a_failed_run_keeps_the_previous_results() {
    let f = common::write(GOOD, TRACE);
    let out = f.dir.path().join("keep");
    let ok = bin()
        .args(["run", "--out"])
        .arg(&out)
        .arg(&f.scenario)
        .output()
        .unwrap();
    assert!(ok.status.success());
    let before = std::fs::read(out.join("summary.json")).unwrap();
    std::fs::write(
        f.dir.path().join("trace.csv"),
        "time,action,pod,image\n0,create,p1,nope\n",
    )
    .unwrap();
    let bad = bin()
        .args(["run", "--out"])
        .arg(&out)
        .arg(&f.scenario)
        .output()
        .unwrap();
    assert_eq!(bad.status.code(), Some(1));
    assert_eq!(std::fs::read(out.join("summary.json")).unwrap(), before);
    let leftovers: Vec<_> = std::fs::read_dir(f.dir.path())
        .unwrap()
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with('.'))
        .collect();
    assert!(
        leftovers.is_empty(),
        "temporary directories left: {leftovers:?}"
    );
}

#[test]
fn bad_flags_exit_2() {
    let out = bin().arg("frobnicate").output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let out = bin().arg("run").output().unwrap();
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn bad_eviction_settings_are_the_kubelets_errors_with_line_and_field() {
    let with = |extra: &str| {
        GOOD.replace(
            "imageGCLowThresholdPercent = 80",
            &format!("imageGCLowThresholdPercent = 80\n{extra}"),
        )
    };
    let cases = [
        (r#"evictionHard = { "imagefs.avail" = "10%" }"#, "scenario.toml:10: kubelet.evictionHard: unsupported eviction signal imagefs.avail"),
        (r#"evictionHard = { "imagefs.available" = "-1Gi" }"#, "scenario.toml:10: kubelet.evictionHard: eviction threshold imagefs.available must be positive: -1Gi"),
        (r#"evictionHard = { "nodefs.available" = "150%" }"#, "scenario.toml:10: kubelet.evictionHard: eviction percentage threshold nodefs.available must be <= 100%: 150%"),
        (r#"evictionSoft = { "imagefs.available" = "20%" }"#, "scenario.toml:10: kubelet.evictionSoft: grace period must be specified for the soft eviction threshold imagefs.available"),
        (r#"evictionMinimumReclaim = { "imagefs.available" = "-2Gi" }"#, "scenario.toml:10: kubelet.evictionMinimumReclaim: negative eviction minimum reclaim specified for imagefs.available"),
    ];
    for (extra, want) in cases {
        let (code, err, _) = stderr_of(&with(extra), TRACE, &["check"]);
        assert_eq!(code, 1, "{extra}");
        assert!(err.contains(want), "{extra}: {err}");
    }
    let (code, err, _) = stderr_of(
        &GOOD.replace("disk = \"1Gi\"", "disk = \"1Gi\"\nlayout = \"split\""),
        TRACE,
        &["check"],
    );
    assert_eq!(code, 1);
    assert!(
        err.contains("node.imagefs: layout \"split\" needs the imagefs capacity"),
        "{err}"
    );
    // "0%" and "100%" silently disable a signal, as on a real node.
    let (code, err, _) = stderr_of(
        &with(r#"evictionHard = { "imagefs.available" = "0%", "nodefs.available" = "100%" }"#),
        TRACE,
        &["check"],
    );
    assert_eq!(code, 0, "{err}");
}

#[test]
fn bad_trace_eviction_columns() {
    let header = "time,action,pod,image,owner,priority,limit\n";
    let (_, err, _) = stderr_of(
        GOOD,
        &format!("{header}0,create,p1,app:v1,Deployment,,\n"),
        &["check"],
    );
    assert!(
        err.contains("trace.csv:2: owner: \"Deployment\" is not one of ReplicaSet, DaemonSet, Job"),
        "{err}"
    );
    let (_, err, _) = stderr_of(
        GOOD,
        &format!("{header}0,create,p1,app:v1,,high,\n"),
        &["check"],
    );
    assert!(
        err.contains("trace.csv:2: priority: \"high\" is not a 32-bit integer"),
        "{err}"
    );
    let (_, err, _) = stderr_of(
        GOOD,
        &format!("{header}0,create,p1,app:v1,,,-1Gi\n"),
        &["check"],
    );
    assert!(
        err.contains("trace.csv:2: limit: \"-1Gi\" must not be negative"),
        "{err}"
    );
}

/// A `[goal]` no point meets: the sweep writes its files and exits 3 (not 1: nothing failed).
/// The 100Mi image leaves at least 1Gi − 200Mi = 864026624 bytes available (containerd keeps
/// blob and snapshot), so `min_available_bytes ≥ 2Gi` misses at both points by
/// 2147483648 − 864026624 = 1283457024; the closest is the lowest point index, 0. A goal met
/// (`≥ 800Mi` = 838860800) exits 0.
#[test]
fn a_goal_no_point_meets_exits_3_with_the_closest_point() {
    let sweep = format!(
        "{GOOD}\n[sweep]\n\"kubelet.imageGCHighThresholdPercent\" = [85, 90]\n[goal]\nmin_available_bytes = {{ min = 2147483648 }}\n"
    );
    let f = common::write(&sweep, TRACE);
    let o = bin()
        .args(["sweep", f.scenario.to_str().unwrap(), "--threads", "1"])
        .current_dir(f.dir.path())
        .output()
        .unwrap();
    let out = String::from_utf8_lossy(&o.stdout);
    assert_eq!(o.status.code(), Some(3), "{out}");
    assert!(out.contains("closest: point 0: kubelet.imageGCHighThresholdPercent = 85 — 0 of 1 replicates meet it; worst replicate: min_available_bytes 864026624 < 2147483648 (by 1283457024)"), "{out}");
    let rec =
        std::fs::read_to_string(f.dir.path().join("output/cli-sweep/recommendation.json")).unwrap();
    assert!(rec.contains("\"closest\""), "{rec}");

    std::fs::write(&f.scenario, sweep.replace("2147483648", "838860800")).unwrap();
    let o = bin()
        .args(["sweep", f.scenario.to_str().unwrap(), "--threads", "1"])
        .current_dir(f.dir.path())
        .output()
        .unwrap();
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stdout)
    );
}

/// `--json` (anywhere on the line) puts one JSON document on stdout and the messages on stderr;
/// `--quiet` prints nothing on stdout; the two together are refused (exit 2). The JSON run's
/// summary is summary.json's: the 100Mi image leaves at least 1Gi − 200Mi = 864026624 bytes.
#[test]
fn json_and_quiet_outputs() {
    let f = common::write(GOOD, TRACE);
    let sc = f.scenario.to_str().unwrap();
    let run = |args: &[&str]| bin().args(args).current_dir(f.dir.path()).output().unwrap();
    let o = run(&["run", sc, "--json"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let r = &v["runs"][0];
    assert_eq!(r["summary"]["min_available_bytes"], 864026624u64);
    assert!(r["out"].as_str().unwrap().ends_with("output/cli"));
    assert!(String::from_utf8_lossy(&o.stderr).contains("wrote "));
    let written: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(f.dir.path().join("output/cli/summary.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(written["gc_runs"], r["summary"]["gc_runs"]);

    let o = run(&["--json", "check", sc]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["checks"][0]["ok"], true);
    assert_eq!(v["checks"][0]["images"], 1);

    let o = run(&["run", sc, "--quiet"]);
    assert!(o.status.success());
    assert!(
        o.stdout.is_empty(),
        "{}",
        String::from_utf8_lossy(&o.stdout)
    );

    let o = run(&["run", sc, "--quiet", "--json"]);
    assert_eq!(o.status.code(), Some(2));

    for shell in ["bash", "zsh", "fish"] {
        let o = run(&["completions", shell]);
        assert!(o.status.success());
        let text = String::from_utf8_lossy(&o.stdout);
        assert!(
            text.contains("imagefs-sim") && text.contains("sweep"),
            "{shell}"
        );
    }
}
