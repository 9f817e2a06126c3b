//! [`ItemColumns`]: the register as columns of small integer codes, for group-bys over
//! millions of items in milliseconds.
//!
//! Every groupable field is dictionary-encoded: each distinct value gets a code in order
//! of first appearance, code 0 always standing for "missing". Codes are stored in the
//! narrowest width that holds the dictionary (one byte for a field of up to 255 distinct
//! values, two up to 65,535, four beyond), so a column such as `category` costs one byte
//! a row and a scan touches little memory. Text values that differ only in case or
//! spacing ([`fold`]) share one code, shown with the spelling seen first: "the same
//! manufacturer" means the same thing here as in linking.
//!
//! Identifying or free-text fields (`ref`, `serial_number`, `markings`, `notes`) and
//! coordinates are not kept: they are unique per item and nobody cross-tabulates them.
//! Each row keeps its register id and confidentiality, so statistics can hide what a
//! viewer may not see, and whether it is synthetic (see [`is_synthetic`]).

use std::hash::Hash;

use rustc_hash::FxHashMap;

use crate::country::CountryCode;
use crate::date::PartialDate;
use crate::item::{Category, Confidentiality, Item};
use crate::text::fold;

/// One value of a grouped field, as it appears in a statistic's key.
///
/// Keys of one field are all of one kind (or missing), so the order is the natural one:
/// numbers by value, text by its bytes, and missing values last.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Key {
    Int(i64),
    Text(String),
    Null,
}

impl Key {
    /// The key in the contract JSON: a number, a string or `null`.
    pub fn to_json(&self) -> serde_json::Value {
        match self {
            Key::Int(i) => serde_json::Value::from(*i),
            Key::Text(t) => serde_json::Value::from(t.as_str()),
            Key::Null => serde_json::Value::Null,
        }
    }

    /// The key for people: the value, or `(missing)`.
    pub fn label(&self) -> String {
        match self {
            Key::Int(i) => i.to_string(),
            Key::Text(t) => t.clone(),
            Key::Null => "(missing)".to_owned(),
        }
    }

    pub fn is_null(&self) -> bool {
        matches!(self, Key::Null)
    }

    /// The text of a text key.
    pub fn as_str(&self) -> Option<&str> {
        self.as_text()
    }

    pub(crate) fn as_text(&self) -> Option<&str> {
        match self {
            Key::Text(t) => Some(t),
            _ => None,
        }
    }
}

/// Whether a record is synthetic: its `ref` starts with `DEMO-` or its notes contain
/// `SYNTHETIC` (upper case, as the demo and the test data write it). Reports state the
/// share of synthetic items of a selection with this rule.
pub fn is_synthetic(reference: &str, notes: Option<&str>) -> bool {
    reference.starts_with("DEMO-") || notes.is_some_and(|n| n.contains("SYNTHETIC"))
}

/// The stored columns, one per groupable item field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Column {
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
}

pub(crate) const COLUMN_COUNT: usize = 15;

/// Free-text columns, whose values are merged by [`fold`].
const TEXT_COLUMNS: [Column; 8] = [
    Column::ItemType,
    Column::Model,
    Column::Calibre,
    Column::Manufacturer,
    Column::LotNumber,
    Column::RecoveredPlace,
    Column::RecoveredFrom,
    Column::DocumentedBy,
];

/// Codes of one column, in the narrowest width that holds its dictionary.
#[derive(Debug, Clone)]
pub(crate) enum Codes {
    U8(Vec<u8>),
    U16(Vec<u16>),
    U32(Vec<u32>),
}

impl Default for Codes {
    fn default() -> Self {
        Codes::U8(Vec::new())
    }
}

impl Codes {
    fn push(&mut self, code: u32) {
        match self {
            Codes::U8(v) if code <= u8::MAX as u32 => v.push(code as u8),
            Codes::U8(v) => {
                let mut wide: Vec<u16> = Vec::with_capacity(v.capacity().max(v.len() + 1));
                wide.extend(v.iter().map(|&c| c as u16));
                *self = Codes::U16(wide);
                self.push(code);
            }
            Codes::U16(v) if code <= u16::MAX as u32 => v.push(code as u16),
            Codes::U16(v) => {
                let mut wide: Vec<u32> = Vec::with_capacity(v.capacity().max(v.len() + 1));
                wide.extend(v.iter().map(|&c| c as u32));
                *self = Codes::U32(wide);
                self.push(code);
            }
            Codes::U32(v) => v.push(code),
        }
    }

    pub(crate) fn get(&self, row: usize) -> u32 {
        match self {
            Codes::U8(v) => v[row] as u32,
            Codes::U16(v) => v[row] as u32,
            Codes::U32(v) => v[row],
        }
    }

    fn remap(&mut self, new_code: &[u32]) {
        let old = std::mem::take(self);
        let mut out = Codes::default();
        match old {
            Codes::U8(v) => v.iter().for_each(|&c| out.push(new_code[c as usize])),
            Codes::U16(v) => v.iter().for_each(|&c| out.push(new_code[c as usize])),
            Codes::U32(v) => v.iter().for_each(|&c| out.push(new_code[c as usize])),
        }
        *self = out;
    }

    fn shrink(&mut self) {
        match self {
            Codes::U8(v) => v.shrink_to_fit(),
            Codes::U16(v) => v.shrink_to_fit(),
            Codes::U32(v) => v.shrink_to_fit(),
        }
    }

    fn heap_bytes(&self) -> usize {
        match self {
            Codes::U8(v) => v.capacity(),
            Codes::U16(v) => v.capacity() * 2,
            Codes::U32(v) => v.capacity() * 4,
        }
    }
}

/// One column: a code per row and the value of each code (`keys[0]` is [`Key::Null`]).
#[derive(Debug, Clone, Default)]
pub(crate) struct CodeColumn {
    pub(crate) codes: Codes,
    pub(crate) keys: Vec<Key>,
}

/// One item as the columns read it, borrowed: what the store decodes from a row and
/// [`ItemRow::of`] takes from an [`Item`].
#[derive(Debug, Clone, Copy)]
pub struct ItemRow<'a> {
    /// The register's row id.
    pub id: i64,
    pub category: Category,
    pub item_type: Option<&'a str>,
    pub model: Option<&'a str>,
    pub calibre: Option<&'a str>,
    pub manufacturer: Option<&'a str>,
    pub country_of_manufacture: Option<CountryCode>,
    pub year_of_manufacture: Option<i16>,
    pub lot_number: Option<&'a str>,
    pub quantity: Option<u32>,
    pub recovered_on: Option<PartialDate>,
    pub recovered_country: Option<CountryCode>,
    pub recovered_place: Option<&'a str>,
    pub recovered_from: Option<&'a str>,
    pub documented_by: Option<&'a str>,
    pub confidentiality: Confidentiality,
    /// See [`is_synthetic`].
    pub synthetic: bool,
}

impl<'a> ItemRow<'a> {
    /// The row of an item stored under `id`.
    pub fn of(id: i64, item: &'a Item) -> ItemRow<'a> {
        ItemRow {
            id,
            category: item.category,
            item_type: item.item_type.as_deref(),
            model: item.model.as_deref(),
            calibre: item.calibre.as_deref(),
            manufacturer: item.manufacturer.as_deref(),
            country_of_manufacture: item.country_of_manufacture,
            year_of_manufacture: item.year_of_manufacture,
            lot_number: item.lot_number.as_deref(),
            quantity: item.quantity,
            recovered_on: item.recovered_on,
            recovered_country: item.recovered_country,
            recovered_place: item.recovered_place.as_deref(),
            recovered_from: item.recovered_from.as_deref(),
            documented_by: item.documented_by.as_deref(),
            confidentiality: item.confidentiality,
            synthetic: is_synthetic(&item.reference, item.notes.as_deref()),
        }
    }
}

/// Interns text exactly as written; [`ItemColumnsBuilder::finish`] merges folded equals.
#[derive(Default)]
struct TextInterner {
    map: FxHashMap<Box<str>, u32>,
    keys: Vec<Key>,
}

impl TextInterner {
    fn new() -> Self {
        TextInterner {
            map: FxHashMap::default(),
            keys: vec![Key::Null],
        }
    }

    fn code(&mut self, value: Option<&str>) -> u32 {
        let Some(v) = value else { return 0 };
        if let Some(&c) = self.map.get(v) {
            return c;
        }
        let c = self.keys.len() as u32;
        self.keys.push(Key::Text(v.to_owned()));
        self.map.insert(v.into(), c);
        c
    }
}

/// Interns typed values (years, countries, dates, quantities).
struct ValueInterner<K> {
    map: FxHashMap<K, u32>,
    keys: Vec<Key>,
}

impl<K: Hash + Eq + Copy> ValueInterner<K> {
    fn new() -> Self {
        ValueInterner {
            map: FxHashMap::default(),
            keys: vec![Key::Null],
        }
    }

    fn code(&mut self, value: Option<K>, key: impl FnOnce(K) -> Key) -> u32 {
        let Some(v) = value else { return 0 };
        if let Some(&c) = self.map.get(&v) {
            return c;
        }
        let c = self.keys.len() as u32;
        self.keys.push(key(v));
        self.map.insert(v, c);
        c
    }
}

/// Collects rows into [`ItemColumns`]: `ItemColumns::builder()`, [`push`](Self::push)
/// or [`push_row`](Self::push_row) each item, then [`finish`](Self::finish).
pub struct ItemColumnsBuilder {
    ids: Vec<i64>,
    synthetic: Vec<u64>,
    codes: [Codes; COLUMN_COUNT],
    text: [TextInterner; TEXT_COLUMNS.len()],
    countries: [ValueInterner<CountryCode>; 2],
    years: ValueInterner<i16>,
    quantities: ValueInterner<u32>,
    dates: ValueInterner<PartialDate>,
}

impl Default for ItemColumnsBuilder {
    fn default() -> Self {
        ItemColumnsBuilder {
            ids: Vec::new(),
            synthetic: Vec::new(),
            codes: Default::default(),
            text: std::array::from_fn(|_| TextInterner::new()),
            countries: [ValueInterner::new(), ValueInterner::new()],
            years: ValueInterner::new(),
            quantities: ValueInterner::new(),
            dates: ValueInterner::new(),
        }
    }
}

fn country_key(c: CountryCode) -> Key {
    Key::Text(c.as_str().to_owned())
}

impl ItemColumnsBuilder {
    /// Room for `rows` rows (a hint).
    pub fn reserve(&mut self, rows: usize) {
        self.ids.reserve(rows);
        for c in &mut self.codes {
            if let Codes::U8(v) = c {
                v.reserve(rows);
            }
        }
    }

    /// Adds an item stored under `id`.
    pub fn push(&mut self, id: i64, item: &Item) {
        self.push_row(&ItemRow::of(id, item));
    }

    /// Adds one row.
    pub fn push_row(&mut self, row: &ItemRow<'_>) {
        let n = self.ids.len();
        self.ids.push(row.id);
        if n.is_multiple_of(64) {
            self.synthetic.push(0);
        }
        if row.synthetic {
            self.synthetic[n / 64] |= 1 << (n % 64);
        }
        let category = Category::ALL
            .iter()
            .position(|c| *c == row.category)
            .expect("every category is listed") as u32
            + 1;
        let level = Confidentiality::ALL
            .iter()
            .position(|c| *c == row.confidentiality)
            .expect("every level is listed") as u32
            + 1;
        let texts = [
            row.item_type,
            row.model,
            row.calibre,
            row.manufacturer,
            row.lot_number,
            row.recovered_place,
            row.recovered_from,
            row.documented_by,
        ];
        for (i, column) in TEXT_COLUMNS.iter().enumerate() {
            let code = self.text[i].code(texts[i]);
            self.codes[*column as usize].push(code);
        }
        let [made_in, recovered_in] = &mut self.countries;
        let code = made_in.code(row.country_of_manufacture, country_key);
        self.codes[Column::CountryOfManufacture as usize].push(code);
        let code = recovered_in.code(row.recovered_country, country_key);
        self.codes[Column::RecoveredCountry as usize].push(code);
        let code = self
            .years
            .code(row.year_of_manufacture, |y| Key::Int(y.into()));
        self.codes[Column::YearOfManufacture as usize].push(code);
        let code = self.quantities.code(row.quantity, |q| Key::Int(q.into()));
        self.codes[Column::Quantity as usize].push(code);
        let code = self
            .dates
            .code(row.recovered_on, |d| Key::Text(d.to_string()));
        self.codes[Column::RecoveredOn as usize].push(code);
        self.codes[Column::Category as usize].push(category);
        self.codes[Column::Confidentiality as usize].push(level);
    }

    /// The finished columns. Text values equal under [`fold`] are merged here, once per
    /// distinct value, rather than folded on every row.
    pub fn finish(self) -> ItemColumns {
        let ItemColumnsBuilder {
            ids,
            synthetic,
            mut codes,
            text,
            countries,
            years,
            quantities,
            dates,
        } = self;
        let mut keys: [Vec<Key>; COLUMN_COUNT] = Default::default();
        keys[Column::Category as usize] = std::iter::once(Key::Null)
            .chain(
                Category::ALL
                    .iter()
                    .map(|c| Key::Text(c.as_str().to_owned())),
            )
            .collect();
        keys[Column::Confidentiality as usize] = std::iter::once(Key::Null)
            .chain(
                Confidentiality::ALL
                    .iter()
                    .map(|c| Key::Text(c.as_str().to_owned())),
            )
            .collect();
        let [made_in, recovered_in] = countries;
        keys[Column::CountryOfManufacture as usize] = made_in.keys;
        keys[Column::RecoveredCountry as usize] = recovered_in.keys;
        keys[Column::YearOfManufacture as usize] = years.keys;
        keys[Column::Quantity as usize] = quantities.keys;
        keys[Column::RecoveredOn as usize] = dates.keys;
        for (interner, column) in text.into_iter().zip(TEXT_COLUMNS) {
            let (merged, new_code) = merge_folded(interner.keys);
            if let Some(new_code) = new_code {
                codes[column as usize].remap(&new_code);
            }
            keys[column as usize] = merged;
        }
        let mut columns = Vec::with_capacity(COLUMN_COUNT);
        for (mut codes, keys) in codes.into_iter().zip(keys) {
            codes.shrink();
            columns.push(CodeColumn { codes, keys });
        }
        let sorted = ids.windows(2).all(|w| w[0] < w[1]);
        let mut ids = ids;
        ids.shrink_to_fit();
        ItemColumns {
            ids,
            sorted,
            synthetic,
            columns,
        }
    }
}

/// Merges text keys equal under [`fold`], keeping the first spelling. Returns the merged
/// keys and, when anything merged, the new code of every old code.
fn merge_folded(keys: Vec<Key>) -> (Vec<Key>, Option<Vec<u32>>) {
    let mut seen: FxHashMap<String, u32> = FxHashMap::default();
    let mut new_code = Vec::with_capacity(keys.len());
    let mut merged = Vec::with_capacity(keys.len());
    for key in keys {
        let code = match key.as_text() {
            None => {
                merged.push(key);
                merged.len() as u32 - 1
            }
            Some(t) => *seen.entry(fold(t)).or_insert_with(|| {
                merged.push(key.clone());
                merged.len() as u32 - 1
            }),
        };
        new_code.push(code);
    }
    let changed = merged.len() != new_code.len();
    (merged, changed.then_some(new_code))
}

/// The register as dictionary-encoded columns. Build with [`ItemColumns::builder`];
/// query with [`stats`](super::stats).
#[derive(Debug, Clone)]
pub struct ItemColumns {
    ids: Vec<i64>,
    /// Whether `ids` is strictly increasing (rows pushed in id order), for lookups.
    sorted: bool,
    /// Bit `i` of word `i / 64`: row `i` is synthetic.
    synthetic: Vec<u64>,
    pub(crate) columns: Vec<CodeColumn>,
}

impl ItemColumns {
    pub fn builder() -> ItemColumnsBuilder {
        ItemColumnsBuilder::default()
    }

    /// Columns of `items`, with ids 1, 2, … in order (for tests and small registers).
    pub fn from_items<'a>(items: impl IntoIterator<Item = &'a Item>) -> ItemColumns {
        let mut b = ItemColumns::builder();
        for (i, item) in items.into_iter().enumerate() {
            b.push(i as i64 + 1, item);
        }
        b.finish()
    }

    /// Number of rows.
    pub fn len(&self) -> usize {
        self.ids.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }

    /// The register id of every row, in row order.
    pub fn ids(&self) -> &[i64] {
        &self.ids
    }

    /// The row holding register id `id`.
    pub fn row_of(&self, id: i64) -> Option<usize> {
        if self.sorted {
            self.ids.binary_search(&id).ok()
        } else {
            self.ids.iter().position(|&i| i == id)
        }
    }

    /// Whether row `row` is synthetic ([`is_synthetic`]).
    pub fn is_synthetic(&self, row: usize) -> bool {
        self.synthetic[row / 64] >> (row % 64) & 1 == 1
    }

    /// The confidentiality of row `row`.
    pub fn confidentiality(&self, row: usize) -> Confidentiality {
        let code = self.column(Column::Confidentiality).codes.get(row);
        Confidentiality::ALL[code as usize - 1]
    }

    /// The value of `field` at row `row`, as statistics group it.
    pub fn key(&self, row: usize, field: super::StatField) -> Key {
        let column = self.column(field.column());
        field.derive(&column.keys[column.codes.get(row) as usize])
    }

    /// Memory held by the columns and their dictionaries, in bytes.
    pub fn heap_bytes(&self) -> usize {
        let keys: usize = self
            .columns
            .iter()
            .flat_map(|c| &c.keys)
            .map(|k| {
                std::mem::size_of::<Key>()
                    + match k {
                        Key::Text(t) => t.capacity(),
                        _ => 0,
                    }
            })
            .sum();
        self.ids.capacity() * 8
            + self.synthetic.capacity() * 8
            + self
                .columns
                .iter()
                .map(|c| c.codes.heap_bytes())
                .sum::<usize>()
            + keys
    }

    pub(crate) fn column(&self, column: Column) -> &CodeColumn {
        &self.columns[column as usize]
    }
}
