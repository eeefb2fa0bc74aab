//! KubeletConfiguration (data-formats.md §4): the `/configz` reply `{"kubeletconfig": {…}}`, a
//! `KubeletConfiguration` file in JSON or YAML (several `---` documents are fine: the one with
//! `kind: KubeletConfiguration` is used), or the kubeadm `kubelet-config` ConfigMap whose
//! `data.kubelet` holds the file as a string.
//!
//! Absent fields stay `None` (on `/configz` absent means "unset", not zero). Values keep the
//! text the file had (`"2m0s"`), after checking that it parses. The fields the scenario schema
//! accepts are validated with the kubelet's own rules ([`KubeletConfig::from_input`]), so an
//! import never writes a `[kubelet]` table that `check` would refuse.

use std::collections::BTreeMap;
use std::path::Path;

use serde_json::Value;

use super::common::{parse_documents, At};
use crate::error::InputError;
use crate::kubelet::config::{KubeletConfig, KubeletConfigInput};
use crate::units::{parse_go_duration, parse_percentage, Quantity};

/// Which form the configuration came in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConfigForm {
    /// `GET /configz`: the effective, defaulted configuration.
    Configz,
    /// A `KubeletConfiguration` document (the file on the node).
    File,
    /// The kubeadm `kube-system/kubelet-config` ConfigMap.
    ConfigMap,
}

impl ConfigForm {
    pub fn describe(self) -> &'static str {
        match self {
            ConfigForm::Configz => "/configz (effective config)",
            ConfigForm::File => "KubeletConfiguration file",
            ConfigForm::ConfigMap => "kubelet-config ConfigMap",
        }
    }
}

/// The fields the simulator takes, as written (durations and quantities are strings).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct KubeletConfigImport {
    pub form: Option<ConfigForm>,
    pub api_version: Option<String>,
    // Fields the scenario's [kubelet] table accepts today.
    pub image_gc_high_threshold_percent: Option<i64>,
    pub image_gc_low_threshold_percent: Option<i64>,
    pub image_minimum_gc_age: Option<String>,
    pub image_maximum_gc_age: Option<String>,
    pub serialize_image_pulls: Option<bool>,
    pub max_parallel_image_pulls: Option<i64>,
    pub registry_pull_qps: Option<i64>,
    pub registry_burst: Option<i64>,
    pub container_log_max_size: Option<String>,
    pub container_log_max_files: Option<i64>,
    pub container_log_max_workers: Option<i64>,
    pub container_log_monitor_interval: Option<String>,
    pub local_storage_capacity_isolation: Option<bool>,
    // Eviction: written into [kubelet] as configured.
    pub eviction_hard: Option<BTreeMap<String, String>>,
    pub eviction_soft: Option<BTreeMap<String, String>>,
    pub eviction_soft_grace_period: Option<BTreeMap<String, String>>,
    pub eviction_minimum_reclaim: Option<BTreeMap<String, String>>,
    pub eviction_pressure_transition_period: Option<String>,
    pub eviction_max_pod_grace_period: Option<i64>,
    pub merge_default_eviction_settings: Option<bool>,
    // What tells the runtime (and so how to read image sizes).
    pub container_runtime_endpoint: Option<String>,
    pub image_service_endpoint: Option<String>,
    /// The configuration's other fields: the model does not use them (listed in the report).
    pub ignored: Vec<String>,
}

/// Fields read above besides the scenario's and the eviction ones.
const READ_FIELDS: &[&str] = &[
    "kind",
    "apiVersion",
    "containerRuntimeEndpoint",
    "imageServiceEndpoint",
];

/// The eviction fields, written into `[kubelet]` as configured.
pub const EVICTION_FIELDS: &[&str] = &[
    "evictionHard",
    "evictionSoft",
    "evictionSoftGracePeriod",
    "evictionMinimumReclaim",
    "evictionPressureTransitionPeriod",
    "evictionMaxPodGracePeriod",
    "mergeDefaultEvictionSettings",
];

/// The disk-pressure eviction signals (data-formats.md §4.3).
pub const DISK_SIGNALS: &[&str] = &[
    "nodefs.available",
    "nodefs.inodesFree",
    "imagefs.available",
    "imagefs.inodesFree",
    "containerfs.available",
    "containerfs.inodesFree",
];

const KNOWN_SIGNALS: &[&str] = &[
    "memory.available",
    "nodefs.available",
    "nodefs.inodesFree",
    "imagefs.available",
    "imagefs.inodesFree",
    "containerfs.available",
    "containerfs.inodesFree",
    "pid.available",
    "allocatableMemory.available",
];

/// Keys that mark a kind-less object as a KubeletConfiguration fragment.
const FRAGMENT_KEYS: &[&str] = &[
    "imageGCHighThresholdPercent",
    "imageGCLowThresholdPercent",
    "imageMinimumGCAge",
    "imageMaximumGCAge",
    "serializeImagePulls",
    "maxParallelImagePulls",
    "registryPullQPS",
    "registryBurst",
    "containerLogMaxSize",
    "containerLogMaxFiles",
    "containerLogMaxWorkers",
    "containerLogMonitorInterval",
    "evictionHard",
    "evictionSoft",
    "evictionSoftGracePeriod",
    "evictionMinimumReclaim",
    "evictionPressureTransitionPeriod",
    "evictionMaxPodGracePeriod",
    "mergeDefaultEvictionSettings",
    "containerRuntimeEndpoint",
    "staticPodPath",
    "cgroupDriver",
    "clusterDNS",
    "clusterDomain",
];

/// The `[kubelet]` keys the scenario accepts, in the order they are written.
pub const SCENARIO_FIELDS: &[&str] = &[
    "imageGCHighThresholdPercent",
    "imageGCLowThresholdPercent",
    "imageMinimumGCAge",
    "imageMaximumGCAge",
    "serializeImagePulls",
    "maxParallelImagePulls",
    "registryPullQPS",
    "registryBurst",
    "containerLogMaxSize",
    "containerLogMaxFiles",
    "containerLogMaxWorkers",
    "containerLogMonitorInterval",
    "localStorageCapacityIsolation",
];

impl KubeletConfigImport {
    /// The scenario `[kubelet]` fields present, as `(key, TOML value)`.
    pub fn scenario_fields(&self) -> Vec<(&'static str, String)> {
        let s = |v: &str| toml::Value::String(v.to_string()).to_string();
        let mut out = Vec::new();
        if let Some(v) = self.image_gc_high_threshold_percent {
            out.push((SCENARIO_FIELDS[0], v.to_string()));
        }
        if let Some(v) = self.image_gc_low_threshold_percent {
            out.push((SCENARIO_FIELDS[1], v.to_string()));
        }
        if let Some(v) = &self.image_minimum_gc_age {
            out.push((SCENARIO_FIELDS[2], s(v)));
        }
        if let Some(v) = &self.image_maximum_gc_age {
            out.push((SCENARIO_FIELDS[3], s(v)));
        }
        if let Some(v) = self.serialize_image_pulls {
            out.push((SCENARIO_FIELDS[4], v.to_string()));
        }
        if let Some(v) = self.max_parallel_image_pulls {
            out.push((SCENARIO_FIELDS[5], v.to_string()));
        }
        if let Some(v) = self.registry_pull_qps {
            out.push((SCENARIO_FIELDS[6], v.to_string()));
        }
        if let Some(v) = self.registry_burst {
            out.push((SCENARIO_FIELDS[7], v.to_string()));
        }
        if let Some(v) = &self.container_log_max_size {
            out.push((SCENARIO_FIELDS[8], s(v)));
        }
        if let Some(v) = self.container_log_max_files {
            out.push((SCENARIO_FIELDS[9], v.to_string()));
        }
        if let Some(v) = self.container_log_max_workers {
            out.push((SCENARIO_FIELDS[10], v.to_string()));
        }
        if let Some(v) = &self.container_log_monitor_interval {
            out.push((SCENARIO_FIELDS[11], s(v)));
        }
        if let Some(v) = self.local_storage_capacity_isolation {
            out.push((SCENARIO_FIELDS[12], v.to_string()));
        }
        out
    }

    /// The eviction fields present, as `(key, TOML value)`.
    pub fn eviction_fields(&self) -> Vec<(&'static str, String)> {
        let map = |m: &BTreeMap<String, String>| {
            let parts: Vec<String> = m
                .iter()
                .map(|(k, v)| {
                    format!(
                        "{} = {}",
                        toml::Value::String(k.clone()),
                        toml::Value::String(v.clone())
                    )
                })
                .collect();
            format!("{{ {} }}", parts.join(", "))
        };
        let mut out = Vec::new();
        if let Some(m) = &self.eviction_hard {
            out.push(("evictionHard", map(m)));
        }
        if let Some(m) = &self.eviction_soft {
            out.push(("evictionSoft", map(m)));
        }
        if let Some(m) = &self.eviction_soft_grace_period {
            out.push(("evictionSoftGracePeriod", map(m)));
        }
        if let Some(m) = &self.eviction_minimum_reclaim {
            out.push(("evictionMinimumReclaim", map(m)));
        }
        if let Some(v) = &self.eviction_pressure_transition_period {
            out.push((
                "evictionPressureTransitionPeriod",
                toml::Value::String(v.clone()).to_string(),
            ));
        }
        if let Some(v) = self.eviction_max_pod_grace_period {
            out.push(("evictionMaxPodGracePeriod", v.to_string()));
        }
        if let Some(v) = self.merge_default_eviction_settings {
            out.push(("mergeDefaultEvictionSettings", v.to_string()));
        }
        out
    }

    /// Threshold image GC is off: high threshold 100 (and no maximum age), as kind and
    /// minikube configure it.
    pub fn image_gc_disabled(&self) -> bool {
        let max_age_off = self
            .image_maximum_gc_age
            .as_deref()
            .map(|s| parse_go_duration(s).map(|n| n == 0).unwrap_or(true))
            .unwrap_or(true);
        self.image_gc_high_threshold_percent == Some(100) && max_age_off
    }

    /// Hard disk-pressure eviction is off: every disk signal in `evictionHard` is `"0%"` or
    /// `"100%"` (both disable a signal), or no disk signal is listed while defaults are not
    /// merged in.
    pub fn disk_eviction_disabled(&self) -> bool {
        let Some(hard) = &self.eviction_hard else {
            return false;
        };
        let disk: Vec<&String> = hard
            .iter()
            .filter(|(k, _)| DISK_SIGNALS.contains(&k.as_str()))
            .map(|(_, v)| v)
            .collect();
        if disk.is_empty() {
            return self.merge_default_eviction_settings != Some(true);
        }
        disk.iter().all(|v| {
            let v = v.trim();
            v.ends_with('%')
                && parse_percentage(v)
                    .map(|p| p <= 0.0 || p >= 1.0)
                    .unwrap_or(false)
        })
    }

    /// The eviction settings as the kubelet checks them at start (`ParseThresholdConfig`): one
    /// it refuses is an error naming the file and the field, as the kubelet would not start.
    pub fn check_eviction(&self, file: &Path) -> Result<(), InputError> {
        use crate::kubelet::eviction::helpers::{effective_eviction_hard, parse_threshold_config};
        let empty = BTreeMap::new();
        let hard = effective_eviction_hard(
            self.eviction_hard.as_ref(),
            self.merge_default_eviction_settings == Some(true),
        );
        let soft = self.eviction_soft.clone().unwrap_or_default();
        let grace = self.eviction_soft_grace_period.clone().unwrap_or_default();
        let reclaim = self.eviction_minimum_reclaim.clone().unwrap_or_default();
        let any_grace: BTreeMap<String, String> =
            soft.keys().map(|s| (s.clone(), "1s".to_string())).collect();
        let checks = [
            (
                "evictionHard",
                parse_threshold_config(&hard, &empty, &empty, &empty),
            ),
            (
                "evictionSoft",
                parse_threshold_config(&empty, &soft, &any_grace, &empty),
            ),
            (
                "evictionSoftGracePeriod",
                parse_threshold_config(&empty, &empty, &grace, &empty),
            ),
            (
                "evictionMinimumReclaim",
                parse_threshold_config(&empty, &empty, &empty, &reclaim),
            ),
            (
                "evictionSoft",
                parse_threshold_config(&hard, &soft, &grace, &reclaim),
            ),
        ];
        for (field, res) in checks {
            if let Err(e) = res {
                return Err(InputError::new(file, None, Some(field), e.to_string()));
            }
        }
        Ok(())
    }

    /// Warnings about what the config switches off or leaves out (data-formats.md §4.5).
    pub fn warnings(&self) -> Vec<String> {
        let mut w = Vec::new();
        if self.image_gc_disabled() {
            w.push("image GC by disk usage is switched off (imageGCHighThresholdPercent: 100 and no imageMaximumGCAge), as kind and minikube configure it: the simulated kubelet will never free image space".to_string());
        }
        if let Some(hard) = &self.eviction_hard {
            if self.disk_eviction_disabled() {
                if hard.keys().any(|k| DISK_SIGNALS.contains(&k.as_str())) {
                    w.push("disk-pressure eviction is switched off (every disk signal in evictionHard is \"0%\"), as kind and minikube configure it".to_string());
                } else {
                    w.push("evictionHard lists no nodefs/imagefs signal and mergeDefaultEvictionSettings is not true: setting the map replaces the defaults, so there is no hard disk-pressure threshold".to_string());
                }
            } else if !hard.keys().any(|k| k.starts_with("imagefs."))
                && self.merge_default_eviction_settings != Some(true)
            {
                w.push("evictionHard has no imagefs.* threshold (as on EKS and GKE): only the nodefs thresholds protect the disk on a shared layout".to_string());
            }
            for k in hard.keys() {
                if !KNOWN_SIGNALS.contains(&k.as_str()) {
                    w.push(format!("evictionHard: unknown eviction signal {k:?}"));
                }
            }
        }
        if let Some(v) = &self.api_version {
            if v != "kubelet.config.k8s.io/v1beta1" {
                w.push(format!(
                    "apiVersion {v:?}: read as kubelet.config.k8s.io/v1beta1"
                ));
            }
        }
        w
    }
}

/// Reads a kubelet configuration file in any of the accepted forms.
pub fn parse_kubelet_config(file: &Path) -> Result<KubeletConfigImport, InputError> {
    let text = std::fs::read_to_string(file)
        .map_err(|e| InputError::new(file, None, None, format!("cannot read: {e}")))?;
    parse_kubelet_config_str(file, &text)
}

/// Like [`parse_kubelet_config`] on text already read; `file` names the source in errors.
pub fn parse_kubelet_config_str(
    file: &Path,
    text: &str,
) -> Result<KubeletConfigImport, InputError> {
    let docs = parse_documents(file, text)?;
    if docs.is_empty() {
        return Err(InputError::new(
            file,
            None,
            None,
            "the file holds no document",
        ));
    }
    let kind_of = |v: &Value| v.get("kind").and_then(Value::as_str).map(str::to_string);
    // 1. /configz.
    for (i, d) in docs.iter().enumerate() {
        if d.get("kubeletconfig").is_some() {
            let at = At::new(file, d, doc_prefix(i, docs.len())).field("kubeletconfig")?;
            return from_object(&at, ConfigForm::Configz);
        }
    }
    // 2. A KubeletConfiguration document.
    for (i, d) in docs.iter().enumerate() {
        if kind_of(d).as_deref() == Some("KubeletConfiguration") {
            return from_object(
                &At::new(file, d, doc_prefix(i, docs.len())),
                ConfigForm::File,
            );
        }
    }
    // 3. The kubeadm ConfigMap (or a List holding it).
    for (i, d) in docs.iter().enumerate() {
        let at = At::new(file, d, doc_prefix(i, docs.len()));
        let candidates: Vec<At> = if kind_of(d).as_deref() == Some("List") {
            at.field("items")?.opt_array()?
        } else {
            vec![at]
        };
        for c in candidates {
            if kind_of(c.v).as_deref() != Some("ConfigMap") {
                continue;
            }
            let data = c.field("data")?;
            for key in ["kubelet", "config.yaml", "kubelet-config.yaml", "config"] {
                let s = data.field(key)?;
                if let Some(inner) = s.opt_str()? {
                    let mut cfg = parse_kubelet_config_str(file, inner).map_err(|mut e| {
                        e.field = Some(match e.field {
                            Some(f) => format!("{}: {f}", s.path),
                            None => s.path.clone(),
                        });
                        e
                    })?;
                    cfg.form = Some(ConfigForm::ConfigMap);
                    return Ok(cfg);
                }
            }
        }
    }
    // 4. A lone object without `kind` holding KubeletConfiguration fields (a fragment or a
    //    drop-in file).
    if docs.len() == 1 && kind_of(&docs[0]).is_none() {
        if let Some(m) = docs[0].as_object() {
            if m.keys().any(|k| FRAGMENT_KEYS.contains(&k.as_str())) {
                return from_object(&At::new(file, &docs[0], ""), ConfigForm::File);
            }
        }
    }
    Err(InputError::new(file, None, None, "no kubelet configuration found: expected the /configz reply {\"kubeletconfig\": {...}}, a document with kind: KubeletConfiguration, or the kubelet-config ConfigMap"))
}

fn doc_prefix(i: usize, n: usize) -> String {
    if n > 1 {
        format!("(document {})", i + 1)
    } else {
        String::new()
    }
}

fn duration_field(at: &At) -> Result<Option<String>, InputError> {
    match at.v {
        Value::Null => Ok(None),
        Value::String(s) => {
            parse_go_duration(s).map_err(|e| at.err(e.to_string()))?;
            Ok(Some(s.clone()))
        }
        _ => Err(at.err(
            "expected a duration string such as \"2m0s\" (a number without a unit is not a duration)",
        )),
    }
}

/// A map of signal → string. Numbers are taken as their text (a YAML `0`).
fn string_map(at: &At) -> Result<Option<BTreeMap<String, String>>, InputError> {
    if at.is_null() {
        return Ok(None);
    }
    let mut out = BTreeMap::new();
    for (k, v) in at.opt_entries()? {
        let s = match v.v {
            Value::String(s) => s.trim().to_string(),
            Value::Number(n) => n.to_string(),
            _ => return Err(v.err("expected a string such as \"10%\" or \"100Mi\"")),
        };
        out.insert(k.to_string(), s);
    }
    Ok(Some(out))
}

/// Eviction thresholds: a percentage (`"10%"`) or a quantity (`"100Mi"`).
fn threshold_map(at: &At) -> Result<Option<BTreeMap<String, String>>, InputError> {
    let m = string_map(at)?;
    if let Some(m) = &m {
        for (k, v) in m {
            let bad = if v.ends_with('%') {
                parse_percentage(v).err().map(|e| e.to_string())
            } else {
                Quantity::parse(v).err().map(|e| e.to_string())
            };
            if let Some(e) = bad {
                let e = if e.contains(v.as_str()) {
                    e
                } else {
                    format!("{v:?}: {e}")
                };
                return Err(at.field(k)?.err(e));
            }
        }
    }
    Ok(m)
}

fn from_object(at: &At, form: ConfigForm) -> Result<KubeletConfigImport, InputError> {
    if !at.v.is_object() {
        return Err(at.err("expected an object of KubeletConfiguration fields"));
    }
    let f = |k: &str| at.field(k);
    let grace = f("evictionSoftGracePeriod")?;
    let grace_map = string_map(&grace)?;
    if let Some(m) = &grace_map {
        for (k, v) in m {
            parse_go_duration(v)
                .map_err(|e| grace.field(k).map_or_else(|x| x, |a| a.err(e.to_string())))?;
        }
    }
    let cfg = KubeletConfigImport {
        form: Some(form),
        api_version: f("apiVersion")?.opt_str()?.map(str::to_string),
        image_gc_high_threshold_percent: f("imageGCHighThresholdPercent")?.opt_i64()?,
        image_gc_low_threshold_percent: f("imageGCLowThresholdPercent")?.opt_i64()?,
        image_minimum_gc_age: duration_field(&f("imageMinimumGCAge")?)?,
        image_maximum_gc_age: duration_field(&f("imageMaximumGCAge")?)?,
        serialize_image_pulls: f("serializeImagePulls")?.opt_bool()?,
        max_parallel_image_pulls: f("maxParallelImagePulls")?.opt_i64()?,
        registry_pull_qps: f("registryPullQPS")?.opt_i64()?,
        registry_burst: f("registryBurst")?.opt_i64()?,
        container_log_max_size: quantity_text(&f("containerLogMaxSize")?)?,
        container_log_max_files: f("containerLogMaxFiles")?.opt_i64()?,
        container_log_max_workers: f("containerLogMaxWorkers")?.opt_i64()?,
        container_log_monitor_interval: duration_field(&f("containerLogMonitorInterval")?)?,
        local_storage_capacity_isolation: f("localStorageCapacityIsolation")?.opt_bool()?,
        eviction_hard: threshold_map(&f("evictionHard")?)?,
        eviction_soft: threshold_map(&f("evictionSoft")?)?,
        eviction_soft_grace_period: grace_map,
        eviction_minimum_reclaim: threshold_map(&f("evictionMinimumReclaim")?)?,
        eviction_pressure_transition_period: duration_field(&f(
            "evictionPressureTransitionPeriod",
        )?)?,
        eviction_max_pod_grace_period: f("evictionMaxPodGracePeriod")?.opt_i64()?,
        merge_default_eviction_settings: f("mergeDefaultEvictionSettings")?.opt_bool()?,
        container_runtime_endpoint: f("containerRuntimeEndpoint")?
            .opt_str()?
            .map(str::to_string),
        image_service_endpoint: f("imageServiceEndpoint")?.opt_str()?.map(str::to_string),
        ignored: at
            .v
            .as_object()
            .map(|o| {
                o.keys()
                    .filter(|k| {
                        !SCENARIO_FIELDS.contains(&k.as_str())
                            && !READ_FIELDS.contains(&k.as_str())
                            && !EVICTION_FIELDS.contains(&k.as_str())
                    })
                    .cloned()
                    .collect()
            })
            .unwrap_or_default(),
    };
    // The kubelet's own validation of the fields the scenario takes.
    let dur = |s: &Option<String>| s.as_deref().map(|s| parse_go_duration(s).unwrap_or(0));
    let input = KubeletConfigInput {
        image_gc_high_threshold_percent: cfg.image_gc_high_threshold_percent,
        image_gc_low_threshold_percent: cfg.image_gc_low_threshold_percent,
        image_minimum_gc_age: dur(&cfg.image_minimum_gc_age),
        image_maximum_gc_age: dur(&cfg.image_maximum_gc_age),
        serialize_image_pulls: cfg.serialize_image_pulls,
        max_parallel_image_pulls: cfg.max_parallel_image_pulls,
        registry_pull_qps: cfg.registry_pull_qps,
        registry_burst: cfg.registry_burst,
        container_log_max_size: cfg.container_log_max_size.clone(),
        container_log_max_files: cfg.container_log_max_files,
        container_log_max_workers: cfg.container_log_max_workers,
        container_log_monitor_interval: dur(&cfg.container_log_monitor_interval),
        ..Default::default()
    };
    if let Err(errs) = KubeletConfig::from_input(&input) {
        let e = &errs[0];
        return Err(at.field(e.field)?.err(e.message.clone()));
    }
    Ok(cfg)
}

/// A quantity field (`containerLogMaxSize: 10Mi`, or a number) as its text.
fn quantity_text(at: &At) -> Result<Option<String>, InputError> {
    match at.v {
        Value::Null => Ok(None),
        Value::String(s) => Ok(Some(s.clone())),
        Value::Number(n) => Ok(Some(n.to_string())),
        _ => Err(at.err("expected a quantity such as \"10Mi\"")),
    }
}

/// The runtime an endpoint socket names (`unix:///run/containerd/containerd.sock`).
pub fn runtime_from_endpoint(endpoint: &str) -> Option<&'static str> {
    let e = endpoint.to_ascii_lowercase();
    if e.contains("containerd") {
        Some("containerd")
    } else if e.contains("crio") || e.contains("cri-o") {
        Some("crio")
    } else if e.contains("dockershim") || e.contains("cri-dockerd") || e.contains("docker") {
        Some("docker")
    } else {
        None
    }
}
