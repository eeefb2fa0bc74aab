//! `fit`: a synthetic workload recovered from a trace. Round trips generate a trace from known
//! parameters, fit it, and compare; the tolerances are about 4 standard errors of each
//! estimate at the trace's size (stated per assertion), so a correct fit passes and a biased
//! one fails.

use std::path::Path;

use imagefs_sim::scenario::Scenario;
use imagefs_sim::workload::fit::{fit, Lifetime};
use imagefs_sim::workload::trace::Owner;

const KNOWN: &str = r#"name = "rt"
duration = "30d"
seed = 5
[node]
disk = "2000Gi"
pull_bandwidth = "100Mi"
[workload.synthetic]
unpack_ratio = 2.5
pause_image = ""
[[workload.synthetic.family]]
name = "app"
images = 40
base_layers = 2
app_layers = 2
image_size = "500Mi"
image_size_sigma = 0.3
base_share = 0.4
[workload.synthetic.pods]
rate = 12
diurnal_amplitude = 0.5
diurnal_peak = "14h"
zipf_alpha = 0.9
lifetime = "30m"
lifetime_distribution = "exponential"
completes = true
ttl_after_finished = "1m"
owner = "Job"
log_rate = 2000
log_rate_sigma = 0.5
[[workload.synthetic.cronjob]]
name = "backup"
family = "app"
every = "6h"
start = "1h"
runtime = "5m"
[[workload.synthetic.rollout]]
name = "web"
family = "app"
every = "12h"
replicas = 2
[[workload.synthetic.daemonset]]
name = "agent"
family = "app"
"#;

fn within(x: f64, want: f64, tol: f64, what: &str) {
    assert!((x - want).abs() <= tol, "{what}: {x} is not {want} ± {tol}");
}

#[test]
fn a_generated_month_is_recovered() {
    let sc = Scenario::from_str(Path::new("rt.toml"), KNOWN).unwrap();
    let f = fit(&sc.trace, &sc.catalog).unwrap();
    let p = f.pods.as_ref().expect("a pods stream");
    // 12/h over 720 h ≈ 8640 arrivals: the count's SE is √8640 = 93 (1.1 %): ± 4 %.
    within(p.rate_per_hour, 12.0, 0.48, "rate");
    // Amplitude SE √(2/n) = 0.015: ± 0.06; the peak's SE 0.015/0.5 rad = 0.12 h: ± 0.5 h.
    let (a, peak, pv) = p.diurnal.expect("a daily rhythm");
    within(a, 0.5, 0.06, "diurnal amplitude");
    within(peak / 3600.0, 14.0, 0.5, "diurnal peak (h)");
    assert!(pv < 1e-6);
    // Zipf α over 40 images from ~8640 picks: SE ≈ 0.012: ± 0.05.
    assert_eq!(p.images, 40);
    within(p.zipf_alpha.unwrap().0, 0.9, 0.05, "zipf alpha");
    assert!(!p.fresh_image);
    // Exponential lifetimes of mean 30 min: SE 30/√8640 min = 1.1 %: ± 4 %.
    match &p.lifetime {
        Some((Lifetime::Exponential { mean }, ks, _)) => {
            within(*mean, 1800.0, 72.0, "lifetime mean");
            assert!(*ks < 0.03, "KS {ks}");
        }
        other => panic!("an exponential lifetime, not {other:?}"),
    }
    assert!(p.completes);
    // ttl_after_finished is exact: every pod is deleted 60 s after it completes.
    assert_eq!(p.ttl_after_finished.map(|t| t.0), Some(60.0));
    assert_eq!(p.owner, Owner::Job);
    // Log rates: median 2000 B/s, sigma 0.5 over ~8640 containers: ± 5 % and ± 0.03.
    let (m, s) = p.container.log_rate.unwrap();
    within(m, 2000.0, 100.0, "log rate median");
    within(s, 0.5, 0.03, "log rate sigma");

    // The cronjob, rollout and daemonset are exact.
    assert_eq!(f.cronjobs.len(), 1, "{:?}", f.cronjobs);
    let c = &f.cronjobs[0];
    assert_eq!(c.name, "backup");
    assert_eq!(
        (c.every, c.start, c.runtime),
        (21600.0, 3600.0, Some(300.0))
    );
    assert_eq!(f.rollouts.len(), 1, "{:?}", f.rollouts);
    let r = &f.rollouts[0];
    assert_eq!((r.every, r.start, r.replicas), (43200.0, 0.0, 2));
    assert_eq!(f.daemonsets.len(), 1);
    assert_eq!(f.daemonsets[0].name, "agent");

    // Image sizes: 40 lognormal draws of sigma 0.3: the median's SE is 0.3/√40 = 4.7 %: ± 15 %;
    // sigma's SE 0.3/√78 = 0.034: ± 0.12. The two base layers are shared by all 40 images
    // and hold 0.4 of the *true* median (divided here by the estimated one: ± 0.06).
    let fam = &f.family;
    assert_eq!(fam.images, 40);
    within(
        fam.image_size as f64,
        524288000.0,
        0.15 * 524288000.0,
        "image size",
    );
    within(fam.image_size_sigma, 0.3, 0.12, "image size sigma");
    assert_eq!((fam.base_layers, fam.app_layers), (2, 2));
    within(fam.base_share.unwrap(), 0.4, 0.06, "base share");
    // unpacked = compressed × 2.5, rounded per layer.
    within(f.unpack_ratio, 2.5, 0.001, "unpack ratio");

    // The fitted workload is a valid scenario that generates about as many pods.
    let text = format!(
        "name = \"fitted\"\nduration = \"30d\"\nseed = 9\n[node]\ndisk = \"2000Gi\"\npull_bandwidth = \"100Mi\"\n{}",
        f.synthetic_toml(30 * 86_400 * 1_000_000_000)
    );
    let again = Scenario::from_str(Path::new("fitted.toml"), &text).unwrap();
    let g = fit(&again.trace, &again.catalog).unwrap();
    within(
        g.pods.unwrap().rate_per_hour,
        12.0,
        0.7,
        "rate of the refit",
    );
}

fn bin() -> std::process::Command {
    std::process::Command::new(env!("CARGO_BIN_EXE_imagefs-sim"))
}

/// A DaemonSet pod and three Job pods of one image 10 minutes apart (a CronJob: the gaps'
/// spread is 0), each completing after 5 min and deleted 1 min later.
const OBSERVED: &str = r#"name = "obs"
duration = "1h"
seed = 1
[node]
disk = "10Gi"
pull_bandwidth = "100Mi"
[[layer]]
id = "a"
size = "10Mi"
[[layer]]
id = "b"
size = "20Mi"
[[image]]
name = "agent:1"
layers = ["a"]
[[image]]
name = "batch:1"
layers = ["b"]
[workload]
trace = "trace.csv"
"#;

const OBSERVED_TRACE: &str = "time,action,pod,image,owner
0,create,agent-x7k2p,agent:1,DaemonSet
600,create,job-1,batch:1,Job
900,complete,job-1,,
960,delete,job-1,,
1200,create,job-2,batch:1,Job
1500,complete,job-2,,
1560,delete,job-2,,
1800,create,job-3,batch:1,Job
2100,complete,job-3,,
2160,delete,job-3,,
";

/// `fit obs.toml --duration 2d`: the cronjob every 600 s from 600 s, runtime 300 s, deleted 60 s
/// after; the DaemonSet `agent` from 0; no pods stream, so a family of 0 images whose size is
/// the geometric mean of the two observed images, √(10Mi · 20Mi) = 10485760 · √2 = 14829104
/// bytes, sigma ln 2 / √2 = 0.49 (n − 1 = 1); unpacked = compressed (unknown), ratio 1.
#[test]
fn fit_cli_writes_a_scenario_that_runs() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(d.join("obs.toml"), OBSERVED).unwrap();
    std::fs::write(d.join("trace.csv"), OBSERVED_TRACE).unwrap();
    let o = bin()
        .args(["fit", "obs.toml", "--duration", "2d"])
        .current_dir(d)
        .output()
        .unwrap();
    let out = String::from_utf8_lossy(&o.stdout).into_owned();
    assert!(
        o.status.success(),
        "{out}{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(
        out.contains("cronjob job: 3 pods of batch:1, every 10m0s, runtime 5m0s"),
        "{out}"
    );
    let text = std::fs::read_to_string(d.join("obs-fitted.toml")).unwrap();
    for want in [
        "name = \"obs-fitted\"",
        "duration = \"2d\"",
        "[[workload.synthetic.cronjob]]\nname = \"job\"\nfamily = \"fit\"\nevery = \"10m0s\"\nstart = \"10m0s\"\nruntime = \"5m0s\"\nttl_after_finished = \"1m0s\"\n",
        "[[workload.synthetic.daemonset]]\nname = \"agent\"\nfamily = \"fit\"\nstart = \"0s\"\n",
        "images = 0\n",
        "image_size = 14829104\n",
        "image_size_sigma = 0.49\n",
        "unpack_ratio = 1\n",
    ] {
        assert!(text.contains(want), "{want:?} not in:\n{text}");
    }
    assert!(!text.contains("[workload.synthetic.pods]"), "{text}");
    // It runs: 2 days of the cronjob (every 10 min) and the agent.
    let o = bin()
        .args(["run", "obs-fitted.toml", "--out", "r"])
        .current_dir(d)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));

    // A synthetic scenario has nothing to fit; a bad duration is refused; nothing is written.
    for (args, want) in [
        (
            vec!["fit", "obs-fitted.toml", "--out", "x.toml"],
            "its workload is already synthetic",
        ),
        (
            vec!["fit", "obs.toml", "--duration", "soon", "--out", "x.toml"],
            "--duration \"soon\": not a duration above 0",
        ),
    ] {
        let o = bin().args(&args).current_dir(d).output().unwrap();
        assert_eq!(o.status.code(), Some(1));
        let e = String::from_utf8_lossy(&o.stderr);
        assert!(e.contains(want), "{e}");
        assert!(!d.join("x.toml").exists());
    }
}

/// `import --fit 7d` writes fitted.toml with the import, all or nothing; an import without
/// `--fit` into the same directory replaces the set, so no stale fitted.toml stays.
#[test]
fn import_fit_writes_fitted_toml_beside_the_replay() {
    let fx = |n: &str| {
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/import")
            .join(n)
            .display()
            .to_string()
    };
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("node");
    let args = |fit: bool| {
        let mut a = vec![
            "import".to_string(),
            "--configz".into(),
            fx("configz.json"),
            "--events".into(),
            fx("events.json"),
            "--images".into(),
            fx("crictl-images-containerd.json"),
            "--out".into(),
            out.display().to_string(),
        ];
        if fit {
            a.extend(["--fit".into(), "7d".into()]);
        }
        a
    };
    let o = bin().args(args(true)).output().unwrap();
    let text = String::from_utf8_lossy(&o.stdout).into_owned();
    assert!(
        o.status.success(),
        "{text}{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(
        text.contains("fit: fitted from the imported trace ("),
        "{text}"
    );
    let fitted = Scenario::load(&out.join("fitted.toml")).unwrap();
    assert_eq!(fitted.duration, 7 * 86_400 * 1_000_000_000);
    assert!(fitted.synthetic.is_some());
    assert!(bin().args(args(false)).output().unwrap().status.success());
    assert!(!out.join("fitted.toml").exists());
    assert!(out.join("scenario.toml").exists());
    // A bad --fit duration: refused before anything is read or written.
    let mut a = args(false);
    a.extend(["--fit".into(), "0s".into()]);
    let o = bin().args(a).output().unwrap();
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stderr).contains("--fit \"0s\""));
}
