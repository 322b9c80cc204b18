//! Share links: the state of a demo in a URL query string, versioned (`v=1`), and read back
//! from any string a visitor may paste. Reading never fails: whatever cannot be used (unknown
//! keys, malformed or out-of-range values, an over-long link) is named in a short notice and
//! its default is used instead. Plain data, free of web code, so it is tested natively.
//!
//! Every key is declared once, in [`KEYS`] (the hyper-parameters in
//! [`crate::zoo::settings::FIELDS`]): its meaning, the panels that read it, how it is written
//! (left out at its default) and how it is read. Writing, reading, notices and the property
//! tests in `tests/link.rs` all follow those tables.

use crate::backend::choice::{BackendKind, BackendPreference};
use crate::data::toy2d::Toy2d;
use crate::data::user_data::SHIPPED_NAME as SHIPPED_DATASET;
use crate::eval::compare::MaskKind;
use crate::experiment::augment::{AugmentPlan, MAX_AUGMENT_SEEDS, PER_CLASS_CHOICES};
use crate::lab::{LabModel, LabSettings};
use crate::model::gan_loss::{GanLoss, GanRemedies, MAX_PACK};
use crate::train::{Hyperparameters, ModelKind};
use crate::zoo::settings::{FIELDS, short_number};

/// The link format this code writes.
pub const LINK_VERSION: &str = "1";
/// Longest query string read; the rest of a longer one is ignored.
pub const MAX_LINK_CHARS: usize = 4_096;
/// Longest value echoed back in a notice.
const ECHO_CHARS: usize = 24;
/// Controls an embedding page may hide with `hide=a,b,…`.
pub const HIDEABLE: [&str; 9] = [
    "tabs", "model", "settings", "weights", "train", "step", "reset", "chart", "coverage",
];

/// Which panel a link opens.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkPanel {
    /// The Train panel.
    Train,
    /// The Compare panel.
    Compare,
    /// The Draw panel.
    Draw,
    /// The latent explorer.
    Explore,
    /// The data-augmentation experiment.
    Augment,
    /// The mode-collapse lab.
    Modes,
}

impl LinkPanel {
    /// Every panel, in the order of the tabs.
    pub const ALL: [LinkPanel; 6] = [
        Self::Train,
        Self::Compare,
        Self::Draw,
        Self::Explore,
        Self::Augment,
        Self::Modes,
    ];

    /// The value of `panel=`.
    pub fn id(self) -> &'static str {
        match self {
            Self::Train => "train",
            Self::Compare => "compare",
            Self::Draw => "draw",
            Self::Explore => "explore",
            Self::Augment => "augment",
            Self::Modes => "modes",
        }
    }
}

/// Where the model's weights come from when the link opens.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WeightsChoice {
    /// Freshly initialised from the seed.
    Fresh,
    /// The shipped pretrained weights.
    Pretrained,
}

impl WeightsChoice {
    /// The value of `weights=`.
    pub fn id(self) -> &'static str {
        match self {
            Self::Fresh => "fresh",
            Self::Pretrained => "pretrained",
        }
    }
}

/// Everything a link holds.
#[derive(Debug, Clone, PartialEq)]
pub struct DemoLink {
    /// The panel shown.
    pub panel: LinkPanel,
    /// The model of the Train panel.
    pub model: ModelKind,
    /// Its hyper-parameters (seed and step budget included).
    pub settings: Hyperparameters,
    /// Fresh or pretrained weights.
    pub weights: WeightsChoice,
    /// The backend training asks for.
    pub backend: BackendPreference,
    /// The Compare panel's completion mask.
    pub mask: MaskKind,
    /// The Compare panel's seed.
    pub compare_seed: u64,
    /// Start the demo on open: training (fresh weights) or loading (pretrained).
    pub autorun: bool,
    /// Embed mode: only the panel, for a page that puts the playground in an iframe.
    pub embed: bool,
    /// Controls hidden in embed mode, from [`HIDEABLE`].
    pub hide: Vec<&'static str>,
    /// The dataset the demo was made with, when it is not the shipped MNIST: a user's own
    /// files cannot travel in a link, so the page asks for them by this name.
    pub dataset: Option<String>,
    /// The Augment panel's labelled digits per class, one of [`PER_CLASS_CHOICES`].
    pub augment_per_class: usize,
    /// The Augment panel's number of seeds, 1 to 10.
    pub augment_seeds: usize,
    /// The mode-collapse lab's run.
    pub lab: LabSettings,
    /// The backend the lab trains on.
    pub lab_backend: BackendKind,
}

/// The longest dataset name a link carries, in characters.
pub const MAX_DATASET_NAME: usize = 64;

/// Whether `name` can be a dataset's name in a link: 1 to [`MAX_DATASET_NAME`] characters,
/// none of them a control character, and not the shipped dataset's own name.
pub fn is_valid_dataset_name(name: &str) -> bool {
    let count = name.chars().count();
    (1..=MAX_DATASET_NAME).contains(&count)
        && !name.chars().any(char::is_control)
        && !name.eq_ignore_ascii_case(SHIPPED_DATASET)
}

impl Default for DemoLink {
    fn default() -> Self {
        Self::for_model(ModelKind::VaeMlp)
    }
}

/// A link read back, with what was ignored.
#[derive(Debug, Clone, PartialEq)]
pub struct ParsedLink {
    /// The state to restore.
    pub link: DemoLink,
    /// One short sentence per thing that was ignored, naming it.
    pub ignored: Vec<String>,
}

/// `text` quoted, with control characters, quotes and angle brackets escaped (never markup),
/// cut after about [`ECHO_CHARS`] characters of escaped text: safe and short to show anywhere.
fn echo(text: &str) -> String {
    let mut shown = String::new();
    for c in text.chars() {
        if shown.chars().count() >= ECHO_CHARS {
            shown.push('…');
            break;
        }
        match c {
            '<' => shown.push_str("\\u{3c}"),
            '>' => shown.push_str("\\u{3e}"),
            _ => shown.extend(c.escape_debug()),
        }
    }
    format!("\"{shown}\"")
}

fn flag(value: &str) -> Option<bool> {
    match value {
        "1" | "true" | "yes" => Some(true),
        "0" | "false" | "no" => Some(false),
        _ => None,
    }
}

/// One key of a share link, declared once: what it holds, the panels whose demo it sets up, and
/// how it is written and read.
pub struct LinkKey {
    /// The key, as it appears in the query string.
    pub key: &'static str,
    /// What it holds, for a person reading the table.
    pub holds: &'static str,
    /// The panels whose demo it sets up.
    pub panels: &'static [LinkPanel],
    /// Its value in a link, or `None` at its default (a link leaves defaults out).
    write: fn(&DemoLink) -> Option<String>,
    /// Sets it from `value`; `Err` is the notice saying why the value was not used.
    read: fn(&mut DemoLink, &str) -> Result<(), String>,
}

use LinkPanel::{Augment, Compare, Explore, Modes, Train};

/// Reads a whole number from `low` to `high`.
fn whole(value: &str, low: u64, high: u64) -> Option<u64> {
    value.parse::<u64>().ok().filter(|v| (low..=high).contains(v))
}

/// Refuses a GAN remedy for a model that is no GAN, as a hyper-parameter it does not use.
fn applies_to_gan(link: &DemoLink, label: &str) -> Result<(), String> {
    match link.model.is_adversarial() {
        true => Ok(()),
        false => Err(format!("{label} does not apply to the {}: ignored", link.model.label())),
    }
}

/// A GAN remedy's value in a link, written only for a GAN of the Train panel.
fn gan_remedy(link: &DemoLink, write: fn(&GanRemedies) -> Option<String>) -> Option<String> {
    link.model
        .is_adversarial()
        .then(|| write(&link.settings.remedies))
        .flatten()
}

/// Discriminator-to-generator learning-rate ratios the lab and the MNIST GANs offer.
pub const LAB_LR_RATIOS: [f64; 6] = [0.25, 0.5, 1.0, 2.0, 4.0, 8.0];

/// Every key a link holds besides the hyper-parameters ([`FIELDS`], written after `model`), in
/// the order a link writes them.
pub const KEYS: [LinkKey; 28] = [
    LinkKey {
        key: "v",
        holds: "the link format's version",
        panels: &LinkPanel::ALL,
        write: |_| Some(LINK_VERSION.into()),
        read: |_, value| match value {
            LINK_VERSION => Ok(()),
            _ => Err(format!(
                "the link is from format version {}; read as version {LINK_VERSION}",
                echo(value)
            )),
        },
    },
    LinkKey {
        key: "panel",
        holds: "the panel shown: train (the default), compare, draw, explore, augment or modes",
        panels: &LinkPanel::ALL,
        write: |link| (link.panel != Train).then(|| link.panel.id().into()),
        read: |link, value| {
            link.panel = LinkPanel::ALL
                .into_iter()
                .find(|p| p.id() == value)
                .ok_or_else(|| bad("panel", value))?;
            Ok(())
        },
    },
    LinkKey {
        key: "model",
        holds: "the Train panel's model (read first: it decides every other default)",
        panels: &[Train, Compare],
        write: |link| Some(link.model.id().into()),
        // Read before every other key (see `DemoLink::parse`); here it is only checked.
        read: |_, value| match ModelKind::from_id(value) {
            Some(_) => Ok(()),
            None => Err(format!("unknown model {}", echo(value))),
        },
    },
    LinkKey {
        key: "gan_loss",
        holds: "an MNIST GAN's objective: ns (the default), lsgan, hinge or wgan",
        panels: &[Train, Compare],
        write: |link| gan_remedy(link, |r| (r.loss != GanLoss::NonSaturating).then(|| r.loss.id().into())),
        read: |link, value| {
            applies_to_gan(link, "the GAN objective")?;
            link.settings.remedies.loss = GanLoss::from_id(value).ok_or_else(|| bad("GAN objective", value))?;
            Ok(())
        },
    },
    LinkKey {
        key: "gan_sn",
        holds: "1: spectral normalisation in an MNIST GAN's discriminator",
        panels: &[Train, Compare],
        write: |link| gan_remedy(link, |r| r.spectral_norm.then(|| "1".into())),
        read: |link, value| {
            applies_to_gan(link, "spectral normalisation")?;
            link.settings.remedies.spectral_norm = flag(value).ok_or_else(|| bad("gan_sn", value))?;
            Ok(())
        },
    },
    LinkKey {
        key: "gan_mbstd",
        holds: "1: a minibatch standard deviation feature in an MNIST GAN's discriminator",
        panels: &[Train, Compare],
        write: |link| gan_remedy(link, |r| r.minibatch_std.then(|| "1".into())),
        read: |link, value| {
            applies_to_gan(link, "the minibatch standard deviation")?;
            link.settings.remedies.minibatch_std = flag(value).ok_or_else(|| bad("gan_mbstd", value))?;
            Ok(())
        },
    },
    LinkKey {
        key: "gan_pack",
        holds: "an MNIST GAN's PacGAN packing: images its discriminator judges at once, 1 (the default) to 4",
        panels: &[Train, Compare],
        write: |link| gan_remedy(link, |r| (r.pack != 1).then(|| r.pack.to_string())),
        read: |link, value| {
            applies_to_gan(link, "PacGAN packing")?;
            link.settings.remedies.pack =
                whole(value, 1, MAX_PACK as u64).ok_or_else(|| bad("packing", value))? as usize;
            Ok(())
        },
    },
    LinkKey {
        key: "gan_dlr",
        holds: "an MNIST GAN's two timescales: the discriminator's learning rate over the generator's, 0.25, 0.5, 1 (the default), 2, 4 or 8",
        panels: &[Train, Compare],
        write: |link| {
            gan_remedy(link, |r| {
                (r.discriminator_lr_ratio != 1.0).then(|| short_number(r.discriminator_lr_ratio))
            })
        },
        read: |link, value| {
            applies_to_gan(link, "the discriminator's learning rate")?;
            let ratio = value.parse::<f64>().ok().filter(|r| LAB_LR_RATIOS.contains(r));
            link.settings.remedies.discriminator_lr_ratio = ratio.ok_or_else(|| bad("learning-rate ratio", value))?;
            Ok(())
        },
    },
    LinkKey {
        key: "data",
        holds: "the name of the user's dataset the demo was made with (absent: the shipped MNIST)",
        panels: &[Train, Compare, Explore],
        write: |link| link.dataset.clone(),
        read: |link, value| {
            if value.eq_ignore_ascii_case(SHIPPED_DATASET) {
                link.dataset = None;
            } else if is_valid_dataset_name(value) {
                link.dataset = Some(value.to_string());
            } else {
                return Err(bad("dataset name", value));
            }
            Ok(())
        },
    },
    LinkKey {
        key: "backend",
        holds: "the training backend asked for: auto (the default, the faster as measured), cpu or webgpu",
        panels: &[Train],
        write: |link| (link.backend != BackendPreference::Auto).then(|| link.backend.id().into()),
        read: |link, value| {
            link.backend = BackendPreference::from_id(value).ok_or_else(|| bad("backend", value))?;
            Ok(())
        },
    },
    LinkKey {
        key: "weights",
        holds: "fresh (the default) or pretrained: the shipped weights",
        panels: &[Train, Compare],
        write: |link| (link.weights != WeightsChoice::Fresh).then(|| link.weights.id().into()),
        read: |link, value| {
            link.weights = [WeightsChoice::Fresh, WeightsChoice::Pretrained]
                .into_iter()
                .find(|w| w.id() == value)
                .ok_or_else(|| bad("weights", value))?;
            Ok(())
        },
    },
    LinkKey {
        key: "mask",
        holds: "the Compare panel's completion mask: top, bottom (the default), left, right or centre",
        panels: &[Compare],
        write: |link| (link.mask != MaskKind::Bottom).then(|| link.mask.id().into()),
        read: |link, value| {
            link.mask = MaskKind::from_id(value).ok_or_else(|| bad("mask", value))?;
            Ok(())
        },
    },
    LinkKey {
        key: "cseed",
        holds: "the Compare panel's seed, 0 to 4294967295 (default 1)",
        panels: &[Compare],
        write: |link| (link.compare_seed != 1).then(|| link.compare_seed.to_string()),
        read: |link, value| {
            link.compare_seed = value
                .parse::<u64>()
                .ok()
                .filter(|seed| *seed <= u64::from(u32::MAX))
                .ok_or_else(|| bad("compare seed", value))?;
            Ok(())
        },
    },
    LinkKey {
        key: "aug_k",
        holds: "the Augment panel's labelled digits per class: 1, 5, 10 (the default), 20 or 50",
        panels: &[Augment],
        write: |link| {
            (link.augment_per_class != AugmentPlan::default().per_class).then(|| link.augment_per_class.to_string())
        },
        read: |link, value| {
            link.augment_per_class = value
                .parse::<usize>()
                .ok()
                .filter(|k| PER_CLASS_CHOICES.contains(k))
                .ok_or_else(|| bad("labelled digits per class", value))?;
            Ok(())
        },
    },
    LinkKey {
        key: "aug_seeds",
        holds: "the Augment panel's number of seeds, 1 to 10 (default 3)",
        panels: &[Augment],
        write: |link| (link.augment_seeds != AugmentPlan::default().seeds).then(|| link.augment_seeds.to_string()),
        read: |link, value| {
            link.augment_seeds = value
                .parse::<usize>()
                .ok()
                .filter(|seeds| (1..=MAX_AUGMENT_SEEDS).contains(seeds))
                .ok_or_else(|| bad("number of seeds", value))?;
            Ok(())
        },
    },
    LinkKey {
        key: "lab_data",
        holds: "the Modes lab's data: ring (the default), grid, moons or spiral",
        panels: &[Modes],
        write: |link| (link.lab.data != Toy2d::Ring).then(|| link.lab.data.id().into()),
        read: |link, value| {
            link.lab.data = Toy2d::from_id(value).ok_or_else(|| bad("lab data", value))?;
            Ok(())
        },
    },
    LinkKey {
        key: "lab_model",
        holds: "the Modes lab's model: gan (the default), vae or ae",
        panels: &[Modes],
        write: |link| (link.lab.model != LabModel::Gan).then(|| link.lab.model.id().into()),
        read: |link, value| {
            link.lab.model = LabModel::from_id(value).ok_or_else(|| bad("lab model", value))?;
            Ok(())
        },
    },
    LinkKey {
        key: "lab_loss",
        holds: "the Modes lab GAN's objective: ns (the default), lsgan, hinge or wgan",
        panels: &[Modes],
        write: |link| (link.lab.remedies.loss != GanLoss::NonSaturating).then(|| link.lab.remedies.loss.id().into()),
        read: |link, value| {
            link.lab.remedies.loss = GanLoss::from_id(value).ok_or_else(|| bad("lab loss", value))?;
            Ok(())
        },
    },
    LinkKey {
        key: "lab_sn",
        holds: "1: spectral normalisation in the Modes lab's discriminator",
        panels: &[Modes],
        write: |link| link.lab.remedies.spectral_norm.then(|| "1".into()),
        read: |link, value| {
            link.lab.remedies.spectral_norm = flag(value).ok_or_else(|| bad("lab_sn", value))?;
            Ok(())
        },
    },
    LinkKey {
        key: "lab_mbstd",
        holds: "1: a minibatch standard deviation feature in the Modes lab's discriminator",
        panels: &[Modes],
        write: |link| link.lab.remedies.minibatch_std.then(|| "1".into()),
        read: |link, value| {
            link.lab.remedies.minibatch_std = flag(value).ok_or_else(|| bad("lab_mbstd", value))?;
            Ok(())
        },
    },
    LinkKey {
        key: "lab_pack",
        holds: "the Modes lab's PacGAN packing: samples the discriminator judges at once, 1 (the default) to 4",
        panels: &[Modes],
        write: |link| (link.lab.remedies.pack != 1).then(|| link.lab.remedies.pack.to_string()),
        read: |link, value| {
            link.lab.remedies.pack = whole(value, 1, MAX_PACK as u64).ok_or_else(|| bad("packing", value))? as usize;
            Ok(())
        },
    },
    LinkKey {
        key: "lab_dlr",
        holds: "the Modes lab's two timescales: the discriminator's learning rate over the generator's, 0.25, 0.5, 1 (the default), 2, 4 or 8",
        panels: &[Modes],
        write: |link| {
            let ratio = link.lab.remedies.discriminator_lr_ratio;
            (ratio != 1.0).then(|| short_number(ratio))
        },
        read: |link, value| {
            let ratio = value.parse::<f64>().ok().filter(|r| LAB_LR_RATIOS.contains(r));
            link.lab.remedies.discriminator_lr_ratio = ratio.ok_or_else(|| bad("learning-rate ratio", value))?;
            Ok(())
        },
    },
    LinkKey {
        key: "lab_dsteps",
        holds: "the Modes lab's discriminator steps per generator step, 1 (the default) to 5",
        panels: &[Modes],
        write: |link| (link.lab.discriminator_steps != 1).then(|| link.lab.discriminator_steps.to_string()),
        read: |link, value| {
            link.lab.discriminator_steps = whole(value, 1, 5).ok_or_else(|| bad("lab D steps", value))? as usize;
            Ok(())
        },
    },
    LinkKey {
        key: "lab_seed",
        holds: "the Modes lab's seed, 0 to 4294967295 (default 1)",
        panels: &[Modes],
        write: |link| (link.lab.seed != 1).then(|| link.lab.seed.to_string()),
        read: |link, value| {
            link.lab.seed = whole(value, 0, u64::from(u32::MAX)).ok_or_else(|| bad("lab seed", value))?;
            Ok(())
        },
    },
    LinkKey {
        key: "lab_backend",
        holds: "the backend the Modes lab trains on: cpu (the default) or webgpu",
        panels: &[Modes],
        write: |link| (link.lab_backend != BackendKind::Cpu).then(|| link.lab_backend.id().into()),
        read: |link, value| {
            link.lab_backend = BackendKind::from_id(value).ok_or_else(|| bad("lab backend", value))?;
            Ok(())
        },
    },
    LinkKey {
        key: "autorun",
        holds: "1: start the demo on opening (train fresh weights, or load the pretrained ones; train the Modes lab)",
        panels: &[Train, Modes],
        write: |link| link.autorun.then(|| "1".into()),
        read: |link, value| {
            link.autorun = flag(value).ok_or_else(|| bad("autorun", value))?;
            Ok(())
        },
    },
    LinkKey {
        key: "embed",
        holds: "1: embed mode, only the panel, for a page that puts the playground in an iframe",
        panels: &LinkPanel::ALL,
        write: |link| link.embed.then(|| "1".into()),
        read: |link, value| {
            link.embed = flag(value).ok_or_else(|| bad("embed", value))?;
            Ok(())
        },
    },
    LinkKey {
        key: "hide",
        holds: "in embed mode, the controls hidden, comma-separated: tabs, model, settings, weights, train, step, reset, chart, coverage",
        panels: &LinkPanel::ALL,
        write: |link| (link.embed && !link.hide.is_empty()).then(|| link.hide.join(",")),
        read: |link, value| {
            link.hide.clear();
            let mut unknown = Vec::new();
            for name in value.split(',').map(str::trim).filter(|n| !n.is_empty()) {
                match HIDEABLE.iter().find(|h| **h == name) {
                    Some(known) if !link.hide.contains(known) => link.hide.push(known),
                    Some(_) => {}
                    None => unknown.push(echo(name)),
                }
            }
            match unknown.is_empty() {
                true => Ok(()),
                false => Err(format!("cannot hide unknown controls {}", unknown.join(", "))),
            }
        },
    },
];

/// The notice for a `value` of `what` that cannot be used.
fn bad(what: &str, value: &str) -> String {
    format!("{what} {} is not valid", echo(value))
}

impl DemoLink {
    /// The default demo of `model`.
    pub fn for_model(model: ModelKind) -> Self {
        Self {
            panel: LinkPanel::Train,
            model,
            settings: Hyperparameters::defaults(model),
            weights: WeightsChoice::Fresh,
            backend: BackendPreference::Auto,
            mask: MaskKind::Bottom,
            compare_seed: 1,
            autorun: false,
            embed: false,
            hide: vec![],
            dataset: None,
            augment_per_class: AugmentPlan::default().per_class,
            augment_seeds: AugmentPlan::default().seeds,
            lab: LabSettings::default(),
            lab_backend: BackendKind::Cpu,
        }
    }

    /// Whether embed mode hides `control`.
    pub fn hides(&self, control: &str) -> bool {
        self.embed && self.hide.contains(&control)
    }

    /// The query string (without `?`) that restores this state: every key of [`KEYS`] not at
    /// its default, and after `model` the hyper-parameters the model uses.
    pub fn to_query(&self) -> String {
        let mut query = form_urlencoded::Serializer::new(String::new());
        for key in &KEYS {
            if let Some(value) = (key.write)(self) {
                query.append_pair(key.key, &value);
            }
            if key.key == "model" {
                for field in FIELDS.iter().filter(|f| (f.applies)(self.model)) {
                    query.append_pair(field.key, &short_number(field.value(&self.settings)));
                }
            }
        }
        query.finish()
    }

    /// Reads a query string (with or without a leading `?` or `#`). Never fails.
    pub fn parse(query: &str) -> ParsedLink {
        let mut ignored = Vec::new();
        let mut query = query.strip_prefix(['?', '#']).unwrap_or(query);
        if query.len() > MAX_LINK_CHARS {
            let mut end = MAX_LINK_CHARS;
            while !query.is_char_boundary(end) {
                end -= 1;
            }
            query = &query[..end];
            ignored.push(format!(
                "the link is longer than {MAX_LINK_CHARS} characters: the rest was ignored"
            ));
        }
        let pairs: Vec<(String, String)> = form_urlencoded::parse(query.as_bytes())
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .filter(|(k, _)| !k.is_empty())
            .collect();
        // The model decides the defaults of every other setting, so it is read first: the last
        // known one counts (an unknown one is named when its pair is read below).
        let model = pairs
            .iter()
            .rev()
            .filter(|(k, _)| k == "model")
            .find_map(|(_, id)| ModelKind::from_id(id))
            .unwrap_or(ModelKind::VaeMlp);
        let mut link = Self::for_model(model);
        let mut seen: Vec<&str> = Vec::new();
        for (key, value) in &pairs {
            if seen.contains(&key.as_str()) {
                ignored.push(format!("{} was given twice: the last one counts", echo(key)));
            } else {
                seen.push(key);
            }
            if let Err(problem) = link.read(key, value) {
                ignored.push(problem);
            }
        }
        if !link.embed && !link.hide.is_empty() {
            ignored.push("hide works only in embed mode (embed=1): ignored".into());
            link.hide.clear();
        }
        ParsedLink { link, ignored }
    }

    /// Reads one pair through [`KEYS`] or [`FIELDS`]; `Err` says what was wrong with it.
    fn read(&mut self, key: &str, value: &str) -> Result<(), String> {
        if let Some(known) = KEYS.iter().find(|k| k.key == key) {
            return (known.read)(self, value);
        }
        match FIELDS.iter().find(|f| f.key == key) {
            Some(field) if !(field.applies)(self.model) => Err(format!(
                "{} does not apply to the {}: ignored",
                field.label,
                self.model.label()
            )),
            Some(_) => self
                .settings
                .set_from_text(key, value)
                .map_err(|problem| format!("{problem} (the link says {}): the default is used", echo(value))),
            None => Err(format!("unknown setting {}", echo(key))),
        }
    }
}
