//! Dates as investigators know them: a year, a month, or a day.
//!
//! A rifle "recovered in July 2016" is `2016-07`; one whose recovery day is known is
//! `2016-07-14`. Partial dates order before the full dates they contain (`2016-07` <
//! `2016-07-01`), and only full dates take part in day arithmetic such as the time to
//! diversion.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// `YYYY`, `YYYY-MM` or `YYYY-MM-DD`, each part checked against the calendar.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PartialDate {
    year: i16,
    month: Option<u8>,
    day: Option<u8>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("is not a date: use YYYY, YYYY-MM or YYYY-MM-DD (e.g. 2016, 2016-07, 2016-07-14)")]
pub struct BadDate;

/// Years accepted anywhere in armtrace.
pub const YEARS: std::ops::RangeInclusive<i16> = 1800..=2100;

impl PartialDate {
    pub fn year_only(year: i16) -> Result<Self, BadDate> {
        Self::new(year, None, None)
    }

    pub fn ymd(year: i16, month: u8, day: u8) -> Result<Self, BadDate> {
        Self::new(year, Some(month), Some(day))
    }

    pub fn new(year: i16, month: Option<u8>, day: Option<u8>) -> Result<Self, BadDate> {
        if !YEARS.contains(&year) {
            return Err(BadDate);
        }
        match (month, day) {
            (None, Some(_)) => return Err(BadDate),
            (Some(m), _) if !(1..=12).contains(&m) => return Err(BadDate),
            (Some(m), Some(d)) if d == 0 || d > days_in_month(year, m) => return Err(BadDate),
            _ => {}
        }
        Ok(PartialDate { year, month, day })
    }

    pub fn year(&self) -> i16 {
        self.year
    }

    pub fn month(&self) -> Option<u8> {
        self.month
    }

    pub fn day(&self) -> Option<u8> {
        self.day
    }

    /// True when year, month and day are all known.
    pub fn is_full(&self) -> bool {
        self.day.is_some()
    }

    /// Days since 1970-01-01 for a full date.
    pub fn epoch_days(&self) -> Option<i64> {
        Some(days_from_civil(
            self.year as i64,
            self.month? as i64,
            self.day? as i64,
        ))
    }

    /// `later − self` in days, when both are full dates.
    pub fn days_until(&self, later: &PartialDate) -> Option<i64> {
        Some(later.epoch_days()? - self.epoch_days()?)
    }

    /// The inverse of [`PartialDate::epoch_days`].
    pub fn from_epoch_days(days: i64) -> Self {
        let (y, m, d) = civil_from_days(days);
        PartialDate {
            year: y as i16,
            month: Some(m as u8),
            day: Some(d as u8),
        }
    }
}

fn is_leap(year: i16) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

fn days_in_month(year: i16, month: u8) -> u8 {
    match month {
        2 if is_leap(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

// Howard Hinnant's days-from-civil algorithm (proleptic Gregorian).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146097 + doe - 719468
}

fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719468;
    let era = z.div_euclid(146097);
    let doe = z - era * 146097;
    let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

impl FromStr for PartialDate {
    type Err = BadDate;

    fn from_str(s: &str) -> Result<Self, BadDate> {
        let s = s.trim();
        // A spreadsheet's date-time ("2016-07-14T00:00:00", "2016-07-14 00:00:00Z") keeps
        // its date; any other trailing text ("2016 or 2017") is an error, never dropped.
        let s = match s.split_once(['T', ' ']) {
            Some((date, time)) if date.len() == 10 && is_time(time) => date,
            Some(_) => return Err(BadDate),
            None => s,
        };
        let mut parts = s.split('-');
        let number = |p: Option<&str>, len: usize| -> Result<Option<u16>, BadDate> {
            match p {
                None => Ok(None),
                Some(p) if p.len() == len && p.bytes().all(|b| b.is_ascii_digit()) => {
                    Ok(Some(p.parse().map_err(|_| BadDate)?))
                }
                Some(_) => Err(BadDate),
            }
        };
        let year = number(parts.next(), 4)?.ok_or(BadDate)?;
        let month = number(parts.next(), 2)?;
        let day = number(parts.next(), 2)?;
        if parts.next().is_some() {
            return Err(BadDate);
        }
        PartialDate::new(year as i16, month.map(|m| m as u8), day.map(|d| d as u8))
    }
}

/// `HH:MM`, `HH:MM:SS`, with optional fraction and `Z`: the time part of a date-time.
fn is_time(t: &str) -> bool {
    let t = t.strip_suffix('Z').unwrap_or(t);
    let (hms, fraction) = t.split_once('.').unwrap_or((t, "0"));
    let parts: Vec<&str> = hms.split(':').collect();
    (2..=3).contains(&parts.len())
        && parts
            .iter()
            .all(|p| p.len() == 2 && p.bytes().all(|b| b.is_ascii_digit()))
        && !fraction.is_empty()
        && fraction.bytes().all(|b| b.is_ascii_digit())
}

impl fmt::Display for PartialDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}", self.year)?;
        if let Some(m) = self.month {
            write!(f, "-{m:02}")?;
        }
        if let Some(d) = self.day {
            write!(f, "-{d:02}")?;
        }
        Ok(())
    }
}

impl fmt::Debug for PartialDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PartialDate({self})")
    }
}

impl Serialize for PartialDate {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for PartialDate {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse()
            .map_err(|e| serde::de::Error::custom(format!("{s:?} {e}")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn parses_the_three_precisions() {
        for s in ["2016", "2016-07", "2016-07-14", "2000-02-29"] {
            assert_eq!(s.parse::<PartialDate>().unwrap().to_string(), s);
        }
        for s in [
            "2016-07-14T00:00:00",
            "2016-07-14 00:00",
            "2016-07-14T08:30:00.000Z",
        ] {
            assert_eq!(
                s.parse::<PartialDate>().unwrap().to_string(),
                "2016-07-14",
                "{s}"
            );
        }
    }

    #[test]
    fn rejects_impossible_dates() {
        for s in [
            "",
            "16",
            "2016-7",
            "2016-13",
            "2016-00",
            "1900-02-29",
            "2015-02-29",
            "2016-04-31",
            "14/07/2016",
            "2016-07-14-01",
            "1700",
            "abcd",
            "2016 or 2017",
            "2016T99",
            "2016-07-14 to 2016-07-20",
            "2016-07 12:00",
        ] {
            assert!(s.parse::<PartialDate>().is_err(), "{s}");
        }
    }

    #[test]
    fn partial_orders_before_contained_full_dates() {
        let p = |s: &str| s.parse::<PartialDate>().unwrap();
        assert!(p("2016") < p("2016-01"));
        assert!(p("2016-07") < p("2016-07-01"));
        assert!(p("2016-07-31") < p("2016-08"));
    }

    #[test]
    fn day_arithmetic() {
        let p = |s: &str| s.parse::<PartialDate>().unwrap();
        assert_eq!(p("2015-01-01").days_until(&p("2015-03-01")), Some(59));
        assert_eq!(p("2016-01-01").days_until(&p("2016-03-01")), Some(60));
        assert_eq!(p("2016-07").days_until(&p("2016-08-01")), None);
        assert_eq!(p("1970-01-01").epoch_days(), Some(0));
    }

    proptest! {
        #[test]
        fn epoch_days_round_trip(days in -60000i64..47000) {
            let d = PartialDate::from_epoch_days(days);
            prop_assert_eq!(d.epoch_days(), Some(days));
            prop_assert_eq!(d.to_string().parse::<PartialDate>().unwrap(), d);
        }
    }
}
