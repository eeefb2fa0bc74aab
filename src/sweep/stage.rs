//! A sweep's final files, all or nothing: each is written into `.sweep.tmp-PID/` inside the
//! sweep's directory, and only when every one is complete are they renamed over the previous
//! ones (renames within one directory need no space), and the previous run's files that this
//! run does not write (a plot of a facet that no longer exists, a `recommendation.json` of a
//! removed `[goal]`) removed. A write that fails — the disk is full — leaves the previous
//! files as they were, and its error names the final file.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

use crate::report::leftovers;

pub struct Stage {
    dir: PathBuf,
    tmp: PathBuf,
    names: Vec<String>,
    committed: bool,
}

/// Whether `name` is a final file of some sweep that a later one replaces or removes: the
/// plots (`sweep.png`, `sweep_<axis>=<value>….png`, and their `.svg`) and `recommendation.json`
/// (the CSVs are always written).
fn is_replaced_output(name: &str) -> bool {
    name == "recommendation.json"
        || ((name == "sweep.png" || name == "sweep.svg")
            || (name.starts_with("sweep_")
                && name.contains('=')
                && (name.ends_with(".png") || name.ends_with(".svg"))))
}

impl Stage {
    /// Starts staging the final files of `dir`, after removing leftovers of killed writers
    /// there (see [`leftovers`]).
    pub fn new(dir: &Path) -> Result<Stage> {
        leftovers::clean(dir, None, dir);
        let tmp = dir.join(format!(".sweep.tmp-{}", std::process::id()));
        if tmp.exists() {
            fs::remove_dir_all(&tmp).ok();
        }
        fs::create_dir_all(&tmp).with_context(|| format!("cannot write into {}", dir.display()))?;
        Ok(Stage {
            dir: dir.to_path_buf(),
            tmp,
            names: Vec::new(),
            committed: false,
        })
    }

    /// Where files are staged (plots are drawn there directly).
    pub fn path(&self) -> &Path {
        &self.tmp
    }

    /// The final path of a staged file.
    pub fn target(&self, name: &str) -> PathBuf {
        self.dir.join(name)
    }

    /// Stages `bytes` as the file `name`.
    pub fn write(&mut self, name: &str, bytes: &[u8]) -> Result<()> {
        let p = self.tmp.join(name);
        (|| -> std::io::Result<()> {
            let mut f = fs::File::create(&p)?;
            inject_failure(name)?;
            f.write_all(bytes)?;
            f.sync_all()
        })()
        .with_context(|| format!("cannot write {}", self.target(name).display()))?;
        self.names.push(name.to_string());
        Ok(())
    }

    /// Records a file written into [`Stage::path`] by someone else (a plot).
    pub fn add(&mut self, name: &str) -> Result<()> {
        inject_failure(name)
            .with_context(|| format!("cannot write {}", self.target(name).display()))?;
        self.names.push(name.to_string());
        Ok(())
    }

    /// Text with the staging directory replaced by the sweep's (errors name final files).
    pub fn explain(&self, e: anyhow::Error) -> anyhow::Error {
        anyhow::anyhow!(crate::report::final_names(
            &format!("{e:#}"),
            &self.tmp,
            &self.dir
        ))
    }

    /// Swaps every staged file in, and removes the previous run's files this one replaces
    /// but did not write. Returns the final paths, in staging order.
    pub fn commit(mut self) -> Result<Vec<PathBuf>> {
        let mut out = Vec::new();
        for n in &self.names {
            let t = self.dir.join(n);
            fs::rename(self.tmp.join(n), &t)
                .with_context(|| format!("cannot write {}", t.display()))?;
            out.push(t);
        }
        if let Ok(rd) = fs::read_dir(&self.dir) {
            for e in rd.filter_map(|e| e.ok()) {
                let n = e.file_name().to_string_lossy().into_owned();
                if is_replaced_output(&n) && !self.names.contains(&n) {
                    fs::remove_file(e.path()).ok();
                }
            }
        }
        fs::remove_dir_all(&self.tmp).ok();
        self.committed = true;
        Ok(out)
    }
}

impl Drop for Stage {
    fn drop(&mut self) {
        if !self.committed {
            fs::remove_dir_all(&self.tmp).ok();
        }
    }
}

#[cfg(test)]
thread_local! {
    /// Tests: the staged file whose write fails as on a full disk.
    pub static FAIL_WRITING: std::cell::RefCell<Option<String>> = const { std::cell::RefCell::new(None) };
}

/// Tests: fails the write of the file named by [`FAIL_WRITING`] with ENOSPC.
fn inject_failure(_name: &str) -> std::io::Result<()> {
    #[cfg(test)]
    if FAIL_WRITING.with(|f| f.borrow().as_deref() == Some(_name)) {
        return Err(std::io::Error::from_raw_os_error(28));
    }
    Ok(())
}
