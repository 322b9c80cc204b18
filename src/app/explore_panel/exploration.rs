//! The Explore panel's state: the model and slice shown, each pretrained encoder loaded so far
//! with its codes of the held-out digits, the plane they are drawn on, and the point decoded.

use std::collections::HashMap;
use std::rc::Rc;

use burn::tensor::{Device, Tensor, TensorData};
use leptos::prelude::*;

use super::super::Runtime;
use super::super::pretrained::PretrainedStore;
use crate::eval::latent_plane::{LatentPlane, PlaneFrame};
use crate::train::batches::upload;
use crate::train::{Inference, ModelKind, Session, read_floats};

/// Points per side of the manifold grid.
pub(super) const GRID: usize = 15;
/// Both pictures: 15 images of 28 pixels a side, showing the prior's ±3 sigma.
pub(super) const FRAME: PlaneFrame = PlaneFrame {
    side: (GRID * 28) as f64,
    extent: 3.0,
};

/// How a latent space with more than two dimensions is cut.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Slice {
    /// The two principal directions of the encoded held-out digits.
    Principal,
    /// Two coordinate axes.
    Axes(usize, usize),
}

/// A point of the plane and the digit decoded there.
#[derive(Clone, PartialEq)]
pub(super) struct Pointed {
    pub s: f64,
    pub t: f64,
    pub image: Vec<f32>,
}

/// An encoder model and its codes of the held-out digits.
type Encoded = (Rc<dyn Inference>, Vec<f32>);

/// The Explore panel's state.
#[derive(Clone, Copy)]
pub(super) struct Exploration {
    pub model: RwSignal<ModelKind>,
    pub slice: RwSignal<Slice>,
    /// The size of the model's latent space.
    pub dims: RwSignal<usize>,
    /// The decoder's image at every point of the grid, once drawn.
    pub manifold: RwSignal<Option<Vec<f32>>>,
    /// The held-out digits' plane coordinates, once drawn.
    pub points: RwSignal<Option<Vec<(f32, f32)>>>,
    pub pointed: RwSignal<Option<Pointed>>,
    pub status: RwSignal<Option<String>>,
    /// The held-out digits' classes, for the scatter's colours.
    pub labels: StoredValue<Vec<u8>>,
    sessions: StoredValue<HashMap<ModelKind, Encoded>, LocalStorage>,
    plane: StoredValue<Option<(ModelKind, LatentPlane)>>,
    busy: StoredValue<bool>,
    runtime: StoredValue<Runtime>,
    pretrained: PretrainedStore,
}

impl Exploration {
    /// The 2-D VAE first, nothing loaded.
    pub fn new(runtime: StoredValue<Runtime>, pretrained: PretrainedStore) -> Self {
        Self {
            model: RwSignal::new(ModelKind::Vae2d),
            slice: RwSignal::new(Slice::Principal),
            dims: RwSignal::new(2),
            manifold: RwSignal::new(None),
            points: RwSignal::new(None),
            pointed: RwSignal::new(None),
            status: RwSignal::new(None),
            labels: StoredValue::new(runtime.with_value(|r| r.data.held_out.labels.clone())),
            sessions: StoredValue::new_local(HashMap::new()),
            plane: StoredValue::new(None),
            busy: StoredValue::new(false),
            runtime,
            pretrained,
        }
    }

    /// Draws the plane of `kind` cut by `cut`, loading the model the first time.
    pub async fn show(self, kind: ModelKind, cut: Slice) {
        self.manifold.set(None);
        self.points.set(None);
        self.pointed.set(None);
        if self.sessions.with_value(|s| !s.contains_key(&kind)) {
            self.status
                .set(Some(format!("Loading the pretrained {}…", kind.label())));
            match self.load_encoder(kind).await {
                Ok(loaded) => self.sessions.update_value(|s| {
                    s.insert(kind, loaded);
                }),
                Err(e) => {
                    return self
                        .status
                        .set(Some(format!("The {} could not be loaded: {e}", kind.label())));
                }
            }
        }
        // Another model or slice may have been picked while this one loaded.
        if self.model.get_untracked() != kind || self.slice.get_untracked() != cut {
            return;
        }
        let Some((session, codes)) = self.sessions.with_value(|s| s.get(&kind).cloned()) else {
            return;
        };
        let d = session.code_size();
        self.dims.set(d);
        let plane = match (d, cut) {
            (2, _) if kind == ModelKind::Vae2d => Ok(LatentPlane::whole_2d()),
            (_, Slice::Axes(i, j)) if i < d && j < d && i != j => Ok(LatentPlane::axes(&codes, d, i, j)),
            _ => LatentPlane::principal(&codes, d, &Device::flex())
                .await
                .map_err(|e| e.to_string()),
        };
        let plane = match plane {
            Ok(plane) => plane,
            Err(e) => return self.status.set(Some(e)),
        };
        let device = self.runtime.with_value(|r| r.device.clone());
        let grid = TensorData::new(FRAME.grid_codes(&plane, GRID), [GRID * GRID, d]);
        match read_floats(session.decode(Tensor::<2>::from_data(grid, &device))).await {
            Ok(images) => self.manifold.set(Some(images)),
            Err(e) => self.status.set(Some(e.to_string())),
        }
        self.points
            .set(Some(codes.chunks_exact(d).map(|c| plane.project(c)).collect()));
        self.plane.set_value(Some((kind, plane)));
        if self.status.get_untracked().is_some_and(|s| s.starts_with("Loading")) {
            self.status.set(None);
        }
    }

    /// Decodes the code at picture position `(x, y)` (of either picture: both span the same
    /// plane); a decode already running makes this one skip.
    pub fn decode_at(self, x: f64, y: f64) {
        let Some((kind, plane)) = self.plane.get_value() else {
            return;
        };
        let Some((session, _)) = self.sessions.with_value(|s| s.get(&kind).cloned()) else {
            return;
        };
        if self.busy.get_value() {
            return;
        }
        self.busy.set_value(true);
        let (s, t) = FRAME.to_plane(x, y);
        let device = self.runtime.with_value(|r| r.device.clone());
        leptos::task::spawn_local(async move {
            let code = plane.code_at(s as f32, t as f32);
            let code = Tensor::<2>::from_data(TensorData::new(code.clone(), [1, code.len()]), &device);
            if let Ok(image) = read_floats(session.decode(code)).await {
                self.pointed.set(Some(Pointed { s, t, image }));
            }
            self.busy.set_value(false);
        });
    }

    /// A pretrained encoder model and its codes of the held-out digits.
    async fn load_encoder(self, kind: ModelKind) -> Result<Encoded, String> {
        let (_, session) = self.pretrained.session(self.runtime, kind).await?;
        let held_out = self.runtime.with_value(|r| upload(&r.data.held_out, &r.device));
        let codes = session.encode(held_out).ok_or("the model has no encoder")?;
        let codes = read_floats(codes).await.map_err(|e| e.to_string())?;
        Ok((Rc::<dyn Session>::from(session), codes))
    }
}
