//! Runs a loaded scenario and writes its outputs atomically into a directory.

use std::path::{Path, PathBuf};

use anyhow::Result;

use crate::outcome::Summary;
use crate::report::csv_recorder::CsvRecorder;
use crate::report::{write_summary, OutputDir, RUN_FILES};
use crate::scenario::Scenario;
use crate::sim::Simulation;

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
