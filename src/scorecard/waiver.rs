//! Waivers: an entity may exempt itself from one rule of one scorecard for a while, with an
//! annotation `idp-tui.dev/exempt.<scorecard>.<rule>: "<reason> until YYYY-MM-DD"`.

use std::fmt;

/// The prefix of waiver annotations.
pub const WAIVER_PREFIX: &str = "idp-tui.dev/exempt.";

/// A calendar date (UTC), as waivers write it: `2026-03-31`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date {
    /// The year.
    pub year: i32,
    /// The month, 1 to 12.
    pub month: u8,
    /// The day of the month, 1 to 31.
    pub day: u8,
}

impl Date {
    /// A date, when it exists in the calendar.
    pub fn new(year: i32, month: u8, day: u8) -> Option<Date> {
        let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
        let days = match month {
            1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
            4 | 6 | 9 | 11 => 30,
            2 if leap => 29,
            2 => 28,
            _ => return None,
        };
        (1..=days)
            .contains(&day)
            .then_some(Date { year, month, day })
    }

    /// Parses `YYYY-MM-DD`.
    pub fn parse(s: &str) -> Option<Date> {
        let mut parts = s.split('-');
        let (y, m, d) = (parts.next()?, parts.next()?, parts.next()?);
        if parts.next().is_some()
            || y.len() != 4
            || m.len() != 2
            || d.len() != 2
            || ![y, m, d]
                .iter()
                .all(|p| p.bytes().all(|b| b.is_ascii_digit()))
        {
            return None;
        }
        Date::new(y.parse().ok()?, m.parse().ok()?, d.parse().ok()?)
    }

    /// Today in UTC, from the system clock.
    pub fn today() -> Date {
        let secs = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        Date::from_days_since_epoch((secs / 86_400) as i64)
    }

    /// The number of days from 1970-01-01 to this date (negative before it): the inverse of
    /// [`Date::from_days_since_epoch`], so dates can be subtracted and shifted.
    pub fn days_since_epoch(self) -> i64 {
        let month = i64::from(self.month);
        let year = i64::from(self.year) - i64::from(month <= 2);
        let era = year.div_euclid(400);
        let yoe = year.rem_euclid(400);
        let mp = (month + 9) % 12;
        let doy = (153 * mp + 2) / 5 + i64::from(self.day) - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        era * 146_097 + doe - 719_468
    }

    /// The date `days` days later (earlier when negative).
    pub fn add_days(self, days: i64) -> Date {
        Date::from_days_since_epoch(self.days_since_epoch() + days)
    }

    /// Days from `earlier` to this date: 1 from Monday to Tuesday, negative when `earlier` is
    /// later.
    pub fn days_after(self, earlier: Date) -> i64 {
        self.days_since_epoch() - earlier.days_since_epoch()
    }

    /// The date `days` days after 1970-01-01 (Howard Hinnant's civil-from-days algorithm).
    pub fn from_days_since_epoch(days: i64) -> Date {
        let z = days + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z.rem_euclid(146_097);
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let day = (doy - (153 * mp + 2) / 5 + 1) as u8;
        let month = if mp < 10 { mp + 3 } else { mp - 9 } as u8;
        let year = (yoe + era * 400 + i64::from(month <= 2)) as i32;
        Date { year, month, day }
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

/// A waiver read from an annotation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Waiver {
    /// Valid until (and including) the date.
    Valid {
        /// Why the rule does not apply.
        reason: String,
        /// The last day it applies.
        until: Date,
    },
    /// Its date has passed.
    Expired {
        /// Why the rule did not apply.
        reason: String,
        /// The last day it applied.
        until: Date,
    },
    /// Not of the form `<reason> until YYYY-MM-DD`.
    Malformed {
        /// The annotation's value.
        value: String,
    },
}

impl Waiver {
    /// Reads a waiver annotation's value as of `today`.
    pub fn parse(value: &str, today: Date) -> Waiver {
        let malformed = || Waiver::Malformed {
            value: value.to_string(),
        };
        let Some((reason, date)) = value.trim().rsplit_once(" until ") else {
            return malformed();
        };
        let reason = crate::text::one_line(reason);
        let Some(until) = Date::parse(date.trim()) else {
            return malformed();
        };
        if reason.is_empty() {
            return malformed();
        }
        if until >= today {
            Waiver::Valid { reason, until }
        } else {
            Waiver::Expired { reason, until }
        }
    }

    /// The annotation key that waives `rule` of `scorecard`.
    pub fn key(scorecard: &str, rule: &str) -> String {
        format!("{WAIVER_PREFIX}{scorecard}.{rule}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Date {
        Date::parse(s).unwrap()
    }

    #[test]
    fn dates_parse_only_when_they_exist() {
        assert_eq!(d("2026-02-28").to_string(), "2026-02-28");
        assert!(Date::parse("2024-02-29").is_some());
        for bad in [
            "2026-02-29",
            "2026-13-01",
            "2026-00-10",
            "2026-1-1",
            "26-01-01",
            "2026-01-32",
            "2026/01/01",
            "2026-01-01-01",
            "",
        ] {
            assert_eq!(Date::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn days_since_epoch_give_the_civil_date() {
        assert_eq!(Date::from_days_since_epoch(0), d("1970-01-01"));
        assert_eq!(Date::from_days_since_epoch(19_782), d("2024-02-29"));
        assert_eq!(Date::from_days_since_epoch(20_454), d("2026-01-01"));
        assert!(Date::today() > d("2024-01-01"));
    }

    #[test]
    fn days_since_epoch_inverts_the_civil_date() {
        for s in [
            "1970-01-01",
            "2024-02-29",
            "2026-12-07",
            "2000-03-01",
            "1969-12-31",
        ] {
            assert_eq!(
                Date::from_days_since_epoch(d(s).days_since_epoch()),
                d(s),
                "{s}"
            );
        }
        assert_eq!(d("2026-01-01").days_since_epoch(), 20_454);
        assert_eq!(d("2027-01-01").days_after(d("2026-12-07")), 25);
        assert_eq!(d("2024-02-28").add_days(2), d("2024-03-01"));
        assert_eq!(d("2026-01-01").add_days(-1), d("2025-12-31"));
    }

    #[test]
    fn a_waiver_is_valid_through_its_last_day() {
        let w = |today| Waiver::parse("migrating to opsgenie until 2026-03-31", d(today));
        assert_eq!(
            w("2026-03-31"),
            Waiver::Valid {
                reason: "migrating to opsgenie".into(),
                until: d("2026-03-31")
            }
        );
        assert!(matches!(w("2026-04-01"), Waiver::Expired { .. }));
    }

    #[test]
    fn waivers_without_reason_or_date_are_malformed() {
        let today = d("2026-01-01");
        for bad in [
            "until 2026-05-01",
            " until 2026-05-01",
            "no date here",
            "reason until tomorrow",
            "reason until 2026-02-30",
            "",
        ] {
            assert!(
                matches!(Waiver::parse(bad, today), Waiver::Malformed { .. }),
                "{bad:?}"
            );
        }
    }
}
