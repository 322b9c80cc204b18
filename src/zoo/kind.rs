//! The models a user can pick: their ids, names, kinds and one-line summaries.

use serde::{Deserialize, Serialize};

/// The generative models of the playground.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ModelKind {
    /// MLP autoencoder 784-256-32-256-784.
    AeMlp,
    /// Convolutional autoencoder, code of 32.
    AeConv,
    /// MLP VAE 784-256-(16, 16)-256-784.
    VaeMlp,
    /// The MLP VAE with a 2-D latent space, which can be drawn: the latent explorer's model.
    Vae2d,
    /// Convolutional VAE, latent of 16.
    VaeConv,
    /// Recurrent VAE: GRUs read and write the digit row by row.
    Rvae,
    /// MLP GAN: G 64-256-512-784, D 784-512-256-1.
    GanMlp,
    /// DCGAN with batch norm and LeakyReLU.
    Dcgan,
    /// Conditional VAE: the MLP VAE told each digit's class, so it samples the digit asked for.
    Cvae,
    /// Conditional GAN: the MLP GAN with the class given to both players.
    Cgan,
}

impl ModelKind {
    /// Every model, in the order the picker lists them.
    pub const ALL: [ModelKind; 10] = [
        ModelKind::AeMlp,
        ModelKind::AeConv,
        ModelKind::VaeMlp,
        ModelKind::Vae2d,
        ModelKind::VaeConv,
        ModelKind::Rvae,
        ModelKind::GanMlp,
        ModelKind::Dcgan,
        ModelKind::Cvae,
        ModelKind::Cgan,
    ];

    /// Stable identifier, as used in files and links.
    pub fn id(self) -> &'static str {
        match self {
            ModelKind::AeMlp => "ae_mlp",
            ModelKind::AeConv => "ae_conv",
            ModelKind::VaeMlp => "vae_mlp",
            ModelKind::Vae2d => "vae_2d",
            ModelKind::VaeConv => "vae_conv",
            ModelKind::Rvae => "rvae",
            ModelKind::GanMlp => "gan_mlp",
            ModelKind::Dcgan => "dcgan",
            ModelKind::Cvae => "cvae",
            ModelKind::Cgan => "cgan",
        }
    }

    /// The name a person reads.
    pub fn label(self) -> &'static str {
        match self {
            ModelKind::AeMlp => "Autoencoder (MLP)",
            ModelKind::AeConv => "Autoencoder (conv)",
            ModelKind::VaeMlp => "VAE (MLP)",
            ModelKind::Vae2d => "VAE, 2-D latent",
            ModelKind::VaeConv => "VAE (conv)",
            ModelKind::Rvae => "Recurrent VAE",
            ModelKind::GanMlp => "GAN (MLP)",
            ModelKind::Dcgan => "DCGAN",
            ModelKind::Cvae => "Conditional VAE",
            ModelKind::Cgan => "Conditional GAN",
        }
    }

    /// The model whose [`id`](Self::id) is `id`.
    pub fn from_id(id: &str) -> Option<ModelKind> {
        Self::ALL.into_iter().find(|kind| kind.id() == id)
    }

    /// Whether the model is a GAN (a generator trained against a discriminator).
    pub fn is_adversarial(self) -> bool {
        matches!(self, ModelKind::GanMlp | ModelKind::Dcgan | ModelKind::Cgan)
    }

    /// Whether the model is a VAE (trained on the ELBO, with a KL weight).
    pub fn is_variational(self) -> bool {
        matches!(
            self,
            ModelKind::VaeMlp | ModelKind::Vae2d | ModelKind::VaeConv | ModelKind::Rvae | ModelKind::Cvae
        )
    }

    /// Whether the model is class-conditional, so it needs labelled digits to train.
    pub fn is_conditional(self) -> bool {
        matches!(self, ModelKind::Cvae | ModelKind::Cgan)
    }

    /// One or two sentences on what the model learns, for the panel.
    pub fn summary(self) -> &'static str {
        match self {
            ModelKind::AeMlp | ModelKind::AeConv => {
                "An autoencoder squeezes each digit into a 32-number code and learns to rebuild it: it minimises \
                 reconstruction error only, so nothing arranges its codes for sampling."
            }
            ModelKind::Vae2d => {
                "A VAE whose codes have only two numbers, so its whole latent space fits on a screen: every digit \
                 it can write is somewhere on one plane, which the Explore panel draws."
            }
            ModelKind::VaeMlp | ModelKind::VaeConv => {
                "A VAE encodes each digit as a Gaussian over 16-number codes and adds a KL term that pulls those \
                 towards N(0, I): the price in reconstruction buys a latent space you can sample."
            }
            ModelKind::Rvae => {
                "The recurrent VAE reads a digit as a sequence of 28 rows with a GRU and writes it back row by row: \
                 the same ELBO as the VAE, with a network that sees strokes as they unfold down the image."
            }
            ModelKind::Cvae => {
                "A conditional VAE is told each digit's class while it learns, so its code, only 4 numbers here, has \
                 to hold just the style: ask it for a 7 and it writes a 7. Without a label it reads the class the ELBO \
                 likes best."
            }
            ModelKind::Cgan => {
                "A conditional GAN gives the class to both players: the generator writes the digit it is asked for, \
                 and the discriminator refuses a good 7 offered as a 1."
            }
            ModelKind::GanMlp | ModelKind::Dcgan => {
                "A GAN's generator never sees a digit: it learns from a discriminator that tells real digits from \
                 its fakes. Samples get sharp, but the pair can oscillate or collapse onto a few kinds of digit."
            }
        }
    }
}
