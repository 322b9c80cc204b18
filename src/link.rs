//! Share links: the state of a demo in a URL query string, versioned (`v=1`), and read back
//! from any string a visitor may paste. Reading never fails: whatever cannot be used (unknown
//! keys, malformed or out-of-range values, an over-long link) is named in a short notice and
//! its default is used instead. Plain data, free of web code, so it is tested natively.

use crate::data::user_data::SHIPPED_NAME as SHIPPED_DATASET;
use crate::train::augment::{AugmentPlan, MAX_AUGMENT_SEEDS, PER_CLASS_CHOICES};
use crate::train::compare::MaskKind;
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
}

/// Where the model's weights come from when the link opens.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WeightsChoice {
    /// Freshly initialised from the seed.
    Fresh,
    /// The shipped pretrained weights.
    Pretrained,
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

impl DemoLink {
    /// The default demo of `model`.
    pub fn for_model(model: ModelKind) -> Self {
        Self {
            panel: LinkPanel::Train,
            model,
            settings: Hyperparameters::defaults(model),
            weights: WeightsChoice::Fresh,
            mask: MaskKind::Bottom,
            compare_seed: 1,
            autorun: false,
            embed: false,
            hide: vec![],
            dataset: None,
            augment_per_class: AugmentPlan::default().per_class,
            augment_seeds: AugmentPlan::default().seeds,
        }
    }

    /// Whether embed mode hides `control`.
    pub fn hides(&self, control: &str) -> bool {
        self.embed && self.hide.contains(&control)
    }

    /// The query string (without `?`) that restores this state.
    pub fn to_query(&self) -> String {
        let mut query = form_urlencoded::Serializer::new(String::new());
        query.append_pair("v", LINK_VERSION);
        match self.panel {
            LinkPanel::Train => {}
            LinkPanel::Compare => {
                query.append_pair("panel", "compare");
            }
            LinkPanel::Draw => {
                query.append_pair("panel", "draw");
            }
            LinkPanel::Explore => {
                query.append_pair("panel", "explore");
            }
            LinkPanel::Augment => {
                query.append_pair("panel", "augment");
            }
        }
        query.append_pair("model", self.model.id());
        if let Some(name) = &self.dataset {
            query.append_pair("data", name);
        }
        for field in FIELDS.iter().filter(|f| (f.applies)(self.model)) {
            query.append_pair(field.key, &short_number(field.value(&self.settings)));
        }
        if self.weights == WeightsChoice::Pretrained {
            query.append_pair("weights", "pretrained");
        }
        if self.mask != MaskKind::Bottom {
            query.append_pair("mask", self.mask.id());
        }
        if self.compare_seed != 1 {
            query.append_pair("cseed", &self.compare_seed.to_string());
        }
        if self.augment_per_class != AugmentPlan::default().per_class {
            query.append_pair("aug_k", &self.augment_per_class.to_string());
        }
        if self.augment_seeds != AugmentPlan::default().seeds {
            query.append_pair("aug_seeds", &self.augment_seeds.to_string());
        }
        if self.autorun {
            query.append_pair("autorun", "1");
        }
        if self.embed {
            query.append_pair("embed", "1");
            if !self.hide.is_empty() {
                query.append_pair("hide", &self.hide.join(","));
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
        // The model decides the defaults of every other setting, so it is read first.
        let model = match pairs.iter().rev().find(|(k, _)| k == "model") {
            None => ModelKind::VaeMlp,
            Some((_, id)) => ModelKind::from_id(id).unwrap_or_else(|| {
                ignored.push(format!("unknown model {}", echo(id)));
                ModelKind::VaeMlp
            }),
        };
        let mut link = Self::for_model(model);
        let mut seen: Vec<&str> = Vec::new();
        for (key, value) in &pairs {
            if seen.contains(&key.as_str()) {
                ignored.push(format!("{} was given twice: the last one counts", echo(key)));
            } else {
                seen.push(key);
            }
            if let Some(problem) = link.apply(key, value) {
                ignored.push(problem);
            }
        }
        if !link.embed && !link.hide.is_empty() {
            ignored.push("hide works only in embed mode (embed=1): ignored".into());
            link.hide.clear();
        }
        ParsedLink { link, ignored }
    }

    /// Applies one pair; returns what was wrong with it, if anything.
    fn apply(&mut self, key: &str, value: &str) -> Option<String> {
        let bad = |what: &str| Some(format!("{what} {} is not valid", echo(value)));
        match key {
            "v" => (value != LINK_VERSION).then(|| {
                format!(
                    "the link is from format version {}; read as version {LINK_VERSION}",
                    echo(value)
                )
            }),
            "model" => None,
            "panel" => match value {
                "train" => {
                    self.panel = LinkPanel::Train;
                    None
                }
                "compare" => {
                    self.panel = LinkPanel::Compare;
                    None
                }
                "draw" => {
                    self.panel = LinkPanel::Draw;
                    None
                }
                "explore" => {
                    self.panel = LinkPanel::Explore;
                    None
                }
                "augment" => {
                    self.panel = LinkPanel::Augment;
                    None
                }
                _ => bad("panel"),
            },
            "weights" => match value {
                "fresh" => {
                    self.weights = WeightsChoice::Fresh;
                    None
                }
                "pretrained" => {
                    self.weights = WeightsChoice::Pretrained;
                    None
                }
                _ => bad("weights"),
            },
            "data" => {
                if value.eq_ignore_ascii_case(SHIPPED_DATASET) {
                    self.dataset = None;
                    None
                } else if is_valid_dataset_name(value) {
                    self.dataset = Some(value.to_string());
                    None
                } else {
                    bad("dataset name")
                }
            }
            "mask" => match MaskKind::from_id(value) {
                Some(mask) => {
                    self.mask = mask;
                    None
                }
                None => bad("mask"),
            },
            "cseed" => match value.parse::<u64>() {
                Ok(seed) if seed <= u64::from(u32::MAX) => {
                    self.compare_seed = seed;
                    None
                }
                _ => bad("compare seed"),
            },
            "aug_k" => match value.parse::<usize>() {
                Ok(k) if PER_CLASS_CHOICES.contains(&k) => {
                    self.augment_per_class = k;
                    None
                }
                _ => bad("labelled digits per class"),
            },
            "aug_seeds" => match value.parse::<usize>() {
                Ok(seeds) if (1..=MAX_AUGMENT_SEEDS).contains(&seeds) => {
                    self.augment_seeds = seeds;
                    None
                }
                _ => bad("number of seeds"),
            },
            "autorun" | "embed" => match flag(value) {
                Some(on) => {
                    if key == "autorun" {
                        self.autorun = on
                    } else {
                        self.embed = on
                    }
                    None
                }
                None => bad(key),
            },
            "hide" => {
                self.hide.clear();
                let mut unknown = Vec::new();
                for name in value.split(',').map(str::trim).filter(|n| !n.is_empty()) {
                    match HIDEABLE.iter().find(|h| **h == name) {
                        Some(known) if !self.hide.contains(known) => self.hide.push(known),
                        Some(_) => {}
                        None => unknown.push(echo(name)),
                    }
                }
                (!unknown.is_empty()).then(|| format!("cannot hide unknown controls {}", unknown.join(", ")))
            }
            _ => match FIELDS.iter().find(|f| f.key == key) {
                Some(field) if !(field.applies)(self.model) => Some(format!(
                    "{} does not apply to the {}: ignored",
                    field.label,
                    self.model.label()
                )),
                Some(_) => match self.settings.set_from_text(key, value) {
                    Ok(()) => None,
                    Err(problem) => Some(format!(
                        "{problem} (the link says {}): the default is used",
                        echo(value)
                    )),
                },
                None => Some(format!("unknown setting {}", echo(key))),
            },
        }
    }
}
