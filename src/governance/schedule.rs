//! An initiative's calendar: start, deadline and milestones, and the status they give a
//! progress on a given day (OpsLevel's campaign states: draft, scheduled, in progress, delayed,
//! done). Every function takes "today" as an argument, so the date logic is tested with any
//! clock.

use crate::scorecard::Date;
use std::fmt;

/// Where an initiative stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, clap::ValueEnum)]
pub enum Status {
    /// Written but not published (`draft: true`): shown, never counted as late.
    Draft,
    /// Published, but its start date is still ahead.
    Scheduled,
    /// Running, and at or ahead of the path to the deadline.
    InProgress,
    /// Behind the path to the deadline (or a milestone), or past the deadline unfinished.
    Delayed,
    /// Every entity in scope meets the target.
    Done,
}

impl Status {
    /// The status as the CLI and JSON write it: `in progress`, `delayed`, …
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Draft => "draft",
            Status::Scheduled => "scheduled",
            Status::InProgress => "in progress",
            Status::Delayed => "delayed",
            Status::Done => "done",
        }
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl serde::Serialize for Status {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

/// Days left in words, as every front end writes them: `25 days left`, `due today`,
/// `3 days overdue`.
pub fn days_text(days: i64) -> String {
    match days {
        0 => "due today".into(),
        1 => "1 day left".into(),
        d if d > 0 => format!("{d} days left"),
        -1 => "1 day overdue".into(),
        d => format!("{} days overdue", -d),
    }
}

/// A checkpoint on the way: `percent` of the entities in scope meet the target by the end of
/// `date`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Milestone {
    /// The last day of the milestone.
    pub date: Date,
    /// The share expected by then, 0 to 100.
    pub percent: f64,
}

/// When an initiative runs.
#[derive(Debug, Clone, PartialEq)]
pub struct Schedule {
    /// Not published yet.
    pub draft: bool,
    /// The first day.
    pub start: Date,
    /// The last day: the target must be met by the end of it.
    pub deadline: Date,
    /// Checkpoints between start and deadline, in date order.
    pub milestones: Vec<Milestone>,
}

impl Schedule {
    /// Days from today to the deadline: 0 on the deadline itself, negative once it has passed.
    pub fn days_left(&self, today: Date) -> i64 {
        self.deadline.days_after(today)
    }

    /// The share (0 to 1) of entities expected to meet the target at the start of `today`:
    /// a straight line from 0 at the start to 1 at the end of the deadline, bent through each
    /// milestone (which is due at the end of its day).
    pub fn expected_share(&self, today: Date) -> f64 {
        // Points are (day, share) at the start of a day, so "by the end of D" is D + 1.
        let mut points = vec![(self.start.days_since_epoch(), 0.0)];
        for m in &self.milestones {
            points.push((m.date.days_since_epoch() + 1, m.percent / 100.0));
        }
        points.push((self.deadline.days_since_epoch() + 1, 1.0));
        let t = today.days_since_epoch();
        if t <= points[0].0 {
            return 0.0;
        }
        for pair in points.windows(2) {
            let ((d0, s0), (d1, s1)) = (pair[0], pair[1]);
            if t <= d1 {
                if d1 <= d0 {
                    return s1;
                }
                return s0 + (s1 - s0) * (t - d0) as f64 / (d1 - d0) as f64;
            }
        }
        1.0
    }

    /// The status of a progress of `passing` out of `total` entities on `today`. A draft stays
    /// a draft, before the start it is scheduled, with every entity passing it is done (an
    /// initiative whose scope is empty has nothing left to do), and otherwise it is delayed
    /// when behind the expected share — which after the deadline is all of them.
    pub fn status(&self, passing: usize, total: usize, today: Date) -> Status {
        if self.draft {
            Status::Draft
        } else if today < self.start {
            Status::Scheduled
        } else if passing >= total {
            Status::Done
        } else if (passing as f64) < self.expected_share(today) * total as f64 - 1e-9 {
            Status::Delayed
        } else {
            Status::InProgress
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Date {
        Date::parse(s).unwrap()
    }

    /// January 2027: 31 days from the 1st to the 31st.
    fn january() -> Schedule {
        Schedule {
            draft: false,
            start: d("2027-01-01"),
            deadline: d("2027-01-31"),
            milestones: Vec::new(),
        }
    }

    #[test]
    fn the_path_rises_linearly_to_the_end_of_the_deadline() {
        let s = january();
        assert_eq!(s.expected_share(d("2026-12-31")), 0.0);
        assert_eq!(s.expected_share(d("2027-01-01")), 0.0);
        assert!((s.expected_share(d("2027-01-16")) - 15.0 / 31.0).abs() < 1e-9);
        assert!((s.expected_share(d("2027-01-31")) - 30.0 / 31.0).abs() < 1e-9);
        assert_eq!(s.expected_share(d("2027-02-01")), 1.0);
        assert_eq!(s.expected_share(d("2030-01-01")), 1.0);
    }

    #[test]
    fn behind_the_path_is_delayed_and_on_it_is_in_progress() {
        let s = january();
        // Half-way through (day 16 of 31, 15 days elapsed): 15/31 expected.
        assert_eq!(s.status(5, 10, d("2027-01-16")), Status::InProgress);
        assert_eq!(s.status(4, 10, d("2027-01-16")), Status::Delayed);
        assert_eq!(s.status(0, 10, d("2027-01-01")), Status::InProgress);
    }

    #[test]
    fn on_the_deadline_day_there_is_still_time_and_after_it_there_is_none() {
        let s = january();
        assert_eq!(s.days_left(d("2027-01-31")), 0);
        assert_eq!(s.status(97, 100, d("2027-01-31")), Status::InProgress);
        assert_eq!(s.status(96, 100, d("2027-01-31")), Status::Delayed);
        assert_eq!(s.days_left(d("2027-02-01")), -1);
        assert_eq!(s.status(99, 100, d("2027-02-01")), Status::Delayed);
        assert_eq!(s.status(100, 100, d("2027-02-01")), Status::Done);
    }

    #[test]
    fn a_milestone_bends_the_path() {
        let mut s = january();
        s.milestones = vec![Milestone {
            date: d("2027-01-05"),
            percent: 80.0,
        }];
        // By the end of the 5th, 80%: on the 6th, 7 of 10 is behind, 8 is on it.
        assert_eq!(s.status(7, 10, d("2027-01-06")), Status::Delayed);
        assert_eq!(s.status(8, 10, d("2027-01-06")), Status::InProgress);
        // On the milestone day itself the line is at 4/5 of the way to 80%.
        assert!((s.expected_share(d("2027-01-05")) - 0.64).abs() < 1e-9);
        // After it, the line runs from 80% to 100% at the deadline.
        assert!((s.expected_share(d("2027-01-19")) - 0.9).abs() < 1e-9);
    }

    #[test]
    fn drafts_and_scheduled_initiatives_are_never_late() {
        let mut s = january();
        assert_eq!(s.status(0, 10, d("2026-12-31")), Status::Scheduled);
        assert_eq!(s.status(10, 10, d("2026-12-31")), Status::Scheduled);
        s.draft = true;
        assert_eq!(s.status(0, 10, d("2028-01-01")), Status::Draft);
    }

    #[test]
    fn everything_passing_is_done_even_before_the_deadline() {
        assert_eq!(january().status(3, 3, d("2027-01-02")), Status::Done);
        assert_eq!(january().status(0, 0, d("2027-01-02")), Status::Done);
    }
}
