//! `imagefs-sim import`: a runnable scenario from the files a real node produces
//! (data-formats.md §0.1). Any subset of the inputs is enough; what is missing is assumed,
//! and every assumption is reported.
//!
//! | input | parser | what it gives |
//! |---|---|---|
//! | `--configz` | [`configz`] | the `[kubelet]` table, eviction settings included |
//! | `--summary` | [`summary`] | capacities, available bytes, layout, `other_used`, running pods |
//! | `--images` | [`images`] | the preloaded image inventory (sizes, pinned), node versions |
//! | `--events` | [`events`] | the trace (pods, their images, lifecycles), pull bandwidth |
//! | `--containerd-config` | [`containerd_config`] | `discard_unpacked_layers`, the pinned sandbox image, runtime containerd; root and snapshotter checked |
//! | `--imagefsinfo` | [`imagefsinfo`] | the layout (split when the container fs is not the image fs) |
//! | `--node-json` | [`node_object`] | kubelet version, runtime, disk (ephemeral-storage), `status.images`, DiskPressure |
//!
//! Precedence where they disagree (the others become warnings): the runtime comes from
//! `--runtime`, then the Node's `containerRuntimeVersion`, a containerd config, the kubelet's
//! runtime endpoint, imagefsinfo's mountpoint; the kubelet version from `--node-json`, then a
//! Node given as `--images`; the disk and layout from the Summary, then the Node's capacity and
//! imagefsinfo; the inventory from `--images`, then `--node-json`'s `status.images`.
//!
//! How the pieces fit (the choices a user must know, all printed by [`ImportReport`]):
//! - **t = 0 is the snapshot.** The disk state at t = 0 is the Summary's: the simulated
//!   available bytes at t = 0 equal the Summary's `availableBytes` (of the image filesystem).
//!   The only bytes the simulator models at t = 0 are the preloaded image layers, so
//!   `other_used = capacity − available − preloaded layer bytes`.
//! - **Running pods** (the Summary's `pods`) are created at t = 0 in the trace, with
//!   `IfNotPresent`, writable/log rate 0 and caps equal to their current writable-layer and log
//!   bytes (a record of what they held). Their current bytes stay inside `other_used`, so t = 0
//!   matches exactly; the price is that deleting such a pod in the simulation does not free
//!   them. Their images (known from the events) are preloaded, and so count as in use.
//! - **Events are replayed from t = 0.** The trace's time 0 is the first event of the node;
//!   every other event keeps its offset from it. Pods seen only in events are created at their
//!   first event, with their containers' images; `Killing` with no later start deletes the
//!   pod, `Evicted` completes it (the containers stop, the pod object stays).
//! - **Images:** one layer per image (layers are unknown). containerd reports compressed
//!   sizes, so the layer's unpacked `size` = reported × `--unpack-ratio` (2.7) and
//!   `compressed` = reported; CRI-O and Docker report unpacked sizes, so `size` = reported
//!   and `compressed` = reported ÷ ratio. Inventory images are `preloaded = true`.
//! - Output is atomic: files are written to a hidden directory beside `--out`, checked, and
//!   only then renamed into place. The check loads the scenario and catalog back with
//!   [`Scenario::load`](crate::scenario::Scenario::load) (over an empty trace), and makes the trace reader's checks on each row
//!   as it is written (a trace of 10^5 pods is not read back whole).
//! - Memory: events are interpreted as they are read ([`events::scan_events`]); pod events
//!   are spilled to sorted runs in the system's temporary directory (`spill`), replayed a pod
//!   at a time, the pods sorted again by name (renames), and the trace rows sorted on disk and
//!   merged into trace.csv. Memory holds the catalog and a few runs, not the trace (except 16
//!   bytes per timed pull, for the pull bandwidth's median).
//!
//! Where each part is: this file holds the options, the report, the plan and its top-level
//! steps ([`plan`], [`write()`], [`run`]); one file per input format (the table above);
//! `decide.rs` the decisions across inputs (runtime, containerd's settings, disk and layout,
//! pull bandwidth, kubelet version, duration); `image_catalog.rs` the catalog;
//! `trace_build.rs` the trace and the events' report; `scenario_writer.rs` the files written
//! (scenario.toml, catalog.toml, trace.csv) and their checks.

pub mod common;
pub mod configz;
pub mod containerd_config;
mod decide;
pub mod events;
mod image_catalog;
pub mod imagefsinfo;
pub mod images;
pub mod node_object;
mod scenario_writer;
mod spill;
pub mod summary;
mod trace_build;

use std::fmt;
use std::path::{Path, PathBuf};

use crate::error::InputError;
use crate::node::Layout;
use crate::units::format_go_duration;
use common::format_rfc3339;
use configz::{parse_kubelet_config, KubeletConfigImport};
use containerd_config::{parse_containerd_config, ContainerdConfig};
use events::{scan_events, EventsImport, EventsScan};
use imagefsinfo::{parse_imagefsinfo, ImageFsInfo};
use images::{parse_images, ImageRecord, ImagesImport, InventorySource};
use node_object::{parse_node_object, NodeInfo, NodeObject};
use summary::{parse_summary, SummaryImport};

/// containerd's unpacked ÷ compressed ratio when nothing better is known (data-formats.md §6.3:
/// nginx 2.65–2.7×).
pub const DEFAULT_UNPACK_RATIO: f64 = 2.7;
/// Bytes per second a pull writes, when no event gives a pull time.
pub const DEFAULT_PULL_BANDWIDTH: u64 = 50 * 1024 * 1024;
/// Reported size of an image seen only in events without `Image size:`.
pub const DEFAULT_IMAGE_SIZE: u64 = 256 * 1024 * 1024;
/// Reported (compressed) size of a sandbox image known only from a containerd configuration:
/// registry.k8s.io/pause:3.9 on containerd, 321520 B (`crictl images -v`, cri-tools PR #1247,
/// samples/crictl-images-verbose-pinned_containerd_2023_cri-tools-pr1247.txt).
pub const PAUSE_IMAGE_SIZE: u64 = 321_520;
/// Node disk when neither a Summary nor a Node object gives it.
pub const DEFAULT_DISK: u64 = 100 * 1024 * 1024 * 1024;
/// The simulated duration is at least this long.
pub const MIN_DURATION_NS: i64 = 3600 * 1_000_000_000;
/// The simulated duration runs this long past the last trace row.
pub const TAIL_NS: i64 = 15 * 60 * 1_000_000_000;

const NS_PER_MS: i64 = 1_000_000;

/// The container runtime, which decides what an image's reported size means.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Runtime {
    Containerd,
    Crio,
    Docker,
}

impl Runtime {
    pub fn parse(s: &str) -> Option<Runtime> {
        match s.to_ascii_lowercase().as_str() {
            "containerd" => Some(Runtime::Containerd),
            "crio" | "cri-o" => Some(Runtime::Crio),
            "docker" | "cri-dockerd" => Some(Runtime::Docker),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Runtime::Containerd => "containerd",
            Runtime::Crio => "crio",
            Runtime::Docker => "docker",
        }
    }

    /// The scenario's `image_size_reporting`.
    pub fn size_reporting(self) -> &'static str {
        match self {
            Runtime::Containerd => "compressed",
            Runtime::Crio | Runtime::Docker => "unpacked",
        }
    }
}

/// What `import` reads and where it writes.
#[derive(Debug, Clone)]
pub struct ImportOptions {
    pub configz: Option<PathBuf>,
    pub summary: Option<PathBuf>,
    pub events: Option<PathBuf>,
    pub images: Option<PathBuf>,
    /// containerd's config.toml (`--containerd-config`).
    pub containerd_config: Option<PathBuf>,
    /// `crictl imagefsinfo` output (`--imagefsinfo`).
    pub imagefsinfo: Option<PathBuf>,
    /// `kubectl get node NAME -o json` (`--node-json`).
    pub node_object: Option<PathBuf>,
    pub node: Option<String>,
    pub runtime: Option<Runtime>,
    pub unpack_ratio: f64,
    /// Scenario duration (Go duration, `d` allowed); default: the trace plus 15 min, ≥ 1 h.
    pub duration: Option<String>,
    /// `--fit D`: also write `fitted.toml`, a synthetic workload of duration D fitted to the
    /// imported trace (see [`crate::workload::fit`]).
    pub fit: Option<String>,
    pub out: PathBuf,
}

impl ImportOptions {
    pub fn new(out: impl Into<PathBuf>) -> Self {
        ImportOptions {
            configz: None,
            summary: None,
            events: None,
            images: None,
            containerd_config: None,
            imagefsinfo: None,
            node_object: None,
            node: None,
            runtime: None,
            unpack_ratio: DEFAULT_UNPACK_RATIO,
            duration: None,
            fit: None,
            out: out.into(),
        }
    }
}

/// What the import took, assumed and warns about: printed by the CLI.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ImportReport {
    /// One line per input file: what was taken from it.
    pub took: Vec<String>,
    /// What had to be assumed for what was missing.
    pub assumed: Vec<String>,
    pub warnings: Vec<String>,
    /// Events kept as validation targets (not replayed).
    pub validation: Vec<String>,
    /// The files written (after [`run`]).
    pub wrote: Option<PathBuf>,
    /// The fit's report, with `--fit`.
    pub fit: Vec<String>,
}

impl fmt::Display for ImportReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for t in &self.took {
            writeln!(f, "took: {t}")?;
        }
        for a in &self.assumed {
            writeln!(f, "assumed: {a}")?;
        }
        for v in &self.validation {
            writeln!(f, "validation target (not replayed): {v}")?;
        }
        for w in &self.warnings {
            writeln!(f, "warning: {w}")?;
        }
        for l in &self.fit {
            writeln!(f, "fit: {l}")?;
        }
        if let Some(d) = &self.wrote {
            writeln!(
                f,
                "wrote {}/{{scenario.toml,catalog.toml,trace.csv{}}}; run it with: imagefs-sim run {}",
                d.display(),
                if self.fit.is_empty() { "" } else { ",fitted.toml" },
                d.join("scenario.toml").display()
            )?;
            if !self.fit.is_empty() {
                writeln!(
                    f,
                    "  and the fitted workload with: imagefs-sim run {}",
                    d.join("fitted.toml").display()
                )?;
            }
        }
        Ok(())
    }
}

/// Where a catalog entry came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EntrySource {
    Inventory,
    Events,
    /// The sandbox image of a containerd configuration, not in the inventory.
    ContainerdConfig,
}

/// One image of the catalog (one layer each).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CatalogEntry {
    pub name: String,
    pub layer_id: String,
    /// Unpacked bytes on disk (an estimate on containerd).
    pub size: u64,
    pub compressed: u64,
    /// The runtime-reported size the entry was built from.
    pub reported: u64,
    pub pinned: bool,
    pub preloaded: bool,
    pub source: EntrySource,
    /// The size was assumed (an events-only image without `Image size:`).
    pub size_assumed: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum RowAction {
    // Order matters: at one instant, ends come before creates.
    Complete,
    Delete,
    Create,
}

impl RowAction {
    pub fn as_str(self) -> &'static str {
        match self {
            RowAction::Create => "create",
            RowAction::Complete => "complete",
            RowAction::Delete => "delete",
        }
    }
}

/// One trace row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TraceRow {
    /// Milliseconds from t = 0.
    pub time_ms: u64,
    pub action: RowAction,
    pub pod: String,
    pub container: String,
    /// The catalog name.
    pub image: String,
    pub pull_policy: String,
    pub writable_cap: Option<u64>,
    pub log_cap: Option<u64>,
}

/// A trace row as written, borrowed from wherever the trace is kept.
#[derive(Debug, Clone, Copy)]
struct RowRef<'a> {
    time_ms: u64,
    action: RowAction,
    pod: &'a str,
    container: &'a str,
    image: &'a str,
    pull_policy: &'a str,
    writable_cap: Option<u64>,
    log_cap: Option<u64>,
}

impl<'a> From<&'a TraceRow> for RowRef<'a> {
    fn from(r: &'a TraceRow) -> Self {
        RowRef {
            time_ms: r.time_ms,
            action: r.action,
            pod: &r.pod,
            container: &r.container,
            image: &r.image,
            pull_policy: &r.pull_policy,
            writable_cap: r.writable_cap,
            log_cap: r.log_cap,
        }
    }
}

/// The parsed inputs, as the decisions across them read them.
#[derive(Clone, Copy)]
struct Inputs<'a> {
    opts: &'a ImportOptions,
    cfg: &'a Option<KubeletConfigImport>,
    ctd: &'a Option<ContainerdConfig>,
    sum: &'a Option<SummaryImport>,
    fsi: &'a Option<ImageFsInfo>,
    nobj: &'a Option<NodeObject>,
    inv: &'a Option<ImagesImport>,
    /// The inventory's file: `--images`, else `--node-json`.
    inv_file: Option<&'a Path>,
    /// What the node says of itself, and the file that says it.
    node_info: Option<(&'a NodeInfo, &'a Path)>,
}

/// Everything an import decided, before anything is written.
#[derive(Debug, Clone)]
pub struct ImportPlan {
    pub name: String,
    pub node_name: Option<String>,
    pub runtime: Runtime,
    /// containerd's `discard_unpacked_layers`, when a config.toml says (containerd only).
    pub discard_unpacked_layers: Option<bool>,
    pub layout: Layout,
    pub disk: u64,
    pub other_used: u64,
    /// (capacity, other_used) of a separate imagefs.
    pub imagefs: Option<(u64, u64)>,
    pub pull_bandwidth: u64,
    pub kubelet_version: Option<String>,
    pub duration_ns: i64,
    pub kubelet: Option<KubeletConfigImport>,
    pub catalog: Vec<CatalogEntry>,
    pub trace: Vec<TraceRow>,
    /// The image filesystem's available bytes at t = 0 by the Summary, when the import could
    /// make the simulation match it.
    pub expected_available: Option<u64>,
    pub report: ImportReport,
    pub sources: Vec<String>,
    /// The wall-clock instant of t = 0 (ns since the epoch) and what it is: the first event,
    /// else the summary's time. Written as `start_time`.
    pub start_time: Option<(i64, &'static str)>,
}

fn bytes_h(b: u64) -> String {
    const UNITS: [&str; 5] = ["B", "KiB", "MiB", "GiB", "TiB"];
    let mut v = b as f64;
    let mut u = 0;
    while v >= 1024.0 && u < UNITS.len() - 1 {
        v /= 1024.0;
        u += 1;
    }
    if u == 0 {
        format!("{b} B")
    } else {
        format!("{b} B ({v:.1} {})", UNITS[u])
    }
}

fn dur_h(ns: i64) -> String {
    // Whole seconds are enough for spans.
    format_go_duration(ns - ns.rem_euclid(1_000_000_000))
}

fn shown(p: &Path) -> String {
    p.display().to_string()
}

/// A scenario name from the node name: no '/', '\\', no leading '.'.
fn scenario_name(node: Option<&str>, out: &Path) -> String {
    let base = node
        .map(str::to_string)
        .or_else(|| out.file_name().map(|n| n.to_string_lossy().into_owned()))
        .unwrap_or_default();
    let cleaned: String = base
        .chars()
        .map(|c| {
            if c == '/' || c == '\\' || c.is_whitespace() {
                '-'
            } else {
                c
            }
        })
        .collect();
    let cleaned = cleaned.trim_start_matches('.').to_string();
    if cleaned.is_empty() {
        "imported".into()
    } else {
        format!("import-{cleaned}")
    }
}

fn major_minor(v: &str) -> Option<(u32, u32)> {
    let v = v.trim().trim_start_matches('v');
    let mut it = v.split(['.', '-', '+']);
    Some((it.next()?.parse().ok()?, it.next()?.parse().ok()?))
}

/// Reads the inputs and decides the scenario. Writes nothing.
pub fn plan(opts: &ImportOptions) -> Result<ImportPlan, InputError> {
    let (mut plan, trace) = plan_compact(opts)?;
    plan.trace = trace.into_rows(&plan.catalog)?;
    Ok(plan)
}

/// [`plan`] with the trace left compact (`ImportPlan::trace` empty): what [`run`] writes.
fn plan_compact(opts: &ImportOptions) -> Result<(ImportPlan, trace_build::Trace), InputError> {
    let mut rep = ImportReport::default();
    let mut sources = Vec::new();
    if !(opts.unpack_ratio.is_finite() && opts.unpack_ratio >= 1.0) {
        return Err(InputError::new(
            Path::new("--unpack-ratio"),
            None,
            None,
            format!(
                "{} must be a number of at least 1 (unpacked bytes on disk per compressed byte)",
                opts.unpack_ratio
            ),
        ));
    }
    let ratio = opts.unpack_ratio;

    // --- kubelet configuration -------------------------------------------------------
    let cfg = match &opts.configz {
        Some(f) => {
            let c = parse_kubelet_config(f)?;
            sources.push(shown(f));
            let fields: Vec<String> = c
                .scenario_fields()
                .iter()
                .map(|(k, v)| format!("{k}={}", v.trim_matches('"')))
                .collect();
            let ev: Vec<&str> = c.eviction_fields().iter().map(|(k, _)| *k).collect();
            rep.took.push(format!(
                "{}: {}: [kubelet] {}{}",
                shown(f),
                c.form.map_or("kubelet config", |x| x.describe()),
                if fields.is_empty() {
                    "no image GC or pull field (kubelet defaults apply)".to_string()
                } else {
                    fields.join(", ")
                },
                if ev.is_empty() {
                    String::new()
                } else {
                    format!("; eviction settings {}", ev.join(", "))
                }
            ));
            rep.warnings.extend(c.warnings());
            c.check_eviction(f)?;
            if !c.ignored.is_empty() {
                let mut names = c.ignored.clone();
                names.sort_unstable();
                rep.took.push(format!(
                    "{}: not modelled, so not in scenario.toml ({} fields): {}",
                    shown(f),
                    names.len(),
                    names.join(", ")
                ));
            }
            Some(c)
        }
        None => {
            rep.assumed.push("no kubelet configuration (--configz): the kubelet's defaults (imageGCHighThresholdPercent 85, imageGCLowThresholdPercent 80, imageMinimumGCAge 2m0s, no imageMaximumGCAge, serializeImagePulls true, registryPullQPS 5, registryBurst 10)".into());
            None
        }
    };

    // --- containerd's config.toml ---------------------------------------------------------
    let ctd: Option<ContainerdConfig> = match &opts.containerd_config {
        Some(f) => {
            sources.push(shown(f));
            let c = parse_containerd_config(f)?;
            rep.took.push(format!("{}: {}", shown(f), c.describe()));
            rep.warnings
                .extend(c.warnings.iter().map(|w| format!("{}: {w}", shown(f))));
            if !c.imports.is_empty() {
                rep.warnings.push(format!(
                    "{}: imports {} are merged in by containerd but not read here: pass the merged configuration (containerd config dump) if they change image settings",
                    shown(f),
                    c.imports.join(", ")
                ));
            }
            Some(c)
        }
        None => None,
    };

    // --- summary -----------------------------------------------------------------------
    let sum: Option<SummaryImport> = match &opts.summary {
        Some(f) => {
            sources.push(shown(f));
            Some(parse_summary(f)?)
        }
        None => None,
    };

    // --- crictl imagefsinfo -------------------------------------------------------------
    let fsi: Option<ImageFsInfo> = match &opts.imagefsinfo {
        Some(f) => {
            sources.push(shown(f));
            let i = parse_imagefsinfo(f)?;
            let one = |u: &imagefsinfo::FilesystemUsage| {
                format!(
                    "{} ({} used{})",
                    u.mountpoint.as_deref().unwrap_or("(no mountpoint)"),
                    bytes_h(u.used_bytes),
                    u.inodes_used
                        .map_or(String::new(), |n| format!(", {n} inodes"))
                )
            };
            let mut line = format!(
                "{}: image filesystem {}",
                shown(f),
                one(&i.image_filesystems[0])
            );
            if let Some(c) = i.container_filesystems.first() {
                line += &format!("; container filesystem {}", one(c));
            }
            rep.took.push(line);
            if i.image_filesystems.len() > 1 || i.container_filesystems.len() > 1 {
                rep.warnings.push(format!(
                    "{}: more than one image or container filesystem: the kubelet reads the first of each, and so does the import",
                    shown(f)
                ));
            }
            Some(i)
        }
        None => None,
    };

    // --- node name ---------------------------------------------------------------------
    let mut node: Option<String> = opts.node.clone();
    if node.is_none() {
        node = sum.as_ref().and_then(|s| s.node_name.clone());
    }

    // --- the Node object ----------------------------------------------------------------
    let nobj: Option<NodeObject> = match &opts.node_object {
        Some(f) => {
            sources.push(shown(f));
            let n = parse_node_object(f, node.as_deref())?;
            rep.warnings
                .extend(n.warnings.iter().map(|w| format!("{}: {w}", shown(f))));
            Some(n)
        }
        None => None,
    };
    if node.is_none() {
        node = nobj.as_ref().and_then(|n| n.info.name.clone());
    }

    // --- inventory ---------------------------------------------------------------------
    // `--images`, else the Node object's `status.images`.
    let mut inv_file: Option<&Path> = opts.images.as_deref();
    let inv: Option<ImagesImport> = match (&opts.images, &nobj) {
        (Some(f), _) => {
            sources.push(shown(f));
            Some(parse_images(f, node.as_deref())?)
        }
        (None, Some(n)) if !n.images.is_empty() => {
            inv_file = opts.node_object.as_deref();
            Some(ImagesImport {
                source: InventorySource::NodeStatus,
                images: n.images.iter().cloned().map(ImageRecord::from).collect(),
                node: None,
                warnings: Vec::new(),
            })
        }
        _ => None,
    };
    if let (Some(n), Some(f), Some(i)) = (&nobj, &opts.node_object, &opts.images) {
        if !n.images.is_empty() {
            rep.took.push(format!(
                "{}: status.images not used: the inventory is {}",
                shown(f),
                shown(i)
            ));
        }
    }
    if node.is_none() {
        node = inv
            .as_ref()
            .and_then(|i| i.node.as_ref())
            .and_then(|n| n.name.clone());
    }
    // What the node says of itself: `--node-json` first, else a Node given as `--images`.
    let node_info: Option<(&NodeInfo, &Path)> = match (&nobj, &opts.node_object) {
        (Some(n), Some(f)) => Some((&n.info, f.as_path())),
        _ => inv
            .as_ref()
            .and_then(|i| i.node.as_ref())
            .zip(opts.images.as_deref()),
    };
    let inp = Inputs {
        opts,
        cfg: &cfg,
        ctd: &ctd,
        sum: &sum,
        fsi: &fsi,
        nobj: &nobj,
        inv: &inv,
        inv_file,
        node_info,
    };
    decide::report_node(&mut rep, &inp);

    // --- events ------------------------------------------------------------------------
    // Pod events are spilled, sorted by pod, under the system's temporary directory, and so
    // is the trace (see `Trace`): memory holds the catalog, not the trace.
    let spill_dir = std::env::temp_dir();
    // The trace part (pods, pulls) is kept compact; `ev` is the rest, whose size depends on
    // the catalog, not on the trace.
    let mut scan: Option<EventsScan> = match &opts.events {
        Some(f) => {
            sources.push(shown(f));
            Some(scan_events(f, node.as_deref(), false, Some(&spill_dir))?)
        }
        None => None,
    };
    let ev: Option<&EventsImport> = scan.as_ref().map(|s| &s.head);
    if node.is_none() {
        if let Some(e) = &ev {
            node = e.node.clone();
            if let Some(n) = &node {
                if !e.other_hosts.is_empty() {
                    rep.warnings.push(format!(
                        "events come from several nodes and no --node was given: using {n:?}, the host with the most events (others: {})",
                        e.other_hosts.iter().map(|(h, c)| format!("{h} ×{c}")).collect::<Vec<_>>().join(", ")
                    ));
                }
            }
        }
    }

    decide::check_node_names(&mut rep, &inp);
    // An explicit --node that none of the kubelet events come from: the events would give
    // nothing (an empty trace).
    if let (Some(e), Some(n), Some(f)) = (&ev, &opts.node, &opts.events) {
        if e.from_node == 0 && !e.other_hosts.is_empty() {
            return Err(InputError::new(
                f,
                None,
                None,
                format!(
                    "no kubelet event comes from node {n:?} (--node); they come from {} (hosts may be IP addresses or hostname overrides: pass --node with one of them)",
                    e.other_hosts.iter().map(|(h, c)| format!("{h} ×{c}")).collect::<Vec<_>>().join(", ")
                ),
            ));
        }
    }
    if let (Some(e), Some(n)) = (&ev, &node) {
        if e.from_node == 0 && !e.other_hosts.is_empty() {
            rep.warnings.push(format!(
                "no kubelet event comes from node {n:?}; events come from {} (hosts may be IP addresses or hostname overrides: pass --node with one of them)",
                e.other_hosts.iter().map(|(h, c)| format!("{h} ×{c}")).collect::<Vec<_>>().join(", ")
            ));
        }
    }
    if let Some(i) = &inv {
        rep.warnings.extend(i.warnings.iter().cloned());
    }

    let runtime = decide::runtime(&mut rep, &inp);
    let unpack = |reported: u64| -> (u64, u64) {
        match runtime {
            Runtime::Containerd => (((reported as f64) * ratio).round() as u64, reported),
            _ => (reported, ((reported as f64) / ratio).round() as u64),
        }
    };

    let setup = decide::containerd(&mut rep, &inp, runtime);
    let discard = setup.discard;

    // --- catalog -----------------------------------------------------------------------
    let image_catalog::Built {
        mut catalog,
        ref_index,
        from_event_size,
        defaulted,
    } = image_catalog::build(&mut rep, &inp, &setup, runtime, ratio, &unpack, ev)?;

    // The catalog entry of each image reference of the events.
    let image_entry: Vec<usize> = scan.as_ref().map_or(Vec::new(), |sc| {
        (0..sc.images.len() as u32)
            .map(|i| ref_index[sc.images.get(i)])
            .collect()
    });

    // The pull bandwidth (reported below): (median, pulls) of the pulls' rates. Worked out
    // here, so that the pulls' times and sizes are dropped before the trace is built.
    let bandwidth: Option<(u64, usize)> = {
        let (timed_sized, timed_unsized) = scan.as_mut().map_or_else(Default::default, |sc| {
            (
                std::mem::take(&mut sc.pulls.timed_sized),
                std::mem::take(&mut sc.pulls.timed_unsized),
            )
        });
        let mut rates: Vec<u64> = Vec::with_capacity(timed_sized.len() + timed_unsized.len());
        let rate = |bytes: u64, ns: i64| ((bytes as u128 * 1_000_000_000) / ns as u128) as u64;
        for (ns, size) in timed_sized {
            if ns >= NS_PER_MS {
                rates.push(rate(unpack(size).0, ns));
            }
        }
        for (ns, image) in timed_unsized {
            let c = &catalog[image_entry[image as usize]];
            if ns >= NS_PER_MS && !c.size_assumed {
                rates.push(rate(c.size, ns));
            }
        }
        rates.sort_unstable();
        (!rates.is_empty()).then(|| (rates[rates.len() / 2].max(1), rates.len()))
    };
    let ev: Option<&EventsImport> = scan.as_ref().map(|s| &s.head);

    // --- trace -------------------------------------------------------------------------
    let origin: i64 = ev.as_ref().and_then(|e| e.span).map_or(0, |s| s.0);
    let snapshot = sum.as_ref().and_then(|s| s.time());
    // The wall-clock instant of t = 0: the events are replayed from the first; without them,
    // t = 0 is the summary's disk state. A scenario's start_time is from 1970 on.
    let start_time = ev
        .as_ref()
        .and_then(|e| e.span)
        .map(|s| (s.0, "the first event"))
        .or(snapshot.map(|s| (s, "the summary's time")));
    let start_time = match start_time {
        Some((t, what)) if t < 0 => {
            rep.warnings.push(format!(
                "t = 0 ({what}) is {}, before 1970: no start_time in scenario.toml",
                format_rfc3339(t)
            ));
            None
        }
        other => other,
    };
    let (trace, counts) = trace_build::build(
        scan,
        &sum,
        &mut catalog,
        &image_entry,
        &spill_dir,
        origin,
        snapshot,
    )?;
    let ev = trace.scan.as_ref().map(|s| &s.head);
    trace_build::report_events(
        &mut rep,
        opts,
        &sum,
        &trace,
        &counts,
        (from_event_size, defaulted),
        origin,
    );

    // --- filesystems -------------------------------------------------------------------
    let decide::Disk {
        mut layout,
        disk,
        other_used,
        imagefs,
        expected_available,
    } = decide::filesystems(&mut rep, &inp, &catalog, runtime, discard, ratio, &counts)?;
    let pull_bandwidth = decide::pull_bandwidth(&mut rep, opts, bandwidth);
    let kubelet_version = decide::kubelet_version(&mut rep, node_info, ev);
    decide::version_layout(&mut rep, &kubelet_version, &mut layout);
    decide::check_times(&mut rep, snapshot, ev, node_info);
    let duration_ns = decide::duration(&mut rep, opts, trace.last_ms as i64)?;
    let mut cfg = cfg;
    decide::drop_unknown_fields(&mut rep, &mut cfg, &kubelet_version);

    Ok((
        ImportPlan {
            name: scenario_name(node.as_deref(), &opts.out),
            node_name: node,
            runtime,
            discard_unpacked_layers: discard,
            layout,
            disk,
            other_used,
            imagefs,
            pull_bandwidth,
            kubelet_version,
            duration_ns,
            kubelet: cfg,
            catalog,
            trace: Vec::new(),
            expected_available,
            report: rep,
            sources,
            start_time,
        },
        trace,
    ))
}

/// Writes the plan into `out` atomically, after checking that it loads as a scenario.
pub fn write(plan: &ImportPlan, out: &Path) -> anyhow::Result<PathBuf> {
    scenario_writer::write_with(plan, out, None, &mut |f| {
        for r in &plan.trace {
            f(RowRef::from(r))?;
        }
        Ok(())
    })
    .map(|(dir, _)| dir)
}

/// Reads the inputs, writes the scenario into `opts.out`, and returns the report.
pub fn run(opts: &ImportOptions) -> anyhow::Result<ImportReport> {
    // Before reading the inputs: an --out that cannot be written fails at once.
    crate::report::check_target(&opts.out, &scenario_writer::is_import_file)?;
    if let Some(d) = &opts.fit {
        if !crate::units::parse_sim_duration(d).is_ok_and(|n| n > 0) {
            anyhow::bail!("--fit {d:?}: the fitted workload's duration must be a duration above 0 (e.g. 7d, 36h)");
        }
    }
    let (plan, trace) = plan_compact(opts)?;
    let mut trace = Some(trace);
    let (dir, fit) =
        scenario_writer::write_with(&plan, &opts.out, opts.fit.as_deref(), &mut |f| {
            trace
                .take()
                .expect("the rows are written once")
                .for_each(&plan.catalog, f)
        })?;
    let mut rep = plan.report;
    rep.wrote = Some(dir);
    rep.fit = fit;
    Ok(rep)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Tiny sorted runs (so that every sort of the import spills and merges) give the same
    /// scenario as one run in memory.
    #[test]
    fn spilled_runs_give_the_same_import() {
        let f = |n: &str| PathBuf::from(format!("tests/fixtures/import/{n}"));
        let mut cases = Vec::new();
        for events in [
            "events.json",
            "events-gc-wordings.yaml",
            "event-single.yaml",
        ] {
            for summary in [
                None,
                Some("summary-shared.json"),
                Some("summary-split.json"),
            ] {
                let mut o = ImportOptions::new("unused");
                o.events = Some(f(events));
                o.summary = summary.map(f);
                cases.push(o.clone());
                o.images = Some(f("crictl-images-containerd.json"));
                cases.push(o);
            }
        }
        let show = |p: &ImportPlan| {
            format!(
                "{}\n{}\n{:?}\n{}",
                p.scenario_toml(),
                p.catalog_toml(),
                p.report.to_string(),
                p.trace_csv()
            )
        };
        let mut made_rows = false;
        for o in &cases {
            spill::SPILL_RUN.store(1 << 15, std::sync::atomic::Ordering::Relaxed);
            let whole = plan(o).map(|p| show(&p)).map_err(|e| e.to_string());
            for run in [1, 2, 3] {
                spill::SPILL_RUN.store(run, std::sync::atomic::Ordering::Relaxed);
                let spilled = plan(o).map(|p| show(&p)).map_err(|e| e.to_string());
                assert_eq!(spilled, whole, "runs of {run}: {o:?}");
            }
            made_rows |= whole.is_ok_and(|w| w.contains(",create,"));
        }
        assert!(made_rows, "the fixtures make trace rows");
        spill::SPILL_RUN.store(1 << 15, std::sync::atomic::Ordering::Relaxed);
    }
}
