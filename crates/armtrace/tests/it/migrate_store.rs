//! `armtrace migrate-store`: a register built through the CLI (the synthetic demo, a
//! re-import that leaves revisions, users, a token, a grant, a trace request and an
//! evidence file) travels SQLite → PostgreSQL → SQLite, and every register along the
//! way answers the same: `audit verify` intact with the same head, the same exports,
//! listings, revisions and audit log; the copied accounts still sign in; PostgreSQL
//! takes new imports afterwards. A target that holds anything is refused and left as it
//! was.
//!
//! Two things reach past the CLI on purpose: the throwaway PostgreSQL database comes
//! from `armtrace_store::testing` (created for the test, dropped after it), and whether
//! a password and an API token still work is asked of the store, as the web
//! application would ask it. PostgreSQL parts are skipped (and say so) without
//! `ARMTRACE_TEST_POSTGRES_URL`.

use std::path::Path;
use std::process::{Command, Output};

use armtrace_store::testing::TestRegister;
use serde_json::Value;

use crate::support::{ACTOR, HEADER, Register, describe, read_csv, stdout};

/// `armtrace --db DB ARGS`, run in `dir` (where a PostgreSQL register keeps its files).
fn at(dir: &Path, db: &str, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_armtrace"))
        .arg("--db")
        .arg(db)
        .args(args)
        .env("ARMTRACE_ACTOR", ACTOR)
        .env_remove("ARMTRACE_DB")
        .env_remove("ARMTRACE_LOG")
        .current_dir(dir)
        .output()
        .expect("the armtrace binary runs")
}

fn ok(dir: &Path, db: &str, args: &[&str]) -> String {
    let out = at(dir, db, args);
    assert!(out.status.success(), "{args:?} failed: {}", describe(&out));
    stdout(&out)
}

fn json(dir: &Path, db: &str, args: &[&str]) -> Value {
    let out = ok(dir, db, args);
    serde_json::from_str(&out).unwrap_or_else(|e| panic!("{args:?} printed no JSON ({e}): {out}"))
}

/// `migrate-store --from FROM --to TO --json`, which must succeed: its summary.
fn migrate(dir: &Path, from: &str, to: &str) -> Value {
    json(
        dir,
        "unused.db",
        &["migrate-store", "--from", from, "--to", to, "--json"],
    )
}

/// The secrets made while building the register.
struct Secrets {
    password: String,
    token: String,
}

/// The register every trip starts from, built through the CLI.
fn build(reg: &Register) -> Secrets {
    reg.ok(&["demo", "--items", "2000"]);
    // A re-import that changes every hundredth item's notes: revisions.
    let demo = reg.demo_files(2000, 1, "demo");
    let (header, mut rows) = read_csv(&std::fs::read_to_string(demo.join("items.csv")).unwrap());
    let notes = HEADER.iter().position(|f| *f == "notes").unwrap();
    for (n, row) in rows.iter_mut().enumerate().filter(|(n, _)| n % 100 == 0) {
        row[notes] = format!("SYNTHETIC, corrected on a second visit ({n})\twith a tab");
    }
    let changed = reg.write("changed.csv", crate::support::csv_text(&header, &rows));
    assert_eq!(reg.import_ok(&changed, &[]).updated, 20);

    let added = reg.ok(&["user", "add", "ada", "--role", "admin"]);
    let password = added
        .lines()
        .find_map(|l| l.strip_prefix("password: "))
        .unwrap_or_else(|| panic!("user add printed no password: {added}"))
        .trim()
        .to_owned();
    reg.ok(&["user", "add", "ana", "--role", "analyst", "--no-password"]);
    let confidential = reg.list(&["--confidentiality", "confidential"]);
    let granted = confidential[0]["ref"].as_str().unwrap().to_owned();
    reg.ok(&["user", "grant", "ana", "--item", &granted]);
    let created: Value = serde_json::from_str(&reg.ok(&[
        "token",
        "create",
        "ana",
        "--label",
        "nightly export",
        "--json",
    ]))
    .unwrap();
    let token = created["token"].as_str().unwrap().to_owned();

    let first = reg.items()[0]["ref"].as_str().unwrap().to_owned();
    reg.ok(&[
        "trace",
        "new",
        "--item",
        &first,
        "--to",
        "Synthetic Arms Works",
        "--requesting-party",
        "Synthetic Research",
        "--reason",
        "test",
    ]);
    let photo = reg.write("photo.jpg", "synthetic evidence photo ".repeat(200));
    reg.ok(&["evidence", "add", &first, photo.to_str().unwrap()]);
    Secrets { password, token }
}

/// What a register answers, for comparing registers: the audit report, the item
/// export (CSV, byte for byte), every item's revisions, the audit log, users, tokens,
/// trace requests and the first item's evidence (without its local path).
fn answers(dir: &Path, db: &str) -> Vec<(String, String)> {
    let verify = at(dir, db, &["audit", "verify", "--json"]);
    assert!(
        verify.status.success(),
        "audit verify: {}",
        describe(&verify)
    );
    let verification: Value = serde_json::from_str(&stdout(&verify)).unwrap();
    assert_eq!(verification["intact"], true, "{verification}");
    let mut out = vec![
        ("audit verify".to_owned(), stdout(&verify)),
        ("init".to_owned(), ok(dir, db, &["init"]).replace(db, "DB")),
        (
            "export items".to_owned(),
            ok(dir, db, &["export", "items", "--format", "csv"]),
        ),
        (
            "audit log".to_owned(),
            ok(dir, db, &["audit", "log", "--limit", "100000", "--json"]),
        ),
        (
            "user list".to_owned(),
            ok(dir, db, &["user", "list", "--json"]),
        ),
        (
            "token list".to_owned(),
            ok(dir, db, &["token", "list", "--json"]),
        ),
        (
            "trace list".to_owned(),
            ok(dir, db, &["trace", "list", "--json"]),
        ),
    ];
    let items = json(dir, db, &["items", "list", "--json", "--limit", "0"]);
    let refs: Vec<&str> = items["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["ref"].as_str().unwrap())
        .collect();
    for reference in refs.iter().step_by(50) {
        out.push((
            format!("items show {reference}"),
            ok(dir, db, &["items", "show", reference, "--json"]),
        ));
    }
    let mut evidence = json(dir, db, &["evidence", "list", refs[0], "--json"]);
    for file in evidence["evidence"].as_array_mut().unwrap() {
        let path = file["path"].take();
        assert!(path.is_string(), "the evidence file is in place: {file}");
    }
    out.push(("evidence list".to_owned(), evidence.to_string()));
    out
}

fn assert_same_answers(a: &[(String, String)], b: &[(String, String)], what: &str) {
    assert_eq!(a.len(), b.len());
    for ((name, x), (_, y)) in a.iter().zip(b) {
        assert!(
            x == y,
            "{what}: `{name}` answers differently:\n{x}\n---\n{y}"
        );
    }
}

/// Counts of the summary's `tables`, by name.
fn rows_of(summary: &Value, table: &str) -> u64 {
    summary["tables"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["table"] == table)
        .and_then(|t| t["rows"].as_u64())
        .unwrap_or_else(|| panic!("no {table} in {summary}"))
}

fn assert_accounts_work(location: &str, secrets: &Secrets) {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let store = armtrace_store::Store::open(location).await.unwrap();
        let user = store.token_user(&secrets.token).await.unwrap();
        assert_eq!(user.map(|u| u.name).as_deref(), Some("ana"));
        let signed_in = store
            .check_password("ada", &secrets.password)
            .await
            .unwrap();
        assert_eq!(signed_in.map(|u| u.name).as_deref(), Some("ada"));
        assert!(
            store
                .check_password("ada", "wrong")
                .await
                .unwrap()
                .is_none()
        );
        store.close().await;
    });
}

#[test]
fn a_register_travels_to_postgres_and_back_and_answers_the_same() {
    let reg = Register::sqlite();
    let secrets = build(&reg);
    let dir = reg.path("");
    let source = reg.db().to_str().unwrap().to_owned();
    let before = answers(&dir, &source);

    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let Some(pg) = runtime.block_on(TestRegister::postgres(
        "a_register_travels_to_postgres_and_back_and_answers_the_same",
    )) else {
        // Without a server the trip is SQLite to SQLite, which must be as faithful.
        let copy = reg.path("copy.db").to_str().unwrap().to_owned();
        let summary = migrate(&dir, &source, &copy);
        assert_eq!(rows_of(&summary, "items"), 2000);
        assert_same_answers(&before, &answers(&dir, &copy), "SQLite → SQLite");
        return;
    };

    let there = migrate(&dir, &source, &pg.location);
    assert_eq!(rows_of(&there, "items"), 2000);
    assert_eq!(rows_of(&there, "revisions"), 20);
    assert_eq!(rows_of(&there, "users"), 2);
    assert_eq!(there["source_head"], there["target_head"]);
    assert_eq!(there["target_verification"]["intact"], true);
    assert_eq!(there["evidence"]["copied"], 1);
    assert_same_answers(&before, &answers(&dir, &pg.location), "SQLite → PostgreSQL");

    let back = reg.path("back.db").to_str().unwrap().to_owned();
    let summary = migrate(&dir, &pg.location, &back);
    assert_eq!(summary["target_head"], there["target_head"]);
    assert_same_answers(&before, &answers(&dir, &back), "PostgreSQL → SQLite");

    // The CLI keeps a PostgreSQL register's files in ./armtrace-<database>.* of its
    // working directory.
    let database = pg.location.rsplit('/').next().unwrap();
    let pg_files = dir.join(format!("armtrace-{database}.evidence"));
    assert!(pg_files.join("sha256").is_dir());
    assert_accounts_work(&pg.location, &secrets);
    assert_accounts_work(&back, &secrets);

    // PostgreSQL takes new records after the copied ids.
    let more = reg.write(
        "more.csv",
        crate::support::canonical_csv(&[crate::support::row(&[
            ("ref", "MIGRATED-NEW-1"),
            ("category", "weapon"),
            ("model", "AKM"),
            ("notes", "SYNTHETIC, imported after the migration"),
        ])]),
    );
    let report = ok(
        &dir,
        &pg.location,
        &["import", "items", more.to_str().unwrap(), "--json"],
    );
    assert!(report.contains("\"inserted\": 1"), "{report}");
    let shown = json(
        &dir,
        &pg.location,
        &["items", "show", "MIGRATED-NEW-1", "--json"],
    );
    assert!(shown["id"].as_i64().unwrap() > 2000, "{shown}");
    ok(
        &dir,
        &pg.location,
        &[
            "user",
            "add",
            "newcomer",
            "--role",
            "viewer",
            "--no-password",
        ],
    );
    let verified = json(&dir, &pg.location, &["audit", "verify", "--json"]);
    assert_eq!(verified["intact"], true, "{verified}");
}

#[test]
fn a_target_that_holds_anything_is_refused_and_left_as_it_was() {
    let reg = Register::sqlite();
    build(&reg);
    let dir = reg.path("");
    let source = reg.db().to_str().unwrap().to_owned();
    let target = reg.path("target.db").to_str().unwrap().to_owned();
    ok(
        &dir,
        &target,
        &[
            "user",
            "add",
            "someone",
            "--role",
            "viewer",
            "--no-password",
        ],
    );
    let before = (
        ok(&dir, &target, &["audit", "log", "--json"]),
        ok(&dir, &target, &["user", "list", "--json"]),
        ok(&dir, &target, &["export", "items", "--format", "csv"]),
    );
    let out = at(
        &dir,
        "unused.db",
        &["migrate-store", "--from", &source, "--to", &target],
    );
    assert_eq!(out.status.code(), Some(1), "{}", describe(&out));
    let message = String::from_utf8_lossy(&out.stderr);
    assert!(
        message.contains("is not empty")
            && message.contains("users: 1")
            && message.contains("nothing was written"),
        "{message}"
    );
    let after = (
        ok(&dir, &target, &["audit", "log", "--json"]),
        ok(&dir, &target, &["user", "list", "--json"]),
        ok(&dir, &target, &["export", "items", "--format", "csv"]),
    );
    assert_eq!(before, after);

    // A mistyped source is not taken for an empty register.
    let out = at(
        &dir,
        "unused.db",
        &["migrate-store", "--from", "no-such.db", "--to", "new.db"],
    );
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("does not exist"));
    assert!(!dir.join("no-such.db").exists() && !dir.join("new.db").exists());
}
