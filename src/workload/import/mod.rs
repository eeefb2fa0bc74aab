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
//!   [`Scenario::load`] (over an empty trace), and makes the trace reader's checks on each row
//!   as it is written (a trace of 10^5 pods is not read back whole).
//! - Memory: events are interpreted as they are read ([`events::scan_events`]); pod events
//!   are spilled to sorted runs in the system's temporary directory (`spill`), replayed a pod
//!   at a time, the pods sorted again by name (renames), and the trace rows sorted on disk and
//!   merged into trace.csv. Memory holds the catalog and a few runs, not the trace (except 16
//!   bytes per timed pull, for the pull bandwidth's median).

pub mod common;
pub mod configz;
pub mod containerd_config;
pub mod events;
pub mod imagefsinfo;
pub mod images;
pub mod node_object;
mod spill;
pub mod summary;

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::path::{Path, PathBuf};

use anyhow::Context;

use crate::error::InputError;
use crate::kubelet::image_manager::PullPolicy;
use crate::node::Layout;
use crate::report::OutputDir;
use crate::scenario::Scenario;
use crate::units::{format_go_duration, parse_sim_duration};
use common::format_rfc3339;
use configz::{parse_kubelet_config, runtime_from_endpoint, KubeletConfigImport};
use containerd_config::{parse_containerd_config, ContainerdConfig};
use events::{
    scan_events, ContRec, EventsImport, EventsScan, GcWording, Key, PodEndKind, PodRec, NONE,
};
use imagefsinfo::{parse_imagefsinfo, ImageFsInfo};
use images::{normalize_image_ref, parse_images, ImageRecord, ImagesImport, InventorySource};
use node_object::{parse_node_object, runtime_from_version, NodeInfo, NodeObject};
use spill::{Dec, Sorted, Sorter, Spill};
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
        if let Some(d) = &self.wrote {
            writeln!(
                f,
                "wrote {}/{{scenario.toml,catalog.toml,trace.csv}}; run it with: imagefs-sim run {}",
                d.display(),
                d.join("scenario.toml").display()
            )?;
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

/// A trace row (or all the create rows of an event pod) before the trace is written, as the
/// external sort of the trace keeps it. Sorted by time, then ends before creates, then pod
/// name, then the order the rows were made in (the summary's first, then the event pods' in
/// the order of their first events).
struct RowRec {
    time_ms: u64,
    action: RowAction,
    pod: String,
    /// Made from events (else from the summary), then the pod's first event's key (or the
    /// summary row's index).
    made: (bool, i64, u32),
    /// An event pod's create rows: container, catalog entry, pull policy.
    conts: Vec<(String, u32, PullPolicy)>,
}

impl RowRec {
    fn sort_key(&self) -> (u64, RowAction, &str, (bool, i64, u32)) {
        (self.time_ms, self.action, &self.pod, self.made)
    }
}

impl PartialEq for RowRec {
    fn eq(&self, o: &Self) -> bool {
        self.sort_key() == o.sort_key()
    }
}
impl Eq for RowRec {}
impl PartialOrd for RowRec {
    fn partial_cmp(&self, o: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(o))
    }
}
impl Ord for RowRec {
    fn cmp(&self, o: &Self) -> std::cmp::Ordering {
        self.sort_key().cmp(&o.sort_key())
    }
}

fn policy_code(p: PullPolicy) -> u8 {
    match p {
        PullPolicy::Always => 0,
        PullPolicy::IfNotPresent => 1,
        PullPolicy::Never => 2,
    }
}

impl Spill for RowRec {
    fn encode(&self, b: &mut Vec<u8>) {
        b.extend_from_slice(&self.time_ms.to_le_bytes());
        b.push(match self.action {
            RowAction::Create => 0,
            RowAction::Complete => 1,
            RowAction::Delete => 2,
        });
        b.extend_from_slice(&(self.pod.len() as u32).to_le_bytes());
        b.extend_from_slice(self.pod.as_bytes());
        b.push(self.made.0 as u8);
        b.extend_from_slice(&self.made.1.to_le_bytes());
        b.extend_from_slice(&self.made.2.to_le_bytes());
        b.extend_from_slice(&(self.conts.len() as u32).to_le_bytes());
        for (name, entry, policy) in &self.conts {
            b.extend_from_slice(&(name.len() as u32).to_le_bytes());
            b.extend_from_slice(name.as_bytes());
            b.extend_from_slice(&entry.to_le_bytes());
            b.push(policy_code(*policy));
        }
    }
    fn decode(buf: &[u8]) -> Self {
        let mut d = Dec(buf);
        let time_ms = d.u64();
        let action = match d.u8() {
            0 => RowAction::Create,
            1 => RowAction::Complete,
            _ => RowAction::Delete,
        };
        let pod = d.str_ref().to_string();
        let made = (d.u8() != 0, d.i64(), d.u32());
        let n = d.u32() as usize;
        let conts = (0..n)
            .map(|_| {
                let name = d.str_ref().to_string();
                let entry = d.u32();
                let policy = match d.u8() {
                    0 => PullPolicy::Always,
                    1 => PullPolicy::IfNotPresent,
                    _ => PullPolicy::Never,
                };
                (name, entry, policy)
            })
            .collect();
        RowRec {
            time_ms,
            action,
            pod,
            made,
            conts,
        }
    }
}

/// Counts a trace row and hands it to the trace's sort.
type PushRow<'a> = dyn FnMut(&mut Sorter<RowRec>, RowRec) -> Result<(), InputError> + 'a;

/// The trace, sorted on disk (in memory when small): rows refer to the catalog.
struct Trace {
    rows: Sorted<RowRec>,
    /// How many rows (an event pod's create rows counted once), and the latest time.
    len: usize,
    last_ms: u64,
    summary_rows: Vec<TraceRow>,
    /// Where the rows are spilled (for error messages).
    dir: PathBuf,
    /// Some event pod has an init container.
    any_init: bool,
    scan: Option<EventsScan>,
}

impl Trace {
    /// Calls `f` with every row, in order.
    fn for_each<E: From<InputError>>(
        mut self,
        catalog: &[CatalogEntry],
        f: &mut dyn FnMut(RowRef) -> Result<(), E>,
    ) -> Result<(), E> {
        loop {
            let r = match self.rows.next() {
                Ok(Some(r)) => r,
                Ok(None) => return Ok(()),
                Err(e) => return Err(events::spill_error(&self.dir, &e).into()),
            };
            if !r.made.0 {
                f(RowRef::from(&self.summary_rows[r.made.2 as usize]))?;
            } else if r.action == RowAction::Create {
                for (container, entry, policy) in &r.conts {
                    f(RowRef {
                        time_ms: r.time_ms,
                        action: r.action,
                        pod: &r.pod,
                        container,
                        image: &catalog[*entry as usize].name,
                        pull_policy: match policy {
                            PullPolicy::Always => "Always",
                            PullPolicy::IfNotPresent => "IfNotPresent",
                            PullPolicy::Never => "Never",
                        },
                        writable_cap: None,
                        log_cap: None,
                    })?;
                }
            } else {
                f(RowRef {
                    time_ms: r.time_ms,
                    action: r.action,
                    pod: &r.pod,
                    container: "",
                    image: "",
                    pull_policy: "",
                    writable_cap: None,
                    log_cap: None,
                })?;
            }
        }
    }

    fn into_rows(self, catalog: &[CatalogEntry]) -> Result<Vec<TraceRow>, InputError> {
        let mut out = Vec::new();
        self.for_each::<InputError>(catalog, &mut |r| {
            out.push(TraceRow {
                time_ms: r.time_ms,
                action: r.action,
                pod: r.pod.to_string(),
                container: r.container.to_string(),
                image: r.image.to_string(),
                pull_policy: r.pull_policy.to_string(),
                writable_cap: r.writable_cap,
                log_cap: r.log_cap,
            });
            Ok(())
        })?;
        Ok(out)
    }
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
fn plan_compact(opts: &ImportOptions) -> Result<(ImportPlan, Trace), InputError> {
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
    let runtime = match (opts.runtime, &detected) {
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
    };
    let unpack = |reported: u64| -> (u64, u64) {
        match runtime {
            Runtime::Containerd => (((reported as f64) * ratio).round() as u64, reported),
            _ => (reported, ((reported as f64) / ratio).round() as u64),
        }
    };

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
    let off = |t: i64| -> u64 { ((t - origin).max(0) / NS_PER_MS) as u64 };
    let snapshot = sum.as_ref().and_then(|s| s.time());
    let serr = |e: std::io::Error| events::spill_error(&spill_dir, &e);
    let run_len = spill::SPILL_RUN.load(std::sync::atomic::Ordering::Relaxed);
    let mut rows: Sorter<RowRec> = Sorter::new(run_len, &spill_dir);
    let mut rows_len = 0usize;
    let mut last_ms = 0u64;
    let mut push_row = |rows: &mut Sorter<RowRec>, r: RowRec| -> Result<(), InputError> {
        rows_len += 1;
        last_ms = last_ms.max(r.time_ms);
        rows.push(r).map_err(serr)
    };
    let mut summary_rows: Vec<TraceRow> = Vec::new();
    let mut running_pods = 0usize;
    let mut running_skipped = 0usize;
    let mut containers_unknown = 0usize;
    let default_policy: Vec<PullPolicy> = scan.as_ref().map_or(Vec::new(), |sc| {
        (0..sc.images.len() as u32)
            .map(|i| PullPolicy::api_default(sc.images.get(i)))
            .collect()
    });

    // The event pods, sorted by `namespace/name`: pod names must be unique, so a name that
    // several pods have gets the uid's prefix. Pods that a summary pod may stand for are kept
    // aside (few) until the summary has chosen; the others' rows go to the trace now.
    let sum_pods: &[summary::PodUsage] = sum.as_ref().map_or(&[], |s| &s.pods);
    let sum_uids: BTreeSet<&str> = sum_pods
        .iter()
        .filter(|p| !p.uid.is_empty())
        .map(|p| p.uid.as_str())
        .collect();
    // Pods by `namespace/name` of the summary's names (saturating: only "more than one"
    // matters).
    let mut sum_count: BTreeMap<String, u8> = sum_pods
        .iter()
        .map(|p| (format!("{}/{}", p.namespace, p.name), 0u8))
        .collect();
    let mut candidates: Vec<(PodRec, String)> = Vec::new();
    let mut any_init = false;
    let mut event_pods = 0usize;
    let mut event_pods_skipped = 0usize;
    let mut ends = (0usize, 0usize);
    let mut emit = |rows: &mut Sorter<RowRec>,
                    push_row: &mut PushRow,
                    rec: &PodRec,
                    name: String|
     -> Result<(), InputError> {
        if !rec.conts.iter().any(|c| c.image != NONE) {
            event_pods_skipped += 1;
            return Ok(());
        }
        let t0 = off(rec.start().unwrap_or(origin));
        let mut cs: Vec<&ContRec> = rec.conts.iter().filter(|c| c.image != NONE).collect();
        // Stable: in order of first appearance otherwise.
        cs.sort_by_key(|c| (!c.init, c.first));
        let conts = cs
            .iter()
            .enumerate()
            .map(|(i, c)| {
                let policy = if c.never_pull {
                    PullPolicy::Never
                } else if c.already_present {
                    PullPolicy::IfNotPresent
                } else {
                    default_policy[c.image as usize]
                };
                let container = if c.name.is_empty() {
                    format!("container-{i}")
                } else {
                    c.name.clone()
                };
                (container, image_entry[c.image as usize] as u32, policy)
            })
            .collect();
        let made = (true, rec.created.0, rec.created.1);
        let end = rec.end.map(|(t, kind)| {
            let action = match kind {
                PodEndKind::Deleted => {
                    ends.0 += 1;
                    RowAction::Delete
                }
                PodEndKind::Evicted => {
                    ends.1 += 1;
                    RowAction::Complete
                }
            };
            (off(t).max(t0 + 1), action)
        });
        event_pods += 1;
        if let Some((t, action)) = end {
            push_row(
                rows,
                RowRec {
                    time_ms: t,
                    action,
                    pod: name.clone(),
                    made,
                    conts: Vec::new(),
                },
            )?;
        }
        // One record for all the pod's create rows: they are written together.
        push_row(
            rows,
            RowRec {
                time_ms: t0,
                action: RowAction::Create,
                pod: name,
                made,
                conts,
            },
        )
    };
    if let Some(mut groups) = scan
        .as_mut()
        .map(|sc| sc.take_pods())
        .transpose()
        .map_err(serr)?
        .flatten()
    {
        let mut by_name: Sorter<PodRec> = Sorter::new(run_len, &spill_dir);
        while let Some(rec) = groups.next().map_err(serr)? {
            by_name.push(rec).map_err(serr)?;
        }
        any_init = groups.any_init;
        drop(groups);
        let mut by_name = by_name.finish().map_err(serr)?;
        let mut group: Vec<PodRec> = Vec::new();
        let mut next = by_name.next().map_err(serr)?;
        while let Some(first) = next.take() {
            group.clear();
            group.push(first);
            loop {
                match by_name.next().map_err(serr)? {
                    Some(r) if r.nn == group[0].nn => group.push(r),
                    other => {
                        next = other;
                        break;
                    }
                }
            }
            let count = group.len().min(255) as u8;
            if let Some(c) = sum_count.get_mut(&group[0].nn) {
                *c = count;
            }
            for rec in group.drain(..) {
                let name = if count > 1 && !rec.uid.is_empty() {
                    format!("{}~{}", rec.nn, &rec.uid[..rec.uid.len().min(8)])
                } else {
                    rec.nn.clone()
                };
                if sum_uids.contains(rec.uid.as_str()) || sum_count.contains_key(&rec.nn) {
                    candidates.push((rec, name));
                } else {
                    emit(&mut rows, &mut push_row, &rec, name)?;
                }
            }
        }
    }
    let pod_name = |ns: &str, name: &str, uid: &str| -> String {
        let key = format!("{ns}/{name}");
        let count = sum_count.get(&key).copied().unwrap_or(0);
        if count > 1 && !uid.is_empty() {
            format!("{key}~{}", &uid[..uid.len().min(8)])
        } else {
            key
        }
    };
    // In order of first events, as the summary looks for its pods.
    candidates.sort_by_key(|c| c.0.created);
    let mut consumed: BTreeSet<Key> = BTreeSet::new();
    for sp in sum_pods {
        let ep: Option<&PodRec> = candidates.iter().map(|c| &c.0).find(|p| {
            let uid = p.uid.as_str();
            let (ns, name) = p.names();
            (!sp.uid.is_empty() && uid == sp.uid)
                || (ns == sp.namespace && name == sp.name && (sp.uid.is_empty() || uid.is_empty()))
        });
        if let Some(p) = ep {
            consumed.insert(p.created);
        }
        let pname = pod_name(&sp.namespace, &sp.name, &sp.uid);
        let mut any = false;
        for c in &sp.containers {
            let image = ep
                .and_then(|p| p.conts.iter().find(|x| x.name == c.name))
                .map(|x| x.image)
                .filter(|i| *i != NONE);
            let Some(image) = image else {
                containers_unknown += 1;
                continue;
            };
            let idx = image_entry[image as usize];
            catalog[idx].preloaded = true;
            any = true;
            summary_rows.push(TraceRow {
                time_ms: 0,
                action: RowAction::Create,
                pod: pname.clone(),
                container: c.name.clone(),
                image: catalog[idx].name.clone(),
                pull_policy: "IfNotPresent".into(),
                // A trace quantity is at most i64::MAX (a broken reading can be 2^64-1; the
                // rates are 0, so the cap never binds).
                writable_cap: Some(c.rootfs_used.unwrap_or(0).min(i64::MAX as u64)),
                log_cap: Some(c.logs_used.unwrap_or(0).min(i64::MAX as u64)),
            });
            push_row(
                &mut rows,
                RowRec {
                    time_ms: 0,
                    action: RowAction::Create,
                    pod: pname.clone(),
                    made: (false, 0, summary_rows.len() as u32 - 1),
                    conts: Vec::new(),
                },
            )?;
        }
        if any {
            running_pods += 1;
            if let Some((t, kind)) = ep.and_then(|p| p.end) {
                if snapshot.is_none_or(|s| t > s) {
                    let action = match kind {
                        PodEndKind::Deleted => RowAction::Delete,
                        PodEndKind::Evicted => RowAction::Complete,
                    };
                    summary_rows.push(TraceRow {
                        time_ms: off(t).max(1),
                        action,
                        pod: pname.clone(),
                        container: String::new(),
                        image: String::new(),
                        pull_policy: String::new(),
                        writable_cap: None,
                        log_cap: None,
                    });
                    push_row(
                        &mut rows,
                        RowRec {
                            time_ms: off(t).max(1),
                            action,
                            pod: pname.clone(),
                            made: (false, 0, summary_rows.len() as u32 - 1),
                            conts: Vec::new(),
                        },
                    )?;
                }
            }
        } else {
            running_skipped += 1;
        }
    }
    for (rec, name) in candidates {
        if !consumed.contains(&rec.created) {
            emit(&mut rows, &mut push_row, &rec, name)?;
        }
    }
    // (`emit` and `push_row` end here: they borrow the counters.)
    let trace = Trace {
        rows: rows.finish().map_err(serr)?,
        len: rows_len,
        last_ms,
        summary_rows,
        dir: spill_dir.clone(),
        any_init,
        scan,
    };
    let ev = trace.scan.as_ref().map(|s| &s.head);

    // --- events report -----------------------------------------------------------------
    if let (Some(e), Some(f)) = (&ev, &opts.events) {
        let mut line = format!(
            "{}: {} events; {} kubelet events from node {}",
            shown(f),
            e.total,
            e.from_node,
            e.node.as_deref().unwrap_or("(none)")
        );
        let other: usize = e.other_hosts.values().sum();
        if other + e.without_host > 0 {
            line += &format!(
                " ({other} from other nodes and {} without a kubelet host skipped)",
                e.without_host
            );
        }
        match e.span {
            Some((a, b)) => line += &format!(
                "; the trace covers {} to {} ({}): event times are replayed as offsets from t = 0 = {}{}",
                format_rfc3339(a),
                format_rfc3339(b),
                dur_h(b - a),
                format_rfc3339(a),
                if sum.is_some() {
                    ", and t = 0 starts from the summary's disk state"
                } else {
                    ""
                }
            ),
            None => line += "; no timed event from this node: empty trace",
        }
        let pulls = &trace.scan.as_ref().expect("events were read").pulls;
        line += &format!(
            "; {} pods from events ({} deleted, {} evicted), {} pulls ({} with a duration, {} with Image size), {} 'already present' uses",
            event_pods,
            ends.0,
            ends.1,
            pulls.count,
            pulls.with_duration,
            pulls.with_size,
            e.already_present
        );
        rep.took.push(line);
        let unknown: usize = e.unknown_reasons.values().sum();
        if unknown > 0 {
            let mut v: Vec<_> = e.unknown_reasons.iter().collect();
            v.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
            rep.took.push(format!(
                "{}: {unknown} events with reasons the importer does not use, skipped: {}",
                shown(f),
                v.iter()
                    .map(|(r, n)| format!(
                        "{} ×{n}",
                        if r.is_empty() { "(none)" } else { r.as_str() }
                    ))
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
        }
        if !e.not_replayed.is_empty() {
            rep.took.push(format!(
                "{}: not replayed: {}",
                shown(f),
                e.not_replayed
                    .iter()
                    .map(|(r, n)| format!("{r} ×{n}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
        }
        if e.unparsed_pull_messages > 0 {
            rep.warnings.push(format!(
                "{}: {} Pulling/Pulled messages match no known wording: skipped",
                shown(f),
                e.unparsed_pull_messages
            ));
        }
        if e.without_time > 0 {
            rep.warnings.push(format!(
                "{}: {} events of the node have no timestamp: skipped",
                shown(f),
                e.without_time
            ));
        }
        let merged = pulls.merged;
        if merged > 0 {
            rep.assumed.push(format!("{merged} Pulled events have count > 1 (identical events merged): each is replayed once"));
        }
        if let Some((a, b)) = e.span {
            if b - a > 0 {
                rep.assumed.push("events expire after 1 h (--event-ttl): the trace holds only what the API server still had".into());
            }
        }
        if event_pods_skipped > 0 {
            rep.assumed.push(format!("{event_pods_skipped} pods seen in events without any image (only Started/Killing/…): not in the trace"));
        }
        if event_pods > 0 {
            rep.assumed.push("pods from events write nothing (writable and log rates 0): events carry no disk-write rates; edit trace.csv to add them".into());
        }
        if trace.any_init {
            rep.assumed.push(
                "init containers are modelled as ordinary containers that keep running".into(),
            );
        }
        if from_event_size > 0 {
            rep.took.push(format!(
                "{}: sizes of {from_event_size} images not in the inventory from 'Image size:'",
                shown(f)
            ));
        }
        if defaulted > 0 {
            rep.assumed.push(format!(
                "{defaulted} images seen only in events, without 'Image size:': reported size {} each",
                bytes_h(DEFAULT_IMAGE_SIZE)
            ));
        }
        // Validation targets.
        for reason in ["FreeDiskSpaceFailed", "ImageGCFailed"] {
            let g: Vec<_> = e.gc_failures.iter().filter(|g| g.1 == reason).collect();
            if g.is_empty() {
                continue;
            }
            let wordings: BTreeSet<&str> = g
                .iter()
                .map(|x| match x.2.wording {
                    GcWording::V0 => "v0",
                    GcWording::V1 => "v1",
                    GcWording::V2 => "v2",
                    GcWording::V3 => "v3",
                })
                .collect();
            let wording = wordings.into_iter().collect::<Vec<_>>().join(", ");
            let amounts: Vec<u64> = g.iter().filter_map(|x| x.2.amount_to_free).collect();
            let amount = match (amounts.iter().min(), amounts.iter().max()) {
                (Some(a), Some(b)) if a == b => format!("; amountToFree {a} bytes"),
                (Some(a), Some(b)) => format!("; amountToFree {a}..{b} bytes"),
                _ => String::new(),
            };
            rep.validation.push(format!(
                "{reason} ×{} (wording {wording}), first at t = {}{amount}",
                g.len(),
                dur_h(g[0].0 - origin)
            ));
        }
        if !e.threshold_met.is_empty() {
            let res: BTreeSet<&str> = e.threshold_met.iter().map(|x| x.1.as_str()).collect();
            rep.validation.push(format!(
                "EvictionThresholdMet ×{} ({}), first at t = {}",
                e.threshold_met.len(),
                res.into_iter().collect::<Vec<_>>().join(", "),
                dur_h(e.threshold_met[0].0 - origin)
            ));
        }
        for (t, on) in &e.pressure {
            rep.validation.push(format!(
                "{} at t = {}",
                if *on {
                    "NodeHasDiskPressure"
                } else {
                    "NodeHasNoDiskPressure"
                },
                dur_h(t - origin)
            ));
        }
        for (t, pod, cause) in &e.evictions {
            rep.validation.push(format!(
                "Evicted {pod} at t = {}: {}",
                dur_h(t - origin),
                cause.describe()
            ));
        }
    }

    if trace.len == 0 {
        rep.assumed.push(if ev.is_none() {
            "no events (--events): the trace is empty; add pods to trace.csv to give the node work"
                .to_string()
        } else {
            "the events give no pod with a known image: the trace is empty".to_string()
        });
    }

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
    let mut layout;
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
                let (o, ok) = fit(cap, avail, "disk", &mut rep);
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
                let (o, ok) = fit(icap, iavail, "imagefs", &mut rep);
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
                let icap = fit(d, "imagefs", &mut rep);
                imagefs = Some((icap, 0));
                disk = d;
                rep.assumed.push(format!(
                    "no summary: the imagefs size is unknown (imagefsinfo has no capacity): as large as the node disk ({}); nothing but the preloaded images on either at t = 0 (other_used = imagefs_other_used = 0)",
                    bytes_h(d)
                ));
            } else {
                disk = fit(d, "disk", &mut rep);
                rep.assumed.push("no summary: one shared filesystem, and nothing but the preloaded images on it at t = 0 (other_used = 0)".into());
            }
            other_used = 0;
        }
    }
    if layout == Layout::Shared && other_used > disk {
        other_used = disk;
    }

    // --- pull bandwidth ----------------------------------------------------------------
    let pull_bandwidth = match bandwidth {
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
    };

    // --- kubelet version ---------------------------------------------------------------
    let node_version = node_info.and_then(|(n, _)| n.kubelet_version.clone());
    let kubelet_version = match node_version
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
    };

    // Before 1.31 the KubeletSeparateDiskGC gate is off by default, and the kubelet does not
    // split: it sees an image filesystem apart from the root one.
    let minor = kubelet_version
        .as_deref()
        .and_then(|v| v.split('.').nth(1))
        .and_then(|m| m.parse::<u32>().ok());
    if let Some(p) = minor.and_then(crate::kubelet::versions::VersionProfile::of) {
        if layout == Layout::Split && !p.kubelet_separate_disk_gc {
            layout = Layout::DedicatedImagefs;
            rep.warnings.push(format!(
                "the runtime splits images and writable layers, but kubelet 1.{} has KubeletSeparateDiskGC off by default (on from 1.31): its eviction manager sees a dedicated imagefs, so layout = \"dedicated-imagefs\" (with the gate on, set layout = \"split\" and kubelet_version = \"1.31\" or later)",
                p.minor
            ));
        }
    }

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

    // --- duration ----------------------------------------------------------------------
    let last_ms = trace.last_ms as i64;
    let duration_ns = match &opts.duration {
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
    };

    // A field the node's version does not have is ignored by its kubelet (lenient decoding).
    let mut cfg = cfg;
    if let (Some(c), Some(v)) = (cfg.as_mut(), kubelet_version.as_deref()) {
        let minor = v.split('.').nth(1).and_then(|m| m.parse::<u32>().ok());
        if c.merge_default_eviction_settings.is_some() && minor.is_some_and(|m| m < 33) {
            rep.warnings.push(format!(
                "mergeDefaultEvictionSettings exists from kubelet 1.33; this node runs {v}, whose kubelet ignores it: left out"
            ));
            c.merge_default_eviction_settings = None;
        }
    }

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
        },
        trace,
    ))
}

fn q(s: &str) -> String {
    toml::Value::String(s.to_string()).to_string()
}

impl ImportPlan {
    pub fn scenario_toml(&self) -> String {
        let mut s = String::new();
        s += "# Imported by `imagefs-sim import`";
        if !self.sources.is_empty() {
            s += &format!(" from {}", self.sources.join(", "));
        }
        s += ".\n# The import's report (what it took and what it assumed) was printed when it ran.\n";
        s += &format!("name = {}\n", q(&self.name));
        s += &format!("duration = {}\n", q(&format_go_duration(self.duration_ns)));
        s += "seed = 1\n\n[node]\n";
        if let Some(n) = &self.node_name {
            s += &format!("name = {}\n", q(n));
        }
        s += &format!("disk = {}\n", self.disk);
        s += &format!("other_used = {}\n", self.other_used);
        s += &format!("pull_bandwidth = {}\n", self.pull_bandwidth);
        s += &format!(
            "runtime = {}\nimage_size_reporting = {}\n",
            q(match self.runtime {
                Runtime::Crio => "cri-o",
                r => r.as_str(),
            }),
            q(self.runtime.size_reporting()),
        );
        if let (Runtime::Containerd, Some(d)) = (self.runtime, self.discard_unpacked_layers) {
            s += &format!("discard_unpacked_layers = {d}\n");
        }
        s += &format!("layout = {}\n", q(self.layout.as_str()));
        if let Some((cap, other)) = self.imagefs {
            s += &format!("imagefs = {cap}\nimagefs_other_used = {other}\n");
        }
        if let Some(v) = &self.kubelet_version {
            s += &format!("kubelet_version = {}\n", q(v));
        }
        s += "\n[kubelet]\n";
        match &self.kubelet {
            None => s += "# No kubelet configuration was imported: the kubelet's defaults apply.\n",
            Some(k) => {
                let f = k.scenario_fields();
                if f.is_empty() {
                    s += "# The imported configuration sets no image GC or pull field: defaults apply.\n";
                }
                for (key, v) in f {
                    s += &format!("{key} = {v}\n");
                }
                // Eviction settings exactly as configured: a map the node sets replaces the
                // kubelet's defaults (an absent imagefs.* stays absent) unless it merges them.
                for (key, v) in k.eviction_fields() {
                    s += &format!("{key} = {v}\n");
                }
            }
        }
        s += "\n[workload]\ntrace = \"trace.csv\"\ncatalog = \"catalog.toml\"\n";
        // The trace's pods were seen on this node: they landed here whatever its taint said
        // (replay them as bound to it, not as pods the scheduler could keep away).
        s += "on_disk_pressure = \"reject\"  # the imported pods ran on this node\n";
        s
    }

    pub fn catalog_toml(&self) -> String {
        let mut s = String::from(
            "# Image catalog written by `imagefs-sim import`. Layers are unknown, so each image has one\n# layer: size = unpacked bytes on disk (an estimate where the runtime reports compressed\n# sizes), compressed = registry blob bytes.\n",
        );
        for c in &self.catalog {
            s += &format!(
                "\n[[layer]]\nid = {}\nsize = {}\ncompressed = {}\n",
                q(&c.layer_id),
                c.size,
                c.compressed
            );
        }
        for c in &self.catalog {
            s += &format!(
                "\n[[image]]\nname = {}\nlayers = [{}]\n",
                q(&c.name),
                q(&c.layer_id)
            );
            if c.pinned {
                s += "pinned = true\n";
            }
            if c.preloaded {
                s += "preloaded = true\n";
            }
            s += &format!(
                "# reported size {}{}\n",
                c.reported,
                match (c.source, c.size_assumed) {
                    (EntrySource::Inventory, _) => " (inventory)",
                    (EntrySource::Events, false) => " (from an event's Image size)",
                    (EntrySource::Events, true) => " (assumed: seen only in events)",
                    (EntrySource::ContainerdConfig, _) =>
                        " (assumed: containerd's sandbox image, pause:3.9's size)",
                }
            );
        }
        s
    }

    pub fn trace_csv(&self) -> String {
        let mut out = Vec::new();
        self.write_trace_csv(&mut out).expect("in memory");
        String::from_utf8(out).expect("utf-8")
    }

    /// Writes [`ImportPlan::trace_csv`] row by row to `out`.
    pub fn write_trace_csv<W: std::io::Write>(&self, out: W) -> std::io::Result<()> {
        let mut w = TraceWriter::new(out)?;
        for r in &self.trace {
            w.row(&RowRef::from(r))?;
        }
        w.finish()
    }
}

/// Writes trace rows as CSV, after the header.
struct TraceWriter<W: std::io::Write> {
    w: csv::Writer<W>,
    t: String,
    wcap: String,
    lcap: String,
}

impl<W: std::io::Write> TraceWriter<W> {
    fn new(mut out: W) -> std::io::Result<Self> {
        out.write_all(b"# Trace written by `imagefs-sim import`: t = 0 is the snapshot; pods running then are\n# created at 0, pods from events at their first event's offset.\n")?;
        let mut w = csv::Writer::from_writer(out);
        // The first ten columns of the trace format: no eviction columns are imported.
        w.write_record(&crate::workload::trace::COLUMNS[..10])?;
        Ok(TraceWriter {
            w,
            t: String::new(),
            wcap: String::new(),
            lcap: String::new(),
        })
    }

    fn row(&mut self, r: &RowRef) -> std::io::Result<()> {
        use std::fmt::Write as _;
        format_time_ms(r.time_ms, &mut self.t);
        let create = r.action == RowAction::Create;
        let cap = |s: &mut String, c: Option<u64>| {
            s.clear();
            if let Some(v) = c {
                let _ = write!(s, "{v}");
            }
        };
        cap(&mut self.wcap, r.writable_cap);
        cap(&mut self.lcap, r.log_cap);
        self.w.write_record([
            self.t.as_str(),
            r.action.as_str(),
            r.pod,
            r.container,
            r.image,
            r.pull_policy,
            if create { "0" } else { "" },
            self.wcap.as_str(),
            if create { "0" } else { "" },
            self.lcap.as_str(),
        ])?;
        Ok(())
    }

    fn finish(mut self) -> std::io::Result<()> {
        self.w.flush()
    }
}

/// A trace time as the trace is written: seconds, with milliseconds when not whole.
fn format_time_ms(ms: u64, t: &mut String) {
    use std::fmt::Write as _;
    t.clear();
    if ms.is_multiple_of(1000) {
        let _ = write!(t, "{}", ms / 1000);
    } else {
        let _ = write!(t, "{}.{:03}", ms / 1000, ms % 1000);
    }
}

/// The checks the trace reader makes on each row (`workload::trace::parse_trace`), in its
/// order and with its messages and line numbers, made as the rows are written: loading a trace
/// of 10^5 pods back would take as long as the rest of the import, and memory for all of it.
/// Fields are taken as the reader sees them (trimmed). The quantity columns are not checked:
/// the importer writes only decimal integers there.
struct RowCheck<'s> {
    scenario: &'s Scenario,
    path: PathBuf,
    /// The line of the next row (two comment lines and the header come first).
    line: usize,
    last_time: crate::engine::SimTime,
    /// The time and pod of the create rows just written, and their containers' names.
    group: Option<(crate::engine::SimTime, String)>,
    names: Vec<String>,
    time: String,
}

impl RowCheck<'_> {
    fn check(&mut self, r: &RowRef) -> Result<(), InputError> {
        let line = self.line;
        // A quoted field may hold line breaks: the reader counts them.
        let breaks = [r.pod, r.container, r.image, r.pull_policy]
            .iter()
            .map(|f| f.bytes().filter(|b| *b == b'\n').count())
            .sum::<usize>();
        self.line += 1 + breaks;
        let path = &self.path;
        let fail = |k: usize, msg: String| {
            InputError::new(
                path,
                Some(line),
                Some(crate::workload::trace::COLUMNS[k]),
                msg,
            )
        };
        format_time_ms(r.time_ms, &mut self.time);
        let time = crate::workload::trace::parse_time(&self.time).map_err(|m| fail(0, m))?;
        if time < self.last_time {
            return Err(fail(
                0,
                format!(
                    "rows must be in time order; this row goes back to {} s",
                    time as f64 / 1e9
                ),
            ));
        }
        self.last_time = time;
        let pod = r.pod.trim_ascii();
        if pod.is_empty() {
            return Err(fail(2, "a pod name is required".into()));
        }
        if r.action != RowAction::Create {
            self.group = None;
            return Ok(());
        }
        for (k, cap) in [(7, r.writable_cap), (9, r.log_cap)] {
            if let Some(c) = cap.filter(|&c| c > i64::MAX as u64) {
                return Err(fail(
                    k,
                    format!("{c} is larger than 9223372036854775807 bytes"),
                ));
            }
        }
        let image = r.image.trim_ascii();
        if image.is_empty() {
            return Err(fail(4, "a create row needs an image".into()));
        }
        if self.scenario.catalog.image_index(image).is_none() {
            return Err(fail(
                4,
                format!("image {image:?} is not defined in the scenario's [[image]] list"),
            ));
        }
        match r.pull_policy.trim_ascii() {
            "" => {}
            p => {
                if PullPolicy::parse(p).is_none() {
                    return Err(fail(
                        5,
                        format!("{p:?} is not one of Always, IfNotPresent, Never"),
                    ));
                }
            }
        }
        let name = match r.container.trim_ascii() {
            "" => "main",
            n => n,
        };
        match &self.group {
            Some((t, p)) if *t == time && p == pod => {
                if self.names.iter().any(|n| n == name) {
                    return Err(fail(
                        3,
                        format!("pod {pod:?} already has a container named {name:?}"),
                    ));
                }
            }
            _ => {
                self.group = Some((time, pod.to_string()));
                self.names.clear();
            }
        }
        self.names.push(name.to_string());
        Ok(())
    }
}

const OUTPUT_FILES: [&str; 3] = ["scenario.toml", "catalog.toml", "trace.csv"];

/// Whether `name` is a file an import writes: `--out` may replace a directory holding only these.
fn is_import_file(name: &str) -> bool {
    OUTPUT_FILES.contains(&name)
}

/// Writes the plan into `out` atomically, after checking that it loads as a scenario.
pub fn write(plan: &ImportPlan, out: &Path) -> anyhow::Result<PathBuf> {
    write_with(plan, out, &mut |f| {
        for r in &plan.trace {
            f(RowRef::from(r))?;
        }
        Ok(())
    })
}

type RowFn<'f> = dyn FnMut(RowRef) -> anyhow::Result<()> + 'f;

/// [`write`] with the trace rows from `rows`, which calls its argument with each row.
fn write_with(
    plan: &ImportPlan,
    out: &Path,
    rows: &mut dyn FnMut(&mut RowFn) -> anyhow::Result<()>,
) -> anyhow::Result<PathBuf> {
    let bug = |e: &dyn fmt::Display| {
        anyhow::anyhow!("the imported scenario does not load (an importer bug): {e}")
    };
    let dir = OutputDir::create(out, &is_import_file)?;
    // Errors name the files in `out`, never the staging directory.
    let written = (|| -> anyhow::Result<()> {
        let cannot = |name: &str| format!("cannot write {}", dir.file(name).display());
        std::fs::write(dir.file("scenario.toml"), plan.scenario_toml())
            .with_context(|| cannot("scenario.toml"))?;
        std::fs::write(dir.file("catalog.toml"), plan.catalog_toml())
            .with_context(|| cannot("catalog.toml"))?;
        // The scenario and catalog are loaded back with an empty trace; the rows are then checked
        // as they are written (see `RowCheck`).
        let trace_file = dir.file("trace.csv");
        TraceWriter::new(std::fs::File::create(&trace_file).with_context(|| cannot("trace.csv"))?)
            .and_then(|w| w.finish())
            .with_context(|| cannot("trace.csv"))?;
        let scenario = Scenario::load(&dir.file("scenario.toml")).map_err(|e| bug(&e))?;
        {
            let f = std::fs::File::create(&trace_file).with_context(|| cannot("trace.csv"))?;
            let mut w = TraceWriter::new(std::io::BufWriter::with_capacity(1 << 16, f))
                .with_context(|| cannot("trace.csv"))?;
            let mut check = RowCheck {
                scenario: &scenario,
                path: trace_file.clone(),
                line: 4,
                last_time: 0,
                group: None,
                names: Vec::new(),
                time: String::new(),
            };
            rows(&mut |r| {
                check.check(&r).map_err(|e| bug(&e))?;
                w.row(&r).with_context(|| cannot("trace.csv"))?;
                Ok(())
            })?;
            w.finish().with_context(|| cannot("trace.csv"))?;
        }
        Ok(())
    })();
    match written {
        Ok(()) => dir.commit(),
        Err(e) => Err(dir.explain(e)),
    }
}

/// Reads the inputs, writes the scenario into `opts.out`, and returns the report.
pub fn run(opts: &ImportOptions) -> anyhow::Result<ImportReport> {
    // Before reading the inputs: an --out that cannot be written fails at once.
    crate::report::check_target(&opts.out, &is_import_file)?;
    let (plan, trace) = plan_compact(opts)?;
    let mut trace = Some(trace);
    let dir = write_with(&plan, &opts.out, &mut |f| {
        trace
            .take()
            .expect("the rows are written once")
            .for_each(&plan.catalog, f)
    })?;
    let mut rep = plan.report;
    rep.wrote = Some(dir);
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
