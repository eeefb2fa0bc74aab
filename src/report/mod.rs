//! Writes a run's outcome to files: `timeseries.csv`, `events.csv`, `summary.json`, the plots
//! and `report.html`.
//!
//! Output is atomic: everything goes into a hidden temporary directory beside the target, which
//! replaces the target only once every file is complete. A failed or interrupted run leaves the
//! previous results in place and no partial directory behind (see [`leftovers`] for what a
//! killed run leaves and who removes it).

pub mod console;
pub mod csv_recorder;
pub mod diff;
pub mod explain;
pub mod html;
pub mod leftovers;
pub mod plot;
pub mod run_files;
pub mod sweep_plot;
pub mod validate;

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};

use crate::outcome::Summary;

/// The files a run writes (`run --out` may replace a directory holding only these).
pub const RUN_FILES: [&str; 7] = [
    "timeseries.csv",
    "events.csv",
    "summary.json",
    "usage.png",
    "usage.svg",
    "plot.json",
    html::REPORT_FILE,
];

/// A directory being written; call [`OutputDir::commit`] to publish it.
pub struct OutputDir {
    tmp: PathBuf,
    target: PathBuf,
    committed: bool,
}

/// Refuses a target that is a file, or a directory holding files that `ours` does not claim
/// (replacing it would delete them). Called before any work, so that nothing is computed for
/// an output that cannot be written.
pub fn check_target(target: &Path, ours: &dyn Fn(&str) -> bool) -> Result<()> {
    let Ok(meta) = fs::symlink_metadata(target) else {
        return Ok(());
    };
    if !meta.is_dir() {
        bail!(
            "{} exists and is not a directory: --out names the directory to write",
            target.display()
        );
    }
    let mut foreign: Vec<String> = fs::read_dir(target)
        .with_context(|| format!("cannot read {}", target.display()))?
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| !ours(n) && !leftovers::is_staging_name(n))
        .collect();
    if !foreign.is_empty() {
        foreign.sort_unstable();
        let shown: Vec<&str> = foreign.iter().map(String::as_str).take(5).collect();
        bail!(
            "{} exists and holds other files ({}{}): give --out a new directory, or one written by imagefs-sim",
            target.display(),
            shown.join(", "),
            if foreign.len() > 5 { ", …" } else { "" }
        );
    }
    Ok(())
}

impl OutputDir {
    /// Starts writing `target` (a directory that may not exist yet). `ours` names the files a
    /// previous output of the same kind holds (see [`check_target`]). Leftovers of killed
    /// writers of `target` are removed first (see [`leftovers`]).
    pub fn create(target: &Path, ours: &dyn Fn(&str) -> bool) -> Result<OutputDir> {
        check_target(target, ours)?;
        let parent = target
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        fs::create_dir_all(parent)
            .with_context(|| format!("cannot create {}", parent.display()))?;
        let name = match target.file_name() {
            Some(n) => n.to_string_lossy().into_owned(),
            None => bail!(
                "{} does not name a directory to create (give --out a path such as out/run)",
                target.display()
            ),
        };
        leftovers::clean(parent, Some(&name), target);
        let tmp = parent.join(format!(".{name}.tmp-{}", std::process::id()));
        if tmp.exists() {
            fs::remove_dir_all(&tmp).ok();
        }
        fs::create_dir(&tmp).with_context(|| format!("cannot create {}", target.display()))?;
        Ok(OutputDir {
            tmp,
            target: target.to_path_buf(),
            committed: false,
        })
    }

    /// Where files are written before the commit.
    pub fn path(&self) -> &Path {
        &self.tmp
    }

    pub fn file(&self, name: &str) -> PathBuf {
        self.tmp.join(name)
    }

    /// The directory being replaced.
    pub fn target(&self) -> &Path {
        &self.target
    }

    /// An error of writing into [`OutputDir::path`], told with the final path: users never
    /// see the temporary directory, they see the file they asked for.
    pub fn explain(&self, e: anyhow::Error) -> anyhow::Error {
        anyhow::anyhow!(final_names(&format!("{e:#}"), &self.tmp, &self.target))
    }

    /// Replaces the target directory with the finished one. The old target is moved aside
    /// first (a directory cannot be renamed over a non-empty one), then removed; when a
    /// concurrent writer publishes in between, its result is moved aside too, and the last
    /// commit wins, whole.
    pub fn commit(mut self) -> Result<PathBuf> {
        let old = self.target.with_file_name(format!(
            ".{}.old-{}",
            self.target
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default(),
            std::process::id()
        ));
        let mut attempts = 0;
        loop {
            attempts += 1;
            let had_old = self.target.exists();
            if had_old {
                if old.exists() {
                    fs::remove_dir_all(&old).ok();
                }
                fs::rename(&self.target, &old).with_context(|| {
                    format!("cannot move the old {} aside", self.target.display())
                })?;
            }
            match fs::rename(&self.tmp, &self.target) {
                Ok(()) => {
                    if had_old {
                        fs::remove_dir_all(&old).ok();
                    }
                    break;
                }
                Err(e) => {
                    if had_old {
                        fs::rename(&old, &self.target).ok();
                    }
                    if attempts >= 3 || !self.target.exists() {
                        return Err(e)
                            .with_context(|| format!("cannot publish {}", self.target.display()));
                    }
                }
            }
        }
        self.committed = true;
        Ok(self.target.clone())
    }
}

impl Drop for OutputDir {
    fn drop(&mut self) {
        if !self.committed {
            fs::remove_dir_all(&self.tmp).ok();
        }
    }
}

/// `text` with the temporary directory `tmp` replaced by `target`.
pub fn final_names(text: &str, tmp: &Path, target: &Path) -> String {
    text.replace(&tmp.display().to_string(), &target.display().to_string())
}

pub fn write_summary(path: &Path, summary: &Summary, overrides: &[String]) -> Result<()> {
    /// The summary, then the run's `--set` what-ifs when it had any (so a plain run's file is
    /// the summary alone).
    #[derive(serde::Serialize)]
    struct Written<'a> {
        #[serde(flatten)]
        summary: &'a Summary,
        #[serde(skip_serializing_if = "<[String]>::is_empty")]
        overrides: &'a [String],
    }
    let mut f =
        fs::File::create(path).with_context(|| format!("cannot create {}", path.display()))?;
    let mut bytes = serde_json::to_vec_pretty(&Written { summary, overrides })?;
    bytes.push(b'\n');
    f.write_all(&bytes)
        .with_context(|| format!("cannot write {}", path.display()))?;
    Ok(())
}

/// The error of presenting (saving) a plot to `path`: "cannot write PATH: " and the I/O error
/// under it (the disk is full, …), not the plot library's chain of wrapper types.
pub(crate) fn present_error<E>(
    e: plotters::drawing::DrawingAreaErrorKind<E>,
    path: &Path,
) -> anyhow::Error
where
    E: std::error::Error + Send + Sync + 'static,
{
    use plotters::drawing::DrawingAreaErrorKind as Area;
    use plotters_backend::DrawingErrorKind as Backend;
    type BitMapError =
        <plotters::prelude::BitMapBackend<'static> as plotters::prelude::DrawingBackend>::ErrorType;
    let why = match &e {
        Area::BackendError(Backend::DrawingError(b)) => {
            let any: &dyn std::any::Any = b;
            if let Some(io) = any.downcast_ref::<std::io::Error>() {
                io.to_string()
            } else if let Some(bm) = any.downcast_ref::<BitMapError>() {
                match bm {
                    BitMapError::IOError(io) => io.to_string(),
                    BitMapError::ImageError(i) => i.to_string(),
                    _ => "the image could not be encoded".to_string(),
                }
            } else {
                b.to_string()
            }
        }
        Area::BackendError(Backend::FontError(f)) => format!("the font could not be drawn: {f}"),
        other => other.to_string(),
    };
    anyhow::anyhow!("cannot write {}: {why}", path.display())
}
