//! How fast items were diverted: the distribution of days from the last documented
//! delivery to recovery ([`Diversion::days`]), overall, per end user and per holder the
//! items were recovered from.
//!
//! * Quartiles use linear interpolation between closest ranks (Hyndman and Fan's type 7,
//!   the default of R and NumPy): for sorted values `x[0..n]`, the `p`-quantile is
//!   `x[⌊h⌋] + (h − ⌊h⌋)(x[⌊h⌋+1] − x[⌊h⌋])` with `h = (n − 1)p`. The median of 10, 20,
//!   30, 40 is 25; its first quartile is 17.5.
//! * The histogram's bins are fixed, so registers and reports compare: [`BIN_EDGES`]
//!   days, each bin holding `lower ≤ days < upper`, the last one open-ended.

use serde::Serialize;

use crate::custody::Diversion;

/// Lower edges of the histogram bins, in days: under a month, 1–3 months, 3–6 months,
/// 6–12 months, 1–2 years, 2–3 years, 3–5 years, 5 years or more.
pub const BIN_EDGES: [i64; 8] = [0, 30, 91, 182, 365, 730, 1095, 1826];

/// One diverted item, with what the breakdowns group it by.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DiversionFact {
    #[serde(rename = "ref")]
    pub reference: String,
    pub days: i64,
    /// The last legitimate transfer's end user (its recipient when it names none).
    pub end_user: Option<String>,
    /// Who the item was recovered from (the item's `recovered_from`).
    pub recovered_from: Option<String>,
}

impl DiversionFact {
    /// The fact of a computed diversion; `recovered_from` comes from the item.
    pub fn new(diversion: &Diversion, recovered_from: Option<&str>) -> DiversionFact {
        DiversionFact {
            reference: diversion.reference.clone(),
            days: diversion.days,
            end_user: diversion.end_user.clone(),
            recovered_from: recovered_from.map(str::to_owned),
        }
    }
}

/// Minimum, quartiles and maximum of a set of day counts (type-7 quartiles).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Distribution {
    pub count: u64,
    pub min: i64,
    pub q1: f64,
    pub median: f64,
    pub q3: f64,
    pub max: i64,
}

/// The `p`-quantile (0 ≤ p ≤ 1) of sorted values, type 7.
pub fn quantile(sorted: &[i64], p: f64) -> f64 {
    assert!(!sorted.is_empty(), "a quantile needs values");
    let h = (sorted.len() - 1) as f64 * p;
    let lower = h.floor() as usize;
    let upper = (lower + 1).min(sorted.len() - 1);
    sorted[lower] as f64 + (h - lower as f64) * (sorted[upper] - sorted[lower]) as f64
}

impl Distribution {
    /// The distribution of `days`, or `None` when there are none.
    pub fn of(days: &[i64]) -> Option<Distribution> {
        if days.is_empty() {
            return None;
        }
        let mut sorted = days.to_vec();
        sorted.sort_unstable();
        Some(Distribution {
            count: sorted.len() as u64,
            min: sorted[0],
            q1: quantile(&sorted, 0.25),
            median: quantile(&sorted, 0.5),
            q3: quantile(&sorted, 0.75),
            max: sorted[sorted.len() - 1],
        })
    }
}

/// One histogram bin: `from ≤ days < to` (`to` is `None` for the last, open bin).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Bin {
    pub from: i64,
    pub to: Option<i64>,
    pub label: String,
    pub count: u64,
}

/// The distribution of one group (an end user, a holder).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GroupDistribution {
    /// The end user or holder; `null` when not documented.
    pub name: Option<String>,
    #[serde(flatten)]
    pub distribution: Distribution,
}

/// Time to diversion, overall and broken down. `overall` is `None` when no item of the
/// selection has a diversion. Groups are ordered by count (largest first), then name.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DiversionSummary {
    pub overall: Option<Distribution>,
    pub histogram: Vec<Bin>,
    pub by_end_user: Vec<GroupDistribution>,
    pub by_recovered_from: Vec<GroupDistribution>,
}

fn bin_label(from: i64, to: Option<i64>) -> String {
    match (from, to) {
        (0, Some(30)) => "< 1 month",
        (30, Some(91)) => "1–3 months",
        (91, Some(182)) => "3–6 months",
        (182, Some(365)) => "6–12 months",
        (365, Some(730)) => "1–2 years",
        (730, Some(1095)) => "2–3 years",
        (1095, Some(1826)) => "3–5 years",
        (1826, None) => "5+ years",
        _ => unreachable!("labels follow BIN_EDGES"),
    }
    .to_owned()
}

/// The histogram of `days` over [`BIN_EDGES`].
pub fn histogram(days: &[i64]) -> Vec<Bin> {
    let mut bins: Vec<Bin> = BIN_EDGES
        .iter()
        .enumerate()
        .map(|(i, &from)| {
            let to = BIN_EDGES.get(i + 1).copied();
            Bin {
                from,
                to,
                label: bin_label(from, to),
                count: 0,
            }
        })
        .collect();
    for &d in days {
        // Days are never negative (a diversion follows its delivery); clamp for safety.
        let i = BIN_EDGES.partition_point(|&e| e <= d).max(1) - 1;
        bins[i].count += 1;
    }
    bins
}

fn by_group(
    facts: &[DiversionFact],
    name: impl Fn(&DiversionFact) -> Option<&String>,
) -> Vec<GroupDistribution> {
    let mut groups: std::collections::BTreeMap<Option<&String>, Vec<i64>> = Default::default();
    for f in facts {
        groups.entry(name(f)).or_default().push(f.days);
    }
    let mut out: Vec<GroupDistribution> = groups
        .into_iter()
        .map(|(name, days)| GroupDistribution {
            name: name.cloned(),
            distribution: Distribution::of(&days).expect("a group has members"),
        })
        .collect();
    // Named groups before the undocumented one at equal counts.
    out.sort_by(|a, b| {
        b.distribution
            .count
            .cmp(&a.distribution.count)
            .then_with(|| a.name.is_none().cmp(&b.name.is_none()))
            .then_with(|| a.name.cmp(&b.name))
    });
    out
}

/// The time-to-diversion distribution of `facts`.
pub fn diversion_summary(facts: &[DiversionFact]) -> DiversionSummary {
    let days: Vec<i64> = facts.iter().map(|f| f.days).collect();
    DiversionSummary {
        overall: Distribution::of(&days),
        histogram: histogram(&days),
        by_end_user: by_group(facts, |f| f.end_user.as_ref()),
        by_recovered_from: by_group(facts, |f| f.recovered_from.as_ref()),
    }
}
