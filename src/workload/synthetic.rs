//! Synthetic workloads: `[workload.synthetic]` builds an image catalog and a pod trace from a few
//! distributions instead of a trace file. Same scenario + seed = same catalog and same trace,
//! byte for byte. See README "Synthetic workloads".
//!
//! The schema (all field names snake_case; sizes and rates are quantities, times Go durations
//! with `d`):
//!
//! ```toml
//! [workload.synthetic]
//! unpack_ratio = 2.7          # unpacked bytes per compressed byte (data-formats.md §2.4, §6.3)
//! pause_image = "registry.k8s.io/pause:3.10"  # pinned and preloaded; "" = none
//!
//! [[workload.synthetic.family]]   # images sharing base layers (OS, runtime)
//! name = "web"                # [a-z0-9.-]
//! images = 10                 # app images of this family the [pods] stream chooses from
//! base_layers = 2             # layers every image of the family shares
//! base_size = "60Mi"          # median unpacked size of a base layer (lognormal)
//! base_sigma = 0.5            # its log-space standard deviation
//! app_layers = 3              # layers of each image's own
//! app_size = "30Mi"           # median unpacked size of an app layer (lognormal)
//! app_sigma = 1.0
//! # unpack_ratio = 1.0        # this family's ratio (model weights do not compress)
//! # Or, instead of base_size/base_sigma/app_size/app_sigma, the image's compressed size:
//! # image_size = "2Gi"        # median compressed bytes of an image (lognormal)
//! # image_size_sigma = 0.0    # its log-space standard deviation (0: all exactly image_size)
//! # base_share = 0.5          # the base layers' part of the median image, split evenly; an
//! #                           # image's app layers split the rest of its drawn size evenly;
//! #                           # unpacked = compressed × unpack_ratio (see `split_even`)
//!
//! [workload.synthetic.pods]   # a Poisson stream of pods over the family images
//! rate = 12                   # mean pods per hour (> 0)
//! diurnal_amplitude = 0.0     # 0..1: rate × (1 + a·cos(2π(t − diurnal_peak)/24h))
//! diurnal_peak = "14h"        # time of day of the peak
//! zipf_alpha = 0.9            # image of popularity rank k chosen with probability ∝ k^-α
//! lifetime = "30m"            # mean pod lifetime (> 0)
//! lifetime_distribution = "lognormal"   # or "exponential"
//! lifetime_sigma = 1.0        # lognormal only
//! completes = false           # true: containers exit at the end of the lifetime (a Job) and
//! ttl_after_finished = "1m"   #       the pod is deleted this much later; false: deleted
//! owner = ""                  # "", "ReplicaSet", "Job": who replaces an evicted pod
//! fresh_image = false        # true: pod n runs its own image, `<family>/app-<i>:build-<n>`:
//!                             # the image rank i chose with its top layer rebuilt (new ID)
//!
//! [[workload.synthetic.rollout]]  # a Deployment shipping a new tag every `every`
//! name = "shop-api"
//! family = "web"              # base layers and layer sizes from this family
//! every = "6h"
//! start = "0s"
//! replicas = 2
//! top_layers = 1              # app layers rebuilt per tag; the others are shared by all tags
//! step = "30s"                # rolling update: replica r of the new tag at +r·step, the old
//!                             # tag's replica r deleted at +(r+1)·step
//! # image_size = "1Gi"        # each tag's compressed size (and image_size_sigma); default:
//!                             # the family's sizing
//!
//! [[workload.synthetic.cronjob]]  # a fixed image run every `every` (owner Job)
//! name = "backup"
//! family = "web"
//! every = "24h"
//! start = "0s"
//! runtime = "10m"             # the Job's containers exit after this
//! ttl_after_finished = "1m"   # the pod is deleted this much after finishing
//!
//! [[workload.synthetic.daemonset]]  # one long-lived pod on the node (owner DaemonSet)
//! name = "fluent-bit"
//! family = "agents"
//! start = "0s"
//! ```
//!
//! Every `pods`, `rollout`, `cronjob` and `daemonset` table also takes the container fields
//! `writable_rate` and `log_rate` (median bytes/s, lognormal per container, default 0),
//! `writable_rate_sigma` and `log_rate_sigma` (default 1.0), `writable_cap` and `log_cap`
//! (default none), `request`, `limit` (ephemeral-storage), `priority`, `tgps` and
//! `pull_policy` (default `IfNotPresent`).
//!
//! The generator is an iterator: its memory is the catalog plus the pods alive at once, never
//! the trace, so [`write_trace`] streams any length of trace.

use std::cmp::Ordering;
use std::collections::{BTreeSet, BinaryHeap};
use std::io::{self, Write};
use std::path::Path;
use std::sync::Arc;

use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, Exp, LogNormal};
use serde::Deserialize;
use toml::Spanned;

use crate::engine::SimTime;
use crate::error::{line_of, InputError};
use crate::input::{with_value, NumOrStr};
use crate::kubelet::image_manager::PullPolicy;
use crate::node::catalog::{ImageSpec, LayerSpec};
use crate::node::ledger::MAX_RATE;
use crate::units::{parse_bytes, parse_sim_duration, Quantity};
use crate::workload::trace::{ContainerSpec, Owner, PodSpec, TraceAction, TraceEvent};

const NS: u64 = 1_000_000_000;
/// Default unpacked/compressed ratio (nginx 2.65–2.7×, data-formats.md §6.3).
pub const DEFAULT_UNPACK_RATIO: f64 = 2.7;
pub const DEFAULT_ZIPF_ALPHA: f64 = 0.9;
/// With `image_size`: the part of the median image that is the family's shared base layers.
pub const DEFAULT_BASE_SHARE: f64 = 0.5;
const DEFAULT_PAUSE: &str = "registry.k8s.io/pause:3.10";

/// Limits on what a synthetic workload may generate, checked before anything is generated so
/// that a typo (`every = "1ns"`, `images = 1000000000`) is an error naming its field rather than
/// an allocation failure. Each is far above any real node: ci-churn generates 322 layers and
/// about 14,900 pods in 30 days.
pub const MAX_GENERATED_LAYERS: u64 = 1_000_000;
pub const MAX_GENERATED_IMAGES: u64 = 1_000_000;
/// Expected pods over the duration (a Poisson stream's mean, rollout tags × replicas, cronjob
/// runs): about 200 bytes of trace each.
pub const MAX_GENERATED_PODS: f64 = 10_000_000.0;
/// The largest log-space standard deviation of any lognormal: at 5 the middle 95 % of values
/// already spans a factor of e^(2·1.96·5) ≈ 3·10⁸.
pub const MAX_SIGMA: f64 = 5.0;
const SIGMA_RANGE: &str = "must be between 0 and 5 (a log-space standard deviation)";

// ---------------------------------------------------------------------------------------------
// Distributions (public so tests can check them against their parameters)
// ---------------------------------------------------------------------------------------------

/// A positive random quantity.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Dist {
    /// `exp(mu + sigma·Z)`: median `exp(mu)`, mean `exp(mu + sigma²/2)`.
    LogNormal {
        mu: f64,
        sigma: f64,
    },
    /// Exponential with this mean.
    Exponential {
        mean: f64,
    },
    Fixed(f64),
}

impl Dist {
    /// A lognormal with this median (`sigma` = 0: always the median).
    pub fn lognormal_median(median: f64, sigma: f64) -> Dist {
        if sigma == 0.0 || median == 0.0 {
            Dist::Fixed(median)
        } else {
            Dist::LogNormal {
                mu: median.ln(),
                sigma,
            }
        }
    }

    /// A lognormal with this mean.
    pub fn lognormal_mean(mean: f64, sigma: f64) -> Dist {
        if sigma == 0.0 {
            Dist::Fixed(mean)
        } else {
            Dist::LogNormal {
                mu: mean.ln() - sigma * sigma / 2.0,
                sigma,
            }
        }
    }

    pub fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> f64 {
        match *self {
            Dist::LogNormal { mu, sigma } => LogNormal::new(mu, sigma).unwrap().sample(rng),
            Dist::Exponential { mean } => Exp::new(1.0 / mean).unwrap().sample(rng),
            Dist::Fixed(v) => v,
        }
    }

    pub fn mean(&self) -> f64 {
        match *self {
            Dist::LogNormal { mu, sigma } => (mu + sigma * sigma / 2.0).exp(),
            Dist::Exponential { mean } => mean,
            Dist::Fixed(v) => v,
        }
    }
}

/// Zipf popularity over `n` ranks: rank `k` (0-based) has probability ∝ `(k+1)^-alpha`.
/// Sampled exactly by inverting the cumulative table.
#[derive(Debug, Clone)]
pub struct Zipf {
    cdf: Vec<f64>,
}

impl Zipf {
    pub fn new(n: usize, alpha: f64) -> Zipf {
        let mut cdf = Vec::with_capacity(n);
        let mut acc = 0.0;
        for k in 1..=n {
            acc += (k as f64).powf(-alpha);
            cdf.push(acc);
        }
        for c in &mut cdf {
            *c /= acc;
        }
        Zipf { cdf }
    }

    /// The probability of rank `k` (0-based).
    pub fn probability(&self, k: usize) -> f64 {
        self.cdf[k] - if k == 0 { 0.0 } else { self.cdf[k - 1] }
    }

    pub fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> usize {
        let u: f64 = rng.gen();
        self.cdf
            .partition_point(|&c| c <= u)
            .min(self.cdf.len() - 1)
    }
}

/// A Poisson process of `rate` events per second, optionally modulated over the day:
/// `rate·(1 + amplitude·cos(2π(t − peak)/1d))`, sampled by thinning.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Arrivals {
    pub rate: f64,
    pub amplitude: f64,
    pub peak_s: f64,
}

impl Arrivals {
    pub fn intensity(&self, t: f64) -> f64 {
        let day = 86400.0;
        self.rate
            * (1.0 + self.amplitude * (2.0 * std::f64::consts::PI * (t - self.peak_s) / day).cos())
    }

    /// The next arrival after time `t` (seconds).
    pub fn next<R: Rng + ?Sized>(&self, rng: &mut R, mut t: f64) -> f64 {
        let max = self.rate * (1.0 + self.amplitude);
        let exp = Exp::new(max).unwrap();
        loop {
            t += exp.sample(rng);
            if self.amplitude == 0.0 || rng.gen::<f64>() * max <= self.intensity(t) {
                return t;
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// The TOML schema
// ---------------------------------------------------------------------------------------------

/// `[workload.synthetic]` as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawSynthetic {
    #[serde(default)]
    unpack_ratio: Option<Spanned<f64>>,
    #[serde(default)]
    pause_image: Option<Spanned<String>>,
    #[serde(default)]
    family: Vec<Spanned<RawFamily>>,
    #[serde(default)]
    pods: Option<Spanned<RawPods>>,
    #[serde(default)]
    rollout: Vec<Spanned<RawRollout>>,
    #[serde(default)]
    cronjob: Vec<Spanned<RawCronJob>>,
    #[serde(default)]
    daemonset: Vec<Spanned<RawDaemonSet>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFamily {
    name: Spanned<String>,
    #[serde(default)]
    images: Option<Spanned<i64>>,
    #[serde(default)]
    base_layers: Option<Spanned<i64>>,
    #[serde(default)]
    base_size: Option<Spanned<NumOrStr>>,
    #[serde(default)]
    base_sigma: Option<Spanned<f64>>,
    #[serde(default)]
    app_layers: Option<Spanned<i64>>,
    #[serde(default)]
    app_size: Option<Spanned<NumOrStr>>,
    #[serde(default)]
    app_sigma: Option<Spanned<f64>>,
    #[serde(default)]
    image_size: Option<Spanned<NumOrStr>>,
    #[serde(default)]
    image_size_sigma: Option<Spanned<f64>>,
    #[serde(default)]
    base_share: Option<Spanned<f64>>,
    #[serde(default)]
    unpack_ratio: Option<Spanned<f64>>,
}

struct RawContainerRef<'a> {
    writable_rate: &'a Option<Spanned<NumOrStr>>,
    writable_rate_sigma: &'a Option<Spanned<f64>>,
    writable_cap: &'a Option<Spanned<NumOrStr>>,
    log_rate: &'a Option<Spanned<NumOrStr>>,
    log_rate_sigma: &'a Option<Spanned<f64>>,
    log_cap: &'a Option<Spanned<NumOrStr>>,
    request: &'a Option<Spanned<NumOrStr>>,
    limit: &'a Option<Spanned<NumOrStr>>,
    priority: &'a Option<Spanned<i64>>,
    tgps: &'a Option<Spanned<i64>>,
    pull_policy: &'a Option<Spanned<String>>,
}

/// A workload table: its own fields plus the container fields.
macro_rules! workload_table {
    ($name:ident { $($(#[$fm:meta])* $f:ident : $t:ty,)* }) => {
        #[derive(Debug, Deserialize)]
        #[serde(deny_unknown_fields)]
        struct $name {
            $($(#[$fm])* $f: $t,)*
            #[serde(default)]
            writable_rate: Option<Spanned<NumOrStr>>,
            #[serde(default)]
            writable_rate_sigma: Option<Spanned<f64>>,
            #[serde(default)]
            writable_cap: Option<Spanned<NumOrStr>>,
            #[serde(default)]
            log_rate: Option<Spanned<NumOrStr>>,
            #[serde(default)]
            log_rate_sigma: Option<Spanned<f64>>,
            #[serde(default)]
            log_cap: Option<Spanned<NumOrStr>>,
            #[serde(default)]
            request: Option<Spanned<NumOrStr>>,
            #[serde(default)]
            limit: Option<Spanned<NumOrStr>>,
            #[serde(default)]
            priority: Option<Spanned<i64>>,
            #[serde(default)]
            tgps: Option<Spanned<i64>>,
            #[serde(default)]
            pull_policy: Option<Spanned<String>>,
        }
        impl $name {
            fn container(&self) -> RawContainerRef<'_> {
                RawContainerRef {
                    writable_rate: &self.writable_rate,
                    writable_rate_sigma: &self.writable_rate_sigma,
                    writable_cap: &self.writable_cap,
                    log_rate: &self.log_rate,
                    log_rate_sigma: &self.log_rate_sigma,
                    log_cap: &self.log_cap,
                    request: &self.request,
                    limit: &self.limit,
                    priority: &self.priority,
                    tgps: &self.tgps,
                    pull_policy: &self.pull_policy,
                }
            }
        }
    };
}

workload_table!(RawPods {
    rate: Spanned<f64>,
    #[serde(default)]
    diurnal_amplitude: Option<Spanned<f64>>,
    #[serde(default)]
    diurnal_peak: Option<Spanned<String>>,
    #[serde(default)]
    zipf_alpha: Option<Spanned<f64>>,
    lifetime: Spanned<String>,
    #[serde(default)]
    lifetime_distribution: Option<Spanned<String>>,
    #[serde(default)]
    lifetime_sigma: Option<Spanned<f64>>,
    #[serde(default)]
    completes: Option<bool>,
    #[serde(default)]
    ttl_after_finished: Option<Spanned<String>>,
    #[serde(default)]
    owner: Option<Spanned<String>>,
    #[serde(default)]
    fresh_image: Option<Spanned<bool>>,
});

workload_table!(RawRollout {
    name: Spanned<String>,
    family: Spanned<String>,
    every: Spanned<String>,
    #[serde(default)]
    start: Option<Spanned<String>>,
    #[serde(default)]
    replicas: Option<Spanned<i64>>,
    #[serde(default)]
    top_layers: Option<Spanned<i64>>,
    #[serde(default)]
    step: Option<Spanned<String>>,
    #[serde(default)]
    image_size: Option<Spanned<NumOrStr>>,
    #[serde(default)]
    image_size_sigma: Option<Spanned<f64>>,
});

workload_table!(RawCronJob {
    name: Spanned<String>,
    family: Spanned<String>,
    every: Spanned<String>,
    #[serde(default)]
    start: Option<Spanned<String>>,
    #[serde(default)]
    runtime: Option<Spanned<String>>,
    #[serde(default)]
    ttl_after_finished: Option<Spanned<String>>,
});

workload_table!(RawDaemonSet {
    name: Spanned<String>,
    family: Spanned<String>,
    #[serde(default)]
    start: Option<Spanned<String>>,
});

// ---------------------------------------------------------------------------------------------
// The validated workload
// ---------------------------------------------------------------------------------------------

#[derive(Debug, Clone)]
struct ContainerTemplate {
    writable: Dist,
    writable_cap: u64,
    log: Dist,
    log_cap: u64,
    request: Option<Quantity>,
    limit: Option<Quantity>,
    priority: Option<i32>,
    tgps: i64,
    pull_policy: PullPolicy,
}

#[derive(Debug, Clone)]
struct PodsSpec {
    arrivals: Arrivals,
    lifetime: Dist,
    completes: bool,
    ttl: SimTime,
    owner: Owner,
    /// `fresh_image`: pod `n` of the stream runs its own image, `fresh_first + n`.
    fresh: bool,
    c: ContainerTemplate,
}

/// What the `[pods]` stream draws for one pod, in this order, from its RNG: the popularity
/// rank, the container's rates, the lifetime. The generator and the count of fresh images
/// both draw through this, so they see the same pods.
struct PodDraw {
    rank: usize,
    rates: (u64, u64),
    life: SimTime,
}

fn draw_pod(p: &PodsSpec, zipf: &Zipf, rng: &mut ChaCha8Rng) -> PodDraw {
    let rank = zipf.sample(rng);
    let rates = draw_rates(&p.c, rng);
    let life = to_ns(p.lifetime.sample(rng)).max(1_000_000);
    PodDraw { rank, rates, life }
}

/// A container's writable and log rates (bytes/s), drawn in that order. A lognormal sample may
/// land past MAX_RATE: capped there (the median is checked).
fn draw_rates(c: &ContainerTemplate, rng: &mut ChaCha8Rng) -> (u64, u64) {
    let rate = |d: &Dist, rng: &mut ChaCha8Rng| (d.sample(rng).round() as u64).min(MAX_RATE);
    let writable_rate = rate(&c.writable, rng);
    let log_rate = rate(&c.log, rng);
    (writable_rate, log_rate)
}

#[derive(Debug, Clone)]
struct RolloutSpec {
    name: String,
    every: SimTime,
    start: SimTime,
    replicas: usize,
    step: SimTime,
    /// Local image index of each tag.
    tags: Vec<usize>,
    c: ContainerTemplate,
}

#[derive(Debug, Clone)]
struct CronSpec {
    name: String,
    image: usize,
    every: SimTime,
    start: SimTime,
    runtime: SimTime,
    ttl: SimTime,
    c: ContainerTemplate,
}

#[derive(Debug, Clone)]
struct DsSpec {
    name: String,
    image: usize,
    start: SimTime,
    c: ContainerTemplate,
}

/// A validated `[workload.synthetic]`: its generated catalog and what the trace generator needs.
#[derive(Debug, Clone)]
pub struct SyntheticWorkload {
    /// Where `pause_image` is written, if it is (for an error about the image it names).
    pub pause_span: Option<std::ops::Range<usize>>,
    /// Generated layers and images (image layer indices are into `layers`).
    pub layers: Vec<LayerSpec>,
    pub images: Vec<ImageSpec>,
    /// Indices into `images` of the images on disk at t = 0 (the pause image).
    pub preloaded: Vec<usize>,
    /// Where `images[0]` sits in the scenario's catalog (set by the scenario loader).
    pub image_offset: usize,
    seed: u64,
    duration: SimTime,
    pods: Option<PodsSpec>,
    /// With `fresh_image`: the local image index of the stream's pod 0 (pod n's is + n).
    fresh_first: usize,
    /// Local image indices of the `[pods]` stream's images, most popular first.
    by_rank: Vec<usize>,
    /// Pod name prefix of each image (`ci/app-3:1.0` → `ci-app-3`).
    pod_prefix: Vec<String>,
    zipf: Zipf,
    rollouts: Vec<RolloutSpec>,
    cronjobs: Vec<CronSpec>,
    daemonsets: Vec<DsSpec>,
}

/// RNG streams: one per source, so adding a cronjob does not change the pods stream.
const STREAM_CATALOG: u64 = 1;
const STREAM_PODS: u64 = 2;
/// The top layers of `fresh_image` pods' images.
const STREAM_FRESH: u64 = 3;
const STREAM_ROLLOUT: u64 = 1 << 20;
const STREAM_CRON: u64 = 2 << 20;
const STREAM_DS: u64 = 3 << 20;

fn rng(seed: u64, stream: u64) -> ChaCha8Rng {
    let mut r = ChaCha8Rng::seed_from_u64(seed);
    r.set_stream(stream);
    r
}

/// Rounds seconds to whole milliseconds, in ns.
fn to_ns(secs: f64) -> SimTime {
    ((secs * 1000.0).round().max(0.0) as u64) * 1_000_000
}

struct Ctx<'a> {
    path: &'a Path,
    text: &'a str,
}

/// What the workload generates so far, against the `MAX_GENERATED_*` limits.
#[derive(Default)]
struct Budget {
    layers: u64,
    images: u64,
    pods: f64,
}

impl Budget {
    /// Counts `layers` and `images` more (as u128 products of the user's counts, so no count can
    /// wrap); an error at `span`/`field`, the setting that asked for them, past a limit.
    fn take(
        &mut self,
        cx: &Ctx<'_>,
        span: std::ops::Range<usize>,
        field: &str,
        layers: u128,
        images: u128,
        pods: f64,
    ) -> Result<(), InputError> {
        let l = self.layers as u128 + layers;
        let i = self.images as u128 + images;
        let p = self.pods + pods;
        if l > MAX_GENERATED_LAYERS as u128 {
            return Err(cx.err(
                span,
                field,
                format!("the workload would generate {l} layers; at most {MAX_GENERATED_LAYERS}"),
            ));
        }
        if i > MAX_GENERATED_IMAGES as u128 {
            return Err(cx.err(
                span,
                field,
                format!("the workload would generate {i} images; at most {MAX_GENERATED_IMAGES}"),
            ));
        }
        if p.is_nan() || p > MAX_GENERATED_PODS {
            return Err(cx.err(span, field, format!("the workload would generate about {p:.0} pods; at most {MAX_GENERATED_PODS:.0}")));
        }
        self.layers = l as u64;
        self.images = i as u64;
        self.pods = p;
        Ok(())
    }
}

impl Ctx<'_> {
    fn err(&self, span: std::ops::Range<usize>, field: &str, msg: impl Into<String>) -> InputError {
        InputError::new(
            self.path,
            Some(line_of(self.text, span.start)),
            Some(&format!("workload.synthetic.{field}")),
            msg,
        )
    }

    fn bytes(&self, v: &Spanned<NumOrStr>, field: &str) -> Result<u64, InputError> {
        let s = v.get_ref().as_text();
        parse_bytes(&s).map_err(|e| self.err(v.span(), field, with_value(&s, e.to_string())))
    }

    /// Bytes/s, at most [`MAX_RATE`].
    fn rate(&self, v: &Spanned<NumOrStr>, field: &str) -> Result<u64, InputError> {
        let r = self.bytes(v, field)?;
        if r > MAX_RATE {
            return Err(self.err(
                v.span(),
                field,
                format!(
                    "{r} bytes/s is more than {MAX_RATE} (512 GiB/s): no disk writes that fast"
                ),
            ));
        }
        Ok(r)
    }

    fn positive_bytes(
        &self,
        v: &Option<Spanned<NumOrStr>>,
        field: &str,
        default: u64,
    ) -> Result<u64, InputError> {
        match v {
            None => Ok(default),
            Some(v) => {
                let b = self.bytes(v, field)?;
                if b == 0 {
                    return Err(self.err(v.span(), field, "must be greater than 0"));
                }
                Ok(b)
            }
        }
    }

    fn quantity(
        &self,
        v: &Option<Spanned<NumOrStr>>,
        field: &str,
    ) -> Result<Option<Quantity>, InputError> {
        let Some(v) = v else { return Ok(None) };
        self.bytes(v, field)?;
        let s = match v.get_ref() {
            NumOrStr::Int(i) => i.to_string(),
            NumOrStr::Float(f) => f.to_string(),
            NumOrStr::Str(s) => s.trim().to_string(),
        };
        Quantity::parse(&s)
            .map(Some)
            .map_err(|e| self.err(v.span(), field, with_value(&s, e.to_string())))
    }

    /// A duration ≥ 0 (or > 0 with `positive`).
    fn dur(
        &self,
        v: &Option<Spanned<String>>,
        field: &str,
        default: SimTime,
        positive: bool,
    ) -> Result<SimTime, InputError> {
        let Some(v) = v else { return Ok(default) };
        self.dur1(v, field, positive)
    }

    fn dur1(
        &self,
        v: &Spanned<String>,
        field: &str,
        positive: bool,
    ) -> Result<SimTime, InputError> {
        let ns = parse_sim_duration(v.get_ref())
            .map_err(|e| self.err(v.span(), field, e.to_string()))?;
        if ns < 0 {
            return Err(self.err(v.span(), field, "must not be negative"));
        }
        if positive && ns == 0 {
            return Err(self.err(v.span(), field, "must be greater than 0"));
        }
        Ok(ns as SimTime)
    }

    fn float(
        &self,
        v: &Option<Spanned<f64>>,
        field: &str,
        default: f64,
        ok: impl Fn(f64) -> bool,
        what: &str,
    ) -> Result<f64, InputError> {
        let Some(v) = v else { return Ok(default) };
        let x = *v.get_ref();
        if !x.is_finite() || !ok(x) {
            return Err(self.err(v.span(), field, format!("{x} {what}")));
        }
        Ok(x)
    }

    /// `image_size` and `image_size_sigma` of `table`: the median compressed bytes of an image
    /// and the lognormal around it; `None` when `image_size` is not given.
    fn image_size(
        &self,
        size: &Option<Spanned<NumOrStr>>,
        sigma: &Option<Spanned<f64>>,
        table: &str,
    ) -> Result<Option<(u64, Dist)>, InputError> {
        let sigma_field = format!("{table}.image_size_sigma");
        if size.is_none() {
            self.only_with_image_size(sigma, &sigma_field)?;
            return Ok(None);
        }
        let median = self.positive_bytes(size, &format!("{table}.image_size"), 0)?;
        let sigma = self.float(
            sigma,
            &sigma_field,
            0.0,
            |x| (0.0..=MAX_SIGMA).contains(&x),
            SIGMA_RANGE,
        )?;
        Ok(Some((median, Dist::lognormal_median(median as f64, sigma))))
    }

    /// An error at a field that sizes layers from `image_size` when there is none.
    fn only_with_image_size<T>(
        &self,
        v: &Option<Spanned<T>>,
        field: &str,
    ) -> Result<(), InputError> {
        match v {
            Some(v) => Err(self.err(
                v.span(),
                field,
                "applies only together with image_size (an image's compressed size), which is not given",
            )),
            None => Ok(()),
        }
    }

    fn int(
        &self,
        v: &Option<Spanned<i64>>,
        field: &str,
        default: i64,
        min: i64,
    ) -> Result<i64, InputError> {
        let Some(v) = v else { return Ok(default) };
        let x = *v.get_ref();
        if x < min {
            return Err(self.err(v.span(), field, format!("{x} must be at least {min}")));
        }
        Ok(x)
    }

    fn name(&self, v: &Spanned<String>, field: &str) -> Result<String, InputError> {
        let s = v.get_ref();
        let ok = !s.is_empty()
            && s.len() <= 63
            && s.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'.')
            && s.as_bytes()[0].is_ascii_alphanumeric()
            && s.as_bytes()[s.len() - 1].is_ascii_alphanumeric();
        if !ok {
            return Err(self.err(
                v.span(),
                field,
                format!(
                    "{s:?} must be a lowercase name of letters, digits, '-' and '.' (at most 63)"
                ),
            ));
        }
        Ok(s.clone())
    }

    fn container(
        &self,
        r: RawContainerRef<'_>,
        table: &str,
    ) -> Result<ContainerTemplate, InputError> {
        let f = |name: &str| format!("{table}.{name}");
        let sigma_ok = |x: f64| (0.0..=MAX_SIGMA).contains(&x);
        let wr = match r.writable_rate {
            None => 0,
            Some(v) => self.rate(v, &f("writable_rate"))?,
        };
        let lr = match r.log_rate {
            None => 0,
            Some(v) => self.rate(v, &f("log_rate"))?,
        };
        let ws = self.float(
            r.writable_rate_sigma,
            &f("writable_rate_sigma"),
            1.0,
            sigma_ok,
            SIGMA_RANGE,
        )?;
        let ls = self.float(
            r.log_rate_sigma,
            &f("log_rate_sigma"),
            1.0,
            sigma_ok,
            SIGMA_RANGE,
        )?;
        let priority = match r.priority {
            None => None,
            Some(v) => Some(i32::try_from(*v.get_ref()).map_err(|_| {
                self.err(
                    v.span(),
                    &f("priority"),
                    format!(
                        "{} is not a 32-bit integer (a priority is -2147483648 to 2147483647)",
                        v.get_ref()
                    ),
                )
            })?),
        };
        let pull_policy = match r.pull_policy {
            None => PullPolicy::IfNotPresent,
            Some(v) => PullPolicy::parse(v.get_ref()).ok_or_else(|| {
                self.err(
                    v.span(),
                    &f("pull_policy"),
                    format!(
                        "{:?} is not one of Always, IfNotPresent, Never",
                        v.get_ref()
                    ),
                )
            })?,
        };
        Ok(ContainerTemplate {
            writable: Dist::lognormal_median(wr as f64, ws),
            writable_cap: self.positive_bytes(r.writable_cap, &f("writable_cap"), u64::MAX)?,
            log: Dist::lognormal_median(lr as f64, ls),
            log_cap: self.positive_bytes(r.log_cap, &f("log_cap"), u64::MAX)?,
            request: self.quantity(r.request, &f("request"))?,
            limit: self.quantity(r.limit, &f("limit"))?,
            priority,
            tgps: self.int(r.tgps, &f("tgps"), 30, 0)?,
            pull_policy,
        })
    }
}

/// How the app layers of an image are sized.
#[derive(Debug, Clone, Copy)]
enum AppSizing {
    /// `app_size`: each app layer's unpacked size, lognormal.
    PerLayer(Dist),
    /// `image_size`: the whole image's compressed size, lognormal around `median`; the image's
    /// own layers share what the layers below them leave, evenly ([`split_even`]).
    Image { median: u64, dist: Dist },
}

/// A family's layer recipe.
struct Family {
    name: String,
    base: Vec<usize>,
    /// Compressed bytes of the `base` layers together.
    base_compressed: u64,
    app_layers: usize,
    sizing: AppSizing,
    ratio: f64,
}

/// `total` bytes over `n` layers: equal shares, the first `total % n` layers one byte more, so
/// the parts add up to `total` exactly. Empty for `n` = 0.
pub fn split_even(total: u64, n: usize) -> Vec<u64> {
    if n == 0 {
        return Vec::new();
    }
    let (q, r) = (total / n as u64, total % n as u64);
    (0..n as u64).map(|i| q + u64::from(i < r)).collect()
}

/// The compressed size of an image drawn from `dist`, rounded to the byte and at least `floor`
/// (the layers it shares plus a byte for each of its own).
fn draw_image_size<R: Rng + ?Sized>(dist: &Dist, rng: &mut R, floor: u64) -> u64 {
    // `as` saturates: a draw past u64::MAX is u64::MAX, which the catalog refuses as too big.
    (dist.sample(rng).round() as u64).max(floor)
}

struct CatalogGen {
    layers: Vec<LayerSpec>,
    images: Vec<ImageSpec>,
}

impl CatalogGen {
    fn layer(&mut self, id: String, size: f64, ratio: f64) -> usize {
        let size = (size.round() as u64).max(1);
        let compressed = ((size as f64 / ratio).round() as u64).clamp(1, size.max(1));
        self.layers.push(LayerSpec {
            id,
            size,
            compressed,
        });
        self.layers.len() - 1
    }

    /// The compressed bytes of `layers` together (saturating: a sum past u64::MAX is refused
    /// by the catalog as too big).
    fn compressed_of(&self, layers: &[usize]) -> u64 {
        layers
            .iter()
            .fold(0u64, |a, &l| a.saturating_add(self.layers[l].compressed))
    }

    /// A layer of `compressed` bytes; unpacked, `compressed × ratio` rounded to the byte.
    fn layer_compressed(&mut self, id: String, compressed: u64, ratio: f64) -> usize {
        let compressed = compressed.max(1);
        // `as` saturates at u64::MAX (the catalog refuses it as too big).
        let size = ((compressed as f64 * ratio).round() as u64).max(compressed);
        self.layers.push(LayerSpec {
            id,
            size,
            compressed,
        });
        self.layers.len() - 1
    }

    /// `n` new layers for an image of `fam` above `below` (its base and any shared app
    /// layers, `below_compressed` bytes compressed), named by `id`: one draw of `sizing` per
    /// layer, or one draw of the image's size split evenly over the `n` layers.
    fn own_layers(
        &mut self,
        rng: &mut ChaCha8Rng,
        fam: &Family,
        sizing: &AppSizing,
        below_compressed: u64,
        n: usize,
        id: impl Fn(usize) -> String,
    ) -> Vec<usize> {
        match sizing {
            AppSizing::PerLayer(d) => (0..n)
                .map(|l| {
                    let s = d.sample(rng);
                    self.layer(id(l), s, fam.ratio)
                })
                .collect(),
            AppSizing::Image { dist, .. } => {
                let floor = below_compressed.saturating_add(n as u64);
                let total = draw_image_size(dist, rng, floor) - below_compressed;
                split_even(total, n)
                    .into_iter()
                    .enumerate()
                    .map(|(l, c)| self.layer_compressed(id(l), c, fam.ratio))
                    .collect()
            }
        }
    }

    fn image(&mut self, name: String, layers: Vec<usize>, pinned: bool) -> usize {
        self.images.push(ImageSpec {
            name,
            layers,
            pinned,
        });
        self.images.len() - 1
    }
}

impl SyntheticWorkload {
    /// Validates `[workload.synthetic]` and builds its catalog. `path`/`text` locate errors,
    /// `table` is where the table starts in `text`; `duration` bounds the trace.
    pub fn build(
        path: &Path,
        text: &str,
        r: &RawSynthetic,
        table: std::ops::Range<usize>,
        seed: u64,
        duration: SimTime,
    ) -> Result<SyntheticWorkload, InputError> {
        let cx = Ctx { path, text };
        let ratio_ok = |x: f64| x >= 1.0;
        let ratio = cx.float(
            &r.unpack_ratio,
            "unpack_ratio",
            DEFAULT_UNPACK_RATIO,
            ratio_ok,
            "must be at least 1 (unpacked bytes per compressed byte)",
        )?;
        let mut crng = rng(seed, STREAM_CATALOG);
        let mut cat = CatalogGen {
            layers: Vec::new(),
            images: Vec::new(),
        };
        let mut preloaded = Vec::new();
        let pause = r
            .pause_image
            .as_ref()
            .map(|s| s.get_ref().clone())
            .unwrap_or_else(|| DEFAULT_PAUSE.to_string());
        if !pause.is_empty() {
            // pause:3.10 is about 320 KB compressed, 736 KB unpacked.
            let l = cat.layer("pause".to_string(), 753_664.0, 753_664.0 / 327_680.0);
            preloaded.push(cat.image(pause, vec![l], true));
        }

        // Families and their [pods] images.
        let mut families: Vec<Family> = Vec::new();
        let mut pod_images: Vec<usize> = Vec::new();
        // The family of each of `pod_images`.
        let mut pod_image_family: Vec<usize> = Vec::new();
        let sigma_ok = |x: f64| (0.0..=MAX_SIGMA).contains(&x);
        let mut budget = Budget::default();
        for fam in &r.family {
            let f = fam.get_ref();
            let name = cx.name(&f.name, "family.name")?;
            if families.iter().any(|x| x.name == name) {
                return Err(cx.err(
                    f.name.span(),
                    "family.name",
                    format!("family {name:?} is defined twice"),
                ));
            }
            let n_images = cx.int(&f.images, "family.images", 10, 0)? as usize;
            let n_base = cx.int(&f.base_layers, "family.base_layers", 2, 0)? as usize;
            let n_app = cx.int(&f.app_layers, "family.app_layers", 3, 1)? as usize;
            // The per-layer form (base_size, app_size and their sigmas) or the image form
            // (image_size, image_size_sigma, base_share), never both.
            if let Some(is) = &f.image_size {
                let per_layer = [
                    ("base_size", f.base_size.as_ref().map(|v| v.span())),
                    ("base_sigma", f.base_sigma.as_ref().map(|v| v.span())),
                    ("app_size", f.app_size.as_ref().map(|v| v.span())),
                    ("app_sigma", f.app_sigma.as_ref().map(|v| v.span())),
                ];
                if let Some((field, Some(span))) = per_layer.into_iter().find(|(_, s)| s.is_some())
                {
                    return Err(cx.err(
                        span,
                        &format!("family.{field}"),
                        format!(
                            "give either image_size (line {}) or the per-layer sizes (base_size, app_size and their sigmas), not both",
                            line_of(text, is.span().start)
                        ),
                    ));
                }
            } else {
                cx.only_with_image_size(&f.base_share, "family.base_share")?;
            }
            let base_size = cx.positive_bytes(&f.base_size, "family.base_size", 60 << 20)?;
            let app_size = cx.positive_bytes(&f.app_size, "family.app_size", 30 << 20)?;
            let base_sigma = cx.float(
                &f.base_sigma,
                "family.base_sigma",
                0.5,
                sigma_ok,
                SIGMA_RANGE,
            )?;
            let app_sigma =
                cx.float(&f.app_sigma, "family.app_sigma", 1.0, sigma_ok, SIGMA_RANGE)?;
            let image_size = cx.image_size(&f.image_size, &f.image_size_sigma, "family")?;
            let fratio = cx.float(
                &f.unpack_ratio,
                "family.unpack_ratio",
                ratio,
                ratio_ok,
                "must be at least 1 (unpacked bytes per compressed byte)",
            )?;
            let fam_layers = n_base as u128 + n_images as u128 * n_app as u128;
            let (span, field) = if n_base as u128 > n_images as u128 * n_app as u128 {
                (
                    f.base_layers.as_ref().map(|v| v.span()),
                    "family.base_layers",
                )
            } else {
                (f.images.as_ref().map(|v| v.span()), "family.images")
            };
            let span = span.unwrap_or_else(|| fam.span());
            budget.take(&cx, span, field, fam_layers, n_images as u128, 0.0)?;
            let (base, sizing) = match image_size {
                None => {
                    let base_d = Dist::lognormal_median(base_size as f64, base_sigma);
                    let base: Vec<usize> = (0..n_base)
                        .map(|i| {
                            let s = base_d.sample(&mut crng);
                            cat.layer(format!("{name}-base-{i}"), s, fratio)
                        })
                        .collect();
                    let app = Dist::lognormal_median(app_size as f64, app_sigma);
                    (base, AppSizing::PerLayer(app))
                }
                Some((median, dist)) => {
                    let is = f.image_size.as_ref().unwrap();
                    let share = cx.float(
                        &f.base_share,
                        "family.base_share",
                        DEFAULT_BASE_SHARE,
                        |x| x > 0.0 && x < 1.0,
                        "must be greater than 0 and less than 1 (the base layers' part of image_size)",
                    )?;
                    // The base layers' part of the median image, rounded to the byte.
                    let base_total = if n_base == 0 {
                        0
                    } else {
                        (share * median as f64).round() as u64
                    };
                    let app_total = median.saturating_sub(base_total);
                    if base_total < n_base as u64 || app_total < n_app as u64 {
                        return Err(cx.err(
                            is.span(),
                            "family.image_size",
                            format!(
                                "{median} bytes is too small: at base_share {share}, {base_total} bytes for {n_base} base layers and {app_total} for {n_app} app layers, and each layer needs at least a byte"
                            ),
                        ));
                    }
                    let base = split_even(base_total, n_base)
                        .into_iter()
                        .enumerate()
                        .map(|(i, c)| cat.layer_compressed(format!("{name}-base-{i}"), c, fratio))
                        .collect();
                    (base, AppSizing::Image { median, dist })
                }
            };
            let base_compressed = cat.compressed_of(&base);
            let fam = Family {
                name: name.clone(),
                base,
                base_compressed,
                app_layers: n_app,
                sizing,
                ratio: fratio,
            };
            for i in 0..n_images {
                let mut layers = fam.base.clone();
                layers.extend(cat.own_layers(
                    &mut crng,
                    &fam,
                    &fam.sizing,
                    fam.base_compressed,
                    n_app,
                    |l| format!("{name}-app{i}-{l}"),
                ));
                pod_images.push(cat.image(format!("{name}/app-{i}:1.0"), layers, false));
                pod_image_family.push(families.len());
            }
            families.push(fam);
        }
        let family_of = |v: &Spanned<String>, field: &str| -> Result<usize, InputError> {
            families
                .iter()
                .position(|f| &f.name == v.get_ref())
                .ok_or_else(|| {
                    cx.err(
                        v.span(),
                        field,
                        format!(
                            "family {:?} is not defined in any [[workload.synthetic.family]]",
                            v.get_ref()
                        ),
                    )
                })
        };
        let mut names: BTreeSet<String> = BTreeSet::new();
        let mut unique = |v: &Spanned<String>, field: &str| -> Result<String, InputError> {
            let n = cx.name(v, field)?;
            if !names.insert(n.clone()) {
                return Err(cx.err(
                    v.span(),
                    field,
                    format!("{n:?} names two rollouts, cronjobs or daemonsets"),
                ));
            }
            Ok(n)
        };
        let app_image = |cat: &mut CatalogGen, crng: &mut ChaCha8Rng, fam: &Family, name: &str| {
            let mut layers = fam.base.clone();
            layers.extend(cat.own_layers(
                crng,
                fam,
                &fam.sizing,
                fam.base_compressed,
                fam.app_layers,
                |l| format!("{}-{name}-{l}", fam.name),
            ));
            cat.image(format!("{}/{name}:1.0", fam.name), layers, false)
        };

        // [pods]
        let (pods, zipf) = match &r.pods {
            None => (None, Zipf::new(0, DEFAULT_ZIPF_ALPHA)),
            Some(p) => {
                let p = p.get_ref();
                if pod_images.is_empty() {
                    return Err(cx.err(
                        table.clone(),
                        "pods",
                        "the pods stream needs at least one family with images > 0",
                    ));
                }
                let rate = *p.rate.get_ref();
                if !(rate.is_finite() && rate > 0.0) {
                    return Err(cx.err(
                        p.rate.span(),
                        "pods.rate",
                        format!("{rate} must be greater than 0 (pods per hour)"),
                    ));
                }
                budget.take(
                    &cx,
                    p.rate.span(),
                    "pods.rate",
                    0,
                    0,
                    rate * duration as f64 / NS as f64 / 3600.0,
                )?;
                let amplitude = cx.float(
                    &p.diurnal_amplitude,
                    "pods.diurnal_amplitude",
                    0.0,
                    |x| (0.0..=1.0).contains(&x),
                    "must be between 0 and 1",
                )?;
                let peak = cx.dur(&p.diurnal_peak, "pods.diurnal_peak", 14 * 3600 * NS, false)?;
                let alpha = cx.float(
                    &p.zipf_alpha,
                    "pods.zipf_alpha",
                    DEFAULT_ZIPF_ALPHA,
                    |x| x >= 0.0,
                    "must not be negative",
                )?;
                let mean = cx.dur1(&p.lifetime, "pods.lifetime", true)? as f64 / NS as f64;
                let lifetime = match p
                    .lifetime_distribution
                    .as_ref()
                    .map(|s| s.get_ref().as_str())
                {
                    None | Some("lognormal") => {
                        let s = cx.float(
                            &p.lifetime_sigma,
                            "pods.lifetime_sigma",
                            1.0,
                            sigma_ok,
                            SIGMA_RANGE,
                        )?;
                        Dist::lognormal_mean(mean, s)
                    }
                    Some("exponential") => {
                        if let Some(s) = &p.lifetime_sigma {
                            return Err(cx.err(
                                s.span(),
                                "pods.lifetime_sigma",
                                "only a lognormal lifetime has a sigma",
                            ));
                        }
                        Dist::Exponential { mean }
                    }
                    Some(other) => {
                        let s = p.lifetime_distribution.as_ref().unwrap();
                        return Err(cx.err(
                            s.span(),
                            "pods.lifetime_distribution",
                            format!("{other:?} is not one of \"lognormal\", \"exponential\""),
                        ));
                    }
                };
                let owner = match p.owner.as_ref().map(|s| s.get_ref().as_str()) {
                    None | Some("") => Owner::None,
                    Some("ReplicaSet") => Owner::ReplicaSet,
                    Some("Job") => Owner::Job,
                    Some("DaemonSet") => {
                        return Err(cx.err(
                            p.owner.as_ref().unwrap().span(),
                            "pods.owner",
                            "use [[workload.synthetic.daemonset]] for DaemonSet pods",
                        ))
                    }
                    Some(other) => {
                        return Err(cx.err(
                            p.owner.as_ref().unwrap().span(),
                            "pods.owner",
                            format!("{other:?} is not one of \"\", \"ReplicaSet\", \"Job\""),
                        ))
                    }
                };
                let completes = p.completes.unwrap_or(false);
                if !completes {
                    if let Some(t) = &p.ttl_after_finished {
                        return Err(cx.err(
                            t.span(),
                            "pods.ttl_after_finished",
                            "only pods with completes = true finish",
                        ));
                    }
                }
                let spec = PodsSpec {
                    arrivals: Arrivals {
                        rate: rate / 3600.0,
                        amplitude,
                        peak_s: peak as f64 / NS as f64,
                    },
                    lifetime,
                    completes,
                    ttl: cx.dur(
                        &p.ttl_after_finished,
                        "pods.ttl_after_finished",
                        60 * NS,
                        false,
                    )?,
                    owner,
                    fresh: p.fresh_image.as_ref().is_some_and(|b| *b.get_ref()),
                    c: cx.container(p.container(), "pods")?,
                };
                (Some(spec), Zipf::new(pod_images.len(), alpha))
            }
        };
        // Popularity ranks: a seeded shuffle of the family images.
        let mut by_rank = pod_images.clone();
        by_rank.shuffle(&mut crng);

        // Rollouts: tag k+1 keeps all but the top `top_layers` layers of tag k.
        let mut rollouts = Vec::new();
        for ro in &r.rollout {
            let o = ro.get_ref();
            let name = unique(&o.name, "rollout.name")?;
            let fam = &families[family_of(&o.family, "rollout.family")?];
            let every = cx.dur1(&o.every, "rollout.every", true)?;
            let start = cx.dur(&o.start, "rollout.start", 0, false)?;
            let replicas = cx.int(&o.replicas, "rollout.replicas", 2, 1)? as usize;
            let top = cx.int(&o.top_layers, "rollout.top_layers", 1, 1)? as usize;
            if top > fam.app_layers {
                let s = o.top_layers.as_ref().unwrap();
                return Err(cx.err(
                    s.span(),
                    "rollout.top_layers",
                    format!(
                        "{top} is more than family {:?}'s app_layers ({})",
                        fam.name, fam.app_layers
                    ),
                ));
            }
            let step = cx.dur(&o.step, "rollout.step", 30 * NS, false)?;
            let n_tags = if start > duration {
                0
            } else {
                (duration - start) / every + 1
            };
            budget.take(
                &cx,
                o.every.span(),
                "rollout.every",
                (fam.app_layers - top) as u128 + n_tags as u128 * top as u128,
                n_tags as u128,
                0.0,
            )?;
            let (span, field) = match &o.replicas {
                Some(r) if r.get_ref() > &1 => (r.span(), "rollout.replicas"),
                _ => (o.every.span(), "rollout.every"),
            };
            budget.take(&cx, span, field, 0, 0, n_tags as f64 * replicas as f64)?;
            let n_tags = n_tags as usize;
            // The rollout's own image_size, else the family's sizing.
            let sizing = match cx.image_size(&o.image_size, &o.image_size_sigma, "rollout")? {
                None => fam.sizing,
                Some((median, dist)) => {
                    let floor = fam.base_compressed.saturating_add(fam.app_layers as u64);
                    if median < floor {
                        return Err(cx.err(
                            o.image_size.as_ref().unwrap().span(),
                            "rollout.image_size",
                            format!(
                                "{median} bytes is less than family {:?}'s base layers ({} bytes compressed) and a byte for each of its {} app layers",
                                fam.name, fam.base_compressed, fam.app_layers
                            ),
                        ));
                    }
                    AppSizing::Image { median, dist }
                }
            };
            let n_shared = fam.app_layers - top;
            let shared_id = |l: usize| format!("{}-{name}-{l}", fam.name);
            let mut shared = fam.base.clone();
            match sizing {
                AppSizing::PerLayer(d) => {
                    for l in 0..n_shared {
                        let s = d.sample(&mut crng);
                        shared.push(cat.layer(shared_id(l), s, fam.ratio));
                    }
                }
                // The shared app layers are what they are in the median image: its app part
                // split evenly over the app layers, the lower `n_shared` of them.
                AppSizing::Image { median, .. } => {
                    let parts = split_even(median - fam.base_compressed, fam.app_layers);
                    for (l, c) in parts.into_iter().take(n_shared).enumerate() {
                        shared.push(cat.layer_compressed(shared_id(l), c, fam.ratio));
                    }
                }
            }
            let shared_compressed = cat.compressed_of(&shared);
            let mut tags = Vec::with_capacity(n_tags);
            for k in 0..n_tags {
                let mut layers = shared.clone();
                layers.extend(cat.own_layers(
                    &mut crng,
                    fam,
                    &sizing,
                    shared_compressed,
                    top,
                    |l| format!("{}-{name}-v{}-top{l}", fam.name, k + 1),
                ));
                tags.push(cat.image(format!("{}/{name}:v{}", fam.name, k + 1), layers, false));
            }
            rollouts.push(RolloutSpec {
                name,
                every,
                start,
                replicas,
                step,
                tags,
                c: cx.container(o.container(), "rollout")?,
            });
        }

        let mut cronjobs = Vec::new();
        for cj in &r.cronjob {
            let o = cj.get_ref();
            let name = unique(&o.name, "cronjob.name")?;
            let fam = &families[family_of(&o.family, "cronjob.family")?];
            let every = cx.dur1(&o.every, "cronjob.every", true)?;
            budget.take(
                &cx,
                o.every.span(),
                "cronjob.every",
                fam.app_layers as u128,
                1,
                (duration / every) as f64 + 1.0,
            )?;
            let image = app_image(&mut cat, &mut crng, fam, &name);
            cronjobs.push(CronSpec {
                name,
                image,
                every,
                start: cx.dur(&o.start, "cronjob.start", 0, false)?,
                runtime: cx.dur(&o.runtime, "cronjob.runtime", 5 * 60 * NS, true)?,
                ttl: cx.dur(
                    &o.ttl_after_finished,
                    "cronjob.ttl_after_finished",
                    60 * NS,
                    false,
                )?,
                c: cx.container(o.container(), "cronjob")?,
            });
        }

        let mut daemonsets = Vec::new();
        for ds in &r.daemonset {
            let o = ds.get_ref();
            let name = unique(&o.name, "daemonset.name")?;
            let fam = &families[family_of(&o.family, "daemonset.family")?];
            budget.take(&cx, ds.span(), "daemonset", fam.app_layers as u128, 1, 1.0)?;
            let image = app_image(&mut cat, &mut crng, fam, &name);
            daemonsets.push(DsSpec {
                name,
                image,
                start: cx.dur(&o.start, "daemonset.start", 0, false)?,
                c: cx.container(o.container(), "daemonset")?,
            });
        }

        if pods.is_none() && rollouts.is_empty() && cronjobs.is_empty() && daemonsets.is_empty() {
            return Err(cx.err(table.clone(), "pods", "a synthetic workload needs [workload.synthetic.pods] or at least one rollout, cronjob or daemonset"));
        }

        // fresh_image: pod n of the stream runs image fresh_first + n, built for it: the image
        // its popularity rank chose with the top layer rebuilt. The stream's pods are counted
        // by drawing them as the generator will (same RNG, same draws), so every such image is
        // used, by exactly one pod.
        let fresh_first = cat.images.len();
        if let Some(p) = pods.as_ref().filter(|p| p.fresh) {
            let span = r
                .pods
                .as_ref()
                .unwrap()
                .get_ref()
                .fresh_image
                .as_ref()
                .unwrap()
                .span();
            let field = "pods.fresh_image";
            let (layers0, images0) = (budget.layers, budget.images);
            let expected = (p.arrivals.rate * duration as f64 / NS as f64).ceil() as u128;
            budget.take(&cx, span.clone(), field, expected, expected, 0.0)?;
            // pod_images is in ascending order (pushed as created).
            let fam_of = |image: usize| {
                let k = pod_images.binary_search(&image).expect("a family image");
                &families[pod_image_family[k]]
            };
            let mut prng = rng(seed, STREAM_PODS);
            let mut frng = rng(seed, STREAM_FRESH);
            let mut t = p.arrivals.next(&mut prng, 0.0);
            let mut n: u64 = 0;
            while to_ns(t) <= duration {
                if layers0 + n >= MAX_GENERATED_LAYERS || images0 + n >= MAX_GENERATED_IMAGES {
                    return Err(cx.err(
                        span,
                        field,
                        format!("the workload would generate more than {MAX_GENERATED_IMAGES} images or layers (fresh_image: one of each per pod)"),
                    ));
                }
                let d = draw_pod(p, &zipf, &mut prng);
                let parent = by_rank[d.rank];
                let fam = fam_of(parent);
                let (below, top) = cat.images[parent]
                    .layers
                    .split_at(cat.images[parent].layers.len() - 1);
                let below = below.to_vec();
                let below_compressed = cat.compressed_of(&below);
                let stem = cat.layers[top[0]]
                    .id
                    .rsplit_once('-')
                    .map_or("", |(s, _)| s)
                    .to_string();
                let repo = cat.images[parent]
                    .name
                    .rsplit_once(':')
                    .map_or("", |(r, _)| r)
                    .to_string();
                let mut layers = below;
                layers.extend(cat.own_layers(
                    &mut frng,
                    fam,
                    &fam.sizing,
                    below_compressed,
                    1,
                    |_| format!("{stem}-build{n}"),
                ));
                cat.image(format!("{repo}:build-{n}"), layers, false);
                n += 1;
                t = p.arrivals.next(&mut prng, t);
            }
        }

        let pod_prefix = cat
            .images
            .iter()
            .map(|im| {
                let repo = im
                    .name
                    .rsplit_once(':')
                    .map_or(im.name.as_str(), |(r, _)| r);
                repo.replace(['/', '.'], "-")
            })
            .collect();
        Ok(SyntheticWorkload {
            pod_prefix,
            pause_span: r.pause_image.as_ref().map(|s| s.span()),
            layers: cat.layers,
            images: cat.images,
            preloaded,
            image_offset: 0,
            seed,
            duration,
            pods,
            fresh_first,
            by_rank,
            zipf,
            rollouts,
            cronjobs,
            daemonsets,
        })
    }

    /// The trace, in time order, as an iterator (memory: the pods alive at once).
    pub fn events(&self) -> Generator<'_> {
        Generator::new(self)
    }

    /// Local image indices of the images built for `fresh_image` pods, pod 0's first (empty
    /// without `fresh_image`).
    pub fn fresh_images(&self) -> std::ops::Range<usize> {
        match &self.pods {
            Some(p) if p.fresh => self.fresh_first..self.images.len(),
            _ => self.fresh_first..self.fresh_first,
        }
    }

    /// The local image index of popularity rank `k` of the `[pods]` stream.
    pub fn image_of_rank(&self, k: usize) -> usize {
        self.by_rank[k]
    }

    /// The Zipf popularity over the `[pods]` stream's images.
    pub fn zipf(&self) -> &Zipf {
        &self.zipf
    }

    /// Local image indices of each rollout's tags, oldest first.
    pub fn rollout_tags(&self) -> Vec<(String, Vec<usize>)> {
        self.rollouts
            .iter()
            .map(|r| (r.name.clone(), r.tags.clone()))
            .collect()
    }
}

// ---------------------------------------------------------------------------------------------
// The generator
// ---------------------------------------------------------------------------------------------

#[derive(Debug)]
enum Item {
    Emit(TraceAction),
    Arrival,
    Tag(usize, usize),
    Cron(usize, usize),
    Ds(usize),
}

#[derive(Debug)]
struct Pending {
    time: SimTime,
    seq: u64,
    item: Item,
}

impl PartialEq for Pending {
    fn eq(&self, o: &Self) -> bool {
        (self.time, self.seq) == (o.time, o.seq)
    }
}
impl Eq for Pending {}
impl PartialOrd for Pending {
    fn partial_cmp(&self, o: &Self) -> Option<Ordering> {
        Some(self.cmp(o))
    }
}
impl Ord for Pending {
    // Reversed: BinaryHeap pops the earliest (time, seq) first.
    fn cmp(&self, o: &Self) -> Ordering {
        (o.time, o.seq).cmp(&(self.time, self.seq))
    }
}

/// Yields the synthetic trace in time order; ties in push order. Events after the scenario's
/// duration are not generated.
pub struct Generator<'a> {
    w: &'a SyntheticWorkload,
    heap: BinaryHeap<Pending>,
    seq: u64,
    pods_rng: ChaCha8Rng,
    pods_t: f64,
    pods_n: u64,
    rollout_rng: Vec<ChaCha8Rng>,
    cron_rng: Vec<ChaCha8Rng>,
    ds_rng: Vec<ChaCha8Rng>,
}

impl<'a> Generator<'a> {
    fn new(w: &'a SyntheticWorkload) -> Generator<'a> {
        let mut g = Generator {
            w,
            heap: BinaryHeap::new(),
            seq: 0,
            pods_rng: rng(w.seed, STREAM_PODS),
            pods_t: 0.0,
            pods_n: 0,
            rollout_rng: (0..w.rollouts.len())
                .map(|i| rng(w.seed, STREAM_ROLLOUT + i as u64))
                .collect(),
            cron_rng: (0..w.cronjobs.len())
                .map(|i| rng(w.seed, STREAM_CRON + i as u64))
                .collect(),
            ds_rng: (0..w.daemonsets.len())
                .map(|i| rng(w.seed, STREAM_DS + i as u64))
                .collect(),
        };
        for (i, d) in w.daemonsets.iter().enumerate() {
            g.push(d.start, Item::Ds(i));
        }
        for (i, r) in w.rollouts.iter().enumerate() {
            if !r.tags.is_empty() {
                g.push(r.start, Item::Tag(i, 0));
            }
        }
        for (i, c) in w.cronjobs.iter().enumerate() {
            g.push(c.start, Item::Cron(i, 0));
        }
        if let Some(p) = &w.pods {
            g.pods_t = p.arrivals.next(&mut g.pods_rng, 0.0);
            g.push(to_ns(g.pods_t), Item::Arrival);
        }
        g
    }

    fn push(&mut self, time: SimTime, item: Item) {
        if time > self.w.duration {
            return;
        }
        self.seq += 1;
        self.heap.push(Pending {
            time,
            seq: self.seq,
            item,
        });
    }
}

fn make_pod(
    w: &SyntheticWorkload,
    (writable_rate, log_rate): (u64, u64),
    name: String,
    image: usize,
    c: &ContainerTemplate,
    owner: Owner,
) -> PodSpec {
    let spec = &w.images[image];
    PodSpec {
        name,
        containers: vec![ContainerSpec {
            name: "main".to_string(),
            image_ref: spec.name.clone(),
            image: w.image_offset + image,
            pull_policy: c.pull_policy,
            writable_rate,
            writable_cap: c.writable_cap,
            log_rate,
            log_cap: c.log_cap,
            request: c.request.clone(),
            limit: c.limit.clone(),
            emptydir_rate: None,
            emptydir_limit: None,
        }],
        priority: c.priority,
        termination_grace_period_seconds: c.tgps,
        critical: false,
        owner,
    }
}

impl Generator<'_> {
    /// Handles a source token at `t`: returns an event to emit now, if any.
    fn fire(&mut self, t: SimTime, item: Item) -> Option<TraceAction> {
        let w = self.w;
        match item {
            Item::Emit(a) => Some(a),
            Item::Arrival => {
                let p = w.pods.as_ref().unwrap();
                let rng = &mut self.pods_rng;
                let d = draw_pod(p, &w.zipf, rng);
                let n = self.pods_n;
                self.pods_n += 1;
                let image = if p.fresh {
                    // Built for it at `build`, which counted the stream's pods.
                    debug_assert!(w.fresh_first + (n as usize) < w.images.len());
                    w.fresh_first + n as usize
                } else {
                    w.by_rank[d.rank]
                };
                let name = format!("{}-{n}", w.pod_prefix[image]);
                let spec = make_pod(w, d.rates, name.clone(), image, &p.c, p.owner);
                let life = d.life;
                self.pods_t = p.arrivals.next(rng, self.pods_t);
                if p.completes {
                    self.push(t + life, Item::Emit(TraceAction::Complete(name.clone())));
                    self.push(t + life + p.ttl, Item::Emit(TraceAction::Delete(name)));
                } else {
                    self.push(t + life, Item::Emit(TraceAction::Delete(name)));
                }
                self.push(to_ns(self.pods_t), Item::Arrival);
                Some(TraceAction::Create(Arc::new(spec)))
            }
            Item::Tag(i, k) => {
                let r = &w.rollouts[i];
                for rep in 0..r.replicas {
                    let at = t + rep as u64 * r.step;
                    let name = format!("{}-v{}-{rep}", r.name, k + 1);
                    let spec = make_pod(
                        w,
                        draw_rates(&r.c, &mut self.rollout_rng[i]),
                        name,
                        r.tags[k],
                        &r.c,
                        Owner::ReplicaSet,
                    );
                    self.push(at, Item::Emit(TraceAction::Create(Arc::new(spec))));
                    if k > 0 {
                        let old = format!("{}-v{k}-{rep}", r.name);
                        self.push(at + r.step, Item::Emit(TraceAction::Delete(old)));
                    }
                }
                if k + 1 < r.tags.len() {
                    self.push(t + r.every, Item::Tag(i, k + 1));
                }
                None
            }
            Item::Cron(i, k) => {
                let c = &w.cronjobs[i];
                let name = format!("{}-{k}", c.name);
                let spec = make_pod(
                    w,
                    draw_rates(&c.c, &mut self.cron_rng[i]),
                    name.clone(),
                    c.image,
                    &c.c,
                    Owner::Job,
                );
                self.push(
                    t + c.runtime,
                    Item::Emit(TraceAction::Complete(name.clone())),
                );
                self.push(t + c.runtime + c.ttl, Item::Emit(TraceAction::Delete(name)));
                self.push(t + c.every, Item::Cron(i, k + 1));
                Some(TraceAction::Create(Arc::new(spec)))
            }
            Item::Ds(i) => {
                let d = &w.daemonsets[i];
                let spec = make_pod(
                    w,
                    draw_rates(&d.c, &mut self.ds_rng[i]),
                    format!("{}-node-1", d.name),
                    d.image,
                    &d.c,
                    Owner::DaemonSet,
                );
                Some(TraceAction::Create(Arc::new(spec)))
            }
        }
    }
}

impl Iterator for Generator<'_> {
    type Item = TraceEvent;

    fn next(&mut self) -> Option<TraceEvent> {
        while let Some(p) = self.heap.pop() {
            if let Some(action) = self.fire(p.time, p.item) {
                return Some(TraceEvent {
                    time: p.time,
                    action,
                });
            }
        }
        None
    }
}

// ---------------------------------------------------------------------------------------------
// Writing a trace
// ---------------------------------------------------------------------------------------------

/// The header [`write_trace`] writes: every column `parse_trace` reads.
pub const HEADER: &str = "time,action,pod,container,image,pull_policy,writable_rate,writable_cap,log_rate,log_cap,request,limit,emptydir_rate,emptydir_limit,priority,tgps,critical,owner";

/// A trace time as `parse_trace` reads it back exactly: whole seconds (`5400`), else a Go
/// duration in seconds with the fraction (`5400.25s`, parsed exactly, unlike a float).
pub fn format_time(ns: SimTime) -> String {
    if ns.is_multiple_of(NS) {
        (ns / NS).to_string()
    } else {
        let frac = format!("{:09}", ns % NS);
        format!("{}.{}s", ns / NS, frac.trim_end_matches('0'))
    }
}

fn pull_policy_str(p: PullPolicy) -> &'static str {
    match p {
        PullPolicy::Always => "Always",
        PullPolicy::IfNotPresent => "IfNotPresent",
        PullPolicy::Never => "Never",
    }
}

/// A CSV field, quoted when it needs to be.
fn field(s: &str) -> std::borrow::Cow<'_, str> {
    if s.contains([',', '"', '\n', '\r']) || s.starts_with('#') || s != s.trim() {
        format!("\"{}\"", s.replace('"', "\"\"")).into()
    } else {
        s.into()
    }
}

/// Streams `events` as a trace CSV (the columns `parse_trace` reads), after a `#` comment line.
/// Returns the number of rows written.
pub fn write_trace<W: Write>(
    mut out: W,
    comment: &str,
    events: impl IntoIterator<Item = TraceEvent>,
) -> io::Result<u64> {
    for line in comment.lines() {
        writeln!(out, "# {line}")?;
    }
    writeln!(out, "{HEADER}")?;
    let mut rows = 0u64;
    for ev in events {
        let t = format_time(ev.time);
        match &ev.action {
            TraceAction::Create(p) => {
                for (i, c) in p.containers.iter().enumerate() {
                    let cap = |v: u64| {
                        if v == u64::MAX {
                            String::new()
                        } else {
                            v.to_string()
                        }
                    };
                    let q = |v: &Option<Quantity>| {
                        v.as_ref().map(|q| q.to_string()).unwrap_or_default()
                    };
                    let (prio, tgps, critical, owner) = if i == 0 {
                        (
                            p.priority.map(|v| v.to_string()).unwrap_or_default(),
                            p.termination_grace_period_seconds.to_string(),
                            if p.critical { "true" } else { "" },
                            p.owner.as_str(),
                        )
                    } else {
                        (String::new(), String::new(), "", "")
                    };
                    writeln!(
                        out,
                        "{t},create,{},{},{},{},{},{},{},{},{},{},{},{},{prio},{tgps},{critical},{owner}",
                        field(&p.name),
                        field(&c.name),
                        field(&c.image_ref),
                        pull_policy_str(c.pull_policy),
                        c.writable_rate,
                        cap(c.writable_cap),
                        c.log_rate,
                        cap(c.log_cap),
                        field(&q(&c.request)),
                        field(&q(&c.limit)),
                        c.emptydir_rate.map(|v| v.to_string()).unwrap_or_default(),
                        field(&q(&c.emptydir_limit)),
                    )?;
                    rows += 1;
                }
            }
            TraceAction::Complete(n) => {
                writeln!(out, "{t},complete,{},,,,,,,,,,,,,,,", field(n))?;
                rows += 1;
            }
            TraceAction::Delete(n) => {
                writeln!(out, "{t},delete,{},,,,,,,,,,,,,,,", field(n))?;
                rows += 1;
            }
        }
    }
    out.flush()?;
    Ok(rows)
}
