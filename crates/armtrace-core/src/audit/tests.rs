//! Tests of the entry hash and the chain check: fixed vectors (one recomputed by Python)
//! and random logs with one random tamper each.

use proptest::prelude::*;
use serde_json::json;

use super::*;

/// A log of `n` entries with varied contents.
fn chain(n: usize) -> Vec<AuditEntry> {
    let mut entries: Vec<AuditEntry> = Vec::with_capacity(n);
    for i in 0..n {
        let prev = entries.last().map_or(GENESIS_HASH, |e| e.hash.as_str());
        entries.push(AuditEntry::new(
            i as i64 + 1,
            prev,
            &format!("2026-01-{:02}T10:00:00Z", i % 28 + 1),
            if i % 3 == 0 { "cli:ana" } else { "web:bo" },
            ["import.items", "trace_request.update", "evidence.add"][i % 3],
            (i % 4 != 0).then_some("item"),
            (i % 5 != 0).then(|| format!("DEMO-{i:08}")).as_deref(),
            json!({"n": i, "note": "SYNTHETIC", "nested": {"b": [1, 2.5], "a": null}}),
        ));
    }
    entries
}

fn head_of(entries: &[AuditEntry]) -> (i64, String) {
    entries
        .last()
        .map_or((0, GENESIS_HASH.to_owned()), |e| (e.seq, e.hash.clone()))
}

fn verify(entries: &[AuditEntry], head: &(i64, String)) -> Result<ChainHead, ChainBreak> {
    verify_chain(entries, Some((head.0, head.1.as_str())))
}

#[test]
fn the_hash_matches_python() {
    // Recomputed with the Python snippet of the module documentation.
    let e = AuditEntry::new(
        1,
        GENESIS_HASH,
        "2026-01-02T03:04:05Z",
        "cli:ana",
        "import.items",
        Some("import"),
        Some("7"),
        json!({"source_name": "f.csv", "inserted": 3, "z": null, "ratio": 0.25}),
    );
    assert_eq!(
        hash_input(
            &e.prev_hash,
            &e.at,
            &e.actor,
            &e.action,
            e.entity.as_deref(),
            e.entity_ref.as_deref(),
            &e.detail
        ),
        r#"["armtrace-audit/1","0000000000000000000000000000000000000000000000000000000000000000","2026-01-02T03:04:05Z","cli:ana","import.items","import","7",{"inserted":3,"ratio":0.25,"source_name":"f.csv","z":null}]"#
    );
    assert_eq!(
        e.hash,
        "09fb089d819dcecc55abd97e68f03618cecaa1e51feec561d50be78026e2aac4"
    );
}

#[test]
fn null_and_empty_text_hash_differently() {
    let a = entry_hash(GENESIS_HASH, "t", "a", "x", None, None, &json!({}));
    let b = entry_hash(GENESIS_HASH, "t", "a", "x", Some(""), None, &json!({}));
    let c = entry_hash(GENESIS_HASH, "t", "a", "x", None, Some(""), &json!({}));
    assert_ne!(a, b);
    assert_ne!(a, c);
    assert_ne!(b, c);
}

#[test]
fn an_intact_log_verifies_to_its_head() {
    for n in [0, 1, 2, 17] {
        let entries = chain(n);
        let head = head_of(&entries);
        let verified = verify(&entries, &head).unwrap();
        assert_eq!((verified.seq, verified.hash), head);
    }
    assert_eq!(
        verify_chain(Vec::<AuditEntry>::new(), None).unwrap(),
        ChainHead::genesis()
    );
}

#[test]
fn a_changed_field_is_named() {
    let mut entries = chain(5);
    let head = head_of(&entries);
    entries[2].actor = "someone else".into();
    let b = verify(&entries, &head).unwrap_err();
    assert_eq!((b.seq, b.kind), (3, BreakKind::Altered), "{b}");
    assert!(b.to_string().contains("entry 3 was altered"), "{b}");
}

#[test]
fn removing_the_newest_entry_is_caught_by_the_head() {
    let mut entries = chain(4);
    let head = head_of(&entries);
    entries.pop();
    let b = verify(&entries, &head).unwrap_err();
    assert_eq!((b.seq, b.kind), (4, BreakKind::Removed), "{b}");
    assert!(b.message.contains("the log ends at entry 3"), "{b}");
    // Without the head the shorter log is a valid log.
    assert!(verify_chain(&entries, None).is_ok());
}

#[test]
fn a_head_that_disagrees_is_named() {
    let entries = chain(4);
    let (seq, hash) = head_of(&entries);
    let b = verify(&entries, &(seq, GENESIS_HASH.to_owned())).unwrap_err();
    assert_eq!((b.seq, b.kind), (4, BreakKind::Altered), "{b}");
    let b = verify(&entries, &(2, hash)).unwrap_err();
    assert_eq!((b.seq, b.kind), (3, BreakKind::Altered), "{b}");
}

#[test]
fn a_moved_entry_is_told_from_a_changed_one() {
    let mut entries = chain(6);
    let head = head_of(&entries);
    // Swap the contents of entries 2 and 5, keeping the numbers.
    let (a, b) = (entries[1].clone(), entries[4].clone());
    entries[1] = AuditEntry { seq: 2, ..b };
    entries[4] = AuditEntry { seq: 5, ..a };
    let found = verify(&entries, &head).unwrap_err();
    assert_eq!(
        (found.seq, found.kind),
        (2, BreakKind::Reordered),
        "{found}"
    );
    // Entry 2 now names entry 4's hash as its predecessor; a store finds it at 4.
    let named = found.names_predecessor.clone().unwrap();
    assert_eq!(named, entries[3].hash);
    let refined = found.with_predecessor_at(Some(4));
    assert_eq!((refined.seq, refined.kind), (2, BreakKind::Reordered));
    assert!(refined.message.contains("belongs at entry 5 "), "{refined}");
}

#[test]
fn a_removed_and_renumbered_entry_is_reported_as_removed() {
    let mut entries = chain(5);
    entries.remove(2);
    for (i, e) in entries.iter_mut().enumerate() {
        e.seq = i as i64 + 1;
    }
    let found = verify_chain(&entries, None).unwrap_err();
    assert_eq!((found.seq, found.kind), (3, BreakKind::Reordered));
    let refined = found.with_predecessor_at(None);
    assert_eq!((refined.seq, refined.kind), (3, BreakKind::Removed));
    assert!(refined.message.contains("not in the log"), "{refined}");
}

#[test]
fn numbers_must_start_at_one_and_not_repeat() {
    let mut entries = chain(3);
    entries[0].seq = 0;
    let b = verify_chain(&entries, None).unwrap_err();
    assert_eq!((b.seq, b.kind), (0, BreakKind::Reordered), "{b}");
    // Intact, so where it belongs can be told: it follows the genesis hash.
    let refined = b.with_predecessor_at(None);
    assert!(refined.message.contains("belongs at entry 1 "), "{refined}");
    let mut entries = chain(3);
    entries[1].seq = -4;
    entries.sort_by_key(|e| e.seq);
    let b = verify_chain(&entries, None).unwrap_err();
    assert_eq!((b.seq, b.kind), (-4, BreakKind::Reordered), "{b}");
    let refined = b.with_predecessor_at(Some(1));
    assert!(refined.message.contains("belongs at entry 2 "), "{refined}");
    let mut entries = chain(3);
    entries[2].seq = 2;
    let b = verify_chain(&entries, None).unwrap_err();
    assert_eq!((b.seq, b.kind), (2, BreakKind::Reordered), "{b}");
}

/// One tamper of a log, as someone editing the table directly would do it.
#[derive(Debug, Clone)]
enum Tamper {
    /// Change one field (0 at, 1 actor, 2 action, 3 entity, 4 entity_ref, 5 detail,
    /// 6 prev_hash, 7 hash) of entry `i`.
    Change { i: usize, field: u8 },
    /// Delete entry `i` (the newest included).
    Delete { i: usize },
    /// Swap the contents of entries `i` and `j`, keeping their numbers.
    Swap { i: usize, j: usize },
}

fn tamper(n: usize) -> BoxedStrategy<Tamper> {
    let change = (0..n, 0u8..8).prop_map(|(i, field)| Tamper::Change { i, field });
    let delete = (0..n).prop_map(|i| Tamper::Delete { i });
    if n < 2 {
        return prop_oneof![change, delete].boxed();
    }
    let swap = (0..n, 1..n).prop_map(move |(i, d)| {
        let j = (i + d) % n;
        Tamper::Swap {
            i: i.min(j),
            j: i.max(j),
        }
    });
    prop_oneof![change, delete, swap].boxed()
}

fn flip(s: &mut String) {
    s.push('!');
}

fn apply(entries: &mut Vec<AuditEntry>, t: &Tamper) {
    match *t {
        Tamper::Change { i, field } => {
            let e = &mut entries[i];
            match field {
                0 => flip(&mut e.at),
                1 => flip(&mut e.actor),
                2 => flip(&mut e.action),
                3 => {
                    e.entity = if e.entity.is_some() {
                        None
                    } else {
                        Some(String::new())
                    }
                }
                4 => e.entity_ref = Some(format!("{}x", e.entity_ref.clone().unwrap_or_default())),
                5 => e.detail["n"] = json!(-1),
                6 => e.prev_hash = sha256_hex(b"another predecessor"),
                _ => e.hash = sha256_hex(b"another hash"),
            }
        }
        Tamper::Delete { i } => {
            entries.remove(i);
        }
        Tamper::Swap { i, j } => {
            let (a, b) = (entries[i].clone(), entries[j].clone());
            entries[i] = AuditEntry { seq: a.seq, ..b };
            entries[j] = AuditEntry { seq: b.seq, ..a };
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(crate::test_cases::cases(400)))]

    /// Any single change, deletion or swap is caught at the entry it touched, with the
    /// right kind; looking up the named predecessor never makes the answer worse.
    #[test]
    fn every_single_tamper_is_named((n, t) in (1usize..24).prop_flat_map(|n| (Just(n), tamper(n)))) {
        let mut entries = chain(n);
        let head = head_of(&entries);
        apply(&mut entries, &t);
        let found = verify(&entries, &head).unwrap_err();
        let (seq, kind) = match t {
            Tamper::Change { i, .. } => (i as i64 + 1, BreakKind::Altered),
            Tamper::Delete { i } => (i as i64 + 1, BreakKind::Removed),
            Tamper::Swap { i, .. } => (i as i64 + 1, BreakKind::Reordered),
        };
        prop_assert_eq!((found.seq, found.kind), (seq, kind), "{}", found);
        // The store's refinement: where is the entry whose hash the break names?
        let located = found
            .names_predecessor
            .as_ref()
            .and_then(|h| entries.iter().find(|e| &e.hash == h).map(|e| e.seq));
        let refined = found.clone().with_predecessor_at(located);
        prop_assert_eq!((refined.seq, refined.kind), (seq, kind), "{}", refined);
    }

    /// An attacker who re-hashes the entry they changed moves the break to the next
    /// entry's link (or, for the newest entry, to the head).
    #[test]
    fn a_rehashed_change_breaks_the_next_link(n in 1usize..16, pick in any::<prop::sample::Index>()) {
        let mut entries = chain(n);
        let head = head_of(&entries);
        let i = pick.index(n);
        entries[i].actor.push_str(" (edited)");
        entries[i].hash = entries[i].computed_hash();
        let found = verify(&entries, &head).unwrap_err();
        if i + 1 < n {
            prop_assert_eq!(found.seq, i as i64 + 2, "{}", found);
            let refined = found.with_predecessor_at(None);
            prop_assert!(refined.message.contains(&format!("entry {} was altered", i + 1)), "{}", refined);
        } else {
            prop_assert_eq!((found.seq, found.kind), (n as i64, BreakKind::Altered), "{}", found);
        }
    }
}
