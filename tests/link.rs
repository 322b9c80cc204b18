//! Share links: a link restores exactly the state it was made from, and any string at all,
//! hostile ones included, reads as a valid state plus short notices naming what was ignored.
//! The property tests run 100,000 generated inputs in all (see `CASES`).

use genplay::backend::choice::{BackendKind, BackendPreference};
use genplay::data::toy2d::Toy2d;
use genplay::eval::compare::MaskKind;
use genplay::experiment::augment::{MAX_AUGMENT_SEEDS, PER_CLASS_CHOICES};
use genplay::lab::LabModel;
use genplay::link::LAB_LR_RATIOS;
use genplay::link::{DemoLink, HIDEABLE, KEYS, LinkPanel, MAX_LINK_CHARS, WeightsChoice, is_valid_dataset_name};
use genplay::model::gan_loss::GanLoss;
use genplay::train::ModelKind;
use genplay::zoo::settings::FIELDS;
use proptest::prelude::*;

/// Generated inputs per property test; the three tests below run 100,000 together.
const CASES: u32 = 34_000;

fn arbitrary_link() -> impl Strategy<Value = DemoLink> {
    (
        0..ModelKind::ALL.len(),
        0..LinkPanel::ALL.len(),
        (
            1e-6f64..10.0,
            1usize..=512,
            2usize..=64,
            0.0f64..10.0,
            1usize..=5,
            0.0f64..0.3,
        ),
        (0u64..=u64::from(u32::MAX), 1usize..=1_000_000),
        (any::<bool>(), 0..MaskKind::ALL.len(), 0u64..=u64::from(u32::MAX)),
        (
            any::<bool>(),
            any::<bool>(),
            proptest::sample::subsequence(HIDEABLE.to_vec(), 0..=HIDEABLE.len()),
        ),
        proptest::option::of("[^\\p{Cc}]{1,64}"),
        (0..BackendPreference::ALL.len(), 0..BackendKind::ALL.len()),
        (
            0..Toy2d::ALL.len(),
            0..LabModel::ALL.len(),
            0..GanLoss::ALL.len(),
            any::<(bool, bool)>(),
            (1usize..=4, 0..LAB_LR_RATIOS.len(), 1usize..=5),
            0u64..=u64::from(u32::MAX),
        ),
    )
        .prop_map(
            |(
                model,
                panel,
                (lr, batch, latent, beta, dsteps, smooth),
                (seed, budget),
                (pretrained, mask, cseed),
                (autorun, embed, hide),
                dataset,
                (backend, lab_backend),
                (data, lab_model, loss, (sn, mbstd), (pack, ratio, lab_dsteps), lab_seed),
            )| {
                let model = ModelKind::ALL[model];
                let mut link = DemoLink::for_model(model);
                link.panel = LinkPanel::ALL[panel];
                link.backend = BackendPreference::ALL[backend];
                link.lab_backend = BackendKind::ALL[lab_backend];
                let lab = &mut link.lab;
                (lab.data, lab.model, lab.seed, lab.discriminator_steps) =
                    (Toy2d::ALL[data], LabModel::ALL[lab_model], lab_seed, lab_dsteps);
                let remedies = &mut lab.remedies;
                (remedies.loss, remedies.spectral_norm, remedies.minibatch_std) = (GanLoss::ALL[loss], sn, mbstd);
                (remedies.pack, remedies.discriminator_lr_ratio) = (pack, LAB_LR_RATIOS[ratio]);
                let s = &mut link.settings;
                s.learning_rate = lr;
                s.batch_size = batch;
                s.latent = latent;
                s.seed = seed;
                s.step_budget = budget;
                // Fields a model does not use keep their defaults: links leave them out.
                if model.is_variational() {
                    s.beta = beta;
                }
                if model.is_adversarial() {
                    s.discriminator_steps = dsteps;
                    s.label_smoothing = smooth;
                }
                link.weights = if pretrained {
                    WeightsChoice::Pretrained
                } else {
                    WeightsChoice::Fresh
                };
                link.mask = MaskKind::ALL[mask];
                link.compare_seed = cseed;
                link.autorun = autorun;
                link.embed = embed;
                link.hide = if embed { hide } else { vec![] };
                link.dataset = dataset.filter(|name| is_valid_dataset_name(name));
                // The Augment panel's choices, spread over their ranges by the compare seed.
                link.augment_per_class = PER_CLASS_CHOICES[(cseed % 5) as usize];
                link.augment_seeds = (cseed % MAX_AUGMENT_SEEDS as u64) as usize + 1;
                link
            },
        )
}

/// Keys a hostile link may use: every key of the link's tables, near misses, markup.
fn key() -> impl Strategy<Value = String> {
    let known = KEYS.iter().map(|k| k.key).chain(FIELDS.iter().map(|f| f.key));
    let near_misses = ["LR", "Model", "<script>", "model[]", "%00", ""];
    prop_oneof![
        proptest::sample::select(known.chain(near_misses).collect::<Vec<_>>()).prop_map(String::from),
        ".{0,12}",
    ]
}

/// Values a hostile link may carry.
fn value() -> impl Strategy<Value = String> {
    prop_oneof![
        proptest::sample::select(vec![
            "NaN",
            "inf",
            "-1",
            "1e308",
            "0",
            "1",
            "64",
            "2e-4",
            "dcgan",
            "vae_mlp",
            "compare",
            "modes",
            "grid",
            "hinge",
            "0.5",
            "pretrained",
            "webgpu",
            "cpu",
            "top",
            "<img src=x onerror=alert(1)>",
            "\"><script>alert(1)</script>",
            "tabs,settings,bogus",
            "%ZZ",
            "%2",
            "☃☃☃",
            "\u{0}",
        ])
        .prop_map(String::from),
        any::<f64>().prop_map(|f| f.to_string()),
        ".{0,40}",
    ]
}

fn hostile_query() -> impl Strategy<Value = String> {
    (
        proptest::collection::vec((key(), value(), any::<bool>()), 0..24),
        any::<bool>(),
    )
        .prop_map(|(pairs, prefix)| {
            let body = pairs
                .into_iter()
                .map(|(k, v, encode)| {
                    if encode {
                        form_urlencoded::Serializer::new(String::new())
                            .append_pair(&k, &v)
                            .finish()
                    } else {
                        format!("{k}={v}")
                    }
                })
                .collect::<Vec<_>>()
                .join("&");
            if prefix { format!("?{body}") } else { body }
        })
}

/// What every parse must give: settings in range for the model, short notices, and a link
/// that reads back to itself with nothing ignored.
fn check_parsed(query: &str) {
    let parsed = DemoLink::parse(query);
    let link = &parsed.link;
    assert_eq!(link.settings.problems(link.model), vec![], "{query:?}");
    for notice in &parsed.ignored {
        assert!(notice.chars().count() <= 200, "a long notice: {notice:?}");
        assert!(
            !notice.contains('<') || notice.contains("\"<"),
            "unquoted markup in {notice:?}"
        );
    }
    let again = DemoLink::parse(&link.to_query());
    assert_eq!(again.ignored, Vec::<String>::new(), "{query:?}");
    assert_eq!(&again.link, link, "{query:?}");
}

proptest! {
    #![proptest_config(ProptestConfig { cases: CASES, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn every_link_restores_its_state_exactly(link in arbitrary_link()) {
        let parsed = DemoLink::parse(&link.to_query());
        prop_assert_eq!(parsed.ignored, Vec::<String>::new());
        prop_assert_eq!(parsed.link, link);
    }

    #[test]
    fn hostile_query_strings_read_as_valid_states(query in hostile_query()) {
        check_parsed(&query);
    }

    #[test]
    fn any_string_at_all_reads_as_a_valid_state(query in ".{0,300}") {
        check_parsed(&query);
    }
}

#[test]
fn notices_name_what_was_ignored() {
    let parsed = DemoLink::parse("?v=2&model=dcgan&lr=banana&latent=500&colour=red&hide=tabs,zz&embed=1&mask=<b>");
    assert_eq!(parsed.link.model, ModelKind::Dcgan);
    assert_eq!(parsed.link.settings.learning_rate, 2e-4);
    assert_eq!(parsed.link.settings.latent, 64);
    assert_eq!(parsed.link.hide, vec!["tabs"]);
    let all = parsed.ignored.join(" | ");
    for expected in [
        "format version \"2\"",
        "learning rate must be a number",
        "latent size must be from 2 to 64",
        "unknown setting \"colour\"",
        "cannot hide unknown controls \"zz\"",
        "mask \"\\u{3c}b\\u{3e}\" is not valid",
    ] {
        assert!(all.contains(expected), "{expected:?} missing from {all}");
    }
}

#[test]
fn the_augment_panels_choices_travel_and_bad_ones_are_named() {
    let parsed = DemoLink::parse("?v=1&panel=augment&aug_k=50&aug_seeds=5");
    assert_eq!(parsed.ignored, Vec::<String>::new());
    assert_eq!((parsed.link.augment_per_class, parsed.link.augment_seeds), (50, 5));
    assert_eq!(DemoLink::parse(&parsed.link.to_query()).link, parsed.link);
    let parsed = DemoLink::parse("?v=1&panel=augment&aug_k=7&aug_seeds=11");
    assert_eq!(
        parsed.ignored,
        [
            "labelled digits per class \"7\" is not valid",
            "number of seeds \"11\" is not valid"
        ]
    );
    assert_eq!((parsed.link.augment_per_class, parsed.link.augment_seeds), (10, 3));
}

#[test]
fn over_long_links_are_cut_and_said_to_be() {
    let long = format!("model=ae_mlp&seed=7&junk={}", "x".repeat(MAX_LINK_CHARS * 3));
    let parsed = DemoLink::parse(&long);
    assert_eq!(parsed.link.model, ModelKind::AeMlp);
    assert_eq!(parsed.link.settings.seed, 7);
    assert!(parsed.ignored.iter().any(|n| n.contains("longer than 4096 characters")));
}

#[test]
fn the_backend_travels_and_a_bad_one_is_named() {
    for preference in BackendPreference::ALL {
        let mut link = DemoLink::default();
        link.backend = preference;
        let query = link.to_query();
        assert_eq!(
            query.contains("backend="),
            preference != BackendPreference::Auto,
            "{query}"
        );
        assert_eq!(DemoLink::parse(&query).link, link);
    }
    let parsed = DemoLink::parse("?v=1&backend=tpu");
    assert_eq!(parsed.link.backend, BackendPreference::Auto);
    assert_eq!(parsed.ignored, ["backend \"tpu\" is not valid"]);
}

#[test]
fn every_key_is_declared_once_and_documented_in_the_readme() {
    let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    let keys: Vec<&str> = KEYS.iter().map(|k| k.key).chain(FIELDS.iter().map(|f| f.key)).collect();
    for (i, key) in keys.iter().enumerate() {
        assert!(!keys[..i].contains(key), "{key} is declared twice");
        assert!(
            readme.contains(&format!("| `{key}` |")),
            "README's key table lacks {key}"
        );
    }
    for key in &KEYS {
        assert!(
            !key.panels.is_empty() && !key.holds.is_empty(),
            "{} says too little",
            key.key
        );
    }
}

#[test]
fn a_modes_lab_link_restores_its_preset() {
    let parsed = DemoLink::parse(
        "?v=1&panel=modes&lab_data=grid&lab_loss=wgan&lab_pack=4&lab_dlr=4&lab_seed=3&lab_backend=webgpu&autorun=1",
    );
    assert_eq!(parsed.ignored, Vec::<String>::new());
    let lab = parsed.link.lab;
    assert_eq!(
        (parsed.link.panel, lab.data, lab.remedies.loss),
        (LinkPanel::Modes, Toy2d::Grid, GanLoss::Wasserstein)
    );
    assert_eq!(
        (lab.remedies.pack, lab.remedies.discriminator_lr_ratio, lab.seed),
        (4, 4.0, 3)
    );
    assert_eq!(parsed.link.lab_backend, BackendKind::WebGpu);
    assert_eq!(DemoLink::parse(&parsed.link.to_query()).link, parsed.link);
    let parsed = DemoLink::parse("?v=1&panel=modes&lab_pack=9&lab_dlr=3&lab_data=moon");
    assert_eq!(
        parsed.ignored,
        [
            "packing \"9\" is not valid",
            "learning-rate ratio \"3\" is not valid",
            "lab data \"moon\" is not valid"
        ]
    );
}
