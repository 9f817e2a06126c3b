//! The SIPRI reader on SIPRI's real exports, when `../shared/data/sipri/` (beside the
//! workspace) holds them; each test says it was skipped otherwise. The files are never
//! part of this repository.
//!
//! What this proves: both layouts read with no problem line, every supplier and
//! recipient SIPRI names is either a state with its code or explicitly something else
//! (no silent fallthrough), and former states keep their former codes.

use std::collections::{BTreeMap, HashSet};
use std::path::PathBuf;

use armtrace_core::sipri::{ActorKind, ExportStyle, SipriExport, classify_actor, parse_export};

const NEW: &str = "trade-register-2026-02.csv";
const CLASSIC: &str = "trade-register-2025-03-classic.csv";

fn shared(name: &str) -> Option<PathBuf> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data/sipri");
    let path = dir.join(name);
    if path.is_file() {
        Some(path)
    } else {
        println!("skipped: {} not found", path.display());
        None
    }
}

fn read(name: &str) -> Option<SipriExport> {
    let path = shared(name)?;
    let bytes = std::fs::read(&path).expect("the shared export is readable");
    Some(parse_export(&bytes).unwrap_or_else(|e| panic!("{}: {e}", path.display())))
}

#[test]
fn both_exports_read_without_a_problem_line() {
    for (name, style, rows) in [
        (NEW, ExportStyle::New, 25_024),
        // 29,519 records, four of them broken over two lines by a line break in their
        // comment and joined back.
        (CLASSIC, ExportStyle::Classic, 29_515),
    ] {
        let Some(export) = read(name) else { return };
        assert_eq!(export.style, style, "{name}");
        assert_eq!(export.header_line, 12, "{name}: 11 preamble lines");
        let (transfers, errors) = export.transfers();
        assert!(
            errors.is_empty(),
            "{name}: {}",
            errors
                .iter()
                .take(10)
                .map(|e| e.to_string())
                .collect::<Vec<_>>()
                .join("\n")
        );
        assert_eq!(transfers.len(), rows, "{name}");
        let refs: HashSet<&str> = transfers
            .iter()
            .map(|(_, t)| t.transfer_ref.as_str())
            .collect();
        assert_eq!(refs.len(), rows, "{name}: every reference is unique");
    }
}

#[test]
fn every_actor_is_a_state_with_a_code_or_classified() {
    let mut kinds: BTreeMap<String, (ActorKind, Option<String>)> = BTreeMap::new();
    for name in [NEW, CLASSIC] {
        let Some(export) = read(name) else { return };
        for row in export.lines.iter().flatten() {
            for (name_field, code_field) in [
                ("supplier", "supplier_country"),
                ("recipient", "recipient_country"),
            ] {
                let actor = row.get(name_field);
                let classified = classify_actor(actor)
                    .unwrap_or_else(|e| panic!("line {}: {actor:?} {e}", row.line));
                let code = row.get(code_field);
                assert_eq!(
                    classified.code.map(|c| c.to_string()).unwrap_or_default(),
                    code,
                    "line {}: {actor}",
                    row.line
                );
                assert_eq!(
                    classified.kind == ActorKind::State,
                    !code.is_empty(),
                    "line {}: a state has a code and nothing else does ({actor})",
                    row.line
                );
                kinds.insert(
                    actor.to_owned(),
                    (classified.kind, classified.code.map(|c| c.to_string())),
                );
            }
        }
    }
    for (name, code) in [
        ("Soviet Union", "SU"),
        ("Yugoslavia", "YU"),
        ("Czechoslovakia", "CS"),
        ("East Germany (GDR)", "DD"),
    ] {
        assert_eq!(
            kinds.get(name),
            Some(&(ActorKind::State, Some(code.to_owned()))),
            "{name}"
        );
    }
    for name in ["Libya HoR*", "Houthi rebels (Yemen)*", "Syria rebels*"] {
        assert_eq!(
            kinds.get(name),
            Some(&(ActorKind::NonState, None)),
            "{name}"
        );
    }
    assert_eq!(kinds.get("NATO**"), Some(&(ActorKind::Organisation, None)));
    let mut per_kind: BTreeMap<&str, usize> = BTreeMap::new();
    for (kind, _) in kinds.values() {
        *per_kind.entry(kind.as_str()).or_default() += 1;
    }
    println!(
        "{} distinct suppliers and recipients: {per_kind:?}",
        kinds.len()
    );
}
