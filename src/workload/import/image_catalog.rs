//! The catalog: one entry (one layer) per image of the inventory, containerd's sandbox image
//! when the inventory may leave it out, and the images seen only in events; sizes read as the
//! runtime reports them, and refused past what a scenario holds.

use std::collections::BTreeMap;
use std::path::Path;

use super::decide::ContainerdSetup;
use super::events::EventsImport;
use super::images::{normalize_image_ref, InventorySource};
use super::{
    bytes_h, shown, CatalogEntry, EntrySource, ImportReport, Inputs, Runtime, DEFAULT_IMAGE_SIZE,
    PAUSE_IMAGE_SIZE,
};
use crate::error::InputError;

/// The catalog, and where the events' images are in it.
pub(super) struct Built {
    pub catalog: Vec<CatalogEntry>,
    /// The catalog entry of each image reference of the events.
    pub ref_index: BTreeMap<String, usize>,
    /// Images seen only in events: sized by an event's `Image size:`, and sizes assumed.
    pub from_event_size: usize,
    pub defaulted: usize,
}

/// Builds the catalog. `unpack` gives (unpacked, compressed) bytes of a reported size.
pub(super) fn build(
    rep: &mut ImportReport,
    inp: &Inputs,
    setup: &ContainerdSetup,
    runtime: Runtime,
    ratio: f64,
    unpack: &dyn Fn(u64) -> (u64, u64),
    ev: Option<&EventsImport>,
) -> Result<Built, InputError> {
    let Inputs {
        opts,
        ctd,
        inv,
        inv_file,
        ..
    } = *inp;
    let ContainerdSetup {
        discard,
        config_pins,
        sandbox,
    } = setup;
    let discard = *discard;
    // --- catalog -----------------------------------------------------------------------
    let mut catalog: Vec<CatalogEntry> = Vec::new();
    let mut alias: BTreeMap<String, usize> = BTreeMap::new();
    let mut pin_guessed = 0usize;
    let mut pin_from_config = 0usize;
    let mut pin_refused: Vec<String> = Vec::new();
    if let (Some(i), Some(f)) = (&inv, inv_file) {
        let mut dup = 0usize;
        for im in &i.images {
            let name = im
                .repo_tags
                .first()
                .or(im.repo_digests.first())
                .map(|n| normalize_image_ref(n))
                .or_else(|| im.id.clone())
                .unwrap_or_else(|| format!("image-{}", catalog.len()));
            // One image ID listed twice (under two tags): one image, every name an alias of
            // it, so that the catalog defines its layer once.
            let same = alias
                .get(&name)
                .or_else(|| im.id.as_ref().and_then(|id| alias.get(id)))
                .copied();
            if let Some(idx) = same {
                dup += 1;
                for a in im.repo_tags.iter().chain(&im.repo_digests) {
                    alias.entry(normalize_image_ref(a)).or_insert(idx);
                    alias.entry(a.clone()).or_insert(idx);
                }
                continue;
            }
            let config_pin = im
                .repo_tags
                .iter()
                .chain(&im.repo_digests)
                .any(|n| config_pins.contains(&normalize_image_ref(n)));
            let pinned = match im.pinned {
                Some(false) if config_pin => {
                    pin_refused.push(name.clone());
                    false
                }
                Some(p) => p,
                // No pinned flag: what the containerd configuration pins, and, when it does
                // not say which the sandbox image is, anything named */pause.
                None if config_pin => {
                    pin_from_config += 1;
                    true
                }
                None => {
                    let guess = runtime == Runtime::Containerd
                        && sandbox.is_none()
                        && im.repo_tags.iter().any(|t| {
                            normalize_image_ref(t)
                                .rsplit_once(':')
                                .is_some_and(|(repo, _)| repo.ends_with("/pause"))
                        });
                    if guess {
                        pin_guessed += 1;
                    }
                    guess
                }
            };
            let (size, compressed) = unpack(im.size);
            let idx = catalog.len();
            catalog.push(CatalogEntry {
                layer_id: im.id.clone().unwrap_or_else(|| format!("layer:{name}")),
                name: name.clone(),
                size,
                compressed,
                reported: im.size,
                pinned,
                preloaded: true,
                source: EntrySource::Inventory,
                size_assumed: false,
            });
            for a in im.repo_tags.iter().chain(&im.repo_digests) {
                alias.entry(normalize_image_ref(a)).or_insert(idx);
                alias.entry(a.clone()).or_insert(idx);
            }
            if let Some(id) = &im.id {
                alias.entry(id.clone()).or_insert(idx);
            }
            alias.insert(name, idx);
        }
        // Saturating: a sum past u64 is refused below, where every image is checked.
        let total: u64 = catalog
            .iter()
            .fold(0u64, |a, c| a.saturating_add(c.reported));
        let pinned = catalog.iter().filter(|c| c.pinned).count();
        rep.took.push(format!(
            "{}: {}: {} images ({} pinned), reported sizes total {} ({}), all preloaded",
            shown(f),
            match i.source {
                InventorySource::Crictl => "crictl images",
                InventorySource::NodeStatus => "Node.status.images",
            },
            catalog.len(),
            pinned,
            bytes_h(total),
            if runtime == Runtime::Containerd {
                "compressed"
            } else {
                "unpacked"
            }
        ));
        if dup > 0 {
            rep.warnings.push(format!(
                "{dup} inventory entries repeat an image already listed (same name or image ID): their names are aliases of it"
            ));
        }
        if i.source == InventorySource::NodeStatus {
            rep.assumed.push("Node.status.images lists at most the 50 largest images (nodeStatusMaxImages) and has no pinned flag: smaller images are missing (their bytes fall into other_used)".into());
        }
        if pin_guessed > 0 {
            rep.assumed.push(format!("{pin_guessed} pause image(s) pinned: containerd pins the sandbox image, and the inventory has no pinned flag"));
        }
        if pin_from_config > 0 {
            rep.took.push(format!(
                "{pin_from_config} image(s) pinned as the containerd configuration pins them (the inventory has no pinned flag)"
            ));
        }
        if !pin_refused.is_empty() {
            rep.warnings.push(format!(
                "{}: the containerd configuration pins {}, but the runtime reports it not pinned (a containerd older than the pinned label?): left unpinned, so the kubelet may delete it",
                shown(f),
                pin_refused.join(", ")
            ));
        }
    }
    // The sandbox image: containerd pulls it for the first pod and keeps it (pinned). A
    // complete inventory without it means no pod has run; a partial one (Node.status.images:
    // the 50 largest) or none leaves it out because it is small.
    if let (Some(sb), Some(f)) = (&sandbox, &opts.containerd_config) {
        if !alias.contains_key(sb) {
            let complete = inv.as_ref().map(|i| i.source) == Some(InventorySource::Crictl);
            if complete {
                rep.warnings.push(format!(
                    "the sandbox image {sb} ({}) is not in the crictl inventory: containerd pulls it with the first pod",
                    shown(f)
                ));
            } else {
                let (size, compressed) = unpack(PAUSE_IMAGE_SIZE);
                alias.insert(sb.clone(), catalog.len());
                catalog.push(CatalogEntry {
                    name: sb.clone(),
                    layer_id: format!("layer:{sb}"),
                    size,
                    compressed,
                    reported: PAUSE_IMAGE_SIZE,
                    pinned: true,
                    preloaded: true,
                    source: EntrySource::ContainerdConfig,
                    size_assumed: true,
                });
                rep.assumed.push(format!(
                    "the sandbox image {sb} ({}) is preloaded and pinned (containerd keeps it once a pod has run), reported size {PAUSE_IMAGE_SIZE} B (pause:3.9's){}",
                    shown(f),
                    if inv.is_some() { "; Node.status.images leaves such small images out" } else { "" }
                ));
            }
        }
    }
    if !catalog.is_empty() {
        rep.assumed.push(match runtime {
            Runtime::Containerd => format!(
                "layers are unknown: one layer per image, unpacked size = reported (compressed) size × {ratio} (--unpack-ratio); {}",
                match discard {
                    Some(true) => "containerd drops the compressed blob once unpacked (discard_unpacked_layers = true in config.toml)",
                    Some(false) => "containerd keeps the compressed blob beside the unpacked layer (discard_unpacked_layers = false in config.toml)",
                    None if ctd.is_some() => "containerd keeps the compressed blob beside the unpacked layer (discard_unpacked_layers is not set: false)",
                    None => "containerd keeps the compressed blob beside the unpacked layer (set discard_unpacked_layers = true in scenario.toml if this node drops them)",
                }
            ),
            _ => format!("layers are unknown: one layer per image, size = reported (unpacked) size; compressed = reported ÷ {ratio}; {} counts shared layers in every image, so images sharing layers are over-counted on disk", runtime.as_str()),
        });
    }

    // Images from events.
    let partial_inventory = !matches!(
        inv.as_ref().map(|i| i.source),
        Some(InventorySource::Crictl)
    );
    let mut ref_index: BTreeMap<String, usize> = BTreeMap::new();
    let mut defaulted = 0usize;
    let mut from_event_size = 0usize;
    if let Some(e) = &ev {
        for (r, ei) in &e.images {
            let n = normalize_image_ref(r);
            let digest_only = n.split_once('@').and_then(|(nt, d)| {
                let last = nt.rfind('/').map_or(0, |i| i + 1);
                nt[last..]
                    .rfind(':')
                    .map(|c| format!("{}@{d}", &nt[..last + c]))
            });
            let hit = alias
                .get(&n)
                .or_else(|| alias.get(r))
                .or_else(|| digest_only.as_ref().and_then(|d| alias.get(d)))
                .copied();
            let idx = match hit {
                Some(i) => i,
                None => {
                    let (reported, assumed) = match ei.size {
                        Some(s) => {
                            from_event_size += 1;
                            (s, false)
                        }
                        None => {
                            defaulted += 1;
                            (DEFAULT_IMAGE_SIZE, true)
                        }
                    };
                    let (size, compressed) = unpack(reported);
                    catalog.push(CatalogEntry {
                        name: n.clone(),
                        layer_id: format!("layer:{n}"),
                        size,
                        compressed,
                        reported,
                        pinned: false,
                        preloaded: partial_inventory && ei.first_was_present,
                        source: EntrySource::Events,
                        size_assumed: assumed,
                    });
                    let i = catalog.len() - 1;
                    alias.insert(n.clone(), i);
                    i
                }
            };
            ref_index.insert(r.clone(), idx);
        }
    }

    // Sizes the scenario can hold: an image (and a disk) is at most i64::MAX bytes, and so is
    // every sum over the catalog's layers (the scenario loader's limit): refuse here, naming
    // the input.
    let (mut unpacked, mut compressed) = (0u128, 0u128);
    for c in &catalog {
        let file = match c.source {
            EntrySource::Inventory => inv_file,
            EntrySource::Events => opts.events.as_deref(),
            EntrySource::ContainerdConfig => opts.containerd_config.as_deref(),
        }
        .unwrap_or(Path::new("--images"));
        let big = c.size.max(c.compressed).max(c.reported);
        if big > i64::MAX as u64 {
            return Err(InputError::new(
                file,
                None,
                Some(&c.name),
                format!(
                    "{} reported bytes{} are more than an image can be (the CRI's int64 size, about 8 EiB)",
                    c.reported,
                    if c.size != c.reported {
                        let r = if ratio >= 1e9 {
                            format!("{ratio:e}")
                        } else {
                            ratio.to_string()
                        };
                        format!(" × --unpack-ratio {r} = {} unpacked bytes", c.size)
                    } else {
                        String::new()
                    }
                ),
            ));
        }
        unpacked += c.size as u128;
        compressed += c.compressed as u128;
        if unpacked.max(compressed) > i64::MAX as u128 {
            return Err(InputError::new(
                file,
                None,
                Some("size"),
                format!(
                    "the images' sizes add up to more than {} bytes (8 EiB) at image {:?} ({} bytes reported, {} unpacked)",
                    i64::MAX, c.name, c.reported, c.size
                ),
            ));
        }
    }
    Ok(Built {
        catalog,
        ref_index,
        from_event_size,
        defaulted,
    })
}
