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
        "ci-fresh-builds",
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

// ---------------------------------------------------------------------------------------------
// image_size: layers derived from an image's compressed size
// ---------------------------------------------------------------------------------------------

/// A scenario with one `[[workload.synthetic.family]]` written as `family` and `extra` tables
/// after it.
fn image_size_scenario(family: &str, extra: &str) -> Scenario {
    load(&format!(
        r#"
name = "sizes"
duration = "1h"
seed = 3
[node]
disk = "200Gi"
pull_bandwidth = "100Mi"
image_size_reporting = "compressed"
[workload.synthetic]
pause_image = ""
[[workload.synthetic.family]]
name = "web"
{family}
{extra}
"#
    ))
}

/// (compressed, unpacked) bytes of each layer of image `name`, and its reported size.
fn layers_of(sc: &Scenario, name: &str) -> (Vec<(u64, u64)>, u64) {
    let i = sc
        .catalog
        .image_index(name)
        .unwrap_or_else(|| panic!("{name}"));
    let ls = sc.catalog.images[i]
        .layers
        .iter()
        .map(|&l| (sc.catalog.layers[l].compressed, sc.catalog.layers[l].size))
        .collect();
    (ls, sc.catalog.reported_size(i))
}

#[test]
fn image_size_splits_the_compressed_image_over_base_and_app_layers() {
    // image_size = 1000Mi = 1,048,576,000 bytes compressed, sigma 0 (every image that size).
    // base_share 0.4: the 2 base layers hold 0.4 × 1,048,576,000 = 419,430,400 bytes, split
    // evenly: 209,715,200 (200Mi) each. The 3 app layers share the other 629,145,600 evenly:
    // 209,715,200 each. Unpacked = compressed × 2.7 (the default unpack_ratio) =
    // 566,231,040 bytes per layer.
    let sc = image_size_scenario(
        r#"images = 2
base_layers = 2
app_layers = 3
image_size = "1000Mi"
base_share = 0.4"#,
        "[[workload.synthetic.cronjob]]\nname = \"nightly\"\nfamily = \"web\"\nevery = \"24h\"",
    );
    for name in ["web/app-0:1.0", "web/app-1:1.0", "web/nightly:1.0"] {
        let (layers, reported) = layers_of(&sc, name);
        assert_eq!(layers, vec![(209_715_200, 566_231_040); 5], "{name}");
        // containerd reports the compressed size: exactly the image_size asked for.
        assert_eq!(reported, 1_048_576_000, "{name}");
    }
    // The base layers are the family's: the same layer IDs in every image.
    let base =
        |name: &str| sc.catalog.images[sc.catalog.image_index(name).unwrap()].layers[..2].to_vec();
    assert_eq!(base("web/app-0:1.0"), base("web/app-1:1.0"));
    assert_eq!(base("web/app-0:1.0"), base("web/nightly:1.0"));
}

#[test]
fn image_size_rounds_to_the_byte_and_keeps_the_sum_exact() {
    // image_size = 1,000,004 bytes, base_share 0.3, unpack_ratio 2.5.
    // Base: round(0.3 × 1,000,004) = round(300,001.2) = 300,001 over 2 layers: 150,001 and
    //   150,000 (the first layer takes the odd byte).
    // App: 1,000,004 − 300,001 = 700,003 over 3 layers: 700,003 = 3 × 233,334 + 1, so
    //   233,335, 233,334, 233,334.
    // Unpacked = round(compressed × 2.5): 375,002.5 → 375,003; 375,000; 583,337.5 → 583,338;
    //   583,335; 583,335.
    let fam = r#"images = 1
base_layers = 2
app_layers = 3
image_size = 1000004
base_share = 0.3
unpack_ratio = 2.5"#;
    // Rollout "keep": no image_size of its own, so the family's rule; top_layers = 1 keeps the
    //   lower 2 app layers of the median image (233,335 and 233,334) and rebuilds the top one
    //   from what is left: 1,000,004 − 300,001 − 466,669 = 233,334.
    // Rollout "big": image_size = 2,000,000, top_layers = 2. Its app part is
    //   2,000,000 − 300,001 = 1,699,999 = 3 × 566,666 + 1 → split 566,667, 566,666, 566,666; the
    //   lowest (566,667) is shared by every tag; the 2 top layers share
    //   2,000,000 − 300,001 − 566,667 = 1,133,332: 566,666 each.
    let rollouts = r#"
[[workload.synthetic.rollout]]
name = "keep"
family = "web"
every = "20m"
top_layers = 1
[[workload.synthetic.rollout]]
name = "big"
family = "web"
every = "20m"
top_layers = 2
image_size = 2000000"#;
    let sc = image_size_scenario(fam, rollouts);
    let base = [(150_001, 375_003), (150_000, 375_000)];
    let (app0, reported) = layers_of(&sc, "web/app-0:1.0");
    assert_eq!(
        app0,
        [
            &base[..],
            &[(233_335, 583_338), (233_334, 583_335), (233_334, 583_335)]
        ]
        .concat()
    );
    assert_eq!(reported, 1_000_004);
    assert_eq!(app0.iter().map(|l| l.0).sum::<u64>(), 1_000_004);
    // 1h every 20m: tags v1..v4 (t = 0, 20m, 40m, 60m).
    for v in 1..=4 {
        let (keep, reported) = layers_of(&sc, &format!("web/keep:v{v}"));
        assert_eq!(
            keep,
            [
                &base[..],
                &[(233_335, 583_338), (233_334, 583_335), (233_334, 583_335)]
            ]
            .concat()
        );
        assert_eq!(reported, 1_000_004);
        let (big, reported) = layers_of(&sc, &format!("web/big:v{v}"));
        // 566,667 × 2.5 = 1,416,667.5 → 1,416,668; 566,666 × 2.5 = 1,416,665.
        assert_eq!(
            big,
            [
                &base[..],
                &[
                    (566_667, 1_416_668),
                    (566_666, 1_416_665),
                    (566_666, 1_416_665)
                ]
            ]
            .concat()
        );
        assert_eq!(reported, 2_000_000);
    }
    // Tags share the layers below their top ones (same IDs), and rebuild the top ones.
    let ids = |name: &str| {
        sc.catalog.images[sc.catalog.image_index(name).unwrap()]
            .layers
            .clone()
    };
    let (k1, k2) = (ids("web/keep:v1"), ids("web/keep:v2"));
    assert_eq!(k1[..4], k2[..4]);
    assert_ne!(k1[4], k2[4]);
    let (b1, b2) = (ids("web/big:v1"), ids("web/big:v2"));
    assert_eq!(b1[..3], b2[..3]);
    assert!(b1[3..].iter().all(|l| !b2.contains(l)));
}

#[test]
fn image_size_sigma_spreads_images_lognormally_around_the_median() {
    // 2000 images of median 100Mi compressed, sigma 0.5; base_share 0.2 → one 20Mi base layer
    // shared by all. The log of the image sizes should have median ln(100Mi) (within 5 standard
    // errors of a sample median, 5 × 1.2533·σ/√n ≈ 0.07) and standard deviation 0.5 (within
    // 5 × σ/√(2n) ≈ 0.04). A draw below the base plus a byte per app layer is raised to it
    // (P(Z < ln 0.2 / 0.5 = −3.2) ≈ 0.07 %: about 1 image), so the app part is never empty.
    let sc = image_size_scenario(
        r#"images = 2000
base_layers = 1
app_layers = 2
image_size = "100Mi"
image_size_sigma = 0.5
base_share = 0.2"#,
        "[workload.synthetic.pods]\nrate = 1\nlifetime = \"1m\"",
    );
    let base = 20_971_520u64; // round(0.2 × 104,857,600)
    let mut logs = Vec::new();
    let mut base_ids = std::collections::BTreeSet::new();
    for i in 0..2000 {
        let (layers, reported) = layers_of(&sc, &format!("web/app-{i}:1.0"));
        assert_eq!(layers[0].0, base);
        let (a, b) = (layers[1].0, layers[2].0);
        assert!(a == b || a == b + 1, "even split: {a} {b}");
        assert_eq!(reported, base + a + b);
        assert!(reported >= base + 2);
        logs.push((reported as f64).ln());
        base_ids.insert(
            sc.catalog.images[sc.catalog.image_index(&format!("web/app-{i}:1.0")).unwrap()].layers
                [0],
        );
    }
    assert_eq!(base_ids.len(), 1, "one base layer for the family");
    logs.sort_by(|a, b| a.partial_cmp(b).unwrap());
    let median = (logs[999] + logs[1000]) / 2.0;
    assert!(
        (median - (104_857_600f64).ln()).abs() < 0.07,
        "log median {median}"
    );
    let mean = logs.iter().sum::<f64>() / 2000.0;
    let sd = (logs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / 1999.0).sqrt();
    assert!((sd - 0.5).abs() < 0.04, "log sd {sd}");
}

#[test]
fn split_even_adds_up_to_the_total() {
    use imagefs_sim::workload::synthetic::split_even;
    assert_eq!(split_even(10, 3), vec![4, 3, 3]);
    assert_eq!(split_even(11, 3), vec![4, 4, 3]);
    assert_eq!(split_even(5, 0), Vec::<u64>::new());
    let mut rng = ChaCha8Rng::seed_from_u64(11);
    for _ in 0..10_000 {
        let total: u64 = rand::Rng::gen_range(&mut rng, 0..u64::MAX);
        let n: usize = rand::Rng::gen_range(&mut rng, 1..40);
        let parts = split_even(total, n);
        assert_eq!(
            parts.iter().map(|&p| p as u128).sum::<u128>(),
            total as u128
        );
        assert!(parts.windows(2).all(|w| w[0] == w[1] || w[0] == w[1] + 1));
    }
}

// ---------------------------------------------------------------------------------------------
// fresh_image: every pod of the stream runs a newly built image
// ---------------------------------------------------------------------------------------------

/// A 7-day CI stream (6 pods/hour, lifetime 20m, deleted when done) over one family, on a
/// `disk`; `extra` goes into `[workload.synthetic.pods]`. Eviction is off (every signal at 0 %)
/// so that only image GC deletes images.
fn ci_stream(disk: &str, family: &str, pods: &str) -> Scenario {
    load(&format!(
        r#"
name = "fresh"
duration = "7d"
seed = 9
[node]
disk = "{disk}"
pull_bandwidth = "200Mi"
image_size_reporting = "compressed"
[kubelet]
evictionHard = {{ "imagefs.available" = "0%", "nodefs.available" = "0%" }}
[workload.synthetic]
[[workload.synthetic.family]]
name = "ci"
base_layers = 2
app_layers = 3
{family}
[workload.synthetic.pods]
rate = 6
lifetime = "20m"
lifetime_sigma = 0.5
{pods}
"#
    ))
}

fn summary(sc: &Scenario) -> imagefs_sim::outcome::Summary {
    imagefs_sim::sim::Simulation::new(sc).run(&mut imagefs_sim::outcome::NullRecorder)
}

#[test]
fn fresh_image_gives_every_pod_its_own_image_over_the_shared_layers() {
    // image_size = 1000Mi, sigma 0, base_share 0.4: base layers 2 × 209,715,200 and app layers
    // 3 × 209,715,200 compressed (as in image_size_splits_the_compressed_image_over_base_and_app_layers).
    // A fresh image keeps its parent's base and lower 2 app layers (4 × 209,715,200 =
    // 838,860,800) and gets a new top layer of 1,048,576,000 − 838,860,800 = 209,715,200
    // compressed, 566,231,040 unpacked: 1000Mi reported, like every image of the family.
    let sc = ci_stream(
        "200Gi",
        "images = 10\nimage_size = \"1000Mi\"\nbase_share = 0.4",
        "fresh_image = true",
    );
    let syn = sc.synthetic.as_ref().unwrap();
    let fresh = syn.fresh_images();
    let mut used = Vec::new();
    for ev in sc.trace.iter() {
        if let TraceAction::Create(p) = &ev.action {
            used.push(p.containers[0].image);
        }
    }
    let n = used.len();
    // 7 days at 6/h: 1008 pods expected (Poisson: ±5 sd = ±159).
    assert!((849..=1167).contains(&n), "{n} pods");
    // One image per pod, in pod order, each used once: the catalog holds no unused fresh image.
    assert_eq!(fresh.len(), n);
    let expected: Vec<usize> = fresh.clone().map(|i| syn.image_offset + i).collect();
    assert_eq!(used, expected);
    let family_base = &syn.images[syn.image_of_rank(0)].layers[..2];
    let mut tops = std::collections::BTreeSet::new();
    for (k, i) in fresh.enumerate() {
        let im = &syn.images[i];
        assert!(
            im.name.starts_with("ci/app-") && im.name.ends_with(&format!(":build-{k}")),
            "{}",
            im.name
        );
        assert_eq!(im.layers.len(), 5);
        assert_eq!(&im.layers[..2], family_base, "the family's base layer IDs");
        // Below the top: the layers of the family image it was built from.
        let parent = im.name.replace(&format!(":build-{k}"), ":1.0");
        let p = sc.catalog.image_index(&parent).unwrap();
        assert_eq!(im.layers[..4], sc.catalog.images[p].layers[..4]);
        assert!(tops.insert(im.layers[4]), "a new top layer per image");
        let top = &syn.layers[im.layers[4]];
        assert_eq!((top.compressed, top.size), (209_715_200, 566_231_040));
        let g = syn.image_offset + i;
        assert_eq!(sc.catalog.reported_size(g), 1_048_576_000);
    }
}

#[test]
fn fresh_images_are_never_counted_as_repulls() {
    let fam = "images = 40\nbase_size = \"250Mi\"\napp_size = \"200Mi\"";
    // A disk that never fills: every fresh image pulled once, none deleted.
    let sc = ci_stream("2Ti", fam, "fresh_image = true");
    // Each pod pulls its image, except one created too near the end for its pull to finish
    // (a pull of a new image: at most 1.5 GiB at 200Mi/s, under 8 s).
    let created_before = |t: u64| {
        sc.trace
            .iter()
            .filter(|e| e.time < t && matches!(e.action, TraceAction::Create(_)))
            .count() as u64
    };
    let big = summary(&sc);
    assert_eq!(big.images_deleted, 0);
    assert_eq!(big.pods_created, created_before(u64::MAX));
    let end = 7 * 86400 * 1_000_000_000u64;
    assert!(big.pulls >= created_before(end - 60_000_000_000) && big.pulls <= big.pods_created);
    assert_eq!(big.repulls, 0);
    // A 40Gi disk: image GC deletes fresh images all week, and still no pull is a re-pull (a
    // fresh image is pulled by its one pod only, before GC can delete it).
    let small = summary(&ci_stream("40Gi", fam, "fresh_image = true"));
    assert!(
        small.images_deleted > 500,
        "{} deleted",
        small.images_deleted
    );
    assert_eq!(small.evictions, 0);
    assert!(small.pulls <= small.pods_created);
    assert_eq!(small.repulls, 0);
    // The old way to get new images, a huge catalog (1000 images, Zipf 0.9), re-picks
    // popular images after GC deleted them: those pulls count as repulls.
    let huge = summary(&ci_stream(
        "40Gi",
        "images = 1000\nbase_size = \"250Mi\"\napp_size = \"200Mi\"",
        "",
    ));
    assert!(huge.images_deleted > 100);
    assert!(huge.repulls > 50, "{} repulls", huge.repulls);
}
