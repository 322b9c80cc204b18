//! The guided tour through the article's comparison: six steps, each a share link that sets up
//! the demo it talks about, so a step is a demo anyone can open, and the tour's text is tested
//! against the links it names. Plain data over [`crate::link`], free of web code.

use crate::eval::compare::MaskKind;
use crate::lab::LabPreset;
use crate::link::{DemoLink, LinkPanel, WeightsChoice};
use crate::train::ModelKind;

/// One step of the tour.
#[derive(Debug, Clone, PartialEq)]
pub struct TourStep {
    /// Its heading.
    pub title: &'static str,
    /// What to do and what to look for, two or three sentences.
    pub text: &'static str,
    /// The demo it opens.
    pub link: DemoLink,
}

/// The tour, in order.
pub fn tour() -> Vec<TourStep> {
    let train = |model: ModelKind, weights: WeightsChoice| DemoLink {
        weights,
        autorun: true,
        ..DemoLink::for_model(model)
    };
    let panel = |panel: LinkPanel| DemoLink {
        panel,
        ..DemoLink::default()
    };
    vec![
        TourStep {
            title: "An autoencoder rebuilds digits",
            text: "It trains as the page opens: within a few hundred steps its reconstructions look like the digits \
                   it was shown. It minimises reconstruction error only, so nothing arranges its codes: keep that \
                   in mind for the next step.",
            link: train(ModelKind::AeMlp, WeightsChoice::Fresh),
        },
        TourStep {
            title: "…but cannot invent them",
            text: "Compare sets every model side by side. Read the autoencoders' row of random samples: codes drawn \
                   from N(0, I) land where nothing was encoded and come out as smudges, while the VAEs' samples are \
                   digits.",
            link: panel(LinkPanel::Compare),
        },
        TourStep {
            title: "A VAE fills its latent space",
            text: "The 2-D VAE's whole latent space on one plane: every point decodes to a digit and the classes \
                   border each other with no holes, because the KL term packs the codes around N(0, I). Point \
                   anywhere to decode there.",
            link: panel(LinkPanel::Explore),
        },
        TourStep {
            title: "A GAN draws sharp digits",
            text: "The pretrained DCGAN loads as the page opens. It never saw a digit, only a discriminator's \
                   verdicts, and its samples are sharper than any VAE's: it is not averaging over what a code could \
                   mean.",
            link: train(ModelKind::Dcgan, WeightsChoice::Pretrained),
        },
        TourStep {
            title: "…and can collapse",
            text: "On a ring of 8 Gaussians, a GAN whose discriminator learns slowly gathers its samples onto a few \
                   modes: watch the generated points and the modes-captured count. The lab's “fixed” preset adds a \
                   minibatch standard deviation feature and keeps the ring.",
            link: DemoLink {
                panel: LinkPanel::Modes,
                lab: LabPreset::WatchItCollapse.settings(),
                autorun: true,
                ..DemoLink::default()
            },
        },
        TourStep {
            title: "Complete half-hidden digits",
            text: "The right half of each held-out digit is hidden and every model fills it in: the encoders by \
                   reconstructing with the left half clamped, the GANs by searching their noise for a digit with \
                   that left half. Change the mask to see which models stay true to what they were shown.",
            link: DemoLink {
                mask: MaskKind::Right,
                ..panel(LinkPanel::Compare)
            },
        },
    ]
}

/// Where a visitor is in the tour, as the page keeps it across visits (and across the page
/// loads that a step's link causes).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TourProgress {
    /// Never opened: the tour opens by itself on a plain visit.
    NotSeen,
    /// Open at this step.
    At(usize),
    /// Skipped or finished: it opens only when asked for.
    Closed,
}

impl TourProgress {
    /// Read from what the page stored (`None`: nothing); anything unreadable counts as
    /// [`TourProgress::Closed`], so a broken value never puts the tour in a visitor's way.
    pub fn read(stored: Option<&str>) -> Self {
        match stored {
            None => Self::NotSeen,
            Some("closed") => Self::Closed,
            Some(step) => match step.parse::<usize>() {
                Ok(step) if step < tour().len() => Self::At(step),
                _ => Self::Closed,
            },
        }
    }

    /// What the page stores.
    pub fn stored(self) -> String {
        match self {
            Self::NotSeen => String::new(),
            Self::At(step) => step.to_string(),
            Self::Closed => "closed".into(),
        }
    }

    /// The step shown when a page opens, with or without a share link in its address: a
    /// first plain visit starts the tour, a link opened mid-tour shows its step, and a link of
    /// someone else's demo is not covered by a tour its visitor never asked for.
    pub fn shown_on_opening(self, opened_with_link: bool) -> Option<usize> {
        match self {
            Self::NotSeen if !opened_with_link => Some(0),
            Self::At(step) => Some(step),
            Self::NotSeen | Self::Closed => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_tour_opens_on_a_first_plain_visit_and_follows_its_own_links() {
        assert_eq!(TourProgress::read(None).shown_on_opening(false), Some(0));
        assert_eq!(TourProgress::read(None).shown_on_opening(true), None);
        for step in 0..tour().len() {
            let progress = TourProgress::At(step);
            assert_eq!(TourProgress::read(Some(&progress.stored())), progress);
            assert_eq!(progress.shown_on_opening(true), Some(step));
        }
        assert_eq!(TourProgress::read(Some("closed")).shown_on_opening(false), None);
        for garbage in ["", "6", "-1", "99999999999999999999999", "<b>"] {
            assert_eq!(TourProgress::read(Some(garbage)), TourProgress::Closed, "{garbage}");
        }
    }

    #[test]
    fn every_step_is_a_link_that_reads_back_as_its_demo() {
        let steps = tour();
        assert_eq!(steps.len(), 6);
        for step in &steps {
            let read = DemoLink::parse(&step.link.to_query());
            assert!(read.ignored.is_empty(), "{}: {:?}", step.title, read.ignored);
            assert_eq!(read.link, step.link, "{}", step.title);
        }
        let panels: Vec<LinkPanel> = steps.iter().map(|s| s.link.panel).collect();
        assert_eq!(
            panels,
            [
                LinkPanel::Train,
                LinkPanel::Compare,
                LinkPanel::Explore,
                LinkPanel::Train,
                LinkPanel::Modes,
                LinkPanel::Compare
            ]
        );
        let queries: std::collections::HashSet<String> = steps.iter().map(|s| s.link.to_query()).collect();
        assert_eq!(queries.len(), steps.len(), "every step opens a demo of its own");
        assert_eq!(steps[3].link.weights, WeightsChoice::Pretrained);
        assert_eq!(steps[4].link.lab, LabPreset::WatchItCollapse.settings());
    }
}
