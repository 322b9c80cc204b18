//! Each model's training objective in the article's notation, as MathML, with every term that
//! is plotted tied to its loss curve by name (the names of the model's `loss_names`).

use super::mathml::*;
use crate::model::gan_loss::GanLoss;
use crate::zoo::{Hyperparameters, ModelKind};

/// One displayed formula of an objective, with the sentence that introduces it.
#[derive(Debug, Clone, PartialEq)]
pub struct Formula {
    /// What the formula is, in words ("The VAE minimises the negative ELBO").
    pub caption: String,
    /// The formula, one `<math>` element.
    pub mathml: String,
}

/// `p_θ(x ∣ conditions)`: the decoder's likelihood.
fn likelihood(conditions: &[String]) -> String {
    let mut arguments = vec![mi("x"), mo("∣")];
    arguments.extend_from_slice(conditions);
    apply(sub(mi("p"), mi("θ")), &arguments)
}

/// `q_φ(z ∣ conditions)`: the encoder's posterior.
fn posterior(conditions: &[String]) -> String {
    let mut arguments = vec![mi("z"), mo("∣")];
    arguments.extend_from_slice(conditions);
    apply(sub(mi("q"), mi("φ")), &arguments)
}

/// `𝒩(0, I)`.
fn standard_normal() -> String {
    apply(mi("𝒩"), &[mn(0), mo(","), mi("I")])
}

/// `−log p`.
fn negative_log(of: String) -> String {
    row(&[mo("−"), upright("log"), of])
}

/// `variable`, followed by `separator` and the class `y` when `conditional`: `x`, `x, y`, `x ∣ y`.
fn with_class(variable: &str, separator: &str, conditional: bool) -> Vec<String> {
    let mut parts = vec![mi(variable)];
    if conditional {
        parts.extend([mo(separator), mi("y")]);
    }
    parts
}

/// The autoencoder: reconstruction error only.
fn autoencoder(settings: &Hyperparameters) -> Vec<Formula> {
    let code = apply(sub(mi("f"), mi("φ")), &[mi("x")]);
    let pixel = |name: &str| sub(mi(name), mi("j"));
    let cross_entropy = row(&[
        mo("−"),
        under_over(mo("∑"), row(&[mi("j"), mo("="), mn(1)]), mn(784)),
        brackets(&[
            pixel("x"),
            upright("log"),
            sub(mi("x̂"), mi("j")),
            mo("+"),
            parens(&[mn(1), mo("−"), pixel("x")]),
            upright("log"),
            parens(&[mn(1), mo("−"), sub(mi("x̂"), mi("j"))]),
        ]),
    ]);
    vec![
        Formula {
            caption: format!(
                "The autoencoder minimises the reconstruction error of each digit x through its code z of {} numbers:",
                settings.latent
            ),
            mathml: block(
                "L of theta and phi equals the expectation over digits of minus log p theta of x given z equals f phi of x",
                &[
                    apply(mi("ℒ"), &[mi("θ"), mo(","), mi("φ")]),
                    mo("="),
                    term(
                        "recon",
                        &[expectation(&[mi("x")], &[negative_log(likelihood(&[mi("z"), mo("="), code]))])],
                    ),
                ],
            ),
        },
        Formula {
            caption: "per image, the Bernoulli cross-entropy of the 784 pixels against the decoder's image x̂ = g_θ(z), in nats:"
                .into(),
            mathml: block(
                "minus log p theta of x given z equals minus the sum over pixels of the binary cross-entropy",
                &[negative_log(likelihood(&[mi("z")])), mo("="), cross_entropy],
            ),
        },
    ]
}

/// The VAE family's negative ELBO, conditioned on the class `y` when `conditional`.
fn negative_elbo(kind: ModelKind, settings: &Hyperparameters) -> Vec<Formula> {
    let conditional = kind.is_conditional();
    let given_x = with_class("x", ",", conditional);
    let given_z = with_class("z", ",", conditional);
    let q = posterior(&given_x);
    let kl = apply(upright("KL"), &[q.clone(), mo("‖"), standard_normal()]);
    let mut formulas = vec![Formula {
        caption: format!(
            "It minimises the negative evidence lower bound (ELBO): reconstruction plus β = {} times the KL \
             divergence of its posterior q_φ from the prior{}:",
            settings.beta,
            if conditional { ", both told the class y" } else { "" }
        ),
        mathml: block(
            "minus ELBO equals the expected reconstruction error plus beta times the KL divergence from the standard normal prior",
            &[
                term("loss", &[mo("−"), apply(upright("ELBO"), &given_x)]),
                mo("="),
                term(
                    "recon",
                    &[expectation(&[q.clone()], &[negative_log(likelihood(&given_z))])],
                ),
                mo("+"),
                mn(settings.beta),
                mo("·"),
                term("kl", &[kl]),
            ],
        ),
    }];
    let k = |name: &str| sub(mi(name), mi("k"));
    formulas.push(Formula {
        caption: format!(
            "q_φ is a Gaussian over {} numbers, sampled by the reparameterisation trick, so its KL term has a closed form:",
            settings.latent
        ),
        mathml: block(
            "z equals mu plus sigma times epsilon, epsilon standard normal; the KL term is half the sum over k of mu k squared plus sigma k squared minus log sigma k squared minus 1",
            &[
                mi("z"),
                mo("="),
                mi("μ"),
                mo("+"),
                mi("σ"),
                mo("⊙"),
                mi("ε"),
                mo(","),
                mspace(),
                mi("ε"),
                mo("∼"),
                standard_normal(),
                mo(","),
                mspace(),
                term(
                    "kl",
                    &[
                        upright("KL"),
                        mo("="),
                        row(&[mn("½"), under_over(mo("∑"), row(&[mi("k"), mo("="), mn(1)]), mn(settings.latent))]),
                        parens(&[
                            sup(k("μ"), mn(2)),
                            mo("+"),
                            sup(k("σ"), mn(2)),
                            mo("−"),
                            upright("log"),
                            sup(k("σ"), mn(2)),
                            mo("−"),
                            mn(1),
                        ]),
                    ],
                ),
            ],
        ),
    });
    if kind == ModelKind::Rvae {
        let gru = |state: &str, input: String| {
            apply(
                upright("GRU"),
                &[sub(mi(state), row(&[mi("r"), mo("−"), mn(1)])), mo(","), input],
            )
        };
        formulas.push(Formula {
            caption: "It reads a digit as 28 rows x_r with a GRU and takes μ and σ from the last state; a second GRU, \
                      fed the code at every step, writes the rows back:"
                .into(),
            mathml: block(
                "h r equals GRU of h r minus 1 and x r; p theta of x given z is the product over the 28 rows of p theta of x r given s r, with s r equal to GRU of s r minus 1 and z",
                &[
                    sub(mi("h"), mi("r")),
                    mo("="),
                    gru("h", sub(mi("x"), mi("r"))),
                    mo(","),
                    mspace(),
                    likelihood(&[mi("z")]),
                    mo("="),
                    under_over(mo("∏"), row(&[mi("r"), mo("="), mn(1)]), mn(28)),
                    apply(
                        sub(mi("p"), mi("θ")),
                        &[sub(mi("x"), mi("r")), mo("∣"), sub(mi("s"), mi("r"))],
                    ),
                    mo(","),
                    mspace(),
                    sub(mi("s"), mi("r")),
                    mo("="),
                    gru("s", mi("z")),
                ],
            ),
        });
    }
    formulas
}

/// `D(x)` (or `D(x ∣ y)`), tied to the curve of the same name.
fn real_score(conditional: bool) -> String {
    term("D(x)", &[apply(mi("D"), &with_class("x", "∣", conditional))])
}

/// `D(G(z))` (or `D(G(z ∣ y) ∣ y)`), tied to the curve of the same name.
fn fake_score(conditional: bool) -> String {
    let mut arguments = vec![apply(mi("G"), &with_class("z", "∣", conditional))];
    if conditional {
        arguments.extend([mo("∣"), mi("y")]);
    }
    term("D(G(z))", &[apply(mi("D"), &arguments)])
}

/// The GAN family: the game, then what each player minimises under `settings.remedies.loss`.
fn adversarial(kind: ModelKind, settings: &Hyperparameters) -> Vec<Formula> {
    let conditional = kind.is_conditional();
    let over_real = with_class("x", ",", conditional);
    let over_noise = vec![mi("z")];
    let (real, fake) = (real_score(conditional), fake_score(conditional));
    let target = 1.0 - settings.label_smoothing;
    let t = || mi("t");
    let loss = settings.remedies.loss;
    let one_minus = |x: String| parens(&[mn(1), mo("−"), x]);
    let (discriminator, generator, source) = match loss {
        GanLoss::NonSaturating => (
            vec![
                mo("−"),
                expectation(
                    &over_real,
                    &[
                        t(),
                        upright("log"),
                        real.clone(),
                        mo("+"),
                        one_minus(t()),
                        upright("log"),
                        one_minus(real.clone()),
                    ],
                ),
                mo("−"),
                expectation(&over_noise, &[upright("log"), one_minus(fake.clone())]),
            ],
            vec![mo("−"), expectation(&over_noise, &[upright("log"), fake.clone()])],
            "the non-saturating generator loss that Goodfellow et al. (2014) use in practice",
        ),
        GanLoss::LeastSquares => (
            vec![
                mn("½"),
                expectation(&over_real, &[sup(parens(&[real.clone(), mo("−"), t()]), mn(2))]),
                mo("+"),
                mn("½"),
                expectation(&over_noise, &[sup(fake.clone(), mn(2))]),
            ],
            vec![
                mn("½"),
                expectation(&over_noise, &[sup(parens(&[fake.clone(), mo("−"), mn(1)]), mn(2))]),
            ],
            "least squares on the raw scores (Mao et al., 2017)",
        ),
        GanLoss::Hinge => (
            vec![
                expectation(
                    &over_real,
                    &[apply(upright("max"), &[mn(0), mo(","), mn(1), mo("−"), real.clone()])],
                ),
                mo("+"),
                expectation(
                    &over_noise,
                    &[apply(upright("max"), &[mn(0), mo(","), mn(1), mo("+"), fake.clone()])],
                ),
            ],
            vec![mo("−"), expectation(&over_noise, &[fake.clone()])],
            "the hinge loss on the raw scores (Lim & Ye, 2017)",
        ),
        GanLoss::Wasserstein => (
            vec![
                expectation(&over_noise, &[fake.clone()]),
                mo("−"),
                expectation(&over_real, &[real.clone()]),
            ],
            vec![mo("−"), expectation(&over_noise, &[fake.clone()])],
            "the Wasserstein critic (Arjovsky et al., 2017), kept 1-Lipschitz by spectral normalisation",
        ),
    };
    let game = block(
        "min over G, max over D, of the expectation of log D of x plus the expectation of log of 1 minus D of G of z",
        &[
            under(upright("min"), mi("G")),
            mspace(),
            under(upright("max"), mi("D")),
            mspace(),
            expectation(&over_real, &[upright("log"), real.clone()]),
            mo("+"),
            expectation(&over_noise, &[upright("log"), one_minus(fake.clone())]),
        ],
    );
    let mut discriminator_parts = vec![term("d_loss", &[sub(mi("ℒ"), mi("D"))]), mo("=")];
    discriminator_parts.extend(discriminator);
    let smoothing_note = if matches!(loss, GanLoss::NonSaturating | GanLoss::LeastSquares) {
        format!(", with real digits' target t = {target} (one-sided label smoothing)")
    } else {
        String::new()
    };
    let mut generator_parts = vec![term("g_loss", &[sub(mi("ℒ"), mi("G"))]), mo("=")];
    generator_parts.extend(generator);
    vec![
        Formula {
            caption: format!(
                "A generator G turns noise z of {} numbers{} into digits; a discriminator D scores digits as real. The \
                 game of Goodfellow et al. (2014):",
                settings.latent,
                if conditional { " and a class y" } else { "" }
            ),
            mathml: game,
        },
        Formula {
            caption: format!(
                "The discriminator minimises this, {} time{} per generator update{smoothing_note}:",
                settings.discriminator_steps,
                if settings.discriminator_steps == 1 { "" } else { "s" }
            ),
            mathml: block("L D, the discriminator's loss", &discriminator_parts),
        },
        Formula {
            caption: format!("The generator minimises {source}:"),
            mathml: block("L G, the generator's loss", &generator_parts),
        },
    ]
}

/// A thin space between the parts of one formula line.
fn mspace() -> String {
    "<mspace width=\"1em\"></mspace>".into()
}

/// The formulas of `kind`'s training objective with `settings`, in reading order.
pub fn objective(kind: ModelKind, settings: &Hyperparameters) -> Vec<Formula> {
    if kind.is_adversarial() {
        adversarial(kind, settings)
    } else if kind.is_variational() {
        negative_elbo(kind, settings)
    } else {
        autoencoder(settings)
    }
}
