//! The decisions that weigh one input against another: which runtime, containerd's settings,
//! the disk and layout, the pull bandwidth, the kubelet version and the duration, each with the
//! precedence of the module docs (`import/mod.rs`) and the report's lines for what was taken,
//! assumed or contradicted.

use std::collections::BTreeSet;
use std::path::Path;

use super::common::format_rfc3339;
use super::configz::{runtime_from_endpoint, KubeletConfigImport};
use super::events::{EventsImport, GcWording};
use super::imagefsinfo;
use super::images::{normalize_image_ref, InventorySource};
use super::node_object::runtime_from_version;
use super::trace_build::TraceCounts;
use super::{
    bytes_h, containerd_config, major_minor, shown, CatalogEntry, EntrySource, ImportReport,
    Inputs, Runtime, DEFAULT_DISK, DEFAULT_PULL_BANDWIDTH, MIN_DURATION_NS, NS_PER_MS, TAIL_NS,
};
use crate::error::InputError;
use crate::node::Layout;
use crate::units::{format_go_duration, parse_sim_duration};

/// The Node's conflicts with a Node given as `--images`, and what the Node says of its disk.
pub(super) fn report_node(rep: &mut ImportReport, inp: &Inputs) {
    let Inputs {
        opts,
        nobj,
        inv,
        node_info,
        ..
    } = *inp;
    if let (Some(a), Some(b), Some(fa), Some(fb)) = (
        nobj.as_ref().map(|n| &n.info),
        inv.as_ref().and_then(|i| i.node.as_ref()),
        &opts.node_object,
        &opts.images,
    ) {
        for (what, x, y) in [
            ("kubeletVersion", &a.kubelet_version, &b.kubelet_version),
            (
                "containerRuntimeVersion",
                &a.container_runtime_version,
                &b.container_runtime_version,
            ),
        ] {
            if let (Some(x), Some(y)) = (x, y) {
                if x != y {
                    rep.warnings.push(format!(
                        "{what}: {} says {x}, {} says {y}: using {x} (--node-json first)",
                        shown(fa),
                        shown(fb)
                    ));
                }
            }
        }
    }
    if let Some((n, f)) = node_info {
        let mut parts = Vec::new();
        if let Some(c) = n.ephemeral_storage_capacity {
            parts.push(format!("capacity ephemeral-storage {}", bytes_h(c)));
        }
        if let Some(a) = n.ephemeral_storage_allocatable {
            parts.push(format!("allocatable {}", bytes_h(a)));
        }
        if let Some(d) = n.disk_pressure {
            let mut c = format!("DiskPressure {}", if d { "True" } else { "False" });
            if let Some(t) = n.disk_pressure_since {
                c += &format!(" since {}", format_rfc3339(t));
            }
            if let Some(r) = &n.disk_pressure_reason {
                c += &format!(" ({r})");
            }
            parts.push(c);
        }
        if !parts.is_empty() {
            rep.took
                .push(format!("{}: node {}", shown(f), parts.join("; ")));
        }
        if n.disk_pressure == Some(true) {
            rep.warnings.push(format!(
                "{}: the node reported DiskPressure when the object was read: the kubelet was evicting pods and rejecting new ones then",
                shown(f)
            ));
        }
    }
}

/// A warning when the files name different nodes.
pub(super) fn check_node_names(rep: &mut ImportReport, inp: &Inputs) {
    let Inputs {
        opts,
        sum,
        inv,
        nobj,
        ..
    } = *inp;
    // Different nodes?
    let mut names: Vec<(String, String)> = Vec::new();
    if let Some(n) = &opts.node {
        names.push(("--node".into(), n.clone()));
    }
    if let (Some(s), Some(f)) = (&sum, &opts.summary) {
        if let Some(n) = &s.node_name {
            names.push((shown(f), n.clone()));
        }
    }
    if let (Some(i), Some(f)) = (&inv, &opts.images) {
        if let Some(n) = i.node.as_ref().and_then(|n| n.name.clone()) {
            names.push((shown(f), n));
        }
    }
    if let (Some(o), Some(f)) = (&nobj, &opts.node_object) {
        if let Some(n) = &o.info.name {
            names.push((shown(f), n.clone()));
        }
    }
    let distinct: BTreeSet<&str> = names.iter().map(|(_, n)| n.as_str()).collect();
    if distinct.len() > 1 {
        rep.warnings.push(format!(
            "the files name different nodes ({}): are they from the same node?",
            names
                .iter()
                .map(|(w, n)| format!("{w}: {n}"))
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
}

/// The runtime: `--runtime`, else the first file that names one.
pub(super) fn runtime(rep: &mut ImportReport, inp: &Inputs) -> Runtime {
    let Inputs {
        opts,
        cfg,
        fsi,
        node_info,
        ..
    } = *inp;
    // --- runtime -----------------------------------------------------------------------
    // What each file says, in order of precedence: the Node's containerRuntimeVersion (what
    // runs), a containerd config.toml, the kubelet's runtime endpoint, imagefsinfo's
    // mountpoint. The first decides; a later one that disagrees is a warning.
    let mut said: Vec<(Runtime, String)> = Vec::new();
    if let Some(v) = node_info.and_then(|(n, _)| n.container_runtime_version.as_deref()) {
        if let Some(r) = runtime_from_version(v).and_then(Runtime::parse) {
            said.push((r, format!("containerRuntimeVersion {v:?}")));
        }
    }
    if let Some(f) = &opts.containerd_config {
        said.push((
            Runtime::Containerd,
            format!("a containerd config.toml ({})", shown(f)),
        ));
    }
    if let Some(c) = &cfg {
        if let Some(ep) = c
            .container_runtime_endpoint
            .as_deref()
            .or(c.image_service_endpoint.as_deref())
        {
            if let Some(r) = runtime_from_endpoint(ep).and_then(Runtime::parse) {
                said.push((r, format!("containerRuntimeEndpoint {ep:?}")));
            }
        }
    }
    if let Some(m) = fsi
        .as_ref()
        .and_then(|i| i.image_filesystems[0].mountpoint.as_deref())
    {
        if let Some(r) = imagefsinfo::runtime_from_mountpoint(m).and_then(Runtime::parse) {
            said.push((r, format!("the image filesystem's mountpoint {m}")));
        }
    }
    if let Some((first, why)) = said.first() {
        for (r, w) in &said[1..] {
            if r != first {
                rep.warnings.push(format!(
                    "{why} says {} but {w} says {}: using {}",
                    first.as_str(),
                    r.as_str(),
                    first.as_str()
                ));
            }
        }
    }
    let detected: Option<(Runtime, String)> = said.into_iter().next();
    match (opts.runtime, &detected) {
        (Some(r), Some((d, why))) => {
            if r != *d {
                rep.warnings.push(format!(
                    "--runtime {} but the files say {} ({why}): using {}",
                    r.as_str(),
                    d.as_str(),
                    r.as_str()
                ));
            }
            r
        }
        (Some(r), None) => r,
        (None, Some((d, why))) => {
            rep.took.push(format!("runtime {} from {why}", d.as_str()));
            *d
        }
        (None, None) => {
            rep.assumed.push("runtime containerd (no --runtime, and no file names one): image sizes are read as compressed".into());
            Runtime::Containerd
        }
    }
}

/// What a containerd config.toml decides, on containerd.
pub(super) struct ContainerdSetup {
    pub discard: Option<bool>,
    /// The images containerd pins (normalised), and the sandbox image among them.
    pub config_pins: BTreeSet<String>,
    pub sandbox: Option<String>,
}

/// containerd's `discard_unpacked_layers`, snapshotter and pinned images, and the checks of
/// its root and snapshotter against imagefsinfo.
pub(super) fn containerd(
    rep: &mut ImportReport,
    inp: &Inputs,
    runtime: Runtime,
) -> ContainerdSetup {
    let Inputs {
        opts,
        ctd,
        fsi,
        node_info,
        ..
    } = *inp;
    // --- containerd: discard_unpacked_layers, snapshotter, pinned images -----------------
    let ctd_major = node_info
        .and_then(|(n, _)| n.container_runtime_version.as_deref())
        .and_then(containerd_config::containerd_major);
    let mut discard: Option<bool> = None;
    // The images containerd pins (normalised), and the sandbox image among them.
    let mut config_pins: BTreeSet<String> = BTreeSet::new();
    let mut sandbox: Option<String> = None;
    if let (Some(c), Some(f)) = (&ctd, &opts.containerd_config) {
        if runtime != Runtime::Containerd {
            rep.warnings.push(format!(
                "{}: a containerd configuration, but the runtime is {}: not used",
                shown(f),
                runtime.as_str()
            ));
        } else {
            discard = c.discard_unpacked_layers.as_ref().map(|d| d.value);
            let mut snapshotter = c.snapshotter.value.clone();
            if c.version <= 2 && c.migration_drops_containerd_keys {
                let what = format!(
                    "containerd 2.x migrates a version {} file, and its migration drops the containerd table's snapshotter and discard_unpacked_layers when that table has no runtimes table (plugins/cri/images/plugin.go, migrateConfig)",
                    c.version
                );
                match ctd_major {
                    Some(m) if m >= 2 => {
                        rep.warnings.push(format!(
                            "{}: {what}: this node runs containerd {m}.x, so containerd's defaults apply (discard_unpacked_layers false, overlayfs)",
                            shown(f)
                        ));
                        discard = None;
                        snapshotter = containerd_config::DEFAULT_SNAPSHOTTER.to_string();
                    }
                    Some(_) => {}
                    None => rep.warnings.push(format!(
                        "{}: read as containerd 1.x reads it; {what} (the containerd release is in kubectl get node -o json: --node-json)",
                        shown(f)
                    )),
                }
            }
            if let Some(note) = containerd_config::snapshotter_note(&snapshotter) {
                rep.warnings.push(format!(
                    "{}: snapshotter {snapshotter}: modelled as overlayfs; {note}",
                    shown(f)
                ));
            }
            config_pins.extend(c.pinned_images.iter().map(|(_, i)| normalize_image_ref(i)));
            match c.sandbox_image(ctd_major) {
                Some((sb, default)) => {
                    if default {
                        rep.assumed.push(format!(
                            "the sandbox image is containerd's default, {sb} (the configuration sets none); containerd pins it"
                        ));
                    }
                    let sb = normalize_image_ref(&sb);
                    config_pins.insert(sb.clone());
                    sandbox = Some(sb);
                }
                None => rep.assumed.push(
                    "the sandbox image is unknown (a template placeholder): images named */pause are taken as containerd's pinned sandbox image".into(),
                ),
            }
            // Where containerd unpacks layers is the image filesystem's mountpoint.
            let dir = format!(
                "{}/io.containerd.snapshotter.v1.{snapshotter}",
                c.root.value.trim_end_matches('/')
            );
            if let (Some(m), Some(g)) = (
                fsi.as_ref()
                    .and_then(|i| i.image_filesystems[0].mountpoint.as_deref()),
                &opts.imagefsinfo,
            ) {
                if m == dir {
                    rep.took.push(format!(
                        "{}: the image filesystem {m} is the configuration's root and snapshotter",
                        shown(g)
                    ));
                } else {
                    rep.warnings.push(format!(
                        "{}: the image filesystem is {m}, but {} puts containerd's snapshots in {dir} (root {}, snapshotter {snapshotter}): are the files from the same node?",
                        shown(g),
                        shown(f),
                        c.root.value
                    ));
                }
            }
        }
    }
    ContainerdSetup {
        discard,
        config_pins,
        sandbox,
    }
}

/// The filesystems at t = 0.
pub(super) struct Disk {
    pub layout: Layout,
    pub disk: u64,
    pub other_used: u64,
    /// (capacity, other_used) of a separate imagefs.
    pub imagefs: Option<(u64, u64)>,
    /// The image filesystem's available bytes at t = 0 by the Summary, when the simulation
    /// matches it.
    pub expected_available: Option<u64>,
}

/// The disk, the layout and what is used at t = 0: the Summary's, else the Node's capacity and
/// imagefsinfo's layout, else the defaults.
pub(super) fn filesystems(
    rep: &mut ImportReport,
    inp: &Inputs,
    catalog: &[CatalogEntry],
    runtime: Runtime,
    discard: Option<bool>,
    ratio: f64,
    counts: &TraceCounts,
) -> Result<Disk, InputError> {
    let Inputs {
        opts,
        sum,
        fsi,
        inv,
        inv_file,
        node_info,
        ..
    } = *inp;
    let TraceCounts {
        running_pods,
        running_skipped,
        containers_unknown,
        ..
    } = *counts;
    // --- filesystems -------------------------------------------------------------------
    // What the preloaded images hold on the image filesystem: containerd keeps each layer's
    // compressed blob beside its snapshot (discard_unpacked_layers is off by default).
    let preloaded_bytes: u128 = catalog
        .iter()
        .filter(|c| c.preloaded)
        .map(|c| {
            c.size as u128
                + if runtime == Runtime::Containerd && discard != Some(true) {
                    c.compressed as u128
                } else {
                    0
                }
        })
        .sum();
    // A quarter of the largest disk a scenario can have: room to double it (and round it up)
    // below.
    if preloaded_bytes > (i64::MAX / 4) as u128 {
        return Err(InputError::new(
            inv_file.unwrap_or(Path::new("--images")),
            None,
            None,
            format!(
                "the preloaded images add up to {preloaded_bytes} bytes (unpacked), more than a simulated disk can hold (2 EiB)"
            ),
        ));
    }
    let preloaded_bytes = preloaded_bytes as u64;
    let mut expected_available = None;
    let layout;
    let disk;
    let mut other_used;
    let mut imagefs = None;
    match (&sum, &opts.summary) {
        (Some(s), Some(f)) => {
            let g = s.detect_layout();
            layout = g.layout;
            if let Some(w) = g.warning {
                rep.warnings.push(w);
            }
            let (cap, avail) = s.nodefs.cap_avail().expect("checked by the parser");
            disk = cap;
            // The Summary decides the layout (it has the capacities imagefsinfo lacks).
            if let (Some(i), Some(g)) = (&fsi, &opts.imagefsinfo) {
                let fl = i.layout();
                if (fl.layout == Layout::Split) != (layout == Layout::Split) {
                    rep.warnings.push(format!(
                        "{}: {}; but the summary's filesystems say {}: using the summary's",
                        shown(g),
                        fl.reason,
                        layout.as_str()
                    ));
                }
            }
            if let Some((c, nf)) =
                node_info.and_then(|(n, nf)| n.ephemeral_storage_capacity.map(|c| (c, nf)))
            {
                if c.abs_diff(cap) > cap / 200 {
                    rep.warnings.push(format!(
                        "{}: capacity ephemeral-storage {} but the summary's node.fs is {}: using the summary's (both come from the root filesystem; were the files collected at different times?)",
                        shown(nf),
                        bytes_h(c),
                        bytes_h(cap)
                    ));
                }
            }
            let (w, l) = s.container_bytes();
            let vol: u64 = s
                .pods
                .iter()
                .fold(0u64, |a, p| a.saturating_add(p.volume_used));
            rep.took.push(format!(
                "{}: node {} at {}: node.fs capacity {}, available {}{}; {}; {} pods ({} in writable layers, {} in logs, {} in volumes)",
                shown(f),
                s.node_name.as_deref().unwrap_or("(unnamed)"),
                s.time().map_or("(no time)".into(), format_rfc3339),
                bytes_h(cap),
                bytes_h(avail),
                match &s.imagefs {
                    Some(i) => format!(
                        "; runtime.imageFs capacity {}, available {}, used {}",
                        bytes_h(i.capacity_bytes.unwrap_or(0)),
                        bytes_h(i.available_bytes.unwrap_or(0)),
                        i.used_bytes.map_or("?".into(), bytes_h)
                    ),
                    None => String::new(),
                },
                g.reason,
                s.pods.len(),
                bytes_h(w),
                bytes_h(l),
                bytes_h(vol)
            ));
            let fit = |cap: u64, avail: u64, what: &str, rep: &mut ImportReport| -> (u64, bool) {
                let used = cap.saturating_sub(avail);
                if preloaded_bytes > used {
                    rep.warnings.push(format!(
                        "the preloaded images ({}, unpacked estimate) exceed the bytes in use on the {what} ({}): other_used = 0, so the simulated available bytes at t = 0 are {} lower than the summary's; lower --unpack-ratio or check the inventory",
                        bytes_h(preloaded_bytes),
                        bytes_h(used),
                        bytes_h(preloaded_bytes - used)
                    ));
                    (0, false)
                } else {
                    (used - preloaded_bytes, true)
                }
            };
            if layout == Layout::Shared {
                let (o, ok) = fit(cap, avail, "disk", rep);
                other_used = o;
                if ok {
                    expected_available = Some(avail);
                }
                rep.assumed.push(format!(
                    "other_used = capacity − available − preloaded image layers = {} − {} − {} = {}: everything the simulator does not model (OS, volumes, the running pods' current writable layers and logs) is a constant, so the simulated available bytes at t = 0 equal the summary's",
                    cap, avail, preloaded_bytes, other_used
                ));
            } else {
                let img = s
                    .imagefs
                    .as_ref()
                    .expect("non-shared layouts have an imageFs");
                let (icap, iavail) = img.cap_avail().expect("checked by the parser");
                other_used = cap - avail.min(cap);
                let (o, ok) = fit(icap, iavail, "imagefs", rep);
                imagefs = Some((icap, o));
                if ok {
                    expected_available = Some(iavail);
                }
                rep.assumed.push(format!(
                    "other_used (nodefs) = capacity − available = {other_used}; imagefs_other_used = imagefs capacity − available − preloaded image layers = {icap} − {iavail} − {preloaded_bytes} = {o}: so the simulated available bytes at t = 0 equal the summary's on both filesystems"
                ));
            }
            if running_pods > 0 {
                rep.assumed.push(format!(
                    "{running_pods} running pods from the summary are created at t = 0 with IfNotPresent, writable/log rate 0 and caps = their current bytes; those bytes stay in other_used (deleting such a pod in the simulation does not free them)"
                ));
            }
            if running_skipped > 0 || containers_unknown > 0 {
                rep.assumed.push(format!(
                    "{containers_unknown} running containers ({running_skipped} whole pods) have no image in the events: left out of the trace (their images are not marked in use; their bytes are in other_used)"
                ));
            }
            // How far the containerd ratio is from what the summary implies.
            if runtime == Runtime::Containerd {
                if let (Some(img), Some(i)) = (&s.imagefs, &inv) {
                    // Each image once (an ID listed under two tags is one image).
                    let reported: u64 = catalog
                        .iter()
                        .filter(|c| c.source == EntrySource::Inventory)
                        .map(|c| c.reported)
                        .sum();
                    let writable = if layout == Layout::Split { 0 } else { w };
                    if let Some(u) = img.used_bytes {
                        if reported > 0 && u > writable && i.source == InventorySource::Crictl {
                            let implied = (u - writable) as f64 / reported as f64;
                            rep.assumed.push(format!(
                                "runtime.imageFs.usedBytes ({u}) less the writable layers over the reported image sizes implies an unpacked/compressed ratio of {implied:.2} (in use: {ratio}; pass --unpack-ratio to change it)"
                            ));
                        }
                    }
                }
            }
        }
        _ => {
            let guess = fsi.as_ref().map(|i| i.layout());
            layout = guess.as_ref().map_or(Layout::Shared, |g| g.layout);
            if let (Some(g), Some(f)) = (&guess, &opts.imagefsinfo) {
                let line = format!("{}: {}", shown(f), g.reason);
                if g.certain {
                    rep.took.push(line);
                } else {
                    rep.assumed.push(line);
                }
            }
            // The Node's capacity (allocatable when it has none), else the default.
            let from_node = node_info.and_then(|(n, f)| {
                n.ephemeral_storage_capacity
                    .map(|c| (c, f, "capacity"))
                    .or_else(|| {
                        n.ephemeral_storage_allocatable
                            .map(|c| (c, f, "allocatable"))
                    })
            });
            let d = match from_node {
                Some((c, f, which)) => {
                    rep.took.push(format!(
                        "{}: node {which} ephemeral-storage {} as the disk",
                        shown(f),
                        bytes_h(c)
                    ));
                    c
                }
                None => {
                    rep.assumed.push(format!(
                        "no summary: a {} {} disk",
                        bytes_h(DEFAULT_DISK),
                        if layout == Layout::Shared {
                            "shared"
                        } else {
                            "node"
                        }
                    ));
                    DEFAULT_DISK
                }
            };
            // The disk holding the images is raised so that they fill at most half of it.
            let fit = |d: u64, what: &str, rep: &mut ImportReport| -> u64 {
                if preloaded_bytes <= d / 2 {
                    return d;
                }
                let gib = 1u64 << 30;
                // At most i64::MAX: the preloaded bytes are at most that (checked above).
                let r = preloaded_bytes
                    .saturating_mul(2)
                    .div_ceil(gib)
                    .saturating_mul(gib)
                    .min(i64::MAX as u64);
                rep.assumed.push(format!(
                    "the {what} is raised to {} so that the preloaded images fill half of it",
                    bytes_h(r)
                ));
                r
            };
            if layout == Layout::Split {
                let icap = fit(d, "imagefs", rep);
                imagefs = Some((icap, 0));
                disk = d;
                rep.assumed.push(format!(
                    "no summary: the imagefs size is unknown (imagefsinfo has no capacity): as large as the node disk ({}); nothing but the preloaded images on either at t = 0 (other_used = imagefs_other_used = 0)",
                    bytes_h(d)
                ));
            } else {
                disk = fit(d, "disk", rep);
                rep.assumed.push("no summary: one shared filesystem, and nothing but the preloaded images on it at t = 0 (other_used = 0)".into());
            }
            other_used = 0;
        }
    }
    if layout == Layout::Shared && other_used > disk {
        other_used = disk;
    }
    Ok(Disk {
        layout,
        disk,
        other_used,
        imagefs,
        expected_available,
    })
}

/// The pull bandwidth: the median of the events' pulls, else the default.
pub(super) fn pull_bandwidth(
    rep: &mut ImportReport,
    opts: &super::ImportOptions,
    bandwidth: Option<(u64, usize)>,
) -> u64 {
    // --- pull bandwidth ----------------------------------------------------------------
    match bandwidth {
        None => {
            rep.assumed.push(format!(
                "pull_bandwidth {} per second: no pull with a duration and a known size",
                bytes_h(DEFAULT_PULL_BANDWIDTH)
            ));
            DEFAULT_PULL_BANDWIDTH
        }
        Some((m, pulls)) => {
            rep.took.push(format!(
                "{}: pull_bandwidth {} per second, the median of {pulls} pulls (unpacked bytes ÷ pull time)",
                opts.events.as_deref().map(shown).unwrap_or_default(),
                bytes_h(m),
            ));
            let max = crate::node::ledger::MAX_RATE;
            if m > max {
                rep.warnings.push(format!(
                    "the pulls' median bandwidth is more than a scenario takes: pull_bandwidth = {max} (512 GiB/s)"
                ));
            }
            m.min(max)
        }
    }
}

/// The kubelet version: the Node's (the nearest the model follows), else the events' wording.
pub(super) fn kubelet_version(
    rep: &mut ImportReport,
    node_info: Option<(&super::node_object::NodeInfo, &Path)>,
    ev: Option<&EventsImport>,
) -> Option<String> {
    // --- kubelet version ---------------------------------------------------------------
    let node_version = node_info.and_then(|(n, _)| n.kubelet_version.clone());
    match node_version
        .as_deref()
        .and_then(|v| major_minor(v).map(|mm| (v, mm)))
    {
        Some((v, (1, b))) if crate::kubelet::versions::VersionProfile::of(b).is_some() => {
            rep.took
                .push(format!("kubelet version {v} (kubelet_version = \"1.{b}\")"));
            Some(format!("1.{b}"))
        }
        Some((v, (a, b))) => {
            use crate::kubelet::versions::{NEWEST_MINOR, OLDEST_MINOR};
            // The nearest version the model follows.
            let m = if (a, b) < (1, OLDEST_MINOR) {
                OLDEST_MINOR
            } else {
                NEWEST_MINOR
            };
            rep.warnings.push(format!(
                "kubelet {v} is not a version the model follows ({}): modelled as 1.{m}",
                crate::kubelet::versions::VersionProfile::supported()
            ));
            Some(format!("1.{m}"))
        }
        None => {
            let v3 = ev
                .as_ref()
                .is_some_and(|e| e.gc_failures.iter().any(|g| g.2.wording == GcWording::V3));
            if v3 {
                rep.assumed.push(
                    "kubelet_version 1.35: the events use the ≥1.35 FreeDiskSpaceFailed wording"
                        .into(),
                );
                Some("1.35".into())
            } else {
                rep.assumed.push("kubelet version unknown (it is in kubectl get node -o json): the model's default".into());
                None
            }
        }
    }
}

/// The layout the kubelet version sees.
pub(super) fn version_layout(
    rep: &mut ImportReport,
    kubelet_version: &Option<String>,
    layout: &mut Layout,
) {
    // Before 1.31 the KubeletSeparateDiskGC gate is off by default, and the kubelet does not
    // split: it sees an image filesystem apart from the root one.
    let minor = kubelet_version
        .as_deref()
        .and_then(|v| v.split('.').nth(1))
        .and_then(|m| m.parse::<u32>().ok());
    if let Some(p) = minor.and_then(crate::kubelet::versions::VersionProfile::of) {
        if *layout == Layout::Split && !p.kubelet_separate_disk_gc {
            *layout = Layout::DedicatedImagefs;
            rep.warnings.push(format!(
                "the runtime splits images and writable layers, but kubelet 1.{} has KubeletSeparateDiskGC off by default (on from 1.31): its eviction manager sees a dedicated imagefs, so layout = \"dedicated-imagefs\" (with the gate on, set layout = \"split\" and kubelet_version = \"1.31\" or later)",
                p.minor
            ));
        }
    }
}

/// Warnings when the files' times are far apart.
pub(super) fn check_times(
    rep: &mut ImportReport,
    snapshot: Option<i64>,
    ev: Option<&EventsImport>,
    node_info: Option<(&super::node_object::NodeInfo, &Path)>,
) {
    // --- times -------------------------------------------------------------------------
    if let (Some(s), Some(e)) = (snapshot, ev.as_ref().and_then(|e| e.span)) {
        const MIN: i64 = 60 * 1_000_000_000;
        if s < e.0 - 5 * MIN {
            rep.warnings.push(format!(
                "the summary ({}) is older than the first event ({}): were the files collected at different times?",
                format_rfc3339(s),
                format_rfc3339(e.0)
            ));
        } else if s > e.1 + 60 * MIN {
            rep.warnings.push(format!(
                "the events end at {}, more than 1 h before the summary ({}): were the files collected at different times?",
                format_rfc3339(e.1),
                format_rfc3339(s)
            ));
        }
    }
    if let (Some(s), Some(h)) = (snapshot, node_info.and_then(|(n, _)| n.heartbeat)) {
        if (s - h).abs() > 15 * 60 * 1_000_000_000 {
            rep.warnings.push(format!(
                "the node object's last heartbeat ({}) and the summary ({}) are more than 15 min apart: were the files collected at different times?",
                format_rfc3339(h),
                format_rfc3339(s)
            ));
        }
    }
}

/// The simulated duration: `--duration`, else the trace plus 15 min, at least 1 h.
pub(super) fn duration(
    rep: &mut ImportReport,
    opts: &super::ImportOptions,
    last_ms: i64,
) -> Result<i64, InputError> {
    // --- duration ----------------------------------------------------------------------
    Ok(match &opts.duration {
        Some(d) => {
            let ns = parse_sim_duration(d)
                .map_err(|e| InputError::new(Path::new("--duration"), None, None, e.to_string()))?;
            if ns <= 0 {
                return Err(InputError::new(
                    Path::new("--duration"),
                    None,
                    None,
                    format!("{d:?} must be greater than 0"),
                ));
            }
            ns
        }
        None => {
            let min = 60 * 1_000_000_000;
            let ns = (last_ms * NS_PER_MS + TAIL_NS).max(MIN_DURATION_NS);
            let ns = (ns + min - 1) / min * min;
            rep.assumed.push(format!(
                "duration {}: the trace plus 15 min, at least 1 h (--duration to change it)",
                format_go_duration(ns)
            ));
            ns
        }
    })
}

/// Drops the configuration fields the node's kubelet version does not have.
pub(super) fn drop_unknown_fields(
    rep: &mut ImportReport,
    cfg: &mut Option<KubeletConfigImport>,
    kubelet_version: &Option<String>,
) {
    // A field the node's version does not have is ignored by its kubelet (lenient decoding).
    if let (Some(c), Some(v)) = (cfg.as_mut(), kubelet_version.as_deref()) {
        let minor = v.split('.').nth(1).and_then(|m| m.parse::<u32>().ok());
        if c.merge_default_eviction_settings.is_some() && minor.is_some_and(|m| m < 33) {
            rep.warnings.push(format!(
                "mergeDefaultEvictionSettings exists from kubelet 1.33; this node runs {v}, whose kubelet ignores it: left out"
            ));
            c.merge_default_eviction_settings = None;
        }
    }
}
