//! Plots: `usage.png`/`usage.svg` are written with the right size, from memory, from a runner's
//! output directory and from hand-made CSVs.

use std::fs;
use std::path::{Path, PathBuf};

use imagefs_sim::outcome::VecRecorder;
use imagefs_sim::report::plot::{
    plot_dir, plot_run, replot, PlotData, PlotSettings, PLOT_SETTINGS_FILE, PLOT_SIZE,
};
use imagefs_sim::runner::run_to_dir;
use imagefs_sim::scenario::Scenario;
use imagefs_sim::sim::Simulation;

/// The quickstart scenario, shortened.
fn quickstart(duration: &str) -> Scenario {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/quickstart.toml");
    let text = fs::read_to_string(&path).unwrap();
    assert!(text.contains("duration = \"7d\""));
    let text = text.replace("duration = \"7d\"", &format!("duration = \"{duration}\""));
    Scenario::from_str(&path, &text).unwrap()
}

/// Width and height from a PNG's IHDR chunk.
fn png_size(path: &Path) -> (u32, u32) {
    let b = fs::read(path).unwrap();
    assert!(b.len() > 24, "{} is too short", path.display());
    assert_eq!(
        &b[..8],
        b"\x89PNG\r\n\x1a\n",
        "{} is not a PNG",
        path.display()
    );
    assert_eq!(&b[12..16], b"IHDR");
    let be = |i: usize| u32::from_be_bytes([b[i], b[i + 1], b[i + 2], b[i + 3]]);
    (be(16), be(20))
}

fn assert_plots(dir: &Path) {
    let png = dir.join("usage.png");
    let svg = dir.join("usage.svg");
    assert!(
        fs::metadata(&png).unwrap().len() > 10_000,
        "usage.png is tiny"
    );
    assert_eq!(png_size(&png), PLOT_SIZE);
    assert_eq!(PLOT_SIZE, (1600, 1000));
    let text = fs::read_to_string(&svg).unwrap();
    assert!(
        text.starts_with("<svg"),
        "usage.svg starts with {:?}",
        &text[..20]
    );
    assert!(text.trim_end().ends_with("</svg>"));
    assert!(text.contains("<text"), "usage.svg has no text");
}

fn tmp() -> tempfile::TempDir {
    tempfile::tempdir().unwrap()
}

#[test]
fn plot_run_from_memory() {
    let sc = quickstart("12h");
    let mut rec = VecRecorder::default();
    Simulation::new(&sc).run(&mut rec);
    assert!(!rec.samples.is_empty());
    let d = tmp();
    let settings = PlotSettings::from_scenario(&sc);
    assert_eq!(settings.gc_high_percent, 85.0);
    assert_eq!(settings.gc_low_percent, 80.0);
    assert!(settings.title.contains("quickstart"), "{}", settings.title);
    assert!(settings.title.contains("12h"), "{}", settings.title);
    plot_run(d.path(), &rec.samples, &rec.events, &settings).unwrap();
    assert_plots(d.path());
    assert_eq!(PlotSettings::read(d.path()).unwrap(), settings);
}

#[test]
fn replot_a_runner_output_dir() {
    let sc = quickstart("1h");
    let d = tmp();
    let out = d.path().join("run");
    run_to_dir(&sc, &out).unwrap();

    // A plot.json written by the run (the runner's job) is what `plot` uses.
    let mut settings = PlotSettings::from_scenario(&sc);
    settings.eviction_threshold_percent = Some(90.0);
    settings.eviction_label = Some("imagefs.available<10%".into());
    plot_dir(&out, &settings).unwrap();
    assert_plots(&out);
    for f in ["usage.png", "usage.svg"] {
        fs::remove_file(out.join(f)).unwrap();
    }
    replot(&out).unwrap();
    assert_plots(&out);
    assert_eq!(PlotSettings::read(&out).unwrap(), settings);

    // Without plot.json (an older run) it still plots, with thresholds from the events or the
    // kubelet defaults.
    fs::remove_file(out.join(PLOT_SETTINGS_FILE)).unwrap();
    fs::remove_file(out.join("usage.png")).unwrap();
    replot(&out).unwrap();
    assert_plots(&out);
}

#[test]
fn replot_reads_split_layout_columns_and_eviction_events() {
    let d = tmp();
    let dir: PathBuf = d.path().to_path_buf();
    let gib = 1u64 << 30;
    let mut ts = String::from(
        "time_s,capacity_bytes,available_bytes,usage_percent,image_bytes,reported_image_bytes,\
         pulling_bytes,writable_bytes,log_bytes,other_bytes,images,running_pods,containers,\
         nodefs_capacity_bytes,nodefs_available_bytes,imagefs_capacity_bytes,imagefs_available_bytes\n",
    );
    // Two days of 10 s samples: a sawtooth between 70 and 95 %.
    for i in 0..(2 * 86_400 / 10) {
        let t = i * 10;
        let usage = 70 + (i % 250) / 10;
        let cap = 100 * gib;
        let avail = cap - cap / 100 * usage;
        let img = (usage - 60) * gib;
        ts.push_str(&format!(
            "{t},{cap},{avail},{usage},{img},{},0,0,0,0,10,3,3,{},{},{cap},{avail}\n",
            img / 2,
            50 * gib,
            30 * gib
        ));
    }
    fs::write(dir.join("timeseries.csv"), ts).unwrap();
    let events = "time_s,type,reason,object,message\n\
        100.5,Normal,Pulled,pod/a,\"Successfully pulled image \"\"a:1\"\" in 1s (1s including waiting). Image size: 123456789 bytes.\"\n\
        2500,Normal,ImageGCTriggered,node/n,usage=95 highThreshold=90 amountToFree=1 lowThreshold=75\n\
        2500,Normal,ImageDeleted,image/a:1,reason=space reportedBytes=1 freedOnDiskBytes=2\n\
        2600,Warning,NodeHasDiskPressure,node/n,Node n status is now: NodeHasDiskPressure\n\
        2700,Warning,Evicted,pod/b,The node was low on resource: ephemeral-storage.\n\
        2800,Warning,Evicted,pod/c,\"The node had condition: [DiskPressure]. \"\n\
        3000,Normal,NodeHasNoDiskPressure,node/n,Node n status is now: NodeHasNoDiskPressure\n\
        90000,Warning,FreeDiskSpaceFailed,node/n,Failed to garbage collect required amount of images.\n\
        100000,Warning,NodeHasDiskPressure,node/n,Node n status is now: NodeHasDiskPressure\n";
    fs::write(dir.join("events.csv"), events).unwrap();
    replot(&dir).unwrap();
    assert_plots(&dir);

    // What the plot drew, from its data. 17 280 samples (2 days / 10 s), the last at 172 790 s.
    // imagefs usage from `usage_percent`: 70 + (i mod 250)/10, so 70..94; nodefs usage from the
    // nodefs columns: (50 − 30)/50 = 40 % throughout; image bytes (usage − 60) GiB: 10..34 GiB,
    // reported half that. Events: one GC pass (thresholds 90/75 from its message), one
    // deletion by GC, no eviction reclaim, one GC failure, no failed pull, one eviction and one admission rejection (the
    // `The node had condition` text), 123 456 789 bytes pulled; DiskPressure 2600–3000 s and
    // from 100 000 s to the end.
    let d = PlotData::from_files(&dir).unwrap();
    let o = d.overview();
    let g = gib as f64;
    assert_eq!(o.samples, 17_280);
    assert_eq!(o.t_end, 172_790.0);
    assert_eq!(o.usage, Some((70.0, 94.0)));
    assert_eq!(o.nodefs_usage, Some((40.0, 40.0)));
    assert_eq!(o.image_bytes, Some((10.0 * g, 34.0 * g)));
    assert_eq!(o.reported_image_bytes, Some((5.0 * g, 17.0 * g)));
    assert_eq!(o.marks, [1, 1, 0, 1, 0, 1, 1, 0]);
    assert_eq!(o.pulled_bytes, 123_456_789);
    assert_eq!(o.pressure, vec![(2600.0, 3000.0), (100_000.0, 172_790.0)]);
    assert_eq!(o.gc_thresholds, Some((90.0, 75.0)));
    // And the drawing says so: the nodefs series, the thresholds and the period count.
    let svg = fs::read_to_string(dir.join("usage.svg")).unwrap();
    for text in [
        ">\nnodefs usage\n<",
        ">\nGC high 90%\n<",
        ">\nGC low 75%\n<",
        ">\nDiskPressure (2 periods)\n<",
        "reported sizes, 117.7 MiB in all)",
    ] {
        assert!(svg.contains(text), "usage.svg lacks {text:?}");
    }
}

#[test]
fn replot_without_a_timeseries_fails() {
    let d = tmp();
    let e = replot(d.path()).unwrap_err();
    assert!(format!("{e:#}").contains("timeseries.csv"), "{e:#}");
    assert!(replot(&d.path().join("missing")).is_err());
}

/// A peak of one sample is never lost, however long the run: 30 days of 10 s samples
/// (259,200, about 190 per pixel column) at 50 % usage except one sample at 95 % in the middle.
/// Each column draws its samples' minimum and maximum, so the usage line in usage.svg reaches
/// the peak: its points take exactly two heights, and the distance from 50 % to the peak is
/// (95 − 50) / (80 − 50) = 1.5 times the distance from 50 % to the GC low line (80 %).
#[test]
fn a_one_sample_peak_in_a_month_is_drawn() {
    let d = tmp();
    let dir: PathBuf = d.path().to_path_buf();
    let mut ts = String::from(
        "time_s,capacity_bytes,available_bytes,usage_percent,image_bytes,reported_image_bytes,\
         pulling_bytes,writable_bytes,log_bytes,other_bytes,images,running_pods,containers\n",
    );
    let n = 30 * 86_400 / 10;
    for i in 0..n {
        let usage = if i == n / 2 { 95 } else { 50 };
        ts.push_str(&format!(
            "{},100,{},{usage},1,1,0,0,0,0,1,1,1\n",
            i * 10,
            100 - usage
        ));
    }
    fs::write(dir.join("timeseries.csv"), ts).unwrap();
    fs::write(
        dir.join("events.csv"),
        "time_s,type,reason,object,message\n",
    )
    .unwrap();
    let settings = PlotSettings {
        title: "peak".into(),
        subtitle: String::new(),
        gc_high_percent: 85.0,
        gc_low_percent: 80.0,
        eviction_threshold_percent: None,
        eviction_label: None,
    };
    plot_dir(&dir, &settings).unwrap();
    assert_plots(&dir);
    let svg = fs::read_to_string(dir.join("usage.svg")).unwrap();
    // The usage line: the polyline drawn in the usage colour #1F5CAA with width 2 (the image
    // bytes' line has the same colour, in the lower panel: take the first, the usage panel's).
    let line = svg
        .lines()
        .find(|l| {
            l.contains("<polyline") && l.contains("#1F5CAA") && l.contains("stroke-width=\"2\"")
        })
        .expect("the usage line");
    let pts = line
        .split("points=\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap();
    let ys: Vec<f64> = pts
        .split_whitespace()
        .map(|p| p.split(',').nth(1).unwrap().parse().unwrap())
        .collect();
    let mut distinct = ys.clone();
    distinct.sort_by(f64::total_cmp);
    distinct.dedup();
    assert_eq!(distinct.len(), 2, "{distinct:?}");
    let (y_peak, y_flat) = (distinct[0], distinct[1]);
    // The GC low line (dashed, #1E963C): its height.
    let low = svg
        .lines()
        .find(|l| l.contains("#1E963C") && (l.contains("<polyline") || l.contains("<line")))
        .expect("the GC low line");
    let y_low: f64 = if low.contains("points=\"") {
        low.split("points=\"")
            .nth(1)
            .unwrap()
            .split(&[',', ' '][..])
            .nth(1)
            .unwrap()
            .parse()
            .unwrap()
    } else {
        low.split("y1=\"")
            .nth(1)
            .unwrap()
            .split('"')
            .next()
            .unwrap()
            .parse()
            .unwrap()
    };
    let ratio = (y_flat - y_peak) / (y_flat - y_low);
    assert!(
        (ratio - 1.5).abs() < 0.02,
        "ratio {ratio}: {y_peak} {y_low} {y_flat}"
    );
}

/// `run` draws usage.png and usage.svg, and writes report.html, from the samples and events in
/// memory; `plot DIR` from the CSVs. The two are the same to the byte, for every shipped scenario (shortened to at
/// most 2 days: its first pulls, passes, evictions, fractional event times).
#[test]
fn plot_from_memory_is_the_plot_from_the_files() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
    let mut names: Vec<PathBuf> = fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    names.sort();
    assert!(names.len() >= 10);
    for path in names {
        let text = fs::read_to_string(&path).unwrap();
        let short = text
            .lines()
            .map(|l| {
                if l.starts_with("duration = ") {
                    "duration = \"2d\"".to_string()
                } else {
                    l.to_string()
                }
            })
            .collect::<Vec<_>>()
            .join("\n");
        let sc = Scenario::from_str(&path, &short).unwrap();
        let t = tmp();
        let out = t.path().join("run");
        run_to_dir(&sc, &out).unwrap();
        let files = ["usage.png", "usage.svg", "report.html"];
        let from_memory: Vec<Vec<u8>> = files
            .iter()
            .map(|f| fs::read(out.join(f)).unwrap())
            .collect();
        replot(&out).unwrap();
        for (f, mem) in files.iter().zip(from_memory) {
            assert!(
                fs::read(out.join(f)).unwrap() == mem,
                "{}: {f} from memory differs from the one redrawn from the CSVs",
                path.display()
            );
        }
    }
}
