//! `import`'s inputs from the node itself (issue 11 §2): containerd's config.toml
//! (`--containerd-config`, every layout version), `crictl imagefsinfo` (`--imagefsinfo`) and the
//! Node object (`--node-json`): each parser on its fixtures (tests/fixtures/import/), field by
//! field; where two inputs disagree; and `import` end to end, the written `[node]` table line
//! by line.

use std::path::{Path, PathBuf};
use std::process::Command;

use imagefs_sim::node::Layout;
use imagefs_sim::scenario::Scenario;
use imagefs_sim::workload::import::common::parse_rfc3339;
use imagefs_sim::workload::import::containerd_config::{parse_containerd_config, Setting};
use imagefs_sim::workload::import::imagefsinfo::{parse_imagefsinfo, FilesystemUsage};
use imagefs_sim::workload::import::node_object::{parse_node_object, NodeImage, NodeInfo};
use imagefs_sim::workload::import::{plan, ImportOptions, Runtime, PAUSE_IMAGE_SIZE};

fn fx(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/import")
        .join(name)
}

fn set(value: &str, key: &str) -> Setting<String> {
    Setting {
        value: value.into(),
        key: Some(key.into()),
    }
}

// ---------------------------------------------------------------------------
// containerd config.toml
// ---------------------------------------------------------------------------

#[test]
fn containerd_1_7_version_2_config() {
    let c = parse_containerd_config(&fx("containerd-config-v2-1.7.toml")).unwrap();
    assert_eq!((c.version, c.version_set), (2, true));
    assert_eq!(c.root, set("/var/lib/containerd", "root"));
    assert_eq!(
        c.snapshotter,
        set(
            "overlayfs",
            "plugins.\"io.containerd.grpc.v1.cri\".containerd.snapshotter"
        )
    );
    assert_eq!(
        c.discard_unpacked_layers.as_ref().map(|d| d.value),
        Some(false),
        "set explicitly to containerd's default"
    );
    assert_eq!(
        c.pinned_images,
        vec![(
            "sandbox".to_string(),
            "registry.k8s.io/pause:3.9".to_string()
        )]
    );
    // The containerd table has a runtimes table: 2.x's migration keeps its keys.
    assert!(!c.migration_drops_containerd_keys);
    assert!(c.imports.is_empty() && c.warnings.is_empty());
    assert_eq!(
        c.snapshotter_dir(),
        "/var/lib/containerd/io.containerd.snapshotter.v1.overlayfs"
    );
}

#[test]
fn containerd_2_version_3_config() {
    let c = parse_containerd_config(&fx("containerd-config-v3-2.x.toml")).unwrap();
    assert_eq!((c.version, c.version_set), (3, true));
    assert_eq!(c.root, set("/data/containerd", "root"));
    assert_eq!(
        c.snapshotter,
        set(
            "overlayfs",
            "plugins.\"io.containerd.cri.v1.images\".snapshotter"
        )
    );
    assert_eq!(
        c.discard_unpacked_layers.as_ref().map(|d| d.value),
        Some(true)
    );
    assert_eq!(
        c.pinned_images,
        vec![(
            "sandbox".to_string(),
            "registry.k8s.io/pause:3.10".to_string()
        )]
    );
    // `imports = []` names no file.
    assert!(c.imports.is_empty() && c.warnings.is_empty());
}

/// The real nodeadm template (samples/containerd-config_eks-al2023-nodeadm.toml.txt): discard
/// on, the sandbox image a Go-template placeholder.
#[test]
fn eks_al2023_nodeadm_config() {
    let c = parse_containerd_config(&fx("containerd-config-eks-al2023.toml")).unwrap();
    assert_eq!(c.version, 3);
    assert_eq!(c.root, set("/var/lib/containerd", "root"));
    assert_eq!(
        c.snapshotter,
        Setting {
            value: "overlayfs".into(),
            key: None
        }
    );
    assert_eq!(
        c.discard_unpacked_layers,
        Some(Setting {
            value: true,
            key: Some("plugins.\"io.containerd.cri.v1.images\".discard_unpacked_layers".into())
        })
    );
    assert!(c.pinned_images.is_empty());
    assert!(c.sandbox_placeholder);
    assert_eq!(c.sandbox_image(Some(2)), None);
    assert_eq!(c.warnings.len(), 1);
    assert!(
        c.warnings[0].contains("{{.SandboxImage}}"),
        "{:?}",
        c.warnings
    );
}

#[test]
fn containerd_1_x_version_1_config() {
    let c = parse_containerd_config(&fx("containerd-config-v1.toml")).unwrap();
    assert_eq!((c.version, c.version_set), (1, false));
    assert_eq!(
        c.snapshotter,
        set("native", "plugins.cri.containerd.snapshotter")
    );
    assert_eq!(
        c.discard_unpacked_layers.as_ref().map(|d| d.value),
        Some(true)
    );
    assert_eq!(
        c.pinned_images,
        vec![("sandbox".to_string(), "k8s.gcr.io/pause:3.2".to_string())]
    );
    // No runtimes table beside the two keys: containerd 2.x would drop them.
    assert!(c.migration_drops_containerd_keys);
}

// ---------------------------------------------------------------------------
// crictl imagefsinfo
// ---------------------------------------------------------------------------

#[test]
fn imagefsinfo_containerd_one_filesystem() {
    let i = parse_imagefsinfo(&fx("imagefsinfo-containerd.json")).unwrap();
    let fs = FilesystemUsage {
        timestamp: Some(1_773_744_271_184_535_286),
        mountpoint: Some("/var/lib/containerd/io.containerd.snapshotter.v1.overlayfs".into()),
        used_bytes: 3_016_945_664,
        inodes_used: Some(38_517),
    };
    assert_eq!(i.image_filesystems, vec![fs.clone()]);
    // containerd reports the same filesystem for containers.
    assert_eq!(i.container_filesystems, vec![fs]);
    let l = i.layout();
    assert_eq!((l.layout, l.certain), (Layout::Shared, false));

    // An older runtime (the kata-containers#2539 reply): no containerFilesystems.
    let old = parse_imagefsinfo(&fx("imagefsinfo-containerd-old.json")).unwrap();
    assert_eq!(old.image_filesystems[0].used_bytes, 3_080_306_688);
    assert_eq!(old.image_filesystems[0].inodes_used, Some(72_424));
    assert!(old.container_filesystems.is_empty());
    assert_eq!(old.layout().layout, Layout::Shared);
}

/// The real CRI-O split-filesystem reply (enhancements#4191).
#[test]
fn imagefsinfo_crio_split() {
    let i = parse_imagefsinfo(&fx("imagefsinfo-crio-split.json")).unwrap();
    assert_eq!(
        i.image_filesystems,
        vec![FilesystemUsage {
            timestamp: Some(1_717_418_053_352_086_454),
            mountpoint: Some("/tmp/test/overlay-images".into()),
            used_bytes: 4096,
            inodes_used: Some(2),
        }]
    );
    assert_eq!(
        i.container_filesystems,
        vec![FilesystemUsage {
            timestamp: Some(1_717_418_053_352_074_191),
            mountpoint: Some("/var/lib/containers/storage/overlay-containers".into()),
            used_bytes: 233_247,
            inodes_used: Some(30),
        }]
    );
    let l = i.layout();
    assert_eq!((l.layout, l.certain), (Layout::Split, true));
}

// ---------------------------------------------------------------------------
// The Node object
// ---------------------------------------------------------------------------

#[test]
fn node_object_single() {
    let n = parse_node_object(&fx("node-crio.json"), None).unwrap();
    assert_eq!(
        n.info,
        NodeInfo {
            name: Some("crio-1".into()),
            kubelet_version: Some("v1.31.1".into()),
            container_runtime_version: Some("cri-o://1.31.3".into()),
            // 100Gi = 100 × 2^30.
            ephemeral_storage_capacity: Some(107_374_182_400),
            ephemeral_storage_allocatable: Some(96_636_764_160),
            heartbeat: parse_rfc3339("2024-06-03T12:34:10Z"),
            disk_pressure: Some(true),
            disk_pressure_since: parse_rfc3339("2024-06-03T12:30:45Z"),
            disk_pressure_reason: Some("KubeletHasDiskPressure".into()),
        }
    );
    assert_eq!(n.images.len(), 2);
    assert_eq!(
        n.images[1],
        NodeImage {
            names: vec![
                "registry.k8s.io/pause@sha256:ee6521f290b2168b6e0935a181d4cff9be1ac3f505666ef0e3c98fae8199917a".into(),
                "registry.k8s.io/pause:3.10".into()
            ],
            size_bytes: 742_080
        }
    );
}

#[test]
fn node_list_of_one_and_of_two() {
    let n = parse_node_object(&fx("node-list-one.json"), None).unwrap();
    assert_eq!(n.info.name.as_deref(), Some("ip-10-0-1-23.ec2.internal"));
    assert_eq!(
        n.info.kubelet_version.as_deref(),
        Some("v1.32.3-eks-4096722")
    );
    assert_eq!(
        n.info.container_runtime_version.as_deref(),
        Some("containerd://2.0.4")
    );
    // 83873772Ki = 83873772 × 1024 = 85886742528.
    assert_eq!(n.info.ephemeral_storage_capacity, Some(85_886_742_528));
    assert_eq!(n.info.ephemeral_storage_allocatable, Some(76_224_326_324));
    assert_eq!(n.info.disk_pressure, Some(false));
    assert_eq!(
        n.images.iter().map(|i| i.size_bytes).collect::<Vec<_>>(),
        vec![2_147_483_648, 46_071_295]
    );
    // nodes-list.json holds worker-1 and worker-9.
    let e = parse_node_object(&fx("nodes-list.json"), None).unwrap_err();
    assert_eq!(e.field.as_deref(), Some("items"));
    assert!(e.message.contains("pass --node NAME"), "{}", e.message);
    let n = parse_node_object(&fx("nodes-list.json"), Some("worker-9")).unwrap();
    assert_eq!(n.info.name.as_deref(), Some("worker-9"));
}

// ---------------------------------------------------------------------------
// Where the inputs meet
// ---------------------------------------------------------------------------

fn opts(dir: &Path) -> ImportOptions {
    ImportOptions::new(dir.join("out"))
}

fn has(v: &[String], text: &str) -> bool {
    v.iter().any(|w| w.contains(text))
}

#[test]
fn the_node_object_gives_the_runtime_over_a_containerd_config() {
    let dir = tempfile::tempdir().unwrap();
    let mut o = opts(dir.path());
    o.node_object = Some(fx("node-crio.json"));
    o.containerd_config = Some(fx("containerd-config-v3-2.x.toml"));
    let p = plan(&o).unwrap();
    assert_eq!(p.runtime, Runtime::Crio);
    // discard_unpacked_layers is containerd's: not taken for a CRI-O node.
    assert_eq!(p.discard_unpacked_layers, None);
    assert!(
        has(
            &p.report.warnings,
            "containerRuntimeVersion \"cri-o://1.31.3\" says crio but a containerd config.toml"
        ),
        "{:?}",
        p.report.warnings
    );
    assert!(has(
        &p.report.warnings,
        "a containerd configuration, but the runtime is crio: not used"
    ));
}

#[test]
fn node_json_wins_over_a_node_given_as_images() {
    let dir = tempfile::tempdir().unwrap();
    let node = std::fs::read_to_string(fx("node.json")).unwrap().replace(
        "\"kubeletVersion\": \"v1.31.4\"",
        "\"kubeletVersion\": \"v1.33.0\"",
    );
    let newer = dir.path().join("node-133.json");
    std::fs::write(&newer, node).unwrap();
    let mut o = opts(dir.path());
    o.images = Some(fx("node.json"));
    o.node_object = Some(newer);
    let p = plan(&o).unwrap();
    assert_eq!(p.kubelet_version.as_deref(), Some("1.33"));
    assert!(
        has(&p.report.warnings, "kubeletVersion:"),
        "{:?}",
        p.report.warnings
    );
    // --images is the inventory; status.images of --node-json is not used.
    assert!(has(&p.report.took, "status.images not used"));
}

#[test]
fn the_summary_decides_the_layout_over_imagefsinfo() {
    let dir = tempfile::tempdir().unwrap();
    let mut o = opts(dir.path());
    o.summary = Some(fx("summary-shared.json"));
    o.imagefsinfo = Some(fx("imagefsinfo-crio-split.json"));
    o.runtime = Some(Runtime::Crio);
    let p = plan(&o).unwrap();
    assert_eq!(p.layout, Layout::Shared);
    assert!(
        has(
            &p.report.warnings,
            "but the summary's filesystems say shared: using the summary's"
        ),
        "{:?}",
        p.report.warnings
    );
}

#[test]
fn a_root_that_is_not_the_image_filesystem_is_a_warning() {
    let dir = tempfile::tempdir().unwrap();
    let mut o = opts(dir.path());
    // root = /data/containerd, but imagefsinfo shows /var/lib/containerd/….
    o.containerd_config = Some(fx("containerd-config-v3-2.x.toml"));
    o.imagefsinfo = Some(fx("imagefsinfo-containerd.json"));
    let p = plan(&o).unwrap();
    assert!(
        has(&p.report.warnings, "puts containerd's snapshots in /data/containerd/io.containerd.snapshotter.v1.overlayfs"),
        "{:?}",
        p.report.warnings
    );
}

#[test]
fn containerd_2_drops_the_keys_of_an_old_config_without_runtimes() {
    let dir = tempfile::tempdir().unwrap();
    let mut o = opts(dir.path());
    o.containerd_config = Some(fx("containerd-config-v1.toml"));
    o.node_object = Some(fx("node-list-one.json")); // containerd://2.0.4
    let p = plan(&o).unwrap();
    assert_eq!(p.discard_unpacked_layers, None);
    assert!(has(&p.report.warnings, "this node runs containerd 2.x"));
    // And the native snapshotter is gone with it: no snapshotter warning.
    assert!(!has(&p.report.warnings, "snapshotter native"));
    // Read as containerd 1.x reads it, with a note, when the release is unknown.
    let mut o = opts(dir.path());
    o.containerd_config = Some(fx("containerd-config-v1.toml"));
    let p = plan(&o).unwrap();
    assert_eq!(p.discard_unpacked_layers, Some(true));
    assert!(has(&p.report.warnings, "read as containerd 1.x reads it"));
    assert!(has(
        &p.report.warnings,
        "snapshotter native: modelled as overlayfs"
    ));
}

#[test]
fn the_sandbox_image_is_pinned_and_preloaded() {
    let dir = tempfile::tempdir().unwrap();
    // node.json lists registry.k8s.io/pause:3.9 (no pinned flag); the v2 config pins it.
    let mut o = opts(dir.path());
    o.node_object = Some(fx("node.json"));
    o.containerd_config = Some(fx("containerd-config-v2-1.7.toml"));
    let p = plan(&o).unwrap();
    let pinned: Vec<&str> = p
        .catalog
        .iter()
        .filter(|c| c.pinned)
        .map(|c| c.name.as_str())
        .collect();
    assert_eq!(pinned, vec!["registry.k8s.io/pause:3.9"]);
    assert_eq!(p.catalog.len(), 4);
    // node-list-one.json does not list pause:3.10 (Node.status.images keeps the largest):
    // it is added, pinned and preloaded, at pause:3.9's reported size.
    let mut o = opts(dir.path());
    o.node_object = Some(fx("node-list-one.json"));
    o.containerd_config = Some(fx("containerd-config-v3-2.x.toml"));
    let p = plan(&o).unwrap();
    let sb = p.catalog.last().unwrap();
    assert_eq!(sb.name, "registry.k8s.io/pause:3.10");
    assert!(sb.pinned && sb.preloaded);
    assert_eq!(sb.reported, PAUSE_IMAGE_SIZE);
    // Unpacked at 2.7: 321520 × 2.7 = 868104.
    assert_eq!(sb.size, 868_104);
}

#[test]
fn a_split_runtime_under_kubelet_1_30_is_a_dedicated_imagefs() {
    let dir = tempfile::tempdir().unwrap();
    let node = std::fs::read_to_string(fx("node-crio.json"))
        .unwrap()
        .replace("v1.31.1", "v1.30.4");
    let old = dir.path().join("node-130.json");
    std::fs::write(&old, node).unwrap();
    let mut o = opts(dir.path());
    o.node_object = Some(old);
    o.imagefsinfo = Some(fx("imagefsinfo-crio-split.json"));
    let p = plan(&o).unwrap();
    assert_eq!(p.layout, Layout::DedicatedImagefs);
    assert!(has(
        &p.report.warnings,
        "KubeletSeparateDiskGC off by default"
    ));
}

// ---------------------------------------------------------------------------
// End to end: the written [node] table, line by line
// ---------------------------------------------------------------------------

/// Runs `imagefs-sim import ARGS --out DIR` and returns the `[node]` table's lines and the
/// catalog; the scenario must load.
fn import_node_table(args: &[&str]) -> (Vec<String>, String) {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("imported");
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_imagefs-sim"));
    cmd.arg("import");
    for a in args {
        if a.starts_with("--") {
            cmd.arg(a);
        } else {
            cmd.arg(fx(a));
        }
    }
    let o = cmd.arg("--out").arg(&out).output().unwrap();
    assert!(
        o.status.success(),
        "{}\n{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
    Scenario::load(&out.join("scenario.toml")).unwrap_or_else(|e| panic!("{e}"));
    let text = std::fs::read_to_string(out.join("scenario.toml")).unwrap();
    let node = text
        .split("\n[node]\n")
        .nth(1)
        .unwrap()
        .split("\n\n")
        .next()
        .unwrap()
        .lines()
        .map(str::to_string)
        .collect();
    (
        node,
        std::fs::read_to_string(out.join("catalog.toml")).unwrap(),
    )
}

/// containerd 1.7 (version 2 config), its imagefsinfo, and the Node object.
#[test]
fn import_containerd_1_7_node_field_by_field() {
    let (node, catalog) = import_node_table(&[
        "--containerd-config",
        "containerd-config-v2-1.7.toml",
        "--imagefsinfo",
        "imagefsinfo-containerd.json",
        "--node-json",
        "node.json",
    ]);
    assert_eq!(
        node,
        [
            "name = \"worker-1\"",
            // capacity ephemeral-storage 104857600Ki = 104857600 × 1024. The preloaded images
            // (120000000 + 70500000 + 30500000 + 321520 = 221321520 B compressed, × 2.7 =
            // 597568104 B unpacked, + the kept blobs = 818889624 B) fill less than half of it,
            // so it is not raised.
            "disk = 107374182400",
            // No Summary: nothing but the images at t = 0.
            "other_used = 0",
            // No pull with a duration: the default 50Mi/s = 52428800 B/s.
            "pull_bandwidth = 52428800",
            "runtime = \"containerd\"",
            "image_size_reporting = \"compressed\"",
            // discard_unpacked_layers = false, as the config sets it.
            "discard_unpacked_layers = false",
            // One mountpoint for images and containers; no Summary to tell a dedicated disk.
            "layout = \"shared\"",
            // kubeletVersion v1.31.4.
            "kubelet_version = \"1.31\"",
        ]
    );
    // sandbox_image = "registry.k8s.io/pause:3.9": listed in status.images, so pinned.
    assert!(
        catalog.contains("name = \"registry.k8s.io/pause:3.9\"\nlayers = [\"layer:registry.k8s.io/pause:3.9\"]\npinned = true\npreloaded = true\n"),
        "{catalog}"
    );
}

/// containerd 2.x (version 3 config) and a `kubectl get nodes -o json` list of one.
#[test]
fn import_containerd_2_node_field_by_field() {
    let (node, catalog) = import_node_table(&[
        "--containerd-config",
        "containerd-config-v3-2.x.toml",
        "--node-json",
        "node-list-one.json",
    ]);
    assert_eq!(
        node,
        [
            "name = \"ip-10-0-1-23.ec2.internal\"",
            // 83873772Ki = 85886742528 B; the images (2147483648 + 46071295 + the pause
            // image's 321520 B, × 2.7 = 5798205850 + 124392497 + 868104 = 5923466451 B, no
            // blobs) fill less than half.
            "disk = 85886742528",
            "other_used = 0",
            "pull_bandwidth = 52428800",
            "runtime = \"containerd\"",
            "image_size_reporting = \"compressed\"",
            "discard_unpacked_layers = true",
            "layout = \"shared\"",
            // v1.32.3-eks-4096722.
            "kubelet_version = \"1.32\"",
        ]
    );
    // pinned_images.sandbox, not in the 50 largest: added, pinned and preloaded.
    assert!(
        catalog.contains("name = \"registry.k8s.io/pause:3.10\"\nlayers = [\"layer:registry.k8s.io/pause:3.10\"]\npinned = true\npreloaded = true\n"),
        "{catalog}"
    );
}

/// CRI-O with a split image store (the real enhancements#4191 imagefsinfo) and its Node.
#[test]
fn import_crio_split_node_field_by_field() {
    let (node, _) = import_node_table(&[
        "--imagefsinfo",
        "imagefsinfo-crio-split.json",
        "--node-json",
        "node-crio.json",
    ]);
    assert_eq!(
        node,
        [
            "name = \"crio-1\"",
            // capacity ephemeral-storage 100Gi.
            "disk = 107374182400",
            "other_used = 0",
            "pull_bandwidth = 52428800",
            // containerRuntimeVersion cri-o://1.31.3: sizes are unpacked.
            "runtime = \"cri-o\"",
            "image_size_reporting = \"unpacked\"",
            // No discard_unpacked_layers: a containerd setting. The container filesystem's
            // mountpoint is not the image filesystem's: split.
            "layout = \"split\"",
            // imagefsinfo has no capacity: as large as the node disk; the images (452984832 +
            // 742080 = 453726912 B) fill less than half of it.
            "imagefs = 107374182400",
            "imagefs_other_used = 0",
            "kubelet_version = \"1.31\"",
        ]
    );
}
