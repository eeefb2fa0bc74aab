//! Golden runs: every scenario shipped in `scenarios/` is run as `run` runs it, and its
//! `summary.json` (the whole file, byte for byte) and a digest of its `events.csv` are compared
//! with the files under `tests/golden/<scenario>/`. A scenario with a `[sweep]` also has its
//! sweep outputs pinned (`sweep.csv`, `sweep_summary.csv`, `skipped.csv` and, with a `[goal]`,
//! `recommendation.json`, whole), under `tests/golden/<scenario>/sweep/`. The README's
//! quickstart block is checked against what `run` prints for the quickstart.
//!
//! Regenerate every golden file with
//!
//! ```text
//! UPDATE_GOLDEN=1 cargo test --test golden
//! ```
//!
//! A change to a golden file is a reviewed change: the commit that makes it says why the
//! numbers moved (a model fix, a new kubelet rule, a scenario edit). `events_processed` may move
//! with an exact shortcut (fewer no-op events); nothing else should move without a reason.
//!
//! Each scenario is its own test, so they run in parallel; `every_scenario_has_a_golden_test`
//! fails when a scenario is added without one.

use std::fs;
use std::path::{Path, PathBuf};

use imagefs_sim::scenario::Scenario;
use imagefs_sim::sweep::{run_sweep, SweepOptions, SweepSpec};

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn updating() -> bool {
    std::env::var_os("UPDATE_GOLDEN").is_some_and(|v| !v.is_empty() && v != "0")
}

/// FNV-1a, 64 bits: a digest with no dependency, enough to notice any change.
fn fnv1a64(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in bytes {
        h ^= b as u64;
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

/// The digest line of a file: FNV-1a, byte count and line count (the counts make a diff of the
/// golden file say something about how the output moved).
fn digest(bytes: &[u8]) -> String {
    format!(
        "fnv1a64={:016x} bytes={} lines={}\n",
        fnv1a64(bytes),
        bytes.len(),
        bytes.iter().filter(|&&b| b == b'\n').count()
    )
}

/// Compares `actual` with the golden file `golden/<rel>`, or writes it when updating.
fn check(rel: &str, actual: &[u8], failures: &mut Vec<String>) {
    let path = root().join("tests/golden").join(rel);
    if updating() {
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(&path, actual).unwrap();
        return;
    }
    match fs::read(&path) {
        Err(_) => failures.push(format!(
            "{rel}: no golden file (run `UPDATE_GOLDEN=1 cargo test --test golden`)"
        )),
        Ok(want) if want != actual => failures.push(format!(
            "{rel} differs from the golden file:\n{}",
            line_diff(&want, actual)
        )),
        Ok(_) => {}
    }
}

/// The first few lines that differ, by line number (golden, then now).
fn line_diff(want: &[u8], now: &[u8]) -> String {
    let (w, n) = (String::from_utf8_lossy(want), String::from_utf8_lossy(now));
    let (w, n): (Vec<&str>, Vec<&str>) = (w.lines().collect(), n.lines().collect());
    let mut out = Vec::new();
    for i in 0..w.len().max(n.len()) {
        let (a, b) = (w.get(i).copied(), n.get(i).copied());
        if a != b {
            out.push(format!(
                "  line {}:\n    golden: {}\n    now:    {}",
                i + 1,
                a.unwrap_or("(none)"),
                b.unwrap_or("(none)")
            ));
        }
        if out.len() == 8 {
            out.push("  …".into());
            break;
        }
    }
    if out.is_empty() {
        out.push("  (same lines, different bytes: line endings?)".into());
    }
    out.join("\n")
}

fn is_sweep(path: &Path) -> bool {
    let doc: toml::Table = toml::from_str(&fs::read_to_string(path).unwrap()).unwrap();
    doc.contains_key("sweep")
}

/// Runs `scenarios/<name>.toml` as `run` does (its base point for a sweep file), and its sweep
/// if it has one, and checks every pinned output.
fn golden(name: &str) {
    let file = root().join("scenarios").join(format!("{name}.toml"));
    let mut failures = Vec::new();
    // Loaded by a relative path, as a user types it (tests run in the package root), so that
    // summary.json's `scenario_path` is the same on every machine.
    let rel = Path::new("scenarios").join(format!("{name}.toml"));
    let sc = Scenario::load(&rel).unwrap_or_else(|e| panic!("{e}"));
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("run");
    imagefs_sim::runner::run_to_dir(&sc, &out).unwrap();
    check(
        &format!("{name}/summary.json"),
        &fs::read(out.join("summary.json")).unwrap(),
        &mut failures,
    );
    check(
        &format!("{name}/events.csv.digest"),
        digest(&fs::read(out.join("events.csv")).unwrap()).as_bytes(),
        &mut failures,
    );
    if is_sweep(&file) {
        let spec = SweepSpec::load(&file).unwrap_or_else(|e| panic!("{e}"));
        let sweep_out = tmp.path().join("sweep");
        let mut o = SweepOptions::new(&sweep_out);
        o.threads = Some(2);
        run_sweep(&spec, &o).unwrap();
        let mut files = vec!["sweep.csv", "sweep_summary.csv", "skipped.csv"];
        if spec.goal.is_some() {
            files.push("recommendation.json");
        }
        for f in files {
            check(
                &format!("{name}/sweep/{f}"),
                &fs::read(sweep_out.join(f)).unwrap(),
                &mut failures,
            );
        }
    }
    assert!(failures.is_empty(), "{name}:\n{}", failures.join("\n"));
}

macro_rules! golden_tests {
    ($($test:ident => $name:literal,)*) => {
        $(
            #[test]
            fn $test() {
                golden($name);
            }
        )*
        const PINNED: &[&str] = &[$($name),*];
    };
}

golden_tests! {
    big_ml_images => "big-ml-images",
    ci_churn => "ci-churn",
    ci_fresh_builds => "ci-fresh-builds",
    cronjob_vs_maxage => "cronjob-vs-maxage",
    daemonset_pressure => "daemonset-pressure",
    disk_size => "disk-size",
    gc_vs_eviction => "gc-vs-eviction",
    quickstart => "quickstart",
    seed_article => "seed-article",
    tune_thresholds => "tune-thresholds",
}

#[test]
fn every_scenario_has_a_golden_test() {
    let mut names: Vec<String> = fs::read_dir(root().join("scenarios"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .map(|p| p.file_stem().unwrap().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(
        names, PINNED,
        "add the new scenario to golden_tests! and run UPDATE_GOLDEN=1 cargo test --test golden"
    );
}

/// The fenced block after "The run prints:" in README.md's quickstart section.
fn readme_quickstart_block() -> String {
    let readme = fs::read_to_string(root().join("README.md")).unwrap();
    let at = readme
        .find("## Reading a run: the quickstart")
        .expect("README has the quickstart section");
    let rest = &readme[at..];
    let open = rest.find("```\n").expect("a fenced block") + 4;
    let close = open + rest[open..].find("```").expect("its end");
    rest[open..close].trim_end().to_string()
}

#[test]
fn readme_quickstart_block_is_what_run_prints() {
    let file: PathBuf = root().join("scenarios/quickstart.toml");
    let sc = Scenario::load(&file).unwrap_or_else(|e| panic!("{e}"));
    let s = imagefs_sim::sim::Simulation::new(&sc).run(&mut imagefs_sim::outcome::NullRecorder);
    assert_eq!(
        imagefs_sim::report::console::run_summary(&sc.name, &s),
        readme_quickstart_block(),
        "README.md's quickstart block no longer matches `run scenarios/quickstart.toml`"
    );
}
