//! The page's watch over its training worker, as plain logic over a clock: a heartbeat that
//! notices a worker that is gone (closed, killed, its event loop stuck), and a restart budget
//! so that a worker that breaks again at once is not restarted for ever.

use std::collections::VecDeque;

/// How often the page pings its worker, in milliseconds.
pub const PING_INTERVAL_MS: f64 = 2_000.0;
/// How long a ping may go unanswered before the worker counts as gone. The worker's host answers
/// from its event loop, which a training slice holds for a fraction of a second; a GPU shader
/// compilation does not hold it at all.
pub const SILENCE_LIMIT_MS: f64 = 15_000.0;
/// A check this much later than planned means the page itself was held up (a long task, a
/// throttled background tab): the worker is given a fresh ping rather than blamed.
const PAGE_STALL_MS: f64 = 5_000.0;
/// Restarts allowed within [`RESTART_WINDOW_MS`]; one more and the page gives up.
pub const MAX_RESTARTS: usize = 3;
/// The window of [`MAX_RESTARTS`], in milliseconds.
pub const RESTART_WINDOW_MS: f64 = 120_000.0;

/// What the page does at a heartbeat tick.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Heartbeat {
    /// Send this ping.
    Ping(u64),
    /// A ping is on its way and not yet late: nothing to do.
    Waiting,
    /// The worker has not answered for [`SILENCE_LIMIT_MS`]: it is gone.
    Silent,
}

/// The watch over one page's worker (it carries over from one worker to the next).
#[derive(Debug, Default)]
pub struct Supervisor {
    next_ping: u64,
    /// The ping on its way, and when it was sent.
    outstanding: Option<(u64, f64)>,
    last_tick_ms: Option<f64>,
    /// When the worker was last restarted, oldest first, within the window.
    restarts: VecDeque<f64>,
}

impl Supervisor {
    /// A heartbeat tick at `now_ms`, every [`PING_INTERVAL_MS`].
    pub fn tick(&mut self, now_ms: f64) -> Heartbeat {
        let stalled = self
            .last_tick_ms
            .is_some_and(|last| now_ms - last > PING_INTERVAL_MS + PAGE_STALL_MS);
        self.last_tick_ms = Some(now_ms);
        match self.outstanding {
            Some((_, sent)) if !stalled && now_ms - sent > SILENCE_LIMIT_MS => Heartbeat::Silent,
            Some(_) if !stalled => Heartbeat::Waiting,
            _ => {
                let ping = self.next_ping;
                self.next_ping += 1;
                self.outstanding = Some((ping, now_ms));
                Heartbeat::Ping(ping)
            }
        }
    }

    /// The worker answered `ping` (an older ping's answer counts too: the worker is alive).
    pub fn pong(&mut self, ping: u64) {
        if self.outstanding.is_some_and(|(waiting, _)| ping <= waiting) {
            self.outstanding = None;
        }
    }

    /// Whether the worker may be restarted at `now_ms` (then counted), or has broken too often
    /// of late and the page should give up and say so.
    pub fn may_restart(&mut self, now_ms: f64) -> bool {
        while self.restarts.front().is_some_and(|&at| now_ms - at > RESTART_WINDOW_MS) {
            self.restarts.pop_front();
        }
        if self.restarts.len() >= MAX_RESTARTS {
            return false;
        }
        self.restarts.push_back(now_ms);
        self.outstanding = None;
        true
    }

    /// A new worker started (for another reason than a crash): no ping is owed by it.
    pub fn new_worker(&mut self) {
        self.outstanding = None;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_answered_heartbeat_never_raises_the_alarm() {
        let mut watch = Supervisor::default();
        for tick in 0..100 {
            let now = tick as f64 * PING_INTERVAL_MS;
            match watch.tick(now) {
                Heartbeat::Ping(ping) => watch.pong(ping),
                other => panic!("tick {tick}: {other:?}"),
            }
        }
    }

    #[test]
    fn a_worker_that_stops_answering_is_found_silent_after_the_limit() {
        let mut watch = Supervisor::default();
        assert_eq!(watch.tick(0.0), Heartbeat::Ping(0));
        let mut now = 0.0;
        let mut outcome = Heartbeat::Waiting;
        while outcome == Heartbeat::Waiting {
            now += PING_INTERVAL_MS;
            outcome = watch.tick(now);
        }
        assert_eq!(outcome, Heartbeat::Silent);
        assert!(now > SILENCE_LIMIT_MS && now <= SILENCE_LIMIT_MS + PING_INTERVAL_MS);
        // A late answer to the same ping means it is alive after all.
        watch.pong(0);
        assert_eq!(watch.tick(now + PING_INTERVAL_MS), Heartbeat::Ping(1));
    }

    #[test]
    fn a_page_that_was_held_up_does_not_blame_its_worker() {
        let mut watch = Supervisor::default();
        assert_eq!(watch.tick(0.0), Heartbeat::Ping(0));
        // The page's next tick comes 40 s late (a long task, a hidden tab): a fresh ping.
        assert_eq!(watch.tick(40_000.0), Heartbeat::Ping(1));
        assert_eq!(watch.tick(40_000.0 + PING_INTERVAL_MS), Heartbeat::Waiting);
    }

    #[test]
    fn restarts_are_budgeted_within_a_window() {
        let mut watch = Supervisor::default();
        for i in 0..MAX_RESTARTS {
            assert!(watch.may_restart(i as f64 * 1_000.0));
        }
        assert!(!watch.may_restart(5_000.0), "one too many in the window");
        assert!(
            watch.may_restart(RESTART_WINDOW_MS + 1_500.0),
            "the oldest left the window"
        );
    }
}
