//! Writing an [`ImportPlan`]: scenario.toml, catalog.toml and trace.csv, into a staging
//! directory, checked (the scenario loaded back, each trace row checked as the trace reader
//! would) and only then put in place.

use std::fmt;
use std::path::{Path, PathBuf};

use anyhow::Context;

use super::{EntrySource, ImportPlan, RowAction, RowRef, Runtime};
use crate::error::InputError;
use crate::kubelet::image_manager::PullPolicy;
use crate::report::OutputDir;
use crate::scenario::Scenario;
use crate::units::format_go_duration;
use crate::wallclock::WallTime;

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
        s += ".\n";
        // The whole report, as it was printed: what was taken, assumed, and warned about.
        let report = self.report.to_string();
        if !report.is_empty() {
            s += "# The import's report:\n";
            for line in report.lines() {
                // A comment holds no control character but tab (file names, event texts).
                let line: String = line
                    .chars()
                    .map(|c| if c.is_control() && c != '\t' { ' ' } else { c })
                    .collect();
                s += &format!("#   {line}\n");
            }
        }
        s += &format!("name = {}\n", q(&self.name));
        s += &format!("duration = {}\n", q(&format_go_duration(self.duration_ns)));
        s += "seed = 1\n";
        if let Some((ns, what)) = self.start_time {
            s += &format!(
                "start_time = {}  # t = 0: {what}\n",
                q(&WallTime::from_unix_ns(ns).to_string())
            );
        }
        s += "\n[node]\n";
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

const OUTPUT_FILES: [&str; 4] = ["scenario.toml", "catalog.toml", "trace.csv", "fitted.toml"];

/// Whether `name` is a file an import writes: `--out` may replace a directory holding only these.
pub(super) fn is_import_file(name: &str) -> bool {
    OUTPUT_FILES.contains(&name)
}

pub(super) type RowFn<'f> = dyn FnMut(RowRef) -> anyhow::Result<()> + 'f;

/// [`write`] with the trace rows from `rows`, which calls its argument with each row.
/// With `fit` (a duration), `fitted.toml` is fitted to the trace and written with the rest
/// (all or nothing); its report is returned.
pub(super) fn write_with(
    plan: &ImportPlan,
    out: &Path,
    fit: Option<&str>,
    rows: &mut dyn FnMut(&mut RowFn) -> anyhow::Result<()>,
) -> anyhow::Result<(PathBuf, Vec<String>)> {
    let bug = |e: &dyn fmt::Display| {
        anyhow::anyhow!("the imported scenario does not load (an importer bug): {e}")
    };
    let dir = OutputDir::create(out, &is_import_file)?;
    let mut fit_report = Vec::new();
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
        if let Some(d) = fit {
            let (text, report) = crate::workload::fit::fitted_scenario(
                &dir.file("scenario.toml"),
                "the imported trace",
                d,
                &dir.file("fitted.toml"),
            )
            .map_err(|e| anyhow::anyhow!("--fit: {e:#}"))?;
            std::fs::write(dir.file("fitted.toml"), text).with_context(|| cannot("fitted.toml"))?;
            fit_report = report;
        }
        Ok(())
    })();
    match written {
        Ok(()) => dir.commit().map(|d| (d, fit_report)),
        Err(e) => Err(dir.explain(e)),
    }
}
