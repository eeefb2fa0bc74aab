//! The image inventory (data-formats.md §2): `crictl images -o json` (`{"images": [...]}`,
//! protojson: 64-bit sizes are strings, `pinned` only in newer crictl), or as a fallback
//! `kubectl get node NAME -o json` (`.status.images[]` = `{names, sizeBytes}`, the largest 50
//! images, no id and no pinned flag), or a `kubectl get nodes -o json` list, read by
//! [`super::node_object`]. The node object also gives the kubelet and runtime versions and the
//! ephemeral-storage capacity (`--node-json` reads the same object on its own).

use std::path::Path;

use serde_json::Value;

use super::common::{read_document, At};
pub use super::node_object::{runtime_from_version, NodeInfo};
use super::node_object::{select_node, NodeImage};
use crate::error::InputError;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InventorySource {
    /// `crictl images -o json`: the runtime's complete list.
    Crictl,
    /// `Node.status.images`: at most `nodeStatusMaxImages` (50) of the largest images.
    NodeStatus,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImageRecord {
    /// CRI image id (`sha256:…`); none in `Node.status.images`.
    pub id: Option<String>,
    pub repo_tags: Vec<String>,
    pub repo_digests: Vec<String>,
    /// CRI `Image.size`: compressed on containerd, unpacked on CRI-O and Docker.
    pub size: u64,
    /// `None` when the source has no pinned flag.
    pub pinned: Option<bool>,
}

impl ImageRecord {
    /// A display name: the first tag, else the first digest, else the id.
    pub fn display_name(&self) -> String {
        self.repo_tags
            .first()
            .or(self.repo_digests.first())
            .cloned()
            .or_else(|| self.id.clone())
            .unwrap_or_else(|| "<unnamed>".into())
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImagesImport {
    pub source: InventorySource,
    pub images: Vec<ImageRecord>,
    pub node: Option<NodeInfo>,
    /// Warnings about the inventory itself (a node list without the wanted node, …).
    pub warnings: Vec<String>,
}

/// Reads an inventory file. `node` picks the node out of a `kubectl get nodes -o json` list.
pub fn parse_images(file: &Path, node: Option<&str>) -> Result<ImagesImport, InputError> {
    let mut crictl = Vec::new();
    let mut nodes: Vec<(usize, Value)> = Vec::new();
    let rest = read_document(file, &["images", "items"], &mut |key, i, v| {
        if key == "images" {
            let at = At::new(file, &v, format!("images[{i}]"));
            crictl.push(read_cri_image(&at)?);
        } else {
            // Keep only Node objects (a list of nodes is small: ≤50 images each).
            if v.get("kind").and_then(Value::as_str).unwrap_or("Node") == "Node" {
                nodes.push((i, v));
            }
        }
        Ok(())
    })?;
    let root = Value::Object(rest);
    if root.get("images").is_some() || !crictl.is_empty() {
        return Ok(ImagesImport {
            source: InventorySource::Crictl,
            images: crictl,
            node: None,
            warnings: Vec::new(),
        });
    }
    match select_node(file, &root, nodes, node)? {
        Some(n) => Ok(ImagesImport {
            source: InventorySource::NodeStatus,
            images: n.images.into_iter().map(ImageRecord::from).collect(),
            node: Some(n.info),
            warnings: n.warnings,
        }),
        None => Err(InputError::new(file, None, None, "neither `crictl images -o json` output ({\"images\": [...]}) nor a Node object (kubectl get node NAME -o json)")),
    }
}

impl From<NodeImage> for ImageRecord {
    /// A `Node.status.images` entry: its names split into digests (`repo@sha256:…`) and tags.
    fn from(n: NodeImage) -> Self {
        let (digests, tags): (Vec<String>, Vec<String>) =
            n.names.into_iter().partition(|n| n.contains('@'));
        ImageRecord {
            id: None,
            repo_tags: tags,
            repo_digests: digests,
            size: n.size_bytes,
            pinned: None,
        }
    }
}

fn read_cri_image(at: &At) -> Result<ImageRecord, InputError> {
    let size_at = at.field("size")?;
    let size = size_at
        .opt_u64_lenient()?
        .ok_or_else(|| size_at.err("missing: every CRI image has a size"))?;
    // An empty id or tag names nothing (it would make an image or layer without a name).
    let names = |k: &str| -> Result<Vec<String>, InputError> {
        let mut v = at.field(k)?.opt_strings()?;
        v.retain(|s| !s.trim().is_empty());
        Ok(v)
    };
    Ok(ImageRecord {
        id: at
            .field("id")?
            .opt_str()?
            .filter(|s| !s.trim().is_empty())
            .map(str::to_string),
        repo_tags: names("repoTags")?,
        repo_digests: names("repoDigests")?,
        size,
        pinned: at.field("pinned")?.opt_bool()?,
    })
}

/// Docker-style reference normalisation, so that a pod-spec string (`nginx`) joins the
/// runtime's names (`docker.io/library/nginx:latest`): the default registry `docker.io`,
/// `library/` for its one-component names, `:latest` when there is neither tag nor digest.
pub fn normalize_image_ref(r: &str) -> String {
    let r = r.trim();
    let r = r
        .strip_prefix("docker-pullable://")
        .or_else(|| r.strip_prefix("docker://"))
        .unwrap_or(r);
    let (name_tag, digest) = match r.split_once('@') {
        Some((n, d)) => (n, Some(d)),
        None => (r, None),
    };
    // The tag is after a ':' in the last path component (a registry port is not a tag).
    let last_slash = name_tag.rfind('/').map_or(0, |i| i + 1);
    let (name, tag) = match name_tag[last_slash..].rfind(':') {
        Some(i) => (
            &name_tag[..last_slash + i],
            Some(&name_tag[last_slash + i + 1..]),
        ),
        None => (name_tag, None),
    };
    let (domain, path) = match name.split_once('/') {
        Some((d, p)) if d.contains('.') || d.contains(':') || d == "localhost" => {
            (d, p.to_string())
        }
        _ => ("docker.io", name.to_string()),
    };
    let domain = if domain == "index.docker.io" {
        "docker.io"
    } else {
        domain
    };
    let path = if domain == "docker.io" && !path.contains('/') {
        format!("library/{path}")
    } else {
        path
    };
    let mut out = format!("{domain}/{path}");
    match (tag, digest) {
        (Some(t), _) => {
            out.push(':');
            out.push_str(t);
        }
        (None, None) => out.push_str(":latest"),
        (None, Some(_)) => {}
    }
    if let Some(d) = digest {
        out.push('@');
        out.push_str(d);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalisation() {
        assert_eq!(
            normalize_image_ref("nginx"),
            "docker.io/library/nginx:latest"
        );
        assert_eq!(
            normalize_image_ref("nginx:1.25"),
            "docker.io/library/nginx:1.25"
        );
        assert_eq!(
            normalize_image_ref("calico/node:v3"),
            "docker.io/calico/node:v3"
        );
        assert_eq!(
            normalize_image_ref("registry.k8s.io/pause:3.9"),
            "registry.k8s.io/pause:3.9"
        );
        assert_eq!(normalize_image_ref("reg:5000/app"), "reg:5000/app:latest");
        assert_eq!(normalize_image_ref("localhost/app:v1"), "localhost/app:v1");
        assert_eq!(
            normalize_image_ref("index.docker.io/library/busybox"),
            "docker.io/library/busybox:latest"
        );
        assert_eq!(
            normalize_image_ref("busybox@sha256:abc"),
            "docker.io/library/busybox@sha256:abc"
        );
        assert_eq!(
            normalize_image_ref("busybox:1.36@sha256:abc"),
            "docker.io/library/busybox:1.36@sha256:abc"
        );
    }
}
