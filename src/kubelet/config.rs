//! Twin of kubernetes pkg/kubelet/apis/config (v1beta1 defaults.go and validation/validation.go,
//! v1.34): the KubeletConfiguration fields this simulator uses, their defaults and validation,
//! with the kubelet's own error texts (kubelet-image-gc.md §5).
//!
//! Input is the raw, already-typed field values (`None` = the field is absent); reading TOML or
//! JSON is the scenario layer's job. Errors name the KubeletConfiguration field so the caller
//! can point at the line that set it.

use crate::engine::SimTime;
use crate::kubelet::container_log_manager::{self as logs, LogRotatePolicy};
use crate::units::{format_go_duration, Quantity};

const MINUTE_NS: i64 = 60 * 1_000_000_000;

/// The raw fields as a user wrote them. Durations are already parsed to nanoseconds.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct KubeletConfigInput {
    pub image_gc_high_threshold_percent: Option<i64>,
    pub image_gc_low_threshold_percent: Option<i64>,
    pub image_minimum_gc_age: Option<i64>,
    pub image_maximum_gc_age: Option<i64>,
    pub serialize_image_pulls: Option<bool>,
    pub max_parallel_image_pulls: Option<i64>,
    pub registry_pull_qps: Option<i64>,
    pub registry_burst: Option<i64>,
    /// Deprecated flags (`KubeletFlags`), not KubeletConfiguration fields (§5.3).
    pub minimum_container_ttl_duration: Option<i64>,
    pub maximum_dead_containers_per_container: Option<i64>,
    pub maximum_dead_containers: Option<i64>,
    /// `containerLogMaxSize` as written (a quantity).
    pub container_log_max_size: Option<String>,
    pub container_log_max_files: Option<i64>,
    pub container_log_max_workers: Option<i64>,
    pub container_log_monitor_interval: Option<i64>,
    /// Feature gate `ImageMaximumGCAge` off (kubelet 1.29, where it is alpha); `None`: on.
    pub image_maximum_gc_age_gate_off: Option<bool>,
}

/// The defaulted, validated configuration the model runs with.
#[derive(Debug, Clone, PartialEq)]
pub struct KubeletConfig {
    pub image_gc_high_threshold_percent: i32,
    pub image_gc_low_threshold_percent: i32,
    pub image_minimum_gc_age: SimTime,
    pub image_maximum_gc_age: SimTime,
    pub serialize_image_pulls: bool,
    pub max_parallel_image_pulls: Option<u32>,
    pub registry_pull_qps: u32,
    pub registry_burst: u32,
    pub minimum_container_ttl_duration: SimTime,
    pub maximum_dead_containers_per_container: i64,
    pub maximum_dead_containers: i64,
    /// Container log rotation (`containerLogMaxSize`, `containerLogMaxFiles`,
    /// `containerLogMonitorInterval`; `containerLogMaxWorkers` is validated and changes nothing,
    /// see container_log_manager.rs).
    pub log_rotation: LogRotatePolicy,
}

impl Default for KubeletConfig {
    fn default() -> Self {
        KubeletConfig::from_input(&KubeletConfigInput::default()).expect("defaults are valid")
    }
}

/// One validation error: the field it is about and the kubelet's text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    pub field: &'static str,
    pub message: String,
}

fn err(field: &'static str, message: String) -> ConfigError {
    ConfigError {
        field,
        message: format!("invalid configuration: {message}"),
    }
}

fn dur(ns: i64) -> String {
    format_go_duration(ns)
}

impl KubeletConfig {
    /// v1beta1 defaulting, then `ValidateKubeletConfiguration` (the checks that concern the
    /// fields we model, in upstream order). All errors are returned, as upstream aggregates them.
    pub fn from_input(i: &KubeletConfigInput) -> Result<KubeletConfig, Vec<ConfigError>> {
        // Defaulting (defaults.go): nil → 85/80; a zero MinAge → 2m, so 0 cannot be set here.
        let high = i.image_gc_high_threshold_percent.unwrap_or(85);
        let low = i.image_gc_low_threshold_percent.unwrap_or(80);
        let min_age = match i.image_minimum_gc_age {
            None | Some(0) => 2 * MINUTE_NS,
            Some(v) => v,
        };
        let max_age = i.image_maximum_gc_age.unwrap_or(0);
        // serializeImagePulls: unset and maxParallelImagePulls >= 2 → false; otherwise true.
        let serialize = match (i.serialize_image_pulls, i.max_parallel_image_pulls) {
            (Some(s), _) => s,
            (None, Some(n)) if n >= 2 => false,
            (None, _) => true,
        };
        let qps = i.registry_pull_qps.unwrap_or(5);
        let burst = match i.registry_burst {
            None | Some(0) => 10,
            Some(v) => v,
        };

        let mut errors = Vec::new();
        if !(0..=100).contains(&high) {
            errors.push(err("imageGCHighThresholdPercent", format!("imageGCHighThresholdPercent (--image-gc-high-threshold) {high} must be between 0 and 100, inclusive")));
        }
        if !(0..=100).contains(&low) {
            errors.push(err("imageGCLowThresholdPercent", format!("imageGCLowThresholdPercent (--image-gc-low-threshold) {low} must be between 0 and 100, inclusive")));
        }
        if low >= high {
            errors.push(err("imageGCLowThresholdPercent", format!("imageGCLowThresholdPercent (--image-gc-low-threshold) {low} must be less than imageGCHighThresholdPercent (--image-gc-high-threshold) {high}")));
        }
        // The ImageMaximumGCAge gate: alpha and off in v1.29, on by default since v1.30.
        if max_age != 0 && i.image_maximum_gc_age_gate_off == Some(true) {
            errors.push(err(
                "imageMaximumGCAge",
                "ImageMaximumGCAge feature gate is required for Kubelet configuration option imageMaximumGCAge".to_string(),
            ));
        }
        if min_age < 0 {
            errors.push(err(
                "imageMinimumGCAge",
                format!("imageMinimumGCAge {} must not be negative", dur(min_age)),
            ));
        }
        if max_age < 0 {
            errors.push(err(
                "imageMaximumGCAge",
                format!("imageMaximumGCAge {} must not be negative", dur(max_age)),
            ));
        }
        if max_age > 0 && max_age <= min_age {
            errors.push(err(
                "imageMaximumGCAge",
                format!(
                    "imageMaximumGCAge {} must be greater than imageMinimumGCAge {}",
                    dur(max_age),
                    dur(min_age)
                ),
            ));
        }
        if burst < 0 {
            errors.push(err(
                "registryBurst",
                format!("registryBurst (--registry-burst) {burst} must not be a negative number"),
            ));
        }
        if qps < 0 {
            errors.push(err(
                "registryPullQPS",
                format!("registryPullQPS (--registry-qps) {qps} must not be a negative number"),
            ));
        }
        if let Some(n) = i.max_parallel_image_pulls {
            if n < 1 {
                errors.push(err(
                    "maxParallelImagePulls",
                    format!("maxParallelImagePulls {n} must be a positive number"),
                ));
            }
            if serialize && n > 1 {
                errors.push(err("maxParallelImagePulls", "maxParallelImagePulls cannot be larger than 1 unless SerializeImagePulls (--serialize-image-pulls) is set to false".to_string()));
            }
        }
        // Container GC flags: NewContainerGC rejects a negative MinAge (§5.3).
        let ttl = i.minimum_container_ttl_duration.unwrap_or(0);
        if ttl < 0 {
            errors.push(ConfigError {
                field: "minimumContainerTTLDuration",
                message: "invalid minimum garbage collection age".to_string(),
            });
        }
        // Container logs: the three checks of ValidateKubeletConfiguration, then
        // NewContainerLogManager's parse of the size (a negative size disables rotation).
        let workers = i
            .container_log_max_workers
            .unwrap_or(logs::DEFAULT_MAX_WORKERS);
        if workers < 1 {
            errors.push(err(
                "containerLogMaxWorkers",
                "containerLogMaxWorkers must be greater than or equal to 1".to_string(),
            ));
        }
        let interval = i
            .container_log_monitor_interval
            .unwrap_or(logs::DEFAULT_MONITOR_INTERVAL as i64);
        if interval < 3_000_000_000 {
            errors.push(err(
                "containerLogMonitorInterval",
                "containerLogMonitorInterval must be a positive time duration greater than or equal to 3s".to_string(),
            ));
        }
        let max_files = i.container_log_max_files.unwrap_or(logs::DEFAULT_MAX_FILES);
        if max_files <= 1 {
            errors.push(err(
                "containerLogMaxFiles",
                "containerLogMaxFiles must be greater than 1".to_string(),
            ));
        }
        let max_size = match &i.container_log_max_size {
            None => Some(logs::DEFAULT_MAX_SIZE),
            Some(text) => match Quantity::parse(text) {
                Ok(q) => match q.as_int64() {
                    Some(v) => Some(v),
                    None => {
                        errors.push(ConfigError {
                            field: "containerLogMaxSize",
                            message: format!(
                                "failed to parse container log max size {text:?}: invalid max log size"
                            ),
                        });
                        None
                    }
                },
                Err(e) => {
                    errors.push(ConfigError {
                        field: "containerLogMaxSize",
                        message: format!("failed to parse container log max size {text:?}: {e}"),
                    });
                    None
                }
            },
        };
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(KubeletConfig {
            image_gc_high_threshold_percent: high as i32,
            image_gc_low_threshold_percent: low as i32,
            image_minimum_gc_age: min_age as SimTime,
            image_maximum_gc_age: max_age as SimTime,
            serialize_image_pulls: serialize,
            max_parallel_image_pulls: i.max_parallel_image_pulls.map(|n| n as u32),
            registry_pull_qps: qps as u32,
            registry_burst: burst as u32,
            minimum_container_ttl_duration: ttl as SimTime,
            maximum_dead_containers_per_container: i
                .maximum_dead_containers_per_container
                .unwrap_or(1),
            maximum_dead_containers: i.maximum_dead_containers.unwrap_or(-1),
            log_rotation: LogRotatePolicy {
                max_size: max_size.and_then(|v| u64::try_from(v).ok()),
                max_files: max_files.min(u32::MAX as i64) as u32,
                monitor_interval: interval as SimTime,
                // Not a kubelet setting: the scenario's [node] log_compression_ratio.
                compression_ratio: logs::DEFAULT_LOG_COMPRESSION_RATIO,
            },
        })
    }

    /// The image-GC loop is a stub when high = 100 and MaxAge is off (§1.1, v1.29+).
    pub fn image_gc_loop_disabled(&self) -> bool {
        self.image_gc_high_threshold_percent == 100 && self.image_maximum_gc_age == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// v1.29: the gate is alpha and off, so the field is refused with validation.go's text.
    #[test]
    fn max_age_needs_its_gate_on_1_29() {
        let mut i = KubeletConfigInput {
            image_maximum_gc_age: Some(60 * MINUTE_NS),
            image_maximum_gc_age_gate_off: Some(true),
            ..Default::default()
        };
        let e = KubeletConfig::from_input(&i).unwrap_err();
        assert_eq!(e[0].field, "imageMaximumGCAge");
        assert_eq!(e[0].message, "invalid configuration: ImageMaximumGCAge feature gate is required for Kubelet configuration option imageMaximumGCAge");
        i.image_maximum_gc_age_gate_off = None;
        assert!(KubeletConfig::from_input(&i).is_ok());
    }

    #[test]
    fn defaults_are_the_kubelets() {
        let c = KubeletConfig::default();
        assert_eq!(c.image_gc_high_threshold_percent, 85);
        assert_eq!(c.image_gc_low_threshold_percent, 80);
        assert_eq!(c.image_minimum_gc_age, 120_000_000_000);
        assert_eq!(c.image_maximum_gc_age, 0);
        assert!(c.serialize_image_pulls);
        assert_eq!(c.max_parallel_image_pulls, None);
        assert_eq!((c.registry_pull_qps, c.registry_burst), (5, 10));
        assert_eq!(c.minimum_container_ttl_duration, 0);
        assert_eq!(c.maximum_dead_containers_per_container, 1);
        assert_eq!(c.maximum_dead_containers, -1);
    }

    #[test]
    fn zero_minimum_gc_age_defaults_to_two_minutes() {
        let c = KubeletConfig::from_input(&KubeletConfigInput {
            image_minimum_gc_age: Some(0),
            ..Default::default()
        })
        .unwrap();
        assert_eq!(c.image_minimum_gc_age, 120_000_000_000);
    }

    #[test]
    fn parallel_pulls_flip_the_serialize_default() {
        let c = KubeletConfig::from_input(&KubeletConfigInput {
            max_parallel_image_pulls: Some(3),
            ..Default::default()
        })
        .unwrap();
        assert!(!c.serialize_image_pulls);
        let e = KubeletConfig::from_input(&KubeletConfigInput {
            serialize_image_pulls: Some(true),
            max_parallel_image_pulls: Some(3),
            ..Default::default()
        })
        .unwrap_err();
        assert_eq!(e[0].message, "invalid configuration: maxParallelImagePulls cannot be larger than 1 unless SerializeImagePulls (--serialize-image-pulls) is set to false");
    }

    #[test]
    fn equal_thresholds_are_rejected_with_the_kubelet_text() {
        let e = KubeletConfig::from_input(&KubeletConfigInput {
            image_gc_high_threshold_percent: Some(80),
            ..Default::default()
        })
        .unwrap_err();
        assert_eq!(e.len(), 1);
        assert_eq!(e[0].field, "imageGCLowThresholdPercent");
        assert_eq!(e[0].message, "invalid configuration: imageGCLowThresholdPercent (--image-gc-low-threshold) 80 must be less than imageGCHighThresholdPercent (--image-gc-high-threshold) 80");
    }

    #[test]
    fn out_of_range_and_max_age_errors() {
        let e = KubeletConfig::from_input(&KubeletConfigInput {
            image_gc_high_threshold_percent: Some(101),
            image_maximum_gc_age: Some(MINUTE_NS),
            ..Default::default()
        })
        .unwrap_err();
        let msgs: Vec<_> = e.iter().map(|e| e.message.as_str()).collect();
        assert_eq!(msgs, vec![
            "invalid configuration: imageGCHighThresholdPercent (--image-gc-high-threshold) 101 must be between 0 and 100, inclusive",
            "invalid configuration: imageMaximumGCAge 1m0s must be greater than imageMinimumGCAge 2m0s",
        ]);
    }

    #[test]
    fn high_100_disables_the_loop_only_without_max_age() {
        let mut c = KubeletConfig::from_input(&KubeletConfigInput {
            image_gc_high_threshold_percent: Some(100),
            ..Default::default()
        })
        .unwrap();
        assert!(c.image_gc_loop_disabled());
        c.image_maximum_gc_age = 3_600_000_000_000;
        assert!(!c.image_gc_loop_disabled());
    }
}
