//! A small trace replayed end to end, with every number worked out by hand in the comments.

mod common;

use imagefs_sim::outcome::EventRow;

const S: u64 = 1_000_000_000;

/// 10 MB disk, 1 MB/s pulls. Layers: base 2.0 MB (1.0 MB compressed), a1 1.5 MB (0.4 MB),
/// a2 1.5 MB (0.5 MB), b 3.0 MB (1.0 MB). Images: app:v1 = base+a1, app:v2 = base+a2,
/// big:1 = b. Default GC policy: 85/80, MinAge 2m.
///
/// "compressed" is containerd with `discard_unpacked_layers = true`: a stored layer costs its
/// unpacked size (as with "unpacked", CRI-O), and a pull writes the compressed blob, then
/// unpacks it, so it writes compressed + unpacked bytes (the blob goes once the image is
/// stored). Layer sizes on disk, the subject of these tests, are then the same for both.
fn scenario(reporting: &str) -> String {
    let discard = if reporting == "compressed" {
        "discard_unpacked_layers = true"
    } else {
        ""
    };
    format!(
        r#"
name = "e2e"
duration = "15m"
seed = 3
[node]
disk = 10000000
pull_bandwidth = 1000000
image_size_reporting = "{reporting}"
{discard}
[kubelet]
# Image GC alone: a partial evictionHard drops the default disk thresholds (kubernetes#119985).
evictionHard = {{ "memory.available" = "100Mi" }}
[[layer]]
id = "base"
size = 2000000
compressed = 1000000
[[layer]]
id = "a1"
size = 1500000
compressed = 400000
[[layer]]
id = "a2"
size = 1500000
compressed = 500000
[[layer]]
id = "b"
size = 3000000
compressed = 1000000
[[image]]
name = "app:v1"
layers = ["base", "a1"]
[[image]]
name = "app:v2"
layers = ["base", "a2"]
[[image]]
name = "big:1"
layers = ["b"]
[workload]
trace = "trace.csv"
"#
    )
}

// t=0   p1 (app:v1): pulls base+a1: blobs 1.4 MB, then 3.5 MB unpacked: 4.9 MB in 4.9 s.
// t=10  p2 (big:1): pulls b: 1.0 + 3.0 MB in 4 s.
// t=20  p2 deleted; t=40 p1 deleted; container GC at t=60 removes both containers.
// t=30  p3 (app:v2): base is on disk, pulls a2: 0.5 + 1.5 MB in 2 s; its writable layer grows at
//       10 kB/s to a 1 MB cap (reached at t=131.5).
// From t=131.5 the disk holds 8 MB of layers + 1 MB writable = 9 MB: available 1 MB, usage 90 %.
const TRACE: &str = "time,action,pod,container,image,pull_policy,writable_rate,writable_cap
0,create,p1,c,app:v1,IfNotPresent,0,
10,create,p2,c,big:1,IfNotPresent,0,
20,delete,p2,,,,,
30,create,p3,c,app:v2,IfNotPresent,10000,1000000
40,delete,p1,,,,,
";

fn at(events: &[EventRow], reason: &str) -> Vec<(u64, String, String)> {
    events
        .iter()
        .filter(|e| e.reason == reason)
        .map(|e| (e.time / S, e.object.clone(), e.message.clone()))
        .collect()
}

#[test]
fn compressed_sizes_gc_deletes_the_lru_image_and_frees_more_than_it_counts() {
    let (s, rec) = common::run(&scenario("compressed"), TRACE);
    let pulled = at(&rec.events, "Pulled");
    assert_eq!(
        pulled,
        vec![
            (4, "pod/p1".into(), "Successfully pulled image \"app:v1\" in 4.9s (4.9s including waiting). Image size: 1400000 bytes.".into()),
            (14, "pod/p2".into(), "Successfully pulled image \"big:1\" in 4s (4s including waiting). Image size: 1000000 bytes.".into()),
            (32, "pod/p3".into(), "Successfully pulled image \"app:v2\" in 2s (2s including waiting). Image size: 1500000 bytes.".into()),
        ]
    );
    // GC at t=300: usage 90 ≥ 85, amountToFree = 10 MB·20/100 − 1 MB = 1 MB. The images were
    // first detected in this very pass (the detection loop last ran at t=0, before the pulls),
    // so both unused ones are younger than MinAge: nothing freed → FreeDiskSpaceFailed.
    // GC at t=600: both unused images are 5 min old and never used; tie on (lastUsed,
    // firstDetected) broken by image ID: app:v1 goes first, 1.4 MB reported ≥ 1 MB → stop.
    // On disk only a1 leaves (base is shared with app:v2): 1.5 MB.
    let triggered = at(&rec.events, "ImageGCTriggered");
    assert_eq!(
        triggered,
        vec![
            (
                300,
                "node/node-1".into(),
                "usage=90 highThreshold=85 amountToFree=1000000 lowThreshold=80".into()
            ),
            (
                600,
                "node/node-1".into(),
                "usage=90 highThreshold=85 amountToFree=1000000 lowThreshold=80".into()
            ),
        ]
    );
    assert_eq!(
        at(&rec.events, "FreeDiskSpaceFailed"),
        vec![(300, "node/node-1".into(), "Failed to garbage collect required amount of images. Attempted to free 1000000 bytes, but only found 0 bytes eligible to free.".into())]
    );
    assert_eq!(
        at(&rec.events, "ImageGCFailed"),
        vec![],
        "a single failure is only logged"
    );
    assert_eq!(
        at(&rec.events, "ImageDeleted"),
        vec![(
            600,
            "image/app:v1".into(),
            "reason=space reportedBytes=1400000 freedOnDiskBytes=1500000".into()
        )]
    );
    // After: 9 MB − 1.5 MB = 7.5 MB used → usage 75, so the t=900 pass does nothing.
    let last = rec.samples.last().unwrap();
    assert_eq!(
        (last.time / S, last.available_bytes, last.usage_percent),
        (900, 2_500_000, 75)
    );
    assert_eq!(
        (s.gc_runs, s.gc_triggered, s.gc_failures, s.gc_shortfalls),
        (4, 2, 1, 1)
    );
    assert_eq!(
        (
            s.images_deleted,
            s.bytes_freed_reported,
            s.bytes_freed_on_disk
        ),
        (1, 1_400_000, 1_500_000)
    );
    assert_eq!(
        (s.pulls, s.pull_bytes, s.repulls, s.pull_failures),
        (3, 10_900_000, 0, 0)
    );
    assert_eq!(
        (s.min_available_bytes, s.peak_usage_percent),
        (1_000_000, 90)
    );
    assert_eq!(s.containers_removed, 2);
}

#[test]
fn unpacked_sizes_gc_believes_it_freed_the_shared_base_too() {
    // CRI-O/Docker report unpacked sizes including shared layers: app:v1 = 3.5 MB reported, but
    // deleting it frees only a1 (1.5 MB): the kubelet thinks it freed 2 MB more than it did.
    let (s, rec) = common::run(&scenario("unpacked"), TRACE);
    assert_eq!(
        at(&rec.events, "ImageDeleted"),
        vec![(
            600,
            "image/app:v1".into(),
            "reason=space reportedBytes=3500000 freedOnDiskBytes=1500000".into()
        )]
    );
    assert_eq!(
        (s.bytes_freed_reported, s.bytes_freed_on_disk),
        (3_500_000, 1_500_000)
    );
}

#[test]
fn a_repull_is_counted_and_finds_the_shared_layer_on_disk() {
    // After app:v1 is deleted at t=600, p4 wants it again at t=700: only a1 is pulled (its 0.4 MB
    // blob and 1.5 MB unpacked: 1.9 s), after the 10.9 MB of the first three pulls.
    let trace = format!("{TRACE}700,create,p4,c,app:v1,IfNotPresent,0,\n");
    let (s, rec) = common::run(&scenario("compressed"), &trace);
    assert_eq!(s.repulls, 1);
    assert_eq!(s.pull_bytes, 10_900_000 + 1_900_000);
    assert_eq!(at(&rec.events, "Pulled").last().unwrap().0, 701);
}

#[test]
fn a_pull_after_a_deletion_is_a_repull_only_for_the_deleted_image() {
    // `repulls` counts pulls of an image this node had and deleted. app:v1 is deleted at t=600
    // (above); at t=700 p4 pulls it again (a repull, 1.9 MB: only a1), at t=710 p5 pulls big:1
    // with policy Always: a pull (nothing to write, b is on disk) of an image never deleted, so
    // not a repull although it comes after a deletion.
    let trace =
        format!("{TRACE}700,create,p4,c,app:v1,IfNotPresent,0,\n710,create,p5,c,big:1,Always,0,\n");
    let (s, rec) = common::run(&scenario("compressed"), &trace);
    assert_eq!(
        at(&rec.events, "ImageDeleted"),
        vec![(
            600,
            "image/app:v1".into(),
            "reason=space reportedBytes=1400000 freedOnDiskBytes=1500000".into()
        )]
    );
    assert_eq!((s.pulls, s.repulls), (5, 1));
    assert_eq!(s.pull_bytes, 10_900_000 + 1_900_000);
}

/// The e2e node for `duration`.
fn scenario_for(duration: &str) -> String {
    scenario("compressed").replace("duration = \"15m\"", &format!("duration = \"{duration}\""))
}

#[test]
fn an_exited_container_keeps_its_image_through_gc_passes_until_it_is_removed() {
    // §1.3: an image is in use while any container of it exists, running or exited.
    // t=0   p1 (app:v1) pulls base+a1 (3.5 MB, done at 3.5 s); t=10 it completes: its container
    //       exits but stays (the pod object stays, container GC keeps the newest per container).
    // t=20  p2 (big:1) pulls b (3 MB, starts at 23); writable 10 kB/s to a 2.5 MB cap (t=273).
    // Disk from t=273: 2 + 1.5 + 3 + 2.5 = 9 MB of 10: available 1 MB, usage 90 ≥ 85,
    // amountToFree = 10 MB·20/100 − 1 MB = 1 MB.
    // t=300 and t=600: app:v1 is in use (exited container), big:1 too (running): no candidate,
    //       freed 0 → FreeDiskSpaceFailed twice (the second also ImageGCFailed). If exited
    //       containers did not count, app:v1 (first detected at 300, so MinAge 2m is over by
    //       600) would go at t=600.
    // t=610 p1 deleted; container GC at t=660 removes its exited container.
    // t=900 app:v1 is unused (lastUsed 600 < 900, detected 600 s ago ≥ MinAge): deleted,
    //       1.4 MB reported ≥ 1 MB; on disk base and a1 leave (big:1 shares neither): 3.5 MB.
    let trace = "time,action,pod,container,image,pull_policy,writable_rate,writable_cap
0,create,p1,c,app:v1,IfNotPresent,0,
10,complete,p1,,,,,
20,create,p2,c,big:1,IfNotPresent,10000,2500000
610,delete,p1,,,,,
";
    let (s, rec) = common::run(&scenario_for("15m"), trace);
    let shortfall = "Failed to garbage collect required amount of images. Attempted to free 1000000 bytes, but only found 0 bytes eligible to free.";
    assert_eq!(
        at(&rec.events, "FreeDiskSpaceFailed"),
        vec![
            (300, "node/node-1".into(), shortfall.into()),
            (600, "node/node-1".into(), shortfall.into())
        ]
    );
    assert_eq!(
        at(&rec.events, "ImageDeleted"),
        vec![(
            900,
            "image/app:v1".into(),
            "reason=space reportedBytes=1400000 freedOnDiskBytes=3500000".into()
        )]
    );
    // 9 MB − 3.5 MB = 5.5 MB used: available 4.5 MB, usage 55.
    let last = rec.samples.last().unwrap();
    assert_eq!(
        (last.time / S, last.available_bytes, last.usage_percent),
        (900, 4_500_000, 55)
    );
    assert_eq!(
        (s.gc_runs, s.gc_triggered, s.gc_failures, s.gc_shortfalls),
        (4, 3, 2, 2)
    );
    assert_eq!((s.images_deleted, s.containers_removed), (1, 1));
}

#[test]
fn image_gc_failed_from_the_second_consecutive_failure_and_reset_by_a_success() {
    // kubelet.go StartGarbageCollection: the first consecutive failure is only logged, the
    // second and later emit ImageGCFailed; a success resets the count. GC passes every 5 min.
    // t=0   p1 (big:1) pulls b (3 MB, starts at 3 s); writable 30 kB/s to a 6 MB cap (t=203):
    //       9 MB of 10 used, usage 90, amountToFree 1 MB, and big:1 in use: nothing to free.
    // t=300 failure 1 (logged only); t=600 failure 2 → ImageGCFailed.
    // t=650 p1 deleted: its writable layer goes when container GC removes the container.
    // t=900 usage 30 < 85: success, the count resets.
    // t=901 p2 (big:1, present) writes 30 kB/s to 6 MB (t=1101): usage 90 again.
    // t=1200 failure 1 again (no event); t=1500 and t=1800 → ImageGCFailed.
    let trace = "time,action,pod,container,image,pull_policy,writable_rate,writable_cap
0,create,p1,c,big:1,IfNotPresent,30000,6000000
650,delete,p1,,,,,
901,create,p2,c,big:1,IfNotPresent,30000,6000000
";
    let (s, rec) = common::run(&scenario_for("31m"), trace);
    let msg = "Failed to garbage collect required amount of images. Attempted to free 1000000 bytes, but only found 0 bytes eligible to free.";
    let failed: Vec<_> = at(&rec.events, "ImageGCFailed");
    assert_eq!(
        failed,
        vec![
            (600, "node/node-1".into(), msg.into()),
            (1500, "node/node-1".into(), msg.into()),
            (1800, "node/node-1".into(), msg.into())
        ]
    );
    let shortfalls: Vec<u64> = at(&rec.events, "FreeDiskSpaceFailed")
        .iter()
        .map(|e| e.0)
        .collect();
    assert_eq!(shortfalls, vec![300, 600, 1200, 1500, 1800]);
    assert_eq!(
        (
            s.gc_runs,
            s.gc_triggered,
            s.gc_failures,
            s.image_gc_failed_events
        ),
        (7, 5, 5, 3)
    );
    assert_eq!(s.images_deleted, 0);
}

/// Parallel pulls (serializeImagePulls = false) share the layers one of them is fetching, as
/// containerd's content store does (one ingest per digest). 10 MB/s per pull. On containerd a
/// layer costs its blob (here as big as the layer: no `compressed` given) and its snapshot, and
/// a pull writes both: base 100 + 100 MB, a 50 + 50 MB, b 30 + 30 MB. app:a = base + a, app:b =
/// base + b; three pods start at t = 0: pa (app:a), pb (app:b), pa2 (app:a again).
/// - pa claims base + a: 300 MB, written by 30 s.
/// - pb claims b only (base is pa's): 60 MB by 6 s, then waits for base; done at 30 s.
/// - pa2 claims nothing (both layers are pa's): it waits from t = 0 and is done at 30 s too.
///
/// So pulls write 360 MB in all (the distinct layers). In flight: 60 MB at 3 s (30 of pa's, 30
/// of pb's); then only pa writes: 100 + 60 = 160 MB at 10 s, 280 + 60 = 340 MB at 28 s; at 30 s
/// nothing, and 360 MB of layers. Counting base once per pull would write 300 + 260 + 300 MB.
#[test]
fn parallel_pulls_fetch_a_shared_layer_once() {
    let toml = r#"
name = "parallel"
duration = "1m"
seed = 1
[node]
disk = 10000000000
pull_bandwidth = 10000000
[kubelet]
serializeImagePulls = false
[output]
sample_interval = "1s"
[[layer]]
id = "base"
size = 100000000
[[layer]]
id = "a"
size = 50000000
[[layer]]
id = "b"
size = 30000000
[[image]]
name = "app:a"
layers = ["base", "a"]
[[image]]
name = "app:b"
layers = ["base", "b"]
[workload]
trace = "trace.csv"
"#;
    let trace = "time,action,pod,image\n0,create,pa,app:a\n0,create,pb,app:b\n0,create,pa2,app:a\n";
    let (s, rec) = common::run(toml, trace);
    assert_eq!((s.pulls, s.pull_bytes), (3, 360_000_000));
    let pulled: Vec<_> = at(&rec.events, "Pulled")
        .into_iter()
        .map(|(t, o, _)| (t, o))
        .collect();
    assert_eq!(
        pulled,
        [(30, "pod/pa"), (30, "pod/pb"), (30, "pod/pa2")].map(|(t, o)| (t, o.to_string()))
    );
    let pulling = |t: u64| {
        rec.samples
            .iter()
            .find(|x| x.time == t * S)
            .unwrap()
            .pulling_bytes
    };
    assert_eq!(pulling(3), 60_000_000);
    assert_eq!(pulling(10), 160_000_000);
    assert_eq!(pulling(28), 340_000_000);
    let done = rec.samples.iter().find(|x| x.time == 30 * S).unwrap();
    assert_eq!((done.pulling_bytes, done.image_bytes), (0, 360_000_000));
}

/// containerd's content store (discard_unpacked_layers). Layers: base 2 MB unpacked (1 MB
/// compressed), app 3 MB (1 MB); image app:1 = base + app; 1 MB/s pulls; one pod at t = 0 on a
/// 10 MB disk (GC at 85 % never triggers: at most 7 MB used).
/// - Default (blobs kept): the pull writes the blobs and the snapshots, 1 + 1 + 2 + 3 = 7 MB in
///   7 s (3 MB in flight at 3 s), and keeps them all: 7 MB of image bytes, least available 3 MB.
/// - discard_unpacked_layers = true: the pull writes the same 7 MB (the peak, just before the
///   image is stored: least available 3 MB), then the blobs go: 5 MB of image bytes from 7 s.
#[test]
fn containerd_keeps_blobs_unless_discard_unpacked_layers() {
    let toml = |discard: bool| {
        format!(
            r#"name = "blobs"
duration = "1m"
seed = 1
[node]
disk = 10000000
pull_bandwidth = 1000000
discard_unpacked_layers = {discard}
[output]
sample_interval = "1s"
[[layer]]
id = "base"
size = 2000000
compressed = 1000000
[[layer]]
id = "app"
size = 3000000
compressed = 1000000
[[image]]
name = "app:1"
layers = ["base", "app"]
[workload]
trace = "trace.csv"
"#
        )
    };
    let trace = "time,action,pod,image\n0,create,p,app:1\n";
    let sample = |rec: &imagefs_sim::outcome::VecRecorder, t: u64| {
        let x = rec.samples.iter().find(|x| x.time == t * S).unwrap();
        (x.pulling_bytes, x.image_bytes)
    };
    let (s, rec) = common::run(&toml(false), trace);
    assert_eq!((s.pulls, s.pull_bytes), (1, 7_000_000));
    assert_eq!(sample(&rec, 3), (3_000_000, 0));
    assert_eq!(sample(&rec, 7), (0, 7_000_000));
    assert_eq!(s.min_available_bytes, 3_000_000);
    let (s, rec) = common::run(&toml(true), trace);
    assert_eq!((s.pulls, s.pull_bytes), (1, 7_000_000));
    assert_eq!(sample(&rec, 3), (3_000_000, 0));
    assert_eq!(sample(&rec, 7), (0, 5_000_000));
    // The least available is at the peak, just before the image is stored: 10 − 7 MB.
    assert_eq!(s.min_available_bytes, 3_000_000);
}

/// Three images sharing a base on containerd, with and without discard_unpacked_layers. Layers
/// (unpacked, compressed): base 4 MB, 2 MB; x, y, z 2 MB, 1 MB each. Images a:1 = base + x,
/// b:1 = base + y, c:1 = base + z, reported compressed: 3 MB each. A 20 MB disk with 3 MB of other
/// data, 1 MB/s pulls, GC 85/80 with MinAge 2m. Pods: pa (a:1) at 0 s, deleted at 20 s; pb
/// (b:1) at 30 s, deleted at 50 s; pc (c:1) at 60 s, running. A pull writes blobs then
/// snapshots: pa 2 + 4 + 1 + 2 = 9 MB (done at 9 s), pb and pc 3 MB each (33 s, 63 s).
/// - Blobs kept: 3 + 6 + 3·3 = 18 MB from 63 s: 90 %. The pass at 300 s triggers with
///   amountToFree = 20 MB × 20 % − 2 MB = 2 MB, but every image was first detected by it (MinAge):
///   FreeDiskSpaceFailed. At 600 s a:1 and b:1 are unused (never seen in use: tie on lastUsed and
///   firstDetected, a:1 first by ID): a:1 goes, 3 MB reported >= 2 MB; on disk only x leaves (base
///   is shared): 2 + 1 = 3 MB. Least available: 2 MB.
/// - discard_unpacked_layers: 3 + 4 + 3·2 = 13 MB: 65 %, no pass triggers. The pulls still write
///   blob + snapshot: least available just before pc's image is stored, 20 − (3 + 4 + 2 + 2 + 3)
///   = 6 MB.
#[test]
fn a_shared_base_chain_on_containerd_with_and_without_blobs() {
    let toml = |discard: bool| {
        format!(
            r#"name = "chain"
duration = "11m"
seed = 1
[node]
disk = 20000000
other_used = 3000000
pull_bandwidth = 1000000
discard_unpacked_layers = {discard}
[kubelet]
evictionHard = {{ "memory.available" = "100Mi" }}
[[layer]]
id = "base"
size = 4000000
compressed = 2000000
[[layer]]
id = "x"
size = 2000000
compressed = 1000000
[[layer]]
id = "y"
size = 2000000
compressed = 1000000
[[layer]]
id = "z"
size = 2000000
compressed = 1000000
[[image]]
name = "a:1"
layers = ["base", "x"]
[[image]]
name = "b:1"
layers = ["base", "y"]
[[image]]
name = "c:1"
layers = ["base", "z"]
[workload]
trace = "trace.csv"
"#
        )
    };
    let trace = "time,action,pod,image\n0,create,pa,a:1\n20,delete,pa,\n30,create,pb,b:1\n50,delete,pb,\n60,create,pc,c:1\n";
    let (s, rec) = common::run(&toml(false), trace);
    let triggered: Vec<_> = at(&rec.events, "ImageGCTriggered")
        .into_iter()
        .map(|(t, _, m)| (t, m))
        .collect();
    assert_eq!(
        triggered,
        [300, 600].map(|t| (
            t,
            "usage=90 highThreshold=85 amountToFree=2000000 lowThreshold=80".to_string()
        ))
    );
    assert_eq!(
        at(&rec.events, "ImageDeleted"),
        [(
            600,
            "image/a:1".to_string(),
            "reason=space reportedBytes=3000000 freedOnDiskBytes=3000000".to_string()
        )]
    );
    assert_eq!(
        (s.gc_shortfalls, s.pull_bytes, s.min_available_bytes),
        (1, 15_000_000, 2_000_000)
    );

    let (s, rec) = common::run(&toml(true), trace);
    assert!(at(&rec.events, "ImageGCTriggered").is_empty());
    assert_eq!(
        (
            s.gc_triggered,
            s.images_deleted,
            s.pull_bytes,
            s.min_available_bytes
        ),
        (0, 0, 15_000_000, 6_000_000)
    );
}
