//! Shared helpers: a throwaway register driven through the real `armtrace` binary, the
//! documented import report, and small CSV builders.
//!
//! Helpers assert on the process outcome and show its stdout and stderr when it is not
//! the expected one, so a failing test says what the binary printed. They must not read
//! the SQLite file directly: everything goes through the CLI.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;
use tempfile::TempDir;

/// The canonical item CSV header, as the issue spells it.
pub const HEADER: [&str; 21] = [
    "ref",
    "category",
    "item_type",
    "model",
    "calibre",
    "manufacturer",
    "country_of_manufacture",
    "year_of_manufacture",
    "serial_number",
    "lot_number",
    "markings",
    "quantity",
    "recovered_on",
    "recovered_country",
    "recovered_place",
    "latitude",
    "longitude",
    "recovered_from",
    "documented_by",
    "confidentiality",
    "notes",
];

/// The first 17 canonical transfer fields: what the tests' hand-written transfer files
/// give (the other fields are optional).
pub const TRANSFER_HEADER: &str = "transfer_ref,supplier,supplier_country,recipient,recipient_country,end_user,model,calibre,manufacturer,serial_from,serial_to,lot_number,year_of_manufacture,quantity,authorised_on,delivered_on,document";

/// The whole canonical transfer header, as exports and the demo write it.
pub const FULL_TRANSFER_HEADER: &str = "transfer_ref,supplier,supplier_country,recipient,recipient_country,end_user,model,calibre,manufacturer,serial_from,serial_to,lot_number,year_of_manufacture,quantity,authorised_on,delivered_on,document,source,confidence,source_record,description,armament_category,status,number_ordered,tiv_unit,tiv_order,tiv_delivered,delivery_years,estimates,note";

/// The actor every test runs as (`ARMTRACE_ACTOR`).
pub const ACTOR: &str = "it-tester";

/// A register in its own temporary directory, at `<dir>/r.db`.
pub struct Register {
    dir: TempDir,
    db: PathBuf,
    /// What `--db` names: the SQLite file `db`, or a PostgreSQL database.
    location: String,
    /// The PostgreSQL database, dropped with the register.
    _postgres: Option<armtrace_store::testing::TestRegister>,
}

/// A fresh PostgreSQL database for a test, made on a thread of its own (callers may be
/// inside an async runtime, which must not be blocked on).
pub fn postgres_register(test: &'static str) -> armtrace_store::testing::TestRegister {
    std::thread::spawn(move || {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("a runtime")
            .block_on(armtrace_store::testing::TestRegister::postgres(test))
            .expect("ARMTRACE_TEST_BACKEND=postgres needs ARMTRACE_TEST_POSTGRES_URL")
    })
    .join()
    .expect("the test database is made")
}

/// True when the suite runs on SQLite (`ARMTRACE_TEST_BACKEND` unset or `sqlite`). Tests
/// of SQLite's own files (tampering with them, their write-ahead log) call this first
/// and print that they were skipped on PostgreSQL.
pub fn on_sqlite(test: &str) -> bool {
    use armtrace_store::testing::TestBackend;
    let sqlite = TestBackend::from_env() == TestBackend::Sqlite;
    if !sqlite {
        eprintln!("skipped on PostgreSQL ({test}): it is about the SQLite file itself");
    }
    sqlite
}

/// Shows what a finished process printed, for assertion messages.
pub fn describe(output: &Output) -> String {
    format!(
        "status {}\n--- stdout ---\n{}\n--- stderr ---\n{}",
        output.status,
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

pub fn stdout(output: &Output) -> String {
    String::from_utf8(output.stdout.clone()).expect("stdout is UTF-8")
}

pub fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

impl Register {
    /// A fresh, initialised, empty register.
    /// On the backend `ARMTRACE_TEST_BACKEND` names (SQLite by default).
    pub fn new() -> Register {
        Register::on(armtrace_store::testing::TestBackend::from_env())
    }

    /// A SQLite file whatever the suite's backend (for tests that start from a file).
    pub fn sqlite() -> Register {
        Register::on(armtrace_store::testing::TestBackend::Sqlite)
    }

    fn on(backend: armtrace_store::testing::TestBackend) -> Register {
        use armtrace_store::testing::TestBackend;
        let dir = tempfile::tempdir().expect("a temporary directory");
        let db = dir.path().join("r.db");
        let postgres = match backend {
            TestBackend::Sqlite => None,
            TestBackend::Postgres => Some(postgres_register("cli register")),
        };
        let location = postgres
            .as_ref()
            .map_or_else(|| db.display().to_string(), |p| p.location.clone());
        let register = Register {
            dir,
            db,
            location,
            _postgres: postgres,
        };
        let out = register.ok(&["init"]);
        assert!(
            out.contains("0 items"),
            "init of an empty register said: {out}"
        );
        register
    }

    /// A path inside the register's temporary directory.
    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// The SQLite file (only for tests of the file itself: see [`on_sqlite`]).
    pub fn db(&self) -> &Path {
        &self.db
    }

    /// What `--db` names.
    pub fn location(&self) -> &str {
        &self.location
    }

    /// `armtrace --db <register>`, ready for arguments, run in the register's directory.
    pub fn command(&self) -> Command {
        let mut c = Command::new(env!("CARGO_BIN_EXE_armtrace"));
        c.arg("--db")
            .arg(&self.location)
            .env("ARMTRACE_ACTOR", ACTOR)
            .env_remove("ARMTRACE_DB")
            .env_remove("ARMTRACE_LOG")
            .current_dir(self.dir.path());
        c
    }

    pub fn run<S: AsRef<std::ffi::OsStr>>(&self, args: &[S]) -> Output {
        self.command()
            .args(args)
            .output()
            .expect("the armtrace binary runs")
    }

    /// Runs a command that must succeed; returns its stdout.
    pub fn ok<S: AsRef<std::ffi::OsStr>>(&self, args: &[S]) -> String {
        let output = self.run(args);
        assert!(
            output.status.success(),
            "expected success: {}",
            describe(&output)
        );
        stdout(&output)
    }

    /// Runs a command that must fail; returns its output.
    pub fn fails<S: AsRef<std::ffi::OsStr>>(&self, args: &[S]) -> Output {
        let output = self.run(args);
        assert!(
            !output.status.success(),
            "expected a failure: {}",
            describe(&output)
        );
        output
    }

    /// `import items FILE --json FLAGS…`: the exit status and the parsed report.
    pub fn import(&self, file: &Path, flags: &[&str]) -> (Output, Report) {
        self.import_kind("items", file, flags)
    }

    pub fn import_kind(&self, kind: &str, file: &Path, flags: &[&str]) -> (Output, Report) {
        let mut c = self.command();
        c.args(["import", kind]).arg(file).arg("--json").args(flags);
        let output = c.output().expect("the armtrace binary runs");
        let report = Report::parse(&stdout(&output))
            .unwrap_or_else(|e| panic!("no import report ({e}): {}", describe(&output)));
        (output, report)
    }

    /// An import that must be accepted (exit status 0).
    pub fn import_ok(&self, file: &Path, flags: &[&str]) -> Report {
        let (output, report) = self.import(file, flags);
        assert!(
            output.status.success(),
            "import was refused: {}",
            describe(&output)
        );
        report
    }

    /// An import that must be refused (non-zero exit) with a report.
    pub fn import_refused(&self, file: &Path, flags: &[&str]) -> Report {
        let (output, report) = self.import(file, flags);
        assert!(
            !output.status.success(),
            "import was accepted: {}",
            describe(&output)
        );
        report
    }

    /// `items list --limit 0 --json`: every item, in the documented JSON shape.
    pub fn items(&self) -> Vec<Value> {
        self.list(&[])
    }

    /// `items list --limit 0 --json` with extra filter arguments.
    pub fn list(&self, args: &[&str]) -> Vec<Value> {
        let mut all = vec!["items", "list", "--json", "--limit", "0"];
        all.extend_from_slice(args);
        self.list_raw(&all)
    }

    /// `items list …` exactly as given (must include `--json`): the `items` array.
    pub fn list_raw(&self, args: &[&str]) -> Vec<Value> {
        let out = self.ok(args);
        let value: Value = serde_json::from_str(&out).expect("items list --json prints JSON");
        let object = value
            .as_object()
            .expect("items list --json prints an object");
        assert_eq!(object.len(), 1, "only `items` at the top level: {out}");
        object["items"]
            .as_array()
            .expect("`items` is an array")
            .clone()
    }

    /// The refs of `items list` with these filters, in listed order.
    pub fn refs(&self, args: &[&str]) -> Vec<String> {
        self.list(args)
            .iter()
            .map(|i| i["ref"].as_str().unwrap().to_owned())
            .collect()
    }

    pub fn count(&self) -> usize {
        self.items().len()
    }

    /// `export items --format F` to stdout.
    pub fn export(&self, format: &str) -> String {
        self.ok(&["export", "items", "--format", format])
    }

    /// `items show REF --json`.
    pub fn show(&self, reference: &str) -> Value {
        let out = self.ok(&["items", "show", reference, "--json"]);
        serde_json::from_str(&out).expect("items show --json prints JSON")
    }

    /// Writes a file into the register's directory.
    pub fn write(&self, name: &str, contents: impl AsRef<[u8]>) -> PathBuf {
        let path = self.path(name);
        std::fs::write(&path, contents).expect("the test file is written");
        path
    }

    /// `demo --items N --seed S --out-dir <dir>/NAME`: the folder with items.csv and transfers.csv.
    pub fn demo_files(&self, items: u64, seed: u64, name: &str) -> PathBuf {
        let out_dir = self.path(name);
        let (items, seed) = (items.to_string(), seed.to_string());
        let dir = out_dir.to_str().expect("temporary paths are UTF-8");
        self.ok(&["demo", "--items", &items, "--seed", &seed, "--out-dir", dir]);
        out_dir
    }
}

/// One listed problem of an import report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowError {
    pub row: u64,
    pub column: String,
    pub value: String,
    pub message: String,
}

/// The import report of `--json`, checked against its documented shape.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Report {
    pub inserted: u64,
    pub updated: u64,
    pub unchanged: u64,
    pub rejected: u64,
    pub errors: Vec<RowError>,
}

impl Report {
    /// Parses the report, failing if a documented key is missing or another one appears.
    pub fn parse(json: &str) -> Result<Report, String> {
        let value: Value = serde_json::from_str(json).map_err(|e| format!("not JSON: {e}"))?;
        let object = value.as_object().ok_or("not an object")?;
        let mut keys: Vec<&str> = object.keys().map(String::as_str).collect();
        keys.sort_unstable();
        if keys != ["errors", "inserted", "rejected", "unchanged", "updated"] {
            return Err(format!("unexpected keys {keys:?}"));
        }
        let count = |k: &str| object[k].as_u64().ok_or(format!("{k} is not a count"));
        let errors = object["errors"]
            .as_array()
            .ok_or("errors is not an array")?
            .iter()
            .map(|e| {
                let text = |k: &str| {
                    e[k].as_str()
                        .map(str::to_owned)
                        .ok_or(format!("error without {k}: {e}"))
                };
                Ok(RowError {
                    row: e["row"].as_u64().ok_or(format!("error without row: {e}"))?,
                    column: text("column")?,
                    value: text("value")?,
                    message: text("message")?,
                })
            })
            .collect::<Result<_, String>>()?;
        Ok(Report {
            inserted: count("inserted")?,
            updated: count("updated")?,
            unchanged: count("unchanged")?,
            rejected: count("rejected")?,
            errors,
        })
    }

    /// `[inserted, updated, unchanged, rejected]`.
    pub fn counts(&self) -> [u64; 4] {
        [self.inserted, self.updated, self.unchanged, self.rejected]
    }

    /// The only listed error, or a failure showing them all.
    pub fn single_error(&self) -> &RowError {
        assert_eq!(
            self.errors.len(),
            1,
            "expected exactly one error: {:#?}",
            self.errors
        );
        &self.errors[0]
    }
}

/// A row in canonical column order from `(field, value)` pairs; other fields empty.
pub fn row(pairs: &[(&str, &str)]) -> Vec<String> {
    let mut values = vec![String::new(); HEADER.len()];
    for (field, value) in pairs {
        let i = HEADER
            .iter()
            .position(|f| f == field)
            .unwrap_or_else(|| panic!("{field} is not a canonical field"));
        values[i] = (*value).to_owned();
    }
    values
}

/// CSV text (RFC 4180 quoting) of a header and rows.
pub fn csv_text<S: AsRef<str>>(header: &[S], rows: &[Vec<String>]) -> String {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(header.iter().map(AsRef::as_ref)).unwrap();
    for r in rows {
        w.write_record(r).unwrap();
    }
    String::from_utf8(w.into_inner().unwrap()).unwrap()
}

/// Canonical-header CSV of canonical rows.
pub fn canonical_csv(rows: &[Vec<String>]) -> String {
    csv_text(&HEADER, rows)
}

/// Reads CSV text into its header and records.
pub fn read_csv(text: &str) -> (Vec<String>, Vec<Vec<String>>) {
    let mut r = csv::Reader::from_reader(text.as_bytes());
    let header = r.headers().unwrap().iter().map(str::to_owned).collect();
    let rows = r
        .records()
        .map(|rec| rec.unwrap().iter().map(str::to_owned).collect())
        .collect();
    (header, rows)
}

/// The value of `field` in an item's JSON, as a string (`None` for null).
pub fn field<'a>(item: &'a Value, field: &str) -> Option<&'a str> {
    match &item[field] {
        Value::Null => None,
        Value::String(s) => Some(s),
        other => panic!("{field} is not a string or null: {other}"),
    }
}
