//! The Node object (data-formats.md §2.3, §0.1 item 3): `kubectl get node NAME -o json` (or
//! `-o yaml`), or a `kubectl get nodes -o json` list (`kind: List` or `NodeList`) from which
//! `--node NAME` picks one (a list of one needs no name).
//!
//! | field | what the import takes from it |
//! |---|---|
//! | `status.nodeInfo.kubeletVersion` | `kubelet_version` (`v1.31.4` → `"1.31"`; the nearest modelled version otherwise) |
//! | `status.nodeInfo.containerRuntimeVersion` | `runtime` (`containerd://1.7.13`, `cri-o://1.30.2`, `docker://24.0.7`) |
//! | `status.capacity["ephemeral-storage"]` | `disk` when no Summary gives node.fs (the kubelet sets it from cAdvisor's root filesystem, in bytes) |
//! | `status.allocatable["ephemeral-storage"]` | reported: capacity less the kubelet's reservations and the hard `nodefs.available` threshold |
//! | `status.images[]` (`{names, sizeBytes}`) | the inventory when `--images` is not given: the largest `nodeStatusMaxImages` (50) images, names capped at 5 per image, no id, no pinned flag |
//! | `status.conditions[type=DiskPressure]` | reported (status, reason, since when); the latest `lastHeartbeatTime` dates the object |
//! | `metadata.name` | the node name, when neither `--node` nor the Summary gives one |
//!
//! Quantities are read with [`crate::units::parse_bytes`] (Kubernetes' `resource.Quantity`
//! syntax: `104857600Ki`, `94998903232`, `100G`); a malformed one is an error naming its JSON
//! path. The images' `sizeBytes` is the CRI `Image.size` (an int64 number; a decimal string is
//! accepted too).

use std::path::Path;

use serde_json::Value;

use super::common::{read_document, At};
use crate::error::InputError;
use crate::units::parse_bytes;

/// What a Node object says besides its images.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NodeInfo {
    pub name: Option<String>,
    pub kubelet_version: Option<String>,
    /// `containerd://1.7.2`, `cri-o://1.29.1`, `docker://24.0.7`.
    pub container_runtime_version: Option<String>,
    /// `status.capacity["ephemeral-storage"]` in bytes: the nodefs size.
    pub ephemeral_storage_capacity: Option<u64>,
    /// `status.allocatable["ephemeral-storage"]` in bytes.
    pub ephemeral_storage_allocatable: Option<u64>,
    /// The latest condition heartbeat: when the object was current.
    pub heartbeat: Option<i64>,
    /// The `DiskPressure` condition's status.
    pub disk_pressure: Option<bool>,
    /// The `DiskPressure` condition's `lastTransitionTime` and `reason`.
    pub disk_pressure_since: Option<i64>,
    pub disk_pressure_reason: Option<String>,
}

/// One `status.images[]` entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NodeImage {
    /// Non-empty names, in the object's order (repo digests and tags mixed).
    pub names: Vec<String>,
    pub size_bytes: u64,
}

/// A Node object as read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NodeObject {
    pub info: NodeInfo,
    pub images: Vec<NodeImage>,
    /// Warnings about the document itself (an unexpected `kind`).
    pub warnings: Vec<String>,
}

/// Reads `kubectl get node NAME -o json` or a list of nodes; `node` picks one out of a list.
pub fn parse_node_object(file: &Path, node: Option<&str>) -> Result<NodeObject, InputError> {
    let mut nodes: Vec<(usize, Value)> = Vec::new();
    let rest = read_document(file, &["items"], &mut |_, i, v| {
        if v.get("kind").and_then(Value::as_str).unwrap_or("Node") == "Node" {
            nodes.push((i, v));
        }
        Ok(())
    })?;
    let root = Value::Object(rest);
    if root.get("images").is_some() {
        return Err(InputError::new(
            file,
            None,
            Some("images"),
            "this is `crictl images -o json` output (pass it with --images), not a Node object (kubectl get node NAME -o json)",
        ));
    }
    select_node(file, &root, nodes, node)?.ok_or_else(|| {
        InputError::new(
            file,
            None,
            Some("status"),
            "missing: not a Node object (kubectl get node NAME -o json) nor a list of them",
        )
    })
}

/// The node of a document already read: `root` (its streamed `items` taken out) and the Node
/// objects of its `items`. `None` when the document is neither a Node nor a list.
pub fn select_node(
    file: &Path,
    root: &Value,
    nodes: Vec<(usize, Value)>,
    node: Option<&str>,
) -> Result<Option<NodeObject>, InputError> {
    let top = At::new(file, root, "");
    let kind = top.field("kind")?.opt_str()?.unwrap_or("");
    let is_list = kind == "List" || kind == "NodeList";
    if nodes.is_empty() && root.get("status").is_none() && !is_list {
        return Ok(None);
    }
    if is_list || !nodes.is_empty() || root.get("status").is_none() {
        if nodes.is_empty() {
            return Err(top.field("items")?.err("the list holds no Node object"));
        }
        let names: Vec<String> = nodes
            .iter()
            .map(|(_, v)| {
                v.pointer("/metadata/name")
                    .and_then(Value::as_str)
                    .unwrap_or("")
                    .to_string()
            })
            .collect();
        let pick = match node {
            Some(n) => names.iter().position(|x| x == n),
            None if nodes.len() == 1 => Some(0),
            None => None,
        };
        let Some(k) = pick else {
            return Err(InputError::new(
                file,
                None,
                Some("items"),
                match node {
                    Some(n) => format!(
                        "no node named {n:?} in the list (it has {})",
                        names.join(", ")
                    ),
                    None => format!(
                        "the list has {} nodes ({}); pass --node NAME",
                        names.len(),
                        names.join(", ")
                    ),
                },
            ));
        };
        let (i, v) = &nodes[k];
        let at = At::new(file, v, format!("items[{i}]"));
        return read_node(&at, Vec::new()).map(Some);
    }
    let mut warnings = Vec::new();
    if kind != "Node" {
        warnings.push(format!("kind {kind:?}: read as a Node"));
    }
    read_node(&top, warnings).map(Some)
}

/// A quantity under `status.<table>["ephemeral-storage"]`.
fn storage_quantity(status: &At, table: &str) -> Result<Option<u64>, InputError> {
    let q = status.field(table)?.field("ephemeral-storage")?;
    match q.opt_str()? {
        None => Ok(None),
        Some(s) => parse_bytes(s).map(Some).map_err(|e| {
            let m = e.to_string();
            q.err(if m.contains(s) {
                m
            } else {
                format!("{s:?}: {m}")
            })
        }),
    }
}

fn read_node(at: &At, warnings: Vec<String>) -> Result<NodeObject, InputError> {
    let status = at.field("status")?;
    if status.is_null() {
        return Err(status.err("missing: a Node object without status"));
    }
    let mut images = Vec::new();
    for im in status.field("images")?.opt_array()? {
        let mut names = im.field("names")?.opt_strings()?;
        names.retain(|s| !s.trim().is_empty());
        let size_at = im.field("sizeBytes")?;
        let size_bytes = size_at
            .opt_u64_lenient()?
            .ok_or_else(|| size_at.err("missing"))?;
        images.push(NodeImage { names, size_bytes });
    }
    let ni = status.field("nodeInfo")?;
    let mut heartbeat: Option<i64> = None;
    let mut disk_pressure = None;
    let mut disk_pressure_since = None;
    let mut disk_pressure_reason = None;
    for c in status.field("conditions")?.opt_array()? {
        if let Some(t) = c.field("lastHeartbeatTime")?.opt_time()? {
            heartbeat = Some(heartbeat.map_or(t, |h| h.max(t)));
        }
        if c.field("type")?.opt_str()? == Some("DiskPressure") {
            disk_pressure = c.field("status")?.opt_str()?.map(|s| s == "True");
            disk_pressure_since = c.field("lastTransitionTime")?.opt_time()?;
            disk_pressure_reason = c.field("reason")?.opt_str()?.map(str::to_string);
        }
    }
    let text =
        |a: At| -> Result<Option<String>, InputError> { Ok(a.opt_str()?.map(str::to_string)) };
    Ok(NodeObject {
        info: NodeInfo {
            name: text(at.fields(&["metadata", "name"])?)?,
            kubelet_version: text(ni.field("kubeletVersion")?)?,
            container_runtime_version: text(ni.field("containerRuntimeVersion")?)?,
            ephemeral_storage_capacity: storage_quantity(&status, "capacity")?,
            ephemeral_storage_allocatable: storage_quantity(&status, "allocatable")?,
            heartbeat,
            disk_pressure,
            disk_pressure_since,
            disk_pressure_reason,
        },
        images,
        warnings,
    })
}

/// The runtime named by `containerRuntimeVersion` (`containerd://1.7.2`).
pub fn runtime_from_version(v: &str) -> Option<&'static str> {
    let scheme = v.split("://").next().unwrap_or("").to_ascii_lowercase();
    match scheme.as_str() {
        "containerd" => Some("containerd"),
        "cri-o" | "crio" => Some("crio"),
        "docker" => Some("docker"),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::workload::import::common::parse_rfc3339;

    fn write(dir: &Path, name: &str, text: &str) -> std::path::PathBuf {
        let p = dir.join(name);
        std::fs::write(&p, text).unwrap();
        p
    }

    const NODE: &str = r#"{
      "apiVersion": "v1", "kind": "Node",
      "metadata": {"name": "w-1"},
      "status": {
        "capacity": {"ephemeral-storage": "20Gi"},
        "allocatable": {"ephemeral-storage": "19327352832"},
        "conditions": [
          {"type": "Ready", "status": "True", "lastHeartbeatTime": "2026-03-17T10:00:00Z"},
          {"type": "DiskPressure", "status": "True", "reason": "KubeletHasDiskPressure",
           "lastHeartbeatTime": "2026-03-17T10:00:05Z",
           "lastTransitionTime": "2026-03-17T09:58:00Z"}
        ],
        "images": [{"names": ["a@sha256:1", "a:v1", ""], "sizeBytes": 1000}],
        "nodeInfo": {"kubeletVersion": "v1.33.2", "containerRuntimeVersion": "cri-o://1.33.1"}
      }
    }"#;

    #[test]
    fn a_node_object_gives_every_field() {
        let dir = tempfile::tempdir().unwrap();
        let n = parse_node_object(&write(dir.path(), "n.json", NODE), None).unwrap();
        assert_eq!(
            n.info,
            NodeInfo {
                name: Some("w-1".into()),
                kubelet_version: Some("v1.33.2".into()),
                container_runtime_version: Some("cri-o://1.33.1".into()),
                // 20Gi = 20 × 2^30 = 21474836480.
                ephemeral_storage_capacity: Some(21_474_836_480),
                ephemeral_storage_allocatable: Some(19_327_352_832),
                // The later of the two heartbeats.
                heartbeat: parse_rfc3339("2026-03-17T10:00:05Z"),
                disk_pressure: Some(true),
                disk_pressure_since: parse_rfc3339("2026-03-17T09:58:00Z"),
                disk_pressure_reason: Some("KubeletHasDiskPressure".into()),
            }
        );
        // The empty name is dropped.
        assert_eq!(
            n.images,
            vec![NodeImage {
                names: vec!["a@sha256:1".into(), "a:v1".into()],
                size_bytes: 1000
            }]
        );
        assert!(n.warnings.is_empty());
    }

    #[test]
    fn a_list_of_one_needs_no_name_and_a_list_of_two_does() {
        let dir = tempfile::tempdir().unwrap();
        let one = write(
            dir.path(),
            "one.json",
            &format!(r#"{{"kind": "List", "items": [{NODE}]}}"#),
        );
        assert_eq!(
            parse_node_object(&one, None).unwrap().info.name.as_deref(),
            Some("w-1")
        );
        let two = write(
            dir.path(),
            "two.json",
            &format!(
                r#"{{"kind": "NodeList", "items": [{NODE}, {}]}}"#,
                NODE.replace("w-1", "w-2")
            ),
        );
        let e = parse_node_object(&two, None).unwrap_err();
        assert_eq!(e.field.as_deref(), Some("items"));
        assert_eq!(
            e.message,
            "the list has 2 nodes (w-1, w-2); pass --node NAME"
        );
        let n = parse_node_object(&two, Some("w-2")).unwrap();
        assert_eq!(n.info.name.as_deref(), Some("w-2"));
        let e = parse_node_object(&two, Some("w-3")).unwrap_err();
        assert_eq!(
            e.message,
            "no node named \"w-3\" in the list (it has w-1, w-2)"
        );
    }

    #[test]
    fn bad_quantities_and_other_documents_are_errors() {
        let dir = tempfile::tempdir().unwrap();
        let bad = write(
            dir.path(),
            "bad.json",
            &NODE.replace("\"19327352832\"", "\"18 gigs\""),
        );
        let e = parse_node_object(&bad, None).unwrap_err();
        assert_eq!(
            e.field.as_deref(),
            Some("status.allocatable.ephemeral-storage")
        );
        assert!(e.message.contains("18 gigs"), "{}", e.message);
        let crictl = write(dir.path(), "c.json", r#"{"images": []}"#);
        let e = parse_node_object(&crictl, None).unwrap_err();
        assert!(e.message.contains("--images"), "{}", e.message);
        let summary = write(dir.path(), "s.json", r#"{"node": {"fs": {}}}"#);
        let e = parse_node_object(&summary, None).unwrap_err();
        assert_eq!(e.field.as_deref(), Some("status"));
    }

    #[test]
    fn runtime_schemes() {
        assert_eq!(
            runtime_from_version("containerd://2.0.4"),
            Some("containerd")
        );
        assert_eq!(runtime_from_version("cri-o://1.30.2"), Some("crio"));
        assert_eq!(runtime_from_version("docker://24.0.7"), Some("docker"));
        assert_eq!(runtime_from_version("rkt://1.0"), None);
    }
}
