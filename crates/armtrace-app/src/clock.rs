//! The application's clock: today and this year, the only place the front ends and the
//! application read the time of day for domain decisions (the core takes them as
//! parameters and has no clock).

use armtrace_core::PartialDate;

/// This year, the reference for two-digit years in markings.
pub fn this_year() -> i16 {
    jiff::Zoned::now().year()
}

/// Today, for due dates and trace-request steps.
pub fn today() -> PartialDate {
    let now = jiff::Zoned::now();
    PartialDate::ymd(now.year(), now.month() as u8, now.day() as u8).expect("today is a date")
}
