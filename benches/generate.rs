//! Speed of the synthetic workload generator: a trace of about 10^6 pod events (a Poisson
//! stream of one pod per second over 6 days, each created and deleted, plus a rollout, a cronjob
//! and a daemonset), streamed as CSV to a sink. Target (issue): under 5 s, memory proportional
//! to the catalog and the pods alive at once, not to the trace.
//!
//!     cargo bench --bench generate

use std::path::Path;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use imagefs_sim::scenario::Scenario;
use imagefs_sim::workload::synthetic::write_trace;

const SCENARIO: &str = r#"
name = "generate-bench"
duration = "6d"
seed = 1

[node]
disk = "500Gi"
pull_bandwidth = "100Mi"

[workload.synthetic]

[[workload.synthetic.family]]
name = "ci"
images = 200
base_layers = 2
app_layers = 3

[workload.synthetic.pods]
rate = 3600
diurnal_amplitude = 0.5
lifetime = "10m"
owner = "Job"
completes = false
writable_rate = "100Ki"
writable_cap = "1Gi"
log_rate = "1Ki"
request = "1Gi"

[[workload.synthetic.rollout]]
name = "api"
family = "ci"
every = "2h"
replicas = 5

[[workload.synthetic.cronjob]]
name = "nightly"
family = "ci"
every = "24h"

[[workload.synthetic.daemonset]]
name = "agent"
family = "ci"
"#;

fn bench(c: &mut Criterion) {
    // Catalog only: the trace is not collected.
    let dir = std::env::temp_dir().join(format!("imagefs-sim-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("generate-bench.toml");
    std::fs::write(&path, SCENARIO).unwrap();
    let sc = Scenario::load_without_synthetic_trace(Path::new(&path)).expect("scenario loads");
    let syn = sc.synthetic.clone().expect("synthetic");
    let events = syn.events().count() as u64;
    eprintln!("{events} trace events");
    let mut g = c.benchmark_group("generate");
    g.sample_size(10);
    g.throughput(Throughput::Elements(events));
    g.bench_function("events_1e6", |b| b.iter(|| syn.events().count()));
    g.bench_function("csv_1e6", |b| {
        b.iter(|| write_trace(std::io::sink(), "bench", syn.events()).unwrap())
    });
    g.finish();
    let _ = std::fs::remove_dir_all(&dir);
}

criterion_group!(benches, bench);
criterion_main!(benches);
