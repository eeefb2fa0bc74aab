//! Runs a loaded scenario and writes its outputs atomically into a directory; writes the trace a
//! scenario replays (`generate`).

use std::path::{Path, PathBuf};

use anyhow::Result;

use crate::outcome::{Recorder, Summary};
use crate::report::csv_recorder::CsvRecorder;
use crate::report::{write_summary, OutputDir, RUN_FILES};
use crate::scenario::Scenario;
use crate::sim::Simulation;
use crate::workload::synthetic::write_trace;

/// Where a scenario's results go when no `--out` is given: `output/<scenario name>/`.
pub fn default_out_dir(sc: &Scenario) -> PathBuf {
    Path::new("output").join(&sc.name)
}

/// Whether `name` is a file a run writes: `run --out` replaces a directory holding only these.
pub fn is_run_file(name: &str) -> bool {
    RUN_FILES.contains(&name)
}

/// Runs `sc` and publishes `timeseries.csv`, `events.csv`, `summary.json`, the plots
/// (`usage.png`, `usage.svg`, `plot.json`) and `report.html` into `out`, whole: on any error the
/// previous contents of `out` stay as they were, and the error names the file in `out` that
/// could not be written.
pub fn run_to_dir(sc: &Scenario, out: &Path) -> Result<Summary> {
    run_to_dir_with_progress(sc, out, &mut |_| {})
}

/// A recorder that passes everything on and reports each sample's time (a run samples every
/// `output.sample_interval` of simulated time, so this is cheap) to `progress`.
struct Progress<'a, R: Recorder> {
    inner: &'a mut R,
    progress: &'a mut dyn FnMut(crate::engine::SimTime),
}

impl<R: Recorder> Recorder for Progress<'_, R> {
    fn wants_samples(&self) -> bool {
        self.inner.wants_samples()
    }
    fn wants_events(&self) -> bool {
        self.inner.wants_events()
    }
    fn sample(&mut self, s: &crate::outcome::Sample) {
        (self.progress)(s.time);
        self.inner.sample(s);
    }
    fn event(&mut self, e: &crate::outcome::EventRow) {
        self.inner.event(e);
    }
}

/// `report.html`'s data gathered as the run goes, as its rows would be read back from the
/// CSVs (times as `time_s` prints them, the same `timestamp`), so the page is `plot DIR`'s.
struct ReportFeed {
    builder: crate::report::html::ReportBuilder,
    start_time: Option<crate::wallclock::WallTime>,
}

impl Recorder for ReportFeed {
    fn sample(&mut self, s: &crate::outcome::Sample) {
        use crate::report::run_files::{RunSink, SampleRow};
        self.builder.sample(&SampleRow {
            t: crate::report::plot::data::seconds(s.time),
            usage_percent: s.usage_percent as f64,
            image_bytes: s.image_bytes,
            reported_image_bytes: s.reported_image_bytes,
            nodefs_usage_percent: crate::report::plot::data::nodefs_usage_percent(s),
        });
    }
    fn event(&mut self, e: &crate::outcome::EventRow) {
        use crate::report::run_files::{EventCsvRow, RunSink};
        let time_s = crate::report::csv_recorder::format_seconds(e.time);
        let timestamp = self.start_time.map(|t0| t0.plus_ns(e.time).to_string());
        self.builder.event(&EventCsvRow {
            t: crate::report::plot::data::seconds(e.time),
            time_s: &time_s,
            timestamp: timestamp.as_deref(),
            reason: e.reason,
            object: &e.object,
            message: &e.message,
        });
    }
}

/// Two recorders fed the same samples and events.
struct Tee<'a, A: Recorder, B: Recorder>(&'a mut A, &'a mut B);

impl<A: Recorder, B: Recorder> Recorder for Tee<'_, A, B> {
    fn wants_samples(&self) -> bool {
        self.0.wants_samples() || self.1.wants_samples()
    }
    fn wants_events(&self) -> bool {
        self.0.wants_events() || self.1.wants_events()
    }
    fn sample(&mut self, s: &crate::outcome::Sample) {
        self.0.sample(s);
        self.1.sample(s);
    }
    fn event(&mut self, e: &crate::outcome::EventRow) {
        self.0.event(e);
        self.1.event(e);
    }
}

/// [`run_to_dir`], calling `progress` with the simulated time of each sample as the run goes
/// (for a progress bar; the outputs are the same).
pub fn run_to_dir_with_progress(
    sc: &Scenario,
    out: &Path,
    progress: &mut dyn FnMut(crate::engine::SimTime),
) -> Result<Summary> {
    let dir = OutputDir::create(out, &is_run_file)?;
    let written = (|| -> Result<Summary> {
        let mut rec = CsvRecorder::create(
            dir.path(),
            if sc.node.layout == crate::node::Layout::Shared {
                1
            } else {
                2
            },
            sc.start_time,
        )?;
        // The plot's data is gathered as the run goes (not read back from the CSVs: that
        // was 15 % of a year-long run); it is what `plot DIR` reads from the files, to the
        // byte (see `PlotData`'s seconds).
        let mut plot = crate::report::plot::PlotData::new();
        let mut report = ReportFeed {
            builder: crate::report::html::ReportBuilder::new(),
            start_time: sc.start_time,
        };
        let mut summary = Simulation::new(sc).run(&mut Progress {
            inner: &mut Tee(&mut rec, &mut Tee(&mut plot, &mut report)),
            progress,
        });
        summary.start_time = sc.start_time.map(|t| t.to_string());
        summary.scenario_path = Some(sc.path.display().to_string());
        rec.finish()?;
        write_summary(&dir.file("summary.json"), &summary, &sc.overrides)?;
        let settings = crate::report::plot::PlotSettings::from_scenario(sc);
        settings.write(dir.path())?;
        plot.render(dir.path(), &settings)?;
        crate::report::html::write_report(dir.path(), &settings, report.builder)?;
        Ok(summary)
    })();
    match written {
        Ok(summary) => {
            dir.commit()?;
            Ok(summary)
        }
        Err(e) => Err(dir.explain(e)),
    }
}

/// `imagefs-sim generate`: writes the trace `run` replays for `scenario` to `out`, atomically
/// (a temporary file in the same directory, then a rename). A synthetic trace is streamed from
/// its generator, never held in memory. Returns the number of rows written.
pub fn generate_file(
    scenario: &Path,
    overrides: &[crate::overrides::Override],
    out: &Path,
) -> anyhow::Result<u64> {
    use anyhow::Context;
    let sc = crate::overrides::load(scenario, overrides, false)?;
    replace_file(out, |w, tmp| {
        let comment = format!(
            "Trace of scenario {:?} (seed {}), written by imagefs-sim generate.",
            sc.name, sc.seed
        );
        match &sc.synthetic {
            Some(syn) => write_trace(w, &comment, syn.events()),
            None => write_trace(w, &comment, sc.trace.iter().cloned()),
        }
        .with_context(|| format!("cannot write {}", tmp.display()))
    })
}

/// Replaces the file `out` whole: `write` fills a temporary file beside it (named for its
/// messages), which is synced and renamed over `out`; on any error it is removed and `out` is
/// as it was.
fn replace_file<T>(
    out: &Path,
    write: impl FnOnce(&mut std::io::BufWriter<std::fs::File>, &Path) -> anyhow::Result<T>,
) -> anyhow::Result<T> {
    use anyhow::Context;
    let dir = match out.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => std::path::PathBuf::from("."),
    };
    std::fs::create_dir_all(&dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let file_name = out
        .file_name()
        .with_context(|| format!("{} is not a file name", out.display()))?;
    let tmp = dir.join(format!(
        ".{}.tmp-{}",
        file_name.to_string_lossy(),
        std::process::id()
    ));
    let result = (|| -> anyhow::Result<T> {
        let f = std::fs::File::create(&tmp)
            .with_context(|| format!("cannot create {}", tmp.display()))?;
        let mut w = std::io::BufWriter::with_capacity(1 << 20, f);
        let value = write(&mut w, &tmp)?;
        w.into_inner()
            .map_err(|e| e.into_error())
            .and_then(|f| f.sync_all())
            .with_context(|| format!("cannot write {}", tmp.display()))?;
        std::fs::rename(&tmp, out)
            .with_context(|| format!("cannot rename {} to {}", tmp.display(), out.display()))?;
        Ok(value)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

/// `imagefs-sim fit`: writes [`crate::workload::fit::fitted_scenario`] of `scenario` to `out`
/// atomically (a temporary file beside it, then a rename). Returns the fit's report.
pub fn fit_file(scenario: &Path, duration: &str, out: &Path) -> anyhow::Result<Vec<String>> {
    use anyhow::Context;
    use std::io::Write;
    let (body, report) = crate::workload::fit::fitted_scenario(
        scenario,
        &scenario.display().to_string(),
        duration,
        out,
    )?;
    replace_file(out, |w, tmp| {
        w.write_all(body.as_bytes())
            .with_context(|| format!("cannot write {}", tmp.display()))
    })?;
    Ok(report)
}
