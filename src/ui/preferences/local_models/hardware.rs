//! The "This Computer" group of Preferences → Local Models (issue 16,
//! point 4): what llama.cpp can use here, as the runner reports it on
//! `Op::Acceleration` (the same report as `valechat models info
//! --hardware`), and the GPU layers of each model the engine's runner has
//! loaded.
//!
//! ```text
//! adw::PreferencesGroup "This Computer"
//! ├─ "Checking…" with a spinner, while the runner starts and answers
//! ├─ Processor: its features; the CPU back end in use and its file
//! ├─ Threads: the threads generation uses
//! ├─ Graphics: the GPU devices found, or why there is none
//! ├─ a row per loaded model: the layers it offloads to the GPU
//! └─ or "Cannot Check This Computer" with the runner's error
//! ```
//!
//! The check runs as a command of the page ([`check`]); the group only
//! shows its result.

use gettextrs::gettext;
use relm4::adw::prelude::*;
use relm4::{adw, gtk};

use crate::i18n::{gettext_f, ngettext_f};
use valechat_core::chat::Engine;
use valechat_core::chat::LoadedLocalModel;
use valechat_core::local::protocol::{Acceleration, Op};
use valechat_core::store::LocalModel;

/// What the runner reported, and the models loaded in it.
#[derive(Debug)]
pub struct Report {
    /// The runner's acceleration report.
    pub acceleration: Acceleration,
    /// The models the engine's runner has loaded, sorted by id (empty when
    /// none is).
    pub loaded: Vec<LoadedLocalModel>,
}

/// Asks the engine's runner (started if it is not running) what it can
/// use, then lists the models it has loaded.
///
/// # Errors
/// Why the runner could not answer (it could not start, it stopped, or
/// its report cannot be read), in words; this build has no runner.
pub async fn check(engine: Engine) -> Result<Report, String> {
    let runner = engine
        .providers()
        .local_runner()
        .ok_or_else(|| gettext("This ValeChat was built without models on this computer."))?
        .clone();
    let value = runner
        .request(Op::Acceleration)
        .await
        .map_err(|e| e.to_string())?;
    let acceleration: Acceleration = serde_json::from_value(value).map_err(|e| {
        gettext_f(
            "The runner's report cannot be read: {reason}",
            &[("reason", &e.to_string())],
        )
    })?;
    let loaded = engine.loaded_local_models().await.unwrap_or_default();
    Ok(Report {
        acceleration,
        loaded,
    })
}

/// The group and the rows it shows now.
#[derive(Debug)]
pub struct HardwareGroup {
    /// The group, added to the page once.
    pub group: adw::PreferencesGroup,
    rows: Vec<adw::ActionRow>,
    /// Whether a check is running (a second one is not started).
    checking: bool,
    /// Whether a report is shown (a new check keeps it until it answers).
    shown: bool,
}

impl HardwareGroup {
    /// The group, saying it is checking.
    #[must_use]
    pub fn new() -> Self {
        let group = adw::PreferencesGroup::builder()
            .title(gettext("This Computer"))
            .description(gettext(
                "What ValeChat can use here to run models: the processor, its threads and the graphics card.",
            ))
            .build();
        let mut this = Self {
            group,
            rows: Vec::new(),
            checking: false,
            shown: false,
        };
        this.show_checking();
        this
    }

    /// Starts a check: `false` when one is running already. Until it
    /// answers, the report shown stays, else "Checking…" shows.
    pub fn start(&mut self) -> bool {
        if self.checking {
            return false;
        }
        self.checking = true;
        if !self.shown {
            self.show_checking();
        }
        true
    }

    /// Shows "Checking…" with a spinner, in place of what was shown.
    fn show_checking(&mut self) {
        let row = adw::ActionRow::builder()
            .title(gettext("Checking…"))
            .subtitle(gettext("Starting the model runner"))
            .build();
        let spinner = gtk::Spinner::builder()
            .spinning(true)
            .valign(gtk::Align::Center)
            .build();
        row.add_suffix(&spinner);
        self.replace(vec![row]);
    }

    /// Shows why the check failed.
    pub fn show_error(&mut self, reason: &str) {
        (self.checking, self.shown) = (false, false);
        let row = row(&gettext("Cannot Check This Computer"), reason);
        row.add_css_class("error");
        self.replace(vec![row]);
    }

    /// Shows `report`; `library` names the loaded models.
    pub fn show(&mut self, report: &Report, library: &[LocalModel]) {
        (self.checking, self.shown) = (false, true);
        let a = &report.acceleration;
        let threads = a.threads.to_string();
        let mut rows = vec![
            row(&gettext("Processor"), &processor(a)),
            row(
                &gettext("Threads"),
                &ngettext_f(
                    "{count} thread generates replies",
                    "{count} threads generate replies",
                    a.threads,
                    &[("count", &threads)],
                ),
            ),
            row(&gettext("Graphics"), &graphics(a, GPU_BACK_ENDS)),
        ];
        for m in &report.loaded {
            let name = library
                .iter()
                .find(|l| l.model_id == m.id)
                .map_or_else(|| m.id.clone(), LocalModel::display_name);
            let layers = m.gpu_layers.to_string();
            rows.push(row(
                &name,
                &ngettext_f(
                    "Loaded: {count} layer offloaded to the GPU",
                    "Loaded: {count} layers offloaded to the GPU",
                    m.gpu_layers,
                    &[("count", &layers)],
                ),
            ));
        }
        self.replace(rows);
    }

    fn replace(&mut self, rows: Vec<adw::ActionRow>) {
        for old in self.rows.drain(..) {
            self.group.remove(&old);
        }
        for new in &rows {
            self.group.add(new);
        }
        self.rows = rows;
    }
}

/// The GPU back ends compiled into this build, by name.
const GPU_BACK_ENDS: &[&str] = &[
    #[cfg(feature = "vulkan")]
    "Vulkan",
    #[cfg(feature = "metal")]
    "Metal",
];

/// A row with `title` and `subtitle`, whose subtitle can be selected and
/// copied (libadwaita 1.2 has no `subtitle-selectable`: its subtitle
/// label, the one with the `subtitle` style class, is made selectable).
fn row(title: &str, subtitle: &str) -> adw::ActionRow {
    let row = adw::ActionRow::builder()
        .use_markup(false)
        .title(title)
        .subtitle(subtitle)
        .build();
    if let Some(label) = subtitle_label(row.upcast_ref()) {
        label.set_selectable(true);
    }
    row
}

/// The label with the `subtitle` style class under `widget`, depth first.
fn subtitle_label(widget: &gtk::Widget) -> Option<gtk::Label> {
    let mut child = widget.first_child();
    while let Some(c) = child {
        if let Some(label) = c.downcast_ref::<gtk::Label>()
            && label.has_css_class("subtitle")
        {
            return Some(label.clone());
        }
        if let Some(found) = subtitle_label(&c) {
            return Some(found);
        }
        child = c.next_sibling();
    }
    None
}

/// The processor row's lines: its features, and the CPU back end in use
/// with its file.
fn processor(a: &Acceleration) -> String {
    let features = if a.cpu_features.is_empty() {
        gettext("Features: none of those llama.cpp uses")
    } else {
        gettext_f(
            "Features: {features}",
            &[("features", &a.cpu_features.join(", "))],
        )
    };
    let backend = match (&a.cpu_backend, &a.cpu_backend_file) {
        (Some(backend), Some(file)) => gettext_f(
            "Back end in use: {backend}, {file}",
            &[("backend", backend), ("file", file)],
        ),
        (Some(backend), None) => gettext_f("Back end in use: {backend}", &[("backend", backend)]),
        (None, _) => gettext("Back end in use: built into ValeChat"),
    };
    format!("{features}\n{backend}")
}

/// The graphics row's text: the GPU devices found, else whether this
/// build has a GPU back end (`built_in`) and found no device.
fn graphics(a: &Acceleration, built_in: &[&str]) -> String {
    // Devices read `NAME (BACK END, DESCRIPTION)`; the processor is `CPU`.
    let gpus: Vec<&String> = a.devices.iter().filter(|d| !d.starts_with("CPU")).collect();
    if a.gpu_offload && !gpus.is_empty() {
        gpus.iter()
            .map(|d| d.as_str())
            .collect::<Vec<_>>()
            .join("\n")
    } else if built_in.is_empty() {
        gettext("No GPU back end in this build: models run on the processor")
    } else {
        gettext_f(
            "No device found for {backends}: models run on the processor",
            &[("backends", &built_in.join(", "))],
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn report(gpu_offload: bool, devices: &[&str]) -> Acceleration {
        Acceleration {
            cpu_features: vec!["AVX2".into(), "AVX512".into()],
            cpu_backend: Some("cpu-icelake".into()),
            cpu_backend_file: Some("/usr/lib/valechat/libggml-cpu-icelake.so".into()),
            threads: 8,
            gpu_offload,
            devices: devices.iter().map(|d| (*d).to_owned()).collect(),
        }
    }

    #[test]
    fn the_processor_names_its_features_and_back_end() {
        assert_eq!(
            processor(&report(false, &[])),
            "Features: AVX2, AVX512\nBack end in use: cpu-icelake, /usr/lib/valechat/libggml-cpu-icelake.so"
        );
    }

    #[test]
    fn graphics_lists_gpus_or_says_why_there_is_none() {
        let cpu = "CPU (CPU, Intel Xeon)";
        let gpu = "Vulkan0 (Vulkan, AMD Radeon)";
        assert_eq!(graphics(&report(true, &[cpu, gpu]), &["Vulkan"]), gpu);
        assert_eq!(
            graphics(&report(false, &[cpu]), &[]),
            "No GPU back end in this build: models run on the processor"
        );
        assert_eq!(
            graphics(&report(false, &[cpu]), &["Vulkan"]),
            "No device found for Vulkan: models run on the processor"
        );
    }
}
