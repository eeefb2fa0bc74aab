//! Helpers shared by the integration tests: write a scenario and its trace into a temp dir.
#![allow(dead_code)]

use std::path::PathBuf;

use imagefs_sim::outcome::{Summary, VecRecorder};
use imagefs_sim::scenario::Scenario;
use imagefs_sim::sim::Simulation;

pub struct Fixture {
    pub dir: tempfile::TempDir,
    pub scenario: PathBuf,
}

pub fn write(toml: &str, trace: &str) -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("trace.csv"), trace).unwrap();
    let scenario = dir.path().join("scenario.toml");
    std::fs::write(&scenario, toml).unwrap();
    Fixture { dir, scenario }
}

pub fn run(toml: &str, trace: &str) -> (Summary, VecRecorder) {
    let f = write(toml, trace);
    let sc = Scenario::load(&f.scenario).unwrap_or_else(|e| panic!("{e}"));
    let mut rec = VecRecorder::default();
    let s = Simulation::new(&sc).run(&mut rec);
    (s, rec)
}
