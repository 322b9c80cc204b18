//! The lab's pictures: the plane (real and generated points, the discriminator's opinion, the
//! generator's movement), the encoder's latent space, and the loss curves.

use leptos::html::Canvas;
use leptos::prelude::*;

use super::super::chart::draw_loss_chart;
use super::super::lab_canvas::{PLANE_SIDE, draw_codes, draw_plane};
use super::lab_session::LabSession;
use crate::lab::LabModel;

/// The three pictures of the run in `session`.
#[component]
pub(super) fn LabPictures(session: LabSession) -> impl IntoView {
    let LabSession {
        lab,
        picture,
        previous_heads,
        history,
        ..
    } = session;
    let plane = NodeRef::<Canvas>::new();
    let codes_canvas = NodeRef::<Canvas>::new();
    let chart = NodeRef::<Canvas>::new();
    Effect::new(move |_| {
        picture.with(|p| {
            let (Some(p), Some(canvas)) = (p, plane.get()) else {
                return;
            };
            let extent = lab.get_untracked().data.extent();
            previous_heads.with_value(|prev| draw_plane(&canvas, p, prev.as_deref(), extent));
            if let (Some(codes), Some(canvas)) = (&p.codes, codes_canvas.get()) {
                draw_codes(&canvas, codes);
            }
        })
    });
    Effect::new(move |_| {
        history.with(|h| {
            if let (Some(h), Some(canvas)) = (h, chart.get()) {
                draw_loss_chart(&canvas, h, 0.9, None);
            }
        })
    });
    let is_autoencoder = move || lab.with(|l| l.model != LabModel::Gan);
    view! {
        <div class="lab-pictures">
            <canvas node_ref=plane data-testid="lab-plane" width=PLANE_SIDE height=PLANE_SIDE role="img"
                aria-label="The plane: real points in blue, generated points in orange, the discriminator's opinion as the background (green: real, purple: generated), arrows where the generator moved" />
            <canvas node_ref=codes_canvas data-testid="lab-codes" width=PLANE_SIDE height=PLANE_SIDE hidden=move || !is_autoencoder()
                role="img" aria-label="The latent space: the encoder's means of the real points" />
            <canvas node_ref=chart data-testid="lab-chart" width="400" height="220" role="img" aria-label="Loss curves" />
        </div>
    }
}
