//! Killing `armtrace import` in the middle of a large file (SIGKILL: no chance to clean
//! up) leaves the register exactly as it was before that import, and the register keeps
//! working afterwards.
//!
//! "In the middle" is established, not assumed: on Linux the import's reader must be
//! between 40% and 90% of the file (read from `/proc/PID/fdinfo`), elsewhere the
//! write-ahead log must have grown by uncommitted pages. If the import finishes before
//! it can be killed, the test retries with a larger file and fails loudly if it never
//! catches it.

#![cfg(unix)]

use std::fs::File;
use std::io::{BufRead, BufReader};
use std::os::unix::process::ExitStatusExt;
use std::path::Path;
use std::process::Stdio;
use std::time::{Duration, Instant};

use crate::support::{Register, describe, read_csv};

/// Uncommitted write-ahead-log growth that shows the import transaction is writing.
const WAL_GROWTH: u64 = 4 << 20;
/// Guards against a hung child; not a timing assertion.
const HANG_GUARD: Duration = Duration::from_secs(900);

enum Attempt {
    /// Killed mid-import and verified.
    Killed,
    /// The import completed before it could be killed; try a larger file.
    TooFast,
}

#[test]
fn killing_an_import_leaves_the_previous_state_intact() {
    for size in [300_000, 900_000] {
        match attempt(size) {
            Attempt::Killed => return,
            Attempt::TooFast => eprintln!(
                "the import of {size} rows finished before it could be killed; retrying larger"
            ),
        }
    }
    panic!(
        "could not kill an import in the middle even with 900,000 rows: the test proved nothing"
    );
}

/// How far the child has read into `file` (`None` when it has no open handle on it).
/// While the import hashes the file there are two handles; the lower position is the
/// reader's.
fn read_position(pid: u32, file: &Path) -> Option<u64> {
    let target = std::fs::canonicalize(file).ok()?;
    let fds = std::fs::read_dir(format!("/proc/{pid}/fd")).ok()?;
    let mut lowest: Option<u64> = None;
    for fd in fds.flatten() {
        if std::fs::read_link(fd.path()).ok().as_deref() != Some(target.as_path()) {
            continue;
        }
        let name = fd.file_name();
        let info =
            std::fs::read_to_string(format!("/proc/{pid}/fdinfo/{}", name.to_string_lossy()))
                .ok()?;
        let pos = info
            .lines()
            .find_map(|l| l.strip_prefix("pos:"))
            .and_then(|p| p.trim().parse().ok())?;
        lowest = Some(lowest.map_or(pos, |l: u64| l.min(pos)));
    }
    lowest
}

/// Evidence that the import is part-way through, described for the log; `None` yet.
///
/// On Linux: the reader is past 40% of the file and before 90%, preferably once the
/// open transaction has spilled pages into the write-ahead log (the harder case for
/// recovery); if the log has not grown by 75%, kill anyway. Elsewhere: the log has grown.
fn mid_import(pid: u32, file: &Path, file_len: u64, db: &Path, wal_before: u64) -> Option<String> {
    let wal = wal_len(db).saturating_sub(wal_before);
    let spilled = wal > WAL_GROWTH;
    if cfg!(target_os = "linux") {
        let p = read_position(pid, file)?;
        let percent = p * 100 / file_len.max(1);
        ((40..90).contains(&percent) && (spilled || percent >= 75))
            .then(|| format!("read {percent}% of the file, {wal} bytes of uncommitted log"))
    } else {
        spilled.then(|| format!("{wal} bytes of uncommitted log"))
    }
}

fn wal_len(db: &Path) -> u64 {
    let mut wal = db.as_os_str().to_owned();
    wal.push("-wal");
    std::fs::metadata(wal).map_or(0, |m| m.len())
}

fn attempt(size: u64) -> Attempt {
    let reg = Register::new();
    let small = reg.demo_files(200, 2, "small").join("items.csv");
    assert_eq!(reg.import_ok(&small, &[]).counts(), [200, 0, 0, 0]);
    let before_csv = reg.export("csv");
    let before_items = reg.items();

    let big = reg.demo_files(size, 1, "big").join("items.csv");
    let big_len = std::fs::metadata(&big).unwrap().len();
    // The big file rewrites some of the first state's items: their old values must survive.
    let (_, small_rows) = read_csv(&std::fs::read_to_string(&small).unwrap());
    let big_lines = BufReader::new(File::open(&big).unwrap()).lines();
    let head = big_lines
        .take(small_rows.len() + 1)
        .collect::<Result<Vec<_>, _>>()
        .unwrap()
        .join("\n");
    let (_, big_rows) = read_csv(&head);
    let changed = small_rows
        .iter()
        .zip(&big_rows)
        .find(|(s, b)| s != b)
        .map(|(s, _)| s[0].clone());
    let changed = changed.expect("the big file changes at least one item of the first state");

    let wal_before = wal_len(reg.db());
    let mut child = reg
        .command()
        .args(["import", "items"])
        .arg(&big)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("armtrace starts");
    let started = Instant::now();
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            assert!(status.success(), "the import failed on its own: {status}");
            return Attempt::TooFast;
        }
        if let Some(evidence) = mid_import(child.id(), &big, big_len, reg.db(), wal_before) {
            eprintln!("killing the import: {evidence}");
            break;
        }
        assert!(
            started.elapsed() < HANG_GUARD,
            "the import neither progressed nor finished"
        );
        std::thread::sleep(Duration::from_millis(10));
    }
    child.kill().expect("SIGKILL is delivered");
    let output = child.wait_with_output().unwrap();
    if output.status.signal() != Some(9) {
        assert!(
            output.status.success(),
            "the import failed on its own: {}",
            describe(&output)
        );
        return Attempt::TooFast;
    }

    // The register is exactly the first state.
    let after = reg.items();
    if after.len() as u64 == size {
        // The kill landed after the commit: nothing was interrupted.
        return Attempt::TooFast;
    }
    assert_eq!(
        after.len(),
        before_items.len(),
        "a killed import left a partial register"
    );
    assert_eq!(after, before_items);
    assert_eq!(reg.export("csv"), before_csv);
    let shown = reg.show(&changed);
    assert_eq!(
        shown["revision"], 1,
        "{changed} was not updated by the killed import"
    );
    assert_eq!(shown["revisions"], serde_json::json!([]));

    // And the register still works: the first file is unchanged, a new one imports.
    assert_eq!(reg.import_ok(&small, &[]).counts(), [0, 0, 200, 0]);
    let third = reg.demo_files(500, 1, "third").join("items.csv");
    let report = reg.import_ok(&third, &[]);
    assert_eq!(
        (
            report.inserted,
            report.updated + report.unchanged,
            report.rejected
        ),
        (300, 200, 0)
    );
    assert_eq!(
        reg.export("csv"),
        std::fs::read_to_string(&third).unwrap(),
        "the register is the third file"
    );
    assert!(reg.ok(&["init"]).contains("500 items"));
    Attempt::Killed
}
