//! Group-by over [`ItemColumns`]: counts (or summed quantities) per combination of
//! values, with shares of the total.
//!
//! A query is first turned into small lookup tables over each column's dictionary
//! (which code belongs to which group, which codes pass the filters, what a row weighs),
//! so the scan itself does no hashing, no string work and no branching on values. Rows
//! are processed in blocks of [`BLOCK`]: each table is applied to a whole block at a
//! time, one tight loop per column width, and the block's group indices are then added
//! up. Large registers are split between threads, each with its own counters.
//!
//! Rows a viewer's [`Clearance`] does not allow are skipped before anything is counted,
//! so they are missing from `total` too: a public total cannot reveal hidden items.

use serde::Serialize;

use rustc_hash::FxHashMap;

use super::columns::{CodeColumn, Codes, Column, ItemColumns, Key};
use super::query::{StatField, StatFilter, StatsQuery, Weight};
use crate::access::Clearance;
use crate::item::Confidentiality;

/// Rows per block of the scan.
const BLOCK: usize = 2048;
/// Below this many rows a scan stays on one thread.
const PARALLEL_FROM: usize = 500_000;
/// Largest number of group combinations counted in a flat array; beyond, a hash map.
const DENSE_LIMIT: u64 = 1 << 22;

/// The answer to a [`StatsQuery`]: the contract JSON of `armtrace stats --json`,
/// `{"total":N,"groups":[{"key":{"FIELD":value,…},"count":N,"share":x}]}`.
///
/// Groups are ordered by count, largest first, then by key ascending (field by field;
/// numbers by value, text by its bytes, missing values last). Only groups with a
/// non-zero count are listed.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StatsResult {
    /// Rows (or summed quantities) that pass the filters and the clearance.
    pub total: u64,
    pub groups: Vec<StatsGroup>,
}

/// One group of a [`StatsResult`].
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StatsGroup {
    /// Field name → value (`null` for missing), in `--by` order.
    pub key: serde_json::Map<String, serde_json::Value>,
    pub count: u64,
    /// `count / total`; 0 when the total is 0.
    pub share: f64,
}

impl StatsGroup {
    /// The value of `field` in this group's key.
    pub fn value(&self, field: StatField) -> &serde_json::Value {
        self.key
            .get(field.name())
            .unwrap_or(&serde_json::Value::Null)
    }

    /// `field`'s value as text for people (`(missing)` for null).
    pub fn label(&self, field: StatField) -> String {
        match self.value(field) {
            serde_json::Value::Null => "(missing)".to_owned(),
            serde_json::Value::String(s) => s.clone(),
            other => other.to_string(),
        }
    }
}

/// Per-column lookup tables of one query.
struct Plan<'c> {
    /// For each `--by` field: its column, the group of each code, and the group count.
    groups: Vec<(&'c CodeColumn, Vec<u32>, u64)>,
    /// The keys of each `--by` field's groups.
    group_keys: Vec<Vec<Key>>,
    /// Columns with filters: 1 for each code that passes.
    masks: Vec<(&'c CodeColumn, Vec<u8>)>,
    /// The weight of each quantity code, with `--weight quantity`.
    weights: Option<(&'c CodeColumn, Vec<u64>)>,
    visibility: Visibility<'c>,
    combinations: u64,
}

/// What the clearance lets through.
struct Visibility<'c> {
    levels: &'c CodeColumn,
    /// 1 for each confidentiality code the viewer may see as a whole.
    level_ok: Vec<u8>,
    /// Confidential rows granted one by one (sorted row ids); empty when none.
    granted: &'c [i64],
    confidential_code: u32,
    everything: bool,
}

impl<'c> Visibility<'c> {
    fn new(columns: &'c ItemColumns, clearance: &'c Clearance) -> Self {
        let levels = columns.column(Column::Confidentiality);
        let level_ok = levels
            .keys
            .iter()
            .map(
                |k| match k.as_text().and_then(|t| t.parse::<Confidentiality>().ok()) {
                    Some(level) => u8::from(clearance.allows(level, i64::MIN)),
                    None => 0,
                },
            )
            .collect();
        let confidential_code = Confidentiality::ALL
            .iter()
            .position(|c| *c == Confidentiality::Confidential)
            .expect("listed") as u32
            + 1;
        Visibility {
            levels,
            level_ok,
            granted: if clearance.confidential {
                &[]
            } else {
                &clearance.granted_items
            },
            confidential_code,
            everything: clearance.sees_everything(),
        }
    }
}

/// The group of every code of `field`'s column, and the keys of the groups.
fn group_table(column: &CodeColumn, field: StatField) -> (Vec<u32>, Vec<Key>) {
    if field.is_stored() {
        return ((0..column.keys.len() as u32).collect(), column.keys.clone());
    }
    let mut keys: Vec<Key> = Vec::new();
    let mut index: FxHashMap<Key, u32> = FxHashMap::default();
    let table = column
        .keys
        .iter()
        .map(|stored| {
            let key = field.derive(stored);
            *index.entry(key.clone()).or_insert_with(|| {
                keys.push(key);
                keys.len() as u32 - 1
            })
        })
        .collect();
    (table, keys)
}

/// 1 for each code of `column` that passes every filter on it.
fn mask_table(column: &CodeColumn, filters: &[&StatFilter]) -> Vec<u8> {
    column
        .keys
        .iter()
        .map(|stored| {
            // Different fields of one column (recovered_year and recovered_month) must
            // all hold; values of one field are alternatives.
            let mut fields: Vec<StatField> = filters.iter().map(|f| f.field).collect();
            fields.dedup();
            let ok = fields.iter().all(|field| {
                let key = field.derive(stored);
                filters
                    .iter()
                    .filter(|f| f.field == *field)
                    .any(|f| field.matches(&key, &f.key))
            });
            u8::from(ok)
        })
        .collect()
}

impl<'c> Plan<'c> {
    fn new(
        columns: &'c ItemColumns,
        by: &[StatField],
        filters: &[StatFilter],
        weight: Weight,
        clearance: &'c Clearance,
    ) -> Plan<'c> {
        let mut groups = Vec::new();
        let mut group_keys = Vec::new();
        let mut combinations: u64 = 1;
        for field in by {
            let column = columns.column(field.column());
            let (table, keys) = group_table(column, *field);
            let n = keys.len() as u64;
            combinations = combinations.saturating_mul(n);
            groups.push((column, table, n));
            group_keys.push(keys);
        }
        let mut filtered: Vec<Column> = filters.iter().map(|f| f.field.column()).collect();
        filtered.sort_by_key(|c| *c as usize);
        filtered.dedup();
        let masks = filtered
            .into_iter()
            .map(|column| {
                let mut on: Vec<&StatFilter> = filters
                    .iter()
                    .filter(|f| f.field.column() == column)
                    .collect();
                on.sort_by_key(|f| f.field as usize);
                let c = columns.column(column);
                (c, mask_table(c, &on))
            })
            .collect();
        let weights = (weight == Weight::Quantity).then(|| {
            let c = columns.column(Column::Quantity);
            let w = c
                .keys
                .iter()
                .map(|k| match k {
                    Key::Int(q) => *q as u64,
                    _ => 1,
                })
                .collect();
            (c, w)
        });
        Plan {
            groups,
            group_keys,
            masks,
            weights,
            visibility: Visibility::new(columns, clearance),
            combinations,
        }
    }
}

/// Applies `table` to the codes of `range`: `out[j] = f(out[j], table[code])`.
macro_rules! each_code {
    ($codes:expr, $range:expr, |$j:ident, $code:ident| $body:expr) => {
        match $codes {
            Codes::U8(v) => {
                for ($j, &c) in v[$range].iter().enumerate() {
                    let $code = c as usize;
                    $body;
                }
            }
            Codes::U16(v) => {
                for ($j, &c) in v[$range].iter().enumerate() {
                    let $code = c as usize;
                    $body;
                }
            }
            Codes::U32(v) => {
                for ($j, &c) in v[$range].iter().enumerate() {
                    let $code = c as usize;
                    $body;
                }
            }
        }
    };
}

/// Counters of one scan: flat when the combinations are few, hashed otherwise.
enum Counts {
    Dense(Vec<u64>),
    Sparse(FxHashMap<u64, u64>),
}

impl Counts {
    fn new(combinations: u64) -> Counts {
        if combinations <= DENSE_LIMIT {
            Counts::Dense(vec![0; combinations as usize])
        } else {
            Counts::Sparse(FxHashMap::default())
        }
    }

    fn merge(&mut self, other: Counts) {
        match (self, other) {
            (Counts::Dense(a), Counts::Dense(b)) => a.iter_mut().zip(b).for_each(|(x, y)| *x += y),
            (Counts::Sparse(a), Counts::Sparse(b)) => {
                for (k, v) in b {
                    *a.entry(k).or_default() += v;
                }
            }
            _ => unreachable!("both scans use one kind of counter"),
        }
    }

    fn non_zero(self) -> Vec<(u64, u64)> {
        match self {
            Counts::Dense(v) => v
                .into_iter()
                .enumerate()
                .filter(|(_, c)| *c > 0)
                .map(|(i, c)| (i as u64, c))
                .collect(),
            Counts::Sparse(m) => m.into_iter().filter(|(_, c)| *c > 0).collect(),
        }
    }
}

/// Filters and clearance for the rows of `range`: `pass[j]` is 1 when row `start + j`
/// is counted.
fn pass_block(plan: &Plan, ids: &[i64], range: std::ops::Range<usize>, pass: &mut [u8]) {
    let len = range.len();
    pass[..len].fill(1);
    for (column, table) in &plan.masks {
        each_code!(&column.codes, range.clone(), |j, code| pass[j] &=
            table[code]);
    }
    let v = &plan.visibility;
    if !v.everything {
        if v.granted.is_empty() {
            each_code!(&v.levels.codes, range.clone(), |j, code| pass[j] &=
                v.level_ok[code]);
        } else {
            let start = range.start;
            each_code!(&v.levels.codes, range.clone(), |j, code| {
                if pass[j] == 1 && v.level_ok[code] == 0 {
                    let granted = code as u32 == v.confidential_code
                        && v.granted.binary_search(&ids[start + j]).is_ok();
                    pass[j] = u8::from(granted);
                }
            });
        }
    }
}

/// Counts the rows of `range` into fresh counters.
fn scan(plan: &Plan, ids: &[i64], range: std::ops::Range<usize>) -> Counts {
    let mut counts = Counts::new(plan.combinations);
    let mut pass = vec![0u8; BLOCK];
    let mut group = vec![0u64; BLOCK];
    let mut weight = vec![1u64; BLOCK];
    let mut start = range.start;
    while start < range.end {
        let end = (start + BLOCK).min(range.end);
        let len = end - start;
        pass_block(plan, ids, start..end, &mut pass);
        group[..len].fill(0);
        for (column, table, n) in &plan.groups {
            let n = *n;
            each_code!(&column.codes, start..end, |j, code| group[j] =
                group[j] * n + table[code] as u64);
        }
        if let Some((column, table)) = &plan.weights {
            each_code!(&column.codes, start..end, |j, code| weight[j] = table[code]);
        }
        match &mut counts {
            Counts::Dense(c) => {
                for j in 0..len {
                    c[group[j] as usize] += u64::from(pass[j]) * weight[j];
                }
            }
            Counts::Sparse(m) => {
                for j in 0..len {
                    if pass[j] == 1 {
                        *m.entry(group[j]).or_default() += weight[j];
                    }
                }
            }
        }
        start = end;
    }
    counts
}

/// Splits `0..rows` between up to `threads` threads and adds up their counters.
fn scan_all(plan: &Plan, ids: &[i64], rows: usize, threads: usize) -> Counts {
    let threads = if rows < PARALLEL_FROM {
        1
    } else {
        threads.clamp(1, 8)
    };
    if threads == 1 {
        return scan(plan, ids, 0..rows);
    }
    let per = rows.div_ceil(threads).next_multiple_of(BLOCK);
    let mut parts: Vec<Counts> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..threads)
            .map(|t| {
                let range = (t * per).min(rows)..((t + 1) * per).min(rows);
                s.spawn(move || scan(plan, ids, range))
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("a scan does not panic"))
            .collect()
    });
    let mut total = parts.remove(0);
    for p in parts {
        total.merge(p);
    }
    total
}

/// Runs `query` over the rows `clearance` allows (see [`StatsResult`] for the order),
/// scanning on up to `threads` threads when the register is large.
pub fn stats(
    columns: &ItemColumns,
    query: &StatsQuery,
    clearance: &Clearance,
    threads: usize,
) -> StatsResult {
    let plan = Plan::new(columns, &query.by, &query.filters, query.weight, clearance);
    let counts = scan_all(&plan, columns.ids(), columns.len(), threads);
    let mut rows: Vec<(Vec<Key>, u64)> = counts
        .non_zero()
        .into_iter()
        .map(|(mut index, count)| {
            let mut key = vec![Key::Null; plan.groups.len()];
            for (f, (_, _, n)) in plan.groups.iter().enumerate().rev() {
                key[f] = plan.group_keys[f][(index % n) as usize].clone();
                index /= n;
            }
            (key, count)
        })
        .collect();
    rows.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    let total: u64 = rows.iter().map(|(_, c)| c).sum();
    let groups = rows
        .into_iter()
        .map(|(key, count)| StatsGroup {
            key: query
                .by
                .iter()
                .zip(&key)
                .map(|(f, k)| (f.name().to_owned(), k.to_json()))
                .collect(),
            count,
            share: if total == 0 {
                0.0
            } else {
                count as f64 / total as f64
            },
        })
        .collect();
    StatsResult { total, groups }
}

/// The rows that pass `filters` and `clearance`, in row order.
pub fn select_rows(
    columns: &ItemColumns,
    filters: &[StatFilter],
    clearance: &Clearance,
) -> Vec<usize> {
    let plan = Plan::new(columns, &[], filters, Weight::Items, clearance);
    let mut rows = Vec::new();
    let mut pass = vec![0u8; BLOCK];
    let mut start = 0;
    while start < columns.len() {
        let end = (start + BLOCK).min(columns.len());
        pass_block(&plan, columns.ids(), start..end, &mut pass);
        rows.extend((start..end).filter(|r| pass[r - start] == 1));
        start = end;
    }
    rows
}
