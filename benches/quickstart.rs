//! Speed of one single-node run: the quickstart workload repeated over 30 simulated days.
//!
//! Targets (issue 2): ≥ 5 million events/s and a 30-day run under 100 ms on one core, release.
//! Two variants: with no recorder (what a sweep point costs) and with in-memory recording of
//! every 10 s sample and every event (what `run` costs before file writing).
//!
//!     cargo bench --bench quickstart

use std::path::Path;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use imagefs_sim::engine::secs;
use imagefs_sim::outcome::{NullRecorder, VecRecorder};
use imagefs_sim::scenario::Scenario;
use imagefs_sim::sim::Simulation;
use imagefs_sim::workload::trace::{TraceAction, TraceEvent};

const WEEK: u64 = 7 * 24 * 3600;

/// The quickstart's one-week trace repeated back to back for `days` days (pod names get a
/// week suffix so each week's pods are new pods).
pub fn repeated(days: u64) -> Scenario {
    let mut sc = Scenario::load(Path::new("scenarios/quickstart.toml")).expect("quickstart loads");
    let week: Vec<TraceEvent> = sc.trace.to_vec();
    let mut trace: Vec<TraceEvent> = Vec::new();
    for w in 0..days.div_ceil(7) {
        for ev in &week {
            let time = ev.time + secs(w * WEEK);
            if time > secs(days * 24 * 3600) {
                continue;
            }
            let rename = |n: &str| format!("{n}-w{w}");
            let action = match &ev.action {
                TraceAction::Create(p) => {
                    let mut p = imagefs_sim::workload::trace::PodSpec::clone(p);
                    p.name = rename(&p.name);
                    TraceAction::Create(std::sync::Arc::new(p))
                }
                TraceAction::Complete(n) => TraceAction::Complete(rename(n)),
                TraceAction::Delete(n) => TraceAction::Delete(rename(n)),
            };
            trace.push(TraceEvent { time, action });
        }
    }
    // Pods the week leaves running are deleted at its end, so a long run does not pile up
    // hundreds of pods on one node (maxPods is 110).
    let mut alive: Vec<String> = Vec::new();
    for ev in &week {
        match &ev.action {
            TraceAction::Create(p) => alive.push(p.name.clone()),
            TraceAction::Delete(n) => alive.retain(|a| a != n),
            TraceAction::Complete(_) => {}
        }
    }
    for w in 0..days.div_ceil(7) {
        let time = secs((w + 1) * WEEK) - 1;
        if time <= secs(days * 24 * 3600) {
            for n in &alive {
                trace.push(TraceEvent {
                    time,
                    action: TraceAction::Delete(format!("{n}-w{w}")),
                });
            }
        }
    }
    // A pod deleted after the week's end overlaps the next week: keep rows in time order.
    trace.sort_by_key(|e| e.time);
    sc.trace = std::sync::Arc::new(trace);
    sc.duration = secs(days * 24 * 3600);
    sc
}

fn bench(c: &mut Criterion) {
    let sc = repeated(30);
    let events = Simulation::new(&sc).run(&mut NullRecorder).events_processed;
    eprintln!("30-day quickstart: {events} events per run");
    let mut g = c.benchmark_group("quickstart_30d");
    g.throughput(Throughput::Elements(events));
    g.sample_size(20);
    g.bench_function("no_recording", |b| {
        b.iter(|| Simulation::new(&sc).run(&mut NullRecorder))
    });
    g.bench_function("recording_in_memory", |b| {
        b.iter(|| {
            let mut rec = VecRecorder::default();
            Simulation::new(&sc).run(&mut rec);
            rec.samples.len()
        })
    });
    g.finish();

    // Issue 3's target: a 365-day run, eviction manager ticking every 10 s, under 1 s.
    let year = repeated(365);
    let events = Simulation::new(&year)
        .run(&mut NullRecorder)
        .events_processed;
    eprintln!("365-day quickstart: {events} events per run");
    let mut g = c.benchmark_group("quickstart_365d");
    g.throughput(Throughput::Elements(events));
    g.sample_size(10);
    g.bench_function("no_recording", |b| {
        b.iter(|| Simulation::new(&year).run(&mut NullRecorder))
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
