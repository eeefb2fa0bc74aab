//! End-to-end eviction scenarios (issue: eviction manager), with outcomes worked out by hand.

mod common;

use imagefs_sim::outcome::EventRow;

const S: u64 = 1_000_000_000;

/// The DiskPressure transitions: (second, NodeHasDiskPressure or NodeHasNoDiskPressure).
fn pressure_changes(events: &[EventRow]) -> Vec<(u64, &str)> {
    events
        .iter()
        .filter(|e| e.reason.starts_with("NodeHas"))
        .map(|e| (e.time / S, e.reason))
        .collect()
}

fn at(events: &[EventRow], reason: &str) -> Vec<(u64, String, String)> {
    events
        .iter()
        .filter(|e| e.reason == reason)
        .map(|e| (e.time / S, e.object.clone(), e.message.clone()))
        .collect()
}

// ---- (a) kubernetes#124868: the default 85 % GC threshold against imagefs.available<15% ----

/// A 10 GB containerd-like disk: 5 GB of other data, an app (1 GB image, writable layer growing
/// 1 MB/s to 600 MB, request 100Mi, owned by a ReplicaSet) and a CI job every 3 minutes that
/// pulls its own 400 MB image and is deleted 40 s later. Default evictionHard
/// (imagefs.available<15%) with a 2Gi minimum reclaim, as many managed node pools set.
fn collision(high: u32, low: u32, duration: &str) -> (String, String) {
    let mut toml = format!(
        r#"name = "collide-{high}"
duration = "{duration}"
seed = 1
[node]
disk = 10000000000
other_used = 5000000000
pull_bandwidth = 100000000
image_size_reporting = "unpacked"
[kubelet]
imageGCHighThresholdPercent = {high}
imageGCLowThresholdPercent = {low}
evictionMinimumReclaim = {{ "imagefs.available" = "2Gi" }}
[[layer]]
id = "app"
size = 1000000000
[[image]]
name = "app:1"
layers = ["app"]
preloaded = true
"#
    );
    let mut trace = String::from(
        "time,action,pod,container,image,writable_rate,writable_cap,request,owner\n\
         0,create,app,app,app:1,1000000,600000000,100Mi,ReplicaSet\n",
    );
    for i in 0..40 {
        toml += &format!("[[layer]]\nid = \"ci{i}\"\nsize = 400000000\n[[image]]\nname = \"ci:{i}\"\nlayers = [\"ci{i}\"]\n");
        let t = 60 + i * 180;
        trace += &format!(
            "{t},create,ci-{i},build,ci:{i},0,,,Job\n{},delete,ci-{i},,,,,,\n",
            t + 40
        );
    }
    toml += "[workload]\ntrace = \"trace.csv\"\n";
    (toml, trace)
}

#[test]
fn gc_at_85_collides_with_eviction_at_15_percent_gc_at_75_does_not() {
    // GC 75/70: the base (5 GB other + 1 GB image + 0.6 GB writable = 66 %) plus at most one
    // 5-minute period of CI images (two 400 MB images, 8 %) stays under 85 %: the periodic GC
    // keeps the cache small (it fails to reach 70 %, since 66 % is in use, but frees every
    // unused image) and the eviction manager never acts.
    let (toml, trace) = collision(75, 70, "2h");
    let (s75, rec75) = common::run(&toml, &trace);
    assert_eq!(
        (
            s75.evictions,
            s75.admission_rejections,
            s75.disk_pressure_seconds
        ),
        (0, 0, 0)
    );
    assert_eq!(s75.eviction_gc_images_deleted, 0);
    assert!(s75.gc_triggered > 0 && s75.images_deleted > 0);
    assert!(at(&rec75.events, "EvictionThresholdMet").is_empty());
    assert!(s75.peak_usage_percent < 85);

    // GC 85/80: the periodic GC waits for 85 %, but the eviction manager, every 10 s, sees
    // imagefs.available < 15 % (1500000059 bytes: 15 % through float32) first. Its reclaim deletes
    // every unused image, yet available must reach 15 % + 2Gi = 3647483707 bytes, and with 6.6 GB
    // in use it cannot (3.4 GB at best): it evicts the app, the pod most over its request.
    let (toml, trace) = collision(85, 80, "2h");
    let (s85, rec85) = common::run(&toml, &trace);
    // In the kubelet's order at the instant of a sync that acts: `EvictionThresholdMet`
    // (recorded before the reclaim), the reclaim's deletions, then the eviction.
    let first = rec85
        .events
        .iter()
        .position(|e| e.reason == "EvictionThresholdMet")
        .expect("the eviction manager acts");
    let t = rec85.events[first].time;
    let same: Vec<&str> = rec85.events[first..]
        .iter()
        .take_while(|e| e.time == t)
        .map(|e| e.reason)
        .filter(|r| ["EvictionThresholdMet", "ImageDeleted", "Evicted"].contains(r))
        .collect();
    assert_eq!(same.first(), Some(&"EvictionThresholdMet"), "{same:?}");
    assert!(same.contains(&"ImageDeleted"), "{same:?}");
    assert!(
        rec85.events[..first]
            .iter()
            .all(|e| e.time < t || e.reason != "ImageDeleted"),
        "no deletion of that instant before the event that causes it"
    );
    if let Some(ev) = same.iter().position(|r| *r == "Evicted") {
        assert!(same[..ev].contains(&"ImageDeleted"), "{same:?}");
    }
    assert_eq!(
        s85.gc_triggered, 0,
        "the eviction manager always got there first"
    );
    assert_eq!(s85.eviction_gc_images_deleted, s85.images_deleted);
}

/// The first collision of GC 85/80, worked through to the end of its DiskPressure period
/// (20 minutes). The app's writable layer is full (600 MB) from t = 600 s; the CI pulls start
/// at 60 + 180·i s and take 4 s (400 MB at 100 MB/s). Used = 5 + 1 + 0.6 + 0.4·k GB with k CI
/// images on disk, so available < 1500000059 B needs k = 5: ci:4's pull (780–784 s) crosses it
/// at ≈ 783 s, and the first eviction sync after that is t = 790 (syncs every 10 s from 0).
/// - 790 s: available 1.4 GB. The reclaim deletes the unused images older than MinAge (2 min)
///   since first detected: ci:0, ci:1, ci:2 (detected by the GC pass at 600 s; ci:3 finished
///   pulling at 604 s and is first seen now, ci:4 is in use): +1.2 GB = 2.6 GB, short of the
///   threshold + minimum reclaim (1500000059 + 2147483648 = 3647483707 B), so one pod is
///   evicted: the app (600 MB over a 100Mi request; ci-4 writes nothing). DiskPressure on.
/// - 792 s (the sync after the evicted pod's cleanup): 2.6 + 0.6 (its writable layer) = 3.2 GB,
///   still short of 3647483707 B, so the threshold stays met and app:1, now unused, is
///   deleted: 4.2 GB. Resolved without another eviction.
/// - The condition clears at the first sync ≥ 792 + 300 s (evictionPressureTransitionPeriod):
///   1092 s, so 302 s of DiskPressure. With `on_disk_pressure = "reject"` (pods bound to the
///   node regardless of its taint) the one CI pod arriving inside [790, 1092), ci-5 at 960 s, is
///   rejected at admission; the ReplicaSet's replacement of the app waits for the taint, which
///   goes at the node-status update after the condition clears (1100 s).
/// - No periodic GC triggers: at 300, 600 and 900 s usage is 66 %, 78 % and 58 % (< 85 %).
#[test]
fn gc_at_85_first_collision_counted_by_hand() {
    let (toml, trace) = collision(85, 80, "20m");
    let toml = toml.replace(
        "[workload]\n",
        "[workload]\non_disk_pressure = \"reject\"\n",
    );
    let (s, rec) = common::run(&toml, &trace);
    assert_eq!(
        (
            s.evictions,
            s.admission_rejections,
            s.disk_pressure_seconds,
            s.disk_pressure_transitions,
            s.pods_replaced,
            s.gc_triggered,
        ),
        (1, 1, 302, 1, 1, 0),
        "{s:?}"
    );
    assert_eq!(s.eviction_gc_images_deleted, 4);
    assert_eq!(s.eviction_gc_bytes_freed, 3 * 400_000_000 + 1_000_000_000);
    let deleted: Vec<_> = at(&rec.events, "ImageDeleted")
        .into_iter()
        .map(|(t, o, _)| (t, o))
        .collect();
    assert_eq!(
        deleted,
        [
            (790, "image/ci:0"),
            (790, "image/ci:2"),
            (790, "image/ci:1"),
            (792, "image/app:1")
        ]
        .map(|(t, o)| (t, o.to_string()))
    );
    let evicted = at(&rec.events, "Evicted");
    assert_eq!(evicted.len(), 2);
    assert_eq!((evicted[0].0, evicted[0].1.as_str()), (790, "pod/app"));
    assert_eq!(
        evicted[0].2,
        "The node was low on resource: ephemeral-storage. Threshold quantity: 1500000059, available: 1400000000. Container app was using 600000000, request is 100Mi, has larger consumption of ephemeral-storage. "
    );
    assert_eq!(
        (evicted[1].0, evicted[1].1.as_str(), evicted[1].2.as_str()),
        (960, "pod/ci-5", "The node had condition: [DiskPressure]. ")
    );
    let pressure = pressure_changes(&rec.events);
    assert_eq!(
        pressure,
        [
            (790, "NodeHasDiskPressure"),
            (1092, "NodeHasNoDiskPressure")
        ]
    );
    let replaced: Vec<_> = at(&rec.events, "Pulling")
        .into_iter()
        .filter(|e| e.1.starts_with("pod/app-r"))
        .map(|e| (e.0, e.1))
        .collect();
    assert_eq!(replaced, [(1100, "pod/app-r1".to_string())]);
}

/// The same first collision, with a pod `late` (a 1 MB image) arriving at 1000 s, inside the
/// taint, that completes at 1050 s, under each `on_disk_pressure` mode. The taint is on from the
/// status update at 790 s (the sync that set DiskPressure; 790 is a multiple of the 10 s update
/// period) to the one at 1100 s (the first ≥ 1092 s, when the condition cleared).
/// - "wait": ci-5 (960 s) and late (1000 s) are kept pending by the scheduler; ci-5's delete row
///   (1000 s) comes first, so it never lands; late lands at 1100 s (delayed 100 s) and, its
///   work taking the 50 s it took, completes at 1150 s. 0 rejections, 1 delayed pod, 100 s.
/// - "elsewhere": both go to other nodes: 2 moved, 0 rejections, nothing delayed.
/// - "reject": both are bound here and rejected at admission: 2 rejections.
#[test]
fn trace_pods_during_the_disk_pressure_taint() {
    let (toml, trace) = collision(85, 80, "20m");
    let toml = toml.replace(
        "[workload]\n",
        "[[layer]]\nid = \"tiny\"\nsize = 1000000\n[[image]]\nname = \"tiny:1\"\nlayers = [\"tiny\"]\n[workload]\n",
    );
    let trace = trace
        + "1000,create,late,main,tiny:1,0,,,Job\n\
           1050,complete,late,,,,,,\n";
    // The trace rows must stay in time order: move the two rows into place.
    let mut rows: Vec<&str> = trace.lines().collect();
    let header = rows.remove(0);
    rows.sort_by_key(|r| r.split(',').next().unwrap().parse::<u64>().unwrap());
    let trace = format!("{header}\n{}\n", rows.join("\n"));
    let toml = toml + "[output]\nsample_interval = \"1s\"\n";
    let mode = |m: &str| {
        let toml = toml.replace(
            "[workload]\n",
            &format!("[workload]\non_disk_pressure = \"{m}\"\n"),
        );
        common::run(&toml, &trace)
    };

    let (s, rec) = mode("wait");
    assert_eq!(
        (
            s.admission_rejections,
            s.pods_delayed,
            s.pods_delay_seconds,
            s.pods_moved_elsewhere
        ),
        (0, 1, 100, 0)
    );
    let late: Vec<_> = rec
        .events
        .iter()
        .filter(|e| e.object == "pod/late")
        .map(|e| (e.time / S, e.reason))
        .collect();
    assert_eq!(late[0], (1100, "Pulling"));
    assert!(!rec.events.iter().any(|e| e.object == "pod/ci-5"));
    // Running at 1130 s: late and app-r1 (both landed at 1100 s); at 1145 s also ci-6 (arrived
    // at 1140 s, pulled by 1144 s); from 1150 s late has completed: app-r1 and ci-6.
    let at_s = |t: u64| {
        rec.samples
            .iter()
            .find(|x| x.time == t * S)
            .unwrap()
            .running_pods
    };
    assert_eq!(
        (at_s(1130), at_s(1145), at_s(1149), at_s(1150)),
        (2, 3, 3, 2)
    );

    let (s, _) = mode("elsewhere");
    assert_eq!(
        (
            s.admission_rejections,
            s.pods_delayed,
            s.pods_moved_elsewhere
        ),
        (0, 0, 2)
    );

    let (s, rec) = mode("reject");
    assert_eq!((s.admission_rejections, s.pods_delayed), (2, 0));
    let rejected: Vec<_> = at(&rec.events, "Evicted")
        .into_iter()
        .filter(|e| e.2 == "The node had condition: [DiskPressure]. ")
        .map(|e| (e.0, e.1))
        .collect();
    assert_eq!(
        rejected,
        [
            (960, "pod/ci-5".to_string()),
            (1000, "pod/late".to_string())
        ]
    );
}

// ---- (b) a DaemonSet rejection loop under DiskPressure ----

#[test]
fn daemonset_pod_is_rejected_again_and_again_with_back_off() {
    // 9 GB of a 10 GB disk is used from the start: imagefs.available (1 GB) < 15 % (1.5 GB), so
    // the first sync at t = 0 reports DiskPressure, which never clears (nothing can be freed).
    let toml = r#"name = "ds-loop"
duration = "1h"
seed = 1
[node]
disk = 10000000000
other_used = 9000000000
pull_bandwidth = 100000000
[[layer]]
id = "agent"
size = 1000
[[image]]
name = "agent:1"
layers = ["agent"]
preloaded = true
[workload]
trace = "trace.csv"
"#;
    let trace = "time,action,pod,container,image,owner\n\
                 60,create,agent-x1,agent,agent:1,DaemonSet\n\
                 60,create,web,web,agent:1,ReplicaSet\n";
    let (s, rec) = common::run(toml, trace);
    let pressure = at(&rec.events, "NodeHasDiskPressure");
    assert_eq!(
        pressure,
        vec![(
            0,
            "node/node-1".into(),
            "Node node-1 status is now: NodeHasDiskPressure".into()
        )]
    );
    // The DaemonSet controller recreates the failed pod after its back-off (1 s doubling to
    // 15 min); each replacement tolerates the taint and is rejected by kubelet admission:
    // t = 60, 61, 63, 67, 75, 91, 123, 187, 315, 571, 1083, 1983, 2883 (next 3783 > 1 h).
    let ds: Vec<u64> = at(&rec.events, "Evicted")
        .into_iter()
        .filter(|e| e.1.starts_with("pod/agent-x1"))
        .map(|e| e.0)
        .collect();
    assert_eq!(
        ds,
        vec![60, 61, 63, 67, 75, 91, 123, 187, 315, 571, 1083, 1983, 2883]
    );
    // The ReplicaSet's pod `web` does not tolerate the taint (on the node since the status
    // update at t = 0): the scheduler keeps it away for the whole hour (on_disk_pressure =
    // "wait"), so it is never created, never rejected, and not counted as delayed (it never
    // landed). 13 rejections, all the DaemonSet's; 12 of them replaced.
    let web = |rec: &imagefs_sim::outcome::VecRecorder| -> Vec<_> {
        at(&rec.events, "Evicted")
            .into_iter()
            .filter(|e| e.1.starts_with("pod/web"))
            .collect()
    };
    assert_eq!(web(&rec).len(), 0);
    assert_eq!(
        (
            s.admission_rejections,
            s.pods_replaced,
            s.pods_created,
            s.pods_delayed
        ),
        (13, 12, 13, 0)
    );
    // Bound to the node regardless (on_disk_pressure = "reject"): web is rejected at admission
    // once, and its ReplicaSet's replacement respects the taint and waits: 14 rejections.
    let toml = toml.replace(
        "[workload]\n",
        "[workload]\non_disk_pressure = \"reject\"\n",
    );
    let (s, rec) = common::run(&toml, trace);
    assert_eq!(web(&rec).len(), 1);
    assert_eq!(s.admission_rejections, 14);
    assert_eq!(s.pods_replaced, 12);
    assert_eq!(
        (
            s.evictions,
            s.disk_pressure_seconds,
            s.disk_pressure_transitions
        ),
        (0, 3600, 1)
    );
}

// ---- (c) one workload, three filesystem layouts ----

/// A pod pulls a 1 GB image (10 s at 100 MB/s) and writes its writable layer at 10 MB/s from
/// t = 10 s, up to 3 GB. nodefs: 10 GB with 6 GB of other data; imagefs (when separate):
/// 10 GB, empty. Hard thresholds nodefs.available<20% and imagefs.available<20%: 20 % of
/// 10 GB through float32 is 2000000029 bytes. A CRI-O node (the split layout is CRI-O's): a
/// layer costs its unpacked size, and a pull writes that.
fn layout_scenario(layout: &str) -> String {
    let imagefs = if layout == "shared" {
        String::new()
    } else {
        "imagefs = 10000000000\n".to_string()
    };
    format!(
        r#"name = "layout-{layout}"
duration = "15m"
seed = 1
[node]
runtime = "cri-o"
layout = "{layout}"
disk = 10000000000
{imagefs}other_used = 6000000000
pull_bandwidth = 100000000
[kubelet]
evictionHard = {{ "nodefs.available" = "20%", "imagefs.available" = "20%" }}
[[layer]]
id = "w"
size = 1000000000
[[image]]
name = "writer:1"
layers = ["w"]
[workload]
trace = "trace.csv"
"#
    )
}

const LAYOUT_TRACE: &str = "time,action,pod,container,image,writable_rate,writable_cap\n\
                            0,create,writer,main,writer:1,10000000,3000000000\n";

#[test]
fn shared_disk_evicts_when_image_plus_writable_pass_the_threshold() {
    // One disk: 6 GB other + 1 GB image + w. available = 3e9 − w < 2000000029 once
    // w > 999999971, i.e. 100 s after the container started at t = 10: the first 10 s sync
    // after that is t = 110 (w = 1 GB, available 2e9 = 1953125Ki). Both signals are met on the
    // one filesystem; imagefs.available is acted on (configuration order). Reclaim (dead
    // containers, unused images) finds nothing: the writer is evicted, grace 1 s.
    let (s, rec) = common::run(&layout_scenario("shared"), LAYOUT_TRACE);
    let ev = at(&rec.events, "Evicted");
    assert_eq!(ev.len(), 1);
    assert_eq!(ev[0].0, 110);
    assert_eq!(ev[0].2, "The node was low on resource: ephemeral-storage. Threshold quantity: 2000000029, available: 1953125Ki. Container main was using 1000000000, request is 0, has larger consumption of ephemeral-storage. ");
    assert_eq!(s.evictions_by_signal.get("imagefs.available"), Some(&1));
}

#[test]
fn dedicated_imagefs_never_crosses_either_threshold() {
    // Images and writable layers live on the imagefs: at most 1 GB + 3 GB of 10 GB. nodefs holds
    // the 6 GB of other data: 4 GB available > 2 GB. No pressure, no eviction.
    let (s, rec) = common::run(&layout_scenario("dedicated-imagefs"), LAYOUT_TRACE);
    assert_eq!((s.evictions, s.disk_pressure_seconds), (0, 0));
    assert!(at(&rec.events, "EvictionThresholdMet").is_empty());
    let last = rec.samples.last().unwrap();
    assert_eq!(
        last.per_fs,
        vec![
            (10_000_000_000, 4_000_000_000),
            (10_000_000_000, 6_000_000_000)
        ]
    );
}

#[test]
fn split_layout_evicts_on_nodefs_when_the_writable_layer_alone_passes() {
    // KEP-4191: the image (1 GB) on imagefs, the writable layer on nodefs: available on nodefs
    // = 4e9 − w < 2000000029 once w > 1999999971, 200 s after t = 10: first sync t = 210.
    // nodefs reclaim in split mode is container GC only, which frees nothing; evict. (2e9 bytes
    // is exactly 1953125Ki, so the kubelet prints both quantities with the binary suffix.)
    let (s, rec) = common::run(&layout_scenario("split"), LAYOUT_TRACE);
    let ev = at(&rec.events, "Evicted");
    assert_eq!(ev.len(), 1);
    assert_eq!(ev[0].0, 210);
    assert_eq!(ev[0].2, "The node was low on resource: ephemeral-storage. Threshold quantity: 2000000029, available: 1953125Ki. Container main was using 1953125Ki, request is 0, has larger consumption of ephemeral-storage. ");
    assert_eq!(s.evictions_by_signal.get("nodefs.available"), Some(&1));
    assert_eq!(s.eviction_gc_images_deleted, 0);
}

// ---- inodes ----

/// 100 000 inodes on a 100 GB disk; a preloaded, unused image of 96 000 inodes (2 GB) and a
/// running pod whose image has 1 000. Default evictionHard: nodefs.inodesFree < 5 % and
/// imagefs.inodesFree < 5 %, i.e. 5000 inodes (5 % through float32 is 5000.00007 → 5000).
fn inode_scenario(unused_image_preloaded: bool) -> String {
    format!(
        r#"name = "inodes"
duration = "10m"
seed = 1
[node]
disk = 100000000000
disk_inodes = 100000
pull_bandwidth = 100000000
[kubelet]
imageMinimumGCAge = "1s"
[[layer]]
id = "many-files"
size = 2000000000
inodes = 96000
[[layer]]
id = "app"
size = 100000000
inodes = 1000
[[image]]
name = "many:1"
layers = ["many-files"]
preloaded = {unused_image_preloaded}
[[image]]
name = "app:1"
layers = ["app"]
preloaded = true
[workload]
trace = "trace.csv"
"#
    )
}

#[test]
fn inode_pressure_at_start_evicts_because_min_age_protects_just_detected_images() {
    // Inodes used: 96 000 + 1 000 (layers) + 2 (containerd keeps each layer's blob: one file
    // each) + 1 (the pod's log file) = 97 003: 2 997 free < 5 000
    // on both signals at the first sync (t = 0); imagefs.inodesFree is acted on first. Reclaim
    // runs DeleteUnusedImages, but the images are first detected in that very call, so MinAge
    // (1 s) protects them: nothing is freed and the app pod is evicted (grace 1 s). The next sync
    // comes after the kill and the 1 s cleanup poll, at t = 2: both images are now unused and
    // old enough, and go. DiskPressure was last observed at t = 2, so it clears at t = 302.
    let trace = "time,action,pod,image\n0,create,app,app:1\n";
    let (s, rec) = common::run(&inode_scenario(true), trace);
    let met = at(&rec.events, "EvictionThresholdMet");
    assert_eq!(
        met[0],
        (
            0,
            "node/node-1".into(),
            "Attempting to reclaim inodes".into()
        )
    );
    assert_eq!(
        at(&rec.events, "Evicted"),
        vec![(
            0,
            "pod/app".into(),
            "The node was low on resource: inodes. Threshold quantity: 5000, available: 2997. "
                .into()
        )]
    );
    let deleted: Vec<_> = at(&rec.events, "ImageDeleted")
        .into_iter()
        .map(|e| (e.0, e.1))
        .collect();
    assert_eq!(
        deleted,
        vec![(2, "image/many:1".into()), (2, "image/app:1".into())]
    );
    assert_eq!(s.eviction_gc_images_deleted, 2);
    assert_eq!(at(&rec.events, "NodeHasNoDiskPressure")[0].0, 302);
    assert_eq!(s.evictions_by_signal.get("imagefs.inodesFree"), Some(&1));
}

#[test]
fn inode_pressure_with_the_image_in_use_evicts_its_pod() {
    // The 96 000-inode image is in use by pod "files": reclaim frees nothing, and the pod with
    // inode usage above its (zero) request goes first. Its usage counts its writable layer and
    // log (1 inode), not its image; both pods have one log file, so the ranking falls to
    // priority, then to order: "files" (priority -1) is evicted. For inodes the message has no
    // container part (§10). Free: 100 000 − 96 000 − 1 000 − 2 blobs − 2 log files = 2 996.
    let trace = "time,action,pod,image,priority\n0,create,app,app:1,0\n0,create,files,many:1,-1\n";
    let (s, rec) = common::run(&inode_scenario(true), trace);
    let ev = at(&rec.events, "Evicted");
    assert_eq!(ev[0].1, "pod/files");
    assert_eq!(
        ev[0].2,
        "The node was low on resource: inodes. Threshold quantity: 5000, available: 2996. "
    );
    assert_eq!(s.evictions_by_signal.get("imagefs.inodesFree"), Some(&1));
}

// ---- defaults and merging of evictionHard (kubelet-eviction.md §11) ----

#[test]
fn eviction_hard_defaults_partial_maps_and_merge() {
    use imagefs_sim::kubelet::eviction::types::Signal;
    use imagefs_sim::scenario::Scenario;
    let base = "name = \"d\"\nduration = \"1m\"\n[node]\ndisk = \"10Gi\"\npull_bandwidth = \"10Mi\"\n[kubelet]\n";
    let tail = "[workload]\ntrace = \"trace.csv\"\n";
    let signals = |kubelet: &str| -> Vec<Signal> {
        let f = common::write(&format!("{base}{kubelet}{tail}"), "time,action,pod\n");
        let sc = Scenario::load(&f.scenario).unwrap();
        sc.eviction.thresholds.iter().map(|t| t.signal).collect()
    };
    // Absent: the five default keys (memory is parsed, never observed on a disk-only node).
    assert_eq!(
        signals(""),
        vec![
            Signal::ImageFsAvailable,
            Signal::ImageFsInodesFree,
            Signal::MemoryAvailable,
            Signal::NodeFsAvailable,
            Signal::NodeFsInodesFree
        ]
    );
    // A partial map drops every other default (kubernetes#119985)…
    assert_eq!(
        signals("evictionHard = { \"memory.available\" = \"200Mi\" }\n"),
        vec![Signal::MemoryAvailable]
    );
    // …unless mergeDefaultEvictionSettings (v1.33+).
    assert_eq!(
        signals("evictionHard = { \"memory.available\" = \"200Mi\" }\nmergeDefaultEvictionSettings = true\n").len(),
        5
    );
    // "0%" and "100%" disable a signal.
    assert_eq!(
        signals(
            "evictionHard = { \"imagefs.available\" = \"0%\", \"nodefs.available\" = \"100%\" }\n"
        ),
        vec![]
    );
}

// ---- kubelet versions (see kubelet/versions.rs) ----

/// Before kubelet 1.31 (PR #124063) a hard eviction's grace override was 0, which pod_workers
/// reads as "none": the pod gets its own terminationGracePeriodSeconds (30 s by default) instead
/// of 1 s. The first GC-at-85 collision on 1.30: the app is evicted at 790 s as on 1.34, but
/// killed at 820 s, so the sync after its cleanup comes at 821 s (not 792 s). Then, as at 792 s
/// on 1.34, the threshold is still met with its minimum reclaim (2.6 GB available + 0.6 GB of
/// the app's writable layer, removed with its dead container, < 3647483707 B) and app:1, unused
/// and first detected at 0, is deleted (ci:3 and ci:4, first detected at 790 s, are 31 s old:
/// MinAge protects them), giving 4.2 GB. The condition clears at the first sync >= 821 + 300 s:
/// 1121 s (syncs every 10 s from 821 s).
#[test]
fn before_1_31_a_hard_eviction_waits_for_the_pods_grace_period() {
    let (toml, trace) = collision(85, 80, "20m");
    let v130 = toml.replace("[node]\n", "[node]\nkubelet_version = \"1.30\"\n");
    let (s, rec) = common::run(&v130, &trace);
    let deleted: Vec<_> = at(&rec.events, "ImageDeleted")
        .into_iter()
        .map(|(t, o, _)| (t, o))
        .collect();
    assert_eq!(
        deleted,
        [
            (790, "image/ci:0"),
            (790, "image/ci:2"),
            (790, "image/ci:1"),
            (821, "image/app:1")
        ]
        .map(|(t, o)| (t, o.to_string()))
    );
    let pressure = pressure_changes(&rec.events);
    assert_eq!(
        pressure,
        [
            (790, "NodeHasDiskPressure"),
            (1121, "NodeHasNoDiskPressure")
        ]
    );
    assert_eq!((s.evictions, s.disk_pressure_seconds), (1, 331));
}

/// Before kubelet 1.30 the default evictionHard had no imagefs.inodesFree (PR #121834). The
/// inode scenario above (2 997 inodes free < 5 000 on the one filesystem) evicts on
/// imagefs.inodesFree on 1.34 (acted on first), on nodefs.inodesFree on 1.29: the same pod,
/// the same numbers, another signal.
#[test]
fn before_1_30_the_default_eviction_hard_has_no_imagefs_inodes() {
    let trace = "time,action,pod,image\n0,create,app,app:1\n";
    let v129 = inode_scenario(true).replace("[node]\n", "[node]\nkubelet_version = \"1.29\"\n");
    let (s, rec) = common::run(&v129, trace);
    assert_eq!(s.evictions_by_signal.get("nodefs.inodesFree"), Some(&1));
    assert_eq!(s.evictions_by_signal.get("imagefs.inodesFree"), None);
    assert_eq!(
        at(&rec.events, "Evicted")[0].2,
        "The node was low on resource: inodes. Threshold quantity: 5000, available: 2997. "
    );
}

/// From kubelet 1.32 (PR #122890) a soft eviction kills with min(evictionMaxPodGracePeriod, the
/// pod's terminationGracePeriodSeconds); before, with the max. A CRI-O node (no blobs) of
/// 10 GB with 6 GB of other data and a preloaded 1 GB image; the writer starts at 0 and writes
/// 10 MB/s (tgps 10); evictionSoft imagefs.available < 25 % (2.5e9 B: 0.25 is exact in float32)
/// with a 30 s grace, evictionMaxPodGracePeriod 60. Available = 3e9 − w < 2.5e9 once
/// w > 5e8, i.e. after 50 s (at the sync at 50 s w is exactly 5e8, not less): first met at the
/// sync at 60 s, past its grace at the first sync >= 90 s: evicted at 90 s.
/// - 1.32: grace min(60, 10) = 10 s: killed at 100 s.
/// - 1.31: grace 60 s: killed at 150 s.
///
/// Running pods (sampled every 5 s): at 95 s 1 in both; at 105 s 0 on 1.32, 1 on 1.31; at 155 s
/// 0 on both.
#[test]
fn from_1_32_a_soft_eviction_uses_the_pods_shorter_grace() {
    let toml = |version: &str| {
        format!(
            r#"name = "soft"
duration = "5m"
seed = 1
[node]
runtime = "cri-o"
kubelet_version = "{version}"
disk = 10000000000
other_used = 6000000000
pull_bandwidth = 100000000
[kubelet]
evictionHard = {{ "memory.available" = "100Mi" }}
evictionSoft = {{ "imagefs.available" = "25%" }}
evictionSoftGracePeriod = {{ "imagefs.available" = "30s" }}
evictionMaxPodGracePeriod = 60
[output]
sample_interval = "5s"
[[layer]]
id = "w"
size = 1000000000
[[image]]
name = "writer:1"
layers = ["w"]
preloaded = true
[workload]
trace = "trace.csv"
"#
        )
    };
    let trace = "time,action,pod,container,image,writable_rate,writable_cap,tgps\n\
                 0,create,writer,main,writer:1,10000000,3000000000,10\n";
    let running = |rec: &imagefs_sim::outcome::VecRecorder, t: u64| {
        rec.samples
            .iter()
            .find(|x| x.time == t * S)
            .unwrap()
            .running_pods
    };
    let (s, rec) = common::run(&toml("1.32"), trace);
    assert_eq!(at(&rec.events, "Evicted")[0].0, 90);
    assert_eq!(s.evictions_by_signal.get("imagefs.available"), Some(&1));
    assert_eq!((running(&rec, 95), running(&rec, 105)), (1, 0));
    let (_, rec) = common::run(&toml("1.31"), trace);
    assert_eq!(at(&rec.events, "Evicted")[0].0, 90);
    assert_eq!(
        (running(&rec, 105), running(&rec, 145), running(&rec, 155)),
        (1, 1, 0)
    );
}
