//! Keyboard operation of what the panels let a user point at: the Draw panel's pad (a pen the
//! arrow keys move and Space puts down or lifts) and the Explore panel's latent plane (a point
//! the arrow keys move). Plain logic, in the surfaces' own pixel coordinates (y pointing down),
//! so the app only maps keys in and draws what comes out.

/// A point on a square surface from 0 to `side` on both axes, moved by the arrow keys in steps of
/// `step` (with Shift, a fifth of it), never off the surface.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct KeyPoint {
    /// Across, from the left edge.
    pub x: f64,
    /// Down, from the top edge.
    pub y: f64,
    side: f64,
    step: f64,
}

impl KeyPoint {
    /// A point at the centre of a surface `side` across, moving `step` a key press.
    pub fn centred(side: f64, step: f64) -> Self {
        Self {
            x: side / 2.0,
            y: side / 2.0,
            side,
            step,
        }
    }

    /// Moves the point for `key` (a `KeyboardEvent.key`; `fine` when Shift is held); `Home`
    /// brings it back to the centre. Returns whether the key was one of these.
    pub fn on_key(&mut self, key: &str, fine: bool) -> bool {
        let step = if fine { self.step / 5.0 } else { self.step };
        let (dx, dy) = match key {
            "ArrowLeft" => (-step, 0.0),
            "ArrowRight" => (step, 0.0),
            "ArrowUp" => (0.0, -step),
            "ArrowDown" => (0.0, step),
            "Home" => {
                (self.x, self.y) = (self.side / 2.0, self.side / 2.0);
                return true;
            }
            _ => return false,
        };
        self.x = (self.x + dx).clamp(0.0, self.side);
        self.y = (self.y + dy).clamp(0.0, self.side);
        true
    }
}

/// What a key press does to a drawing.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum PenAction {
    /// Nothing: not a key the pen uses.
    Ignored,
    /// The pen moved while up: nothing is drawn.
    Moved,
    /// The pen went down here: a new stroke starts.
    StrokeStarted(f64, f64),
    /// The pen moved while down: the stroke goes on to here.
    StrokeExtended(f64, f64),
    /// The pen was lifted: the stroke is finished.
    Lifted,
}

/// A pen on the Draw pad for the keyboard: the arrow keys move it, Space or Enter puts it down
/// (starting a stroke) and lifts it again, Escape lifts it; moving it while down draws.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct KeyboardPen {
    /// Where the pen is.
    pub at: KeyPoint,
    /// Whether it is down, drawing.
    pub down: bool,
}

impl KeyboardPen {
    /// A lifted pen at the centre of a pad `side` across, moving `step` a key press.
    pub fn new(side: f64, step: f64) -> Self {
        Self {
            at: KeyPoint::centred(side, step),
            down: false,
        }
    }

    /// What `key` (with Shift held: `fine`) does.
    pub fn on_key(&mut self, key: &str, fine: bool) -> PenAction {
        match key {
            " " | "Enter" if !self.down => {
                self.down = true;
                PenAction::StrokeStarted(self.at.x, self.at.y)
            }
            " " | "Enter" | "Escape" if self.down => {
                self.down = false;
                PenAction::Lifted
            }
            _ if self.at.on_key(key, fine) => match self.down {
                true => PenAction::StrokeExtended(self.at.x, self.at.y),
                false => PenAction::Moved,
            },
            _ => PenAction::Ignored,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arrows_move_the_point_in_steps_and_never_off_the_surface() {
        let mut point = KeyPoint::centred(100.0, 10.0);
        assert!(point.on_key("ArrowRight", false));
        assert!(point.on_key("ArrowUp", true));
        assert_eq!((point.x, point.y), (60.0, 48.0));
        for _ in 0..20 {
            point.on_key("ArrowLeft", false);
            point.on_key("ArrowDown", false);
        }
        assert_eq!((point.x, point.y), (0.0, 100.0));
        assert!(point.on_key("Home", false));
        assert_eq!((point.x, point.y), (50.0, 50.0));
        assert!(!point.on_key("a", false));
        assert_eq!((point.x, point.y), (50.0, 50.0));
    }

    #[test]
    fn the_pen_draws_only_while_down() {
        let mut pen = KeyboardPen::new(280.0, 10.0);
        assert_eq!(pen.on_key("ArrowLeft", false), PenAction::Moved);
        assert_eq!(pen.on_key(" ", false), PenAction::StrokeStarted(130.0, 140.0));
        assert_eq!(pen.on_key("ArrowDown", false), PenAction::StrokeExtended(130.0, 150.0));
        assert_eq!(pen.on_key("ArrowDown", true), PenAction::StrokeExtended(130.0, 152.0));
        assert_eq!(pen.on_key("Enter", false), PenAction::Lifted);
        assert_eq!(pen.on_key("ArrowRight", false), PenAction::Moved);
        assert_eq!(pen.on_key("Escape", false), PenAction::Ignored);
        assert_eq!(pen.on_key("Enter", false), PenAction::StrokeStarted(140.0, 152.0));
        assert_eq!(pen.on_key("Escape", false), PenAction::Lifted);
        assert_eq!(pen.on_key("x", false), PenAction::Ignored);
        assert!(!pen.down);
    }
}
