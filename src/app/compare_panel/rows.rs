//! The Compare panel's rows: what each shows and says.

use crate::eval::compare::ComparisonImages;

/// The comparisons, one row each.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(super) enum Row {
    Reconstruction,
    Samples,
    Interpolation,
    Completion,
}

impl Row {
    pub const ALL: [Row; 4] = [Row::Reconstruction, Row::Samples, Row::Interpolation, Row::Completion];

    pub fn id(self) -> &'static str {
        match self {
            Row::Reconstruction => "reconstruction",
            Row::Samples => "samples",
            Row::Interpolation => "interpolation",
            Row::Completion => "completion",
        }
    }

    pub fn title(self) -> &'static str {
        match self {
            Row::Reconstruction => "Reconstruction",
            Row::Samples => "Random samples",
            Row::Interpolation => "Interpolation",
            Row::Completion => "Image completion",
        }
    }

    /// Whether the row starts from the held-out inputs (shown in its header).
    pub fn takes_inputs(self) -> bool {
        matches!(self, Row::Reconstruction | Row::Completion)
    }

    /// The row's images among a model's.
    pub fn images(self, images: &ComparisonImages) -> &[f32] {
        match self {
            Row::Reconstruction => &images.reconstruction,
            Row::Samples => &images.samples,
            Row::Interpolation => &images.interpolation,
            Row::Completion => &images.completion,
        }
    }

    /// What the row shows, in plain words.
    pub fn caption(self) -> &'static str {
        match self {
            Row::Reconstruction => {
                "The same eight held-out digits through every model with an encoder. The autoencoders minimise \
                 reconstruction error only, so they rebuild digits most faithfully; the VAEs pay for their KL term \
                 with blurrier copies. A GAN has no encoder: it cannot take a digit in at all."
            }
            Row::Samples => {
                "Eight samples from each model, from one shared seed. A plain autoencoder's decoder fed random codes \
                 makes poor digits, because nothing arranged its codes to fill the space a random code lands in; the \
                 VAE's KL term did exactly that; the GAN learned to fool a discriminator and gives the sharpest."
            }
            Row::Interpolation => {
                "Eight steps on a straight line between two codes: the codes of two held-out digits for models with \
                 an encoder, two noise vectors for the GANs. A smooth morph means a well-organised latent space."
            }
            Row::Completion => {
                "Part of each digit is hidden; each model fills it in. Autoencoders and VAEs iterate their \
                 reconstruction with the visible pixels clamped; a GAN searches its noise space (Adam, 60 steps, \
                 best of 4 starts) for an image that matches the visible pixels. The number is the mean squared \
                 error on the hidden pixels (lower is better)."
            }
        }
    }
}
