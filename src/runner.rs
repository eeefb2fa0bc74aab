//! Runs a loaded scenario and writes its outputs atomically into a directory; writes the trace a
//! scenario replays (`generate`).

use std::path::{Path, PathBuf};

use anyhow::Result;

use crate::outcome::Summary;
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

/// Runs `sc` and publishes `timeseries.csv`, `events.csv`, `summary.json` and the plots
/// (`usage.png`, `usage.svg`, `plot.json`) into `out`, whole: on any error the previous
/// contents of `out` stay as they were, and the error names the file in `out` that could not
/// be written.
pub fn run_to_dir(sc: &Scenario, out: &Path) -> Result<Summary> {
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
        let mut summary = Simulation::new(sc).run(&mut rec);
        summary.start_time = sc.start_time.map(|t| t.to_string());
        rec.finish()?;
        write_summary(&dir.file("summary.json"), &summary, &sc.overrides)?;
        crate::report::plot::plot_dir(
            dir.path(),
            &crate::report::plot::PlotSettings::from_scenario(sc),
        )?;
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
    let result = (|| -> anyhow::Result<u64> {
        let f = std::fs::File::create(&tmp)
            .with_context(|| format!("cannot create {}", tmp.display()))?;
        let mut w = std::io::BufWriter::with_capacity(1 << 20, f);
        let comment = format!(
            "Trace of scenario {:?} (seed {}), written by imagefs-sim generate.",
            sc.name, sc.seed
        );
        let rows = match &sc.synthetic {
            Some(syn) => write_trace(&mut w, &comment, syn.events()),
            None => write_trace(&mut w, &comment, sc.trace.iter().cloned()),
        }
        .with_context(|| format!("cannot write {}", tmp.display()))?;
        w.into_inner()
            .map_err(|e| e.into_error())
            .and_then(|f| f.sync_all())
            .with_context(|| format!("cannot write {}", tmp.display()))?;
        std::fs::rename(&tmp, out)
            .with_context(|| format!("cannot rename {} to {}", tmp.display(), out.display()))?;
        Ok(rows)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

/// `imagefs-sim fit`: the scenario `scenario` (a trace-driven one, such as `import` writes) with
/// its `[workload]` replaced by a `[workload.synthetic]` fitted to its trace (see
/// [`crate::workload::fit`]), `duration` long, written to `out` atomically with the fit's report
/// as comments at the top. The written scenario is loaded (and so validated) before it
/// replaces anything. Returns the report.
pub fn fit_file(scenario: &Path, duration: &str, out: &Path) -> anyhow::Result<Vec<String>> {
    use anyhow::{bail, Context};
    let sc = Scenario::load(scenario)?;
    if sc.synthetic.is_some() {
        bail!(
            "{}: its workload is already synthetic; fit a trace-driven scenario (such as `import` writes)",
            scenario.display()
        );
    }
    let ns = crate::units::parse_sim_duration(duration)
        .ok()
        .filter(|d| *d > 0)
        .with_context(|| {
            format!("--duration {duration:?}: not a duration above 0 (e.g. 7d, 36h)")
        })?;
    let fitted = crate::workload::fit::fit(&sc.trace, &sc.catalog)
        .map_err(|m| anyhow::anyhow!("{}: {m}", scenario.display()))?;
    let text = std::fs::read_to_string(scenario)
        .with_context(|| format!("cannot read {}", scenario.display()))?;
    let mut doc: toml::Table =
        toml::from_str(&text).with_context(|| format!("cannot read {}", scenario.display()))?;
    for k in ["workload", "layer", "image", "sweep", "goal"] {
        doc.remove(k);
    }
    doc.insert(
        "name".into(),
        toml::Value::String(format!("{}-fitted", sc.name)),
    );
    doc.insert("duration".into(), toml::Value::String(duration.to_string()));
    // A plan starts wherever its user wants it: the observation's wall clock does not apply.
    doc.remove("start_time");
    let mut report = fitted.report();
    report.push(format!(
        "fitted from {} ({} of observation) for {duration}",
        scenario.display(),
        crate::units::format_go_duration((fitted.observed_seconds * 1e9) as i64)
    ));
    let mut body = String::new();
    for line in &report {
        body.push_str(&format!("# {line}\n"));
    }
    body.push('\n');
    body.push_str(&toml::to_string(&doc).context("cannot write the fitted scenario")?);
    body.push('\n');
    body.push_str(&fitted.synthetic_toml(ns as crate::engine::SimTime));
    // Loaded from where it will be, so that relative paths resolve as they will.
    Scenario::from_str(out, &body).map_err(|e| {
        anyhow::anyhow!(
            "the fitted scenario does not load ({e}); please report this with the input"
        )
    })?;
    let dir = match out.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    std::fs::create_dir_all(&dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let tmp = dir.join(format!(
        ".{}.tmp-{}",
        out.file_name()
            .with_context(|| format!("{} is not a file name", out.display()))?
            .to_string_lossy(),
        std::process::id()
    ));
    let written = std::fs::write(&tmp, body)
        .and_then(|_| std::fs::rename(&tmp, out))
        .with_context(|| format!("cannot write {}", out.display()));
    if written.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    written?;
    Ok(report)
}
