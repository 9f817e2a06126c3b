//! Reading an input file into canonical records: one string per canonical field.
//!
//! CSV (the canonical header, or any header with a mapping file), JSON Lines (one object
//! per line, keys named like CSV columns), XLSX (first sheet, header in the first row)
//! and SIPRI's trade-register exports (transfers only; read by
//! [`armtrace_core::sipri`], rows numbered by the file's lines) all end up as the same
//! [`SourceRow`]s. Whole-file problems (no key column, unknown
//! columns) fail early with [`StoreError::Input`]; problems of one row become a
//! [`RowError`] naming the row and continue.

use std::collections::{HashMap, HashSet};
use std::io::{BufRead, BufReader, Read};
use std::path::Path;

use armtrace_core::sipri::{self, LineError};
use armtrace_core::{PartialDate, RowError, TRANSFER_FIELDS};
use csv::StringRecord;
use serde::Deserialize;

use super::input::{DigestReader, ImportInput, InputDigest};
use crate::error::{Result, StoreError};

/// An input file format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Csv,
    Jsonl,
    Xlsx,
    /// An export of the SIPRI Arms Transfers Database (either layout), transfers only.
    /// Its rows are numbered by the file's lines, so a problem's `row` is the line to
    /// open in an editor (the preamble and the header count).
    Sipri,
}

impl Format {
    /// Guesses the format from a file name's extension.
    pub fn from_path(path: &Path) -> Option<Format> {
        let ext = path.extension()?.to_str()?.to_ascii_lowercase();
        match ext.as_str() {
            "csv" | "txt" => Some(Format::Csv),
            "jsonl" | "ndjson" | "json" => Some(Format::Jsonl),
            "xlsx" | "xlsm" | "xls" | "ods" => Some(Format::Xlsx),
            _ => None,
        }
    }

    pub fn as_str(&self) -> &'static str {
        match self {
            Format::Csv => "csv",
            Format::Jsonl => "jsonl",
            Format::Xlsx => "xlsx",
            Format::Sipri => "sipri",
        }
    }
}

impl std::str::FromStr for Format {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s.to_ascii_lowercase().as_str() {
            "csv" => Ok(Format::Csv),
            "jsonl" | "ndjson" => Ok(Format::Jsonl),
            "xlsx" => Ok(Format::Xlsx),
            "sipri" => Ok(Format::Sipri),
            other => Err(format!(
                "{other:?} is not a format: use csv, jsonl, xlsx or sipri (an export of the SIPRI Arms Transfers Database)"
            )),
        }
    }
}

/// Renames a file's columns to canonical fields.
///
/// A mapping file is TOML:
/// ```toml
/// # columns to leave out
/// ignore = ["Photo link"]
/// # source column = canonical field
/// [columns]
/// "Serial No." = "serial_number"
/// "Date found" = "recovered_on"
/// ```
///
/// `ignore` may also stand inside `[columns]` (where a natural reading of the layout
/// above puts it): a list there is taken as the columns to leave out.
#[derive(Debug, Clone, Default)]
pub struct Mapping {
    pub columns: HashMap<String, String>,
    pub ignore: Vec<String>,
}

/// The file as written, before `ignore` inside `[columns]` is lifted out.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct MappingFile {
    #[serde(default)]
    columns: HashMap<String, toml::Value>,
    #[serde(default)]
    ignore: Vec<String>,
}

impl Mapping {
    pub fn load(path: &Path) -> Result<Mapping> {
        let text = std::fs::read_to_string(path).map_err(|source| StoreError::Read {
            path: path.to_owned(),
            source,
        })?;
        let bad = |e: String| {
            StoreError::Input(format!(
                "mapping file {}: {e}\nExpected:\nignore = [\"Column to leave out\"]\n[columns]\n\"Your column\" = \"canonical_field\"",
                path.display()
            ))
        };
        let file: MappingFile = toml::from_str(&text).map_err(|e| bad(e.to_string()))?;
        let mut mapping = Mapping {
            columns: HashMap::new(),
            ignore: file.ignore,
        };
        for (source, target) in file.columns {
            match target {
                toml::Value::String(t) => {
                    mapping.columns.insert(source, t);
                }
                toml::Value::Array(list) if source == "ignore" => {
                    for v in list {
                        match v {
                            toml::Value::String(c) => mapping.ignore.push(c),
                            other => {
                                return Err(bad(format!("ignore lists column names, not {other}")));
                            }
                        }
                    }
                }
                other => {
                    return Err(bad(format!(
                        "column {source:?} maps to {other}: give the canonical field name as a string"
                    )));
                }
            }
        }
        Ok(mapping)
    }
}

/// How the columns of one input file become canonical fields.
#[derive(Debug, Clone)]
pub(crate) struct ColumnPlan {
    /// For each canonical field, the source column index (if the file has it).
    pub source_of: Vec<Option<usize>>,
    /// For each canonical field, the column name to use in error messages.
    pub display_name: Vec<String>,
}

impl ColumnPlan {
    /// Resolves a header against the canonical fields, a mapping and the unknown-column rule.
    pub fn resolve(
        header: &[String],
        fields: &[&'static str],
        required: &[&'static str],
        mapping: Option<&Mapping>,
        ignore_unknown: bool,
    ) -> Result<ColumnPlan> {
        let mut source_of = vec![None; fields.len()];
        let mut display_name: Vec<String> = fields.iter().map(|f| (*f).to_owned()).collect();
        let ignored: HashSet<&str> = mapping
            .map(|m| m.ignore.iter().map(String::as_str).collect())
            .unwrap_or_default();
        if let Some(m) = mapping {
            for target in m.columns.values() {
                if !target.is_empty() && !fields.contains(&target.as_str()) {
                    return Err(StoreError::Input(format!(
                        "the mapping names {target:?}, which is not a canonical field; canonical fields are: {}",
                        fields.join(", ")
                    )));
                }
            }
        }
        let mut unknown = Vec::new();
        for (i, raw_name) in header.iter().enumerate() {
            let name = raw_name.trim();
            if name.is_empty() || ignored.contains(name) {
                continue;
            }
            let target = match mapping.and_then(|m| m.columns.get(name)) {
                Some(t) if t.is_empty() => continue,
                Some(t) => t.as_str(),
                None => name,
            };
            match fields.iter().position(|f| *f == target) {
                Some(f) => {
                    if let Some(previous) = source_of[f] {
                        return Err(StoreError::Input(format!(
                            "columns {:?} and {:?} both give field {target}; keep one or map the other elsewhere",
                            header[previous], raw_name
                        )));
                    }
                    source_of[f] = Some(i);
                    display_name[f] = name.to_owned();
                }
                None if ignore_unknown => {}
                None => unknown.push(name.to_owned()),
            }
        }
        if !unknown.is_empty() {
            return Err(StoreError::Input(format!(
                "unknown column{} {}: map {} with --mapping FILE, or pass --ignore-unknown to leave {} out. Canonical fields are: {}",
                if unknown.len() == 1 { "" } else { "s" },
                unknown
                    .iter()
                    .map(|u| format!("{u:?}"))
                    .collect::<Vec<_>>()
                    .join(", "),
                if unknown.len() == 1 { "it" } else { "them" },
                if unknown.len() == 1 { "it" } else { "them" },
                fields.join(", ")
            )));
        }
        for req in required {
            let f = fields
                .iter()
                .position(|f| f == req)
                .expect("required is a field");
            if source_of[f].is_none() {
                return Err(StoreError::Input(format!(
                    "the file has no {req} column, which every record needs; found columns: {}",
                    header.join(", ")
                )));
            }
        }
        Ok(ColumnPlan {
            source_of,
            display_name,
        })
    }

    /// The canonical field values of a source record.
    pub fn values<'r>(&self, source: &'r StringRecord) -> Vec<&'r str> {
        self.source_of
            .iter()
            .map(|s| s.and_then(|i| source.get(i)).unwrap_or(""))
            .collect()
    }
}

/// One data row as read (columns in the file's order; see [`ColumnPlan::values`]), or
/// a problem reading it.
pub(crate) enum SourceRow {
    Values { row: u64, record: StringRecord },
    Unreadable(RowError),
}

/// Streams canonical rows from an input, reporting bytes consumed.
pub(crate) struct Source {
    pub plan: ColumnPlan,
    pub total_bytes: u64,
    /// The SHA-256 of the input, complete once every row has been read.
    pub digest: InputDigest,
    rows: Box<dyn Iterator<Item = (SourceRow, u64)> + Send>,
}

impl Source {
    pub fn open(
        input: ImportInput,
        format: Format,
        fields: &[&'static str],
        required: &[&'static str],
        mapping: Option<&Mapping>,
        ignore_unknown: bool,
    ) -> Result<Source> {
        let name = input.name().to_owned();
        let (reader, length, digest) = input.open()?;
        let total_bytes = length.unwrap_or(0);
        let read_err = |e: std::io::Error| StoreError::Input(format!("cannot read {name}: {e}"));
        match format {
            Format::Csv => {
                let mut reader = csv::ReaderBuilder::new()
                    .flexible(false)
                    .buffer_capacity(1 << 20)
                    .from_reader(Box::new(reader) as Box<dyn Read + Send>);
                let header: Vec<String> = reader
                    .headers()
                    .map_err(|e| {
                        StoreError::Input(format!("cannot read the CSV header of {name}: {e}"))
                    })?
                    .iter()
                    .map(str::to_owned)
                    .collect();
                if looks_like_sipri(&header) {
                    return Err(StoreError::Input(format!(
                        "{name} looks like an export of the SIPRI Arms Transfers Database: import it with `armtrace import transfers {name} --format sipri`"
                    )));
                }
                let plan = ColumnPlan::resolve(&header, fields, required, mapping, ignore_unknown)?;
                let rows = csv_rows(reader, header.len());
                Ok(Source {
                    plan,
                    total_bytes,
                    digest,
                    rows: Box::new(rows),
                })
            }
            Format::Jsonl => {
                let rows = jsonl_rows(
                    BufReader::with_capacity(1 << 20, reader),
                    fields,
                    mapping,
                    ignore_unknown,
                );
                let mut display_name: Vec<String> =
                    fields.iter().map(|f| (*f).to_owned()).collect();
                if let Some(m) = mapping {
                    for (src, target) in &m.columns {
                        if let Some(f) = fields.iter().position(|f| f == target) {
                            display_name[f] = src.clone();
                        }
                    }
                }
                let plan = ColumnPlan {
                    source_of: (0..fields.len()).map(Some).collect(),
                    display_name,
                };
                Ok(Source {
                    plan,
                    total_bytes,
                    digest,
                    rows: Box::new(rows),
                })
            }
            Format::Sipri => {
                let bytes = read_all(reader, length).map_err(read_err)?;
                sipri_source(&name, bytes, digest, fields, mapping)
            }
            Format::Xlsx => {
                let bytes = read_all(reader, length).map_err(read_err)?;
                let total_bytes = bytes.len() as u64;
                let (header, data) = read_xlsx(&name, bytes)?;
                let plan = ColumnPlan::resolve(&header, fields, required, mapping, ignore_unknown)?;
                let total = data.len().max(1) as u64;
                let rows = data
                    .into_iter()
                    .enumerate()
                    // Spreadsheets often carry blank formatted rows: they are not data,
                    // and rows count data records (as in CSV and JSON Lines).
                    .filter(|(_, record)| record.iter().any(|v| !v.trim().is_empty()))
                    .enumerate()
                    .map(move |(n, (i, record))| {
                        (
                            SourceRow::Values {
                                row: n as u64 + 1,
                                record,
                            },
                            total_bytes * (i as u64 + 1) / total,
                        )
                    });
                Ok(Source {
                    plan,
                    total_bytes,
                    digest,
                    rows: Box::new(rows),
                })
            }
        }
    }
}

/// The whole input in memory (formats read whole: a workbook, a SIPRI export).
fn read_all(mut reader: DigestReader, length: Option<u64>) -> std::io::Result<Vec<u8>> {
    let mut bytes = Vec::with_capacity(length.unwrap_or(0).min(1 << 30) as usize);
    reader.read_to_end(&mut bytes)?;
    Ok(bytes)
}

/// A SIPRI export: parsed whole (the core needs the header, which follows a preamble,
/// and the classic layout's references depend on the rows before), then streamed.
fn sipri_source(
    name: &str,
    bytes: Vec<u8>,
    digest: InputDigest,
    fields: &[&'static str],
    mapping: Option<&Mapping>,
) -> Result<Source> {
    if fields != TRANSFER_FIELDS.as_slice() {
        return Err(StoreError::Input(
            "--format sipri reads the SIPRI Arms Transfers Database, which holds transfers: use `armtrace import transfers FILE --format sipri`".to_owned(),
        ));
    }
    if mapping.is_some() {
        return Err(StoreError::Input(
            "a SIPRI export has a fixed layout that armtrace reads as it is: leave out --mapping"
                .to_owned(),
        ));
    }
    let total_bytes = bytes.len() as u64;
    let export =
        sipri::parse_export(&bytes).map_err(|e| StoreError::Input(format!("{name}: {e}")))?;
    let plan = ColumnPlan {
        source_of: (0..fields.len()).map(Some).collect(),
        display_name: export
            .style
            .column_names()
            .iter()
            .map(|c| (*c).to_owned())
            .collect(),
    };
    let lines = export.lines.len().max(1) as u64;
    let rows = export.lines.into_iter().enumerate().map(move |(i, line)| {
        let consumed = total_bytes * (i as u64 + 1) / lines;
        let row = match line {
            Ok(row) => SourceRow::Values {
                row: row.line,
                record: StringRecord::from(row.values),
            },
            Err(errors) => SourceRow::Unreadable(line_problem(errors)),
        };
        (row, consumed)
    });
    Ok(Source {
        plan,
        total_bytes,
        digest,
        rows: Box::new(rows),
    })
}

/// One row problem for a SIPRI line: the problem itself when there is one, else all of
/// them in one message (a line is one rejected row, however many problems it has).
fn line_problem(mut errors: Vec<LineError>) -> RowError {
    if errors.len() == 1 {
        let e = errors.remove(0);
        return RowError {
            row: e.line,
            column: e.column,
            value: e.value,
            message: e.message,
        };
    }
    let row = errors.first().map_or(0, |e| e.line);
    let message = errors
        .iter()
        .map(|e| {
            if e.column.is_empty() {
                e.message.clone()
            } else {
                format!("column {}: {:?} {}", e.column, e.value, e.message)
            }
        })
        .collect::<Vec<_>>()
        .join("; ");
    RowError {
        row,
        column: String::new(),
        value: String::new(),
        message: format!("has {} problems: {message}", errors.len()),
    }
}

/// The first line of either SIPRI layout, read as a CSV header.
fn looks_like_sipri(header: &[String]) -> bool {
    let first = header.first().map(|h| h.trim()).unwrap_or("");
    first.starts_with("Transfers of major conventional arms")
        || first == "SIPRI AT Database ID"
        || (first == "Recipient"
            && header.get(1).map(|h| h.trim()) == Some("Supplier")
            && header.get(2).map(|h| h.trim()) == Some("Year of order"))
}

impl Iterator for Source {
    /// A row and the number of input bytes consumed so far.
    type Item = (SourceRow, u64);
    fn next(&mut self) -> Option<Self::Item> {
        self.rows.next()
    }
}

fn csv_rows(
    mut reader: csv::Reader<Box<dyn Read + Send>>,
    header_len: usize,
) -> impl Iterator<Item = (SourceRow, u64)> + Send {
    let mut row = 0u64;
    std::iter::from_fn(move || {
        row += 1;
        let mut record = StringRecord::with_capacity(256, header_len);
        let result = reader.read_record(&mut record);
        let pos = reader.position().byte();
        match result {
            Ok(false) => None,
            Ok(true) => Some((SourceRow::Values { row, record }, pos)),
            Err(e) => {
                let value: String = record
                    .iter()
                    .collect::<Vec<_>>()
                    .join(",")
                    .chars()
                    .take(200)
                    .collect();
                let message = match e.kind() {
                    csv::ErrorKind::UnequalLengths { len, .. } => {
                        format!(
                            "has {len} fields where the header has {header_len}: check for a stray comma or an unclosed quote"
                        )
                    }
                    csv::ErrorKind::Utf8 { .. } => {
                        "is not valid UTF-8: save the file as UTF-8".to_owned()
                    }
                    _ => format!("cannot be read as CSV: {e}"),
                };
                Some((
                    SourceRow::Unreadable(RowError {
                        row,
                        column: String::new(),
                        value,
                        message,
                    }),
                    pos,
                ))
            }
        }
    })
}

fn jsonl_rows(
    reader: BufReader<DigestReader>,
    fields: &[&'static str],
    mapping: Option<&Mapping>,
    ignore_unknown: bool,
) -> impl Iterator<Item = (SourceRow, u64)> + Send + use<> {
    let fields: Vec<&'static str> = fields.to_vec();
    let renames: HashMap<String, String> = mapping.map(|m| m.columns.clone()).unwrap_or_default();
    let ignored: HashSet<String> = mapping
        .map(|m| m.ignore.iter().cloned().collect())
        .unwrap_or_default();
    let mut lines = reader.lines();
    let mut row = 0u64;
    let mut consumed = 0u64;
    std::iter::from_fn(move || {
        loop {
            let line = lines.next()?;
            let unreadable = |row: u64, message: String| {
                SourceRow::Unreadable(RowError {
                    row,
                    column: String::new(),
                    value: String::new(),
                    message,
                })
            };
            let line = match line {
                Ok(l) => l,
                Err(e) => {
                    row += 1;
                    return Some((unreadable(row, format!("cannot be read: {e}")), consumed));
                }
            };
            consumed += line.len() as u64 + 1;
            // Blank lines are not records, and rows count records (as in CSV).
            if line.trim().is_empty() {
                continue;
            }
            row += 1;
            let object: serde_json::Map<String, serde_json::Value> =
                match serde_json::from_str(&line) {
                    Ok(o) => o,
                    Err(e) => {
                        return Some((
                            unreadable(row, format!("is not a JSON object: {e}")),
                            consumed,
                        ));
                    }
                };
            let mut values = vec![String::new(); fields.len()];
            for (key, value) in object {
                if ignored.contains(&key) {
                    continue;
                }
                let target = renames.get(&key).map(String::as_str).unwrap_or(&key);
                if target.is_empty() {
                    continue;
                }
                let Some(f) = fields.iter().position(|f| *f == target) else {
                    if ignore_unknown {
                        continue;
                    }
                    return Some((
                        SourceRow::Unreadable(RowError {
                            row,
                            column: key.clone(),
                            value: String::new(),
                            message: format!(
                                "is not a canonical field: map it with --mapping FILE or pass --ignore-unknown; canonical fields are: {}",
                                fields.join(", ")
                            ),
                        }),
                        consumed,
                    ));
                };
                values[f] = match value {
                    serde_json::Value::Null => String::new(),
                    serde_json::Value::String(s) => s,
                    other => other.to_string(),
                };
            }
            let record = StringRecord::from(values);
            return Some((SourceRow::Values { row, record }, consumed));
        }
    })
}

/// Reads the first sheet of a workbook: header row and data rows as strings.
fn read_xlsx(name: &str, bytes: Vec<u8>) -> Result<(Vec<String>, Vec<StringRecord>)> {
    use calamine::{Data, Reader, open_workbook_auto_from_rs};
    let mut workbook = open_workbook_auto_from_rs(std::io::Cursor::new(bytes))
        .map_err(|e| StoreError::Input(format!("cannot open {name} as a spreadsheet: {e}")))?;
    let range = workbook
        .worksheet_range_at(0)
        .ok_or_else(|| StoreError::Input(format!("{name} has no worksheet")))?
        .map_err(|e| StoreError::Input(format!("cannot read the first sheet of {name}: {e}")))?;
    let cell = |c: &Data| -> String {
        match c {
            Data::Empty => String::new(),
            Data::String(s) => s.clone(),
            Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", *f as i64),
            Data::Float(f) => f.to_string(),
            Data::Int(i) => i.to_string(),
            Data::Bool(b) => b.to_string(),
            Data::DateTime(d) => {
                // Excel serial days since 1899-12-30; 25569 is 1970-01-01.
                let days = d.as_f64().floor() as i64 - 25569;
                PartialDate::from_epoch_days(days).to_string()
            }
            Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
            Data::Error(e) => format!("#ERROR {e:?}"),
        }
    };
    let mut rows = range.rows();
    let header: Vec<String> = rows
        .next()
        .ok_or_else(|| StoreError::Input(format!("the first sheet of {name} is empty")))?
        .iter()
        .map(cell)
        .collect();
    let data = rows
        .map(|r| StringRecord::from(r.iter().map(cell).collect::<Vec<_>>()))
        .collect();
    Ok((header, data))
}
