//! Pod volumes at termination (the volume manager's teardown), every number by hand.

mod common;

const S: u64 = 1_000_000_000;

fn sample_at(rec: &imagefs_sim::outcome::VecRecorder, t: u64) -> &imagefs_sim::outcome::Sample {
    rec.samples.iter().find(|s| s.time == t * S).unwrap()
}

/// Two pods from t = 0 on a preloaded image, each writing 1 MB/s into its writable layer and
/// 1 MB/s into an emptyDir. `job` completes at 100 s (its container exits by itself): the
/// kubelet sees it at the next PLEG relist and the volume manager tears the emptyDir down
/// 1.2 s after the exit (101.2 s); its writable layer (100 MB) stays, since the pod object and
/// its one dead container remain (MaxPerPodContainer 1). `web` is deleted at 100 s: killed by
/// the kubelet, its emptyDir goes 200 ms later (100.2 s), its writable layer at the next
/// container GC run (every 60 s from t = 0: 120 s).
/// So at 100 s: emptyDir 200 MB, writable 200 MB; at 101 s: emptyDir 100 MB (job's), writable
/// 200 MB; at 102 s: emptyDir 0, writable 200 MB; at 120 s: writable 100 MB (job's).
#[test]
fn volumes_go_at_termination_writable_layers_at_container_gc() {
    let toml = r#"name = "volumes"
duration = "3m"
seed = 1
[node]
disk = "100Gi"
pull_bandwidth = "100Mi"
[output]
sample_interval = "1s"
[[layer]]
id = "l"
size = "10Mi"
[[image]]
name = "app:1"
layers = ["l"]
preloaded = true
[workload]
trace = "trace.csv"
"#;
    let trace = "time,action,pod,container,image,writable_rate,emptydir_rate,owner\n\
                 0,create,job,c,app:1,1000000,1000000,Job\n\
                 0,create,web,c,app:1,1000000,1000000,\n\
                 100,complete,job,,,,,\n\
                 100,delete,web,,,,,\n";
    let (_, rec) = common::run(toml, trace);
    let at = |t| {
        let s = sample_at(&rec, t);
        (s.emptydir_bytes, s.writable_bytes)
    };
    assert_eq!(at(100), (200_000_000, 200_000_000));
    assert_eq!(at(101), (100_000_000, 200_000_000));
    assert_eq!(at(102), (0, 200_000_000));
    assert_eq!(at(119), (0, 200_000_000));
    assert_eq!(at(120), (0, 100_000_000));
    assert_eq!(at(180), (0, 100_000_000));
}
