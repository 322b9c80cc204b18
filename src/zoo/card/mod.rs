//! A model's card, shown where it trains: its objective in the article's notation (MathML, each
//! plotted term tied to its loss curve), its architecture read from the module, and what to
//! watch for on the page.

pub mod architecture;
pub mod mathml;
pub mod objective;

pub use architecture::{Layer, LayerKind, Network, architecture};
pub use objective::{Formula, objective};

use crate::zoo::{Hyperparameters, ModelKind};

/// Everything a model's card shows.
#[derive(Debug, Clone, PartialEq)]
pub struct ModelCard {
    /// The training objective, formula by formula.
    pub objective: Vec<Formula>,
    /// The networks, layer by layer.
    pub networks: Vec<Network>,
    /// What to watch for on the page while it trains.
    pub watch_for: &'static str,
}

impl ModelCard {
    /// The card of `kind` with `settings`.
    pub fn new(kind: ModelKind, settings: &Hyperparameters) -> Self {
        Self {
            objective: objective(kind, settings),
            networks: architecture(kind, settings),
            watch_for: watch_for(kind),
        }
    }

    /// The parameters of all its networks.
    pub fn parameters(&self) -> usize {
        self.networks.iter().map(Network::parameters).sum()
    }
}

/// Two or three sentences on what to look at while `kind` trains, tied to what the page shows.
pub fn watch_for(kind: ModelKind) -> &'static str {
    match kind {
        ModelKind::AeMlp | ModelKind::AeConv => {
            "The reconstructions sharpen within a few hundred steps: the code keeps what rebuilding a digit needs. \
             Then look at its random samples in the Compare panel: codes drawn from N(0, I) land where no digit was \
             encoded and come out as smudges, the gap a VAE's KL term closes."
        }
        ModelKind::VaeMlp | ModelKind::VaeConv | ModelKind::Cvae => {
            "Watch recon fall while kl rises and settles: the encoder spends nats of KL on what each digit looks \
             like. Samples stay blurrier than a GAN's, because the Bernoulli decoder averages over the digits a \
             code could be; a β above 1 buys a smoother latent space with more blur, and kl near 0 means the \
             decoder has stopped using the code."
        }
        ModelKind::Vae2d => {
            "With two numbers the whole latent space is the Explore panel's plane: watch the classes gather into \
             regions and the gaps between them fill as kl settles. Its samples are blurrier than the 16-number \
             VAE's, the price of a code that fits on a screen."
        }
        ModelKind::Rvae => {
            "Each digit is 28 steps of a GRU each way, so it learns more slowly per step than the MLP VAE; the \
             reconstructions get the strokes' top-to-bottom order first. kl near 0 would mean the recurrent decoder \
             writes digits without reading the code."
        }
        ModelKind::GanMlp | ModelKind::Dcgan => {
            "D(x) and D(G(z)) are the competition: if D(G(z)) sinks to 0 and stays there, the discriminator has won \
             and the generator learns little; near 0.5 each, the two are in balance. Samples get sharper than a \
             VAE's, but watch the class coverage chart: when it drops, the generator has collapsed onto a few \
             kinds of digit."
        }
        ModelKind::Cgan => {
            "The samples cycle through the classes 0 to 9, one per column: the generator writes the digit it is \
             asked for. Because the discriminator sees the class too, a good 7 offered as a 1 is refused, so class \
             coverage stays high where the unconditional GAN can collapse."
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::gan_loss::GanLoss;

    /// The loss names a model of `kind` reports, as its training session names them.
    fn curves(kind: ModelKind) -> &'static [&'static str] {
        if kind.is_adversarial() {
            &["d_loss", "g_loss", "D(x)", "D(G(z))"]
        } else if kind.is_variational() {
            crate::model::loss::ELBO_LOSS_NAMES
        } else {
            &["recon"]
        }
    }

    /// The values of every `data-curve` attribute in `mathml`.
    fn tied_curves(mathml: &str) -> Vec<String> {
        mathml
            .split("data-curve=\"")
            .skip(1)
            .map(|rest| rest.split('"').next().unwrap_or_default().to_string())
            .collect()
    }

    /// Whether every element opened in `markup` is closed, in order.
    fn well_nested(markup: &str) -> bool {
        let mut open = Vec::new();
        for tag in markup.split('<').skip(1) {
            let name: String = tag.chars().take_while(|c| c.is_alphanumeric() || *c == '/').collect();
            if let Some(closing) = name.strip_prefix('/') {
                if open.pop().as_deref() != Some(closing) {
                    return false;
                }
            } else {
                open.push(name);
            }
        }
        open.is_empty()
    }

    #[test]
    fn every_term_is_tied_to_a_curve_the_model_plots_and_every_curve_has_a_term() {
        for kind in ModelKind::ALL {
            let card = ModelCard::new(kind, &Hyperparameters::defaults(kind));
            let tied: Vec<String> = card.objective.iter().flat_map(|f| tied_curves(&f.mathml)).collect();
            for curve in &tied {
                assert!(curves(kind).contains(&curve.as_str()), "{kind:?} ties {curve}");
            }
            for curve in curves(kind) {
                assert!(tied.iter().any(|t| t == curve), "{kind:?} has no term for {curve}");
            }
            for formula in &card.objective {
                assert!(formula.mathml.starts_with("<math display=\"block\""), "{kind:?}");
                assert!(well_nested(&formula.mathml), "{kind:?}: {}", formula.mathml);
            }
            assert!(!card.watch_for.is_empty());
        }
    }

    #[test]
    fn the_formulas_follow_the_settings() {
        let mut settings = Hyperparameters::defaults(ModelKind::VaeMlp);
        settings.beta = 4.0;
        settings.latent = 8;
        let vae = objective(ModelKind::VaeMlp, &settings);
        assert!(vae[0].mathml.contains("<mn>4</mn>") && vae[0].caption.contains("β = 4"));
        assert!(
            vae[1].mathml.contains("<mn>8</mn>"),
            "the KL sum runs to the latent size"
        );

        let mut settings = Hyperparameters::defaults(ModelKind::GanMlp);
        let saturating = objective(ModelKind::GanMlp, &settings);
        assert!(saturating[1].caption.contains("t = 0.9"));
        assert!(saturating[2].mathml.contains("<mi mathvariant=\"normal\">log</mi>"));
        settings.remedies.loss = GanLoss::Hinge;
        let hinge = objective(ModelKind::GanMlp, &settings);
        assert!(hinge[1].mathml.contains(">max<") && !hinge[1].caption.contains("t = "));
        assert!(
            !hinge[2].mathml.contains(">log<"),
            "the hinge generator loss has no log"
        );
        assert!(
            objective(ModelKind::Rvae, &Hyperparameters::defaults(ModelKind::Rvae))[2]
                .mathml
                .contains(">GRU<")
        );
        let cgan = objective(ModelKind::Cgan, &Hyperparameters::defaults(ModelKind::Cgan));
        assert!(
            cgan[0].mathml.contains("<mo>∣</mo><mi>y</mi>"),
            "the class conditions both players"
        );
    }
}
