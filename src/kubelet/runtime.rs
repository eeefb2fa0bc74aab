//! The kubelet's view of the container runtime (the CRI) and of filesystem stats.
//!
//! Twin of the interfaces the kubelet calls: `kubecontainer.ImageService` / `Runtime.GetPods(all)`
//! (pkg/kubelet/container/runtime.go) and the stats provider's `ImageFsStats`
//! (pkg/kubelet/server/stats). The virtual node implements these traits; the upstream unit tests
//! use small fakes of their own, as `FakeRuntime` does upstream.

use std::sync::Arc;

use crate::engine::SimTime;

/// An image ID: shared, so listing images every detection copies no strings.
pub type ImageId = Arc<str>;

/// One image as CRI `ListImages` reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CriImage {
    /// The image ID: the record key of the image GC manager (§1.2).
    pub id: ImageId,
    /// CRI `Image.size`: what the runtime reports, compressed or unpacked (§6).
    pub size: u64,
    pub pinned: bool,
}

/// One image of a listing as [`ImageRuntime::visit_images`] gives it: a `ListImages` entry,
/// whether `container_image_ids` holds it, and the runtime's handle for it.
#[derive(Debug, Clone, Copy)]
pub struct ListedImage<'a> {
    /// A small number that names this image ID for as long as the runtime lives (a cache key
    /// of ours, never shown), if the runtime has one.
    pub handle: Option<usize>,
    pub id: &'a ImageId,
    pub size: u64,
    pub pinned: bool,
    /// Some container, running or exited, uses it.
    pub in_use: bool,
}

/// Container state as the CRI reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ContainerState {
    Running,
    Exited,
}

/// One container the runtime still has, running or exited.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CriContainer {
    pub id: u64,
    pub pod_uid: u64,
    pub name: Arc<str>,
    pub image_id: ImageId,
    pub state: ContainerState,
    pub created_at: SimTime,
}

/// Filesystem stats as cadvisor's statfs gives them (a `None` is a nil pointer upstream).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct FsStats {
    pub capacity_bytes: Option<u64>,
    pub available_bytes: Option<u64>,
    pub inodes: Option<u64>,
    pub inodes_free: Option<u64>,
}

/// An error returned by the runtime or the stats provider; the text is what the kubelet would
/// wrap into its own error.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuntimeError(pub String);

impl std::fmt::Display for RuntimeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// What the image GC manager needs from the runtime and the stats provider.
pub trait ImageRuntime {
    /// A number that changes whenever the image list or the set of containers changes, if the
    /// runtime can tell (a cache key for detection; `None` means "always list").
    fn generation(&self) -> Option<u64> {
        None
    }
    /// A number that changes whenever the image list changes (images added or removed), if the
    /// runtime can tell; with [`Self::in_use_image_ids`] it lets detection skip relisting when
    /// only containers changed.
    fn image_list_generation(&self) -> Option<u64> {
        None
    }
    /// Calls `f` with the distinct image IDs of all containers (what `container_image_ids`
    /// holds, without repeats) and their handles, if the runtime keeps them at hand; `false`
    /// if it does not (then `f` is never called).
    fn visit_in_use_images(&self, _f: &mut dyn FnMut(Option<usize>, &ImageId)) -> bool {
        false
    }
    /// CRI `ListImages`.
    fn list_images(&self) -> Result<Vec<CriImage>, RuntimeError>;
    /// `ListImages` and `container_image_ids` in one walk, without copies: `f` gets each listed
    /// image in listing order. A runtime that keeps both at hand overrides it (detection's hot
    /// path); the default lists and looks up.
    fn visit_images(&self, f: &mut dyn FnMut(ListedImage<'_>)) -> Result<(), RuntimeError> {
        visit_listed_images(self, f)
    }
    /// The image IDs of every container of `GetPods(all=true)`: running and exited containers
    /// that container GC has not removed yet (§1.3 step 2–3). Sandboxes are not included.
    fn container_image_ids(&self) -> Result<Vec<ImageId>, RuntimeError>;
    /// CRI `RemoveImage`.
    fn remove_image(&mut self, image_id: &str) -> Result<(), RuntimeError>;
    /// `ImageFsStats`: capacity and available of the filesystem that holds the images.
    fn image_fs_stats(&self) -> Result<FsStats, RuntimeError>;
}

/// [`ImageRuntime::visit_images`] from `list_images` and `container_image_ids`.
pub fn visit_listed_images<R: ImageRuntime + ?Sized>(
    rt: &R,
    f: &mut dyn FnMut(ListedImage<'_>),
) -> Result<(), RuntimeError> {
    let images = rt.list_images()?;
    // Only looked up, never iterated, so its order cannot leak out.
    let in_use: rustc_hash::FxHashSet<ImageId> = rt.container_image_ids()?.into_iter().collect();
    for image in &images {
        f(ListedImage {
            handle: None,
            id: &image.id,
            size: image.size,
            pinned: image.pinned,
            in_use: in_use.contains(&*image.id),
        });
    }
    Ok(())
}

/// What container GC needs from the runtime.
pub trait ContainerRuntime {
    /// Every container the runtime has, in a deterministic order.
    fn list_containers(&self) -> Vec<CriContainer>;
    /// The containers that are not running, in the same order. Container GC only ever removes
    /// these, so it may look at them alone.
    fn list_exited_containers(&self) -> Vec<CriContainer> {
        let mut all = self.list_containers();
        all.retain(|c| c.state != ContainerState::Running);
        all
    }
    /// CRI `RemoveContainer` (with its log file).
    fn remove_container(&mut self, id: u64);
}
