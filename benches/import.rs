//! Speed of `imagefs-sim import --events`: a `kubectl get events -o json` list of 10^5 kubelet
//! events (50,000 pods, each with one `Pulling` and one `Pulled … Image size: N bytes.` event,
//! 300 distinct images), written into a temporary directory, then imported into a scenario.
//! Target (issue): 10^6 events in under 5 s, memory proportional to the catalog.
//!
//! On the issue's 10^6-event file (437 MB; 500,000 pods, 300 images; not in time order),
//! `imagefs-sim import --events … --node n1` took 9.4–10.7 s and 586 MB max RSS before the
//! events were interpreted as they are read; then 2.6–3.2 s and 88 MB (~150 bytes per pod);
//! with pods and trace rows sorted on disk, 3.1–3.7 s and 30 MB (runs written in the reading
//! thread), and 36 MB on a 2× file (10^6 pods; 8.6 s with the earlier writer threads). What still grows is 16 bytes per timed pull (the bandwidth's median).
//!
//!     cargo bench --bench import

use std::io::Write;
use std::path::Path;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use imagefs_sim::workload::import::{run, ImportOptions};

const PODS: usize = 50_000;

/// The same events as the issue's generator script, for `pods` pods.
fn write_events(path: &Path, pods: usize) {
    let f = std::fs::File::create(path).expect("create events file");
    let mut out = std::io::BufWriter::new(f);
    out.write_all(br#"{"apiVersion":"v1","kind":"List","items":["#)
        .unwrap();
    for i in 0..pods {
        let ts = format!(
            "2026-11-27T{:02}:{:02}:{:02}Z",
            (i / 3600) % 24,
            (i / 60) % 60,
            i % 60
        );
        let img = format!("repo/app:{}", i % 300);
        let msgs = [
            ("Pulling", format!("Pulling image \\\"{img}\\\"")),
            (
                "Pulled",
                format!(
                    "Successfully pulled image \\\"{img}\\\" in 1.2s (1.5s including waiting). Image size: {} bytes.",
                    10_000_000 + i % 300
                ),
            ),
        ];
        for (j, (reason, msg)) in msgs.iter().enumerate() {
            if i > 0 || j > 0 {
                out.write_all(b",").unwrap();
            }
            write!(
                out,
                r#"{{"metadata": {{"name": "p{i}.{j}", "namespace": "default"}}, "involvedObject": {{"kind": "Pod", "name": "p{i}", "namespace": "default", "fieldPath": "spec.containers{{c}}"}}, "reason": "{reason}", "message": "{msg}", "source": {{"component": "kubelet", "host": "n1"}}, "firstTimestamp": "{ts}", "lastTimestamp": "{ts}", "count": 1, "type": "Normal"}}"#
            )
            .unwrap();
        }
    }
    out.write_all(b"]}").unwrap();
    out.flush().unwrap();
}

fn bench(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("temp dir");
    let events = dir.path().join("events.json");
    write_events(&events, PODS);
    let mut g = c.benchmark_group("import");
    g.sample_size(10);
    g.throughput(Throughput::Elements(2 * PODS as u64));
    g.bench_function("events_1e5", |b| {
        let mut n = 0usize;
        b.iter(|| {
            n += 1;
            let out = dir.path().join(format!("out{n}"));
            let mut opts = ImportOptions::new(&out);
            opts.events = Some(events.clone());
            opts.node = Some("n1".into());
            let rep = run(&opts).expect("import");
            std::fs::remove_dir_all(&out).ok();
            rep
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
