//! Weights files: export then import gives identical outputs, every kind of bad file is refused
//! with its reason while the model in use stays exactly as it was, and the shipped files match
//! their manifest and load.

use burn::store::burn_pack::Writer;
use genplay::train::sessions::start_session;
use genplay::train::{Hyperparameters, ModelKind, Session, model_config, read_floats};
use genplay::weights::manifest::MANIFEST_FILE;
use genplay::weights::{
    MAX_WEIGHTS_BYTES, Manifest, Precision, WeightsError, WeightsFile, WeightsHeader, read_parameters, sha256_hex,
};

mod common;
use common::seeded;

fn settings(kind: ModelKind, seed: u64) -> Hyperparameters {
    Hyperparameters {
        seed,
        ..Hyperparameters::defaults(kind)
    }
}

fn session_with(kind: ModelKind, settings: &Hyperparameters) -> Box<dyn Session> {
    start_session(kind, settings, &common::mnist(), &seeded::device())
}

/// The session's weights as a file, with `precision`.
fn export(session: &dyn Session, kind: ModelKind, settings: &Hyperparameters, precision: Precision) -> Vec<u8> {
    let header = WeightsHeader::of_model(kind, *settings, session.steps_done(), precision);
    let tensors = pollster::block_on(read_parameters(session.parameters(precision))).unwrap();
    WeightsFile::encode(&header, tensors).unwrap()
}

/// What the session shows: its preview grid and, for a generator, samples.
fn outputs(session: &dyn Session) -> Vec<f32> {
    let mut values = pollster::block_on(read_floats(session.preview())).unwrap();
    if let Some(samples) = session.samples(16, 3) {
        values.extend(pollster::block_on(read_floats(samples)).unwrap());
    }
    values
}

/// Imports `bytes` into `session` the way the app does: parse, check the model and config, apply.
fn import(
    session: &mut dyn Session,
    kind: ModelKind,
    settings: &Hyperparameters,
    bytes: &[u8],
) -> Result<(), WeightsError> {
    let file = WeightsFile::parse(bytes)?;
    file.check_fits(kind.id(), &model_config(kind, settings))?;
    let precision = file.header.precision;
    session.load_parameters(file.into_tensors(), precision)
}

#[test]
fn export_then_import_gives_identical_outputs() {
    let _turn = seeded::turn();
    for kind in [ModelKind::VaeMlp, ModelKind::Dcgan] {
        let trained_settings = settings(kind, 1);
        let mut trained = session_with(kind, &trained_settings);
        seeded::train(trained.as_mut(), 5);
        let bytes = export(trained.as_ref(), kind, &trained_settings, Precision::F32);
        // A fresh session from another seed: different weights until the file is loaded.
        let mut fresh = session_with(kind, &settings(kind, 2));
        assert!(outputs(fresh.as_ref()) != outputs(trained.as_ref()));
        import(fresh.as_mut(), kind, &trained_settings, &bytes).unwrap();
        let loaded = outputs(fresh.as_ref());
        assert!(
            loaded == outputs(trained.as_ref()),
            "{kind:?}: outputs differ after the round trip"
        );
        // The loaded model trains on: its gradients reach its parameters.
        let losses = seeded::train(fresh.as_mut(), 2);
        assert!(losses.iter().flatten().all(|l| l.is_finite()));
        assert!(
            outputs(fresh.as_ref()) != loaded,
            "{kind:?}: training changed nothing after loading"
        );
    }
}

#[test]
fn half_precision_files_are_about_half_the_size_and_close() {
    let _turn = seeded::turn();
    let kind = ModelKind::AeMlp;
    let settings = settings(kind, 1);
    let mut trained = session_with(kind, &settings);
    seeded::train(trained.as_mut(), 5);
    let full = export(trained.as_ref(), kind, &settings, Precision::F32);
    let half = export(trained.as_ref(), kind, &settings, Precision::F16);
    let ratio = half.len() as f64 / full.len() as f64;
    assert!((0.45..0.55).contains(&ratio), "f16 / f32 size ratio {ratio}");
    let mut fresh = session_with(kind, &settings);
    import(fresh.as_mut(), kind, &settings, &half).unwrap();
    let (a, b) = (outputs(trained.as_ref()), outputs(fresh.as_ref()));
    let worst = a.iter().zip(&b).map(|(x, y)| (x - y).abs()).fold(0.0, f32::max);
    assert!(worst < 0.02, "largest pixel difference after f16 rounding: {worst}");
}

#[test]
fn bad_files_are_refused_and_the_model_stays_as_it_was() {
    let _turn = seeded::turn();
    // The DCGAN has batch norm, whose running statistics burn shares between module clones.
    check_refusals(ModelKind::VaeMlp);
    check_refusals(ModelKind::Dcgan);
    let error = import(
        session_with(ModelKind::VaeMlp, &settings(ModelKind::VaeMlp, 1)).as_mut(),
        ModelKind::VaeMlp,
        &settings(ModelKind::VaeMlp, 1),
        &export_other_config_message(),
    )
    .unwrap_err();
    assert!(error.to_string().contains("latent: file 8, in use 16"), "{error}");
}

/// A bad file: its name, its bytes, and the refusal expected.
type RefusalCase = (&'static str, Vec<u8>, fn(&WeightsError) -> bool);

/// Every bad file is refused by a session of `kind`, which stays exactly as it was.
fn check_refusals(kind: ModelKind) {
    let in_use_settings = settings(kind, 1);
    let mut in_use = session_with(kind, &in_use_settings);
    seeded::train(in_use.as_mut(), 3);
    let before = outputs(in_use.as_ref());
    let good = export(in_use.as_ref(), kind, &in_use_settings, Precision::F32);

    let other_model_settings = settings(ModelKind::AeMlp, 1);
    let other_model = export(
        session_with(ModelKind::AeMlp, &other_model_settings).as_ref(),
        ModelKind::AeMlp,
        &other_model_settings,
        Precision::F32,
    );
    let other_config_settings = Hyperparameters {
        latent: 8,
        ..in_use_settings
    };
    let other_config = export(
        session_with(kind, &other_config_settings).as_ref(),
        kind,
        &other_config_settings,
        Precision::F32,
    );
    // An autoencoder's tensors under a header that claims a VAE: passes the header checks and
    // must be caught when applied.
    let lying_header = {
        let file = WeightsFile::parse(&other_model).unwrap();
        let header = WeightsHeader {
            model: kind.id().into(),
            config: model_config(kind, &in_use_settings),
            ..file.header.clone()
        };
        WeightsFile::encode(&header, file.into_tensors()).unwrap()
    };
    // A half-precision file whose header claims 32-bit floats (the shipped files with three
    // bytes of the header changed), and a 32-bit file that claims 16 bits.
    let with_precision = |bytes: &[u8], precision: Precision| {
        let file = WeightsFile::parse(bytes).unwrap();
        let header = WeightsHeader {
            precision,
            ..file.header.clone()
        };
        WeightsFile::encode(&header, file.into_tensors()).unwrap()
    };
    let half = export(in_use.as_ref(), kind, &in_use_settings, Precision::F16);
    let half_claiming_f32 = with_precision(&half, Precision::F32);
    let f32_claiming_half = with_precision(&good, Precision::F16);
    let not_genplay = Writer::new(vec![]).into_bytes().unwrap().to_vec();
    let bad_header = Writer::new(vec![])
        .with_metadata("genplay", "{ not json")
        .into_bytes()
        .unwrap()
        .to_vec();
    let mut flipped = good.clone();
    flipped[3] ^= 0xff;

    let cases: Vec<RefusalCase> = vec![
        ("too large", vec![0; MAX_WEIGHTS_BYTES + 1], |e| {
            matches!(e, WeightsError::TooLarge { .. })
        }),
        ("empty", vec![], |e| matches!(e, WeightsError::Unreadable(_))),
        ("not burnpack", b"PK\x03\x04 a zip file, say".to_vec(), |e| {
            matches!(e, WeightsError::Unreadable(_))
        }),
        ("damaged magic", flipped, |e| matches!(e, WeightsError::Unreadable(_))),
        ("truncated", good[..good.len() / 2].to_vec(), |e| {
            matches!(e, WeightsError::Unreadable(_))
        }),
        ("no genplay header", not_genplay, |e| {
            matches!(e, WeightsError::NotGenplay)
        }),
        ("damaged header", bad_header, |e| {
            matches!(e, WeightsError::BadHeader(_))
        }),
        ("another model", other_model, |e| {
            matches!(e, WeightsError::OtherModel { .. })
        }),
        ("another config", other_config, |e| {
            matches!(e, WeightsError::OtherConfig { .. })
        }),
        ("16-bit tensors under a 32-bit header", half_claiming_f32, |e| {
            matches!(e, WeightsError::PrecisionMismatch { .. })
        }),
        ("32-bit tensors under a 16-bit header", f32_claiming_half, |e| {
            matches!(e, WeightsError::PrecisionMismatch { .. })
        }),
        ("tensors of another model", lying_header, |e| {
            matches!(e, WeightsError::TensorMismatch(_))
        }),
    ];
    for (case, bytes, expected) in cases {
        let error = import(in_use.as_mut(), kind, &in_use_settings, &bytes).expect_err(case);
        assert!(expected(&error), "{case}: unexpected error {error:?}");
        assert!(!error.to_string().is_empty());
        assert!(
            outputs(in_use.as_ref()) == before,
            "{kind:?}, {case}: the model in use changed"
        );
    }
}

/// A VAE file of latent 8, whose refusal must name the differing field.
fn export_other_config_message() -> Vec<u8> {
    let kind = ModelKind::VaeMlp;
    let other = Hyperparameters {
        latent: 8,
        ..settings(kind, 1)
    };
    export(session_with(kind, &other).as_ref(), kind, &other, Precision::F32)
}

#[test]
fn shipped_weights_match_the_manifest_and_load() {
    let _turn = seeded::turn();
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("public/weights");
    let manifest: Manifest = serde_json::from_str(&std::fs::read_to_string(dir.join(MANIFEST_FILE)).unwrap()).unwrap();
    let mut total = 0;
    for kind in ModelKind::ALL {
        let entry = manifest
            .entry(kind.id())
            .unwrap_or_else(|| panic!("no shipped weights for {kind:?}"));
        let bytes = std::fs::read(dir.join(&entry.file)).unwrap();
        entry.verify(&bytes).unwrap();
        assert_eq!(sha256_hex(&bytes), entry.sha256);
        total += bytes.len();
        let settings = entry.settings.expect("zoo models record their settings");
        let mut session = session_with(kind, &settings);
        import(session.as_mut(), kind, &settings, &bytes).unwrap();
        assert!(outputs(session.as_ref()).iter().all(|v| (0.0..=1.0).contains(v)));
    }
    let classifier = manifest
        .entry(genplay::weights::CLASSIFIER_ID)
        .expect("the classifier ships");
    let bytes = std::fs::read(dir.join(&classifier.file)).unwrap();
    classifier.verify(&bytes).unwrap();
    total += bytes.len();
    let judge = genplay::train::classifier_from_file(WeightsFile::parse(&bytes).unwrap(), &seeded::device()).unwrap();
    let data = common::mnist();
    let accuracy = pollster::block_on(genplay::train::classifier::accuracy(
        &judge,
        &data.held_out,
        &seeded::device(),
    ))
    .unwrap();
    assert!(accuracy >= 0.97, "shipped classifier accuracy {accuracy}");
    assert!(total <= 12_000_000, "shipped weights total {total} bytes");
}
