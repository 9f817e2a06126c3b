//! Statistics over documented transfers: who delivered how much to whom, by delivery
//! year, weighed in trend-indicator values (TIV) or in numbers delivered.
//!
//! This is what reproduces SIPRI's published figures from its raw register ("the USA's
//! share of global arms exports in 2020–24") and what puts the register's transfers in
//! proportion for an investigation. The answer has the shape of item statistics
//! (`armtrace stats --json`), each group with its weight:
//! `{"weight":"tiv","from":2020,"to":2024,"total":…,"count":N,"groups":[{"key":{"supplier_country":"US"},"count":N,"weight":…,"share":…}]}`.
//!
//! Rules, each a decision a reader of the figures needs to know:
//!
//! * **Delivery years.** A statistic is over deliveries: a transfer counts in the years
//!   it delivered ([`Transfer::years_delivered`]); one with no delivery year (an order
//!   not yet delivered) is left out. `from`/`to` keep the delivery years in that range.
//! * **Several years in one record.** The classic SIPRI export gives a deal's deliveries
//!   of several years in one row: its TIV and quantity are split evenly over those years.
//!   The new export has one row per deal and year, so it is exact.
//! * **Weight.** `tiv` sums `tiv_delivered`, `quantity` sums `quantity` (numbers
//!   delivered); a transfer without the value weighs 0 but still counts. Without an
//!   explicit weight, `tiv` is used when any selected transfer has a TIV, else
//!   `quantity`; the answer says which.
//! * **Groups.** `count` is the number of transfers in the group (a transfer delivering
//!   in several years counts once per year group, once in any other); `share` is the
//!   group's weight over the total weight. Text values equal under [`fold`] are one group,
//!   shown as first met. Groups are ordered by weight, then count, largest first.

use serde::Serialize;

use rustc_hash::FxHashMap;

use crate::country::CountryCode;
use crate::date::YEARS;
use crate::text::fold;
use crate::transfer::Transfer;

use super::query::MAX_BY;

/// A field transfer statistics group by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TransferField {
    SupplierCountry,
    RecipientCountry,
    Supplier,
    Recipient,
    ArmamentCategory,
    /// The model as the source names it (SIPRI's designation).
    Designation,
    Status,
    Source,
    Confidence,
    /// The delivery year.
    Year,
}

impl TransferField {
    pub const ALL: [TransferField; 10] = [
        TransferField::SupplierCountry,
        TransferField::RecipientCountry,
        TransferField::Supplier,
        TransferField::Recipient,
        TransferField::ArmamentCategory,
        TransferField::Designation,
        TransferField::Status,
        TransferField::Source,
        TransferField::Confidence,
        TransferField::Year,
    ];

    pub fn name(self) -> &'static str {
        match self {
            TransferField::SupplierCountry => "supplier_country",
            TransferField::RecipientCountry => "recipient_country",
            TransferField::Supplier => "supplier",
            TransferField::Recipient => "recipient",
            TransferField::ArmamentCategory => "armament_category",
            TransferField::Designation => "designation",
            TransferField::Status => "status",
            TransferField::Source => "source",
            TransferField::Confidence => "confidence",
            TransferField::Year => "year",
        }
    }

    pub fn choices() -> String {
        TransferField::ALL
            .iter()
            .map(|f| f.name())
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// Reads a field name (case-insensitive, `-` for `_`; `model` for `designation`).
    pub fn parse(name: &str) -> Result<TransferField, TransferStatsError> {
        let wanted = name.trim().to_ascii_lowercase().replace('-', "_");
        let wanted = match wanted.as_str() {
            "model" => "designation",
            "delivery_year" => "year",
            other => other,
        };
        TransferField::ALL
            .into_iter()
            .find(|f| f.name() == wanted)
            .ok_or_else(|| TransferStatsError::UnknownField {
                field: name.to_owned(),
                allowed: TransferField::choices(),
            })
    }

    fn is_country(self) -> bool {
        matches!(
            self,
            TransferField::SupplierCountry | TransferField::RecipientCountry
        )
    }

    /// A key value for people: countries by name and code (`United States (US)`),
    /// missing values as `(none)`.
    pub fn label(self, value: &serde_json::Value) -> String {
        match value {
            serde_json::Value::Null => "(none)".to_owned(),
            serde_json::Value::String(s) if self.is_country() => match CountryCode::parse(s) {
                Ok(c) => format!("{} ({s})", c.name()),
                Err(_) => s.clone(),
            },
            serde_json::Value::String(s) => s.clone(),
            other => other.to_string(),
        }
    }
}

/// What a transfer weighs in a statistic.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TransferWeight {
    /// Trend-indicator value of what was delivered (`tiv_delivered`).
    Tiv,
    /// Numbers delivered (`quantity`).
    Quantity,
}

impl TransferWeight {
    pub fn name(self) -> &'static str {
        match self {
            TransferWeight::Tiv => "tiv",
            TransferWeight::Quantity => "quantity",
        }
    }

    pub fn parse(s: &str) -> Result<TransferWeight, TransferStatsError> {
        match s.trim().to_ascii_lowercase().as_str() {
            "tiv" => Ok(TransferWeight::Tiv),
            "quantity" => Ok(TransferWeight::Quantity),
            _ => Err(TransferStatsError::BadWeight(s.to_owned())),
        }
    }
}

/// A problem with what a transfer statistic asks.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TransferStatsError {
    #[error("--by {field}: not a transfer field; use one of {allowed}")]
    UnknownField { field: String, allowed: String },
    #[error("--by: give at least one field ({allowed})")]
    NoBy { allowed: String },
    #[error("--by: at most {MAX_BY} fields")]
    TooMany,
    #[error("--by {0} is given twice")]
    Repeated(&'static str),
    #[error(
        "--weight {0:?}: use tiv (trend-indicator value delivered) or quantity (numbers delivered)"
    )]
    BadWeight(String),
    #[error("--{flag} {year}: not a year between 1800 and 2100")]
    BadYear { flag: &'static str, year: i64 },
    #[error("--from {from} is after --to {to}")]
    EmptyRange { from: i16, to: i16 },
}

/// A parsed transfer statistic.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TransferStatsQuery {
    pub by: Vec<TransferField>,
    /// `None`: TIV when the selection has any, else quantity.
    pub weight: Option<TransferWeight>,
    /// First delivery year kept.
    pub from: Option<i16>,
    /// Last delivery year kept.
    pub to: Option<i16>,
}

impl TransferStatsQuery {
    pub fn parse(
        by: &[String],
        weight: Option<&str>,
        from: Option<i64>,
        to: Option<i64>,
    ) -> Result<TransferStatsQuery, TransferStatsError> {
        if by.is_empty() {
            return Err(TransferStatsError::NoBy {
                allowed: TransferField::choices(),
            });
        }
        if by.len() > MAX_BY {
            return Err(TransferStatsError::TooMany);
        }
        let mut fields = Vec::new();
        for name in by {
            let f = TransferField::parse(name)?;
            if fields.contains(&f) {
                return Err(TransferStatsError::Repeated(f.name()));
            }
            fields.push(f);
        }
        let year = |flag, y: Option<i64>| -> Result<Option<i16>, TransferStatsError> {
            match y {
                None => Ok(None),
                Some(y) => i16::try_from(y)
                    .ok()
                    .filter(|y| YEARS.contains(y))
                    .map(Some)
                    .ok_or(TransferStatsError::BadYear { flag, year: y }),
            }
        };
        let from = year("from", from)?;
        let to = year("to", to)?;
        if let (Some(from), Some(to)) = (from, to)
            && from > to
        {
            return Err(TransferStatsError::EmptyRange { from, to });
        }
        Ok(TransferStatsQuery {
            by: fields,
            weight: weight.map(TransferWeight::parse).transpose()?,
            from,
            to,
        })
    }

    fn keeps(&self, year: i16) -> bool {
        self.from.is_none_or(|f| year >= f) && self.to.is_none_or(|t| year <= t)
    }
}

/// The answer to a [`TransferStatsQuery`]: the contract JSON of
/// `armtrace transfers stats --json`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TransferStats {
    /// The weight used (the one asked for, or the default's choice).
    pub weight: TransferWeight,
    pub from: Option<i16>,
    pub to: Option<i16>,
    /// The summed weight of every selected delivery.
    pub total: f64,
    /// Transfers with a delivery in the selected years.
    pub count: u64,
    pub groups: Vec<TransferGroup>,
}

/// One group of a [`TransferStats`].
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TransferGroup {
    /// Field name → value (`null` for none), in `--by` order.
    pub key: serde_json::Map<String, serde_json::Value>,
    pub count: u64,
    pub weight: f64,
    /// `weight / total`; 0 when the total is 0.
    pub share: f64,
}

/// A group's key as compared: each field's folded text, code or year (`None`: missing).
type GroupKey = Vec<Option<String>>;
/// A group's key as shown: field name → value.
type ShownKey = serde_json::Map<String, serde_json::Value>;

/// One field's value of one delivery: its comparison form and its shown form.
fn key_part(t: &Transfer, year: i16, field: TransferField) -> (Option<String>, serde_json::Value) {
    use serde_json::Value;
    let text = |v: &Option<String>| match v {
        Some(s) if !s.trim().is_empty() => (Some(fold(s)), Value::String(s.clone())),
        _ => (None, Value::Null),
    };
    let code = |c: Option<CountryCode>| match c {
        Some(c) => (Some(c.as_str().to_owned()), Value::String(c.to_string())),
        None => (None, Value::Null),
    };
    match field {
        TransferField::SupplierCountry => code(t.supplier_country),
        TransferField::RecipientCountry => code(t.recipient_country),
        TransferField::Supplier => text(&t.supplier),
        TransferField::Recipient => text(&t.recipient),
        TransferField::ArmamentCategory => text(&t.armament_category),
        TransferField::Designation => text(&t.model),
        TransferField::Status => text(&t.status),
        TransferField::Source => (
            Some(t.source.as_str().to_owned()),
            Value::String(t.source.as_str().to_owned()),
        ),
        TransferField::Confidence => (
            Some(t.confidence.as_str().to_owned()),
            Value::String(t.confidence.as_str().to_owned()),
        ),
        TransferField::Year => (Some(format!("{year:05}")), Value::from(year)),
    }
}

/// The delivery years of `t` the query keeps, and how many years its figures cover.
fn kept_years(t: &Transfer, query: &TransferStatsQuery) -> (Vec<i16>, usize) {
    let years = t.years_delivered();
    let n = years.len();
    (years.into_iter().filter(|y| query.keeps(*y)).collect(), n)
}

/// Groups the deliveries of `transfers` as `query` asks.
pub fn transfer_stats(transfers: &[Transfer], query: &TransferStatsQuery) -> TransferStats {
    let weight = query.weight.unwrap_or_else(|| {
        let any_tiv = transfers
            .iter()
            .any(|t| t.tiv_delivered.is_some() && !kept_years(t, query).0.is_empty());
        if any_tiv {
            TransferWeight::Tiv
        } else {
            TransferWeight::Quantity
        }
    });
    struct Acc {
        key: ShownKey,
        count: u64,
        weight: f64,
        order: usize,
    }
    let mut groups: FxHashMap<GroupKey, Acc> = FxHashMap::default();
    let mut total = 0.0;
    let mut count = 0u64;
    for t in transfers {
        let (years, spread) = kept_years(t, query);
        if years.is_empty() {
            continue;
        }
        count += 1;
        let whole = match weight {
            TransferWeight::Tiv => t.tiv_delivered.unwrap_or(0.0),
            TransferWeight::Quantity => f64::from(t.quantity.unwrap_or(0)),
        };
        let per_year = whole / spread as f64;
        // The groups this transfer falls in, each counted once.
        let mut mine: Vec<(GroupKey, ShownKey, f64)> = Vec::new();
        for year in years {
            total += per_year;
            let mut cmp = Vec::with_capacity(query.by.len());
            let mut shown = serde_json::Map::new();
            for field in &query.by {
                let (c, v) = key_part(t, year, *field);
                cmp.push(c);
                shown.insert(field.name().to_owned(), v);
            }
            match mine.iter_mut().find(|(k, _, _)| *k == cmp) {
                Some(entry) => entry.2 += per_year,
                None => mine.push((cmp, shown, per_year)),
            }
        }
        for (cmp, shown, w) in mine {
            let order = groups.len();
            let acc = groups.entry(cmp).or_insert(Acc {
                key: shown,
                count: 0,
                weight: 0.0,
                order,
            });
            acc.count += 1;
            acc.weight += w;
        }
    }
    let mut listed: Vec<(GroupKey, Acc)> = groups.into_iter().collect();
    listed.sort_by(|(ka, a), (kb, b)| {
        b.weight
            .total_cmp(&a.weight)
            .then(b.count.cmp(&a.count))
            .then_with(|| compare_keys(ka, kb))
            .then(a.order.cmp(&b.order))
    });
    TransferStats {
        weight,
        from: query.from,
        to: query.to,
        total,
        count,
        groups: listed
            .into_iter()
            .map(|(_, acc)| TransferGroup {
                key: acc.key,
                count: acc.count,
                weight: acc.weight,
                share: if total > 0.0 { acc.weight / total } else { 0.0 },
            })
            .collect(),
    }
}

/// Keys field by field, missing values last.
fn compare_keys(a: &[Option<String>], b: &[Option<String>]) -> std::cmp::Ordering {
    for (x, y) in a.iter().zip(b) {
        let o = match (x, y) {
            (Some(x), Some(y)) => x.cmp(y),
            (Some(_), None) => std::cmp::Ordering::Less,
            (None, Some(_)) => std::cmp::Ordering::Greater,
            (None, None) => std::cmp::Ordering::Equal,
        };
        if o.is_ne() {
            return o;
        }
    }
    std::cmp::Ordering::Equal
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::PartialDate;
    use crate::transfer::{Confidence, TransferSource};

    fn delivery(r: &str, supplier: &str, years: &[i16], tiv: f64, quantity: u32) -> Transfer {
        Transfer {
            transfer_ref: r.to_owned(),
            supplier: Some(supplier.to_owned()),
            supplier_country: CountryCode::parse(supplier).ok(),
            recipient: Some("India".to_owned()),
            recipient_country: CountryCode::parse("IN").ok(),
            model: Some("Rafale".to_owned()),
            delivered_on: PartialDate::year_only(years[0]).ok(),
            delivery_years: if years.len() > 1 {
                years.to_vec()
            } else {
                Vec::new()
            },
            tiv_delivered: Some(tiv),
            quantity: Some(quantity),
            source: TransferSource::Sipri,
            confidence: Confidence::Medium,
            ..Transfer::default()
        }
    }

    fn query(
        by: &[&str],
        weight: Option<&str>,
        from: Option<i64>,
        to: Option<i64>,
    ) -> TransferStatsQuery {
        let by: Vec<String> = by.iter().map(|s| s.to_string()).collect();
        TransferStatsQuery::parse(&by, weight, from, to).unwrap()
    }

    #[test]
    fn shares_of_tiv_by_supplier_in_a_period() {
        let transfers = [
            delivery("A", "France", &[2020], 30.0, 3),
            delivery("B", "France", &[2021], 30.0, 3),
            delivery("C", "Russia", &[2019], 100.0, 10),
            delivery("D", "Russia", &[2022], 40.0, 4),
            Transfer {
                delivered_on: None,
                ..delivery("E", "Russia", &[2022], 500.0, 50)
            },
        ];
        let s = transfer_stats(
            &transfers,
            &query(&["supplier_country"], None, Some(2020), Some(2024)),
        );
        assert_eq!(s.weight, TransferWeight::Tiv);
        assert_eq!(s.total, 100.0);
        assert_eq!(s.count, 3, "C is before 2020; E was never delivered");
        let json = serde_json::to_value(&s).unwrap();
        assert_eq!(
            json,
            serde_json::json!({
                "weight": "tiv", "from": 2020, "to": 2024, "total": 100.0, "count": 3,
                "groups": [
                    {"key": {"supplier_country": "FR"}, "count": 2, "weight": 60.0, "share": 0.6},
                    {"key": {"supplier_country": "RU"}, "count": 1, "weight": 40.0, "share": 0.4},
                ]
            })
        );
    }

    #[test]
    fn several_years_split_evenly_and_count_once_per_group() {
        let transfers = [delivery(
            "A",
            "Soviet Union",
            &[1979, 1980, 1981, 1982],
            60.0,
            6000,
        )];
        let s = transfer_stats(
            &transfers,
            &query(&["supplier"], Some("quantity"), Some(1980), Some(1981)),
        );
        assert_eq!(s.total, 3000.0);
        assert_eq!((s.groups[0].count, s.groups[0].weight), (1, 3000.0));
        let s = transfer_stats(&transfers, &query(&["year"], None, None, None));
        let years: Vec<(i64, f64, u64)> = s
            .groups
            .iter()
            .map(|g| (g.key["year"].as_i64().unwrap(), g.weight, g.count))
            .collect();
        assert_eq!(
            years,
            [
                (1979, 15.0, 1),
                (1980, 15.0, 1),
                (1981, 15.0, 1),
                (1982, 15.0, 1)
            ],
            "equal weights order by year"
        );
    }

    #[test]
    fn the_default_weight_is_quantity_without_any_tiv() {
        let mut t = delivery("A", "France", &[2020], 0.0, 3);
        t.tiv_delivered = None;
        let s = transfer_stats(&[t], &query(&["designation"], None, None, None));
        assert_eq!(s.weight, TransferWeight::Quantity);
        assert_eq!(s.total, 3.0);
        assert_eq!(s.groups[0].key["designation"], "Rafale");
        assert_eq!(
            TransferField::SupplierCountry.label(&"US".into()),
            "United States (US)"
        );
    }

    #[test]
    fn bad_queries_say_what_is_allowed() {
        let parse = |by: &[&str], w, f, t| {
            let by: Vec<String> = by.iter().map(|s| s.to_string()).collect();
            TransferStatsQuery::parse(&by, w, f, t)
                .unwrap_err()
                .to_string()
        };
        assert!(parse(&["colour"], None, None, None).contains("supplier_country"));
        assert!(parse(&["year"], Some("money"), None, None).contains("tiv"));
        assert!(parse(&["year"], None, Some(2024), Some(2020)).contains("after"));
        assert!(parse(&["year"], None, Some(20), None).contains("--from 20"));
        assert!(parse(&[], None, None, None).contains("at least one"));
        assert_eq!(
            TransferField::parse("model").unwrap(),
            TransferField::Designation
        );
    }
}
