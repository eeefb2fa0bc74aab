//! Writes a run's outcome to files: `timeseries.csv`, `events.csv`, `summary.json`.
//!
//! Output is atomic: everything goes into a hidden temporary directory beside the target, which
//! replaces the target only once every file is complete. A failed or interrupted run leaves the
//! previous results in place and no partial directory behind.

pub mod console;
pub mod csv_recorder;
pub mod plot;
pub mod sweep_plot;

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

use crate::outcome::Summary;

/// A directory being written; call [`OutputDir::commit`] to publish it.
pub struct OutputDir {
    tmp: PathBuf,
    target: PathBuf,
    committed: bool,
}

impl OutputDir {
    pub fn create(target: &Path) -> Result<OutputDir> {
        let parent = target
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        fs::create_dir_all(parent)
            .with_context(|| format!("cannot create {}", parent.display()))?;
        let name = target
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "out".into());
        let tmp = parent.join(format!(".{name}.tmp-{}", std::process::id()));
        if tmp.exists() {
            fs::remove_dir_all(&tmp).ok();
        }
        fs::create_dir(&tmp).with_context(|| format!("cannot create {}", tmp.display()))?;
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

    /// Replaces the target directory with the finished one.
    pub fn commit(mut self) -> Result<PathBuf> {
        let old = self.target.with_file_name(format!(
            ".{}.old-{}",
            self.target
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default(),
            std::process::id()
        ));
        let had_old = self.target.exists();
        if had_old {
            fs::rename(&self.target, &old)
                .with_context(|| format!("cannot move the old {} aside", self.target.display()))?;
        }
        if let Err(e) = fs::rename(&self.tmp, &self.target) {
            if had_old {
                fs::rename(&old, &self.target).ok();
            }
            return Err(e).with_context(|| format!("cannot publish {}", self.target.display()));
        }
        if had_old {
            fs::remove_dir_all(&old).ok();
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

pub fn write_summary(path: &Path, summary: &Summary) -> Result<()> {
    let mut f =
        fs::File::create(path).with_context(|| format!("cannot create {}", path.display()))?;
    serde_json::to_writer_pretty(&mut f, summary)?;
    f.write_all(b"\n")?;
    Ok(())
}
