//! Speed of `fit` on a trace of about 10^6 events: 14 days of a pods stream at 1000 pods/h
//! (336,000 pods, each created, completed and deleted) over 300 images, with a cronjob, a
//! rollout and a DaemonSet. Target (issue 11): 10^6 events fitted in under 5 s. The trace is
//! generated in memory first (not timed).
//!
//!     cargo bench --bench fit

use std::path::Path;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use imagefs_sim::scenario::Scenario;
use imagefs_sim::workload::fit::fit;

const SCENARIO: &str = r#"name = "fit-bench"
duration = "14d"
seed = 3
[node]
disk = "100Ti"
pull_bandwidth = "1Gi"
[workload.synthetic]
pause_image = ""
[[workload.synthetic.family]]
name = "app"
images = 300
image_size = "300Mi"
image_size_sigma = 0.5
[workload.synthetic.pods]
rate = 1000
diurnal_amplitude = 0.4
zipf_alpha = 1.0
lifetime = "10m"
completes = true
ttl_after_finished = "1m"
owner = "Job"
[[workload.synthetic.cronjob]]
name = "backup"
family = "app"
every = "1h"
[[workload.synthetic.rollout]]
name = "web"
family = "app"
every = "6h"
[[workload.synthetic.daemonset]]
name = "agent"
family = "app"
"#;

fn bench(c: &mut Criterion) {
    let sc = Scenario::from_str(Path::new("fit-bench.toml"), SCENARIO).expect("scenario");
    let events = sc.trace.len();
    eprintln!("fit bench: {events} trace events");
    let mut g = c.benchmark_group("fit");
    g.sample_size(10);
    g.throughput(Throughput::Elements(events as u64));
    g.bench_function("fit_14d_1000_per_hour", |b| {
        b.iter(|| fit(&sc.trace, &sc.catalog).expect("fit"))
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
