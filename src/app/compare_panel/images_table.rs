//! The Compare panel's table of images: a row per comparison, a column per model.

use leptos::html::Canvas;
use leptos::prelude::*;

use super::super::image_grid::draw_grid;
use super::super::model_card::ObjectiveFold;
use super::comparison::Comparison;
use super::rows::Row;
use crate::data::IMAGE_PIXELS;
use crate::eval::compare::MaskKind;

/// Every model's images, side by side.
#[component]
pub(super) fn ImagesTable(comparison: Comparison) -> impl IntoView {
    let Comparison {
        headings,
        results,
        input_pixels,
        mask,
        ..
    } = comparison;
    view! {
        // Wider than a narrow screen: it scrolls, and the keyboard can scroll it too.
        <div class="compare-scroll" tabindex="0" role="region" aria-label="Every model's images, side by side">
            <table class="compare-table" data-testid="compare-table">
                <thead>
                    <tr>
                        <th></th>
                        {move || headings.get().into_iter().map(|heading| view! {
                            <th data-testid=format!("column-{}", heading.key)>
                                {heading.title}<br/><span class="origin">{heading.origin}</span>
                                <ObjectiveFold kind=heading.kind settings=heading.settings />
                            </th>
                        }).collect_view()}
                    </tr>
                </thead>
                <tbody>
                    {Row::ALL.into_iter().map(|row| view! {
                        <tr data-testid=format!("row-{}", row.id())>
                            <th scope="row">
                                {row.title()}
                                {row.takes_inputs().then(|| view! {
                                    <InputStrip pixels=input_pixels mask=(row == Row::Completion).then_some(mask) />
                                })}
                                <p class="caption">{row.caption()}</p>
                            </th>
                            {move || headings.get().into_iter().map(|heading| {
                                let key = heading.key;
                                let images = Signal::derive(move || results.with(|r| {
                                    r.get(&key).and_then(|c| c.images.as_ref()).map(|i| (row.images(i).to_vec(), i.completion_error))
                                }));
                                view! { <ImageCell row images /> }
                            }).collect_view()}
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
}

/// One cell of images (with the completion's hidden-pixel error), or why there are none.
#[component]
fn ImageCell(row: Row, images: Signal<Option<(Vec<f32>, f64)>>) -> impl IntoView {
    let canvas = NodeRef::<Canvas>::new();
    Effect::new(move |_| {
        if let (Some(c), Some((pixels, _))) = (canvas.get(), images.get()) {
            draw_grid(&c, &pixels, 4);
        }
    });
    let state = move || {
        if images.with(Option::is_some) {
            "ready"
        } else {
            "pending"
        }
    };
    view! {
        <td class="cell" data-testid=format!("cell-{}", row.id()) data-state=state>
            {move || match images.get() {
                Some((pixels, _)) if pixels.is_empty() => view! {
                    <span class="no-encoder">"A GAN has no encoder: it cannot take a digit in."</span>
                }.into_any(),
                _ => view! {
                    <canvas node_ref=canvas width="112" height="56" role="img" aria-label=row.title()></canvas>
                }.into_any(),
            }}
            {move || (row == Row::Completion).then(|| images.get().map(|(_, error)| view! {
                <span class="cell-number" data-testid="completion-error">{format!("hidden-pixel MSE {error:.3}")}</span>
            }))}
        </td>
    }
}

/// The held-out inputs (optionally masked) in a row's header.
#[component]
fn InputStrip(pixels: RwSignal<Vec<f32>>, mask: Option<RwSignal<MaskKind>>) -> impl IntoView {
    let canvas = NodeRef::<Canvas>::new();
    Effect::new(move |_| {
        let Some(c) = canvas.get() else { return };
        let mut shown = pixels.get();
        if let Some(mask) = mask {
            let visible = mask.get().visible();
            for (i, p) in shown.iter_mut().enumerate() {
                if visible[i % IMAGE_PIXELS] == 0.0 {
                    *p = 0.35;
                }
            }
        }
        draw_grid(&c, &shown, 4);
    });
    view! {
        <canvas class="inputs" node_ref=canvas width="112" height="56" role="img"
            aria-label="The held-out digits the row starts from"></canvas>
    }
}
