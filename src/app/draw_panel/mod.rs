//! The Draw panel: draw a digit with the mouse, a finger or the keyboard (a pen the arrow keys
//! move, [`crate::pointing::KeyboardPen`]); it is preprocessed the way MNIST's digits were, then,
//! live, the shipped classifier says what it sees and every model with an encoder (autoencoders,
//! VAEs, the recurrent VAE) shows its reconstruction and latent code.

mod pad;
mod readings;

use std::rc::Rc;

use burn::tensor::{Tensor, TensorData};
use leptos::prelude::*;

use super::Runtime;
use super::pretrained::PretrainedStore;
use crate::data::IMAGE_PIXELS;
use crate::data::preprocess::mnist_style;
use crate::eval::compare::read_image;
use crate::model::DigitClassifier;
use crate::train::{Inference, ModelKind, Session, read_floats};
use pad::{DrawingPad, PAD};
use readings::{Prediction, PreparedDigit, Reading, ReadingView};

/// The Draw panel. `visible` says whether it is on screen (nothing loads before).
#[component]
pub fn DrawPanel(
    runtime: StoredValue<Runtime>,
    pretrained: PretrainedStore,
    visible: Signal<bool>,
    /// Where "Use in Compare" puts the drawing.
    send_to_compare: RwSignal<Option<Vec<f32>>>,
) -> impl IntoView {
    let digit = RwSignal::new(None::<Vec<f32>>);
    let probabilities = RwSignal::new(None::<Vec<f32>>);
    let readings = RwSignal::new(Vec::<Reading>::new());
    let status = RwSignal::new(None::<String>);
    let judge = StoredValue::new_local(None::<DigitClassifier>);
    let encoders = StoredValue::new_local(Vec::<(ModelKind, Rc<dyn Inference>)>::new());
    let started = StoredValue::new(false);
    let busy = StoredValue::new(false);

    Effect::new(move |_| {
        if !visible.get() || started.get_value() {
            return;
        }
        started.set_value(true);
        leptos::task::spawn_local(async move {
            status.set(Some("Loading the classifier and the pretrained encoders…".into()));
            match pretrained.classifier(runtime).await {
                Ok(c) => judge.set_value(Some(c)),
                Err(e) => status.set(Some(e)),
            }
            // Every model with an encoder: the zoo without its GANs.
            for kind in ModelKind::ALL.into_iter().filter(|k| !k.is_adversarial()) {
                match pretrained.session(runtime, kind).await {
                    Ok((_, session)) => encoders.update_value(|e| e.push((kind, Rc::<dyn Session>::from(session)))),
                    Err(e) => status.set(Some(e)),
                }
            }
            if status.get_untracked().is_some_and(|s| s.starts_with("Loading")) {
                status.set(None);
            }
        });
    });

    // Preprocesses the pad's ink and asks every model.
    let read_drawing = Callback::new(move |ink: Vec<f32>| {
        if busy.get_value() {
            return;
        }
        let Some(prepared) = mnist_style(&ink, PAD as usize, PAD as usize) else {
            digit.set(None);
            probabilities.set(None);
            readings.set(Vec::new());
            return;
        };
        digit.set(Some(prepared.clone()));
        busy.set_value(true);
        leptos::task::spawn_local(async move {
            let device = runtime.with_value(|r| r.device.clone());
            let image = Tensor::<2>::from_data(TensorData::new(prepared, [1, IMAGE_PIXELS]), &device);
            let judged = judge.with_value(|j| j.as_ref().map(|j| j.valid_probabilities(image.clone())));
            if let Some(judged) = judged
                && let Ok(p) = read_floats(judged).await
            {
                probabilities.set(Some(p));
            }
            let mut next = Vec::new();
            for (kind, session) in encoders.get_value() {
                if let Some((code, reconstruction)) = read_image(session.as_ref(), &image).await {
                    next.push(Reading {
                        kind,
                        reconstruction,
                        code,
                    });
                }
            }
            readings.set(next);
            busy.set_value(false);
        });
    });

    view! {
        <section class="panel draw" data-testid="draw-panel">
            <h2>"Draw"</h2>
            <p class="model-summary">
                "Draw a digit. It is prepared the way MNIST's digits were (the ink's bounding box scaled to 20 pixels, \
                 centred by its centre of mass in 28x28), then the shipped classifier and every model with an \
                 encoder read it, live."
            </p>
            {move || status.get().map(|s| view! { <p class="notice warning" role="status">{s}</p> })}
            <div class="draw-row">
                <DrawingPad on_ink=read_drawing>
                    <button data-testid="draw-to-compare" disabled=move || digit.with(Option::is_none)
                        on:click=move |_| send_to_compare.set(digit.get_untracked())
                        title="Use this drawing as the first input of the Compare panel's rows">
                        "Use in Compare"
                    </button>
                </DrawingPad>
                <PreparedDigit digit />
                <Prediction probabilities />
            </div>
            <div class="readings" data-testid="draw-readings">
                {move || readings.get().into_iter().map(|reading| view! { <ReadingView reading /> }).collect_view()}
            </div>
        </section>
    }
}
