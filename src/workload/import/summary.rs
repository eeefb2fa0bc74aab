//! The kubelet Summary API, `/stats/summary` (data-formats.md §1): filesystem capacities and
//! available bytes of nodefs, imagefs and containerfs, and each pod's writable-layer, log and
//! volume bytes. Every number is read as u64 (one real sample has 2^64-1). `pods` is streamed.

use std::path::Path;

use super::common::{read_document, At};
use crate::error::InputError;
use crate::node::Layout;

/// One `FsStats` object. All fields are optional in the API.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FsStats {
    pub time: Option<i64>,
    pub capacity_bytes: Option<u64>,
    pub available_bytes: Option<u64>,
    pub used_bytes: Option<u64>,
    pub inodes: Option<u64>,
    pub inodes_free: Option<u64>,
    pub inodes_used: Option<u64>,
}

impl FsStats {
    fn read(at: &At) -> Result<Option<FsStats>, InputError> {
        if at.is_null() {
            return Ok(None);
        }
        Ok(Some(FsStats {
            time: at.field("time")?.opt_time()?,
            capacity_bytes: at.field("capacityBytes")?.opt_u64()?,
            available_bytes: at.field("availableBytes")?.opt_u64()?,
            used_bytes: at.field("usedBytes")?.opt_u64()?,
            inodes: at.field("inodes")?.opt_u64()?,
            inodes_free: at.field("inodesFree")?.opt_u64()?,
            inodes_used: at.field("inodesUsed")?.opt_u64()?,
        }))
    }

    /// Capacity and available, when both are known.
    pub fn cap_avail(&self) -> Option<(u64, u64)> {
        Some((self.capacity_bytes?, self.available_bytes?))
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContainerUsage {
    pub name: String,
    /// Writable layer bytes (`rootfs.usedBytes`).
    pub rootfs_used: Option<u64>,
    /// Log bytes (`logs.usedBytes`).
    pub logs_used: Option<u64>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PodUsage {
    pub namespace: String,
    pub name: String,
    pub uid: String,
    pub containers: Vec<ContainerUsage>,
    /// `"ephemeral-storage".usedBytes`: containers plus emptyDir volumes.
    pub ephemeral_used: Option<u64>,
    /// Sum of `volume[].usedBytes` (all volumes, local or not).
    pub volume_used: u64,
    /// `volume[]` by name.
    pub volumes: Vec<(String, FsStats)>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SummaryImport {
    pub node_name: Option<String>,
    /// `node.fs`: the nodefs.
    pub nodefs: FsStats,
    /// `node.runtime.imageFs`.
    pub imagefs: Option<FsStats>,
    /// `node.runtime.containerFs` (KEP-4191, ≥1.29); absent means "same as imageFs".
    pub containerfs: Option<FsStats>,
    pub pods: Vec<PodUsage>,
}

/// How the filesystems are laid out, as far as the Summary tells.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LayoutGuess {
    pub layout: Layout,
    /// How it was decided, for the report.
    pub reason: String,
    /// Set when the Summary shows something the model cannot hold (a third filesystem).
    pub warning: Option<String>,
}

/// Two `FsStats` describe the same filesystem: equal capacity and available bytes within
/// 0.5 % of capacity (the objects are sampled seconds apart).
pub fn same_filesystem(a: &FsStats, b: &FsStats) -> bool {
    match (a.cap_avail(), b.cap_avail()) {
        (Some((ca, aa)), Some((cb, ab))) => ca == cb && aa.abs_diff(ab) <= ca / 200,
        _ => false,
    }
}

impl SummaryImport {
    /// The snapshot time: `node.fs.time` (data-formats.md §1.5).
    pub fn time(&self) -> Option<i64> {
        self.nodefs
            .time
            .or(self.imagefs.as_ref().and_then(|f| f.time))
    }

    pub fn nodefs_capacity(&self) -> u64 {
        self.nodefs.capacity_bytes.unwrap_or(0)
    }

    pub fn nodefs_available(&self) -> u64 {
        self.nodefs.available_bytes.unwrap_or(0)
    }

    /// Shared when imageFs is missing or the same filesystem as node.fs; otherwise
    /// dedicated-imagefs (writable layers with the images: containerFs missing or equal to
    /// imageFs) or split (KEP-4191: containerFs equal to node.fs).
    pub fn detect_layout(&self) -> LayoutGuess {
        let Some(img) = &self.imagefs else {
            return LayoutGuess {
                layout: Layout::Shared,
                reason: "no runtime.imageFs: one shared filesystem assumed".into(),
                warning: None,
            };
        };
        if same_filesystem(&self.nodefs, img) {
            let warning = match &self.containerfs {
                Some(c) if !same_filesystem(c, img) => Some("containerFs differs from imageFs although imageFs is node.fs: writable layers on a separate disk are not modelled (they are counted as nodefs)".to_string()),
                _ => None,
            };
            return LayoutGuess {
                layout: Layout::Shared,
                reason: "node.fs and runtime.imageFs report the same capacity and available bytes: one shared filesystem".into(),
                warning,
            };
        }
        match &self.containerfs {
            None => LayoutGuess {
                layout: Layout::DedicatedImagefs,
                reason: "runtime.imageFs differs from node.fs and there is no containerFs: a dedicated imagefs holding images and writable layers".into(),
                warning: None,
            },
            Some(c) if same_filesystem(c, img) => LayoutGuess {
                layout: Layout::DedicatedImagefs,
                reason: "runtime.imageFs differs from node.fs and containerFs equals imageFs: a dedicated imagefs holding images and writable layers".into(),
                warning: None,
            },
            Some(c) if same_filesystem(c, &self.nodefs) => LayoutGuess {
                layout: Layout::Split,
                reason: "runtime.imageFs differs from node.fs and containerFs equals node.fs: split image filesystem (KEP-4191), images on imagefs, writable layers on nodefs".into(),
                warning: None,
            },
            Some(_) => LayoutGuess {
                layout: Layout::DedicatedImagefs,
                reason: "node.fs, imageFs and containerFs are three different filesystems".into(),
                warning: Some("three filesystems (node.fs, imageFs, containerFs) are not modelled: using dedicated-imagefs; the containerFs bytes are left out".into()),
            },
        }
    }

    /// Sum over pods of writable-layer and log bytes.
    pub fn container_bytes(&self) -> (u64, u64) {
        let mut w = 0u64;
        let mut l = 0u64;
        for p in &self.pods {
            for c in &p.containers {
                w = w.saturating_add(c.rootfs_used.unwrap_or(0));
                l = l.saturating_add(c.logs_used.unwrap_or(0));
            }
        }
        (w, l)
    }
}

/// Reads a Summary API document.
pub fn parse_summary(file: &Path) -> Result<SummaryImport, InputError> {
    let mut pods = Vec::new();
    let rest = read_document(file, &["pods"], &mut |key, i, v| {
        let at = At::new(file, &v, format!("{key}[{i}]"));
        pods.push(read_pod(&at)?);
        Ok(())
    })?;
    let root = serde_json::Value::Object(rest);
    let mut s = read_reply(&At::new(file, &root, ""))?;
    s.pods = pods;
    Ok(s)
}

/// The node part of one Summary reply held in memory at `at` (its `node.fs` and
/// `node.runtime` filesystems, checked as [`parse_summary`] checks them); `pods` is not read
/// and comes back empty. Errors name the paths under `at`'s own (`[3].node.fs.capacityBytes`
/// for the fourth reply of an array). `validate` reads a series of replies with this.
pub fn read_reply(at: &At) -> Result<SummaryImport, InputError> {
    let node = at.field("node")?;
    if node.is_null() {
        return Err(node.err(
            "missing: not a Summary API reply (kubectl get --raw /api/v1/nodes/NODE/proxy/stats/summary)",
        ));
    }
    let fs = node.field("fs")?;
    let nodefs = FsStats::read(&fs)?.ok_or_else(|| {
        fs.err("missing: the Summary has no filesystem stats (was it fetched with only_cpu_and_memory=true?)")
    })?;
    for (k, v) in [
        ("capacityBytes", nodefs.capacity_bytes),
        ("availableBytes", nodefs.available_bytes),
    ] {
        if v.is_none() {
            return Err(fs.field(k)?.err("missing: needed for the node's disk"));
        }
    }
    if nodefs.capacity_bytes == Some(0) {
        return Err(fs.field("capacityBytes")?.err("is 0"));
    }
    // A filesystem cannot have more bytes available than it holds, nor more than a simulated
    // disk can be.
    let check_avail = |f: &FsStats, at: &At| -> Result<(), InputError> {
        if let Some(cap) = f.capacity_bytes.filter(|&c| c > i64::MAX as u64) {
            return Err(at.field("capacityBytes")?.err(format!(
                "{cap} is more than a simulated disk can be (8 EiB): not a filesystem reading"
            )));
        }
        if let Some((cap, avail)) = f.cap_avail() {
            if avail > cap {
                return Err(at.field("availableBytes")?.err(format!(
                    "{avail} is more than capacityBytes ({cap}): not a filesystem reading"
                )));
            }
        }
        Ok(())
    };
    check_avail(&nodefs, &fs)?;
    let runtime = node.field("runtime")?;
    let imagefs = FsStats::read(&runtime.field("imageFs")?)?;
    let containerfs = FsStats::read(&runtime.field("containerFs")?)?;
    for (name, f) in [("imageFs", &imagefs), ("containerFs", &containerfs)] {
        if let Some(f) = f {
            if f.capacity_bytes.is_none() || f.available_bytes.is_none() {
                return Err(runtime.field(name)?.err(
                    "has no capacityBytes or availableBytes: cannot compare it with node.fs",
                ));
            }
            check_avail(f, &runtime.field(name)?)?;
        }
    }
    Ok(SummaryImport {
        node_name: node.field("nodeName")?.opt_str()?.map(str::to_string),
        nodefs,
        imagefs,
        containerfs,
        pods: Vec::new(),
    })
}

fn read_pod(at: &At) -> Result<PodUsage, InputError> {
    let r = at.field("podRef")?;
    let mut containers = Vec::new();
    for c in at.field("containers")?.opt_array()? {
        containers.push(ContainerUsage {
            name: c.field("name")?.str()?.to_string(),
            rootfs_used: FsStats::read(&c.field("rootfs")?)?.and_then(|f| f.used_bytes),
            logs_used: FsStats::read(&c.field("logs")?)?.and_then(|f| f.used_bytes),
        });
    }
    let mut volume_used = 0u64;
    let mut volumes = Vec::new();
    for v in at.field("volume")?.opt_array()? {
        let stats = FsStats::read(&v)?.unwrap_or_default();
        volume_used = volume_used.saturating_add(stats.used_bytes.unwrap_or(0));
        volumes.push((v.field("name")?.opt_str()?.unwrap_or("").to_string(), stats));
    }
    Ok(PodUsage {
        namespace: r.field("namespace")?.opt_str()?.unwrap_or("").to_string(),
        name: r.field("name")?.str()?.to_string(),
        uid: r.field("uid")?.opt_str()?.unwrap_or("").to_string(),
        containers,
        ephemeral_used: FsStats::read(&at.field("ephemeral-storage")?)?.and_then(|f| f.used_bytes),
        volume_used,
        volumes,
    })
}
