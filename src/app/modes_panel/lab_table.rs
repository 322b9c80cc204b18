//! Every finished run of the lab, with its numbers.

use leptos::prelude::*;

use crate::page::{FinishedRun, LAB_STEPS};

/// Every finished run's numbers.
#[component]
pub(super) fn LabTable(rows: RwSignal<Vec<FinishedRun>>) -> impl IntoView {
    view! {
        <table class="lab-table" data-testid="lab-table" hidden=move || rows.with(Vec::is_empty)>
            <caption>{format!("Finished runs ({LAB_STEPS} steps each)")}</caption>
            <thead><tr><th>"data"</th><th>"model"</th><th>"remedies"</th><th>"seed"</th><th>"modes"</th><th>"high quality"</th><th>"held-out nats"</th><th>"backend"</th><th>"steps/s"</th></tr></thead>
            <tbody>
                {move || rows.get().into_iter().map(|row| view! {
                    <tr>
                        <td>{row.settings.data.label()}</td>
                        <td>{row.settings.model.label()}</td>
                        <td>{row.settings.remedies_text()}</td>
                        <td>{row.settings.seed}</td>
                        <td>{row.modes}</td>
                        <td>{row.quality}</td>
                        <td>{row.nats}</td>
                        <td>{row.backend.label()}</td>
                        <td>{row.steps_per_second}</td>
                    </tr>
                }).collect_view()}
            </tbody>
        </table>
    }
}
