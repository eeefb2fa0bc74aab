//! The `imagefs-sim` command line: parse arguments, call the library, print.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use imagefs_sim::overrides;
use imagefs_sim::runner::default_out_dir;

/// How messages are printed: to stdout (normal), not at all (`--quiet`), or to stderr while
/// stdout carries the JSON result (`--json`). Errors and warnings always go to stderr.
static MODE: std::sync::atomic::AtomicU8 = std::sync::atomic::AtomicU8::new(NORMAL);
const NORMAL: u8 = 0;
const QUIET: u8 = 1;
const JSON: u8 = 2;

fn mode() -> u8 {
    MODE.load(std::sync::atomic::Ordering::Relaxed)
}

/// Prints a message (see [`MODE`]); a closed pipe (`imagefs-sim run … | head`) ends the
/// program quietly instead of panicking.
macro_rules! out {
    ($($arg:tt)*) => {{
        use std::io::Write;
        let r = match mode() {
            QUIET => Ok(()),
            JSON => write!(std::io::stderr(), $($arg)*),
            _ => write!(std::io::stdout(), $($arg)*),
        };
        if r.is_err() {
            std::process::exit(0);
        }
    }};
}

macro_rules! outln {
    ($($arg:tt)*) => {{
        use std::io::Write;
        let r = match mode() {
            QUIET => Ok(()),
            JSON => writeln!(std::io::stderr(), $($arg)*),
            _ => writeln!(std::io::stdout(), $($arg)*),
        };
        if r.is_err() {
            std::process::exit(0);
        }
    }};
}

/// With `--json`, prints a command's result on stdout as one JSON document.
fn json_result(v: serde_json::Value) {
    use std::io::Write;
    if mode() == JSON {
        let mut s = serde_json::to_string_pretty(&v).unwrap_or_default();
        s.push('\n');
        if std::io::stdout().write_all(s.as_bytes()).is_err() {
            std::process::exit(0);
        }
    }
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
    /// Print nothing but errors and warnings (on stderr).
    #[arg(long, global = true, conflicts_with = "json")]
    quiet: bool,
    /// Print the result as JSON on stdout (run, check, sweep, import, fit); messages go to
    /// stderr.
    #[arg(long, global = true)]
    json: bool,
}

#[derive(Subcommand)]
enum Command {
    /// Run scenarios and write timeseries.csv, events.csv and summary.json.
    Run {
        /// Scenario files (TOML).
        #[arg(required = true)]
        scenarios: Vec<PathBuf>,
        /// Output directory (default: output/<scenario name>/, with +PATH=VALUE for each
        /// --set). Only with a single scenario.
        #[arg(long)]
        out: Option<PathBuf>,
        /// A what-if: set a scenario field for this run (repeatable), with the dotted paths and
        /// values of [sweep] axes, e.g. --set kubelet.imageMaximumGCAge=24h --set node.disk=120Gi.
        #[arg(long = "set", value_name = "PATH=VALUE")]
        set: Vec<String>,
    },
    /// Explain one decision: rerun a scenario (or the one a run directory came from) up to an
    /// instant and print what the kubelet saw and decided at the first image GC pass that did
    /// something (usage at or over the high threshold, a MaxAge deletion) or eviction sync that
    /// met a threshold, at or after it.
    #[command(
        after_help = "Examples:\n  imagefs-sim run scenarios/quickstart.toml\n  imagefs-sim explain output/quickstart --at 71100            # time_s of an ImageGCTriggered row\n  imagefs-sim explain output/quickstart --at 6h --kind eviction\n  imagefs-sim explain scenarios/quickstart.toml --at 1d --set node.disk=60Gi --json"
    )]
    Explain {
        /// A run directory (what `run` writes; its summary.json names the scenario and its
        /// what-ifs) or a scenario file.
        target: PathBuf,
        /// The instant: seconds from t = 0 (the time_s of events.csv), a duration (3h, 1d2h30m)
        /// or, for a scenario with a start_time, an RFC 3339 instant.
        #[arg(long, allow_hyphen_values = true, value_name = "T")]
        at: String,
        /// Only image GC passes (gc) or only eviction syncs (eviction); default: the first of
        /// either.
        #[arg(long, value_name = "gc|eviction")]
        kind: Option<String>,
        /// The literal next pass or sync, even one that did nothing.
        #[arg(long)]
        any: bool,
        /// A what-if on a scenario file (as on run); a run directory's come from its
        /// summary.json.
        #[arg(long = "set", value_name = "PATH=VALUE")]
        set: Vec<String>,
    },
    /// Re-plot finished runs: writes usage.png, usage.svg and report.html from the CSVs, plot.json
    /// and summary.json.
    Plot {
        /// Output directories of runs (each with timeseries.csv, events.csv, plot.json).
        #[arg(required = true)]
        dirs: Vec<PathBuf>,
    },
    /// Validate scenario files and their traces; run nothing.
    Check {
        #[arg(required = true)]
        scenarios: Vec<PathBuf>,
        /// A what-if: set a scenario field for this run (repeatable), with the dotted paths and
        /// values of [sweep] axes, e.g. --set kubelet.imageMaximumGCAge=24h --set node.disk=120Gi.
        #[arg(long = "set", value_name = "PATH=VALUE")]
        set: Vec<String>,
    },
    /// Write the trace a scenario replays (generated for [workload.synthetic]) as a trace CSV.
    Generate {
        /// Scenario file (TOML).
        scenario: PathBuf,
        /// The trace file to write (atomically).
        #[arg(long, default_value = "trace.csv")]
        out: PathBuf,
        /// A what-if: set a scenario field for this run (repeatable), with the dotted paths and
        /// values of [sweep] axes, e.g. --set kubelet.imageMaximumGCAge=24h --set node.disk=120Gi.
        #[arg(long = "set", value_name = "PATH=VALUE")]
        set: Vec<String>,
    },
    /// Print a shell completion script: `imagefs-sim completions bash > /etc/bash_completion.d/imagefs-sim`,
    /// `… zsh > "${fpath[1]}/_imagefs-sim"`, `… fish > ~/.config/fish/completions/imagefs-sim.fish`.
    Completions {
        /// The shell: bash, zsh, fish, elvish or powershell.
        shell: clap_complete::Shell,
    },
    /// Fit a synthetic workload to a trace-driven scenario's pods (such as `import` writes):
    /// writes a scenario of --duration with [workload.synthetic] estimated from the trace (rates
    /// per owner kind, daily rhythm, Zipf popularity, lifetimes, image sizes) and the fit's
    /// report as comments.
    Fit {
        /// The trace-driven scenario (TOML) whose trace is the observation.
        scenario: PathBuf,
        /// How long the fitted scenario runs (e.g. 7d).
        #[arg(long, default_value = "7d")]
        duration: String,
        /// The fitted scenario to write (default: <scenario>-fitted.toml beside it).
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Build a runnable scenario (scenario.toml, catalog.toml, trace.csv) from a real node's
    /// files; any subset of them will do, and what is missing is assumed and reported.
    #[command(group(clap::ArgGroup::new("inputs").multiple(true).required(true).args(["configz", "summary", "events", "images", "containerd_config", "imagefsinfo", "node_json"])))]
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
        /// containerd's config.toml (version 1, 2 or 3): discard_unpacked_layers, snapshotter,
        /// root, the pinned sandbox image.
        #[arg(long, value_name = "CONFIG.TOML")]
        containerd_config: Option<PathBuf>,
        /// crictl imagefsinfo (its JSON): image and container filesystems, hence the layout.
        #[arg(long)]
        imagefsinfo: Option<PathBuf>,
        /// The Node object (kubectl get node NODE -o json, or a list with --node): kubelet
        /// version, runtime, ephemeral-storage capacity, status.images, DiskPressure.
        #[arg(long, value_name = "NODE.JSON")]
        node_json: Option<PathBuf>,
        /// The node (events are filtered by source.host; picks it out of a list of nodes);
        /// default: the summary's node.
        #[arg(long)]
        node: Option<String>,
        /// The runtime, which decides whether reported image sizes are compressed (containerd)
        /// or unpacked (crio, docker); default: from the files, else containerd.
        #[arg(long, value_parser = ["containerd", "crio", "docker"])]
        runtime: Option<String>,
        /// containerd: unpacked bytes on disk per reported (compressed) byte.
        #[arg(long, default_value_t = imagefs_sim::workload::import::DEFAULT_UNPACK_RATIO, allow_negative_numbers = true)]
        unpack_ratio: f64,
        /// Simulated duration (default: the trace plus 15 min, at least 1h).
        #[arg(long)]
        duration: Option<String>,
        /// Also write fitted.toml: a synthetic workload this long (e.g. 7d) fitted to the
        /// imported trace (as `fit` does), with its report.
        #[arg(long, value_name = "DURATION")]
        fit: Option<String>,
        /// Output directory (created; written atomically).
        #[arg(long)]
        out: PathBuf,
    },
    /// Run a scenario's [sweep] grid × replicates in parallel; resumable (journal.jsonl).
    /// Writes sweep.csv, sweep_summary.csv, skipped.csv, recommendation.json ([goal]) and
    /// sweep*.png/svg into --out (default output/<scenario name>-sweep/).
    Sweep {
        scenario: PathBuf,
        #[arg(long)]
        out: Option<PathBuf>,
        /// Worker threads (default: all cores).
        #[arg(long)]
        threads: Option<usize>,
        /// Run only the points with index % N == K (K = 0..N-1); combine with `merge`.
        #[arg(long, value_name = "K/N")]
        shard: Option<String>,
        /// A metric to plot (repeatable; default: evictions, gc_failures,
        /// disk_pressure_seconds, peak_usage_percent).
        #[arg(long = "metric", value_name = "NAME")]
        metrics: Vec<String>,
        /// Go ahead with a large sweep (more than 100000 runs; the estimate is printed).
        #[arg(long)]
        allow_large: bool,
        /// A what-if: set a scenario field at every point of the sweep (repeatable), with the dotted paths and
        /// values of [sweep] axes, e.g. --set kubelet.imageMaximumGCAge=24h --set node.disk=120Gi.
        #[arg(long = "set", value_name = "PATH=VALUE")]
        set: Vec<String>,
    },
    /// Compare two runs (their output directories): every summary metric with both values and
    /// the change, the first instant where their decisions differ; writes diff.txt and
    /// diff.png (both usage curves and event strips) into --out (default
    /// output/<A>-vs-<B>/). Of two sweeps' directories: per point and metric, both means and
    /// the change with its 95 % interval, paired by seed (sweep_diff.csv, diff.txt).
    Diff {
        /// The base run's output directory.
        a: PathBuf,
        /// The run to compare with it.
        b: PathBuf,
        #[arg(long)]
        out: Option<PathBuf>,
        /// List every metric, not only those that differ.
        #[arg(long)]
        all: bool,
    },
    /// Check a finished run against what the node really did: its image filesystem's available
    /// bytes over time, from a Prometheus query_range reply (node_filesystem_avail_bytes, with
    /// node_filesystem_size_bytes if wanted) or Summary API replies (a JSON array, or one per
    /// line). Aligns them on the run's start_time; prints the errors (available bytes, usage %)
    /// and when each side reaches the image GC high threshold; writes validate.txt,
    /// validate.json and validate.png into --out (default output/<RUN>-validate/).
    #[command(
        after_help = "Example:\n  curl -sG http://prometheus:9090/api/v1/query_range \\\n    --data-urlencode 'query=node_filesystem_avail_bytes{instance=\"node-1:9100\",mountpoint=\"/var/lib/containerd\"}' \\\n    --data-urlencode start=2026-03-18T06:47:29Z --data-urlencode end=2026-03-25T06:47:29Z --data-urlencode step=60 > obs.json\n  imagefs-sim validate output/my-node --observed obs.json"
    )]
    Validate {
        /// The run's output directory (summary.json with start_time, timeseries.csv).
        run: PathBuf,
        /// The node's series: a Prometheus query_range reply, or Summary API replies.
        #[arg(long, value_name = "FILE")]
        observed: PathBuf,
        /// The image filesystem's mountpoint, when the Prometheus reply has several.
        #[arg(long, value_name = "M")]
        mountpoint: Option<String>,
        /// The wall-clock instant of the run's t = 0 (RFC 3339), for a run whose scenario had
        /// no start_time; it wins over the run's own.
        #[arg(long, value_name = "RFC3339")]
        start: Option<String>,
        /// Output directory (default output/<RUN>-validate/; replaced whole).
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Combine the output directories of `sweep --shard K/N` runs into one sweep's files.
    Merge {
        #[arg(required = true)]
        dirs: Vec<PathBuf>,
        #[arg(long)]
        out: PathBuf,
        #[arg(long = "metric", value_name = "NAME")]
        metrics: Vec<String>,
    },
}

/// `run`'s progress bar: on a terminal, from one second into a run, the simulated time done
/// against the scenario's duration (hidden with `--quiet` and `--json`).
struct RunProgress {
    bar: indicatif::ProgressBar,
    started: std::time::Instant,
    shown: std::cell::Cell<bool>,
    enabled: bool,
}

impl RunProgress {
    fn new(duration: u64) -> RunProgress {
        use std::io::IsTerminal;
        let bar = indicatif::ProgressBar::with_draw_target(
            Some(duration / 1_000_000_000),
            indicatif::ProgressDrawTarget::hidden(),
        );
        if let Ok(st) = indicatif::ProgressStyle::with_template(
            "{bar:40.cyan/blue} {pos}/{len} simulated s  elapsed {elapsed}  ETA {eta}",
        ) {
            bar.set_style(st);
        }
        RunProgress {
            bar,
            started: std::time::Instant::now(),
            shown: std::cell::Cell::new(false),
            enabled: mode() == NORMAL && std::io::stderr().is_terminal(),
        }
    }

    fn at(&self, t: u64) {
        if !self.enabled {
            return;
        }
        if !self.shown.get() && self.started.elapsed() >= std::time::Duration::from_secs(1) {
            self.bar
                .set_draw_target(indicatif::ProgressDrawTarget::stderr());
            self.shown.set(true);
        }
        self.bar.set_position(t / 1_000_000_000);
    }

    fn finish(&self) {
        self.bar.finish_and_clear();
    }
}

/// The command line with `--duration -1h` joined into `--duration=-1h`: a negative duration is
/// a value (refused with its own message), not the short flags `-1`, `-h`.
fn args() -> Vec<std::ffi::OsString> {
    let mut out: Vec<std::ffi::OsString> = Vec::new();
    let mut it = std::env::args_os().peekable();
    while let Some(a) = it.next() {
        if a == "--duration" {
            if let Some(next) = it.peek().and_then(|n| n.to_str()) {
                let b = next.as_bytes();
                if b.len() > 1 && b[0] == b'-' && (b[1].is_ascii_digit() || b[1] == b'.') {
                    out.push(format!("--duration={next}").into());
                    it.next();
                    continue;
                }
            }
        }
        out.push(a);
    }
    out
}

fn main() -> ExitCode {
    let cli = Cli::parse_from(args());
    let m = if cli.json {
        JSON
    } else if cli.quiet {
        QUIET
    } else {
        NORMAL
    };
    MODE.store(m, std::sync::atomic::Ordering::Relaxed);
    match cli.command {
        Command::Completions { shell } => {
            use clap::CommandFactory;
            let mut cmd = Cli::command();
            let mut buf = Vec::new();
            clap_complete::generate(shell, &mut cmd, "imagefs-sim", &mut buf);
            use std::io::Write;
            if std::io::stdout().write_all(&buf).is_err() {
                std::process::exit(0);
            }
            ExitCode::SUCCESS
        }
        Command::Run {
            scenarios,
            out,
            set,
        } => {
            let overrides = match parse_set(&set) {
                Ok(o) => o,
                Err(code) => return code,
            };
            if out.is_some() && scenarios.len() > 1 {
                eprintln!("error: --out takes a single scenario; without it each run goes to output/<scenario name>/");
                return ExitCode::from(2);
            }
            // An --out that cannot be written fails before any scenario is loaded.
            if let Some(o) = &out {
                if let Err(e) =
                    imagefs_sim::report::check_target(o, &imagefs_sim::runner::is_run_file)
                {
                    eprintln!("error: {e:#}");
                    return ExitCode::FAILURE;
                }
            }
            let mut failed = false;
            let mut results = Vec::new();
            for path in &scenarios {
                let sc = match overrides::load(path, &overrides, true) {
                    Ok(sc) => sc,
                    Err(e) => {
                        eprintln!("error: {e}");
                        results.push(serde_json::json!({
                            "scenario": path.display().to_string(),
                            "error": e.to_string(),
                        }));
                        failed = true;
                        continue;
                    }
                };
                for w in &sc.warnings {
                    eprintln!("warning: {w}");
                }
                let dir = out
                    .clone()
                    .unwrap_or_else(|| overrides::with_suffix(default_out_dir(&sc), &overrides));
                let bar = RunProgress::new(sc.duration);
                let result =
                    imagefs_sim::runner::run_to_dir_with_progress(&sc, &dir, &mut |t| bar.at(t));
                bar.finish();
                match result {
                    Ok(s) => {
                        outln!(
                            "{}",
                            imagefs_sim::report::console::run_summary(&sc.name, &s)
                        );
                        outln!(
                            "  wrote {}/{{timeseries.csv,events.csv,summary.json,usage.png,usage.svg,report.html}}",
                            dir.display()
                        );
                        results.push(serde_json::json!({
                            "scenario": path.display().to_string(),
                            "out": dir.display().to_string(),
                            "summary": serde_json::to_value(&s).unwrap_or_default(),
                        }));
                    }
                    Err(e) => {
                        eprintln!("error: {}: {e:#}", path.display());
                        results.push(serde_json::json!({
                            "scenario": path.display().to_string(),
                            "error": format!("{e:#}"),
                        }));
                        failed = true;
                    }
                }
            }
            json_result(serde_json::json!({ "runs": results }));
            if failed {
                ExitCode::FAILURE
            } else {
                ExitCode::SUCCESS
            }
        }
        Command::Sweep {
            scenario,
            out,
            threads,
            shard,
            metrics,
            allow_large,
            set,
        } => match parse_set(&set) {
            Ok(o) => sweep_command(scenario, out, threads, shard, metrics, allow_large, o),
            Err(code) => code,
        },
        Command::Diff { a, b, out, all } => {
            let name = |p: &std::path::Path| {
                p.file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default()
            };
            let out = out.unwrap_or_else(|| {
                PathBuf::from("output").join(format!("{}-vs-{}", name(&a), name(&b)))
            });
            // Two sweeps (sweep.csv) point by point, else two runs.
            if a.join("sweep.csv").is_file() && b.join("sweep.csv").is_file() {
                let headline: Vec<String> = imagefs_sim::sweep::DEFAULT_METRICS
                    .iter()
                    .map(|s| s.to_string())
                    .collect();
                return match imagefs_sim::sweep::diff::write_sweep_diff(&a, &b, &out, &headline) {
                    Ok(text) => {
                        out!("{text}");
                        outln!("wrote {}/{{sweep_diff.csv,diff.txt}}", out.display());
                        ExitCode::SUCCESS
                    }
                    Err(e) => {
                        eprintln!("error: {e:#}");
                        ExitCode::FAILURE
                    }
                };
            }
            match imagefs_sim::report::diff::write_diff(&a, &b, &out, all) {
                Ok(text) => {
                    out!("{text}");
                    outln!("wrote {}/{{diff.txt,diff.png}}", out.display());
                    ExitCode::SUCCESS
                }
                Err(e) => {
                    eprintln!("error: {e:#}");
                    ExitCode::FAILURE
                }
            }
        }
        Command::Validate {
            run,
            observed,
            mountpoint,
            start,
            out,
        } => {
            use imagefs_sim::report::validate::{write_validate, ValidateOptions};
            let start = match start
                .as_deref()
                .map(imagefs_sim::wallclock::WallTime::parse_rfc3339)
            {
                None => None,
                Some(Ok(t)) => Some(t),
                Some(Err(e)) => {
                    eprintln!("error: --start: {e}");
                    return ExitCode::from(2);
                }
            };
            let name = run
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_else(|| "run".to_string());
            let out =
                out.unwrap_or_else(|| PathBuf::from("output").join(format!("{name}-validate")));
            let opts = ValidateOptions {
                run,
                observed,
                out: out.clone(),
                mountpoint,
                start,
            };
            match write_validate(&opts) {
                Ok(text) => {
                    out!("{text}");
                    outln!(
                        "wrote {}/{{validate.txt,validate.json,validate.png}}",
                        out.display()
                    );
                    ExitCode::SUCCESS
                }
                Err(e) => {
                    eprintln!("error: {e:#}");
                    ExitCode::FAILURE
                }
            }
        }
        Command::Merge { dirs, out, metrics } => {
            match imagefs_sim::sweep::merge(&dirs, &out, &metrics) {
                Ok(o) => {
                    print_outputs(&o);
                    if goal_not_met(&o) {
                        return ExitCode::from(GOAL_NOT_MET);
                    }
                    ExitCode::SUCCESS
                }
                Err(e) => {
                    eprintln!("error: {e:#}");
                    ExitCode::FAILURE
                }
            }
        }
        Command::Explain {
            target,
            at,
            kind,
            any,
            set,
        } => explain_command(&target, &at, kind.as_deref(), any, cli.json, &set),
        Command::Plot { dirs } => {
            let mut failed = false;
            for dir in &dirs {
                match imagefs_sim::report::plot::replot(dir) {
                    Ok(()) => outln!(
                        "wrote {}/{{usage.png,usage.svg,report.html}}",
                        dir.display()
                    ),
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
        Command::Check { scenarios, set } => {
            let overrides = match parse_set(&set) {
                Ok(o) => o,
                Err(code) => return code,
            };
            let mut failed = false;
            let mut results = Vec::new();
            for path in &scenarios {
                match overrides::load(path, &overrides, true) {
                    Ok(sc) => {
                        for w in &sc.warnings {
                            eprintln!("warning: {w}");
                        }
                        outln!(
                            "{}: ok ({} layers, {} images, {} trace events over {} s)",
                            path.display(),
                            sc.catalog.layers.len(),
                            sc.catalog.images.len(),
                            sc.trace.len(),
                            sc.duration / 1_000_000_000
                        );
                        results.push(serde_json::json!({
                            "scenario": path.display().to_string(),
                            "ok": true,
                            "layers": sc.catalog.layers.len(),
                            "images": sc.catalog.images.len(),
                            "trace_events": sc.trace.len(),
                            "duration_seconds": sc.duration / 1_000_000_000,
                            "warnings": sc.warnings,
                        }));
                    }
                    Err(e) => {
                        eprintln!("error: {e}");
                        results.push(serde_json::json!({
                            "scenario": path.display().to_string(),
                            "ok": false,
                            "error": e.to_string(),
                        }));
                        failed = true;
                    }
                }
            }
            json_result(serde_json::json!({ "checks": results }));
            if failed {
                ExitCode::FAILURE
            } else {
                ExitCode::SUCCESS
            }
        }
        Command::Fit {
            scenario,
            duration,
            out,
        } => {
            let out = out.unwrap_or_else(|| {
                let stem = scenario
                    .file_stem()
                    .map(|s| s.to_string_lossy().into_owned())
                    .unwrap_or_else(|| "scenario".into());
                scenario.with_file_name(format!("{stem}-fitted.toml"))
            });
            match imagefs_sim::runner::fit_file(&scenario, &duration, &out) {
                Ok(report) => {
                    for l in &report {
                        outln!("{l}");
                    }
                    json_result(serde_json::json!({
                        "out": out.display().to_string(),
                        "report": report,
                    }));
                    outln!(
                        "wrote {}; run it with: imagefs-sim run {}",
                        out.display(),
                        out.display()
                    );
                    ExitCode::SUCCESS
                }
                Err(e) => {
                    eprintln!("error: {e:#}");
                    ExitCode::FAILURE
                }
            }
        }
        Command::Generate { scenario, out, set } => {
            let overrides = match parse_set(&set) {
                Ok(o) => o,
                Err(code) => return code,
            };
            if out.is_dir() {
                eprintln!(
                    "error: {} is a directory: --out names the trace file to write",
                    out.display()
                );
                return ExitCode::FAILURE;
            }
            if let Some(what) = input_named_by(&scenario, &out) {
                eprintln!(
                    "error: {} is {what}: generate would overwrite it; give --out another file",
                    out.display()
                );
                return ExitCode::FAILURE;
            }
            match imagefs_sim::runner::generate_file(&scenario, &overrides, &out) {
                Ok(rows) => {
                    outln!("wrote {} ({rows} rows)", out.display());
                    ExitCode::SUCCESS
                }
                Err(e) => {
                    eprintln!("error: {e:#}");
                    ExitCode::FAILURE
                }
            }
        }
        Command::Import {
            configz,
            summary,
            events,
            images,
            containerd_config,
            imagefsinfo,
            node_json,
            node,
            runtime,
            unpack_ratio,
            duration,
            fit,
            out,
        } => {
            use imagefs_sim::workload::import;
            let mut opts = import::ImportOptions::new(out);
            opts.configz = configz;
            opts.summary = summary;
            opts.events = events;
            opts.images = images;
            opts.containerd_config = containerd_config;
            opts.imagefsinfo = imagefsinfo;
            opts.node_object = node_json;
            opts.node = node;
            opts.runtime = runtime.as_deref().and_then(import::Runtime::parse);
            opts.unpack_ratio = unpack_ratio;
            opts.duration = duration;
            opts.fit = fit;
            match import::run(&opts) {
                Ok(report) => {
                    out!("{report}");
                    json_result(serde_json::json!({
                        "out": report.wrote.as_ref().map(|d| d.display().to_string()),
                        "took": report.took,
                        "assumed": report.assumed,
                        "warnings": report.warnings,
                        "validation_targets": report.validation,
                        "fit": report.fit,
                    }));
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

/// `explain TARGET --at T`: flags first (exit 2), then the scenario (exit 1).
fn explain_command(
    target: &std::path::Path,
    at_text: &str,
    kind: Option<&str>,
    any: bool,
    json: bool,
    set: &[String],
) -> ExitCode {
    use imagefs_sim::explain;
    let overrides = match parse_set(set) {
        Ok(o) => o,
        Err(code) => return code,
    };
    let kind = match kind.map(|k| (k, explain::DecisionKind::parse(k))) {
        None => None,
        Some((_, Some(k))) => Some(k),
        Some((k, None)) => {
            eprintln!(
                "error: --kind {k}: expected gc (image GC passes) or eviction (eviction syncs)"
            );
            return ExitCode::from(2);
        }
    };
    let at = match explain::At::parse(at_text) {
        Ok(a) => a,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    let run_dir = target.is_dir().then_some(target);
    if run_dir.is_some() && !overrides.is_empty() {
        eprintln!(
            "error: --set goes with a scenario file: a run directory's what-ifs are those of its summary.json (explain SCENARIO.toml --at T --set PATH=VALUE)"
        );
        return ExitCode::from(2);
    }
    let loaded = match run_dir {
        Some(d) => explain::load_run_scenario(d).map_err(|e| format!("{e:#}")),
        None => overrides::load(target, &overrides, true).map_err(|e| e.to_string()),
    };
    let sc = match loaded {
        Ok(sc) => sc,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::FAILURE;
        }
    };
    for w in &sc.warnings {
        eprintln!("warning: {w}");
    }
    let at_ns = match at.resolve(at_text, sc.start_time) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::FAILURE;
        }
    };
    if at_ns > sc.duration {
        eprintln!(
            "error: --at {at_text}: past the run's end ({}, {} s): give an instant from 0 to {} s",
            imagefs_sim::units::format_go_duration(sc.duration as i64),
            sc.duration / 1_000_000_000,
            sc.duration / 1_000_000_000
        );
        return ExitCode::FAILURE;
    }
    let req = explain::ExplainRequest { at_ns, kind, any };
    let mut keeper = explain::RerunKeeper::default();
    let e = match explain::explain(&sc, req, &mut keeper) {
        Ok(e) => e,
        Err(nd) => {
            eprintln!("error: {}", explain::no_decision_message(&sc, &req, &nd));
            return ExitCode::FAILURE;
        }
    };
    if let Some(d) = run_dir {
        match explain::first_mismatch(d, &keeper, e.decision.time_ns()) {
            Ok(None) => {}
            Ok(Some(m)) => eprintln!(
                "warning: {} is not what {} produces now ({m}): the scenario or its files changed since the run; this explains the scenario as it is now",
                d.display(),
                sc.path.display()
            ),
            Err(err) => eprintln!("warning: the rerun was not checked against the run: {err:#}"),
        }
    }
    if json {
        match serde_json::to_value(&e) {
            Ok(v) => json_result(v),
            Err(err) => {
                eprintln!("error: {err}");
                return ExitCode::FAILURE;
            }
        }
    } else {
        out!("{}", imagefs_sim::report::explain::render(&e));
    }
    ExitCode::SUCCESS
}

/// The `--set` arguments, or the exit status of a malformed one (2, as clap's own errors).
fn parse_set(args: &[String]) -> Result<Vec<overrides::Override>, ExitCode> {
    overrides::parse_all(args).map_err(|e| {
        eprintln!("error: {e}");
        ExitCode::from(2)
    })
}

/// Which of the scenario's own files `out` is (the scenario, its trace or its catalog file),
/// if any. A scenario that does not parse names none (generate reports its error).
fn input_named_by(scenario: &std::path::Path, out: &std::path::Path) -> Option<&'static str> {
    let same = |a: &std::path::Path| match (a.canonicalize(), out.canonicalize()) {
        (Ok(x), Ok(y)) => x == y,
        _ => false,
    };
    if same(scenario) {
        return Some("the scenario file");
    }
    let text = std::fs::read_to_string(scenario).ok()?;
    let doc: toml::Table = toml::from_str(&text).ok()?;
    let w = doc.get("workload")?.as_table()?;
    let base = scenario.parent().unwrap_or(std::path::Path::new("."));
    for (key, what) in [
        ("trace", "the scenario's trace file"),
        ("catalog", "the scenario's catalog file"),
    ] {
        if let Some(rel) = w.get(key).and_then(|v| v.as_str()) {
            if same(&base.join(rel)) {
                return Some(what);
            }
        }
    }
    None
}

fn sweep_command(
    scenario: PathBuf,
    out: Option<PathBuf>,
    threads: Option<usize>,
    shard: Option<String>,
    metrics: Vec<String>,
    allow_large: bool,
    overrides: Vec<overrides::Override>,
) -> ExitCode {
    use imagefs_sim::sweep::{run_sweep, SweepOptions, SweepSpec, MAX_THREADS};
    // Flags first (exit 2), before the scenario is read.
    if let Some(t) = threads {
        if t == 0 || t > MAX_THREADS {
            eprintln!("error: --threads takes 1 to {MAX_THREADS} worker threads (got {t})");
            return ExitCode::from(2);
        }
    }
    let spec = match SweepSpec::load(&scenario).and_then(|s| s.with_overrides(&overrides)) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::FAILURE;
        }
    };
    let shard = match shard.as_deref().map(|s| {
        s.split_once('/')
            .and_then(|(k, n)| Some((k.trim().parse().ok()?, n.trim().parse().ok()?)))
    }) {
        None => (0, 1),
        Some(Some((k, n))) if n > 0 && k < n => (k, n),
        Some(_) => {
            eprintln!("error: --shard takes K/N with 0 <= K < N, e.g. --shard 3/16");
            return ExitCode::from(2);
        }
    };
    let out = out.unwrap_or_else(|| {
        overrides::with_suffix(
            PathBuf::from("output").join(format!("{}-sweep", spec.name)),
            &overrides,
        )
    });
    let mut opts = SweepOptions::new(out);
    opts.threads = threads;
    opts.shard = shard;
    opts.metrics = metrics;
    opts.progress = mode() == NORMAL;
    opts.allow_large = allow_large;
    // Everything the sweep can be refused for, before its first line of output.
    let estimate = match imagefs_sim::sweep::preflight(&spec, &opts) {
        Ok(e) => e,
        Err(e) => {
            eprintln!("error: {e:#}");
            return ExitCode::FAILURE;
        }
    };
    if let Err(e) = imagefs_sim::sweep::first_runnable_point(&spec, shard) {
        eprintln!("error: {e:#}");
        return ExitCode::FAILURE;
    }
    let points = spec.points();
    outln!(
        "{}: {} points × {} replicates{}",
        scenario.display(),
        points,
        spec.replicates,
        if shard.1 > 1 {
            format!(", shard {}/{}", shard.0, shard.1)
        } else {
            String::new()
        }
    );
    if estimate.large {
        outln!("  a large sweep: {estimate}");
    }
    match run_sweep(&spec, &opts) {
        Ok(r) => {
            if r.journal_discarded {
                outln!(
                    "  the journal in {} was of another sweep or of changed inputs: started over",
                    r.out.display()
                );
            }
            outln!(
                "  {} points in this run: {} computed, {} from the journal",
                r.points,
                r.computed,
                r.resumed
            );
            if let Some(o) = &r.outputs {
                if o.skipped.len() == r.points && r.points > 0 {
                    eprintln!("error: every point was skipped; first: {}", o.skipped[0].1);
                    return ExitCode::FAILURE;
                }
                print_outputs(o);
                json_result(serde_json::json!({
                    "out": r.out.display().to_string(),
                    "points": r.points,
                    "computed": r.computed,
                    "resumed": r.resumed,
                    "journal_discarded": r.journal_discarded,
                    "skipped": o.skipped.iter().map(|(i, why)| serde_json::json!({"point": i, "reason": why})).collect::<Vec<_>>(),
                    "recommendation": o.recommendation.as_ref().map(|r| serde_json::to_value(r).unwrap_or_default()),
                    "files": o.files.iter().map(|f| f.display().to_string()).collect::<Vec<_>>(),
                }));
                if goal_not_met(o) {
                    return ExitCode::from(GOAL_NOT_MET);
                }
            }
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

/// The exit status of a sweep (or merge) whose `[goal]` no point meets: the files are written
/// (recommendation.json names the closest point); a script can tell it from an error (1) and a
/// refused command line (2).
const GOAL_NOT_MET: u8 = 3;

/// Whether a whole sweep's goal was not met (a shard's answer is partial: its exit stays 0, so
/// a job array's shards all succeed and `merge` gives the verdict).
fn goal_not_met(o: &imagefs_sim::sweep::Outputs) -> bool {
    o.recommendation
        .as_ref()
        .is_some_and(|r| !r.found && !r.shard_only)
}

fn print_outputs(o: &imagefs_sim::sweep::Outputs) {
    if !o.skipped.is_empty() {
        outln!(
            "  {} points skipped (the kubelet would reject them; see skipped.csv):",
            o.skipped.len()
        );
        for (why, n) in imagefs_sim::sweep::skip_reasons(&o.skipped) {
            // Grouped by the field the error names; the text shown is the first point's.
            if n == 1 {
                outln!("    1 × {why}");
            } else {
                outln!(
                    "    {n} × {}, e.g. {why}",
                    why.split(':').next().unwrap_or(&why)
                );
            }
        }
    }
    if let Some(r) = &o.recommendation {
        outln!("  recommendation: {r}");
        if !r.note.is_empty() {
            outln!("    ({})", r.note);
        }
    }
    let names: Vec<String> = o
        .files
        .iter()
        .filter_map(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
        .collect();
    if let Some(dir) = o.files.first().and_then(|p| p.parent()) {
        outln!("  wrote {}/{{{}}}", dir.display(), names.join(","));
    }
}
