use imagefs_sim::outcome::NullRecorder;
use imagefs_sim::scenario::Scenario;
use imagefs_sim::sim::Simulation;
fn main() {
    let sc = Scenario::load(std::path::Path::new("/tmp/gen/q30.toml")).unwrap();
    let t = std::time::Instant::now();
    let n = 5;
    let mut ev = 0;
    for _ in 0..n { ev = Simulation::new(&sc).run(&mut NullRecorder).events_processed; }
    eprintln!("{} events, {:?} per run", ev, t.elapsed() / n);
}
