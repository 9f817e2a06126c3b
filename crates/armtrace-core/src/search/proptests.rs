//! Property tests: the index must return exactly what the brute-force scan returns.
//!
//! Registers use a five-letter alphabet and a few shared prefixes so that serials
//! collide, share trie paths and sit one or two edits apart, which is where an index
//! goes wrong. Queries are mostly derived from stored serials by the edits the contract
//! names (substitution, insertion, deletion, adjacent swap), plus confusable letters,
//! separators and `?`/`*` wildcards, with every edit budget from 0 to [`MAX_EDITS`].
//! Small layer limits force the index through its pending → recent → base folds.

use std::collections::BTreeMap;

use proptest::prelude::*;

use super::index::Limits;
use super::*;

const PREFIXES: [&str; 4] = ["", "AK", "A8", "10"];

fn serial() -> impl Strategy<Value = String> {
    (0..PREFIXES.len(), "[0128A]{0,7}").prop_map(|(p, tail)| format!("{}{tail}", PREFIXES[p]))
}

/// One change to a query's raw text.
#[derive(Debug, Clone)]
enum Edit {
    Substitute(usize, char),
    Insert(usize, char),
    Delete(usize),
    Swap(usize),
    /// Write a character as a letter that normalises back to it (0 → O, 8 → b, ...).
    Confusable(usize),
    Separator(usize),
    AnyOne(usize),
    AnyRun(usize, usize),
}

fn edit() -> impl Strategy<Value = Edit> {
    let at = 0usize..16;
    let letter = prop::sample::select(vec!['0', '1', '2', '8', 'A', 'K']);
    prop_oneof![
        3 => (at.clone(), letter.clone()).prop_map(|(i, c)| Edit::Substitute(i, c)),
        3 => (at.clone(), letter).prop_map(|(i, c)| Edit::Insert(i, c)),
        3 => at.clone().prop_map(Edit::Delete),
        3 => at.clone().prop_map(Edit::Swap),
        1 => at.clone().prop_map(Edit::Confusable),
        1 => at.clone().prop_map(Edit::Separator),
        1 => at.clone().prop_map(Edit::AnyOne),
        1 => (at, 0usize..4).prop_map(|(i, n)| Edit::AnyRun(i, n)),
    ]
}

fn apply(serial: &str, edits: &[Edit]) -> String {
    let mut text: Vec<char> = serial.chars().collect();
    for edit in edits {
        let len = text.len();
        let at = |i: usize| i % len.max(1);
        match *edit {
            Edit::Insert(i, c) => text.insert(i % (len + 1), c),
            Edit::Separator(i) => text.insert(i % (len + 1), if i % 2 == 0 { '-' } else { ' ' }),
            _ if len == 0 => {}
            Edit::Substitute(i, c) => text[at(i)] = c,
            Edit::Delete(i) => {
                text.remove(at(i));
            }
            Edit::Swap(i) if len >= 2 => text.swap(i % (len - 1), i % (len - 1) + 1),
            Edit::Swap(_) => {}
            Edit::Confusable(i) => {
                text[at(i)] = match text[at(i)] {
                    '0' => 'o',
                    '1' => 'I',
                    '2' => 'z',
                    '8' => 'B',
                    c => c.to_ascii_lowercase(),
                }
            }
            Edit::AnyOne(i) => text[at(i)] = '?',
            Edit::AnyRun(i, n) => {
                let start = at(i);
                let end = (start + n).min(len);
                text.splice(start..end, ['*']);
            }
        }
    }
    text.into_iter().collect()
}

/// A query: derived from the stored serial `source` (modulo the register size) by
/// `edits`, or free text when the register is empty or `source` is `None`; with a
/// budget, or the default one.
type QuerySpec = (Option<usize>, String, Vec<Edit>, Option<u8>);

fn query() -> impl Strategy<Value = QuerySpec> {
    (
        prop::option::weighted(0.85, 0usize..1000),
        serial(),
        prop::collection::vec(edit(), 0..4),
        prop::option::weighted(0.8, 0..=MAX_EDITS),
    )
}

fn parse(
    register: &[(u32, String)],
    (source, free, edits, budget): &QuerySpec,
) -> Option<SerialQuery> {
    let base = match source {
        Some(i) if !register.is_empty() => &register[i % register.len()].1,
        _ => free,
    };
    SerialQuery::parse(&apply(base, edits), *budget).ok()
}

/// The index and the reference agree on every query, distances included.
fn assert_agrees(
    index: &SerialIndex,
    register: &[(u32, String)],
    queries: &[QuerySpec],
) -> Result<(), TestCaseError> {
    for spec in queries {
        let Some(query) = parse(register, spec) else {
            continue;
        };
        prop_assert_eq!(
            index.search(&query),
            brute_force(register, &query),
            "query {:?} (normalised {:?}, budget {})",
            query.raw(),
            query.normalised(),
            query.max_edits()
        );
    }
    Ok(())
}

/// Register operations for the interleaving tests.
#[derive(Debug, Clone)]
enum Op {
    Insert(u32, String),
    Remove(u32),
    Search(usize),
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        6 => (0u32..40, serial()).prop_map(|(id, s)| Op::Insert(id, s)),
        2 => (0u32..40).prop_map(Op::Remove),
        2 => (0usize..8).prop_map(Op::Search),
    ]
}

fn small_limits() -> Limits {
    Limits {
        pending: 3,
        recent_min: 6,
        threads: 2,
    }
}

fn run_ops(
    mut index: SerialIndex,
    mut model: BTreeMap<u32, String>,
    ops: &[Op],
    queries: &[QuerySpec],
) -> Result<(), TestCaseError> {
    for op in ops {
        match op {
            Op::Insert(id, serial) => {
                index.insert(*id, serial);
                model.insert(*id, serial.clone());
            }
            Op::Remove(id) => {
                index.remove(*id);
                model.remove(id);
            }
            Op::Search(q) => {
                let register: Vec<(u32, String)> =
                    model.iter().map(|(id, s)| (*id, s.clone())).collect();
                assert_agrees(&index, &register, &queries[q % queries.len()..][..1])?;
            }
        }
        let indexed = model.values().filter(|s| !s.is_empty()).count();
        prop_assert_eq!(index.len(), indexed);
    }
    let register: Vec<(u32, String)> = model.into_iter().collect();
    assert_agrees(&index, &register, queries)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(crate::test_cases::cases(400)))]

    #[test]
    fn built_index_matches_brute_force(
        serials in prop::collection::vec(serial(), 0..60),
        queries in prop::collection::vec(query(), 1..8),
    ) {
        // Sparse ids, not in serial order.
        let register: Vec<(u32, String)> = serials
            .into_iter()
            .enumerate()
            .map(|(i, s)| ((i as u32 * 7919) % 1000, s))
            .collect();
        let index = SerialIndex::build(register.clone());
        assert_agrees(&index, &register, &queries)?;
    }

    #[test]
    fn leading_star_queries_match_brute_force(
        serials in prop::collection::vec(serial(), 1..60),
        picks in prop::collection::vec((0usize..100, 0usize..10, 1usize..6, 0usize..3), 1..8),
    ) {
        // `*` + part of a stored serial (+ `*` or `?`): the text-scan path.
        let register: Vec<(u32, String)> =
            serials.into_iter().enumerate().map(|(i, s)| (i as u32, s)).collect();
        let index = SerialIndex::build(register.clone());
        for (pick, start, len, tail) in picks {
            let serial = &register[pick % register.len()].1;
            let start = start.min(serial.len());
            let part = &serial[start..(start + len).min(serial.len())];
            let text = format!("*{part}{}", ["", "*", "?"][tail]);
            let Ok(query) = SerialQuery::parse(&text, Some(0)) else { continue };
            prop_assert_eq!(index.search(&query), brute_force(&register, &query), "{}", text);
        }
    }

    #[test]
    fn index_matches_brute_force_through_inserts_and_removes(
        ops in prop::collection::vec(op(), 0..80),
        queries in prop::collection::vec(query(), 1..8),
    ) {
        run_ops(SerialIndex::with_limits(small_limits()), BTreeMap::new(), &ops, &queries)?;
    }

    #[test]
    fn built_index_stays_exact_after_changes(
        serials in prop::collection::vec(serial(), 0..40),
        ops in prop::collection::vec(op(), 0..60),
        queries in prop::collection::vec(query(), 1..6),
    ) {
        let register: Vec<(u32, String)> =
            serials.into_iter().enumerate().map(|(i, s)| (i as u32, s)).collect();
        let mut index = SerialIndex::build(register.clone());
        index.limits = small_limits();
        let model = register.into_iter().collect();
        run_ops(index, model, &ops, &queries)?;
    }
}
