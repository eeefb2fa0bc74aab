//! The entry points fuzzed, shared by the cargo-fuzz targets (`fuzz/fuzz_targets/*.rs`, nightly)
//! and the stable proptest fuzz tests (`tests/fuzz_inputs.rs`, part of `cargo test`).
//!
//! Each takes arbitrary bytes as the content of one input file, hands them to the parser that
//! reads that kind of file (and, when the input is accepted and small, runs what it describes),
//! and checks what a user would: no panic (a panic *is* the finding), and every error names the
//! input file, in the project's words rather than a library's internal type names. A violation
//! panics, so both harnesses report it the same way.

#![allow(dead_code)]

use std::path::{Path, PathBuf};

use imagefs_sim::error::InputError;
use imagefs_sim::outcome::NullRecorder;
use imagefs_sim::scenario::Scenario;
use imagefs_sim::sim::Simulation;

/// Texts an error message must never contain: a library's internal names, a temp file.
pub const FORBIDDEN: &[&str] = &[
    "NumOrStr",
    "untagged enum",
    "expected i64",
    "expected u64",
    "borrowed string",
    ".tmp-",
];

/// The input kinds, by name (the fuzz target names).
pub const KINDS: &[&str] = &[
    "scenario",
    "catalog",
    "trace",
    "units",
    "sweep_spec",
    "journal",
    "import_summary",
    "import_images",
    "import_events",
    "import_configz",
    "import_containerd_config",
    "import_imagefsinfo",
    "import_node_object",
    "observed",
];

/// A directory holding a valid catalog and trace beside the fuzzed file, so that a fuzzed
/// scenario can reach its `[workload]` files, and a fuzzed catalog or trace has a scenario.
pub struct Sandbox {
    pub dir: PathBuf,
}

pub const CATALOG: &str =
    "[[layer]]\nid = \"l1\"\nsize = \"100Mi\"\n[[image]]\nname = \"app:v1\"\nlayers = [\"l1\"]\n";
pub const TRACE: &str = "time,action,pod,image\n0,create,p1,app:v1\n5m,delete,p1,\n";
pub const SCENARIO: &str = "name = \"base\"\nduration = \"10m\"\nseed = 1\n[node]\ndisk = \"1Gi\"\npull_bandwidth = \"10Mi\"\n[kubelet]\nimageGCHighThresholdPercent = 85\nimageGCLowThresholdPercent = 80\n[workload]\ntrace = \"trace.csv\"\ncatalog = \"catalog.toml\"\n";

impl Sandbox {
    pub fn new(dir: &Path) -> Sandbox {
        std::fs::create_dir_all(dir).unwrap();
        Sandbox {
            dir: dir.to_path_buf(),
        }
    }

    /// Writes the base files, then `name` with `data`; returns its path.
    fn put(&self, name: &str, data: &[u8]) -> PathBuf {
        for (n, text) in [
            ("scenario.toml", SCENARIO),
            ("catalog.toml", CATALOG),
            ("trace.csv", TRACE),
        ] {
            std::fs::write(self.dir.join(n), text).unwrap();
        }
        let p = self.dir.join(name);
        std::fs::write(&p, data).unwrap();
        p
    }
}

/// Checks an error message: it names `file` and carries no internal names (unless the input
/// itself holds that text: a message may quote what the user wrote).
pub fn check_message(file: &Path, msg: &str, input: &[u8]) {
    let name = file.file_name().unwrap().to_string_lossy();
    assert!(
        msg.contains(name.as_ref()),
        "the error does not name {name}: {msg}"
    );
    let input = String::from_utf8_lossy(input);
    for f in FORBIDDEN {
        assert!(
            !msg.contains(f) || input.contains(f),
            "the error has {f:?}: {msg}"
        );
    }
}

fn check_err(file: &Path, e: &InputError, input: &[u8]) {
    check_message(file, &e.to_string(), input);
}

/// Runs an accepted scenario when it is small enough to run in a moment.
fn run_small(sc: &Scenario) {
    const DAY: u64 = 86_400_000_000_000;
    if sc.duration <= DAY && sc.trace.len() <= 10_000 && sc.catalog.layers.len() <= 10_000 {
        Simulation::new(sc)
            .run_checked(&mut NullRecorder)
            .unwrap_or_else(|e| panic!("an invariant broke: {e}"));
    }
}

/// Runs entry point `kind` on `data`.
pub fn run(sb: &Sandbox, kind: &str, data: &[u8]) {
    match kind {
        "scenario" => scenario_file(sb, "scenario.toml", data),
        "catalog" => scenario_file(sb, "catalog.toml", data),
        "trace" => scenario_file(sb, "trace.csv", data),
        "units" => units(data),
        "sweep_spec" => sweep_spec(sb, data),
        "journal" => journal(sb, data),
        "import_summary" => {
            let p = sb.put("summary.json", data);
            if let Err(e) = imagefs_sim::workload::import::summary::parse_summary(&p) {
                check_err(&p, &e, data);
            }
        }
        "import_images" => {
            let p = sb.put("images.json", data);
            if let Err(e) = imagefs_sim::workload::import::images::parse_images(&p, None) {
                check_err(&p, &e, data);
            }
        }
        "import_events" => {
            let p = sb.put("events.json", data);
            if let Err(e) = imagefs_sim::workload::import::events::parse_events(&p, None) {
                check_err(&p, &e, data);
            }
        }
        "import_containerd_config" => {
            let p = sb.put("config.toml", data);
            if let Err(e) =
                imagefs_sim::workload::import::containerd_config::parse_containerd_config(&p)
            {
                check_err(&p, &e, data);
            }
        }
        "import_imagefsinfo" => {
            let p = sb.put("imagefsinfo.json", data);
            if let Err(e) = imagefs_sim::workload::import::imagefsinfo::parse_imagefsinfo(&p) {
                check_err(&p, &e, data);
            }
        }
        "import_node_object" => {
            let p = sb.put("node.json", data);
            if let Err(e) = imagefs_sim::workload::import::node_object::parse_node_object(&p, None)
            {
                check_err(&p, &e, data);
            }
        }
        "import_configz" => {
            let p = sb.put("configz.json", data);
            if let Err(e) = imagefs_sim::workload::import::configz::parse_kubelet_config(&p) {
                check_err(&p, &e, data);
            }
        }
        "observed" => observed(sb, data),
        other => panic!("no entry point {other:?}"),
    }
}

/// `data` as one of the scenario's three files (the others valid): load, check, run if small.
fn scenario_file(sb: &Sandbox, name: &str, data: &[u8]) {
    let p = sb.put(name, data);
    let scenario = sb.dir.join("scenario.toml");
    match Scenario::load(&scenario) {
        Ok(sc) => run_small(&sc),
        // The fuzzed file or another that it makes wrong (a catalog too big for the disk is
        // reported at the scenario's node.disk).
        Err(e) => {
            let msg = e.to_string();
            let named = ["scenario.toml", "catalog.toml", "trace.csv"]
                .iter()
                .find(|n| msg.contains(*n))
                .unwrap_or_else(|| panic!("the error names none of the files: {msg}"));
            let _ = p;
            check_message(&sb.dir.join(named), &msg, data);
        }
    }
}

/// Every unit parser on the text, and the round trips that must hold on what they accept.
fn units(data: &[u8]) {
    use imagefs_sim::units::*;
    let Ok(s) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(b) = parse_bytes(s) {
        assert!(b <= i64::MAX as u64, "{s:?} parsed to {b} bytes");
    }
    // Past i64 the value saturates and apimachinery's String() has quirks of its own ("1000E"
    // prints as "1": no SI prefix for 10^21), so the round trip holds below that; and negative
    // fractions round differently on apimachinery's two paths (the inf.Dec one gives trunc + 1:
    // "-3202555555555555533552E22555555555533", whose exponent wraps as int32 as in Go, is a
    // tiny negative number of Value() 1, printed "-1e-9", whose Value() is -1), so the round
    // trip is for values >= 0.
    if let Ok(q) = Quantity::parse(s)
        .map(|q| (q.value(), q))
        .and_then(|(v, q)| {
            if v == i64::MAX || v == i64::MIN || q.is_negative() {
                Err(UnitError::QuantityFormat)
            } else {
                Ok(q)
            }
        })
    {
        let text = q.to_string();
        let back = Quantity::parse(&text)
            .unwrap_or_else(|e| panic!("{s:?} prints as {text:?}, which does not parse: {e}"));
        assert_eq!(back.value(), q.value(), "{s:?} -> {text:?}");
    }
    for ns in [parse_go_duration(s), parse_sim_duration(s)]
        .into_iter()
        .flatten()
    {
        let text = format_go_duration(ns);
        assert_eq!(
            parse_go_duration(&text),
            Ok(ns),
            "{s:?} = {ns} ns prints as {text:?}"
        );
    }
    if let Ok(p) = parse_percentage(s) {
        // Go's ParseFloat takes "nan" in any case ("nAn%" too): NaN only from such a text.
        assert!(
            !p.is_nan() || s.to_ascii_lowercase().contains("nan"),
            "{s:?}"
        );
    }
}

/// A scenario with a `[sweep]`: the spec, its axes, and its first point.
fn sweep_spec(sb: &Sandbox, data: &[u8]) {
    let p = sb.put("sweep.toml", data);
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    match imagefs_sim::sweep::SweepSpec::from_str(&p, text) {
        Ok(spec) => {
            if let Err(e) = spec.check_axes() {
                check_err(&p, &e, data);
                return;
            }
            if spec.points() > 0 {
                if let Ok(sc) = spec.scenario(0, 0) {
                    run_small(&sc);
                }
            }
        }
        Err(e) => check_err(&p, &e, data),
    }
}

fn journal(sb: &Sandbox, data: &[u8]) {
    let p = sb.put("journal.jsonl", data);
    if let Err(e) = imagefs_sim::sweep::journal::read(&p) {
        check_err(&p, &e.into_inner(), data);
    }
}

/// `validate --observed`'s file (a Prometheus reply or Summary replies), with and without a
/// mountpoint: an accepted series is in time order, within its own sizes and the limits.
fn observed(sb: &Sandbox, data: &[u8]) {
    use imagefs_sim::observed::{read_observed, MAX_SAMPLES};
    let p = sb.put("obs.json", data);
    for mount in [None, Some("/var/lib/containerd")] {
        match read_observed(&p, mount) {
            Ok(o) => {
                assert!(!o.samples.is_empty() && o.samples.len() <= MAX_SAMPLES);
                assert!(o.samples.windows(2).all(|w| w[0].time_ns <= w[1].time_ns));
                for s in &o.samples {
                    assert!(s.time_ns >= 0 && s.available_bytes <= i64::MAX as u64);
                    if let Some(c) = s.capacity_bytes {
                        assert!(c > 0 && s.available_bytes <= c, "{s:?}");
                    }
                }
            }
            Err(e) => check_err(&p, &e, data),
        }
    }
}
