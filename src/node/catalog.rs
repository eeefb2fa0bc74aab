//! The image catalog: content-addressed layers and the images made of them.
//!
//! A layer is stored once on disk however many images share it. An image's *reported* size (CRI
//! `Image.size`, what the kubelet's GC adds up) is the sum of its layers' compressed or unpacked
//! sizes, as the runtime reports (kubelet-image-gc.md §6, data-formats.md §2.4).

use std::collections::BTreeMap;

use crate::kubelet::runtime::ImageId;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LayerSpec {
    pub id: String,
    /// Unpacked bytes on disk.
    pub size: u64,
    /// Compressed blob bytes (what containerd reports); defaults to `size` when unknown.
    pub compressed: u64,
}

/// Bytes per inode for files whose inode count is not given (layers without `inodes`,
/// writable layers, emptyDir volumes, other data): a typical figure for container images
/// (golang:1.19.3 unpacks to about 1 GiB in 13,660 inodes of its largest layer, ~36 KiB each).
pub const BYTES_PER_INODE: u64 = 32 * 1024;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImageSpec {
    pub name: String,
    /// Indices into [`Catalog::layers`], bottom first, without repeats.
    pub layers: Vec<usize>,
    pub pinned: bool,
}

/// What the runtime reports as an image's size.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SizeReporting {
    /// containerd: the compressed content size.
    Compressed,
    /// CRI-O and Docker: the unpacked size, shared layers included.
    Unpacked,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Catalog {
    pub layers: Vec<LayerSpec>,
    pub images: Vec<ImageSpec>,
    by_name: BTreeMap<String, usize>,
    reported: Vec<u64>,
    ids: Vec<ImageId>,
    /// Inodes of each unpacked layer: one per [`BYTES_PER_INODE`] bytes unless set.
    layer_inodes: Vec<u64>,
}

impl Catalog {
    /// Builds the catalog; layer indices must be valid (the scenario layer checks names).
    pub fn new(layers: Vec<LayerSpec>, images: Vec<ImageSpec>, reporting: SizeReporting) -> Self {
        let by_name = images
            .iter()
            .enumerate()
            .map(|(i, im)| (im.name.clone(), i))
            .collect();
        let reported = images
            .iter()
            .map(|im| {
                im.layers
                    .iter()
                    .map(|&l| match reporting {
                        SizeReporting::Compressed => layers[l].compressed,
                        SizeReporting::Unpacked => layers[l].size,
                    })
                    .sum()
            })
            .collect();
        let ids = images
            .iter()
            .map(|im| ImageId::from(im.name.as_str()))
            .collect();
        let layer_inodes = layers
            .iter()
            .map(|l| l.size.div_ceil(BYTES_PER_INODE))
            .collect();
        Catalog {
            layer_inodes,
            layers,
            images,
            by_name,
            reported,
            ids,
        }
    }

    /// Inodes of layer `l`.
    pub fn layer_inodes(&self, l: usize) -> u64 {
        self.layer_inodes[l]
    }

    /// Sets the inode count of layer `l` (a `[[layer]]` with `inodes = N`).
    pub fn set_layer_inodes(&mut self, l: usize, inodes: u64) {
        self.layer_inodes[l] = inodes;
    }

    pub fn image_index(&self, name: &str) -> Option<usize> {
        self.by_name.get(name).copied()
    }

    /// The image ID of image `i` (its name), shared.
    pub fn id(&self, i: usize) -> &ImageId {
        &self.ids[i]
    }

    /// CRI `Image.size` of image `i`.
    pub fn reported_size(&self, i: usize) -> u64 {
        self.reported[i]
    }
}

/// The container runtime, for what its image store keeps on disk.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Runtime {
    Containerd,
    CriO,
    Docker,
}

impl Runtime {
    pub fn as_str(self) -> &'static str {
        match self {
            Runtime::Containerd => "containerd",
            Runtime::CriO => "cri-o",
            Runtime::Docker => "docker",
        }
    }
}

/// What one layer costs on the image filesystem, by runtime (the rules are in node/mod.rs's
/// header): bytes and inodes while stored, and bytes a pull of it writes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LayerCosts {
    pub disk: Vec<u64>,
    pub inodes: Vec<u64>,
    pub pull: Vec<u64>,
}

impl LayerCosts {
    pub fn new(catalog: &Catalog, runtime: Runtime, discard_unpacked_layers: bool) -> Self {
        let n = catalog.layers.len();
        let (mut disk, mut inodes, mut pull) = (vec![0; n], vec![0; n], vec![0; n]);
        for (l, layer) in catalog.layers.iter().enumerate() {
            let (d, i, p) = match runtime {
                // The blob lands in the content store, is unpacked into a snapshot, and stays
                // unless discard_unpacked_layers: one more file per layer while it stays.
                Runtime::Containerd if !discard_unpacked_layers => (
                    layer.size + layer.compressed,
                    catalog.layer_inodes(l) + 1,
                    layer.size + layer.compressed,
                ),
                Runtime::Containerd => (
                    layer.size,
                    catalog.layer_inodes(l),
                    layer.size + layer.compressed,
                ),
                // CRI-O (containers/image) puts the blob in a temporary file under /var/tmp,
                // outside the image store, and deletes it once the layer is committed; Docker
                // likewise. Not modelled: the unpacked layer only.
                Runtime::CriO | Runtime::Docker => {
                    (layer.size, catalog.layer_inodes(l), layer.size)
                }
            };
            disk[l] = d;
            inodes[l] = i;
            pull[l] = p;
        }
        LayerCosts { disk, inodes, pull }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A layer without `inodes` counts one per 32 KiB, rounded up: 100,000 B / 32,768 B → 4;
    /// 32,768 B → 1; an explicit count wins.
    #[test]
    fn default_inodes_are_one_per_32_kib() {
        let layer = |id: &str, size| LayerSpec {
            id: id.into(),
            size,
            compressed: size,
        };
        let image = ImageSpec {
            name: "i".into(),
            layers: vec![0, 1],
            pinned: false,
        };
        let mut c = Catalog::new(
            vec![layer("a", 100_000), layer("b", 32_768)],
            vec![image],
            SizeReporting::Unpacked,
        );
        assert_eq!((c.layer_inodes(0), c.layer_inodes(1)), (4, 1));
        c.set_layer_inodes(0, 7);
        assert_eq!(c.layer_inodes(0), 7);
        assert_eq!(c.reported_size(0), 132_768);
    }
}
