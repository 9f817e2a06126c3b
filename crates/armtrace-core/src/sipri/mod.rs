//! The SIPRI Arms Transfers Database, read as SIPRI exports it: bytes in, canonical
//! transfer rows out, each with the line of the file it came from.
//!
//! SIPRI's trade register comes in two layouts, told apart by the header line:
//!
//! * the **new export** (`SIPRI AT Database ID,Supplier,Recipient,…`): one row per deal
//!   and delivery year, every line ending in `;`, ASCII (UTF-8 accepted);
//! * the **classic export** (`Recipient,Supplier,Year of order, ,…`): one row per deal,
//!   ISO-8859-1, unnamed `?` columns after the values SIPRI is unsure of, several
//!   delivery years in one cell (`1979; 1980`).
//!
//! Both carry a preamble (everything before the header is skipped) and may use CRLF line
//! ends. A record SIPRI split over two lines (a line break inside its comment) is joined
//! back when the two halves together have exactly the header's number of fields.
//!
//! Each data line becomes the 30 canonical transfer fields as strings
//! ([`TRANSFER_FIELDS`]), which [`Transfer::parse`] then checks like any other file's; or
//! the problems that kept it from becoming a row ([`LineError`]). How each layout maps to
//! the fields, and how the classic export's rows get stable references, is in
//! `per_year.rs` and `classic.rs`; who a supplier or recipient is, in [`actors`].
//!
//! Nothing here reads a file: the store hands the bytes in.

mod actors;
mod classic;
mod per_year;
#[cfg(test)]
mod tests;

use std::borrow::Cow;
use std::fmt;

use csv::StringRecord;
use serde::Serialize;

use crate::date::YEARS;
use crate::transfer::{RawTransfer, TRANSFER_FIELD_COUNT, TRANSFER_FIELDS, Transfer};

pub use actors::{Actor, ActorEntry, ActorKind, UnclassifiedActor, actor_table, classify_actor};

/// Which of SIPRI's two export layouts a file is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ExportStyle {
    /// `SIPRI AT Database ID,…`: one row per deal and delivery year.
    New,
    /// `Recipient,Supplier,Year of order, ,…`: one row per deal.
    Classic,
}

impl ExportStyle {
    pub fn as_str(self) -> &'static str {
        match self {
            ExportStyle::New => "new",
            ExportStyle::Classic => "classic",
        }
    }

    /// SIPRI's column behind each canonical field, for messages (the canonical name where
    /// SIPRI has no column).
    pub fn column_names(self) -> [&'static str; TRANSFER_FIELD_COUNT] {
        let pairs: &[(&str, &'static str)] = match self {
            ExportStyle::New => per_year::COLUMN_OF_FIELD,
            ExportStyle::Classic => classic::COLUMN_OF_FIELD,
        };
        let mut names = TRANSFER_FIELDS;
        for (field, column) in pairs {
            names[field_index(field)] = column;
        }
        names
    }
}

impl fmt::Display for ExportStyle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One data line that became a canonical transfer row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SipriRow {
    /// The line of the file the record starts on (preamble and header lines count).
    pub line: u64,
    /// The canonical transfer fields, in [`TRANSFER_FIELDS`] order.
    pub values: Vec<String>,
}

impl SipriRow {
    /// The value of a canonical field.
    pub fn get(&self, field: &str) -> &str {
        &self.values[field_index(field)]
    }
}

/// A problem with one line of an export: `line 14, column Delivery year: "20x4" is not …`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LineError {
    pub line: u64,
    /// SIPRI's column, or empty for a problem of the whole line.
    pub column: String,
    pub value: String,
    pub message: String,
}

impl fmt::Display for LineError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.column.is_empty() {
            write!(f, "line {}: {}", self.line, self.message)
        } else {
            write!(
                f,
                "line {}, column {}: {:?} {}",
                self.line, self.column, self.value, self.message
            )
        }
    }
}

/// A whole file that is not a SIPRI export armtrace can read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SipriError {
    #[error(
        "no SIPRI header line: a new export has a line starting `SIPRI AT Database ID,Supplier,Recipient`, a classic export one starting `Recipient,Supplier,Year of order`. Export the trade register from https://armstrade.sipri.org/ as CSV, unchanged"
    )]
    NoHeader,
    #[error(
        "the {style} export's header (line {line}) has no {column} column: export the trade register again with all columns"
    )]
    MissingColumn {
        style: ExportStyle,
        line: u64,
        column: String,
    },
}

/// A parsed export: its layout and, in file order, a row or the problems of each line.
#[derive(Debug, Clone)]
pub struct SipriExport {
    pub style: ExportStyle,
    /// The line of the header.
    pub header_line: u64,
    pub lines: Vec<Result<SipriRow, Vec<LineError>>>,
}

impl SipriExport {
    /// The rows checked as transfers, and every problem, both by line.
    ///
    /// A field error of [`Transfer::parse`] names SIPRI's column, so the user can find it.
    pub fn transfers(&self) -> (Vec<(u64, Transfer)>, Vec<LineError>) {
        let names = self.style.column_names();
        let mut transfers = Vec::with_capacity(self.lines.len());
        let mut errors = Vec::new();
        for line in &self.lines {
            match line {
                Ok(row) => match Transfer::parse(&raw(&row.values)) {
                    Ok(t) => transfers.push((row.line, t)),
                    Err(field_errors) => {
                        errors.extend(field_errors.into_iter().map(|fe| LineError {
                            line: row.line,
                            column: names[field_index(fe.field)].to_owned(),
                            value: fe.value,
                            message: fe.message,
                        }))
                    }
                },
                Err(line_errors) => errors.extend(line_errors.iter().cloned()),
            }
        }
        (transfers, errors)
    }
}

fn raw(values: &[String]) -> RawTransfer<'_> {
    let mut r = RawTransfer::default();
    for (slot, v) in r.values.iter_mut().zip(values) {
        *slot = v;
    }
    r
}

/// Reads an export: detects its layout, skips the preamble, decodes ISO-8859-1 when the
/// bytes are not UTF-8, and turns each data line into canonical transfer fields.
pub fn parse_export(bytes: &[u8]) -> Result<SipriExport, SipriError> {
    let text = decode(bytes);
    let lines: Vec<&str> = text
        .split('\n')
        .map(|l| l.strip_suffix('\r').unwrap_or(l))
        .collect();
    let (header_index, style) = lines
        .iter()
        .enumerate()
        .find_map(|(i, l)| {
            if l.starts_with("SIPRI AT Database ID,") {
                Some((i, ExportStyle::New))
            } else if l.starts_with("Recipient,Supplier,") {
                Some((i, ExportStyle::Classic))
            } else {
                None
            }
        })
        .ok_or(SipriError::NoHeader)?;
    let header_line = header_index as u64 + 1;
    // The new export ends every line in `;`, outside the CSV: take it off before the
    // fields are read, so the last field is not "No;".
    let clean = |l: &str| -> String {
        match style {
            ExportStyle::New => l.strip_suffix(';').unwrap_or(l).to_owned(),
            ExportStyle::Classic => l.to_owned(),
        }
    };
    let header = read_records(&[clean(lines[header_index])], header_line)
        .into_iter()
        .next()
        .map(|(_, r)| r)
        .unwrap_or_default();
    let body: Vec<String> = lines[header_index + 1..].iter().map(|l| clean(l)).collect();
    let records = join_split_records(read_records(&body, header_line + 1), header.len());
    let missing = |column: &str| SipriError::MissingColumn {
        style,
        line: header_line,
        column: column.to_owned(),
    };
    let lines = match style {
        ExportStyle::New => {
            let columns = per_year::Columns::resolve(&header).map_err(missing)?;
            records
                .into_iter()
                .map(|(line, record)| {
                    check_width(line, &record, header.len())?;
                    per_year::row(&columns, line, &record)
                })
                .collect()
        }
        ExportStyle::Classic => {
            let columns = classic::Columns::resolve(&header).map_err(missing)?;
            classic::rows(&columns, header.len(), records)
        }
    };
    Ok(SipriExport {
        style,
        header_line,
        lines,
    })
}

/// UTF-8 when the bytes are valid UTF-8 (a byte-order mark is dropped), else ISO-8859-1,
/// where every byte is the code point of the same number.
fn decode(bytes: &[u8]) -> Cow<'_, str> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    match std::str::from_utf8(bytes) {
        Ok(s) => Cow::Borrowed(s),
        Err(_) => Cow::Owned(bytes.iter().map(|&b| char::from(b)).collect()),
    }
}

/// CSV records of `lines`, each with its line number (`first_line` for the first).
///
/// Blank lines are not records and are left out before the text is read (the CSV reader
/// would count a record from the blank lines before it); one reader then reads the rest,
/// so a quoted line break stays inside its field, and each record's line is looked up.
fn read_records<S: AsRef<str>>(lines: &[S], first_line: u64) -> Vec<(u64, StringRecord)> {
    let kept: Vec<(u64, &str)> = lines
        .iter()
        .enumerate()
        .map(|(i, l)| (first_line + i as u64, l.as_ref()))
        .filter(|(_, l)| !l.trim().is_empty())
        .collect();
    let text = kept.iter().map(|(_, l)| *l).collect::<Vec<_>>().join("\n");
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let line_of = |record: &StringRecord| {
        let read = record.position().map_or(1, |p| p.line()) as usize;
        kept.get(read.saturating_sub(1))
            .map_or(0, |(line, _)| *line)
    };
    let mut out = Vec::with_capacity(kept.len());
    let mut record = StringRecord::new();
    loop {
        match reader.read_record(&mut record) {
            Ok(true) => out.push((line_of(&record), record.clone())),
            Ok(false) => break,
            // The text is a `str`, so only a partial record can be left: it is kept and
            // reported by its width.
            Err(_) => {
                out.push((line_of(&record), record.clone()));
                break;
            }
        }
    }
    out
}

/// Joins a record SIPRI broke over two lines (an unquoted line break in a comment): a
/// short record followed by one whose fields make up the rest, the break falling inside
/// the field where the two meet.
fn join_split_records(records: Vec<(u64, StringRecord)>, width: usize) -> Vec<(u64, StringRecord)> {
    let mut out: Vec<(u64, StringRecord)> = Vec::with_capacity(records.len());
    let mut records = records.into_iter().peekable();
    while let Some((line, record)) = records.next() {
        let fits = |next: &StringRecord| {
            record.len() < width && !next.is_empty() && record.len() + next.len() - 1 == width
        };
        match records.peek() {
            Some((_, next)) if fits(next) => {
                let (_, next) = records.next().expect("peeked");
                let mut joined: Vec<String> = record.iter().map(str::to_owned).collect();
                let mut rest = next.iter();
                let continued = rest.next().unwrap_or("");
                if let Some(last) = joined.last_mut() {
                    let sep = if last.trim().is_empty() || continued.trim().is_empty() {
                        ""
                    } else {
                        " "
                    };
                    *last = format!("{}{sep}{}", last.trim_end(), continued.trim_start());
                }
                joined.extend(rest.map(str::to_owned));
                out.push((line, StringRecord::from(joined)));
            }
            _ => out.push((line, record)),
        }
    }
    out
}

fn check_width(line: u64, record: &StringRecord, width: usize) -> Result<(), Vec<LineError>> {
    if record.len() == width {
        return Ok(());
    }
    let value: String = record
        .iter()
        .collect::<Vec<_>>()
        .join(",")
        .chars()
        .take(200)
        .collect();
    Err(vec![LineError {
        line,
        column: String::new(),
        value,
        message: format!(
            "has {} fields where the header has {width}: check for a stray comma, a line break inside a value or an unclosed quote",
            record.len()
        ),
    }])
}

/// Where a canonical field sits in [`TRANSFER_FIELDS`].
pub(crate) fn field_index(field: &str) -> usize {
    TRANSFER_FIELDS
        .iter()
        .position(|f| *f == field)
        .unwrap_or_else(|| panic!("{field} is a canonical transfer field"))
}

/// The canonical fields of one row being built.
struct Canonical(Vec<String>);

impl Canonical {
    fn new() -> Self {
        let mut values = vec![String::new(); TRANSFER_FIELD_COUNT];
        values[field_index("source")] = "sipri".to_owned();
        Canonical(values)
    }

    fn set(&mut self, field: &str, value: impl Into<String>) {
        self.0[field_index(field)] = value.into();
    }

    /// SIPRI's name of a supplier or recipient, and its code when it is a state.
    fn actor(&mut self, name_field: &str, code_field: &str, name: &str, actor: Actor) {
        self.set(name_field, name);
        if let Some(code) = actor.code {
            self.set(code_field, code.as_str());
        }
    }

    /// A count as a canonical quantity: SIPRI's `0` (nothing delivered) is no quantity.
    fn count(&mut self, field: &str, raw: &str) {
        if raw.trim() != "0" {
            self.set(field, raw.trim());
        }
    }

    /// The estimate flags (canonical field names, in canonical order) and the confidence
    /// they imply: low when the delivered quantity or the delivery year is an estimate.
    fn estimates(&mut self, mut fields: Vec<&'static str>) {
        fields.sort_by_key(|f| field_index(f));
        let unsure = fields
            .iter()
            .any(|f| *f == "quantity" || *f == "delivered_on");
        self.set("confidence", if unsure { "low" } else { "medium" });
        self.set("estimates", fields.join(";"));
    }

    fn into_row(self, line: u64) -> SipriRow {
        SipriRow {
            line,
            values: self.0,
        }
    }
}

/// Reads the fields of one record, collecting every problem of the line.
struct LineReader<'r> {
    line: u64,
    record: &'r StringRecord,
    errors: Vec<LineError>,
}

impl<'r> LineReader<'r> {
    fn new(line: u64, record: &'r StringRecord) -> Self {
        LineReader {
            line,
            record,
            errors: Vec::new(),
        }
    }

    fn get(&self, index: usize) -> &'r str {
        self.record.get(index).unwrap_or("").trim()
    }

    fn fail(&mut self, column: &str, value: &str, message: impl Into<String>) {
        self.errors.push(LineError {
            line: self.line,
            column: column.to_owned(),
            value: value.to_owned(),
            message: message.into(),
        });
    }

    fn year(&mut self, column: &str, raw: &str) -> Option<i16> {
        match raw.parse::<i16>() {
            Ok(y) if YEARS.contains(&y) => Some(y),
            _ => {
                self.fail(
                    column,
                    raw,
                    format!(
                        "is not a year between {} and {}",
                        YEARS.start(),
                        YEARS.end()
                    ),
                );
                None
            }
        }
    }

    fn actor(&mut self, column: &str, index: usize) -> Option<(&'r str, Actor)> {
        let name = self.get(index);
        match classify_actor(name) {
            Ok(actor) => Some((name, actor)),
            Err(e) => {
                self.fail(column, name, e.to_string());
                None
            }
        }
    }

    fn finish(self, row: Canonical) -> Result<SipriRow, Vec<LineError>> {
        if self.errors.is_empty() {
            Ok(row.into_row(self.line))
        } else {
            Err(self.errors)
        }
    }
}

/// Finds header columns by name (trimmed, case-insensitive).
fn column(header: &StringRecord, name: &str) -> Option<usize> {
    header
        .iter()
        .position(|h| h.trim().eq_ignore_ascii_case(name))
}
