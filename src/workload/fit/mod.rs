//! `fit`: a `[workload.synthetic]` estimated from an observed workload (a trace-driven
//! scenario, such as `import` writes), so that minutes or days of a node's history become a
//! workload of any length to plan with.
//!
//! The trace's pods are sorted into the synthetic workload's streams by who made them, the
//! way the generator makes them:
//! - `DaemonSet` pods: a `[[daemonset]]` per name prefix (the pod name without its last
//!   `-segment`), starting at its first pod;
//! - `ReplicaSet` pods (and pods without an owner, as an import's are, named the way a
//!   Deployment names them: `<name>-<pod-template-hash>-<5 chars>`, both parts of the
//!   alphabet `bcdfghjklmnpqrstvwxz2456789` the API server's `SafeEncodeString` uses): a
//!   `[[rollout]]` per image repository (the reference without its tag):
//!   `every` = the median gap between its tags' first pods (one tag: the fitted duration, so
//!   it never rolls), `replicas` = the most of its pods alive at once, `start` = its first pod;
//! - `Job` and unowned pods with one image, at least 3 of them, whose name prefix (without a
//!   CronJob's `-<minutes>` schedule segment too) recurs at a near-constant interval
//!   (coefficient of variation of the gaps ≤ 0.05): a `[[cronjob]]` (`every` = the median gap,
//!   `runtime` = the median time to completion);
//! - every other pod: the `[pods]` stream. Its rate is the arrivals (pods created after t = 0:
//!   those at t = 0 were already running at the snapshot) per hour of observation (the last
//!   event's time); a daily rhythm is fitted when the observation spans two days or more and
//!   the Rayleigh test gives p < 0.001; the Zipf α by maximum likelihood over the images'
//!   pick counts; lifetimes (creation to completion, or to deletion for pods that never
//!   complete; pods alive at the end are left out) as exponential or lognormal, whichever is
//!   nearer by the Kolmogorov–Smirnov distance; `completes` when most pods complete, then
//!   `ttl_after_finished` = the median completion-to-deletion time; `owner` the most common;
//!   `fresh_image` when most pods ran an image no other pod ran; container rates as medians
//!   with the lognormal sigma of the per-container rates.
//! - the family: one, `fit`, with the stream's distinct images; `image_size` = the median
//!   compressed size (Σ of its layers' compressed bytes; the runtime's unpacked bytes where
//!   compressed are unknown) and `image_size_sigma` the lognormal sigma; layers used by at
//!   least half of the images are the shared base (`base_share` = their part of the median
//!   image); `unpack_ratio` = unpacked / compressed bytes over the catalog.
//!
//! Each estimate goes into the report with the number of observations it rests on and, for
//! distributions, the KS distance to the fitted one.

pub mod stats;

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use std::path::Path;

use crate::engine::SimTime;
use crate::node::catalog::Catalog;
use crate::units::format_go_duration;
use crate::workload::trace::{Owner, TraceAction, TraceEvent};
use stats::*;

const NS: f64 = 1e9;

/// One observed pod.
#[derive(Debug, Clone)]
pub struct PodObs {
    pub name: String,
    pub owner: Owner,
    /// Catalog index of its first container's image, and the reference as written.
    pub image: usize,
    pub image_ref: String,
    pub created: SimTime,
    pub completed: Option<SimTime>,
    pub deleted: Option<SimTime>,
    pub writable_rate: u64,
    pub log_rate: u64,
    pub writable_cap: u64,
    pub log_cap: u64,
}

/// The pods of a trace, in creation order (a name created again is a new pod).
pub fn observe(trace: &[TraceEvent]) -> Vec<PodObs> {
    let mut pods: Vec<PodObs> = Vec::new();
    let mut latest: BTreeMap<String, usize> = BTreeMap::new();
    for e in trace {
        match &e.action {
            TraceAction::Create(p) => {
                let Some(c) = p.containers.first() else {
                    continue;
                };
                latest.insert(p.name.clone(), pods.len());
                pods.push(PodObs {
                    name: p.name.clone(),
                    owner: p.owner,
                    image: c.image,
                    image_ref: c.image_ref.clone(),
                    created: e.time,
                    completed: None,
                    deleted: None,
                    writable_rate: c.writable_rate,
                    log_rate: c.log_rate,
                    writable_cap: c.writable_cap,
                    log_cap: c.log_cap,
                });
            }
            TraceAction::Complete(n) => {
                if let Some(&i) = latest.get(n) {
                    pods[i].completed.get_or_insert(e.time);
                }
            }
            TraceAction::Delete(n) => {
                if let Some(&i) = latest.get(n) {
                    pods[i].deleted.get_or_insert(e.time);
                }
            }
        }
    }
    pods
}

/// A pod name's stream prefix: without a namespace, without its last `-segment`, and without
/// a CronJob's schedule segment (8 or more digits) before that.
pub fn name_prefix(name: &str) -> String {
    let n = name.rsplit('/').next().unwrap_or(name);
    let mut base = n.rsplit_once('-').map_or(n, |(a, _)| a);
    if let Some((a, b)) = base.rsplit_once('-') {
        if b.len() >= 8 && b.bytes().all(|c| c.is_ascii_digit()) {
            base = a;
        }
    }
    base.to_string()
}

/// Whether a pod name is a Deployment's: `<name>-<hash of 6–10>-<5>` in the alphabet of
/// `k8s.io/apimachinery/pkg/util/rand.SafeEncodeString` (no vowels, no 0, 1 or 3).
pub fn deployment_pod_name(name: &str) -> bool {
    const SAFE: &[u8] = b"bcdfghjklmnpqrstvwxz2456789";
    let n = name.rsplit('/').next().unwrap_or(name);
    let mut parts = n.rsplitn(3, '-');
    let (Some(suffix), Some(hash), Some(base)) = (parts.next(), parts.next(), parts.next()) else {
        return false;
    };
    let safe = |s: &str| s.bytes().all(|c| SAFE.contains(&c));
    !base.is_empty()
        && suffix.len() == 5
        && (6..=10).contains(&hash.len())
        && safe(suffix)
        && safe(hash)
}

/// An image reference's repository (without `:tag` or `@digest`).
pub fn repository(r: &str) -> &str {
    let r = r.split('@').next().unwrap_or(r);
    match r.rsplit_once(':') {
        Some((a, t)) if !t.contains('/') => a,
        _ => r,
    }
}

/// A lifetime distribution as fitted.
#[derive(Debug, Clone, PartialEq)]
pub enum Lifetime {
    Exponential { mean: f64 },
    Lognormal { mean: f64, sigma: f64 },
}

/// Container settings of a stream: rates as medians with their lognormal sigma, caps as medians.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ContainerFit {
    pub writable_rate: Option<(f64, f64)>,
    pub log_rate: Option<(f64, f64)>,
    pub writable_cap: Option<u64>,
    pub log_cap: Option<u64>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct PodsFit {
    /// Pods of the stream (those at t = 0 too) and those created after t = 0.
    pub pods: usize,
    pub arrivals: usize,
    pub rate_per_hour: f64,
    pub interarrival_ks: f64,
    /// (amplitude, peak in seconds of the day, Rayleigh p) when the rhythm is significant.
    pub diurnal: Option<(f64, f64, f64)>,
    pub images: usize,
    pub zipf_alpha: Option<(f64, f64)>,
    pub fresh_image: bool,
    pub new_images_per_hour: f64,
    pub lifetime: Option<(Lifetime, f64, usize)>,
    pub completes: bool,
    pub ttl_after_finished: Option<(f64, usize)>,
    pub owner: Owner,
    pub container: ContainerFit,
}

#[derive(Debug, Clone, PartialEq)]
pub struct CronFit {
    pub name: String,
    pub image_ref: String,
    pub pods: usize,
    pub every: f64,
    pub start: f64,
    pub runtime: Option<f64>,
    pub ttl_after_finished: Option<f64>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct RolloutFit {
    pub name: String,
    pub tags: usize,
    pub pods: usize,
    pub every: f64,
    pub start: f64,
    pub replicas: usize,
    pub image_size: Option<u64>,
    pub container: ContainerFit,
}

#[derive(Debug, Clone, PartialEq)]
pub struct DaemonFit {
    pub name: String,
    pub start: f64,
    pub container: ContainerFit,
}

#[derive(Debug, Clone, PartialEq)]
pub struct FamilyFit {
    pub images: usize,
    pub image_size: u64,
    pub image_size_sigma: f64,
    pub size_ks: Option<f64>,
    pub base_layers: usize,
    pub base_share: Option<f64>,
    pub app_layers: usize,
}

/// Everything fitted, with the observation it came from.
#[derive(Debug, Clone, PartialEq)]
pub struct Fitted {
    pub observed_seconds: f64,
    pub pods_observed: usize,
    pub pods: Option<PodsFit>,
    pub cronjobs: Vec<CronFit>,
    pub rollouts: Vec<RolloutFit>,
    pub daemonsets: Vec<DaemonFit>,
    pub family: FamilyFit,
    pub unpack_ratio: f64,
}

fn secs(t: SimTime) -> f64 {
    t as f64 / NS
}

fn container_fit(pods: &[&PodObs]) -> ContainerFit {
    let rate = |f: &dyn Fn(&PodObs) -> u64| {
        let xs: Vec<f64> = pods
            .iter()
            .map(|p| f(p) as f64)
            .filter(|x| *x > 0.0)
            .collect();
        // Rates only when most containers write.
        if xs.len() * 2 < pods.len() || xs.is_empty() {
            return None;
        }
        lognormal_fit(&xs).map(|(mu, s)| (mu.exp(), s))
    };
    // A cap of u64::MAX is "no cap".
    let cap = |f: &dyn Fn(&PodObs) -> u64| {
        let xs: Vec<f64> = pods
            .iter()
            .map(|p| f(p))
            .filter(|&x| x > 0 && x <= i64::MAX as u64)
            .map(|x| x as f64)
            .collect();
        (!xs.is_empty() && xs.len() * 2 >= pods.len()).then(|| median(&xs).round() as u64)
    };
    ContainerFit {
        writable_rate: rate(&|p| p.writable_rate),
        log_rate: rate(&|p| p.log_rate),
        writable_cap: cap(&|p| p.writable_cap),
        log_cap: cap(&|p| p.log_cap),
    }
}

/// The most of `pods` alive at once (created, not yet deleted).
fn most_alive(pods: &[&PodObs]) -> usize {
    let mut ev: Vec<(SimTime, i64)> = Vec::new();
    for p in pods {
        ev.push((p.created, 1));
        if let Some(d) = p.deleted {
            ev.push((d, -1));
        }
    }
    // At one instant deletions before creations (a rolling update replaces one by one).
    ev.sort();
    let (mut n, mut best) = (0i64, 0i64);
    for (_, d) in ev {
        n += d;
        best = best.max(n);
    }
    best.max(1) as usize
}

/// The compressed bytes of image `i` (its layers' blobs; their unpacked bytes where the
/// catalog does not know the compressed ones).
fn compressed_size(cat: &Catalog, i: usize) -> u64 {
    cat.images[i]
        .layers
        .iter()
        .map(|&l| cat.layers[l].compressed)
        .sum()
}

/// Fits the pods of `trace` (images from `cat`). An error when there is nothing to fit.
pub fn fit(trace: &[TraceEvent], cat: &Catalog) -> Result<Fitted, String> {
    let pods = observe(trace);
    if pods.is_empty() {
        return Err("the trace creates no pods: there is nothing to fit".into());
    }
    let end = trace.iter().map(|e| e.time).max().unwrap_or(0);
    let observed = secs(end).max(1.0);

    // DaemonSets, rollouts, then cronjob candidates among the rest.
    let mut daemon: BTreeMap<String, Vec<&PodObs>> = BTreeMap::new();
    let mut rs: BTreeMap<String, Vec<&PodObs>> = BTreeMap::new();
    let mut rest: Vec<&PodObs> = Vec::new();
    for p in &pods {
        let owner = if p.owner == Owner::None && deployment_pod_name(&p.name) {
            Owner::ReplicaSet
        } else {
            p.owner
        };
        match owner {
            // (Our generator names a DaemonSet's pod `<name>-node-1`.)
            Owner::DaemonSet => {
                let n = name_prefix(&p.name);
                let n = n.strip_suffix("-node").map(str::to_string).unwrap_or(n);
                daemon.entry(n).or_default().push(p)
            }
            Owner::ReplicaSet => rs
                .entry(repository(&p.image_ref).to_string())
                .or_default()
                .push(p),
            _ => rest.push(p),
        }
    }
    let mut by_prefix: BTreeMap<String, Vec<&PodObs>> = BTreeMap::new();
    for p in &rest {
        by_prefix.entry(name_prefix(&p.name)).or_default().push(p);
    }
    let mut cronjobs = Vec::new();
    let mut cron_pods: BTreeSet<*const PodObs> = BTreeSet::new();
    for (name, g) in &by_prefix {
        if g.len() < 3 || g.iter().any(|p| p.image != g[0].image) {
            continue;
        }
        let gaps: Vec<f64> = g
            .windows(2)
            .map(|w| secs(w[1].created - w[0].created))
            .collect();
        let m = mean(&gaps);
        let sd = (gaps.iter().map(|x| (x - m).powi(2)).sum::<f64>() / gaps.len() as f64).sqrt();
        if m <= 0.0 || sd / m > 0.05 {
            continue;
        }
        let runtime: Vec<f64> = g
            .iter()
            .filter_map(|p| p.completed.map(|c| secs(c - p.created)))
            .collect();
        let ttl: Vec<f64> = g
            .iter()
            .filter_map(|p| Some(secs(p.deleted? - p.completed?)))
            .collect();
        cronjobs.push(CronFit {
            name: name.clone(),
            image_ref: g[0].image_ref.clone(),
            pods: g.len(),
            every: median(&gaps),
            start: secs(g[0].created),
            runtime: (!runtime.is_empty()).then(|| median(&runtime)),
            ttl_after_finished: (!ttl.is_empty()).then(|| median(&ttl)),
        });
        cron_pods.extend(g.iter().map(|p| *p as *const PodObs));
    }
    let stream: Vec<&PodObs> = rest
        .iter()
        .copied()
        .filter(|p| !cron_pods.contains(&(*p as *const PodObs)))
        .collect();

    let mut rollouts = Vec::new();
    for (repo, g) in &rs {
        let mut first_of_tag: Vec<(SimTime, &str)> = Vec::new();
        for p in g {
            if !first_of_tag.iter().any(|(_, r)| *r == p.image_ref) {
                first_of_tag.push((p.created, &p.image_ref));
            }
        }
        let gaps: Vec<f64> = first_of_tag
            .windows(2)
            .map(|w| secs(w[1].0 - w[0].0))
            .collect();
        let sizes: Vec<f64> = {
            let imgs: BTreeSet<usize> = g.iter().map(|p| p.image).collect();
            imgs.iter()
                .map(|&i| compressed_size(cat, i) as f64)
                .collect()
        };
        let first_tag: Vec<&PodObs> = g
            .iter()
            .copied()
            .filter(|p| p.image_ref == first_of_tag[0].1)
            .collect();
        rollouts.push(RolloutFit {
            name: repo.rsplit('/').next().unwrap_or(repo).to_string(),
            tags: first_of_tag.len(),
            pods: g.len(),
            every: if gaps.is_empty() {
                f64::INFINITY
            } else {
                median(&gaps)
            },
            start: secs(g[0].created),
            replicas: most_alive(&first_tag),
            image_size: (!sizes.is_empty()).then(|| median(&sizes).round() as u64),
            container: container_fit(g),
        });
    }
    let daemonsets: Vec<DaemonFit> = daemon
        .iter()
        .map(|(name, g)| DaemonFit {
            name: name.clone(),
            start: secs(g[0].created),
            container: container_fit(g),
        })
        .collect();

    // The family: the stream's images, else every observed image.
    let family_images: BTreeSet<usize> = if stream.is_empty() {
        pods.iter().map(|p| p.image).collect()
    } else {
        stream.iter().map(|p| p.image).collect()
    };
    let sizes: Vec<f64> = family_images
        .iter()
        .map(|&i| compressed_size(cat, i) as f64)
        .collect();
    let (mu, sigma) = lognormal_fit(&sizes).unwrap_or((0.0, 0.0));
    let size_ks = (sizes.len() >= 2).then(|| ks_lognormal(&sizes, mu, sigma));
    let mut layer_use: BTreeMap<usize, usize> = BTreeMap::new();
    for &i in &family_images {
        for &l in &cat.images[i].layers {
            *layer_use.entry(l).or_default() += 1;
        }
    }
    let shared: Vec<usize> = if family_images.len() >= 2 {
        layer_use
            .iter()
            .filter(|(_, &n)| n * 2 >= family_images.len())
            .map(|(&l, _)| l)
            .collect()
    } else {
        Vec::new()
    };
    let median_size = mu.exp().round().max(1.0);
    let base_bytes: u64 = shared.iter().map(|&l| cat.layers[l].compressed).sum();
    let own_layers: Vec<f64> = family_images
        .iter()
        .map(|&i| {
            cat.images[i]
                .layers
                .iter()
                .filter(|l| !shared.contains(l))
                .count() as f64
        })
        .collect();
    let family = FamilyFit {
        images: if stream.is_empty() {
            0
        } else {
            family_images.len()
        },
        image_size: median_size as u64,
        image_size_sigma: sigma.min(5.0),
        size_ks,
        base_layers: shared.len(),
        base_share: (!shared.is_empty())
            .then(|| (base_bytes as f64 / median_size).clamp(0.01, 0.99)),
        app_layers: (median(&own_layers).round() as usize).max(1),
    };
    let (unpacked, compressed) = cat.layers.iter().fold((0u128, 0u128), |(u, c), l| {
        (u + l.size as u128, c + l.compressed as u128)
    });
    let unpack_ratio = if compressed == 0 {
        1.0
    } else {
        ((unpacked as f64 / compressed as f64) * 1000.0).round() / 1000.0
    };

    let pods_fit = (!stream.is_empty()).then(|| pods_stream(&stream, observed));
    Ok(Fitted {
        observed_seconds: observed,
        pods_observed: pods.len(),
        pods: pods_fit,
        cronjobs,
        rollouts,
        daemonsets,
        family,
        unpack_ratio,
    })
}

fn pods_stream(stream: &[&PodObs], observed: f64) -> PodsFit {
    let arrivals: Vec<f64> = stream
        .iter()
        .filter(|p| p.created > 0)
        .map(|p| secs(p.created))
        .collect();
    let hours = observed / 3600.0;
    let rate = arrivals.len() as f64 / hours;
    let gaps: Vec<f64> = arrivals.windows(2).map(|w| w[1] - w[0]).collect();
    let interarrival_ks = if gaps.is_empty() {
        f64::NAN
    } else {
        ks_exponential(&gaps, 3600.0 / rate)
    };
    let diurnal = if observed >= 2.0 * 86_400.0 {
        diurnal_fit(&arrivals).filter(|d| d.2 < 1e-3)
    } else {
        None
    };
    let mut counts: BTreeMap<usize, u64> = BTreeMap::new();
    for p in stream {
        *counts.entry(p.image).or_default() += 1;
    }
    let picks: Vec<u64> = counts.values().copied().collect();
    let once = picks.iter().filter(|&&c| c == 1).count();
    let fresh_image = once * 2 > stream.len();
    let zipf_alpha = if fresh_image {
        None
    } else {
        zipf_fit(&picks).map(|a| (a, ks_zipf(&picks, a)))
    };
    // Images first seen after t = 0.
    let mut seen: BTreeSet<usize> = BTreeSet::new();
    let mut new_images = 0usize;
    for p in stream {
        if seen.insert(p.image) && p.created > 0 {
            new_images += 1;
        }
    }
    let completes = stream.iter().filter(|p| p.completed.is_some()).count() * 2 > stream.len();
    let lifetimes: Vec<f64> = stream
        .iter()
        .filter_map(|p| {
            let end = if completes {
                p.completed
            } else {
                p.deleted.or(p.completed)
            };
            end.map(|e| secs(e - p.created))
        })
        .filter(|x| *x > 0.0)
        .collect();
    let lifetime = (!lifetimes.is_empty()).then(|| {
        let m = mean(&lifetimes);
        let exp_ks = ks_exponential(&lifetimes, m);
        let (mu, s) = lognormal_fit(&lifetimes).unwrap_or((m.ln(), 0.0));
        let ln_ks = ks_lognormal(&lifetimes, mu, s);
        if lifetimes.len() >= 2 && ln_ks < exp_ks && s > 0.0 {
            (
                Lifetime::Lognormal {
                    mean: (mu + s * s / 2.0).exp(),
                    sigma: s.min(5.0),
                },
                ln_ks,
                lifetimes.len(),
            )
        } else {
            (Lifetime::Exponential { mean: m }, exp_ks, lifetimes.len())
        }
    });
    let ttl: Vec<f64> = stream
        .iter()
        .filter_map(|p| Some(secs(p.deleted? - p.completed?)))
        .collect();
    let jobs = stream.iter().filter(|p| p.owner == Owner::Job).count();
    let rss = stream
        .iter()
        .filter(|p| p.owner == Owner::ReplicaSet)
        .count();
    let owner = if jobs * 2 > stream.len() {
        Owner::Job
    } else if rss * 2 > stream.len() {
        Owner::ReplicaSet
    } else {
        Owner::None
    };
    PodsFit {
        pods: stream.len(),
        arrivals: arrivals.len(),
        rate_per_hour: rate,
        interarrival_ks,
        diurnal,
        images: counts.len(),
        zipf_alpha,
        fresh_image,
        new_images_per_hour: new_images as f64 / hours,
        lifetime,
        completes,
        ttl_after_finished: (completes && !ttl.is_empty()).then(|| (median(&ttl), ttl.len())),
        owner,
        container: container_fit(stream),
    }
}

/// A duration as the scenario writes it: whole seconds (whole milliseconds below 10 s).
fn dur(s: f64) -> String {
    let ns = if s >= 10.0 {
        (s.round() * NS) as i64
    } else {
        ((s * 1000.0).round() * 1e6) as i64
    };
    format_go_duration(ns)
}

fn round3(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}

impl ContainerFit {
    fn lines(&self, s: &mut String) {
        if let Some((m, sg)) = self.writable_rate {
            let _ = writeln!(s, "writable_rate = {}", m.round().max(1.0) as u64);
            let _ = writeln!(s, "writable_rate_sigma = {}", round3(sg.min(5.0)));
        }
        if let Some(c) = self.writable_cap {
            let _ = writeln!(s, "writable_cap = {c}");
        }
        if let Some((m, sg)) = self.log_rate {
            let _ = writeln!(s, "log_rate = {}", m.round().max(1.0) as u64);
            let _ = writeln!(s, "log_rate_sigma = {}", round3(sg.min(5.0)));
        }
        if let Some(c) = self.log_cap {
            let _ = writeln!(s, "log_cap = {c}");
        }
    }
}

impl Fitted {
    /// The `[workload.synthetic]` tables (TOML) of a scenario `duration` long.
    pub fn synthetic_toml(&self, duration: SimTime) -> String {
        let mut s = String::new();
        let _ = writeln!(s, "[workload.synthetic]");
        let _ = writeln!(s, "unpack_ratio = {}", self.unpack_ratio.max(0.001));
        let _ = writeln!(s, "pause_image = \"\"");
        let f = &self.family;
        let _ = writeln!(s, "\n[[workload.synthetic.family]]");
        let _ = writeln!(s, "name = \"fit\"");
        let _ = writeln!(s, "images = {}", f.images);
        let _ = writeln!(s, "base_layers = {}", f.base_layers);
        let _ = writeln!(s, "app_layers = {}", f.app_layers);
        let _ = writeln!(s, "image_size = {}", f.image_size);
        let _ = writeln!(s, "image_size_sigma = {}", round3(f.image_size_sigma));
        if let Some(b) = f.base_share {
            let _ = writeln!(s, "base_share = {}", round3(b));
        }
        if let Some(p) = &self.pods {
            let _ = writeln!(s, "\n[workload.synthetic.pods]");
            let _ = writeln!(s, "rate = {}", round3(p.rate_per_hour.max(0.001)));
            if let Some((a, peak, _)) = p.diurnal {
                let _ = writeln!(s, "diurnal_amplitude = {}", round3(a.min(1.0)));
                let _ = writeln!(s, "diurnal_peak = \"{}\"", dur(peak));
            }
            if let Some((a, _)) = p.zipf_alpha {
                let _ = writeln!(s, "zipf_alpha = {}", round3(a));
            }
            if p.fresh_image {
                let _ = writeln!(s, "fresh_image = true");
            }
            match &p.lifetime {
                Some((Lifetime::Exponential { mean }, _, _)) => {
                    let _ = writeln!(s, "lifetime = \"{}\"", dur(*mean));
                    let _ = writeln!(s, "lifetime_distribution = \"exponential\"");
                }
                Some((Lifetime::Lognormal { mean, sigma }, _, _)) => {
                    let _ = writeln!(s, "lifetime = \"{}\"", dur(*mean));
                    let _ = writeln!(s, "lifetime_distribution = \"lognormal\"");
                    let _ = writeln!(s, "lifetime_sigma = {}", round3(*sigma));
                }
                None => {
                    // Nothing ended while observed: at least the observation.
                    let _ = writeln!(s, "lifetime = \"{}\"", dur(self.observed_seconds));
                    let _ = writeln!(s, "lifetime_distribution = \"exponential\"");
                }
            }
            let _ = writeln!(s, "completes = {}", p.completes);
            if let Some((t, _)) = p.ttl_after_finished {
                let _ = writeln!(s, "ttl_after_finished = \"{}\"", dur(t));
            }
            let _ = writeln!(s, "owner = \"{}\"", p.owner.as_str());
            p.container.lines(&mut s);
        }
        for r in &self.rollouts {
            let _ = writeln!(s, "\n[[workload.synthetic.rollout]]");
            let _ = writeln!(s, "name = {:?}", r.name);
            let _ = writeln!(s, "family = \"fit\"");
            let every = if r.every.is_finite() {
                r.every
            } else {
                // One tag observed: it does not roll within the fitted duration.
                secs(duration).max(1.0)
            };
            let _ = writeln!(s, "every = \"{}\"", dur(every));
            let _ = writeln!(s, "start = \"{}\"", dur(r.start));
            let _ = writeln!(s, "replicas = {}", r.replicas);
            if let Some(z) = r.image_size {
                let _ = writeln!(s, "image_size = {z}");
            }
            r.container.lines(&mut s);
        }
        for c in &self.cronjobs {
            let _ = writeln!(s, "\n[[workload.synthetic.cronjob]]");
            let _ = writeln!(s, "name = {:?}", c.name);
            let _ = writeln!(s, "family = \"fit\"");
            let _ = writeln!(s, "every = \"{}\"", dur(c.every));
            let _ = writeln!(s, "start = \"{}\"", dur(c.start));
            if let Some(r) = c.runtime {
                let _ = writeln!(s, "runtime = \"{}\"", dur(r));
            }
            if let Some(t) = c.ttl_after_finished {
                let _ = writeln!(s, "ttl_after_finished = \"{}\"", dur(t));
            }
        }
        for d in &self.daemonsets {
            let _ = writeln!(s, "\n[[workload.synthetic.daemonset]]");
            let _ = writeln!(s, "name = {:?}", d.name);
            let _ = writeln!(s, "family = \"fit\"");
            let _ = writeln!(s, "start = \"{}\"", dur(d.start));
            d.container.lines(&mut s);
        }
        s
    }

    /// The report: each estimate, what it rests on, and how well it fits.
    pub fn report(&self) -> Vec<String> {
        let mut r = Vec::new();
        r.push(format!(
            "observed: {} pods over {} (the last event's time)",
            self.pods_observed,
            dur(self.observed_seconds)
        ));
        if let Some(p) = &self.pods {
            r.push(format!(
                "pods stream: {} arrivals after t = 0 → rate {:.3}/h; inter-arrival KS distance to exponential {:.3}",
                p.arrivals, p.rate_per_hour, p.interarrival_ks
            ));
            if p.arrivals < 30 {
                r.push(format!(
                    "  warning: only {} arrivals: every estimate below is rough (observe longer: events cover about an hour)",
                    p.arrivals
                ));
            }
            match p.diurnal {
                Some((a, peak, pv)) => r.push(format!(
                    "  daily rhythm: amplitude {:.3}, peak at {} (Rayleigh p = {:.1e})",
                    a,
                    dur(peak),
                    pv
                )),
                None => r.push(
                    "  daily rhythm: none fitted (needs 2 days of observation and Rayleigh p < 0.001)"
                        .into(),
                ),
            }
            match p.zipf_alpha {
                Some((a, ks)) => r.push(format!(
                    "  image popularity: {} images, Zipf α = {:.3} by maximum likelihood (KS distance {:.3})",
                    p.images, a, ks
                )),
                None if p.fresh_image => r.push(format!(
                    "  images: most pods ran an image no other pod ran ({} images for {} pods): fresh_image = true",
                    p.images, p.pods
                )),
                None => r.push(format!("  image popularity: {} image(s): no Zipf fit", p.images)),
            }
            r.push(format!(
                "  never-seen-before images: {:.3}/h",
                p.new_images_per_hour
            ));
            match &p.lifetime {
                Some((Lifetime::Exponential { mean }, ks, n)) => r.push(format!(
                    "  lifetime: exponential, mean {} from {n} pods (KS distance {:.3})",
                    dur(*mean),
                    ks
                )),
                Some((Lifetime::Lognormal { mean, sigma }, ks, n)) => r.push(format!(
                    "  lifetime: lognormal, mean {}, sigma {:.3} from {n} pods (KS distance {:.3})",
                    dur(*mean),
                    sigma,
                    ks
                )),
                None => r.push("  lifetime: no pod ended while observed".into()),
            }
            r.push(format!(
                "  completes: {}{}; owner {:?}",
                p.completes,
                p.ttl_after_finished
                    .map(|(t, n)| format!(", deleted {} after completion (median of {n})", dur(t)))
                    .unwrap_or_default(),
                p.owner.as_str()
            ));
        } else {
            r.push(
                "pods stream: none (every pod belongs to a DaemonSet, a rollout or a cronjob)"
                    .into(),
            );
        }
        for c in &self.rollouts {
            r.push(format!(
                "rollout {}: {} tags over {} pods, every {}, {} replicas",
                c.name,
                c.tags,
                c.pods,
                if c.every.is_finite() {
                    dur(c.every)
                } else {
                    "— (one tag: never rolls)".into()
                },
                c.replicas
            ));
        }
        for c in &self.cronjobs {
            r.push(format!(
                "cronjob {}: {} pods of {}, every {}{}",
                c.name,
                c.pods,
                c.image_ref,
                dur(c.every),
                c.runtime
                    .map(|x| format!(", runtime {}", dur(x)))
                    .unwrap_or_default()
            ));
        }
        for d in &self.daemonsets {
            r.push(format!("daemonset {} from {}", d.name, dur(d.start)));
        }
        let f = &self.family;
        r.push(format!(
            "images: median compressed size {} bytes, lognormal sigma {:.3}{} over {} images; {} shared base layer(s){}; unpack ratio {}",
            f.image_size,
            f.image_size_sigma,
            f.size_ks
                .map(|k| format!(" (KS distance {k:.3})"))
                .unwrap_or_default(),
            f.images.max(1),
            f.base_layers,
            f.base_share
                .map(|b| format!(" holding {:.3} of the median image", b))
                .unwrap_or_default(),
            self.unpack_ratio
        ));
        r
    }
}

/// The text of scenario `scenario` (a trace-driven one, such as `import` writes) with its
/// `[workload]` replaced by a `[workload.synthetic]` fitted to its trace, `duration` long, the
/// fit's report as comments at the top (its last line names `source`, what the user knows the
/// scenario as); checked by loading it as the file `out` will be. Also returns the report.
pub fn fitted_scenario(
    scenario: &Path,
    source: &str,
    duration: &str,
    out: &Path,
) -> anyhow::Result<(String, Vec<String>)> {
    use anyhow::{bail, Context};
    let ns = crate::units::parse_sim_duration(duration)
        .ok()
        .filter(|d| *d > 0)
        .with_context(|| {
            format!("--duration {duration:?}: not a duration above 0 (e.g. 7d, 36h)")
        })?;
    let sc = crate::scenario::Scenario::load(scenario)?;
    if sc.synthetic.is_some() {
        bail!(
            "{}: its workload is already synthetic; fit a trace-driven scenario (such as `import` writes)",
            scenario.display()
        );
    }
    let fitted =
        fit(&sc.trace, &sc.catalog).map_err(|m| anyhow::anyhow!("{}: {m}", scenario.display()))?;
    let text = std::fs::read_to_string(scenario)
        .with_context(|| format!("cannot read {}", scenario.display()))?;
    let mut doc: toml::Table =
        toml::from_str(&text).with_context(|| format!("cannot read {}", scenario.display()))?;
    // The replayed pods' settings do not carry over: a plan's pods come as the scheduler sends
    // them (on_disk_pressure's default), its wall clock is the user's.
    for k in ["workload", "layer", "image", "sweep", "goal", "start_time"] {
        doc.remove(k);
    }
    doc.insert(
        "name".into(),
        toml::Value::String(format!("{}-fitted", sc.name)),
    );
    doc.insert("duration".into(), toml::Value::String(duration.to_string()));
    let mut report = fitted.report();
    report.push(format!(
        "fitted from {source} ({} of observation) for {duration}",
        format_go_duration((fitted.observed_seconds * 1e9) as i64)
    ));
    let mut body = String::new();
    for line in &report {
        body.push_str(&format!("# {line}\n"));
    }
    body.push('\n');
    body.push_str(&toml::to_string(&doc).context("cannot write the fitted scenario")?);
    body.push('\n');
    body.push_str(&fitted.synthetic_toml(ns as SimTime));
    crate::scenario::Scenario::from_str(out, &body).map_err(|e| {
        anyhow::anyhow!(
            "the fitted scenario does not load ({e}); please report this with the input"
        )
    })?;
    Ok((body, report))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A Deployment's pod (hash `5d8f7c9b4`, suffix `x2x7q`: only letters and digits of the safe
    /// alphabet) against a Job's (`job-b-2mzpl`: a one-letter "hash"), a CronJob's
    /// (`backup-28391234-abcde`: `a` and `e` are vowels) and a StatefulSet's (`db-0`).
    #[test]
    fn deployment_pod_names() {
        assert!(deployment_pod_name("default/web-5d8f7c9b4-x2x7q"));
        assert!(deployment_pod_name("shop-api-7f9c6b8d5-2kq4z"));
        assert!(!deployment_pod_name("batch/job-b-2mzpl"));
        assert!(!deployment_pod_name("backup-28391234-abcde"));
        assert!(!deployment_pod_name("db-0"));
        assert_eq!(name_prefix("backup-28391234-xk2zq"), "backup");
        assert_eq!(name_prefix("ns/ci-app-3-12"), "ci-app-3");
        assert_eq!(
            repository("docker.io/library/nginx:1.25"),
            "docker.io/library/nginx"
        );
        assert_eq!(repository("localhost:5000/app"), "localhost:5000/app");
        assert_eq!(repository("app@sha256:abc"), "app");
    }
}
