//! The pure core of armtrace: what a documented item *is*, and everything that can be
//! computed from items without touching a disk, a database or a network.
//!
//! Everything here takes values and returns values. The store loads and saves them,
//! the CLI and the web application print and serve them. Keeping this crate free of
//! I/O is what lets the search index, the linker and the statistics be tested with a
//! plain vector and reused unchanged by every adapter.
//!
//! ```
//! use armtrace_core::{serial, CountryCode, PartialDate};
//!
//! assert_eq!(serial::normalise("ab-12 O7"), "A81207");
//! assert_eq!(CountryCode::parse("USSR").unwrap().as_str(), "SU");
//! assert_eq!("2016-07".parse::<PartialDate>().unwrap().to_string(), "2016-07");
//! ```

pub mod access;
pub mod analytics;
pub mod audit;
pub mod borders;
pub mod candidates;
pub mod country;
pub mod custody;
pub mod date;
pub mod demo;
pub mod field;
pub mod identify;
pub mod item;
pub mod link;
pub mod search;
pub mod serial;
pub mod sipri;
pub mod text;
pub mod trace;
pub mod transfer;

#[cfg(any(test, feature = "fixtures"))]
pub mod fixtures;
#[cfg(test)]
mod test_cases;

pub use access::{Clearance, Role};
pub use country::{Country, CountryCode};
pub use date::PartialDate;
pub use field::{FieldError, RowError};
pub use item::{
    Category, Confidentiality, FieldText, FieldValue, ITEM_FIELD_COUNT, ITEM_FIELDS, Item, RawItem,
};
pub use transfer::{
    Confidence, RawTransfer, TRANSFER_FIELD_COUNT, TRANSFER_FIELDS, Transfer, TransferSource,
};
