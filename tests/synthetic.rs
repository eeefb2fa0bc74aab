//! `[workload.synthetic]`: the samplers match their parameters, Zipf ranks follow the exponent,
//! rollout tags share all but their top layers, the trace is byte-identical across runs, and
//! `generate` output re-parses into the events `run` replays.
//!
//! Statistical checks use 10^5 samples with fixed seeds; tolerances come from the sample size
//! (Kolmogorov–Smirnov critical value 1.95/√n at α = 0.001, moments within 5 standard errors),
//! so a wrong parameterisation (median for mean, rate for mean, α off by 0.1) fails them.

use std::path::Path;

use imagefs_sim::runner::generate_file;
use imagefs_sim::scenario::Scenario;
use imagefs_sim::workload::synthetic::{format_time, write_trace, Arrivals, Dist, Zipf};
use imagefs_sim::workload::trace::{parse_time, parse_trace, Owner, TraceAction};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

const N: usize = 100_000;

/// Φ(x) via erfc (Numerical Recipes' Chebyshev fit, |error| < 1.2e-7).
fn normal_cdf(x: f64) -> f64 {
    let z = x.abs() / std::f64::consts::SQRT_2;
    let t = 1.0 / (1.0 + 0.5 * z);
    let erfc = t
        * (-z * z - 1.26551223
            + t * (1.00002368
                + t * (0.37409196
                    + t * (0.09678418
                        + t * (-0.18628806
                            + t * (0.27886807
                                + t * (-1.13520398
                                    + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))))
            .exp();
    if x >= 0.0 {
        1.0 - erfc / 2.0
    } else {
        erfc / 2.0
    }
}

/// The Kolmogorov–Smirnov statistic of `xs` against `cdf`.
fn ks(mut xs: Vec<f64>, cdf: impl Fn(f64) -> f64) -> f64 {
    xs.sort_by(|a, b| a.partial_cmp(b).unwrap());
    let n = xs.len() as f64;
    xs.iter()
        .enumerate()
        .map(|(i, &x)| {
            let f = cdf(x);
            (f - i as f64 / n).abs().max(((i + 1) as f64 / n - f).abs())
        })
        .fold(0.0, f64::max)
}

fn ks_critical(n: usize) -> f64 {
    1.95 / (n as f64).sqrt()
}

fn samples(d: Dist, seed: u64) -> Vec<f64> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    (0..N).map(|_| d.sample(&mut rng)).collect()
}

#[test]
fn normal_cdf_is_accurate() {
    assert!((normal_cdf(0.0) - 0.5).abs() < 1e-7);
    assert!((normal_cdf(1.959964) - 0.975).abs() < 1e-6);
    assert!((normal_cdf(-1.0) - 0.158655254).abs() < 1e-6);
}

#[test]
fn lognormal_by_median_matches_its_parameters() {
    let (median, sigma) = (30.0 * 1048576.0, 1.0);
    let xs = samples(Dist::lognormal_median(median, sigma), 1);
    let mu = median.ln();
    let d = ks(xs.clone(), |x| normal_cdf((x.ln() - mu) / sigma));
    assert!(d < ks_critical(N), "KS D = {d}");
    // Moments of ln x: mean mu (se sigma/√n), variance sigma² (se ≈ sigma²·√(2/n)).
    let logs: Vec<f64> = xs.iter().map(|x| x.ln()).collect();
    let m = logs.iter().sum::<f64>() / N as f64;
    let v = logs.iter().map(|l| (l - m) * (l - m)).sum::<f64>() / (N - 1) as f64;
    assert!(
        (m - mu).abs() < 5.0 * sigma / (N as f64).sqrt(),
        "mean of ln {m} vs {mu}"
    );
    assert!(
        (v - sigma * sigma).abs() < 5.0 * sigma * sigma * (2.0 / N as f64).sqrt(),
        "variance of ln {v}"
    );
    // The same samples are not lognormal around a median twice as large.
    let d2 = ks(xs, |x| normal_cdf((x.ln() - (2.0 * median).ln()) / sigma));
    assert!(d2 > ks_critical(N), "a wrong median must fail: D = {d2}");
}

#[test]
fn lognormal_by_mean_has_that_mean() {
    // Lifetimes are given by their mean: mu = ln(mean) − σ²/2.
    let (mean, sigma) = (1800.0, 0.8);
    let d = Dist::lognormal_mean(mean, sigma);
    assert!((d.mean() - mean).abs() < 1e-6);
    let xs = samples(d, 2);
    let mu = mean.ln() - sigma * sigma / 2.0;
    let dks = ks(xs.clone(), |x| normal_cdf((x.ln() - mu) / sigma));
    assert!(dks < ks_critical(N), "KS D = {dks}");
    // Sample mean within 5 standard errors (sd of a lognormal: mean·√(e^σ² − 1)).
    let m = xs.iter().sum::<f64>() / N as f64;
    let se = mean * ((sigma * sigma).exp() - 1.0).sqrt() / (N as f64).sqrt();
    assert!((m - mean).abs() < 5.0 * se, "sample mean {m} vs {mean}");
}

#[test]
fn exponential_matches_its_mean() {
    let mean = 600.0;
    let xs = samples(Dist::Exponential { mean }, 3);
    let d = ks(xs.clone(), |x| 1.0 - (-x / mean).exp());
    assert!(d < ks_critical(N), "KS D = {d}");
    let m = xs.iter().sum::<f64>() / N as f64;
    assert!(
        (m - mean).abs() < 5.0 * mean / (N as f64).sqrt(),
        "mean {m}"
    );
    let d2 = ks(xs, |x| 1.0 - (-x / (1.1 * mean)).exp());
    assert!(d2 > ks_critical(N), "a 10% wrong mean must fail: D = {d2}");
}

#[test]
fn poisson_arrivals_have_exponential_gaps() {
    let a = Arrivals {
        rate: 0.01,
        amplitude: 0.0,
        peak_s: 0.0,
    };
    let mut rng = ChaCha8Rng::seed_from_u64(4);
    let mut t = 0.0;
    let gaps: Vec<f64> = (0..N)
        .map(|_| {
            let next = a.next(&mut rng, t);
            let g = next - t;
            t = next;
            g
        })
        .collect();
    let d = ks(gaps, |x| 1.0 - (-0.01 * x).exp());
    assert!(d < ks_critical(N), "KS D = {d}");
}

#[test]
fn diurnal_arrivals_follow_the_profile() {
    // rate·(1 + a·cos(2π(t − peak)/1d)): count arrivals per hour of day and compare with the
    // integral of the intensity over that hour, within 5√E (Poisson).
    let a = Arrivals {
        rate: 100.0 / 3600.0,
        amplitude: 0.6,
        peak_s: 14.0 * 3600.0,
    };
    let mut rng = ChaCha8Rng::seed_from_u64(5);
    let mut counts = [0u64; 24];
    let mut t = 0.0;
    let mut n = 0;
    while n < N {
        t = a.next(&mut rng, t);
        counts[((t % 86400.0) / 3600.0) as usize] += 1;
        n += 1;
    }
    let days = t / 86400.0;
    for (h, &c) in counts.iter().enumerate() {
        // ∫ over the hour, by a fine midpoint rule.
        let steps = 360;
        let e: f64 = (0..steps)
            .map(|i| a.intensity(h as f64 * 3600.0 + (i as f64 + 0.5) * 10.0) * 10.0)
            .sum::<f64>()
            * days;
        assert!(
            (c as f64 - e).abs() < 5.0 * e.sqrt() + 0.01 * e,
            "hour {h}: {c} arrivals, expected {e:.0}"
        );
    }
    assert!(counts[14] > 3 * counts[2], "peak {counts:?}");
}

#[test]
fn zipf_ranks_follow_the_exponent() {
    let (n, alpha) = (50, 0.9);
    let z = Zipf::new(n, alpha);
    let mut rng = ChaCha8Rng::seed_from_u64(6);
    let mut counts = vec![0u64; n];
    for _ in 0..N {
        counts[z.sample(&mut rng)] += 1;
    }
    let h: f64 = (1..=n).map(|k| (k as f64).powf(-alpha)).sum();
    for (k, &c) in counts.iter().enumerate() {
        let p = ((k + 1) as f64).powf(-alpha) / h;
        assert!((z.probability(k) - p).abs() < 1e-12);
        let se = (p * (1.0 - p) / N as f64).sqrt();
        let phat = c as f64 / N as f64;
        assert!((phat - p).abs() < 5.0 * se, "rank {}: {phat} vs {p}", k + 1);
    }
    // Least-squares slope of ln(count) on ln(rank) over the top 10 ranks = −α.
    let pts: Vec<(f64, f64)> = (0..10)
        .map(|k| (((k + 1) as f64).ln(), (counts[k] as f64).ln()))
        .collect();
    let mx = pts.iter().map(|p| p.0).sum::<f64>() / 10.0;
    let my = pts.iter().map(|p| p.1).sum::<f64>() / 10.0;
    let slope = pts.iter().map(|p| (p.0 - mx) * (p.1 - my)).sum::<f64>()
        / pts.iter().map(|p| (p.0 - mx).powi(2)).sum::<f64>();
    assert!((slope + alpha).abs() < 0.05, "fitted exponent {}", -slope);
}

const BASE: &str = r#"
name = "syn"
duration = "3d"
seed = 42

[node]
disk = "200Gi"
pull_bandwidth = "100Mi"

[workload.synthetic]

[[workload.synthetic.family]]
name = "web"
images = 20
base_layers = 2
app_layers = 4

[workload.synthetic.pods]
rate = 30
diurnal_amplitude = 0.5
zipf_alpha = 1.1
lifetime = "20m"
completes = true
owner = "Job"
writable_rate = "10Ki"
log_rate = "1Ki"
log_cap = "10Mi"
request = "1Gi"
limit = "1500Mi"
priority = 100

[[workload.synthetic.rollout]]
name = "shop"
family = "web"
every = "6h"
replicas = 3
top_layers = 2

[[workload.synthetic.cronjob]]
name = "nightly"
family = "web"
every = "24h"
runtime = "10m"

[[workload.synthetic.daemonset]]
name = "agent"
family = "web"
priority = 2000001000
"#;

fn load(text: &str) -> Scenario {
    Scenario::from_str(Path::new("syn.toml"), text).unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn rollout_tags_share_all_but_the_top_layers() {
    let sc = load(BASE);
    let syn = sc.synthetic.as_ref().unwrap();
    let (name, tags) = &syn.rollout_tags()[0];
    assert_eq!(name, "shop");
    assert_eq!(tags.len(), 13, "a tag every 6h over 3 days, t = 0 included");
    for w in tags.windows(2) {
        let (a, b) = (&syn.images[w[0]].layers, &syn.images[w[1]].layers);
        assert_eq!(a.len(), 6);
        assert_eq!(b.len(), 6);
        assert_eq!(a[..4], b[..4], "all but the top 2 layers shared");
        assert!(a[4..].iter().all(|l| !b.contains(l)), "top layers rebuilt");
    }
    // The family's base layers are shared with the family's other images.
    let app0 = &syn.images[syn.image_of_rank(0)].layers;
    assert_eq!(app0[..2], syn.images[tags[0]].layers[..2]);
    // And the scenario catalog holds them by name, with their layers.
    let i = sc.catalog.image_index("web/shop:v2").unwrap();
    assert_eq!(i, syn.image_offset + tags[1]);
    assert_eq!(sc.catalog.images[i].layers.len(), 6);
}

#[test]
fn the_trace_uses_eviction_columns_and_zipf_popularity() {
    let sc = load(BASE);
    let syn = sc.synthetic.as_ref().unwrap();
    let mut by_image = vec![0u64; sc.catalog.images.len()];
    let mut owners = std::collections::BTreeMap::new();
    for ev in sc.trace.iter() {
        if let TraceAction::Create(p) = &ev.action {
            let key = format!("{:?}", p.owner);
            *owners.entry(key).or_insert(0) += 1;
            let c = &p.containers[0];
            by_image[c.image] += 1;
            match p.owner {
                Owner::Job if p.name.starts_with("nightly") => {}
                Owner::Job => {
                    assert_eq!(c.request.as_ref().unwrap().value(), 1 << 30);
                    assert_eq!(p.priority, Some(100));
                    assert_eq!(c.log_cap, 10 << 20);
                }
                Owner::ReplicaSet => assert!(p.name.starts_with("shop-v")),
                Owner::DaemonSet => assert_eq!(p.priority, Some(2000001000)),
                Owner::None => panic!("no owner-less pods in this scenario"),
            }
        }
    }
    assert_eq!(owners["DaemonSet"], 1);
    // 13 tags × 3 replicas, but the last tag (t = 72h) only gets replica 0 before the end.
    assert_eq!(owners["ReplicaSet"], 12 * 3 + 1);
    // Popular ranks get more pods: rank 1 over rank 4 is 4^1.1 ≈ 4.6 in expectation.
    let n = |k: usize| by_image[syn.image_offset + syn.image_of_rank(k)] as f64;
    let total: f64 = (0..20).map(n).sum();
    assert!(total > 1500.0, "{total} pods");
    let ratio = n(0) / n(3);
    assert!(ratio > 3.0 && ratio < 7.0, "rank 1/rank 4 = {ratio}");
    // Pause image: pinned and preloaded.
    let pause = sc
        .catalog
        .image_index("registry.k8s.io/pause:3.10")
        .unwrap();
    assert!(sc.catalog.images[pause].pinned);
    assert!(sc.preloaded.contains(&pause));
}

#[test]
fn times_are_written_so_they_parse_back_exactly() {
    for ns in [
        0u64,
        1_000_000,
        870_000_000,
        1_234_000_000_000,
        31_536_000_123_000_000,
        5_000_000_000_001_000_000,
    ] {
        assert_eq!(
            parse_time(&format_time(ns)).unwrap(),
            ns,
            "{}",
            format_time(ns)
        );
    }
}

fn generate(text: &str, dir: &Path, name: &str) -> Vec<u8> {
    let scen = dir.join(format!("{name}.toml"));
    std::fs::write(&scen, text).unwrap();
    let out = dir.join(format!("{name}.csv"));
    generate_file(&scen, &[], &out).unwrap();
    std::fs::read(&out).unwrap()
}

#[test]
fn the_trace_is_byte_identical_across_runs() {
    let dir = tempfile::tempdir().unwrap();
    let a = generate(BASE, dir.path(), "a");
    let b = generate(BASE, dir.path(), "b");
    assert!(a.len() > 10_000);
    assert!(a == b, "same scenario and seed, different bytes");
    let c = generate(&BASE.replace("seed = 42", "seed = 43"), dir.path(), "c");
    assert!(a != c, "another seed must give another trace");
    // Adding a cronjob leaves the other sources' draws alone (one RNG stream each).
    let more = BASE.to_string()
        + "\n[[workload.synthetic.cronjob]]\nname = \"extra\"\nfamily = \"web\"\nevery = \"7h\"\n";
    let d = generate(&more, dir.path(), "d");
    let pods = |bytes: &[u8]| -> Vec<String> {
        String::from_utf8_lossy(bytes)
            .lines()
            .filter(|l| l.contains(",web-app-"))
            .map(str::to_string)
            .collect()
    };
    assert_eq!(pods(&a), pods(&d));
}

#[test]
fn generate_output_reparses_into_the_events_run_replays() {
    let dir = tempfile::tempdir().unwrap();
    let mut cases: Vec<(String, String)> = vec![("base".into(), BASE.into())];
    for s in [
        "ci-churn",
        "cronjob-vs-maxage",
        "big-ml-images",
        "daemonset-pressure",
    ] {
        let p = Path::new("scenarios").join(format!("{s}.toml"));
        cases.push((s.into(), std::fs::read_to_string(p).unwrap()));
    }
    for (name, text) in cases {
        let sc = load(&text);
        assert!(!sc.trace.is_empty(), "{name}");
        let bytes = generate(&text, dir.path(), &name);
        let csv = String::from_utf8(bytes).unwrap();
        let events = parse_trace(Path::new("x.csv"), &csv, &|n| sc.catalog.image_index(n))
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(events.len(), sc.trace.len(), "{name}");
        for (i, (a, b)) in events.iter().zip(sc.trace.iter()).enumerate() {
            assert_eq!(a, b, "{name}: event {i}");
        }
        assert!(sc.trace.last().unwrap().time <= sc.duration);
        // The run-side writer gives the same bytes from the collected trace.
        let mut again = Vec::new();
        let first = csv.lines().next().unwrap().trim_start_matches("# ");
        write_trace(&mut again, first, sc.trace.iter().cloned()).unwrap();
        assert!(
            again == csv.as_bytes(),
            "{name}: streamed and collected traces differ"
        );
    }
}

fn err(text: &str) -> String {
    match Scenario::from_str(Path::new("bad.toml"), text) {
        Ok(_) => panic!("accepted bad input"),
        Err(e) => e.to_string(),
    }
}

#[test]
fn bad_input_names_file_line_and_field() {
    let e = err(&BASE.replace("rate = 30", "rate = -2"));
    assert!(
        e.starts_with("bad.toml:19: workload.synthetic.pods.rate: -2 must be greater than 0"),
        "{e}"
    );
    let e = err(&BASE.replace("lifetime = \"20m\"", "lifetime = \"0s\""));
    assert!(
        e.starts_with("bad.toml:22: workload.synthetic.pods.lifetime: must be greater than 0"),
        "{e}"
    );
    let e = err(&BASE.replace("every = \"6h\"", "every = \"0s\""));
    assert!(
        e.contains("workload.synthetic.rollout.every: must be greater than 0"),
        "{e}"
    );
    let e = err(&BASE.replace("zipf_alpha = 1.1", "zipf_alpha = 1.1\nzipf_beta = 2"));
    assert!(e.starts_with("bad.toml:"), "{e}");
    assert!(e.contains("zipf_beta"), "{e}");
    let e = err(&BASE.replace("images = 20", "images = 20\nbase_size = \"0\""));
    assert!(
        e.starts_with("bad.toml:15: workload.synthetic.family.base_size: must be greater than 0"),
        "{e}"
    );
    let e = err(&BASE.replace(
        "family = \"web\"\nevery = \"24h\"",
        "family = \"db\"\nevery = \"24h\"",
    ));
    assert!(
        e.contains("workload.synthetic.cronjob.family: family \"db\" is not defined"),
        "{e}"
    );
    let e = err(&BASE.replace("top_layers = 2", "top_layers = 5"));
    assert!(
        e.contains("workload.synthetic.rollout.top_layers: 5 is more than"),
        "{e}"
    );
    let e = err(&BASE.replace("writable_rate = \"10Ki\"", "writable_rate = \"-1Ki\""));
    assert!(e.contains("workload.synthetic.pods.writable_rate:"), "{e}");
    let e = err(&BASE.replace(
        "[workload.synthetic]\n",
        "[workload]\ntrace = \"t.csv\"\n\n[workload.synthetic]\n",
    ));
    assert!(
        e.starts_with("bad.toml:13: workload.synthetic: give either trace"),
        "{e}"
    );
    let none = BASE
        .split("[workload.synthetic]")
        .next()
        .unwrap()
        .to_string()
        + "[workload]\n";
    let e = err(&none);
    assert!(e.contains("workload.trace: missing"), "{e}");
}

#[test]
fn the_generate_command_writes_the_trace_atomically() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("t.csv");
    let run = || {
        let o = std::process::Command::new(env!("CARGO_BIN_EXE_imagefs-sim"))
            .args(["generate", "scenarios/cronjob-vs-maxage.toml", "--out"])
            .arg(&out)
            .output()
            .unwrap();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        std::fs::read(&out).unwrap()
    };
    let (a, b) = (run(), run());
    assert!(a == b);
    let names: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
    assert_eq!(names.len(), 1, "no temporary file left behind");
    let sc = Scenario::load(Path::new("scenarios/cronjob-vs-maxage.toml")).unwrap();
    let events = parse_trace(&out, &String::from_utf8(a).unwrap(), &|n| {
        sc.catalog.image_index(n)
    })
    .unwrap();
    assert_eq!(events, *sc.trace);
    // A bad scenario fails without writing anything.
    let o = std::process::Command::new(env!("CARGO_BIN_EXE_imagefs-sim"))
        .args(["generate", "no-such.toml", "--out"])
        .arg(dir.path().join("u.csv"))
        .output()
        .unwrap();
    assert!(!o.status.success());
    assert!(!dir.path().join("u.csv").exists());
}
