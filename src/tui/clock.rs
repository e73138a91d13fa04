//! The portal's clock. `update` reads the time once per action into the app ([`Clock::read`]);
//! render, scoring and the search's load pacing use that reading, so a frame is a pure function
//! of the state and tests choose the time ([`Clock::fixed`], [`Clock::advance`]) instead of
//! waiting on the wall.

use crate::scorecard::Date;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// The time as the app last read it, from the system or fixed by a test.
#[derive(Debug, Clone, Copy)]
pub struct Clock {
    /// True when the clock only moves through [`Clock::advance`].
    fixed: bool,
    /// Wall time (ages, "today").
    now: SystemTime,
    /// Monotonic time (intervals).
    instant: Instant,
}

impl Clock {
    /// The system clock: every [`Clock::read`] takes the current time.
    pub fn system() -> Self {
        Clock {
            fixed: false,
            now: SystemTime::now(),
            instant: Instant::now(),
        }
    }

    /// A clock stopped at `now`, moved only by [`Clock::advance`]: what tests use.
    pub fn fixed(now: SystemTime) -> Self {
        Clock {
            fixed: true,
            now,
            instant: Instant::now(),
        }
    }

    /// Takes the current time, unless the clock is fixed.
    pub fn read(&mut self) {
        if !self.fixed {
            self.now = SystemTime::now();
            self.instant = Instant::now();
        }
    }

    /// Moves the clock forward (a fixed clock's only way to move).
    pub fn advance(&mut self, by: Duration) {
        self.now += by;
        self.instant += by;
    }

    /// The wall time of the last reading.
    pub fn now(&self) -> SystemTime {
        self.now
    }

    /// The monotonic time of the last reading.
    pub fn instant(&self) -> Instant {
        self.instant
    }

    /// The day of the last reading, in UTC.
    pub fn today(&self) -> Date {
        let secs = self
            .now
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        Date::from_days_since_epoch((secs / 86_400) as i64)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_fixed_clock_moves_only_when_advanced() {
        let start = UNIX_EPOCH + Duration::from_secs(86_400 * 365);
        let mut clock = Clock::fixed(start);
        let before = clock.instant();
        clock.read();
        assert_eq!(clock.now(), start);
        assert_eq!(clock.instant(), before);
        clock.advance(Duration::from_secs(86_400));
        assert_eq!(clock.now(), start + Duration::from_secs(86_400));
        assert_eq!(clock.instant() - before, Duration::from_secs(86_400));
        assert_eq!(clock.today(), Date::from_days_since_epoch(366));
    }

    #[test]
    fn the_system_clock_moves_on_each_reading() {
        let mut clock = Clock::system();
        let first = clock.instant();
        std::thread::sleep(Duration::from_millis(2));
        clock.read();
        assert!(clock.instant() > first);
    }
}
