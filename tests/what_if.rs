//! `--set PATH=VALUE` what-ifs on `run`, `check`, `generate` and `sweep`: the values they
//! set, the errors that name the flag, and the output directory's suffix.

mod common;

use std::path::Path;
use std::process::Output;

use common::{bin, GOOD, TRACE};

/// Runs the binary in `cwd` with `args`.
fn run_in(cwd: &Path, args: &[&str]) -> Output {
    bin().args(args).current_dir(cwd).output().unwrap()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// `run --set node.disk=2Gi` from another directory: the trace, named relative to the
/// scenario file, is still found; the run goes to `output/cli+disk=2Gi/` (the base run's
/// directory is not touched); every sample has 2Gi = 2 × 1024³ = 2147483648 bytes of capacity;
/// summary.json lists the override.
#[test]
fn run_with_a_what_if_writes_beside_the_base_run() {
    let f = common::write(GOOD, TRACE);
    let cwd = tempfile::tempdir().unwrap();
    let sc = f.scenario.to_str().unwrap();
    let o = run_in(cwd.path(), &["run", sc, "--set", "node.disk=2Gi"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let dir = cwd.path().join("output/cli+disk=2Gi");
    assert!(!cwd.path().join("output/cli").exists());
    let ts = std::fs::read_to_string(dir.join("timeseries.csv")).unwrap();
    let rows: Vec<&str> = ts.lines().skip(1).collect();
    // A sample every 10 s over 10 minutes, both ends included.
    assert_eq!(rows.len(), 61);
    for r in &rows {
        assert_eq!(r.split(',').nth(1), Some("2147483648"), "{r}");
    }
    let summary: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("summary.json")).unwrap()).unwrap();
    assert_eq!(summary["overrides"], serde_json::json!(["node.disk=2Gi"]));
    let plot: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("plot.json")).unwrap()).unwrap();
    assert!(
        plot["subtitle"]
            .as_str()
            .unwrap()
            .ends_with(" · what-if: node.disk=2Gi"),
        "{}",
        plot["subtitle"]
    );

    // The base run's summary has no "overrides" key at all.
    let o = run_in(cwd.path(), &["run", sc]);
    assert!(o.status.success(), "{}", stderr(&o));
    let base = std::fs::read_to_string(cwd.path().join("output/cli/summary.json")).unwrap();
    assert!(!base.contains("overrides"), "{base}");
}

/// What-ifs apply in order, a later one winning on the same path: high 80 then 95 leaves 95,
/// so low 87 passes the kubelet's check (87 < 95; against 80 it would not).
#[test]
fn later_what_ifs_win_and_check_takes_them() {
    let f = common::write(GOOD, TRACE);
    let sc = f.scenario.to_str().unwrap();
    let o = run_in(
        f.dir.path(),
        &[
            "check",
            sc,
            "--set",
            "kubelet.imageGCHighThresholdPercent=80",
            "--set",
            "kubelet.imageGCLowThresholdPercent=87",
            "--set",
            "kubelet.imageGCHighThresholdPercent=95",
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    // Low 87 against the file's high 85 fails the kubelet's check, and the error names the
    // flag that set the field, not a line of the file.
    let o = run_in(
        f.dir.path(),
        &[
            "check",
            sc,
            "--set",
            "kubelet.imageGCLowThresholdPercent=87",
        ],
    );
    assert_eq!(o.status.code(), Some(1));
    let e = stderr(&o);
    assert!(
        e.contains("scenario.toml: --set kubelet.imageGCLowThresholdPercent=87: kubelet.imageGCLowThresholdPercent: invalid configuration: imageGCLowThresholdPercent (--image-gc-low-threshold) 87 must be less than imageGCHighThresholdPercent (--image-gc-high-threshold) 85"),
        "{e}"
    );
}

/// Errors name the flag: a misspelt field (with the list of valid ones), a value of the wrong
/// type, a bad quantity; a flag without '=' is a usage error (exit 2). The file's own errors
/// still come with its line.
#[test]
fn what_if_errors_name_the_flag() {
    let f = common::write(GOOD, TRACE);
    let sc = f.scenario.to_str().unwrap();
    let err_of = |set: &str| {
        let o = run_in(f.dir.path(), &["check", sc, "--set", set]);
        (o.status.code(), stderr(&o))
    };
    let (code, e) = err_of("kubelet.imageGCHighThresholdPercnt=90");
    assert_eq!(code, Some(1));
    assert!(e.contains("--set kubelet.imageGCHighThresholdPercnt=90: kubelet.imageGCHighThresholdPercnt = 90 is not a scenario setting"), "{e}");
    assert!(
        e.contains("expected one of `imageGCHighThresholdPercent`"),
        "{e}"
    );
    let (code, e) = err_of("kubelet.imageGCHighThresholdPercent=abc");
    assert_eq!(code, Some(1));
    assert!(
        e.contains("invalid type: string \"abc\", expected an integer"),
        "{e}"
    );
    let (code, e) = err_of("node.disk=12Qi");
    assert_eq!(code, Some(1));
    assert!(
        e.contains("--set node.disk=12Qi: node.disk: \"12Qi\""),
        "{e}"
    );
    let (code, e) = err_of("node.disk");
    assert_eq!(code, Some(2));
    assert!(e.contains("--set node.disk: expected PATH=VALUE"), "{e}");
    // The file's own error keeps its line even with a what-if given.
    let bad = common::write(&GOOD.replace("disk = \"1Gi\"", "disk = \"1Qi\""), TRACE);
    let o = run_in(
        bad.dir.path(),
        &["check", bad.scenario.to_str().unwrap(), "--set", "seed=2"],
    );
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("scenario.toml:5: node.disk:"),
        "{}",
        stderr(&o)
    );
}

/// `generate --set workload.trace=other.csv` writes the other trace: its 3 rows, not the
/// file's 2.
#[test]
fn generate_takes_what_ifs() {
    let f = common::write(GOOD, TRACE);
    std::fs::write(
        f.dir.path().join("other.csv"),
        "time,action,pod,image\n0,create,a,app:v1\n1m,create,b,app:v1\n2m,delete,a,\n",
    )
    .unwrap();
    let out = f.dir.path().join("gen.csv");
    let o = run_in(
        f.dir.path(),
        &[
            "generate",
            f.scenario.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
            "--set",
            "workload.trace=other.csv",
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let text = std::fs::read_to_string(&out).unwrap();
    let rows: Vec<&str> = text
        .lines()
        .filter(|l| !l.starts_with('#') && !l.starts_with("time,"))
        .collect();
    assert_eq!(rows.len(), 3, "{text}");
}

/// `sweep --set node.disk=2Gi` over a 2-value axis: both points run on 2Gi (their
/// `sweep.csv` rows), into `output/cli-sweep+disk=2Gi/`; a what-if on the axis itself is refused
/// before any point runs, naming the axis's line (20: GOOD is 17 lines, then a blank one,
/// `[sweep]` and the axis).
#[test]
fn sweep_takes_what_ifs_but_not_on_its_axes() {
    let toml = format!("{GOOD}\n[sweep]\n\"kubelet.imageGCHighThresholdPercent\" = [85, 90]\n");
    let f = common::write(&toml, TRACE);
    let sc = f.scenario.to_str().unwrap();
    let o = run_in(
        f.dir.path(),
        &["sweep", sc, "--set", "node.disk=2Gi", "--threads", "1"],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let dir = f.dir.path().join("output/cli-sweep+disk=2Gi");
    let csv = std::fs::read_to_string(dir.join("sweep.csv")).unwrap();
    let mut lines = csv.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let col = header
        .iter()
        .position(|h| *h == "min_available_bytes")
        .unwrap();
    let rows: Vec<Vec<&str>> = lines.map(|l| l.split(',').collect()).collect();
    assert_eq!(rows.len(), 2, "{csv}");
    // containerd keeps the 100Mi blob beside the 100Mi snapshot: 2Gi - 200Mi =
    // 2147483648 - 209715200 = 1937768448 bytes left at least, at both points.
    for r in &rows {
        assert_eq!(r[col], "1937768448", "{csv}");
    }

    let o = run_in(
        f.dir.path(),
        &[
            "sweep",
            sc,
            "--set",
            "kubelet.imageGCHighThresholdPercent=95",
        ],
    );
    assert_eq!(o.status.code(), Some(1));
    let e = stderr(&o);
    assert!(e.contains("scenario.toml:20: --set kubelet.imageGCHighThresholdPercent=95: kubelet.imageGCHighThresholdPercent is an axis of this sweep"), "{e}");
}

/// `diff` of a 1Gi run against its `--set node.disk=2Gi` what-if. The 100Mi image costs
/// containerd 200Mi (blob and snapshot), so the least available is 1Gi - 200Mi = 864026624
/// bytes against 2Gi - 200Mi = 1937768448: +1073741824, i.e. +124.3 % (1073741824 /
/// 864026624 = 1.2427). Neither run decides anything (usage 19.5 % and 9.8 %, under every
/// threshold), so their decisions are the same.
#[test]
fn diff_lists_the_changed_metrics_and_same_decisions() {
    let f = common::write(GOOD, TRACE);
    let sc = f.scenario.to_str().unwrap();
    let d = f.dir.path();
    assert!(run_in(d, &["run", sc]).status.success());
    assert!(run_in(d, &["run", sc, "--set", "node.disk=2Gi"])
        .status
        .success());
    let o = run_in(d, &["diff", "output/cli", "output/cli+disk=2Gi"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let text = String::from_utf8_lossy(&o.stdout).into_owned();
    let row = text
        .lines()
        .find(|l| l.starts_with("min_available_bytes"))
        .unwrap_or_else(|| panic!("{text}"));
    let cells: Vec<&str> = row.split_whitespace().collect();
    assert_eq!(
        cells,
        [
            "min_available_bytes",
            "864026624",
            "1937768448",
            "+1073741824",
            "(+124.3%)"
        ]
    );
    assert!(text.contains("same decisions: 0 GC passes"), "{text}");
    for f in ["diff.txt", "diff.png"] {
        assert!(
            d.join("output/cli-vs-cli+disk=2Gi").join(f).is_file(),
            "{f}"
        );
    }
}

/// A 900Mi image on a CRI-O node (the snapshot alone counts) pulled at 10Mi/s from t = 0 is
/// on disk at 943718400 / 10485760 = 90 s exactly. On 1Gi that leaves 124Mi, 12.1 % < the
/// default imagefs.available 15 %: the eviction sync at 90 s (syncs every 10 s, after the
/// instant's other events) meets the threshold. On 2Gi (44 % used) nothing is ever decided.
/// So the decisions first differ at t = 90 s, the first decision of A, none of B.
#[test]
fn diff_finds_where_the_decisions_part() {
    let toml = GOOD
        .replace(
            "pull_bandwidth = \"10Mi\"",
            "pull_bandwidth = \"10Mi\"\nruntime = \"cri-o\"",
        )
        .replace("size = \"100Mi\"", "size = \"900Mi\"");
    let f = common::write(
        &toml,
        "time,action,pod,image\n0,create,p1,app:v1\n8m,delete,p1,\n",
    );
    let sc = f.scenario.to_str().unwrap();
    let d = f.dir.path();
    assert!(run_in(d, &["run", sc]).status.success());
    assert!(run_in(d, &["run", sc, "--set", "node.disk=2Gi"])
        .status
        .success());
    let o = run_in(
        d,
        &["diff", "output/cli", "output/cli+disk=2Gi", "--out", "cmp"],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let text = String::from_utf8_lossy(&o.stdout).into_owned();
    assert!(
        text.contains("decisions first differ at t = 90 s (decision 1 of "),
        "{text}"
    );
    assert!(text.contains(" / 0):"), "{text}");
    let (a, b) = text.split_once("  cli+disk=2Gi:").unwrap();
    assert!(a.contains("EvictionThresholdMet node/"), "{text}");
    assert!(b.contains("nothing then, nor after"), "{text}");
    assert!(d.join("cmp/diff.png").is_file());
    // Not run directories: a clear error, exit 1, nothing written.
    let o = run_in(d, &["diff", "output/cli", "nope", "--out", "cmp2"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("nope/summary.json"), "{}", stderr(&o));
    assert!(!d.join("cmp2").exists());
}

/// `diff` of two sweeps (node.disk = 1Gi, 2Gi; 2 replicates) where B has a what-if of
/// other_used = 100Mi: the same seeds run in both, so every replicate is paired. The trace
/// decides nothing at either size (at most 200Mi + 100Mi = 300Mi of 1Gi, 29 %), so the least
/// available drops by exactly 100Mi = 104857600 bytes at each point and replicate: the
/// per-seed differences are all −104857600, their spread 0, so the interval is ± 0 and the
/// change is beyond it at both points ("2 / 2"). Bytes read as the kubelet's size text:
/// −100.0 MiB. Sweeps over other axes are refused.
#[test]
fn diff_of_sweeps_pairs_replicates_by_seed() {
    let toml = format!("{GOOD}\n[sweep]\n\"node.disk\" = [\"1Gi\", \"2Gi\"]\nreplicates = 2\n");
    let f = common::write(&toml, TRACE);
    let sc = f.scenario.to_str().unwrap();
    let d = f.dir.path();
    for extra in [&[][..], &["--set", "node.other_used=100Mi"][..]] {
        let mut args = vec!["sweep", sc, "--threads", "1"];
        args.extend_from_slice(extra);
        let o = run_in(d, &args);
        assert!(o.status.success(), "{}", stderr(&o));
    }
    let o = run_in(
        d,
        &[
            "diff",
            "output/cli-sweep",
            "output/cli-sweep+other_used=100Mi",
            "--out",
            "sd",
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let text = String::from_utf8_lossy(&o.stdout).into_owned();
    assert!(text.starts_with("2 points in both ("), "{text}");
    assert!(text.contains("replicates paired by seed: 4 "), "{text}");
    assert!(
        text.contains("  min_available_bytes: 2 / 2; mean change -100.0 MiB\n"),
        "{text}"
    );
    let csv = std::fs::read_to_string(d.join("sd/sweep_diff.csv")).unwrap();
    let mut lines = csv.lines();
    let head: Vec<&str> = lines.next().unwrap().split(',').collect();
    let at = |name: &str| head.iter().position(|h| *h == name).unwrap();
    let rows: Vec<Vec<&str>> = lines.map(|l| l.split(',').collect()).collect();
    assert_eq!(rows.len(), 2, "{csv}");
    // 1Gi − 200Mi = 864026624 and 2Gi − 200Mi = 1937768448 at A; 100Mi less at B.
    for (row, disk, a) in [
        (&rows[0], "1Gi", 864026624.0),
        (&rows[1], "2Gi", 1937768448.0),
    ] {
        assert_eq!(row[0], disk);
        let num = |c: &str| row[at(c)].parse::<f64>().unwrap();
        assert_eq!(num("min_available_bytes_a_mean"), a);
        assert_eq!(num("min_available_bytes_b_mean"), a - 104857600.0);
        assert_eq!(num("min_available_bytes_delta"), -104857600.0);
        assert_eq!(num("min_available_bytes_delta_ci95"), 0.0);
        assert_eq!(row[at("min_available_bytes_paired")], "2");
    }
    assert!(d.join("sd/diff.txt").is_file());

    // A sweep over another axis: refused, nothing written.
    let other = format!("{GOOD}\n[sweep]\n\"kubelet.imageGCHighThresholdPercent\" = [85, 90]\n")
        .replace("name = \"cli\"", "name = \"other\"");
    std::fs::write(d.join("other.toml"), other).unwrap();
    assert!(run_in(d, &["sweep", "other.toml", "--threads", "1"])
        .status
        .success());
    let o = run_in(
        d,
        &[
            "diff",
            "output/cli-sweep",
            "output/other-sweep",
            "--out",
            "sd2",
        ],
    );
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains(
            "the sweeps have different axes (node.disk vs kubelet.imageGCHighThresholdPercent)"
        ),
        "{}",
        stderr(&o)
    );
    assert!(!d.join("sd2").exists());
}
