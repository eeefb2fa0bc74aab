//! The `imagefs-sim` command line: parse arguments, call the library, print.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use imagefs_sim::runner::{default_out_dir, run_to_dir};
use imagefs_sim::scenario::Scenario;

/// Prints to stdout; a closed pipe (`imagefs-sim run … | head`) ends the program quietly
/// instead of panicking.
macro_rules! out {
    ($($arg:tt)*) => {{
        use std::io::Write;
        if write!(std::io::stdout(), $($arg)*).is_err() {
            std::process::exit(0);
        }
    }};
}

macro_rules! outln {
    ($($arg:tt)*) => {{
        use std::io::Write;
        if writeln!(std::io::stdout(), $($arg)*).is_err() {
            std::process::exit(0);
        }
    }};
}

#[derive(Parser)]
#[command(
    name = "imagefs-sim",
    version,
    about = "Simulate the kubelet's image GC, container GC and disk-pressure eviction on a virtual node",
    after_help = "Examples:\n  imagefs-sim run scenarios/quickstart.toml            # writes output/quickstart/\n  imagefs-sim run scenarios/quickstart.toml --out /tmp/q\n  imagefs-sim check scenarios/quickstart.toml          # validate only"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run scenarios and write timeseries.csv, events.csv and summary.json.
    Run {
        /// Scenario files (TOML).
        #[arg(required = true)]
        scenarios: Vec<PathBuf>,
        /// Output directory (default: output/<scenario name>/). Only with a single scenario.
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Re-plot finished runs: writes usage.png and usage.svg from the CSVs and plot.json.
    Plot {
        /// Output directories of runs (each with timeseries.csv, events.csv, plot.json).
        #[arg(required = true)]
        dirs: Vec<PathBuf>,
    },
    /// Validate scenario files and their traces; run nothing.
    Check {
        #[arg(required = true)]
        scenarios: Vec<PathBuf>,
    },
    /// Build a runnable scenario (scenario.toml, catalog.toml, trace.csv) from a real node's
    /// files; any subset of them will do, and what is missing is assumed and reported.
    #[command(group(clap::ArgGroup::new("inputs").multiple(true).required(true).args(["configz", "summary", "events", "images"])))]
    Import {
        /// /configz JSON, or a KubeletConfiguration file (YAML or JSON).
        #[arg(long)]
        configz: Option<PathBuf>,
        /// Summary API JSON (kubectl get --raw /api/v1/nodes/NODE/proxy/stats/summary).
        #[arg(long)]
        summary: Option<PathBuf>,
        /// Events (kubectl get events -A -o json).
        #[arg(long)]
        events: Option<PathBuf>,
        /// Image inventory: crictl images -o json, or kubectl get node NODE -o json.
        #[arg(long)]
        images: Option<PathBuf>,
        /// The node (events are filtered by source.host); default: the summary's node.
        #[arg(long)]
        node: Option<String>,
        /// The runtime, which decides whether reported image sizes are compressed (containerd)
        /// or unpacked (crio, docker); default: from the files, else containerd.
        #[arg(long, value_parser = ["containerd", "crio", "docker"])]
        runtime: Option<String>,
        /// containerd: unpacked bytes on disk per reported (compressed) byte.
        #[arg(long, default_value_t = imagefs_sim::workload::import::DEFAULT_UNPACK_RATIO)]
        unpack_ratio: f64,
        /// Simulated duration (default: the trace plus 15 min, at least 1h).
        #[arg(long)]
        duration: Option<String>,
        /// Output directory (created; written atomically).
        #[arg(long)]
        out: PathBuf,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Run { scenarios, out } => {
            if out.is_some() && scenarios.len() > 1 {
                eprintln!("error: --out takes a single scenario; without it each run goes to output/<scenario name>/");
                return ExitCode::from(2);
            }
            let mut failed = false;
            for path in &scenarios {
                let sc = match Scenario::load(path) {
                    Ok(sc) => sc,
                    Err(e) => {
                        eprintln!("error: {e}");
                        failed = true;
                        continue;
                    }
                };
                let dir = out.clone().unwrap_or_else(|| default_out_dir(&sc));
                match run_to_dir(&sc, &dir) {
                    Ok(s) => {
                        let gib = |b: u64| b as f64 / (1u64 << 30) as f64;
                        outln!(
                            "{}: {} simulated",
                            sc.name,
                            imagefs_sim::units::format_go_duration(
                                s.simulated_seconds as i64 * 1_000_000_000
                            )
                        );
                        outln!(
                            "  image GC: {} passes, {} over the high threshold, {} failed; {} images deleted ({} by age, {} by the eviction manager)",
                            s.gc_runs, s.gc_triggered, s.gc_failures, s.images_deleted, s.images_deleted_by_age, s.images_deleted_by_eviction
                        );
                        outln!(
                            "  freed: {:.1} GiB as the kubelet counts it (reported sizes), {:.1} GiB on disk",
                            gib(s.bytes_freed_reported), gib(s.bytes_freed_on_disk)
                        );
                        outln!(
                            "  pulls: {} ({} of images deleted earlier), {:.1} GiB written, {} failed",
                            s.pulls, s.repulls, gib(s.pull_bytes), s.pull_failures
                        );
                        outln!(
                            "  eviction: DiskPressure {} s in {} periods; {} pods evicted, {} over a local limit, {} rejected at admission",
                            s.disk_pressure_seconds, s.disk_pressure_transitions, s.evictions, s.limit_evictions, s.admission_rejections
                        );
                        outln!(
                            "  disk: peak usage {}%, least available {:.2} GiB",
                            s.peak_usage_percent,
                            gib(s.min_available_bytes)
                        );
                        outln!(
                            "  wrote {}/{{timeseries.csv,events.csv,summary.json,usage.png,usage.svg}}",
                            dir.display()
                        );
                    }
                    Err(e) => {
                        eprintln!("error: {}: {e:#}", path.display());
                        failed = true;
                    }
                }
            }
            if failed {
                ExitCode::FAILURE
            } else {
                ExitCode::SUCCESS
            }
        }
        Command::Plot { dirs } => {
            let mut failed = false;
            for dir in &dirs {
                match imagefs_sim::report::plot::replot(dir) {
                    Ok(()) => outln!("wrote {}/{{usage.png,usage.svg}}", dir.display()),
                    Err(e) => {
                        eprintln!("error: {}: {e:#}", dir.display());
                        failed = true;
                    }
                }
            }
            if failed {
                ExitCode::FAILURE
            } else {
                ExitCode::SUCCESS
            }
        }
        Command::Check { scenarios } => {
            let mut failed = false;
            for path in &scenarios {
                match Scenario::load(path) {
                    Ok(sc) => outln!(
                        "{}: ok ({} layers, {} images, {} trace events over {} s)",
                        path.display(),
                        sc.catalog.layers.len(),
                        sc.catalog.images.len(),
                        sc.trace.len(),
                        sc.duration / 1_000_000_000
                    ),
                    Err(e) => {
                        eprintln!("error: {e}");
                        failed = true;
                    }
                }
            }
            if failed {
                ExitCode::FAILURE
            } else {
                ExitCode::SUCCESS
            }
        }
        Command::Import {
            configz,
            summary,
            events,
            images,
            node,
            runtime,
            unpack_ratio,
            duration,
            out,
        } => {
            use imagefs_sim::workload::import;
            let mut opts = import::ImportOptions::new(out);
            opts.configz = configz;
            opts.summary = summary;
            opts.events = events;
            opts.images = images;
            opts.node = node;
            opts.runtime = runtime.as_deref().and_then(import::Runtime::parse);
            opts.unpack_ratio = unpack_ratio;
            opts.duration = duration;
            match import::run(&opts) {
                Ok(report) => {
                    out!("{report}");
                    ExitCode::SUCCESS
                }
                Err(e) => {
                    eprintln!("error: {e:#}");
                    ExitCode::FAILURE
                }
            }
        }
    }
}
