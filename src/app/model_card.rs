//! The model card beside the Train panel's model menu: the objective as MathML with each term
//! underlined in its loss curve's colour (hover or focus a term and its curve lights up, and the other way
//! round), the architecture read from the module drawn as an SVG, and what to watch for.

use leptos::html::Div;
use leptos::prelude::*;
use wasm_bindgen::JsCast;

use super::chart::COLOURS;
use crate::train::{Hyperparameters, ModelKind};
use crate::zoo::card::{Formula, ModelCard, Network, objective};

/// Height of one layer's row in the diagram, and the diagram's column width.
const ROW: f64 = 36.0;
const COLUMN: f64 = 330.0;

/// The card of the model `kind` with the form's `settings`. `curves` are the names of the loss
/// curves the chart draws, in its order; `highlight` is the curve lit up, shared with the chart.
#[component]
pub fn ModelCardView(
    kind: RwSignal<ModelKind>,
    settings: RwSignal<Hyperparameters>,
    curves: Signal<Vec<String>>,
    highlight: RwSignal<Option<String>>,
) -> impl IntoView {
    let card = Memo::new(move |_| ModelCard::new(kind.get(), &settings.get()));
    let formulas_ref = NodeRef::<Div>::new();
    // Colour each term as its curve, and mark the lit one, whenever either changes.
    Effect::new(move |_| {
        let (Some(root), curves, lit) = (formulas_ref.get(), curves.get(), highlight.get()) else {
            return;
        };
        card.track();
        let Ok(terms) = root.query_selector_all("[data-curve]") else {
            return;
        };
        for i in 0..terms.length() {
            let Some(term) = terms.get(i).and_then(|n| n.dyn_into::<web_sys::Element>().ok()) else {
                continue;
            };
            let name = term.get_attribute("data-curve").unwrap_or_default();
            if let Some(index) = curves.iter().position(|c| *c == name) {
                // Underlined in the curve's colour (the text stays dark, for contrast).
                let colour = COLOURS[index % COLOURS.len()];
                let _ = term.set_attribute("style", &format!("border-bottom: 3px solid {colour}"));
            }
            let _ = term
                .class_list()
                .toggle_with_force("lit", lit.as_deref() == Some(name.as_str()));
        }
    });
    let curve_of = |ev: &web_sys::Event| {
        ev.target()
            .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
            .and_then(|e| e.closest("[data-curve]").ok().flatten())
            .and_then(|e| e.get_attribute("data-curve"))
    };
    let light = move |ev: web_sys::Event| highlight.set(curve_of(&ev));
    let formulas = move || card.with(|c| formula_views(&c.objective));
    view! {
        <details class="model-card" data-testid="model-card" data-model=move || kind.get().id()>
            <summary>"How it learns: objective, architecture, what to watch for"</summary>
            <div class="objective" data-testid="objective" node_ref=formulas_ref
                on:mouseover=move |ev| light(ev.into()) on:focusin=move |ev| light(ev.into())
                on:mouseleave=move |_| highlight.set(None) on:focusout=move |_| highlight.set(None)>
                {formulas}
                <p class="hint">"Hover or focus a coloured term to find its curve in the chart below."</p>
            </div>
            {move || card.with(|c| view! { <ArchitectureDiagram networks=c.networks.clone() total=c.parameters() /> })}
            <p class="watch-for" data-testid="watch-for">
                <strong>"What to watch for: "</strong>{move || card.with(|c| c.watch_for)}
            </p>
        </details>
    }
}

/// A model's objective, folded: what a Compare column shows under its title.
#[component]
pub fn ObjectiveFold(kind: ModelKind, settings: Hyperparameters) -> impl IntoView {
    view! {
        <details class="objective-fold" data-testid="objective-fold">
            <summary>"Objective"</summary>
            {formula_views(&objective(kind, &settings))}
        </details>
    }
}

/// Each formula after its caption.
fn formula_views(formulas: &[Formula]) -> impl IntoView + use<> {
    formulas
        .iter()
        .map(|f| {
            view! {
                <p class="formula-caption">{f.caption.clone()}</p>
                <div class="formula" inner_html=f.mathml.clone()></div>
            }
        })
        .collect_view()
}

/// The networks side by side, one row per layer: its path and parameters, then its type and
/// what it maps, over a bar as wide as the log of its output width.
#[component]
fn ArchitectureDiagram(networks: Vec<Network>, total: usize) -> impl IntoView {
    let rows = networks.iter().map(|n| n.layers.len()).max().unwrap_or(0);
    let height = 26.0 + ROW * rows as f64;
    let width = COLUMN * networks.len() as f64;
    let widest = networks
        .iter()
        .flat_map(|n| &n.layers)
        .filter_map(|l| l.kind.output_width())
        .max()
        .unwrap_or(1) as f64;
    let bar = move |output: Option<usize>| {
        let fraction = output.map_or(0.0, |w| ((w as f64).ln() + 1.0) / (widest.ln() + 1.0));
        (COLUMN - 16.0) * fraction.clamp(0.1, 1.0)
    };
    let mut summary = networks
        .iter()
        .map(|n| {
            format!(
                "{}: {} layers, {} parameters",
                n.role,
                n.layers.len(),
                grouped(n.parameters())
            )
        })
        .collect::<Vec<_>>()
        .join("; ");
    // A GAN: the generator's output is the discriminator's input, drawn as a path between them.
    let gan = networks.len() == 2;
    let data_path = gan.then(|| {
        summary.push_str("; the generator's images G(z) go to the discriminator, beside real digits x");
        let middle = |row: usize| 22.0 + ROW * row as f64 + (ROW - 4.0) / 2.0;
        let last = networks[0].layers.len().saturating_sub(1);
        // Down the gap between the columns, clear of the rows' text.
        let (from_y, gap, to_y) = (middle(last), COLUMN - 8.0, middle(0));
        view! {
            <path class="data-path" d=format!(
                "M {} {from_y} L {gap} {from_y} L {gap} {to_y} L {COLUMN} {to_y}", COLUMN - 14.0
            ) />
        }
    });
    let columns = networks
        .into_iter()
        .enumerate()
        .map(|(column, network)| {
            let left = COLUMN * column as f64;
            let right = left + COLUMN - 16.0;
            let title = format!("{} · {} parameters", network.role, grouped(network.parameters()));
            let layers = network
                .layers
                .into_iter()
                .enumerate()
                .map(|(i, layer)| {
                    let y = 22.0 + ROW * i as f64;
                    view! {
                        <g data-layer=layer.path.clone() data-parameters=layer.parameters>
                            <rect x=left y=y width=bar(layer.kind.output_width()) height=ROW - 4.0
                                class=format!("layer {}", layer.kind.name()) />
                            <text x=left + 6.0 y=y + 13.0 class="layer-name">{layer.path.clone()}</text>
                            <text x=right - 6.0 y=y + 13.0 text-anchor="end">{grouped(layer.parameters)}</text>
                            <text x=left + 6.0 y=y + 27.0>{format!("{} {}", layer.kind.name(), layer.mapping())}</text>
                        </g>
                    }
                })
                .collect_view();
            view! {
                <text x=left y="14" class="network-title">{title}</text>
                {layers}
            }
        })
        .collect_view();
    view! {
        <figure class="architecture">
            <svg data-testid="architecture" data-parameters=total viewBox=format!("0 0 {width} {height}")
                width=width height=height role="img" aria-label=summary>
                {columns}
                {data_path}
            </svg>
            <figcaption>
                {format!("{} parameters (batch norm's running statistics included), read from the model's own modules \
                    by burn's module visitor: each row a layer, in the order its network declares them, its bar as wide \
                    as the log of its output. A convolution's feature maps (channels×height×width) follow from the 28×28 \
                    digit and the stride and padding its module displays.", grouped(total))}
                {gan.then_some(" The dashed line is the generator's images G(z), which the discriminator judges beside real digits x.")}
            </figcaption>
        </figure>
    }
}

/// `1234567` as "1,234,567".
fn grouped(count: usize) -> String {
    let digits = count.to_string();
    let mut out = String::new();
    for (i, digit) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(digit);
    }
    out
}
