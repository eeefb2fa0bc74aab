//! Stable fuzz tests: the entry points of `fuzz/entry.rs` (the cargo-fuzz targets' code) on
//! mutated real inputs — the shipped scenarios, catalogs and traces, the import fixtures, a real
//! journal — with a bounded case count, so `cargo test` runs them on every change. A mutation is
//! a byte flipped, inserted or deleted, a span duplicated or cut, or an "interesting" token
//! (huge numbers, binary suffixes, a BOM, NaN) spliced in. Each case must end without a panic,
//! and every error must name the input file in the project's words (see `fuzz/entry.rs`).

#[path = "../fuzz/entry.rs"]
mod entry;

use std::path::Path;

use proptest::prelude::*;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn read(rel: &str) -> Vec<u8> {
    std::fs::read(root().join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

/// Real inputs of each kind, the starting points of the mutations.
fn seeds(kind: &str) -> Vec<Vec<u8>> {
    let mut v: Vec<Vec<u8>> = match kind {
        "scenario" => [
            "scenarios/ci-churn.toml",
            "scenarios/cronjob-vs-maxage.toml",
            "scenarios/daemonset-pressure.toml",
            "scenarios/big-ml-images.toml",
        ]
        .iter()
        .map(|f| read(f))
        .chain([entry::SCENARIO.as_bytes().to_vec()])
        .collect(),
        "catalog" => vec![
            read("scenarios/data/quickstart.catalog.toml"),
            read("scenarios/data/gc-vs-eviction.catalog.toml"),
            entry::CATALOG.as_bytes().to_vec(),
        ],
        "trace" => vec![
            entry::TRACE.as_bytes().to_vec(),
            b"time,action,pod,container,image,pull_policy,writable_rate,writable_cap,log_rate,log_cap,request,limit,emptydir_rate,emptydir_limit,priority,tgps,critical,owner\n0,create,p1,c1,app:v1,Always,1Mi,100Mi,10Ki,10Mi,100Mi,1Gi,1Ki,10Mi,5,30,true,ReplicaSet\n0,create,p1,c2,app:v1,,,,,,,,,,,,,\n60,complete,p1,,,,,,,,,,,,,,,\n120,delete,p1,,,,,,,,,,,,,,,\n".to_vec(),
        ],
        "units" => ["100Mi", "1.5G", "8Ei", "7Ei", "1e3", "0.1Ki", "-1", "10%", "15.5%", "1h30m", "2d", "1.5s", "300ms", "9223372036854775807", "1000E", "0.000000001"]
            .iter()
            .map(|s| s.as_bytes().to_vec())
            .collect(),
        "sweep_spec" => vec![
            read("scenarios/tune-thresholds.toml"),
            read("scenarios/disk-size.toml"),
        ],
        // The first three lines of a journal `sweep scenarios/tune-thresholds.toml` wrote.
        "journal" => vec![read("tests/fixtures/sweep/journal.jsonl")],
        "import_summary" => ["summary-shared.json", "summary-split.json", "summary-dedicated.json"]
            .iter()
            .map(|f| read(&format!("tests/fixtures/import/{f}")))
            .collect(),
        "import_images" => ["crictl-images-containerd.json", "crictl-images-docker-old.json", "node.json", "nodes-list.json"]
            .iter()
            .map(|f| read(&format!("tests/fixtures/import/{f}")))
            .collect(),
        "import_events" => ["events.json", "events-gc-wordings.yaml", "event-single.yaml"]
            .iter()
            .map(|f| read(&format!("tests/fixtures/import/{f}")))
            .collect(),
        "import_configz" => ["configz.json", "kubelet-config-eks.json", "kubelet-config-kind.yaml", "kubelet-config-configmap.yaml"]
            .iter()
            .map(|f| read(&format!("tests/fixtures/import/{f}")))
            .collect(),
        "import_containerd_config" => ["containerd-config-v2-1.7.toml", "containerd-config-v3-2.x.toml", "containerd-config-eks-al2023.toml", "containerd-config-v1.toml"]
            .iter()
            .map(|f| read(&format!("tests/fixtures/import/{f}")))
            .collect(),
        "import_imagefsinfo" => ["imagefsinfo-containerd.json", "imagefsinfo-containerd-old.json", "imagefsinfo-crio-split.json"]
            .iter()
            .map(|f| read(&format!("tests/fixtures/import/{f}")))
            .collect(),
        "import_node_object" => ["node.json", "node-crio.json", "node-list-one.json", "nodes-list.json"]
            .iter()
            .map(|f| read(&format!("tests/fixtures/import/{f}")))
            .collect(),
        // validate --observed: Prometheus replies (one mountpoint with sizes, two mountpoints)
        // and Summary replies (JSON lines, a pretty-printed array).
        "observed" => ["prometheus-avail-size.json", "prometheus-two-mountpoints.json", "summary-lines.jsonl", "summary-array.json"]
            .iter()
            .map(|f| read(&format!("tests/fixtures/validate/{f}")))
            .collect(),
        other => panic!("no seeds for {other}"),
    };
    v.retain(|s| !s.is_empty());
    v
}

const TOKENS: &[&str] = &[
    "9223372036854775808",
    "18446744073709551616",
    "-9223372036854775809",
    "1e308",
    "nan",
    "inf",
    "8Ei",
    "16Ei",
    "999999999999h",
    "1ns",
    "0",
    "-1",
    "\u{feff}",
    "\"",
    "[[",
    "]]",
    "{",
    "}",
    ",",
    "\n",
    "=",
    "%",
    "\\",
    "\u{0}",
    "null",
    "[]",
    "{}",
];

#[derive(Debug, Clone)]
enum Mutation {
    Flip(usize, u8),
    Insert(usize, u8),
    Delete(usize, usize),
    Duplicate(usize, usize),
    Token(usize, usize),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        (any::<usize>(), any::<u8>()).prop_map(|(p, b)| Mutation::Flip(p, b)),
        (any::<usize>(), any::<u8>()).prop_map(|(p, b)| Mutation::Insert(p, b)),
        (any::<usize>(), 1usize..64).prop_map(|(p, n)| Mutation::Delete(p, n)),
        (any::<usize>(), 1usize..256).prop_map(|(p, n)| Mutation::Duplicate(p, n)),
        (any::<usize>(), 0..TOKENS.len()).prop_map(|(p, t)| Mutation::Token(p, t)),
        (any::<usize>(), 0..TOKENS.len()).prop_map(|(p, t)| Mutation::Token(p, t)),
    ]
}

fn apply(mut data: Vec<u8>, ms: &[Mutation]) -> Vec<u8> {
    for m in ms {
        let len = data.len();
        let at = |p: usize| if len == 0 { 0 } else { p % (len + 1) };
        match *m {
            Mutation::Flip(p, b) if len > 0 => data[p % len] ^= b | 1,
            Mutation::Flip(..) => {}
            Mutation::Insert(p, b) => data.insert(at(p), b),
            Mutation::Delete(p, n) => {
                let s = at(p);
                let e = (s + n).min(len);
                data.drain(s..e);
            }
            Mutation::Duplicate(p, n) => {
                let s = at(p);
                let e = (s + n).min(len);
                let span = data[s..e].to_vec();
                data.splice(e..e, span);
            }
            Mutation::Token(p, t) => {
                // Replace the token-sized span at p (a value, often) with the token.
                let s = at(p);
                let e = data[s..]
                    .iter()
                    .position(|b| matches!(b, b',' | b'\n' | b'"' | b' '))
                    .map_or(len, |i| s + i);
                data.splice(s..e, TOKENS[t].bytes());
            }
        }
    }
    data
}

fn fuzz_kind(kind: &str, cases: u32) {
    let seeds = seeds(kind);
    let dir = tempfile::tempdir().unwrap();
    let sb = entry::Sandbox::new(dir.path());
    let mut runner = proptest::test_runner::TestRunner::new(ProptestConfig {
        cases,
        failure_persistence: None,
        ..ProptestConfig::default()
    });
    let strategy = (0..seeds.len(), proptest::collection::vec(mutation(), 1..6));
    runner
        .run(&strategy, |(i, ms)| {
            let data = apply(seeds[i].clone(), &ms);
            let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                entry::run(&sb, kind, &data)
            }));
            prop_assert!(
                r.is_ok(),
                "{kind}: failed on:\n{}",
                String::from_utf8_lossy(&data)
            );
            Ok(())
        })
        .unwrap_or_else(|e| panic!("{e}"));
}

/// Inputs the cargo-fuzz targets once failed on (tests/fixtures/fuzz/<kind>-<what>), kept as
/// regressions: each must now pass its entry point.
#[test]
fn fuzz_findings_stay_fixed() {
    let dir = tempfile::tempdir().unwrap();
    let sb = entry::Sandbox::new(dir.path());
    let mut n = 0;
    for e in std::fs::read_dir(root().join("tests/fixtures/fuzz")).unwrap() {
        let p = e.unwrap().path();
        let name = p.file_name().unwrap().to_string_lossy().into_owned();
        let kind = entry::KINDS
            .iter()
            .filter(|k| name.starts_with(&format!("{k}-")))
            .max_by_key(|k| k.len())
            .unwrap_or_else(|| panic!("{name}: no entry point of that name"));
        entry::run(&sb, kind, &std::fs::read(&p).unwrap());
        n += 1;
    }
    assert!(n > 0);
}

#[test]
fn seeds_themselves_pass() {
    let dir = tempfile::tempdir().unwrap();
    let sb = entry::Sandbox::new(dir.path());
    for kind in entry::KINDS {
        for s in seeds(kind) {
            entry::run(&sb, kind, &s);
        }
    }
}

macro_rules! fuzz_tests {
    ($($name:ident: $kind:literal, $cases:expr;)*) => {$(
        #[test]
        fn $name() {
            fuzz_kind($kind, $cases);
        }
    )*};
}

fuzz_tests! {
    fuzz_scenario: "scenario", 300;
    fuzz_catalog: "catalog", 300;
    fuzz_trace: "trace", 400;
    fuzz_units: "units", 2000;
    fuzz_sweep_spec: "sweep_spec", 150;
    fuzz_journal: "journal", 400;
    fuzz_import_summary: "import_summary", 300;
    fuzz_import_images: "import_images", 300;
    fuzz_import_events: "import_events", 300;
    fuzz_import_configz: "import_configz", 300;
    fuzz_import_containerd_config: "import_containerd_config", 300;
    fuzz_import_imagefsinfo: "import_imagefsinfo", 300;
    fuzz_import_node_object: "import_node_object", 300;
    fuzz_observed: "observed", 300;
}
