//! The two reference tables behind identification, compiled into the binary:
//! `data/headstamps.csv` (ammunition headstamp codes) and `data/models.csv` (weapon model
//! designations), each with its public sources in its header comments.
//!
//! Each table is parsed once, on first use, into typed rows; a row that does not parse is a
//! data bug that the tests catch, so the lazy statics panic with every row error rather
//! than serve a partial table. This module only reads and indexes the tables: it does not
//! interpret markings, and it reads nothing but the embedded text.

use std::collections::HashMap;
use std::fmt;
use std::str::FromStr;
use std::sync::LazyLock;

use serde::Serialize;

use crate::country::CountryCode;

pub(super) const HEADSTAMPS_CSV: &str = include_str!("../../../../data/headstamps.csv");
pub(super) const MODELS_CSV: &str = include_str!("../../../../data/models.csv");

const HEADSTAMP_COLUMNS: [&str; 9] = [
    "code",
    "factory",
    "country",
    "former_country",
    "former_until",
    "calibres",
    "years",
    "notes",
    "source",
];

const MODEL_COLUMNS: [&str; 9] = [
    "model",
    "aliases",
    "category",
    "country",
    "manufacturer",
    "calibre",
    "single_source",
    "notes",
    "source",
];

/// One ammunition headstamp code and the factory it is attributed to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Headstamp {
    /// The code as stamped: `539`, `LC`, `S&B`.
    pub code: String,
    pub factory: String,
    /// The state the factory is in today.
    pub country: CountryCode,
    /// The state it was in before a succession (Soviet Union, Yugoslavia, Czechoslovakia).
    pub former_country: Option<CountryCode>,
    /// The last year under `former_country`.
    pub former_until: Option<i16>,
    /// Typical calibres, as in the table (`7.62x39mm`); informative, never exhaustive.
    pub calibres: Vec<String>,
    /// First year the code is known in use, when the table says.
    pub first_year: Option<i16>,
    /// Last year the code is known in use, when the table says.
    pub last_year: Option<i16>,
    pub notes: String,
    pub source: String,
}

impl Headstamp {
    /// The state the factory was in during `year`; today's state when the year is unknown.
    pub fn country_in(&self, year: Option<i16>) -> CountryCode {
        match (self.former_country, self.former_until, year) {
            (Some(former), Some(until), Some(y)) if y <= until => former,
            _ => self.country,
        }
    }

    /// Whether `year` lies outside the years the table gives for this code.
    pub fn outside_known_years(&self, year: i16) -> bool {
        self.first_year.is_some_and(|f| year < f) || self.last_year.is_some_and(|l| year > l)
    }
}

macro_rules! model_categories {
    ($($variant:ident = $text:literal, $label:literal;)+) => {
        /// What kind of weapon a model designation names.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
        #[serde(rename_all = "snake_case")]
        pub enum ModelCategory { $($variant),+ }

        impl ModelCategory {
            pub const ALL: &'static [ModelCategory] = &[$(ModelCategory::$variant),+];

            /// The value used in the table and in JSON.
            pub fn as_str(&self) -> &'static str {
                match self { $(ModelCategory::$variant => $text),+ }
            }

            /// The category in words, for people.
            pub fn label(&self) -> &'static str {
                match self { $(ModelCategory::$variant => $label),+ }
            }
        }
    };
}

model_categories! {
    AssaultRifle = "assault_rifle", "assault rifle";
    BattleRifle = "battle_rifle", "battle rifle";
    Carbine = "carbine", "carbine";
    SniperRifle = "sniper_rifle", "sniper rifle";
    Pistol = "pistol", "pistol";
    SubmachineGun = "submachine_gun", "submachine gun";
    LightMachineGun = "light_machine_gun", "light machine gun";
    GeneralPurposeMachineGun = "general_purpose_machine_gun", "general-purpose machine gun";
    HeavyMachineGun = "heavy_machine_gun", "heavy machine gun";
    GrenadeLauncher = "grenade_launcher", "grenade launcher";
    RocketLauncher = "rocket_launcher", "shoulder-fired rocket launcher";
    RecoillessGun = "recoilless_gun", "recoilless gun";
    Atgm = "atgm", "anti-tank guided missile";
    Manpads = "manpads", "man-portable air-defence system";
    Mortar = "mortar", "mortar";
    RocketArtillery = "rocket_artillery", "multiple rocket launcher";
    HandGrenade = "hand_grenade", "hand grenade";
}

impl fmt::Display for ModelCategory {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for ModelCategory {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        let wanted = s.trim();
        Self::ALL
            .iter()
            .copied()
            .find(|c| c.as_str() == wanted)
            .ok_or_else(|| {
                let all: Vec<&str> = Self::ALL.iter().map(|c| c.as_str()).collect();
                format!("is not one of {}", all.join(", "))
            })
    }
}

/// One weapon model designation with its aliases.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Model {
    /// The designation as usually written: `AK-47`, `9M113 Konkurs`.
    pub model: String,
    pub aliases: Vec<String>,
    pub category: ModelCategory,
    /// The country of design (for a copy with its own designation, the copying country).
    pub country: CountryCode,
    /// The original or principal manufacturer, when one can be named.
    pub manufacturer: Option<String>,
    pub calibre: Option<String>,
    /// Every weapon with this designation was made in `country` (by `manufacturer`, when
    /// given), as far as the sources show. Only then does a model name say where a weapon
    /// was made.
    pub single_source: bool,
    pub notes: String,
    pub source: String,
}

/// A row of a reference table that does not parse.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{table} line {line}, column {column}: {message}")]
pub struct TableError {
    pub table: &'static str,
    pub line: u64,
    pub column: &'static str,
    pub message: String,
}

/// Lookup key shared by the tables and the marking reader: lowercase letters and digits
/// only, so `AK-47`, `ak 47` and `AK47` meet, and `S&B` meets `SB`.
pub(super) fn key(s: &str) -> String {
    s.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

/// Reads CSV rows, checking the header, and hands each row's fields to `row`.
fn read_rows<T>(
    table: &'static str,
    text: &str,
    columns: &'static [&'static str],
    mut row: impl FnMut(&[&str], &mut RowErrors) -> Option<T>,
) -> Result<Vec<T>, Vec<TableError>> {
    let mut reader = csv::ReaderBuilder::new()
        .comment(Some(b'#'))
        .from_reader(text.as_bytes());
    let fail = |line: u64, column: &'static str, message: String| TableError {
        table,
        line,
        column,
        message,
    };
    let header: Vec<String> = match reader.headers() {
        Ok(h) => h.iter().map(str::to_owned).collect(),
        Err(e) => return Err(vec![fail(1, "header", e.to_string())]),
    };
    if header
        .iter()
        .map(String::as_str)
        .ne(columns.iter().copied())
    {
        let message = format!("columns must be {}", columns.join(","));
        return Err(vec![fail(1, "header", message)]);
    }
    let mut rows = Vec::new();
    let mut errors = Vec::new();
    for record in reader.records() {
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                let line = e.position().map_or(0, |p| p.line());
                errors.push(fail(line, "row", e.to_string()));
                continue;
            }
        };
        let line = record.position().map_or(0, |p| p.line());
        let fields: Vec<&str> = record.iter().map(str::trim).collect();
        let mut row_errors = RowErrors {
            columns,
            found: Vec::new(),
        };
        let parsed = row(&fields, &mut row_errors);
        if row_errors.found.is_empty() {
            rows.extend(parsed);
        } else {
            errors.extend(
                row_errors
                    .found
                    .into_iter()
                    .map(|(column, message)| fail(line, column, message)),
            );
        }
    }
    if errors.is_empty() {
        Ok(rows)
    } else {
        Err(errors)
    }
}

/// The problems found in one row, by column.
struct RowErrors {
    columns: &'static [&'static str],
    found: Vec<(&'static str, String)>,
}

impl RowErrors {
    fn fail(&mut self, index: usize, message: impl Into<String>) {
        self.found.push((self.columns[index], message.into()));
    }

    fn required<'a>(&mut self, fields: &[&'a str], index: usize) -> &'a str {
        let value = fields[index];
        if value.is_empty() {
            self.fail(index, "is required");
        }
        value
    }

    fn country(&mut self, fields: &[&str], index: usize) -> Option<CountryCode> {
        let value = fields[index];
        if value.is_empty() {
            return None;
        }
        // Tables use exact codes, never names, so that a row reads the same to everyone.
        match CountryCode::parse(value) {
            Ok(c) if c.as_str() == value => Some(c),
            _ => {
                self.fail(index, format!("{value:?} is not an ISO 3166 alpha-2 code"));
                None
            }
        }
    }

    fn year(&mut self, index: usize, value: &str) -> Option<i16> {
        if value.is_empty() {
            return None;
        }
        match value.parse::<i16>() {
            Ok(y) if (1800..=2100).contains(&y) => Some(y),
            _ => {
                self.fail(index, format!("{value:?} is not a year"));
                None
            }
        }
    }
}

fn optional(value: &str) -> Option<String> {
    (!value.is_empty()).then(|| value.to_owned())
}

fn list(value: &str) -> Vec<String> {
    value
        .split('|')
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .map(str::to_owned)
        .collect()
}

/// Parses the headstamp table, reporting every bad row.
pub(super) fn parse_headstamps(text: &str) -> Result<Vec<Headstamp>, Vec<TableError>> {
    read_rows("data/headstamps.csv", text, &HEADSTAMP_COLUMNS, |f, e| {
        let code = e.required(f, 0);
        if !code.is_empty() && key(code).is_empty() {
            e.fail(0, "must contain a letter or digit");
        }
        let factory = e.required(f, 1);
        if f[2].is_empty() {
            e.fail(2, "is required");
        }
        let country = e.country(f, 2);
        let former_country = e.country(f, 3);
        let former_until = e.year(4, f[4]);
        if former_country.is_some() != former_until.is_some() {
            e.fail(4, "former_country and former_until go together");
        }
        let (first_year, last_year) = match f[6].split_once('-') {
            None if f[6].is_empty() => (None, None),
            None => {
                e.fail(6, "must be FROM-TO, FROM- or -TO");
                (None, None)
            }
            Some((from, to)) => (e.year(6, from.trim()), e.year(6, to.trim())),
        };
        let source = e.required(f, 8);
        Some(Headstamp {
            code: code.to_owned(),
            factory: factory.to_owned(),
            country: country?,
            former_country,
            former_until,
            calibres: list(f[5]),
            first_year,
            last_year,
            notes: f[7].to_owned(),
            source: source.to_owned(),
        })
    })
}

/// Parses the model table, reporting every bad row.
pub(super) fn parse_models(text: &str) -> Result<Vec<Model>, Vec<TableError>> {
    read_rows("data/models.csv", text, &MODEL_COLUMNS, |f, e| {
        let model = e.required(f, 0);
        let aliases = list(f[1]);
        if aliases.iter().any(|a| key(a).is_empty()) {
            e.fail(1, "every alias must contain a letter or digit");
        }
        let category = match f[2].parse::<ModelCategory>() {
            Ok(c) => Some(c),
            Err(message) => {
                e.fail(2, format!("{:?} {message}", f[2]));
                None
            }
        };
        if f[3].is_empty() {
            e.fail(3, "is required");
        }
        let country = e.country(f, 3);
        let single_source = match f[6] {
            "yes" => true,
            "" => false,
            other => {
                e.fail(6, format!("{other:?} must be yes or empty"));
                false
            }
        };
        let source = e.required(f, 8);
        Some(Model {
            model: model.to_owned(),
            aliases,
            category: category?,
            country: country?,
            manufacturer: optional(f[4]),
            calibre: optional(f[5]),
            single_source,
            notes: f[7].to_owned(),
            source: source.to_owned(),
        })
    })
}

pub(super) struct HeadstampTable {
    pub rows: Vec<Headstamp>,
    /// Code key to row indices (a code may belong to more than one factory).
    pub by_code: HashMap<String, Vec<usize>>,
}

pub(super) struct ModelTable {
    pub rows: Vec<Model>,
    /// Designation or alias key to row indices (an alias may name more than one model).
    pub by_designation: HashMap<String, Vec<usize>>,
    /// The most tokens any designation spans, to bound the marking reader's windows.
    pub longest: usize,
}

pub(super) static HEADSTAMPS: LazyLock<HeadstampTable> = LazyLock::new(|| {
    let rows = parse_headstamps(HEADSTAMPS_CSV).unwrap_or_else(|errors| panic!("{errors:#?}"));
    let mut by_code: HashMap<String, Vec<usize>> = HashMap::new();
    for (i, row) in rows.iter().enumerate() {
        by_code.entry(key(&row.code)).or_default().push(i);
    }
    HeadstampTable { rows, by_code }
});

pub(super) static MODELS: LazyLock<ModelTable> = LazyLock::new(|| {
    let rows = parse_models(MODELS_CSV).unwrap_or_else(|errors| panic!("{errors:#?}"));
    let mut by_designation: HashMap<String, Vec<usize>> = HashMap::new();
    let mut longest = 1;
    for (i, row) in rows.iter().enumerate() {
        for name in std::iter::once(&row.model).chain(&row.aliases) {
            let indices = by_designation.entry(key(name)).or_default();
            if !indices.contains(&i) {
                indices.push(i);
            }
            longest = longest.max(super::marking::tokens(name).len());
        }
    }
    ModelTable {
        rows,
        by_designation,
        longest,
    }
});

/// Every headstamp code in the table, in table order.
pub fn headstamps() -> &'static [Headstamp] {
    &HEADSTAMPS.rows
}

/// Every model designation in the table, in table order.
pub fn models() -> &'static [Model] {
    &MODELS.rows
}
