//! What a statistic asks: the fields to group by, the `--where` filters and the weight,
//! parsed from what a user typed into values that cannot be wrong.
//!
//! A filter `FIELD=VALUE` keeps exactly the rows that grouping by `FIELD` puts in the
//! group of `VALUE`, read the way the CLI's item filters read it: countries through
//! [`CountryCode::parse`] (`Russia`, `RUS` and `RU` are one country), categories and
//! levels by name, text case- and space-insensitively ([`fold`]), and `null` or an empty
//! value for "missing". Filters on different fields must all hold; several filters on
//! the same field are alternatives (`--where category=weapon --where
//! category=ammunition` keeps both), since a row has only one value per field.

use std::fmt;

use serde::Serialize;

use super::columns::{Column, Key};
use crate::country::CountryCode;
use crate::date::{PartialDate, YEARS};
use crate::item::{Category, Confidentiality};
use crate::text::fold;

/// A field statistics can group by or filter on: an item field, or one derived from one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum StatField {
    Category,
    ItemType,
    Model,
    Calibre,
    Manufacturer,
    CountryOfManufacture,
    YearOfManufacture,
    LotNumber,
    Quantity,
    RecoveredOn,
    RecoveredCountry,
    RecoveredPlace,
    RecoveredFrom,
    DocumentedBy,
    Confidentiality,
    /// `"1990s"`, from `year_of_manufacture`.
    Decade,
    /// The year of `recovered_on` (known for every recovery date, even a year alone).
    RecoveredYear,
    /// `"2016-07"`, from `recovered_on`; missing when the date gives only a year.
    RecoveredMonth,
}

/// Item fields that are not statistics fields, and why.
const NOT_GROUPABLE: [(&str, &str); 6] = [
    ("ref", "identifies a single item"),
    (
        "serial_number",
        "identifies a single item (use `armtrace search`)",
    ),
    ("markings", "is free text"),
    ("notes", "is free text"),
    (
        "latitude",
        "is a coordinate (group by recovered_place or recovered_country)",
    ),
    (
        "longitude",
        "is a coordinate (group by recovered_place or recovered_country)",
    ),
];

impl StatField {
    pub const ALL: [StatField; 18] = [
        StatField::Category,
        StatField::ItemType,
        StatField::Model,
        StatField::Calibre,
        StatField::Manufacturer,
        StatField::CountryOfManufacture,
        StatField::YearOfManufacture,
        StatField::LotNumber,
        StatField::Quantity,
        StatField::RecoveredOn,
        StatField::RecoveredCountry,
        StatField::RecoveredPlace,
        StatField::RecoveredFrom,
        StatField::DocumentedBy,
        StatField::Confidentiality,
        StatField::Decade,
        StatField::RecoveredYear,
        StatField::RecoveredMonth,
    ];

    /// The field's name, as typed and as printed in keys.
    pub fn name(&self) -> &'static str {
        match self {
            StatField::Category => "category",
            StatField::ItemType => "item_type",
            StatField::Model => "model",
            StatField::Calibre => "calibre",
            StatField::Manufacturer => "manufacturer",
            StatField::CountryOfManufacture => "country_of_manufacture",
            StatField::YearOfManufacture => "year_of_manufacture",
            StatField::LotNumber => "lot_number",
            StatField::Quantity => "quantity",
            StatField::RecoveredOn => "recovered_on",
            StatField::RecoveredCountry => "recovered_country",
            StatField::RecoveredPlace => "recovered_place",
            StatField::RecoveredFrom => "recovered_from",
            StatField::DocumentedBy => "documented_by",
            StatField::Confidentiality => "confidentiality",
            StatField::Decade => "decade",
            StatField::RecoveredYear => "recovered_year",
            StatField::RecoveredMonth => "recovered_month",
        }
    }

    /// The allowed names, for error messages.
    pub fn choices() -> String {
        StatField::ALL
            .iter()
            .map(|f| f.name())
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// Reads a field name (case-insensitive; `-` for `_` is accepted).
    pub fn parse(name: &str) -> Result<StatField, StatsQueryError> {
        let wanted = name.trim().to_ascii_lowercase().replace('-', "_");
        if let Some(f) = StatField::ALL.iter().find(|f| f.name() == wanted) {
            return Ok(*f);
        }
        match NOT_GROUPABLE.iter().find(|(f, _)| *f == wanted) {
            Some((field, reason)) => Err(StatsQueryError::NotGroupable {
                field,
                reason,
                allowed: StatField::choices(),
            }),
            None => Err(StatsQueryError::UnknownField {
                field: name.to_owned(),
                allowed: StatField::choices(),
            }),
        }
    }

    /// The stored column this field is read from.
    pub(crate) fn column(&self) -> Column {
        match self {
            StatField::Category => Column::Category,
            StatField::ItemType => Column::ItemType,
            StatField::Model => Column::Model,
            StatField::Calibre => Column::Calibre,
            StatField::Manufacturer => Column::Manufacturer,
            StatField::CountryOfManufacture => Column::CountryOfManufacture,
            StatField::YearOfManufacture | StatField::Decade => Column::YearOfManufacture,
            StatField::LotNumber => Column::LotNumber,
            StatField::Quantity => Column::Quantity,
            StatField::RecoveredOn | StatField::RecoveredYear | StatField::RecoveredMonth => {
                Column::RecoveredOn
            }
            StatField::RecoveredCountry => Column::RecoveredCountry,
            StatField::RecoveredPlace => Column::RecoveredPlace,
            StatField::RecoveredFrom => Column::RecoveredFrom,
            StatField::DocumentedBy => Column::DocumentedBy,
            StatField::Confidentiality => Column::Confidentiality,
        }
    }

    /// Whether the field's own column is the value (no derivation).
    pub(crate) fn is_stored(&self) -> bool {
        !matches!(
            self,
            StatField::Decade | StatField::RecoveredYear | StatField::RecoveredMonth
        )
    }

    /// Whether values have a natural order (time), which charts follow.
    pub fn is_ordinal(&self) -> bool {
        matches!(
            self,
            StatField::YearOfManufacture
                | StatField::Decade
                | StatField::RecoveredOn
                | StatField::RecoveredYear
                | StatField::RecoveredMonth
        )
    }

    /// Whether values compare as folded text.
    fn is_text(&self) -> bool {
        matches!(
            self,
            StatField::ItemType
                | StatField::Model
                | StatField::Calibre
                | StatField::Manufacturer
                | StatField::LotNumber
                | StatField::RecoveredPlace
                | StatField::RecoveredFrom
                | StatField::DocumentedBy
        )
    }

    /// This field's key from its column's stored key.
    pub(crate) fn derive(&self, stored: &Key) -> Key {
        match (self, stored) {
            (_, Key::Null) => Key::Null,
            (StatField::Decade, Key::Int(year)) => {
                Key::Text(format!("{}s", year.div_euclid(10) * 10))
            }
            (StatField::RecoveredYear | StatField::RecoveredMonth, Key::Text(date)) => {
                let date: PartialDate = date.parse().expect("stored dates are valid");
                match (self, date.month()) {
                    (StatField::RecoveredYear, _) => Key::Int(date.year().into()),
                    (_, Some(m)) => Key::Text(format!("{:04}-{m:02}", date.year())),
                    (_, None) => Key::Null,
                }
            }
            _ => stored.clone(),
        }
    }

    /// The key a typed filter value stands for (text folded), or why it cannot be one.
    fn filter_key(&self, value: &str) -> Result<Key, String> {
        let v = value.trim();
        if v.is_empty() || v.eq_ignore_ascii_case("null") {
            return Ok(Key::Null);
        }
        let year = |v: &str| -> Result<i64, String> {
            match v.parse::<i16>() {
                Ok(y) if YEARS.contains(&y) => Ok(y.into()),
                _ => Err(format!(
                    "is not a year between {} and {}",
                    YEARS.start(),
                    YEARS.end()
                )),
            }
        };
        match self {
            StatField::Category => v
                .parse::<Category>()
                .map(|c| Key::Text(c.as_str().to_owned())),
            StatField::Confidentiality => v
                .parse::<Confidentiality>()
                .map(|c| Key::Text(c.as_str().to_owned())),
            StatField::CountryOfManufacture | StatField::RecoveredCountry => CountryCode::parse(v)
                .map(|c| Key::Text(c.as_str().to_owned()))
                .map_err(|e| e.to_string()),
            StatField::YearOfManufacture | StatField::RecoveredYear => year(v).map(Key::Int),
            StatField::Quantity => match v.parse::<u32>() {
                Ok(q) if q >= 1 => Ok(Key::Int(q.into())),
                _ => Err("is not a whole number of at least 1".to_owned()),
            },
            StatField::Decade => {
                let digits = v.strip_suffix('s').unwrap_or(v);
                match year(digits) {
                    Ok(y) if y % 10 == 0 => Ok(Key::Text(format!("{y}s"))),
                    _ => Err("is not a decade: write it as 1990s (or 1990)".to_owned()),
                }
            }
            StatField::RecoveredOn => v
                .parse::<PartialDate>()
                .map(|d| Key::Text(d.to_string()))
                .map_err(|e| e.to_string()),
            StatField::RecoveredMonth => match v.parse::<PartialDate>() {
                Ok(d) if d.month().is_some() && d.day().is_none() => Ok(Key::Text(d.to_string())),
                _ => Err("is not a month: use YYYY-MM (e.g. 2016-07)".to_owned()),
            },
            _ => Ok(Key::Text(fold(v))),
        }
    }

    /// Whether a row whose value is `key` (this field's key) is in the filter's group.
    pub(crate) fn matches(&self, key: &Key, wanted: &Key) -> bool {
        match (key, wanted) {
            (Key::Text(k), Key::Text(w)) if self.is_text() => fold(k) == *w,
            _ => key == wanted,
        }
    }
}

impl fmt::Display for StatField {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// One `--where FIELD=VALUE`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatFilter {
    pub field: StatField,
    /// The value as typed, for reports.
    pub value: String,
    /// The key it selects (folded for text fields).
    pub(crate) key: Key,
}

impl StatFilter {
    /// Reads `FIELD=VALUE`.
    pub fn parse(input: &str) -> Result<StatFilter, StatsQueryError> {
        let Some((field, value)) = input.split_once('=') else {
            return Err(StatsQueryError::MissingEquals {
                input: input.to_owned(),
            });
        };
        let field = StatField::parse(field)?;
        let key = field
            .filter_key(value)
            .map_err(|reason| StatsQueryError::BadValue {
                field: field.name(),
                value: value.trim().to_owned(),
                reason,
            })?;
        Ok(StatFilter {
            field,
            value: value.trim().to_owned(),
            key,
        })
    }

    /// Whether this filter selects the rows without a value (`FIELD=` or `FIELD=null`).
    pub fn selects_null(&self) -> bool {
        self.key.is_null()
    }

    /// A filter from a field and a value (the same rules as [`StatFilter::parse`]).
    pub fn new(field: StatField, value: &str) -> Result<StatFilter, StatsQueryError> {
        StatFilter::parse(&format!("{}={value}", field.name()))
    }
}

impl fmt::Display for StatFilter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let value = if self.key.is_null() {
            "null"
        } else {
            &self.value
        };
        write!(f, "{}={value}", self.field)
    }
}

/// What a group's count adds up.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Weight {
    /// Item rows.
    #[default]
    Items,
    /// The sum of `quantity`, a row without a quantity counting as 1 (one piece), as
    /// [`Item::pieces`](crate::Item::pieces) does.
    Quantity,
}

/// Most fields one statistic can group by: a cross-tab of more is unreadable.
pub const MAX_BY: usize = 3;

/// A parsed statistics query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatsQuery {
    pub by: Vec<StatField>,
    pub filters: Vec<StatFilter>,
    pub weight: Weight,
}

impl StatsQuery {
    /// Reads `--by` fields, `--where` filters and `--weight`.
    pub fn parse(
        by: &[String],
        wheres: &[String],
        weight: Option<&str>,
    ) -> Result<StatsQuery, StatsQueryError> {
        if by.is_empty() {
            return Err(StatsQueryError::NoBy {
                allowed: StatField::choices(),
            });
        }
        if by.len() > MAX_BY {
            return Err(StatsQueryError::TooManyBy { given: by.len() });
        }
        let mut fields = Vec::new();
        for name in by {
            let field = StatField::parse(name)?;
            if fields.contains(&field) {
                return Err(StatsQueryError::RepeatedBy {
                    field: field.name(),
                });
            }
            fields.push(field);
        }
        Ok(StatsQuery {
            by: fields,
            filters: parse_filters(wheres)?,
            weight: parse_weight(weight)?,
        })
    }
}

/// Reads `--where` filters.
pub fn parse_filters(wheres: &[String]) -> Result<Vec<StatFilter>, StatsQueryError> {
    wheres.iter().map(|w| StatFilter::parse(w)).collect()
}

/// Reads `--weight` (`None` counts items).
pub fn parse_weight(weight: Option<&str>) -> Result<Weight, StatsQueryError> {
    match weight.map(str::trim) {
        None => Ok(Weight::Items),
        Some(w) if w.eq_ignore_ascii_case("quantity") => Ok(Weight::Quantity),
        Some(w) => Err(StatsQueryError::UnknownWeight {
            value: w.to_owned(),
        }),
    }
}

/// Why a statistics query cannot be run, with what would be accepted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StatsQueryError {
    #[error("unknown field {field:?}: use one of {allowed}")]
    UnknownField { field: String, allowed: String },
    #[error(
        "field {field} {reason}, so statistics do not group or filter by it: use one of {allowed}"
    )]
    NotGroupable {
        field: &'static str,
        reason: &'static str,
        allowed: String,
    },
    #[error(
        "--where {input:?} has no '=': write FIELD=VALUE, e.g. --where category=weapon or --where recovered_country=null"
    )]
    MissingEquals { input: String },
    #[error("--where {field}={value:?}: {value:?} {reason}")]
    BadValue {
        field: &'static str,
        value: String,
        reason: String,
    },
    #[error(
        "--weight {value:?} is not known: the only weight is quantity (leave it out to count items)"
    )]
    UnknownWeight { value: String },
    #[error("give at least one --by FIELD: one of {allowed}")]
    NoBy { allowed: String },
    #[error("{given} --by fields given: a statistic groups by at most 3")]
    TooManyBy { given: usize },
    #[error("--by {field} is given twice")]
    RepeatedBy { field: &'static str },
}
