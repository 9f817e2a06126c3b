//! Field-level validation errors shared by every record type.
//!
//! A raw record is parsed into a domain value in one pass that collects *every* problem,
//! so a user fixing a spreadsheet sees all of a row's mistakes at once. The importer adds
//! the row number and the column name as it appears in the user's file.

use serde::Serialize;

/// One problem with one field of a raw record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldError {
    /// The canonical field name (`serial_number`, `recovered_on`, ...).
    pub field: &'static str,
    /// The value as given, trimmed.
    pub value: String,
    /// What is wrong and what would be accepted.
    pub message: String,
}

impl FieldError {
    pub fn new(field: &'static str, value: &str, message: impl Into<String>) -> Self {
        FieldError {
            field,
            value: value.to_owned(),
            message: message.into(),
        }
    }
}

/// A problem located in an input file: the contract shape of `errors` in import reports.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct RowError {
    /// 1 for the first data row (header and preamble lines are not counted); for a SIPRI
    /// export (`--format sipri`), the line of the file, preamble and header included.
    pub row: u64,
    /// The column as named in the input file (after any mapping), or empty for whole-row problems.
    pub column: String,
    pub value: String,
    pub message: String,
}

impl std::fmt::Display for RowError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.column.is_empty() {
            write!(f, "row {}: {}", self.row, self.message)
        } else {
            write!(
                f,
                "row {}, column {}: {:?} {}",
                self.row, self.column, self.value, self.message
            )
        }
    }
}
