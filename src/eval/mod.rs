//! Evaluation of any session: what the Compare panel computes (interpolations, completions,
//! scores, the Fréchet distance), the digit classifier's verdict on samples, and planes through
//! a latent space for the Explore panel.

pub mod compare;
pub mod latent_plane;
pub mod metrics;
