//! containerd's `config.toml` (data-formats.md §4, §6.2): what the node's runtime does with
//! image layers. Three layouts, told apart by the top-level `version`:
//!
//! | `version` | containerd | where the keys are |
//! |---|---|---|
//! | absent or 1 | 1.x (deprecated in 1.7) | `[plugins.cri] sandbox_image`, `[plugins.cri.containerd] snapshotter`, `discard_unpacked_layers` |
//! | 2 | 1.x, and 2.x after migrating it | `[plugins."io.containerd.grpc.v1.cri"] sandbox_image`, `[plugins."io.containerd.grpc.v1.cri".containerd] snapshotter`, `discard_unpacked_layers` |
//! | 3 | 2.x only | `[plugins."io.containerd.cri.v1.images"] snapshotter`, `discard_unpacked_layers`, `[plugins."io.containerd.cri.v1.images".pinned_images] sandbox = …` (every value of that map is pinned) |
//!
//! plus the top-level `root` (default `/var/lib/containerd`), under which the image filesystem
//! is `<root>/io.containerd.snapshotter.v1.<snapshotter>`.
//!
//! Read in containerd's source (the `containerd/containerd` repository):
//! - v1.7.34 `services/server/config/config.go`: `GetVersion` (0 means 1), and `Decode` looks a
//!   plugin's table up by its short ID (`cri`) in a version 1 file and by its URI
//!   (`io.containerd.grpc.v1.cri`) otherwise; `ValidateV2` refuses versions over 2.
//! - v1.7.34 `pkg/cri/cri.go`: the CRI plugin registers as `Type: io.containerd.grpc.v1`,
//!   `ID: "cri"`.
//! - v1.7.34 `pkg/cri/config/config.go`: `PluginConfig.ContainerdConfig` under
//!   `toml:"containerd"` holds `Snapshotter` (`snapshotter`) and `DiscardUnpackedLayers`
//!   (`discard_unpacked_layers`); `PluginConfig.SandboxImage` is `sandbox_image`.
//!   `config_unix.go`: defaults `overlayfs` (`containerd.DefaultSnapshotter`) and
//!   `registry.k8s.io/pause:3.8`; discard defaults to false (Go's zero value).
//! - v1.7.34 `pkg/cri/server/image_pull.go` `getLabels`: the sandbox image, and only it, gets
//!   the pinned label.
//! - v2.1.4 `internal/cri/config/config.go`: `ImageConfig` has `snapshotter`,
//!   `discard_unpacked_layers`, `pinned_images` (a map, "Migrated from: (PluginConfig).
//!   SandboxImage"); `DefaultSandboxImage = "registry.k8s.io/pause:3.10"`;
//!   `config_unix.go` `DefaultImageConfig`: `overlayfs`, `pinned_images = {sandbox = …}`.
//!   `plugins/cri/images/plugin.go` registers `Type: io.containerd.cri.v1`, `ID: "images"`.
//! - v2.1.4 `internal/cri/server/images/image_pull.go` `getLabels`: every value of
//!   `pinned_images` is pinned.
//! - v2.1.4 and v2.2.7 `plugins/cri/images/plugin.go` `migrateConfig` (a version 1 or 2 file
//!   read by 2.x): `sandbox_image` becomes `pinned_images.sandbox`; `snapshotter` and
//!   `discard_unpacked_layers` are carried over only when the `containerd` table also has a
//!   `runtimes` table (the function returns before them otherwise).
//! - v2.1.4 `cmd/containerd/server/config/config.go` `v1MigratePluginName`: `cri` becomes
//!   `io.containerd.grpc.v1.cri`.
//! - `defaults/defaults_unix.go`: `DefaultRootDir = "/var/lib/containerd"` (both).
//!
//! A key of the wrong type is an error naming the file, the line and the key; keys the
//! simulator does not use are ignored; tables of another version's layout are reported.

use std::collections::BTreeMap;
use std::path::Path;

use serde::Deserialize;
use toml::Spanned;

use crate::error::{line_of, InputError};

/// containerd's root directory when `root` is not set.
pub const DEFAULT_ROOT: &str = "/var/lib/containerd";
/// The snapshotter when none is set (Linux).
pub const DEFAULT_SNAPSHOTTER: &str = "overlayfs";
/// The sandbox image containerd 1.7 uses when `sandbox_image` is not set.
pub const DEFAULT_SANDBOX_1X: &str = "registry.k8s.io/pause:3.8";
/// The sandbox image containerd 2.x uses when `pinned_images.sandbox` is not set.
pub const DEFAULT_SANDBOX_2X: &str = "registry.k8s.io/pause:3.10";

const CRI_V1: &str = "cri";
const CRI_V2: &str = "io.containerd.grpc.v1.cri";
const IMAGES_V3: &str = "io.containerd.cri.v1.images";

/// A string setting and whether the file set it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Setting<T> {
    pub value: T,
    /// The dotted key it was read from; `None` for the default.
    pub key: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContainerdConfig {
    /// The layout version: 1, 2 or 3.
    pub version: u32,
    /// The file has a `version` key.
    pub version_set: bool,
    pub root: Setting<String>,
    pub snapshotter: Setting<String>,
    /// `None` when the file leaves it at containerd's default (false).
    pub discard_unpacked_layers: Option<Setting<bool>>,
    /// The images containerd pins, by their `pinned_images` key (`sandbox` for the sandbox
    /// image of a version 1 or 2 file). Empty when the file sets none: see [`Self::sandbox_image`].
    pub pinned_images: Vec<(String, String)>,
    /// A version ≤ 2 file whose `containerd` table sets `snapshotter` or
    /// `discard_unpacked_layers` without a `runtimes` table: containerd 2.x's migration drops
    /// those keys (see the module comment).
    pub migration_drops_containerd_keys: bool,
    /// The sandbox image is a template placeholder (`{{.SandboxImage}}`): unknown.
    pub sandbox_placeholder: bool,
    /// `imports = [...]`: files containerd merges in, which the import does not read.
    pub imports: Vec<String>,
    /// Things the file holds that the import reads differently or not at all.
    pub warnings: Vec<String>,
}

impl ContainerdConfig {
    /// The sandbox image and whether it is containerd's default (unset in the file); `None`
    /// when the file holds a template placeholder instead. The default depends on the
    /// containerd release: `containerd_major` (from the Node's `containerRuntimeVersion`) when
    /// known, else the one the layout implies.
    pub fn sandbox_image(&self, containerd_major: Option<u32>) -> Option<(String, bool)> {
        if self.sandbox_placeholder {
            return None;
        }
        if let Some((_, image)) = self.pinned_images.iter().find(|(k, _)| k == "sandbox") {
            return Some((image.clone(), false));
        }
        let two = containerd_major.map_or(self.version >= 3, |m| m >= 2);
        let d = if two {
            DEFAULT_SANDBOX_2X
        } else {
            DEFAULT_SANDBOX_1X
        };
        Some((d.to_string(), true))
    }

    /// What the file says, for the import's report.
    pub fn describe(&self) -> String {
        let default = |k: &Option<String>| if k.is_none() { " (default)" } else { "" };
        format!(
            "containerd config version {}{}: root {}{}, snapshotter {}{}, discard_unpacked_layers {}, pinned images: {}",
            self.version,
            if self.version_set { "" } else { " (no version key: 1)" },
            self.root.value,
            default(&self.root.key),
            self.snapshotter.value,
            default(&self.snapshotter.key),
            match &self.discard_unpacked_layers {
                Some(d) => d.value.to_string(),
                None => "false (default)".into(),
            },
            if self.pinned_images.is_empty() {
                "none set".to_string()
            } else {
                self.pinned_images
                    .iter()
                    .map(|(k, v)| format!("{k} = {v}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            }
        )
    }

    /// Where containerd keeps unpacked layers (the CRI image filesystem's mountpoint).
    pub fn snapshotter_dir(&self) -> String {
        format!(
            "{}/io.containerd.snapshotter.v1.{}",
            self.root.value.trim_end_matches('/'),
            self.snapshotter.value
        )
    }
}

/// What a snapshotter other than overlayfs changes that the model (overlayfs: each layer
/// unpacked once, shared by every image that has it) does not.
pub fn snapshotter_note(name: &str) -> Option<&'static str> {
    Some(match name {
        "overlayfs" => return None,
        "native" => "native copies the layers below into every snapshot, so a real image takes more than its unpacked layers (the model counts each layer once)",
        "devmapper" => "devmapper keeps snapshots as thin block devices in a pool; the pool's fill, not a directory's statfs, is what runs out",
        "btrfs" | "zfs" => "copy-on-write subvolumes or datasets: close to overlayfs in bytes, but the filesystem's own accounting (compression, metadata) is not modelled",
        "stargz" | "soci" | "nydus" => "a lazy-pulling snapshotter fetches layer contents on demand, so the disk holds less than whole unpacked layers and a pull writes less",
        _ => "a snapshotter the model does not know",
    })
}

/// The containerd release of `containerRuntimeVersion` (`containerd://2.0.4` → 2).
pub fn containerd_major(runtime_version: &str) -> Option<u32> {
    let v = runtime_version.strip_prefix("containerd://")?;
    v.trim_start_matches('v').split('.').next()?.parse().ok()
}

#[derive(Deserialize)]
#[serde(expecting = "a TOML table")]
struct RawConfig {
    version: Option<Spanned<toml::Value>>,
    root: Option<Spanned<toml::Value>>,
    imports: Option<Spanned<toml::Value>>,
    plugins: Option<RawPlugins>,
}

#[derive(Deserialize)]
#[serde(expecting = "a table of plugin settings")]
struct RawPlugins {
    #[serde(rename = "cri")]
    cri_v1: Option<RawCri>,
    #[serde(rename = "io.containerd.grpc.v1.cri")]
    cri_v2: Option<RawCri>,
    #[serde(rename = "io.containerd.cri.v1.images")]
    images_v3: Option<RawImages>,
}

#[derive(Deserialize)]
#[serde(expecting = "a table of CRI plugin settings")]
struct RawCri {
    sandbox_image: Option<Spanned<toml::Value>>,
    containerd: Option<RawCriContainerd>,
}

#[derive(Deserialize)]
#[serde(expecting = "a table of CRI containerd settings")]
struct RawCriContainerd {
    snapshotter: Option<Spanned<toml::Value>>,
    discard_unpacked_layers: Option<Spanned<toml::Value>>,
    runtimes: Option<toml::Value>,
}

#[derive(Deserialize)]
#[serde(expecting = "a table of CRI image settings")]
struct RawImages {
    snapshotter: Option<Spanned<toml::Value>>,
    discard_unpacked_layers: Option<Spanned<toml::Value>>,
    pinned_images: Option<BTreeMap<String, Spanned<toml::Value>>>,
}

/// `plugins."ID"` (or `plugins.cri`) as the key is written.
fn plugin_key(id: &str) -> String {
    if id.contains('.') {
        format!("plugins.{id:?}")
    } else {
        format!("plugins.{id}")
    }
}

/// The value at `key` must be a string: an error with the line otherwise.
fn string_at(
    file: &Path,
    text: &str,
    v: &Spanned<toml::Value>,
    key: &str,
) -> Result<String, InputError> {
    match v.get_ref() {
        toml::Value::String(s) => Ok(s.clone()),
        other => Err(InputError::new(
            file,
            Some(line_of(text, v.span().start)),
            Some(key),
            format!("expected a string, found {}", toml_type(other)),
        )),
    }
}

fn bool_at(
    file: &Path,
    text: &str,
    v: &Spanned<toml::Value>,
    key: &str,
) -> Result<bool, InputError> {
    match v.get_ref() {
        toml::Value::Boolean(b) => Ok(*b),
        other => Err(InputError::new(
            file,
            Some(line_of(text, v.span().start)),
            Some(key),
            format!(
                "expected true or false, found {}{}",
                toml_type(other),
                match other {
                    toml::Value::String(s) => format!(" {s:?} (write it without quotes)"),
                    _ => String::new(),
                }
            ),
        )),
    }
}

fn toml_type(v: &toml::Value) -> &'static str {
    match v {
        toml::Value::String(_) => "a string",
        toml::Value::Integer(_) => "an integer",
        toml::Value::Float(_) => "a float",
        toml::Value::Boolean(_) => "a boolean",
        toml::Value::Datetime(_) => "a date-time",
        toml::Value::Array(_) => "an array",
        toml::Value::Table(_) => "a table",
    }
}

/// A Go-template placeholder left in a value (nodeadm's `{{.SandboxImage}}`).
fn is_template(s: &str) -> bool {
    s.contains("{{") && s.contains("}}")
}

/// Reads a containerd configuration file.
pub fn parse_containerd_config(file: &Path) -> Result<ContainerdConfig, InputError> {
    let text = std::fs::read_to_string(file)
        .map_err(|e| InputError::new(file, None, None, format!("cannot read: {e}")))?;
    let text = text.trim_start_matches('\u{feff}');
    let raw: RawConfig =
        toml::from_str(text).map_err(|e| crate::scenario::toml_error(file, text, &e))?;
    let line = |v: &Spanned<toml::Value>| Some(line_of(text, v.span().start));
    let mut warnings = Vec::new();

    let (version, version_set) = match &raw.version {
        None => (1, false),
        Some(v) => match v.get_ref() {
            toml::Value::Integer(n @ 0..=3) => ((*n).max(1) as u32, true),
            toml::Value::Integer(n) => {
                return Err(InputError::new(
                    file,
                    line(v),
                    Some("version"),
                    format!("{n} is not a containerd configuration version (1, 2 or 3)"),
                ))
            }
            other => {
                return Err(InputError::new(
                    file,
                    line(v),
                    Some("version"),
                    format!(
                        "expected an integer (1, 2 or 3), found {}",
                        toml_type(other)
                    ),
                ))
            }
        },
    };
    let root = match &raw.root {
        None => Setting {
            value: DEFAULT_ROOT.to_string(),
            key: None,
        },
        Some(v) => Setting {
            value: string_at(file, text, v, "root")?,
            key: Some("root".into()),
        },
    };
    let imports = match &raw.imports {
        None => Vec::new(),
        Some(v) => match v.get_ref() {
            toml::Value::Array(a) => a
                .iter()
                .map(|x| x.as_str().map(str::to_string))
                .collect::<Option<Vec<_>>>()
                .ok_or_else(|| {
                    InputError::new(
                        file,
                        line(v),
                        Some("imports"),
                        "expected an array of file paths",
                    )
                })?,
            other => {
                return Err(InputError::new(
                    file,
                    line(v),
                    Some("imports"),
                    format!(
                        "expected an array of file paths, found {}",
                        toml_type(other)
                    ),
                ))
            }
        },
    };

    let mut snapshotter = Setting {
        value: DEFAULT_SNAPSHOTTER.to_string(),
        key: None,
    };
    let mut discard = None;
    let mut pinned_images = Vec::new();
    let mut migration_drops_containerd_keys = false;
    let plugins = raw.plugins;
    let (cri_v1, cri_v2, images_v3) = match plugins {
        Some(p) => (p.cri_v1, p.cri_v2, p.images_v3),
        None => (None, None, None),
    };
    let ignored = |id: &str, why: &str| format!("[{}] is not read: {why}", plugin_key(id));
    // The CRI plugin's table of a version 1 or 2 file.
    let cri = match version {
        1 => {
            if cri_v2.is_some() {
                warnings.push(ignored(CRI_V2, "a version 1 file names plugins by their short ID ([plugins.cri]); containerd 1.x looks for that one only"));
            }
            cri_v1.map(|c| (CRI_V1, c))
        }
        2 => {
            if cri_v1.is_some() {
                warnings.push(ignored(CRI_V1, "a version 2 file names plugins by their URI ([plugins.\"io.containerd.grpc.v1.cri\"])"));
            }
            cri_v2.map(|c| (CRI_V2, c))
        }
        _ => {
            for (id, t) in [(CRI_V1, cri_v1.is_some()), (CRI_V2, cri_v2.is_some())] {
                if t {
                    warnings.push(ignored(id, "a version 3 file takes the image settings from [plugins.\"io.containerd.cri.v1.images\"]"));
                }
            }
            None
        }
    };
    if version < 3 && images_v3.is_some() {
        warnings.push(ignored(
            IMAGES_V3,
            "it is the version 3 (containerd 2.x) layout; this file says version 1 or 2",
        ));
    }
    if let Some((id, c)) = cri {
        let p = plugin_key(id);
        if let Some(v) = &c.sandbox_image {
            let key = format!("{p}.sandbox_image");
            pinned_images.push(("sandbox".to_string(), string_at(file, text, v, &key)?));
        }
        if let Some(ct) = &c.containerd {
            if let Some(v) = &ct.snapshotter {
                let key = format!("{p}.containerd.snapshotter");
                snapshotter = Setting {
                    value: string_at(file, text, v, &key)?,
                    key: Some(key),
                };
            }
            if let Some(v) = &ct.discard_unpacked_layers {
                let key = format!("{p}.containerd.discard_unpacked_layers");
                discard = Some(Setting {
                    value: bool_at(file, text, v, &key)?,
                    key: Some(key),
                });
            }
            migration_drops_containerd_keys = ct.runtimes.is_none()
                && (ct.snapshotter.is_some() || ct.discard_unpacked_layers.is_some());
        }
    }
    if version >= 3 {
        if let Some(im) = &images_v3 {
            let p = plugin_key(IMAGES_V3);
            if let Some(v) = &im.snapshotter {
                let key = format!("{p}.snapshotter");
                snapshotter = Setting {
                    value: string_at(file, text, v, &key)?,
                    key: Some(key),
                };
            }
            if let Some(v) = &im.discard_unpacked_layers {
                let key = format!("{p}.discard_unpacked_layers");
                discard = Some(Setting {
                    value: bool_at(file, text, v, &key)?,
                    key: Some(key),
                });
            }
            for (k, v) in im.pinned_images.iter().flatten() {
                let key = format!("{p}.pinned_images.{k}");
                pinned_images.push((k.clone(), string_at(file, text, v, &key)?));
            }
        }
    }
    // A placeholder is no image: containerd would be given the real one by the template.
    let mut sandbox_placeholder = false;
    pinned_images.retain(|(k, image)| {
        if is_template(image) {
            sandbox_placeholder |= k == "sandbox";
            warnings.push(format!(
                "pinned image {k:?} is a template placeholder ({image}), not an image: not read (the node's real value is unknown)"
            ));
            false
        } else {
            !image.trim().is_empty()
        }
    });
    if snapshotter.value.trim().is_empty() {
        snapshotter.value = DEFAULT_SNAPSHOTTER.to_string();
    }
    if root.value.trim().is_empty() {
        return Err(InputError::new(
            file,
            raw.root.as_ref().and_then(line),
            Some("root"),
            "is empty: containerd needs a root directory",
        ));
    }
    Ok(ContainerdConfig {
        version,
        version_set,
        root,
        snapshotter,
        discard_unpacked_layers: discard,
        pinned_images,
        migration_drops_containerd_keys,
        sandbox_placeholder,
        imports,
        warnings,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<ContainerdConfig, InputError> {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("config.toml");
        std::fs::write(&p, text).unwrap();
        parse_containerd_config(&p)
    }

    #[test]
    fn version_2_layout_of_containerd_1_7() {
        let c = parse(
            r#"version = 2
root = "/data/containerd"
[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = "registry.k8s.io/pause:3.9"
  [plugins."io.containerd.grpc.v1.cri".containerd]
    snapshotter = "native"
    discard_unpacked_layers = true
    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"
"#,
        )
        .unwrap();
        assert_eq!((c.version, c.version_set), (2, true));
        assert_eq!(c.root.value, "/data/containerd");
        assert_eq!(c.snapshotter.value, "native");
        assert_eq!(
            c.discard_unpacked_layers,
            Some(Setting {
                value: true,
                key: Some(
                    "plugins.\"io.containerd.grpc.v1.cri\".containerd.discard_unpacked_layers"
                        .into()
                )
            })
        );
        assert_eq!(
            c.pinned_images,
            vec![("sandbox".into(), "registry.k8s.io/pause:3.9".into())]
        );
        assert_eq!(
            c.sandbox_image(None),
            Some(("registry.k8s.io/pause:3.9".into(), false))
        );
        // The runtimes table is there: containerd 2.x's migration keeps the keys.
        assert!(!c.migration_drops_containerd_keys);
        assert_eq!(
            c.snapshotter_dir(),
            "/data/containerd/io.containerd.snapshotter.v1.native"
        );
        assert!(c.warnings.is_empty(), "{:?}", c.warnings);
    }

    #[test]
    fn version_3_layout_of_containerd_2() {
        let c = parse(
            r#"version = 3
[plugins.'io.containerd.cri.v1.images']
snapshotter = 'overlayfs'
discard_unpacked_layers = false
[plugins.'io.containerd.cri.v1.images'.pinned_images]
sandbox = 'registry.k8s.io/pause:3.10'
base = 'docker.io/library/ubuntu:24.04'
"#,
        )
        .unwrap();
        assert_eq!(c.version, 3);
        assert_eq!(
            c.root,
            Setting {
                value: DEFAULT_ROOT.into(),
                key: None
            }
        );
        assert_eq!(c.snapshotter.value, "overlayfs");
        assert_eq!(
            c.discard_unpacked_layers.as_ref().map(|d| d.value),
            Some(false)
        );
        // In key order (a TOML table is a map).
        assert_eq!(
            c.pinned_images,
            vec![
                ("base".into(), "docker.io/library/ubuntu:24.04".into()),
                ("sandbox".into(), "registry.k8s.io/pause:3.10".into())
            ]
        );
    }

    #[test]
    fn version_1_layout_and_defaults() {
        let c = parse("[plugins.cri]\n[plugins.cri.containerd]\ndiscard_unpacked_layers = true\n")
            .unwrap();
        assert_eq!((c.version, c.version_set), (1, false));
        assert_eq!(
            c.discard_unpacked_layers.as_ref().map(|d| d.value),
            Some(true)
        );
        assert_eq!(
            c.snapshotter,
            Setting {
                value: "overlayfs".into(),
                key: None
            }
        );
        // Not set, no runtimes table: containerd 2.x would drop the discard setting.
        assert!(c.migration_drops_containerd_keys);
        assert_eq!(
            c.sandbox_image(None),
            Some((DEFAULT_SANDBOX_1X.into(), true))
        );
        assert_eq!(
            c.sandbox_image(Some(2)),
            Some((DEFAULT_SANDBOX_2X.into(), true))
        );
        // An empty file is containerd's defaults.
        let c = parse("").unwrap();
        assert_eq!(c.discard_unpacked_layers, None);
        assert!(c.pinned_images.is_empty());
    }

    #[test]
    fn other_layouts_tables_are_reported_not_read() {
        let c = parse(
            "version = 3\n[plugins.\"io.containerd.grpc.v1.cri\".containerd]\ndiscard_unpacked_layers = true\n",
        )
        .unwrap();
        assert_eq!(c.discard_unpacked_layers, None);
        assert_eq!(
            c.warnings,
            vec!["[plugins.\"io.containerd.grpc.v1.cri\"] is not read: a version 3 file takes the image settings from [plugins.\"io.containerd.cri.v1.images\"]".to_string()]
        );
        let c = parse(
            "version = 2\n[plugins.\"io.containerd.cri.v1.images\"]\ndiscard_unpacked_layers = true\n",
        )
        .unwrap();
        assert_eq!(c.discard_unpacked_layers, None);
        assert_eq!(c.warnings.len(), 1);
    }

    #[test]
    fn template_placeholders_are_not_images() {
        let c = parse(
            "version = 3\n[plugins.'io.containerd.cri.v1.images'.pinned_images]\nsandbox = \"{{.SandboxImage}}\"\n",
        )
        .unwrap();
        assert!(c.pinned_images.is_empty());
        assert!(
            c.warnings[0].contains("template placeholder"),
            "{:?}",
            c.warnings
        );
        // Unknown: nodeadm writes the real (regional) image there, not containerd's default.
        assert!(c.sandbox_placeholder);
        assert_eq!(c.sandbox_image(None), None);
    }

    #[test]
    fn errors_name_the_line_and_the_key() {
        // Line 3: the value's line.
        let e = parse("version = 2\n[plugins.\"io.containerd.grpc.v1.cri\".containerd]\ndiscard_unpacked_layers = \"yes\"\n").unwrap_err();
        assert_eq!(e.line, Some(3));
        assert_eq!(
            e.field.as_deref(),
            Some("plugins.\"io.containerd.grpc.v1.cri\".containerd.discard_unpacked_layers")
        );
        assert_eq!(
            e.message,
            "expected true or false, found a string \"yes\" (write it without quotes)"
        );
        let e = parse("version = 4\n").unwrap_err();
        assert_eq!((e.line, e.field.as_deref()), (Some(1), Some("version")));
        let e = parse("version = 3\nroot = 7\n").unwrap_err();
        assert_eq!((e.line, e.field.as_deref()), (Some(2), Some("root")));
        // A syntax error: line 2, where the string is left open.
        let e = parse("version = 2\nroot = \"/var/lib\n").unwrap_err();
        assert_eq!(e.line, Some(2));
        // A plugin table that is not a table.
        let e = parse("version = 1\n[plugins]\ncri = 5\n").unwrap_err();
        assert_eq!(e.line, Some(3));
        assert!(
            e.message.contains("a table of CRI plugin settings"),
            "{}",
            e.message
        );
    }
}
