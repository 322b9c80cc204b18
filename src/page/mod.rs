//! The page's side of its conversation with the training worker, as plain data: what the Train
//! panel shows and the bookkeeping that keeps it in step with the worker (generations, runs,
//! requests, snapshots, a restart's plan). Free of web code, so it is tested natively, against
//! the real worker core under a scripted host; the leptos panel (`app`) holds one
//! [`TrainView`] in a signal, sends the commands it returns and carries out its reactions. The
//! Modes lab's runs are kept the same way ([`LabView`]).

mod lab_view;
mod train_view;

#[cfg(test)]
mod tests;

pub use lab_view::{FinishedRun, LAB_STEPS, LabRunView, LabView, SliceOutcome};
pub use train_view::{BackendBadge, CodeScatter, PreviewGrid, Reaction, Restore, Snapshot, SnapshotTicket, TrainView};
