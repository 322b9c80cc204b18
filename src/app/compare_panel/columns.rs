//! The Compare panel's columns: a model, where its weights come from, and its session.

use std::rc::Rc;

use burn::tensor::Tensor;
use leptos::prelude::*;

use super::super::Runtime;
use super::super::pretrained::PretrainedStore;
use crate::eval::compare::{ComparisonImages, ModelScores, classifier_features};
use crate::model::DigitClassifier;
use crate::train::{Evaluation, Hyperparameters, ModelKind, Session};

/// One column: a model, where its weights come from, and its session.
#[derive(Clone)]
pub(super) struct Column {
    pub heading: ColumnHeading,
    pub steps: usize,
    pub wall_seconds: Option<f64>,
    pub parameters: usize,
    pub session: Rc<dyn Evaluation>,
}

/// A column's heading: what the table's header and the metrics table show of it.
#[derive(Clone, PartialEq)]
pub(super) struct ColumnHeading {
    /// Tells columns apart (and names them in the page, for tests).
    pub key: String,
    pub title: String,
    /// Where its weights come from: "pretrained", "trained here, 120 steps".
    pub origin: String,
    pub kind: ModelKind,
    /// The settings it was trained with, for its folded objective.
    pub settings: Hyperparameters,
}

/// What the panel computed for one column.
#[derive(Clone, Default)]
pub(super) struct Results {
    pub images: Option<ComparisonImages>,
    pub scores: Option<Result<ModelScores, String>>,
}

impl Column {
    /// A column of `session`, a copy of the Train panel's model of `kind` after `steps` steps.
    pub fn trained(kind: ModelKind, settings: Hyperparameters, steps: usize, session: Box<dyn Session>) -> Self {
        Self {
            heading: ColumnHeading {
                key: format!("trained-{}-{steps}", kind.id()),
                title: format!("Your {}", kind.label()),
                origin: format!("trained here, {steps} steps"),
                kind,
                settings,
            },
            steps,
            wall_seconds: None,
            parameters: session.parameter_count(),
            session: Rc::<dyn Session>::from(session),
        }
    }

    /// A column with `kind`'s shipped weights.
    pub async fn pretrained(
        pretrained: PretrainedStore,
        runtime: StoredValue<Runtime>,
        kind: ModelKind,
    ) -> Result<Self, String> {
        let (entry, session) = pretrained.session(runtime, kind).await?;
        Ok(Self {
            heading: ColumnHeading {
                key: kind.id().to_string(),
                title: kind.label().to_string(),
                origin: "pretrained".into(),
                kind,
                settings: entry.settings.unwrap_or_else(|| Hyperparameters::defaults(kind)),
            },
            steps: entry.steps,
            wall_seconds: Some(entry.wall_seconds),
            parameters: session.parameter_count(),
            session: Rc::<dyn Session>::from(session),
        })
    }
}

/// The shipped classifier and its features of the held-out digits.
pub(super) async fn load_judge(
    pretrained: PretrainedStore,
    runtime: StoredValue<Runtime>,
    held_out: &Tensor<2>,
) -> Result<(DigitClassifier, Vec<f32>), String> {
    let classifier = pretrained.classifier(runtime).await?;
    let features = classifier_features(&classifier, held_out)
        .await
        .map_err(|e| e.to_string())?;
    Ok((classifier, features))
}
