//! `imagefs-sim import`: each parser on fixtures written in the real formats
//! (tests/fixtures/import/), every message wording of data-formats.md §3.2, the error paths,
//! and import → load → run round trips whose t = 0 available bytes equal the Summary's.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use imagefs_sim::node::Layout;
use imagefs_sim::outcome::VecRecorder;
use imagefs_sim::scenario::Scenario;
use imagefs_sim::sim::Simulation;
use imagefs_sim::workload::import::common::parse_rfc3339;
use imagefs_sim::workload::import::configz::{parse_kubelet_config, ConfigForm};
use imagefs_sim::workload::import::events::{
    parse_events, parse_eviction_message, parse_gc_failure, parse_pull_message,
    parse_threshold_met, EvictionCause, GcFailure, GcWording, PodEndKind, PullMessage,
};
use imagefs_sim::workload::import::images::{normalize_image_ref, parse_images, InventorySource};
use imagefs_sim::workload::import::summary::{parse_summary, FsStats};
use imagefs_sim::workload::import::{
    self, plan, EntrySource, ImportOptions, RowAction, Runtime, DEFAULT_IMAGE_SIZE,
    DEFAULT_PULL_BANDWIDTH,
};

fn fx(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/import")
        .join(name)
}

/// 2026-03-17 at `hms` (UTC), in ns since the epoch.
fn t(hms: &str) -> i64 {
    parse_rfc3339(&format!("2026-03-17T{hms}Z")).unwrap()
}

const SEC: i64 = 1_000_000_000;

fn full_bundle(out: &Path) -> ImportOptions {
    let mut o = ImportOptions::new(out);
    o.configz = Some(fx("configz.json"));
    o.summary = Some(fx("summary-shared.json"));
    o.events = Some(fx("events.json"));
    o.images = Some(fx("crictl-images-containerd.json"));
    o.node = Some("worker-1".into());
    o
}

fn run_scenario(path: &Path) -> (Scenario, VecRecorder) {
    let sc = Scenario::load(path).unwrap_or_else(|e| panic!("{e}"));
    let mut rec = VecRecorder::default();
    Simulation::new(&sc).run(&mut rec);
    (sc, rec)
}

// ---------------------------------------------------------------------------
// KubeletConfiguration and /configz
// ---------------------------------------------------------------------------

#[test]
fn configz_reply_takes_every_field() {
    let c = parse_kubelet_config(&fx("configz.json")).unwrap();
    assert_eq!(c.form, Some(ConfigForm::Configz));
    assert_eq!(c.api_version, None);
    assert_eq!(c.image_gc_high_threshold_percent, Some(85));
    assert_eq!(c.image_gc_low_threshold_percent, Some(80));
    assert_eq!(c.image_minimum_gc_age.as_deref(), Some("2m0s"));
    assert_eq!(c.image_maximum_gc_age.as_deref(), Some("0s"));
    assert_eq!(c.serialize_image_pulls, Some(true));
    // Absent in /configz means unset.
    assert_eq!(c.max_parallel_image_pulls, None);
    assert_eq!(c.registry_pull_qps, Some(5));
    assert_eq!(c.registry_burst, Some(10));
    let hard: BTreeMap<String, String> = [
        ("imagefs.available", "15%"),
        ("imagefs.inodesFree", "5%"),
        ("memory.available", "100Mi"),
        ("nodefs.available", "10%"),
        ("nodefs.inodesFree", "5%"),
    ]
    .iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    assert_eq!(c.eviction_hard, Some(hard));
    assert_eq!(c.eviction_soft, None);
    assert_eq!(c.eviction_soft_grace_period, None);
    assert_eq!(c.eviction_minimum_reclaim, None);
    assert_eq!(
        c.eviction_pressure_transition_period.as_deref(),
        Some("5m0s")
    );
    assert_eq!(c.eviction_max_pod_grace_period, None);
    assert_eq!(c.merge_default_eviction_settings, None);
    assert_eq!(
        c.container_runtime_endpoint.as_deref(),
        Some("unix:///run/containerd/containerd.sock")
    );
    assert!(!c.image_gc_disabled());
    assert!(!c.disk_eviction_disabled());
    assert!(c.warnings().is_empty(), "{:?}", c.warnings());
    assert_eq!(
        c.scenario_fields(),
        vec![
            ("imageGCHighThresholdPercent", "85".to_string()),
            ("imageGCLowThresholdPercent", "80".to_string()),
            ("imageMinimumGCAge", "\"2m0s\"".to_string()),
            ("imageMaximumGCAge", "\"0s\"".to_string()),
            ("serializeImagePulls", "true".to_string()),
            ("registryPullQPS", "5".to_string()),
            ("registryBurst", "10".to_string()),
            ("containerLogMaxSize", "\"10Mi\"".to_string()),
            ("containerLogMaxFiles", "5".to_string()),
            ("containerLogMaxWorkers", "1".to_string()),
            ("containerLogMonitorInterval", "\"10s\"".to_string()),
            ("localStorageCapacityIsolation", "true".to_string()),
        ]
    );
    assert_eq!(
        c.eviction_fields(),
        vec![
            ("evictionHard", "{ \"imagefs.available\" = \"15%\", \"imagefs.inodesFree\" = \"5%\", \"memory.available\" = \"100Mi\", \"nodefs.available\" = \"10%\", \"nodefs.inodesFree\" = \"5%\" }".to_string()),
            ("evictionPressureTransitionPeriod", "\"5m0s\"".to_string()),
        ]
    );
}

#[test]
fn kind_yaml_with_several_documents_warns_that_disk_management_is_off() {
    let c = parse_kubelet_config(&fx("kubelet-config-kind.yaml")).unwrap();
    assert_eq!(c.form, Some(ConfigForm::File));
    assert_eq!(
        c.api_version.as_deref(),
        Some("kubelet.config.k8s.io/v1beta1")
    );
    assert_eq!(c.image_gc_high_threshold_percent, Some(100));
    assert_eq!(c.image_gc_low_threshold_percent, None);
    let hard = c.eviction_hard.clone().unwrap();
    assert_eq!(hard.len(), 3);
    assert!(hard.values().all(|v| v == "0%"));
    assert!(c.image_gc_disabled());
    assert!(c.disk_eviction_disabled());
    let w = c.warnings();
    assert_eq!(w.len(), 2, "{w:?}");
    assert!(w[0].contains("image GC by disk usage is switched off"));
    assert!(w[1].contains("disk-pressure eviction is switched off"));
}

#[test]
fn eks_json_file_with_parallel_pulls_and_soft_eviction() {
    let c = parse_kubelet_config(&fx("kubelet-config-eks.json")).unwrap();
    assert_eq!(c.form, Some(ConfigForm::File));
    assert_eq!(c.serialize_image_pulls, Some(false));
    assert_eq!(c.max_parallel_image_pulls, Some(3));
    assert_eq!(c.registry_pull_qps, Some(10));
    assert_eq!(c.registry_burst, Some(20));
    assert_eq!(c.image_minimum_gc_age.as_deref(), Some("5m"));
    assert_eq!(c.image_maximum_gc_age.as_deref(), Some("168h"));
    assert_eq!(c.image_gc_high_threshold_percent, None);
    assert_eq!(c.eviction_soft.as_ref().unwrap()["nodefs.available"], "15%");
    assert_eq!(
        c.eviction_soft_grace_period.as_ref().unwrap()["nodefs.available"],
        "1m30s"
    );
    assert_eq!(
        c.eviction_minimum_reclaim.as_ref().unwrap()["nodefs.available"],
        "2Gi"
    );
    assert_eq!(c.eviction_max_pod_grace_period, Some(60));
    assert_eq!(c.eviction_pressure_transition_period.as_deref(), Some("2m"));
    let w = c.warnings();
    assert_eq!(w.len(), 1, "{w:?}");
    assert!(w[0].contains("no imagefs.* threshold"), "{w:?}");
}

#[test]
fn kubeadm_configmap_holds_the_file_as_a_string() {
    let c = parse_kubelet_config(&fx("kubelet-config-configmap.yaml")).unwrap();
    assert_eq!(c.form, Some(ConfigForm::ConfigMap));
    assert_eq!(c.image_gc_high_threshold_percent, Some(90));
    assert_eq!(c.image_gc_low_threshold_percent, Some(70));
    assert_eq!(c.image_minimum_gc_age.as_deref(), Some("10m0s"));
    assert_eq!(c.serialize_image_pulls, Some(false));
    assert_eq!(c.merge_default_eviction_settings, Some(true));
    assert_eq!(
        c.eviction_hard.as_ref().unwrap()["imagefs.available"],
        "10%"
    );
    assert_eq!(
        c.eviction_minimum_reclaim.as_ref().unwrap()["nodefs.available"],
        "10%"
    );
    assert!(c.warnings().is_empty(), "{:?}", c.warnings());
}

#[test]
fn config_errors_name_the_file_and_the_field() {
    let e = parse_kubelet_config(&fx("configz-bad-threshold.json")).unwrap_err();
    assert_eq!(
        e.to_string(),
        format!(
            "{}: kubeletconfig.imageGCLowThresholdPercent: invalid configuration: imageGCLowThresholdPercent (--image-gc-low-threshold) 90 must be less than imageGCHighThresholdPercent (--image-gc-high-threshold) 85",
            fx("configz-bad-threshold.json").display()
        )
    );
    let e = parse_kubelet_config(&fx("configz-bad-duration.yaml")).unwrap_err();
    assert_eq!(e.field.as_deref(), Some("imageMinimumGCAge"));
    assert!(e.message.contains("expected a duration string"), "{e}");
    // Neither /configz nor a KubeletConfiguration.
    let e = parse_kubelet_config(&fx("summary-shared.json")).unwrap_err();
    assert!(e.message.contains("no kubelet configuration found"), "{e}");
}

#[test]
fn eviction_map_values_are_checked() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("c.json");
    std::fs::write(
        &p,
        r#"{"kubeletconfig": {"evictionHard": {"nodefs.available": "ten%"}}}"#,
    )
    .unwrap();
    let e = parse_kubelet_config(&p).unwrap_err();
    assert_eq!(
        e.field.as_deref(),
        Some("kubeletconfig.evictionHard[\"nodefs.available\"]")
    );
}

// ---------------------------------------------------------------------------
// Summary API
// ---------------------------------------------------------------------------

#[test]
fn summary_shared_filesystem() {
    let s = parse_summary(&fx("summary-shared.json")).unwrap();
    assert_eq!(s.node_name.as_deref(), Some("worker-1"));
    assert_eq!(
        s.nodefs,
        FsStats {
            time: Some(t("10:45:00")),
            capacity_bytes: Some(107_374_182_400),
            available_bytes: Some(64_424_509_440),
            used_bytes: Some(40_802_189_312),
            inodes: Some(6_553_600),
            inodes_free: Some(6_291_456),
            inodes_used: Some(262_144),
        }
    );
    let img = s.imagefs.clone().unwrap();
    assert_eq!(img.time, Some(t("10:44:52")));
    assert_eq!(img.used_bytes, Some(812_345_678));
    assert_eq!(s.containerfs, None);
    assert_eq!(s.time(), Some(t("10:45:00")));
    assert_eq!(s.detect_layout().layout, Layout::Shared);
    assert_eq!(s.pods.len(), 4);
    let web = &s.pods[0];
    assert_eq!(
        (web.namespace.as_str(), web.name.as_str(), web.uid.as_str()),
        ("default", "web-1", "0b7c1f8e-0001-4c55-9a11-000000000001")
    );
    assert_eq!(web.containers.len(), 1);
    assert_eq!(web.containers[0].name, "nginx");
    assert_eq!(web.containers[0].rootfs_used, Some(1_048_576));
    assert_eq!(web.containers[0].logs_used, Some(524_288));
    assert_eq!(web.ephemeral_used, Some(1_585_152));
    assert_eq!(web.volume_used, 12_288);
    assert_eq!(s.pods[1].volume_used, 2_097_152);
    assert_eq!(s.pods[2].ephemeral_used, None);
    // 2^64-1 read exactly, never through f64.
    let (name, v) = &s.pods[3].volumes[0];
    assert_eq!(name, "host-proc");
    assert_eq!(v.inodes_free, Some(u64::MAX));
    assert_eq!(v.inodes, Some(18_446_744_073_709_551_615));
    assert_eq!(s.container_bytes(), (1_081_344, 638_976));
}

#[test]
fn summary_layouts() {
    let split = parse_summary(&fx("summary-split.json")).unwrap();
    assert_eq!(split.detect_layout().layout, Layout::Split);
    let ded = parse_summary(&fx("summary-dedicated.json")).unwrap();
    assert_eq!(ded.detect_layout().layout, Layout::DedicatedImagefs);
    assert_eq!(
        ded.imagefs.as_ref().unwrap().capacity_bytes,
        Some(100_000_000_000)
    );
    // cri-dockerd ≥1.31: containerFs duplicates imageFs, and both are node.fs.
    let dup = parse_summary(&fx("summary-containerfs-duplicate.json")).unwrap();
    let g = dup.detect_layout();
    assert_eq!(g.layout, Layout::Shared);
    assert_eq!(g.warning, None);
    assert_eq!(dup.containerfs.unwrap().used_bytes, Some(784_660_583));
}

#[test]
fn summary_without_filesystem_stats_is_an_error() {
    let e = parse_summary(&fx("summary-no-fs.json")).unwrap_err();
    assert_eq!(e.field.as_deref(), Some("node.fs"));
    assert!(e.message.contains("only_cpu_and_memory"), "{e}");
}

#[test]
fn summary_numbers_must_be_unsigned_64_bit_integers() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("s.json");
    std::fs::write(
        &p,
        r#"{"node": {"fs": {"capacityBytes": 18446744073709551616, "availableBytes": 1}}, "pods": []}"#,
    )
    .unwrap();
    let e = parse_summary(&p).unwrap_err();
    assert_eq!(e.field.as_deref(), Some("node.fs.capacityBytes"));
    assert!(e.message.contains("unsigned 64-bit integer"), "{e}");
    std::fs::write(
        &p,
        r#"{"pods": [{"podRef": {"name": "a"}, "containers": [{"name": "c", "rootfs": {"usedBytes": "12"}}]}], "node": {"fs": {"capacityBytes": 10, "availableBytes": 1}}}"#,
    )
    .unwrap();
    let e = parse_summary(&p).unwrap_err();
    assert_eq!(
        e.to_string(),
        format!(
            "{}: pods[0].containers[0].rootfs.usedBytes: expected an unsigned integer, found a string",
            p.display()
        )
    );
}

// ---------------------------------------------------------------------------
// Image inventory
// ---------------------------------------------------------------------------

#[test]
fn crictl_images_json_from_containerd() {
    let i = parse_images(&fx("crictl-images-containerd.json"), None).unwrap();
    assert_eq!(i.source, InventorySource::Crictl);
    assert_eq!(i.node, None);
    assert_eq!(i.images.len(), 6);
    let pause = &i.images[0];
    assert_eq!(
        pause.id.as_deref(),
        Some("sha256:e6f1816883972d4be47bd48879a08919b96afcd344132622e4d444987919323c")
    );
    assert_eq!(pause.repo_tags, vec!["registry.k8s.io/pause:3.9"]);
    assert_eq!(pause.size, 321_520);
    assert_eq!(pause.pinned, Some(true));
    let nginx = &i.images[1];
    assert_eq!(
        nginx.repo_tags,
        vec![
            "docker.io/library/nginx:1.25.3",
            "docker.io/library/nginx:stable"
        ]
    );
    assert_eq!(nginx.size, 70_500_000);
    assert_eq!(nginx.pinned, Some(false));
    let dangling = &i.images[4];
    assert!(dangling.repo_tags.is_empty());
    assert_eq!(dangling.size, 2_150_000);
    assert_eq!(
        dangling.display_name(),
        "docker.io/library/busybox@sha256:ba76950ac9eaa407512c9d859cea48114eeff8a6f12ebaa5d32ce79d4a017dd8"
    );
}

#[test]
fn crictl_images_json_from_an_old_crictl_has_no_pinned_key() {
    let i = parse_images(&fx("crictl-images-docker-old.json"), None).unwrap();
    assert_eq!(i.images.len(), 3);
    assert!(i.images.iter().all(|im| im.pinned.is_none()));
    assert_eq!(i.images[1].size, 253_392_289);
    // "repoDigests": null
    assert!(i.images[2].repo_digests.is_empty());
}

#[test]
fn node_status_images_and_node_info() {
    let i = parse_images(&fx("node.json"), None).unwrap();
    assert_eq!(i.source, InventorySource::NodeStatus);
    assert_eq!(i.images.len(), 4);
    assert_eq!(i.images[0].repo_tags, vec!["ghcr.io/acme/api:v2"]);
    assert_eq!(
        i.images[0].repo_digests,
        vec!["ghcr.io/acme/api@sha256:9f8e7d6c5b4a39281706f5e4d3c2b1a09f8e7d6c5b4a39281706f5e4d3c2b1a0"]
    );
    assert_eq!(i.images[0].size, 120_000_000);
    assert_eq!(i.images[0].id, None);
    assert_eq!(i.images[0].pinned, None);
    let n = i.node.unwrap();
    assert_eq!(n.name.as_deref(), Some("worker-1"));
    assert_eq!(n.kubelet_version.as_deref(), Some("v1.31.4"));
    assert_eq!(
        n.container_runtime_version.as_deref(),
        Some("containerd://1.7.13")
    );
    assert_eq!(n.ephemeral_storage_capacity, Some(104_857_600 * 1024));
    assert_eq!(n.heartbeat, Some(t("10:44:31")));
    assert_eq!(n.disk_pressure, Some(false));
}

#[test]
fn node_list_needs_the_node_name() {
    let e = parse_images(&fx("nodes-list.json"), None).unwrap_err();
    assert!(
        e.message
            .contains("the list has 2 nodes (worker-1, worker-9)"),
        "{e}"
    );
    let i = parse_images(&fx("nodes-list.json"), Some("worker-9")).unwrap();
    let n = i.node.unwrap();
    assert_eq!(
        n.container_runtime_version.as_deref(),
        Some("cri-o://1.29.1")
    );
    assert_eq!(i.images.len(), 1);
    assert_eq!(i.images[0].size, 191_000_000);
    let e = parse_images(&fx("nodes-list.json"), Some("worker-3")).unwrap_err();
    assert!(e.message.contains("no node named \"worker-3\""), "{e}");
}

#[test]
fn image_references_join_after_normalisation() {
    assert_eq!(
        normalize_image_ref("nginx"),
        "docker.io/library/nginx:latest"
    );
    assert_eq!(
        normalize_image_ref("nginx:1.25.3"),
        "docker.io/library/nginx:1.25.3"
    );
    assert_eq!(
        normalize_image_ref("local/only:dev"),
        "docker.io/local/only:dev"
    );
    assert_eq!(
        normalize_image_ref("registry.k8s.io/pause:3.9"),
        "registry.k8s.io/pause:3.9"
    );
    assert_eq!(
        normalize_image_ref("reg.io:5000/a/b"),
        "reg.io:5000/a/b:latest"
    );
}

// ---------------------------------------------------------------------------
// Event messages: every wording of data-formats.md §3.2
// ---------------------------------------------------------------------------

fn pulled(image: &str, pull: Option<i64>, total: Option<i64>, size: Option<u64>) -> PullMessage {
    PullMessage::Pulled {
        image: image.into(),
        pull,
        total,
        size,
    }
}

#[test]
fn pulling_wordings() {
    assert_eq!(
        parse_pull_message("Pulling image \"nginx:1.25\""),
        Some(PullMessage::Pulling {
            image: "nginx:1.25".into()
        })
    );
    // Very old kubelets: lower case.
    assert_eq!(
        parse_pull_message("pulling image \"busybox\""),
        Some(PullMessage::Pulling {
            image: "busybox".into()
        })
    );
}

#[test]
fn pulled_wordings_of_every_kubelet_version() {
    // ≤ 1.18
    assert_eq!(
        parse_pull_message("Successfully pulled image \"docker.io/library/fedora:32\""),
        Some(pulled("docker.io/library/fedora:32", None, None, None))
    );
    // 1.19 – ~1.25, full nanosecond precision
    assert_eq!(
        parse_pull_message("Successfully pulled image \"nginx\" in 7.556422631s"),
        Some(pulled("nginx", Some(7_556_422_631), None, None))
    );
    // ~1.26/1.27: with the time including waiting
    assert_eq!(
        parse_pull_message(
            "Successfully pulled image \"nginx\" in 490ms (1m2.5s including waiting)"
        ),
        Some(pulled(
            "nginx",
            Some(490_000_000),
            Some(62_500_000_000),
            None
        ))
    );
    // ≥ 1.30: with the image size
    assert_eq!(
        parse_pull_message("Successfully pulled image \"nginx\" in 1.481s (1.481s including waiting). Image size: 180545980 bytes."),
        Some(pulled("nginx", Some(1_481_000_000), Some(1_481_000_000), Some(180_545_980)))
    );
    // Microseconds, both spellings of µ.
    assert_eq!(
        parse_pull_message("Successfully pulled image \"a:1\" in 850µs (2ms including waiting). Image size: 1 bytes."),
        Some(pulled("a:1", Some(850_000), Some(2_000_000), Some(1)))
    );
    assert_eq!(
        parse_pull_message("Successfully pulled image \"a:1\" in 850us"),
        Some(pulled("a:1", Some(850_000), None, None))
    );
    // Hours.
    assert_eq!(
        parse_pull_message(
            "Successfully pulled image \"big:1\" in 1h2m3.5s (1h2m3.5s including waiting)"
        ),
        Some(pulled(
            "big:1",
            Some(3_723_500_000_000),
            Some(3_723_500_000_000),
            None
        ))
    );
    // The correlator's prefix.
    assert_eq!(
        parse_pull_message("(combined from similar events): Successfully pulled image \"x:2\" in 1s (3s including waiting). Image size: 42 bytes."),
        Some(pulled("x:2", Some(SEC), Some(3 * SEC), Some(42)))
    );
}

#[test]
fn already_present_failed_backoff_and_never() {
    assert_eq!(
        parse_pull_message("Container image \"redis:7.2\" already present on machine"),
        Some(PullMessage::AlreadyPresent {
            image: "redis:7.2".into()
        })
    );
    assert_eq!(
        parse_pull_message(
            "Container image \"redis:7.2\" already present on machine and can be accessed by the pod"
        ),
        Some(PullMessage::AlreadyPresent {
            image: "redis:7.2".into()
        })
    );
    assert_eq!(
        parse_pull_message(
            "Failed to pull image \"ghcr.io/x/y:1\": rpc error: code = NotFound desc = not found"
        ),
        Some(PullMessage::Failed {
            image: "ghcr.io/x/y:1".into(),
            error: "rpc error: code = NotFound desc = not found".into()
        })
    );
    assert_eq!(
        parse_pull_message("Back-off pulling image \"ghcr.io/x/y:1\""),
        Some(PullMessage::BackOff {
            image: "ghcr.io/x/y:1".into()
        })
    );
    assert_eq!(
        parse_pull_message("Back-off pulling image \"ghcr.io/x/y:1\": ErrImagePull: not found"),
        Some(PullMessage::BackOff {
            image: "ghcr.io/x/y:1".into()
        })
    );
    assert_eq!(
        parse_pull_message(
            "Container image \"local/only:dev\" is not present with pull policy of Never"
        ),
        Some(PullMessage::NeverPull {
            image: "local/only:dev".into()
        })
    );
    assert_eq!(parse_pull_message("Error: ErrImagePull"), None);
    assert_eq!(parse_pull_message("Image pulled by a vendor plugin"), None);
}

fn gc(
    wording: GcWording,
    amount: Option<u64>,
    freed: Option<u64>,
    pct: Option<f64>,
    cap: Option<&str>,
) -> GcFailure {
    GcFailure {
        wording,
        amount_to_free: amount,
        freed,
        usage_percent: pct,
        capacity: cap.map(str::to_string),
    }
}

#[test]
fn free_disk_space_failed_wordings_v0_to_v3() {
    assert_eq!(
        parse_gc_failure("failed to garbage collect required amount of images. Wanted to free 6092960563, but freed 0"),
        Some(gc(GcWording::V0, Some(6_092_960_563), Some(0), None, None))
    );
    assert_eq!(
        parse_gc_failure("failed to garbage collect required amount of images. Wanted to free 9025121484 bytes, but freed 0 bytes"),
        Some(gc(GcWording::V1, Some(9_025_121_484), Some(0), None, None))
    );
    assert_eq!(
        parse_gc_failure("Failed to garbage collect required amount of images. Attempted to free 4294967296 bytes, but only found 1073741824 bytes eligible to free."),
        Some(gc(GcWording::V2, Some(4_294_967_296), Some(1_073_741_824), None, None))
    );
    assert_eq!(
        parse_gc_failure("Insufficient free disk space on the node's image filesystem (95% of 10.0 GiB used). Failed to free sufficient space by deleting unused images (freed 0 bytes). Investigate disk usage, as it could be used by active images, logs, volumes, or other data."),
        Some(gc(GcWording::V3, None, Some(0), Some(95.0), Some("10.0 GiB")))
    );
    // The draft wording of v3: match on the prefix.
    assert_eq!(
        parse_gc_failure("Insufficient free disk space on the node's image filesystem (97.5% of 10.0 GiB used). Failed to free sufficient space by deleting unused images (freed 52428800 bytes). Consider resizing the disk or deleting unused files."),
        Some(gc(GcWording::V3, None, Some(52_428_800), Some(97.5), Some("10.0 GiB")))
    );
    assert_eq!(
        parse_gc_failure("invalid capacity 0 on image filesystem"),
        None
    );
}

#[test]
fn evicted_wordings() {
    assert_eq!(
        parse_eviction_message("The node was low on resource: ephemeral-storage. Container calico-node was using 92Ki, which exceeds its request of 0."),
        EvictionCause::NodePressure {
            resource: "ephemeral-storage".into(),
            threshold: None,
            available: None,
            new_wording: false
        }
    );
    assert_eq!(
        parse_eviction_message("The node was low on resource: ephemeral-storage. Threshold quantity: 3219128Ki, available: 24094024Ki. Container c was using 4Gi, request is 0, has larger consumption of ephemeral-storage. "),
        EvictionCause::NodePressure {
            resource: "ephemeral-storage".into(),
            threshold: Some("3219128Ki".into()),
            available: Some("24094024Ki".into()),
            new_wording: true
        }
    );
    assert_eq!(
        parse_eviction_message(
            "Pod ephemeral local storage usage exceeds the total limit of containers 1Gi."
        ),
        EvictionCause::PodLimit {
            limit: "1Gi".into()
        }
    );
    assert_eq!(
        parse_eviction_message(
            "Container app exceeded its local ephemeral storage limit \"500Mi\". "
        ),
        EvictionCause::ContainerLimit {
            container: "app".into(),
            limit: "500Mi".into()
        }
    );
    assert_eq!(
        parse_eviction_message("Usage of EmptyDir volume \"cache\" exceeds the limit \"2Gi\". "),
        EvictionCause::EmptyDirLimit {
            volume: "cache".into(),
            limit: "2Gi".into()
        }
    );
    assert_eq!(
        parse_eviction_message("The node had condition: [DiskPressure]. "),
        EvictionCause::Admission {
            conditions: "[DiskPressure]".into()
        }
    );
    assert_eq!(
        parse_eviction_message("Pod was rejected: The node had condition: [DiskPressure]. "),
        EvictionCause::Admission {
            conditions: "[DiskPressure]".into()
        }
    );
    assert_eq!(
        parse_threshold_met("Attempting to reclaim ephemeral-storage").as_deref(),
        Some("ephemeral-storage")
    );
    assert_eq!(
        parse_threshold_met("Attempting to reclaim inodes").as_deref(),
        Some("inodes")
    );
}

// ---------------------------------------------------------------------------
// Events files
// ---------------------------------------------------------------------------

#[test]
fn events_json_for_one_node() {
    let e = parse_events(&fx("events.json"), Some("worker-1")).unwrap();
    assert_eq!(e.total, 39);
    assert_eq!(e.node.as_deref(), Some("worker-1"));
    assert_eq!(e.from_node, 36);
    assert_eq!(e.other_hosts.get("worker-2"), Some(&1));
    assert_eq!(e.other_hosts.len(), 1);
    // The scheduler's Scheduled and a ReplicaSet's SuccessfulCreate.
    assert_eq!(e.without_host, 2);
    assert_eq!(e.without_time, 0);
    assert_eq!(e.span, Some((t("10:00:05"), t("10:43:00"))));
    let names: Vec<String> = e.pods.iter().map(|p| p.key()).collect();
    assert_eq!(
        names,
        vec![
            "default/web-1",
            "default/cache-0",
            "kube-system/kube-proxy-abc",
            "batch/job-a-7x9kq",
            "batch/job-b-2mzpl",
            "default/failing",
            "default/never",
            "default/web-2",
            "default/restarted",
            "default/old-evict",
        ]
    );
    let web = &e.pods[0];
    assert_eq!(web.uid, "0b7c1f8e-0001-4c55-9a11-000000000001");
    assert_eq!(web.containers.len(), 1);
    assert_eq!(web.containers[0].name, "nginx");
    assert_eq!(web.containers[0].image.as_deref(), Some("nginx:1.25.3"));
    assert_eq!(web.containers[0].first, t("10:00:05"));
    assert!(web.containers[0].pulled && !web.containers[0].already_present);
    assert_eq!(web.end, None);
    // reportingInstance only (source {}), count 12, with the correlator's prefix.
    let kp = &e.pods[2];
    assert!(kp.containers[0].already_present);
    assert_eq!(
        kp.containers[0].image.as_deref(),
        Some("registry.k8s.io/kube-proxy:v1.31.4")
    );
    assert_eq!(kp.start(), Some(t("10:03:00")));
    let job_a = &e.pods[3];
    assert_eq!(job_a.start(), Some(t("10:05:00")));
    assert_eq!(job_a.end, Some((t("10:20:00"), PodEndKind::Deleted)));
    let job_b = &e.pods[4];
    assert_eq!(job_b.containers.len(), 2);
    assert_eq!(job_b.containers[0].name, "setup");
    assert!(job_b.containers[0].init);
    assert_eq!(job_b.containers[0].image.as_deref(), Some("busybox"));
    assert_eq!(job_b.containers[1].name, "main");
    // t_end − total: 10:07:10 − 1m2.5s.
    assert_eq!(job_b.containers[1].first, t("10:06:07") + SEC / 2);
    assert_eq!(job_b.end, Some((t("10:30:00"), PodEndKind::Evicted)));
    assert_eq!(
        e.pods[5].containers[0].image.as_deref(),
        Some("ghcr.io/acme/missing:0.1")
    );
    assert!(e.pods[6].containers[0].never_pull);
    assert_eq!(
        e.pods[7].containers[0].image.as_deref(),
        Some("ghcr.io/acme/api:v3")
    );
    // Killed by a liveness probe and started again: not deleted.
    assert_eq!(e.pods[8].end, None);
    assert_eq!(e.pods[9].end, Some((t("10:13:00"), PodEndKind::Evicted)));

    assert_eq!(e.pulls.len(), 4);
    let p = &e.pulls[0];
    assert_eq!(
        (p.pod.as_str(), p.container.as_str(), p.image.as_str()),
        ("default/web-1", "nginx", "nginx:1.25.3")
    );
    assert_eq!(p.end, t("10:00:07"));
    assert_eq!(p.pull, Some(1_481_000_000));
    assert_eq!(p.total, Some(1_481_000_000));
    assert_eq!(p.size, Some(70_500_000));
    assert_eq!(e.pulls[1].pull, Some(7_556_422_631));
    assert_eq!(e.pulls[1].size, None);
    assert_eq!(
        (e.pulls[2].image.as_str(), e.pulls[2].pull),
        ("busybox", None)
    );
    assert_eq!(e.pulls[3].total, Some(62_500_000_000));
    assert_eq!(e.already_present, 4);
    let redis = &e.images["redis:7.2"];
    assert!(redis.first_was_present);
    assert_eq!((redis.uses, redis.pulls), (2, 0));
    assert_eq!(e.images["nginx:1.25.3"].size, Some(70_500_000));
    assert_eq!(e.images.len(), 9);
    assert_eq!(e.unparsed_pull_messages, 1);
    let unknown: Vec<(&str, usize)> = e
        .unknown_reasons
        .iter()
        .map(|(k, v)| (k.as_str(), *v))
        .collect();
    assert_eq!(unknown, vec![("SandboxChanged", 1), ("Unhealthy", 1)]);
    let nr: Vec<(&str, usize)> = e
        .not_replayed
        .iter()
        .map(|(k, v)| (k.as_str(), *v))
        .collect();
    assert_eq!(
        nr,
        vec![
            ("BackOff", 1),
            ("ErrImageNeverPull", 1),
            ("Failed", 2),
            ("FailedPullImage", 1)
        ]
    );
    assert_eq!(e.gc_failures.len(), 2);
    assert_eq!(e.gc_failures[0].0, t("10:15:00"));
    assert_eq!(e.gc_failures[0].1, "FreeDiskSpaceFailed");
    assert_eq!(e.gc_failures[1].1, "ImageGCFailed");
    assert_eq!(e.gc_failures[1].2.wording, GcWording::V2);
    assert_eq!(
        e.threshold_met,
        vec![(t("10:25:00"), "ephemeral-storage".to_string())]
    );
    assert_eq!(
        e.pressure,
        vec![(t("10:25:10"), true), (t("10:40:00"), false)]
    );
    assert_eq!(e.evictions.len(), 2);
    assert_eq!(e.evictions[0].1, "default/old-evict");
}

#[test]
fn events_pick_the_busiest_host_without_a_node() {
    let e = parse_events(&fx("events.json"), None).unwrap();
    assert_eq!(e.node.as_deref(), Some("worker-1"));
    assert_eq!(e.from_node, 36);
    let e = parse_events(&fx("events.json"), Some("nobody")).unwrap();
    assert_eq!(e.from_node, 0);
    assert_eq!(e.other_hosts["worker-1"], 36);
}

#[test]
fn events_yaml_with_every_gc_wording() {
    let e = parse_events(&fx("events-gc-wordings.yaml"), None).unwrap();
    assert_eq!(e.node.as_deref(), Some("k3d-server-0"));
    assert_eq!(e.total, 9);
    let w: Vec<(GcWording, &str)> = e
        .gc_failures
        .iter()
        .map(|g| (g.2.wording, g.1.as_str()))
        .collect();
    assert_eq!(
        w,
        vec![
            (GcWording::V0, "FreeDiskSpaceFailed"),
            (GcWording::V1, "FreeDiskSpaceFailed"),
            (GcWording::V1, "ImageGCFailed"),
            (GcWording::V2, "FreeDiskSpaceFailed"),
            (GcWording::V3, "FreeDiskSpaceFailed"),
            (GcWording::V3, "ImageGCFailed"),
        ]
    );
    assert_eq!(e.gc_failures[3].2.amount_to_free, Some(9_231_191_244));
    assert_eq!(e.threshold_met[0].1, "inodes");
    // The ≤1.18 pair: no duration, no size.
    assert_eq!(e.pulls.len(), 1);
    assert_eq!(e.pulls[0].image, "nginx:1.19.3-alpine");
    assert_eq!(e.pulls[0].pull, None);
    assert_eq!(e.pods[0].start(), parse_rfc3339("2020-12-03T17:53:52Z"));
}

#[test]
fn malformed_events_name_the_json_path() {
    let e = parse_events(&fx("events-bad-type.json"), None).unwrap_err();
    assert_eq!(
        e.to_string(),
        format!(
            "{}: items[3].involvedObject.name: expected a string, found a number",
            fx("events-bad-type.json").display()
        )
    );
    let e = parse_events(&fx("events-truncated.json"), None).unwrap_err();
    assert_eq!(e.field.as_deref(), Some("items[2]"));
    assert_eq!(e.line, Some(94));
    assert!(e.message.contains("EOF"), "{e}");
}

// ---------------------------------------------------------------------------
// The whole import
// ---------------------------------------------------------------------------

#[test]
fn full_bundle_plan() {
    let dir = tempfile::tempdir().unwrap();
    let p = plan(&full_bundle(&dir.path().join("out"))).unwrap();
    assert_eq!(p.name, "import-worker-1");
    assert_eq!(p.node_name.as_deref(), Some("worker-1"));
    assert_eq!(p.runtime, Runtime::Containerd);
    assert_eq!(p.layout, Layout::Shared);
    assert_eq!(p.disk, 107_374_182_400);
    // Preloaded layers: each reported (compressed) size × 2.7.
    let preloaded: u64 = [
        321_520u64,
        70_500_000,
        45_000_000,
        120_000_000,
        2_150_000,
        30_500_000,
    ]
    .iter()
    .map(|r| (*r as f64 * 2.7).round() as u64)
    .sum();
    assert_eq!(preloaded, 724_873_104);
    // containerd keeps the compressed blobs too: the 268471520 reported (compressed) bytes.
    assert_eq!(
        p.other_used,
        107_374_182_400 - 64_424_509_440 - preloaded - 268_471_520
    );
    assert_eq!(p.imagefs, None);
    assert_eq!(p.expected_available, Some(64_424_509_440));
    // Median of nginx (190350000 B in 1.481 s) and api:v2 (324000000 B in 490 ms).
    assert_eq!(p.pull_bandwidth, 661_224_489);
    assert_eq!(p.kubelet_version, None);
    assert_eq!(p.duration_ns, 3600 * SEC);

    let names: Vec<&str> = p.catalog.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(
        names,
        vec![
            "registry.k8s.io/pause:3.9",
            "docker.io/library/nginx:1.25.3",
            "docker.io/library/redis:7.2",
            "ghcr.io/acme/api:v2",
            "docker.io/library/busybox@sha256:ba76950ac9eaa407512c9d859cea48114eeff8a6f12ebaa5d32ce79d4a017dd8",
            "registry.k8s.io/kube-proxy:v1.31.4",
            "docker.io/library/busybox:latest",
            "ghcr.io/acme/api:v3",
            "ghcr.io/acme/job:1.0",
            "ghcr.io/acme/missing:0.1",
            "docker.io/local/only:dev",
        ]
    );
    let pause = &p.catalog[0];
    assert!(pause.pinned && pause.preloaded);
    assert_eq!(
        (pause.size, pause.compressed, pause.reported),
        (868_104, 321_520, 321_520)
    );
    assert_eq!(pause.source, EntrySource::Inventory);
    for c in &p.catalog[6..] {
        assert_eq!(c.source, EntrySource::Events);
        assert!(c.size_assumed && !c.preloaded && !c.pinned);
        assert_eq!(c.reported, DEFAULT_IMAGE_SIZE);
        assert_eq!(c.size, (DEFAULT_IMAGE_SIZE as f64 * 2.7).round() as u64);
    }

    type Row<'a> = (
        u64,
        RowAction,
        &'a str,
        &'a str,
        &'a str,
        &'a str,
        Option<u64>,
        Option<u64>,
    );
    let rows: Vec<Row> = p
        .trace
        .iter()
        .map(|r| {
            (
                r.time_ms,
                r.action,
                r.pod.as_str(),
                r.container.as_str(),
                r.image.as_str(),
                r.pull_policy.as_str(),
                r.writable_cap,
                r.log_cap,
            )
        })
        .collect();
    use RowAction::*;
    assert_eq!(
        rows,
        vec![
            (
                0,
                Create,
                "default/cache-0",
                "redis",
                "docker.io/library/redis:7.2",
                "IfNotPresent",
                Some(4096),
                Some(8192)
            ),
            (
                0,
                Create,
                "default/web-1",
                "nginx",
                "docker.io/library/nginx:1.25.3",
                "IfNotPresent",
                Some(1_048_576),
                Some(524_288)
            ),
            (
                0,
                Create,
                "kube-system/kube-proxy-abc",
                "kube-proxy",
                "registry.k8s.io/kube-proxy:v1.31.4",
                "IfNotPresent",
                Some(8192),
                Some(65_536)
            ),
            (
                295_000,
                Create,
                "batch/job-a-7x9kq",
                "worker",
                "ghcr.io/acme/job:1.0",
                "IfNotPresent",
                None,
                None
            ),
            (
                355_000,
                Create,
                "batch/job-b-2mzpl",
                "setup",
                "docker.io/library/busybox:latest",
                "Always",
                None,
                None
            ),
            (
                355_000,
                Create,
                "batch/job-b-2mzpl",
                "main",
                "ghcr.io/acme/api:v2",
                "IfNotPresent",
                None,
                None
            ),
            (
                475_000,
                Create,
                "default/failing",
                "app",
                "ghcr.io/acme/missing:0.1",
                "IfNotPresent",
                None,
                None
            ),
            (
                535_000,
                Create,
                "default/never",
                "c",
                "docker.io/local/only:dev",
                "Never",
                None,
                None
            ),
            (
                565_000,
                Create,
                "default/web-2",
                "web",
                "ghcr.io/acme/api:v3",
                "IfNotPresent",
                None,
                None
            ),
            (
                595_000,
                Create,
                "default/restarted",
                "app",
                "ghcr.io/acme/api:v2",
                "IfNotPresent",
                None,
                None
            ),
            (
                715_000,
                Create,
                "default/old-evict",
                "app",
                "docker.io/library/redis:7.2",
                "IfNotPresent",
                None,
                None
            ),
            (
                775_000,
                Complete,
                "default/old-evict",
                "",
                "",
                "",
                None,
                None
            ),
            (
                1_195_000,
                Delete,
                "batch/job-a-7x9kq",
                "",
                "",
                "",
                None,
                None
            ),
            (
                1_795_000,
                Complete,
                "batch/job-b-2mzpl",
                "",
                "",
                "",
                None,
                None
            ),
        ]
    );

    let text = p.report.to_string();
    assert!(
        text.contains("the trace covers 2026-03-17T10:00:05Z to 2026-03-17T10:43:00Z (42m55s)"),
        "{text}"
    );
    assert!(text.contains("SandboxChanged ×1, Unhealthy ×1"), "{text}");
    assert!(
        text.contains("runtime containerd from containerRuntimeEndpoint"),
        "{text}"
    );
    assert!(text.contains("× 2.7 (--unpack-ratio)"), "{text}");
    assert!(
        text.contains("5 images seen only in events, without 'Image size:'"),
        "{text}"
    );
    assert!(
        text.contains("1 running containers (1 whole pods) have no image in the events"),
        "{text}"
    );
    assert!(
        text.contains("FreeDiskSpaceFailed ×1 (wording v2)"),
        "{text}"
    );
    assert!(text.contains("NodeHasDiskPressure at t = 25m5s"), "{text}");
    assert!(
        p.report.warnings.iter().all(|w| !w.contains("different")),
        "{:?}",
        p.report.warnings
    );

    let sc = p.scenario_toml();
    assert!(sc.contains("imageGCHighThresholdPercent = 85\n"), "{sc}");
    assert!(
        sc.contains("\nevictionHard = { \"imagefs.available\" = \"15%\""),
        "{sc}"
    );
    assert!(sc.contains("image_size_reporting = \"compressed\""), "{sc}");
}

#[test]
fn round_trip_shared_disk_matches_the_summary_at_t0() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("worker-1");
    let report = import::run(&full_bundle(&out)).unwrap();
    assert_eq!(report.wrote.as_deref(), Some(out.as_path()));
    let (sc, rec) = run_scenario(&out.join("scenario.toml"));
    assert_eq!(sc.node_name, "worker-1");
    assert_eq!(sc.catalog.images.len(), 11);
    assert_eq!(sc.preloaded.len(), 6);
    assert_eq!(sc.trace.len(), 13);
    let s0 = &rec.samples[0];
    assert_eq!(s0.time, 0);
    assert_eq!(s0.capacity_bytes, 107_374_182_400);
    assert_eq!(s0.available_bytes, 64_424_509_440);
    // The running pods hold their images in use from t = 0.
    assert_eq!(s0.running_pods, 3);
    assert_eq!(s0.images, 6);
    // GC sees what the kubelet would: the compressed sizes.
    assert_eq!(s0.reported_image_bytes, 268_471_520);
    assert!(rec.events.iter().any(|e| e.reason == "Pulling"));
    // No temporary directory is left beside the output.
    let left: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(left, vec!["worker-1"]);
}

/// scenario.toml records the report as comments above its fields, and t = 0 as start_time:
/// the first event (events.json: 2026-03-17T10:00:05Z; 2026-03-17 is day 20529 since 1970,
/// 20529 × 86400 + 10 h 0 min 5 s = 1773741605 s), else the summary's time (10:45:00Z).
#[test]
fn import_writes_start_time_and_the_report_as_comments() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("worker-1");
    let report = import::run(&full_bundle(&out)).unwrap();
    let text = std::fs::read_to_string(out.join("scenario.toml")).unwrap();
    let (head, fields) = text.split_at(text.find("\nname = ").unwrap() + 1);
    assert!(head.contains("\n# The import's report:\n"), "{head}");
    let printed = report.to_string();
    let mut n = 0;
    for line in printed.lines().filter(|l| !l.starts_with("wrote ")) {
        assert!(
            head.contains(&format!("\n#   {line}\n")),
            "{line:?} not in\n{head}"
        );
        n += 1;
    }
    assert!(n > 10, "{printed}");
    assert!(head.contains("#   took: "), "{head}");
    assert!(head.contains("#   assumed: "), "{head}");
    assert!(
        head.contains("#   validation target (not replayed): "),
        "{head}"
    );
    assert!(head.lines().all(|l| l.starts_with('#')), "{head}");
    assert!(
        fields.contains(
            "\nseed = 1\nstart_time = \"2026-03-17T10:00:05Z\"  # t = 0: the first event\n"
        ),
        "{fields}"
    );
    let sc = Scenario::load(&out.join("scenario.toml")).unwrap();
    let t0 = sc.start_time.unwrap();
    assert_eq!((t0.unix_secs(), t0.subsec_nanos()), (1_773_741_605, 0));
    assert_eq!(t0.unix_secs() * SEC, t("10:00:05"));

    // Without events t = 0 is the summary's disk state.
    let mut o = ImportOptions::new(dir.path().join("summary-only"));
    o.summary = Some(fx("summary-shared.json"));
    let p = plan(&o).unwrap();
    assert_eq!(p.start_time, Some((t("10:45:00"), "the summary's time")));
    assert!(p
        .scenario_toml()
        .contains("\nstart_time = \"2026-03-17T10:45:00Z\"  # t = 0: the summary's time\n"));
    // Nothing gives an instant: no start_time.
    let mut o = ImportOptions::new(dir.path().join("images-only"));
    o.images = Some(fx("crictl-images-containerd.json"));
    let p = plan(&o).unwrap();
    assert_eq!(p.start_time, None);
    assert!(!p.scenario_toml().contains("start_time"));
}

#[test]
fn round_trip_dedicated_imagefs_matches_both_filesystems() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("w2");
    let mut o = ImportOptions::new(&out);
    o.summary = Some(fx("summary-dedicated.json"));
    o.images = Some(fx("crictl-images-docker-old.json"));
    o.runtime = Some(Runtime::Docker);
    let p = plan(&o).unwrap();
    assert_eq!(p.layout, Layout::DedicatedImagefs);
    assert_eq!(p.disk, 50_000_000_000);
    assert_eq!(p.other_used, 20_000_000_000);
    // Docker reports unpacked sizes: size = reported.
    let preloaded = 45_227_747 + 253_392_289 + 682_696;
    assert_eq!(
        p.imagefs,
        Some((100_000_000_000, 30_000_000_000 - preloaded))
    );
    assert!(p.catalog.iter().all(|c| c.size == c.reported && !c.pinned));
    import::write(&p, &out).unwrap();
    let (_, rec) = run_scenario(&out.join("scenario.toml"));
    let s0 = &rec.samples[0];
    assert_eq!(s0.available_bytes, 70_000_000_000);
    assert_eq!(
        s0.per_fs,
        vec![
            (50_000_000_000, 30_000_000_000),
            (100_000_000_000, 70_000_000_000)
        ]
    );
}

#[test]
fn round_trip_split_filesystem() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("split");
    let mut o = ImportOptions::new(&out);
    o.summary = Some(fx("summary-split.json"));
    import::run(&o).unwrap();
    let (sc, rec) = run_scenario(&out.join("scenario.toml"));
    assert_eq!(sc.node.layout, Layout::Split);
    assert_eq!(rec.samples[0].available_bytes, 180_000_000_000);
    assert_eq!(
        rec.samples[0].per_fs,
        vec![
            (50_000_000_000, 40_000_000_000),
            (200_000_000_000, 180_000_000_000)
        ]
    );
}

#[test]
fn configz_alone_is_a_valid_import() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("c");
    let mut o = ImportOptions::new(&out);
    o.configz = Some(fx("kubelet-config-kind.yaml"));
    let rep = import::run(&o).unwrap();
    let text = rep.to_string();
    assert!(
        text.contains("warning: image GC by disk usage is switched off"),
        "{text}"
    );
    assert!(
        text.contains("no summary: a 107374182400 B (100.0 GiB) shared disk"),
        "{text}"
    );
    assert!(
        text.contains(&format!("pull_bandwidth {} B", DEFAULT_PULL_BANDWIDTH)),
        "{text}"
    );
    assert!(
        text.contains("no events (--events): the trace is empty"),
        "{text}"
    );
    let (sc, rec) = run_scenario(&out.join("scenario.toml"));
    assert_eq!(sc.kubelet.image_gc_high_threshold_percent, 100);
    assert_eq!(rec.samples[0].available_bytes, 100 * 1024 * 1024 * 1024);
}

#[test]
fn node_object_alone_gives_disk_runtime_and_version() {
    let dir = tempfile::tempdir().unwrap();
    let mut o = ImportOptions::new(dir.path().join("n"));
    o.images = Some(fx("node.json"));
    let p = plan(&o).unwrap();
    assert_eq!(p.node_name.as_deref(), Some("worker-1"));
    assert_eq!(p.runtime, Runtime::Containerd);
    assert_eq!(p.disk, 107_374_182_400);
    assert_eq!(p.kubelet_version.as_deref(), Some("1.31"));
    // No pinned flag in Node.status.images: containerd's sandbox image is assumed pinned.
    let pinned: Vec<&str> = p
        .catalog
        .iter()
        .filter(|c| c.pinned)
        .map(|c| c.name.as_str())
        .collect();
    assert_eq!(pinned, vec!["registry.k8s.io/pause:3.9"]);
    assert!(p
        .report
        .assumed
        .iter()
        .any(|a| a.contains("at most the 50 largest images")));
}

#[test]
fn events_alone_preload_images_that_were_already_present() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("e");
    let mut o = ImportOptions::new(&out);
    o.events = Some(fx("events.json"));
    let p = plan(&o).unwrap();
    assert_eq!(p.node_name.as_deref(), Some("worker-1"));
    let preloaded: Vec<&str> = p
        .catalog
        .iter()
        .filter(|c| c.preloaded)
        .map(|c| c.name.as_str())
        .collect();
    assert_eq!(
        preloaded,
        vec![
            "docker.io/library/redis:7.2",
            "registry.k8s.io/kube-proxy:v1.31.4"
        ]
    );
    // nginx's size comes from "Image size:".
    let nginx = p
        .catalog
        .iter()
        .find(|c| c.name == "docker.io/library/nginx:1.25.3")
        .unwrap();
    assert_eq!((nginx.reported, nginx.size_assumed), (70_500_000, false));
    // Without a summary, every event pod is replayed from its first event.
    assert_eq!(
        p.trace
            .iter()
            .filter(|r| r.action == RowAction::Create)
            .count(),
        11
    );
    import::write(&p, &out).unwrap();
    run_scenario(&out.join("scenario.toml"));
}

#[test]
fn mismatched_files_warn() {
    let dir = tempfile::tempdir().unwrap();
    let mut o = ImportOptions::new(dir.path().join("x"));
    o.summary = Some(fx("summary-dedicated.json"));
    o.events = Some(fx("events.json"));
    o.images = Some(fx("node.json"));
    o.runtime = Some(Runtime::Crio);
    let p = plan(&o).unwrap();
    let w = p.report.warnings.join("\n");
    assert!(
        w.contains("the files name different nodes (tests")
            || w.contains("the files name different nodes ("),
        "{w}"
    );
    assert!(w.contains("summary-dedicated.json: worker-2"), "{w}");
    assert!(w.contains("more than 1 h before the summary"), "{w}");
    assert!(w.contains("last heartbeat"), "{w}");
    assert!(
        w.contains("--runtime crio but the files say containerd"),
        "{w}"
    );
    assert_eq!(p.runtime, Runtime::Crio);
}

#[test]
fn no_partial_output_on_malformed_input() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let mut o = ImportOptions::new(&out);
    o.configz = Some(fx("configz.json"));
    o.events = Some(fx("events-bad-type.json"));
    let e = import::run(&o).unwrap_err();
    assert!(
        e.to_string()
            .contains("items[3].involvedObject.name: expected a string"),
        "{e}"
    );
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
}

#[test]
fn output_directory_with_other_files_is_refused_and_left_alone() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("busy");
    std::fs::create_dir(&out).unwrap();
    std::fs::write(out.join("notes.txt"), "mine").unwrap();
    let mut o = ImportOptions::new(&out);
    o.configz = Some(fx("configz.json"));
    let e = import::run(&o).unwrap_err();
    assert!(
        e.to_string().contains("holds other files (notes.txt)"),
        "{e}"
    );
    assert_eq!(
        std::fs::read_to_string(out.join("notes.txt")).unwrap(),
        "mine"
    );
    // A previous import's directory is replaced.
    let prev = dir.path().join("prev");
    let mut o = ImportOptions::new(&prev);
    o.configz = Some(fx("configz.json"));
    import::run(&o).unwrap();
    o.configz = Some(fx("kubelet-config-eks.json"));
    import::run(&o).unwrap();
    let sc = std::fs::read_to_string(prev.join("scenario.toml")).unwrap();
    assert!(sc.contains("maxParallelImagePulls = 3"), "{sc}");
}

// ---------------------------------------------------------------------------
// The command line
// ---------------------------------------------------------------------------

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_imagefs-sim"))
}

#[test]
fn cli_import_then_check() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("cli");
    let o = bin()
        .args(["import", "--configz"])
        .arg(fx("configz.json"))
        .arg("--summary")
        .arg(fx("summary-shared.json"))
        .arg("--events")
        .arg(fx("events.json"))
        .arg("--images")
        .arg(fx("crictl-images-containerd.json"))
        .args(["--node", "worker-1", "--runtime", "containerd", "--out"])
        .arg(&out)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert!(
        o.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&o.stderr)
    );
    // The fixtures' numbers: crictl lists 6 images whose reported (compressed) sizes total
    // 268471520 B; unpacked at 2.7 that is 724873104 B, and containerd keeps the 268471520 B of
    // blobs beside: 993344624 B of preloaded layers. The summary's node.fs has 107374182400 B
    // with 64424509440 B available, so other_used = 107374182400 - 64424509440 - 993344624 =
    // 41956328336 B.
    assert!(
        stdout.contains("crictl images: 6 images (1 pinned), reported sizes total 268471520 B"),
        "{stdout}"
    );
    assert!(
        stdout.contains("other_used = capacity − available − preloaded image layers = 107374182400 − 64424509440 − 993344624 = 41956328336"),
        "{stdout}"
    );
    assert!(
        stdout.ends_with(&format!(
            "wrote {}/{{scenario.toml,catalog.toml,trace.csv}}; run it with: imagefs-sim run {}/scenario.toml\n",
            out.display(),
            out.display()
        )),
        "{stdout}"
    );
    let scenario = std::fs::read_to_string(out.join("scenario.toml")).unwrap();
    assert!(scenario.contains("\ndisk = 107374182400\n"), "{scenario}");
    assert!(
        scenario.contains("\nother_used = 41956328336\n"),
        "{scenario}"
    );
    let c = bin()
        .arg("check")
        .arg(out.join("scenario.toml"))
        .output()
        .unwrap();
    assert!(c.status.success(), "{}", String::from_utf8_lossy(&c.stderr));
    // 11 images: the 6 of the inventory and 5 seen only in events (one layer each). 13 trace
    // events: 3 creates of pods running at the snapshot, 7 of pods from events (job-b's two
    // containers make one), old-evict's and job-b's completions and job-a's deletion; 3600 s:
    // the trace's 42m55s plus 15 min is under the 1 h minimum.
    assert_eq!(
        String::from_utf8_lossy(&c.stdout),
        format!(
            "{}: ok (11 layers, 11 images, 13 trace events over 3600 s)\n",
            out.join("scenario.toml").display()
        )
    );
}

#[test]
fn cli_malformed_input_fails_without_output() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("bad");
    let o = bin()
        .args(["import", "--events"])
        .arg(fx("events-bad-type.json"))
        .arg("--out")
        .arg(&out)
        .output()
        .unwrap();
    assert!(!o.status.success());
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("events-bad-type.json: items[3].involvedObject.name: expected a string"),
        "{err}"
    );
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
    // No input at all is a usage error.
    let o = bin().args(["import", "--out"]).arg(&out).output().unwrap();
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn a_single_event_object_is_accepted() {
    // `kubectl get event NAME -o yaml`; a vendor reason; the host is an IP address.
    let e = parse_events(&fx("event-single.yaml"), None).unwrap();
    assert_eq!(e.total, 1);
    assert_eq!(e.node.as_deref(), Some("10.0.3.17"));
    assert_eq!(e.not_replayed.get("FailedPullImage"), Some(&1));
    assert_eq!(e.pods.len(), 1);
    assert_eq!(e.pods[0].key(), "ci/ci-runner-5f7d9-x8k2p");
    assert_eq!(
        e.pods[0].containers[0].image.as_deref(),
        Some("registry.example.com/ci/runner:2024.06")
    );
    assert_eq!(
        e.span,
        parse_rfc3339("2024-06-11T14:02:19Z").map(|t| (t, t))
    );
    // Some other object is refused.
    let e = parse_events(&fx("node.json"), None).unwrap_err();
    assert_eq!(e.field.as_deref(), Some("kind"));
}

/// One image ID listed twice under two tags (crictl can list a re-tagged image so): one image,
/// one layer. Its reported size is counted once: 1,000,000 B, unpacked × 2.7 = 2,700,000 B.
#[test]
fn one_image_id_under_two_tags_is_one_image() {
    let dir = tempfile::tempdir().unwrap();
    let inv = dir.path().join("images.json");
    std::fs::write(
        &inv,
        r#"{"images": [
  {"id": "sha256:aa", "repoTags": ["docker.io/library/app:v1"], "repoDigests": [], "size": "1000000", "pinned": false},
  {"id": "sha256:aa", "repoTags": ["docker.io/library/app:latest"], "repoDigests": [], "size": "1000000", "pinned": false}
]}"#,
    )
    .unwrap();
    let out = dir.path().join("imp");
    let mut o = ImportOptions::new(&out);
    o.images = Some(inv);
    let text = import::run(&o).unwrap().to_string();
    assert!(
        text.contains("1 images (0 pinned), reported sizes total 1000000 B"),
        "{text}"
    );
    assert!(
        text.contains("1 inventory entries repeat an image already listed"),
        "{text}"
    );
    let (sc, _) = run_scenario(&out.join("scenario.toml"));
    assert_eq!(sc.catalog.layers.len(), 1);
    assert_eq!(sc.catalog.images.len(), 1);
    assert_eq!(sc.catalog.layers[0].size, 2_700_000);
    assert_eq!(sc.catalog.layers[0].compressed, 1_000_000);
    assert_eq!(sc.preloaded, vec![0]);
}

/// Empty ids and tags name nothing: such images get made-up names (an empty name or layer id
/// made a catalog that did not load). A container's broken 2^64-1 usedBytes reading gives a
/// trace cap that loads (it was written as is, and `check` refused the trace).
#[test]
fn empty_names_and_broken_readings_still_import() {
    let d = tempfile::tempdir().unwrap();
    let images = d.path().join("images.json");
    std::fs::write(
        &images,
        r#"{"images":[{"id":"","repoTags":[""],"size":"100"},{"id":"","repoTags":[],"size":"200"}]}"#,
    )
    .unwrap();
    let summary = d.path().join("summary.json");
    let text = std::fs::read_to_string(fx("summary-shared.json")).unwrap();
    let mut v: serde_json::Value = serde_json::from_str(&text).unwrap();
    v["pods"][0]["containers"][0]["rootfs"]["usedBytes"] = serde_json::json!(u64::MAX);
    std::fs::write(&summary, v.to_string()).unwrap();
    let mut o = ImportOptions::new(d.path().join("out"));
    o.images = Some(images);
    o.summary = Some(summary);
    o.events = Some(fx("events.json"));
    import::run(&o).unwrap_or_else(|e| panic!("{e:#}"));
    let (sc, _) = run_scenario(&d.path().join("out/scenario.toml"));
    assert!(sc.catalog.images.iter().all(|i| !i.name.is_empty()));
    assert!(sc.catalog.layers.iter().all(|l| !l.id.is_empty()));
}

/// The EKS-style configuration's eviction settings reach the imported scenario as configured:
/// its evictionHard (memory, nodefs.available 10 %, nodefs.inodesFree 5 %) replaces the
/// defaults, so the node has no imagefs threshold (no merge), plus a soft nodefs.available 15 %
/// with a 90 s grace and a 2Gi minimum reclaim, a 2 min transition period and a 60 s max pod
/// grace. The scenario loads with exactly those: 3 hard thresholds and 1 soft one.
#[test]
fn import_keeps_the_eviction_settings_as_configured() {
    use imagefs_sim::kubelet::eviction::types::Signal;
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("eks");
    let mut o = ImportOptions::new(&out);
    o.configz = Some(fx("kubelet-config-eks.json"));
    import::run(&o).unwrap();
    let text = std::fs::read_to_string(out.join("scenario.toml")).unwrap();
    for line in [
        "evictionHard = { \"memory.available\" = \"100Mi\", \"nodefs.available\" = \"10%\", \"nodefs.inodesFree\" = \"5%\" }",
        "evictionSoft = { \"nodefs.available\" = \"15%\" }",
        "evictionSoftGracePeriod = { \"nodefs.available\" = \"1m30s\" }",
        "evictionMinimumReclaim = { \"nodefs.available\" = \"2Gi\" }",
        "evictionPressureTransitionPeriod = \"2m\"",
        "evictionMaxPodGracePeriod = 60",
    ] {
        assert!(text.contains(&format!("\n{line}\n")), "{line}\n{text}");
    }
    let sc = Scenario::load(&out.join("scenario.toml")).unwrap();
    let hard: Vec<Signal> = sc
        .eviction
        .thresholds
        .iter()
        .filter(|t| t.grace_period == 0)
        .map(|t| t.signal)
        .collect();
    assert_eq!(
        hard,
        [
            Signal::MemoryAvailable,
            Signal::NodeFsAvailable,
            Signal::NodeFsInodesFree
        ]
    );
    let soft: Vec<_> = sc
        .eviction
        .thresholds
        .iter()
        .filter(|t| t.grace_period > 0)
        .map(|t| (t.signal, t.grace_period))
        .collect();
    assert_eq!(soft, [(Signal::NodeFsAvailable, 90 * SEC)]);
    assert_eq!(sc.eviction.pressure_transition_period, 120 * SEC);
    assert_eq!(sc.eviction.max_pod_grace_period_seconds, 60);
}

/// Container log rotation settings of the node reach the scenario: containerLogMaxSize "50Mi"
/// (52428800 B), containerLogMaxFiles 3, containerLogMonitorInterval "30s"; and an invalid one
/// (MaxFiles 1) is refused with the kubelet's text, naming the file and the field.
#[test]
fn import_keeps_the_container_log_settings() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("config.json");
    std::fs::write(
        &cfg,
        r#"{"kind": "KubeletConfiguration", "apiVersion": "kubelet.config.k8s.io/v1beta1",
            "containerLogMaxSize": "50Mi", "containerLogMaxFiles": 3,
            "containerLogMonitorInterval": "30s"}"#,
    )
    .unwrap();
    let out = dir.path().join("logs");
    let mut o = ImportOptions::new(&out);
    o.configz = Some(cfg.clone());
    import::run(&o).unwrap();
    let sc = Scenario::load(&out.join("scenario.toml")).unwrap();
    let p = sc.kubelet.log_rotation;
    assert_eq!(
        (p.max_size, p.max_files, p.monitor_interval),
        (Some(52_428_800), 3, 30 * SEC as u64)
    );
    std::fs::write(
        &cfg,
        r#"{"kind": "KubeletConfiguration", "containerLogMaxFiles": 1}"#,
    )
    .unwrap();
    let mut o = ImportOptions::new(dir.path().join("bad"));
    o.configz = Some(cfg);
    let e = import::run(&o).unwrap_err().to_string();
    assert!(e.contains("config.json"), "{e}");
    assert!(e.contains("containerLogMaxFiles"), "{e}");
    assert!(
        e.contains("containerLogMaxFiles must be greater than 1"),
        "{e}"
    );
}

/// The report names the configuration's fields the model does not use (the /configz reply has
/// many: maxPods, cgroupDriver, …), and none that it takes.
#[test]
fn import_lists_the_fields_it_leaves_out() {
    let dir = tempfile::tempdir().unwrap();
    let mut o = ImportOptions::new(dir.path().join("c"));
    o.configz = Some(fx("configz.json"));
    let text = import::run(&o).unwrap().to_string();
    let line = text
        .lines()
        .find(|l| l.contains("not modelled, so not in scenario.toml"))
        .unwrap_or_else(|| panic!("{text}"));
    for name in ["maxPods", "cgroupDriver", "nodeStatusUpdateFrequency"] {
        assert!(line.contains(name), "{line}");
    }
    for name in [
        "imageGCHighThresholdPercent",
        "evictionHard",
        "containerLogMaxSize",
        "containerRuntimeEndpoint",
    ] {
        assert!(
            !line.contains(&format!(" {name},")) && !line.ends_with(name),
            "{line}"
        );
    }
}

/// The node's version decides what its configuration means: node.json says v1.31.4, whose
/// kubelet does not know mergeDefaultEvictionSettings (from 1.33) and ignores it, so the
/// import leaves it out with a warning and the scenario loads as a 1.31 node. A node of a
/// version the model does not follow (v1.28.2) is modelled as the nearest one, 1.29.
#[test]
fn import_applies_the_nodes_version() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("config.json");
    std::fs::write(
        &cfg,
        r#"{"kind": "KubeletConfiguration", "evictionHard": {"nodefs.available": "10%"},
            "mergeDefaultEvictionSettings": true}"#,
    )
    .unwrap();
    let out = dir.path().join("v131");
    let mut o = ImportOptions::new(&out);
    o.images = Some(fx("node.json"));
    o.configz = Some(cfg);
    let text = import::run(&o).unwrap().to_string();
    assert!(
        text.contains("mergeDefaultEvictionSettings exists from kubelet 1.33; this node runs 1.31"),
        "{text}"
    );
    let sc = Scenario::load(&out.join("scenario.toml")).unwrap();
    assert_eq!(sc.kubelet_version, (1, 31));
    // Without the merge only the configured threshold is there.
    assert_eq!(sc.eviction.thresholds.len(), 1);

    let node = std::fs::read_to_string(fx("node.json"))
        .unwrap()
        .replace("v1.31.4", "v1.28.2");
    let old = dir.path().join("node-128.json");
    std::fs::write(&old, node).unwrap();
    let mut o = ImportOptions::new(dir.path().join("v128"));
    o.images = Some(old);
    let p = plan(&o).unwrap();
    assert_eq!(p.kubelet_version.as_deref(), Some("1.29"));
    assert!(
        p.report
            .warnings
            .iter()
            .any(|w| w.contains("kubelet v1.28.2 is not a version the model follows")),
        "{:?}",
        p.report.warnings
    );
}

/// The lines of the `[kubelet]` table an import of `config` writes, in order (the scenario it
/// wrote must load too).
fn kubelet_table(config: &str) -> Vec<String> {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("t");
    let mut o = ImportOptions::new(&out);
    o.configz = Some(fx(config));
    import::run(&o).unwrap();
    let text = std::fs::read_to_string(out.join("scenario.toml")).unwrap();
    // And the scenario it wrote loads.
    Scenario::load(&out.join("scenario.toml")).unwrap();
    text.split("\n[kubelet]\n")
        .nth(1)
        .unwrap()
        .split("\n\n")
        .next()
        .unwrap()
        .lines()
        .map(str::to_string)
        .collect()
}

/// kind's kubeadm document: image GC switched off (high 100) and every disk eviction signal
/// "0%" (disabled); nothing else of ours.
#[test]
fn import_kind_config_field_by_field() {
    assert_eq!(
        kubelet_table("kubelet-config-kind.yaml"),
        [
            "imageGCHighThresholdPercent = 100",
            "evictionHard = { \"imagefs.available\" = \"0%\", \"nodefs.available\" = \"0%\", \"nodefs.inodesFree\" = \"0%\" }",
        ]
    );
}

/// kubeadm's kubelet-config ConfigMap: the file inside `data.kubelet`, taken whole.
#[test]
fn import_kubeadm_configmap_field_by_field() {
    assert_eq!(
        kubelet_table("kubelet-config-configmap.yaml"),
        [
            "imageGCHighThresholdPercent = 90",
            "imageGCLowThresholdPercent = 70",
            "imageMinimumGCAge = \"10m0s\"",
            "serializeImagePulls = false",
            "evictionHard = { \"imagefs.available\" = \"10%\", \"nodefs.available\" = \"5%\" }",
            "evictionMinimumReclaim = { \"imagefs.available\" = \"10%\", \"nodefs.available\" = \"10%\" }",
            "mergeDefaultEvictionSettings = true",
        ]
    );
}

// The `[kubelet]` lines an import writes are the config's own fields the model has, in the
// schema's order (image GC, pulls, logs, storage isolation, then eviction), each as
// configured; a field the config leaves out stays out (the kubelet's default applies).

/// EKS AL2 (amazon-eks-ami's kubelet-config.json with a user's changes): parallel pulls, MaxAge
/// one week, soft eviction on nodefs; evictionHard has no imagefs.* key, so none is written
/// (the real kubelet has no imagefs threshold: nothing may add the default 15 %).
#[test]
fn import_eks_al2_config_field_by_field() {
    assert_eq!(
        kubelet_table("kubelet-config-eks.json"),
        [
            "imageMinimumGCAge = \"5m\"",
            "imageMaximumGCAge = \"168h\"",
            "serializeImagePulls = false",
            "maxParallelImagePulls = 3",
            "registryPullQPS = 10",
            "registryBurst = 20",
            "evictionHard = { \"memory.available\" = \"100Mi\", \"nodefs.available\" = \"10%\", \"nodefs.inodesFree\" = \"5%\" }",
            "evictionSoft = { \"nodefs.available\" = \"15%\" }",
            "evictionSoftGracePeriod = { \"nodefs.available\" = \"1m30s\" }",
            "evictionMinimumReclaim = { \"nodefs.available\" = \"2Gi\" }",
            "evictionPressureTransitionPeriod = \"2m\"",
            "evictionMaxPodGracePeriod = 60",
        ]
    );
}

/// EKS AL2023 (nodeadm's config.json): only serializeImagePulls and evictionHard of ours; no
/// imagefs.* threshold, so none.
#[test]
fn import_eks_al2023_config_field_by_field() {
    assert_eq!(
        kubelet_table("kubelet-config-eks-al2023.json"),
        [
            "serializeImagePulls = false",
            "evictionHard = { \"memory.available\" = \"100Mi\", \"nodefs.available\" = \"10%\", \"nodefs.inodesFree\" = \"5%\" }",
        ]
    );
}

/// GKE's /configz reply: the kubelet's defaulted configuration, so every field of ours is there
/// (MaxAge 0s, QPS 5/10, log rotation 10Mi × 5 with one worker every 10 s); pulls in parallel,
/// 2 at a time; evictionHard as GKE sets it, pid.available included and no imagefs.* key.
#[test]
fn import_gke_configz_field_by_field() {
    assert_eq!(
        kubelet_table("configz-gke.json"),
        [
            "imageGCHighThresholdPercent = 85",
            "imageGCLowThresholdPercent = 80",
            "imageMinimumGCAge = \"2m0s\"",
            "imageMaximumGCAge = \"0s\"",
            "serializeImagePulls = false",
            "maxParallelImagePulls = 2",
            "registryPullQPS = 5",
            "registryBurst = 10",
            "containerLogMaxSize = \"10Mi\"",
            "containerLogMaxFiles = 5",
            "containerLogMaxWorkers = 1",
            "containerLogMonitorInterval = \"10s\"",
            "localStorageCapacityIsolation = true",
            "evictionHard = { \"memory.available\" = \"100Mi\", \"nodefs.available\" = \"10%\", \"nodefs.inodesFree\" = \"5%\", \"pid.available\" = \"10%\" }",
            "evictionPressureTransitionPeriod = \"5m0s\"",
        ]
    );
}

/// RKE2's drop-in: imagefs and nodefs at 5 % hard with 10 % minimum reclaim; serial pulls off.
#[test]
fn import_rke2_config_field_by_field() {
    assert_eq!(
        kubelet_table("kubelet-config-rke2.yaml"),
        [
            "serializeImagePulls = false",
            "evictionHard = { \"imagefs.available\" = \"5%\", \"nodefs.available\" = \"5%\" }",
            "evictionMinimumReclaim = { \"imagefs.available\" = \"10%\", \"nodefs.available\" = \"10%\" }",
        ]
    );
}

/// A kubeadm node's /configz reply (configz.json): every defaulted field, and the kubeadm
/// evictionHard with all five signals.
#[test]
fn import_configz_reply_field_by_field() {
    assert_eq!(
        kubelet_table("configz.json"),
        [
            "imageGCHighThresholdPercent = 85",
            "imageGCLowThresholdPercent = 80",
            "imageMinimumGCAge = \"2m0s\"",
            "imageMaximumGCAge = \"0s\"",
            "serializeImagePulls = true",
            "registryPullQPS = 5",
            "registryBurst = 10",
            "containerLogMaxSize = \"10Mi\"",
            "containerLogMaxFiles = 5",
            "containerLogMaxWorkers = 1",
            "containerLogMonitorInterval = \"10s\"",
            "localStorageCapacityIsolation = true",
            "evictionHard = { \"imagefs.available\" = \"15%\", \"imagefs.inodesFree\" = \"5%\", \"memory.available\" = \"100Mi\", \"nodefs.available\" = \"10%\", \"nodefs.inodesFree\" = \"5%\" }",
            "evictionPressureTransitionPeriod = \"5m0s\"",
        ]
    );
}
