//! `crictl imagefsinfo` (its default `-o json`, or `-o yaml`; data-formats.md §2.1, §2.2): the
//! runtime's CRI `ImageFsInfoResponse`, wrapped by crictl as
//! `{"status": {"imageFilesystems": [...], "containerFilesystems": [...]}}`. Each entry is a
//! `FilesystemUsage`: `timestamp` (int64 ns), `fsId.mountpoint`, `usedBytes.value`,
//! `inodesUsed.value`. crictl marshals with protojson, so the 64-bit integers are decimal
//! strings inside `{"value": …}` (the CRI's own `UInt64Value`, not the well-known wrapper, so
//! never unwrapped); a plain JSON number is accepted too. There is no capacity or available:
//! the kubelet statfs()es the mountpoint for those. `containerFilesystems` exists from
//! cri-api 1.29 (KEP-4191); older runtimes send only `imageFilesystems`.
//!
//! The layout, by the kubelet's own rules:
//! - **split** when the first container filesystem's mountpoint differs from the first image
//!   filesystem's (`pkg/kubelet/container/container_gc.go`,
//!   `IsContainerFsSeparateFromImageFs`: both lists non-empty, both `fsId`s set, mountpoints
//!   unequal). The kubelet then treats the container filesystem as nodefs.
//! - **dedicated-imagefs** when the image filesystem is on another device than the root
//!   filesystem (`pkg/kubelet/stats/provider.go`, `HasDedicatedImageFs`: `ImageFsDevice` vs
//!   cAdvisor's `RootFsInfo().Device`). imagefsinfo names no device, so it cannot tell; the
//!   Summary API can (node.fs vs runtime.imageFs), and the import takes the layout from the
//!   Summary when both are given.
//! - otherwise (no container filesystem, or the same mountpoint) **shared** is assumed, and
//!   the import says so.
//!
//! Only the first entry of each list counts (the kubelet reads `[0]`, "multiple filesystems
//! … not supported" per KEP-4191); more are reported.

use std::path::Path;

use super::common::{read_document, At};
use crate::error::InputError;
use crate::node::Layout;

/// One `FilesystemUsage`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FilesystemUsage {
    /// ns since the epoch.
    pub timestamp: Option<i64>,
    pub mountpoint: Option<String>,
    pub used_bytes: u64,
    pub inodes_used: Option<u64>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImageFsInfo {
    pub image_filesystems: Vec<FilesystemUsage>,
    pub container_filesystems: Vec<FilesystemUsage>,
}

/// What imagefsinfo alone says of the layout.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FsLayout {
    pub layout: Layout,
    /// `false` when the layout is an assumption (dedicated cannot be told apart from shared).
    pub certain: bool,
    pub reason: String,
}

impl ImageFsInfo {
    /// The kubelet's rule (module comment).
    pub fn layout(&self) -> FsLayout {
        let img = self.image_filesystems.first();
        let cont = self.container_filesystems.first();
        match (img.and_then(|f| f.mountpoint.as_deref()), cont) {
            (Some(i), Some(c)) => match c.mountpoint.as_deref() {
                Some(m) if m != i => FsLayout {
                    layout: Layout::Split,
                    certain: true,
                    reason: format!(
                        "the container filesystem ({m}) is not the image filesystem ({i}): split (KEP-4191), images on imagefs, writable layers on nodefs"
                    ),
                },
                _ => FsLayout {
                    layout: Layout::Shared,
                    certain: false,
                    reason: format!(
                        "images and writable layers share {i}; whether it is the root filesystem's device imagefsinfo does not say (a Summary would): one shared filesystem assumed"
                    ),
                },
            },
            (Some(i), None) => FsLayout {
                layout: Layout::Shared,
                certain: false,
                reason: format!(
                    "no container filesystem (a runtime before cri-api 1.29, or one that does not split): writable layers with the images on {i}; whether that is the root filesystem's device imagefsinfo does not say (a Summary would): one shared filesystem assumed"
                ),
            },
            (None, _) => FsLayout {
                layout: Layout::Shared,
                certain: false,
                reason: "the image filesystem has no mountpoint: one shared filesystem assumed"
                    .into(),
            },
        }
    }
}

/// The runtime whose storage a mountpoint is: containerd's snapshotter directories
/// (`…/io.containerd.snapshotter.v1.overlayfs`, k3s and RKE2 included), CRI-O's
/// containers/storage, Docker's root.
pub fn runtime_from_mountpoint(m: &str) -> Option<&'static str> {
    if m.contains("/io.containerd.snapshotter.v1.") {
        Some("containerd")
    } else if m.contains("/containers/storage") {
        Some("crio")
    } else if m.starts_with("/var/lib/docker") {
        Some("docker")
    } else {
        None
    }
}

fn read_usage(at: &At) -> Result<FilesystemUsage, InputError> {
    let used = at.fields(&["usedBytes", "value"])?;
    let used_bytes = used
        .opt_u64_lenient()?
        .ok_or_else(|| used.err("missing: the runtime reports the bytes it uses here"))?;
    let mountpoint = at
        .fields(&["fsId", "mountpoint"])?
        .opt_str()?
        .filter(|m| !m.trim().is_empty())
        .map(str::to_string);
    let ts = at.field("timestamp")?;
    let timestamp = match ts.opt_u64_lenient()? {
        None => None,
        Some(n) => Some(
            i64::try_from(n)
                .map_err(|_| ts.err(format!("{n} is not a time (ns since 1970 as an int64)")))?,
        ),
    };
    Ok(FilesystemUsage {
        timestamp,
        mountpoint,
        used_bytes,
        inodes_used: at.fields(&["inodesUsed", "value"])?.opt_u64_lenient()?,
    })
}

/// Reads `crictl imagefsinfo` output.
pub fn parse_imagefsinfo(file: &Path) -> Result<ImageFsInfo, InputError> {
    let rest = read_document(file, &[], &mut |_, _, _| Ok(()))?;
    let root = serde_json::Value::Object(rest);
    let top = At::new(file, &root, "");
    let status = top.field("status")?;
    if status.is_null() {
        let hint = if root.get("imageFilesystems").is_some() {
            " (the response without crictl's wrapper: put it under \"status\")"
        } else {
            " (not `crictl imagefsinfo` output, which is {\"status\": {\"imageFilesystems\": [...]}})"
        };
        return Err(status.err(format!("missing{hint}")));
    }
    let list = |k: &str| -> Result<Vec<FilesystemUsage>, InputError> {
        status
            .field(k)?
            .opt_array()?
            .iter()
            .map(read_usage)
            .collect()
    };
    let image_filesystems = list("imageFilesystems")?;
    if image_filesystems.is_empty() {
        return Err(status
            .field("imageFilesystems")?
            .err("missing or empty: the runtime reports no image filesystem"));
    }
    Ok(ImageFsInfo {
        image_filesystems,
        container_filesystems: list("containerFilesystems")?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<ImageFsInfo, InputError> {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("fs.json");
        std::fs::write(&p, text).unwrap();
        parse_imagefsinfo(&p)
    }

    fn fs(mount: &str, used: &str) -> String {
        format!(
            r#"{{"timestamp": "1717418053352086454", "fsId": {{"mountpoint": "{mount}"}},
                "usedBytes": {{"value": {used}}}, "inodesUsed": {{"value": "30"}}}}"#
        )
    }

    #[test]
    fn split_when_the_mountpoints_differ() {
        let i = parse(&format!(
            r#"{{"status": {{"imageFilesystems": [{}], "containerFilesystems": [{}]}}}}"#,
            fs("/images", "\"4096\""),
            fs("/containers", "233247")
        ))
        .unwrap();
        assert_eq!(
            i.image_filesystems,
            vec![FilesystemUsage {
                timestamp: Some(1_717_418_053_352_086_454),
                mountpoint: Some("/images".into()),
                used_bytes: 4096,
                inodes_used: Some(30),
            }]
        );
        // A plain number is read like the protojson string.
        assert_eq!(i.container_filesystems[0].used_bytes, 233_247);
        let l = i.layout();
        assert_eq!((l.layout, l.certain), (Layout::Split, true));
    }

    #[test]
    fn shared_is_an_assumption() {
        let same = parse(&format!(
            r#"{{"status": {{"imageFilesystems": [{}], "containerFilesystems": [{}]}}}}"#,
            fs(
                "/var/lib/containerd/io.containerd.snapshotter.v1.overlayfs",
                "\"1\""
            ),
            fs(
                "/var/lib/containerd/io.containerd.snapshotter.v1.overlayfs",
                "\"1\""
            )
        ))
        .unwrap();
        assert_eq!(
            (same.layout().layout, same.layout().certain),
            (Layout::Shared, false)
        );
        let old = parse(&format!(
            r#"{{"status": {{"imageFilesystems": [{}]}}}}"#,
            fs("/x", "\"1\"")
        ))
        .unwrap();
        assert!(old.container_filesystems.is_empty());
        assert_eq!(old.layout().layout, Layout::Shared);
        assert!(old.layout().reason.contains("no container filesystem"));
    }

    #[test]
    fn errors_name_the_json_path() {
        let e = parse(r#"{"imageFilesystems": []}"#).unwrap_err();
        assert_eq!(e.field.as_deref(), Some("status"));
        assert!(e.message.contains("wrapper"), "{}", e.message);
        let e = parse(&format!(
            r#"{{"status": {{"imageFilesystems": [{}]}}}}"#,
            fs("/x", "\"12 GB\"")
        ))
        .unwrap_err();
        assert_eq!(
            e.field.as_deref(),
            Some("status.imageFilesystems[0].usedBytes.value")
        );
        assert!(e.message.contains("\"12 GB\""), "{}", e.message);
        let e = parse(r#"{"status": {"imageFilesystems": []}}"#).unwrap_err();
        assert_eq!(e.field.as_deref(), Some("status.imageFilesystems"));
        let e = parse(r#"{"status": {"imageFilesystems": [{"fsId": {"mountpoint": "/x"}}]}}"#)
            .unwrap_err();
        assert_eq!(
            e.field.as_deref(),
            Some("status.imageFilesystems[0].usedBytes.value")
        );
    }
}
