//! Serials on their way into a trie: one byte arena, and the lexicographic sort that a
//! trie build starts from.
//!
//! Ten million serials must sort in about a second without a `String` per serial, so
//! the sort works on `(8-byte chunk, entry)` pairs and only looks at the next chunk for
//! entries whose chunks tie (an MSD radix sort with 8-byte digits). With two or more
//! cores the first, largest level runs on two threads. This module holds no index
//! state and does no matching.

use std::thread;

/// Below this many entries a second thread costs more than it saves.
const PARALLEL_MIN: usize = 1 << 16;

/// Serials with their ids, in one arena (no allocation per serial).
#[derive(Default)]
pub(super) struct Batch {
    text: Vec<u8>,
    /// Entry `e` is `text[ends[e - 1]..ends[e]]` (with `ends[-1]` = 0).
    ends: Vec<u32>,
    ids: Vec<u32>,
}

impl Batch {
    pub(super) fn with_capacity(entries: usize, bytes: usize) -> Self {
        Batch {
            text: Vec::with_capacity(bytes),
            ends: Vec::with_capacity(entries),
            ids: Vec::with_capacity(entries),
        }
    }

    /// Adds one serial. Panics past 4 GiB of serial text, far beyond any register
    /// (ten million serials take about 140 MB).
    pub(super) fn push(&mut self, id: u32, serial: &[u8]) {
        self.text.extend_from_slice(serial);
        let end = u32::try_from(self.text.len()).expect("serial index text over 4 GiB");
        self.ends.push(end);
        self.ids.push(id);
    }

    pub(super) fn len(&self) -> usize {
        self.ids.len()
    }

    pub(super) fn id(&self, entry: u32) -> u32 {
        self.ids[entry as usize]
    }

    pub(super) fn serial(&self, entry: u32) -> &[u8] {
        let e = entry as usize;
        let start = if e == 0 { 0 } else { self.ends[e - 1] as usize };
        &self.text[start..self.ends[e] as usize]
    }

    pub(super) fn text_len(&self) -> usize {
        self.text.len()
    }

    /// Entry numbers in lexicographic order of their serials (ties by entry number, so
    /// the order is deterministic), sorted on up to `threads` threads (two at most help).
    pub(super) fn sorted_order(&self, threads: usize) -> Vec<u32> {
        let count = u32::try_from(self.len()).expect("more than 4 billion serials");
        let mut keys: Vec<(u64, u32)> = (0..count).map(|e| (self.chunk(e, 0), e)).collect();
        let threads = threads.min(2);
        self.sort_from(&mut keys, 0, threads);
        keys.into_iter().map(|(_, entry)| entry).collect()
    }

    /// Eight bytes of a serial from `depth`, big-endian, zero-padded. Serials never
    /// contain a zero byte, so padding sorts a shorter serial before its extensions.
    fn chunk(&self, entry: u32, depth: usize) -> u64 {
        let serial = self.serial(entry);
        let mut bytes = [0u8; 8];
        if depth < serial.len() {
            let rest = &serial[depth..];
            let n = rest.len().min(8);
            bytes[..n].copy_from_slice(&rest[..n]);
        }
        u64::from_be_bytes(bytes)
    }

    /// Sorts `keys`, whose serials agree on their first `depth` bytes and whose keys
    /// hold the chunk at `depth`.
    fn sort_from(&self, keys: &mut [(u64, u32)], depth: usize, threads: usize) {
        if threads >= 2 && keys.len() >= PARALLEL_MIN {
            let (left, right) = keys.split_at_mut(keys.len() / 2);
            thread::scope(|s| {
                s.spawn(|| left.sort_unstable());
                right.sort_unstable();
            });
            // Two sorted runs: the stable sort detects them and merges in linear time.
            keys.sort();
            // Split the tie-breaking work at a run boundary near the middle.
            if let Some(split) = run_boundary_near(keys, keys.len() / 2) {
                let (left, right) = keys.split_at_mut(split);
                thread::scope(|s| {
                    s.spawn(|| self.break_ties(left, depth, 1));
                    self.break_ties(right, depth, 1);
                });
                return;
            }
        } else {
            keys.sort_unstable();
        }
        self.break_ties(keys, depth, threads);
    }

    /// Sorts each run of equal chunks by the serials' next chunk.
    fn break_ties(&self, keys: &mut [(u64, u32)], depth: usize, threads: usize) {
        let mut start = 0;
        while start < keys.len() {
            let chunk = keys[start].0;
            let end = start + keys[start..].iter().take_while(|k| k.0 == chunk).count();
            // A full chunk (no zero padding) means the serials may go on; otherwise
            // equal chunks mean equal serials.
            if end - start > 1 && chunk & 0xff != 0 {
                let run = &mut keys[start..end];
                for key in run.iter_mut() {
                    key.0 = self.chunk(key.1, depth + 8);
                }
                self.sort_from(run, depth + 8, threads);
            }
            start = end;
        }
    }
}

/// The start of the run of equal chunks nearest to `middle`, if it is not 0.
fn run_boundary_near(keys: &[(u64, u32)], middle: usize) -> Option<usize> {
    let chunk = keys[middle].0;
    let after = middle + keys[middle..].iter().take_while(|k| k.0 == chunk).count();
    let before = middle
        - keys[..middle]
            .iter()
            .rev()
            .take_while(|k| k.0 == chunk)
            .count();
    [before, after]
        .into_iter()
        .filter(|&b| b > 0 && b < keys.len())
        .min_by_key(|&b| b.abs_diff(middle))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn sorted(serials: &[&str]) -> Vec<String> {
        let mut batch = Batch::default();
        for (id, s) in serials.iter().enumerate() {
            batch.push(id as u32, s.as_bytes());
        }
        batch
            .sorted_order(2)
            .into_iter()
            .map(|e| String::from_utf8(batch.serial(e).to_vec()).unwrap())
            .collect()
    }

    #[test]
    fn sorts_prefixes_first_and_long_serials_by_every_byte() {
        let serials = [
            "AK1974012345",
            "AK19740123",
            "AK1974012344",
            "AK1974",
            "AK197401234500000000001",
            "AK197401234500000000000",
            "56112345",
            "AK1974012345",
        ];
        let mut expected: Vec<String> = serials.iter().map(|s| s.to_string()).collect();
        expected.sort();
        assert_eq!(sorted(&serials), expected);
    }

    #[test]
    fn sorts_a_large_batch_on_two_threads() {
        // Large enough for the parallel path, with long shared prefixes.
        let serials: Vec<String> = (0..PARALLEL_MIN as u32 * 2)
            .map(|n| {
                format!(
                    "AK19740{:09}",
                    n.wrapping_mul(2_654_435_761) % 1_000_000_000
                )
            })
            .collect();
        let refs: Vec<&str> = serials.iter().map(String::as_str).collect();
        let mut expected = serials.clone();
        expected.sort();
        assert_eq!(sorted(&refs), expected);
    }

    proptest! {
        #[test]
        fn order_is_lexicographic(serials in proptest::collection::vec("[A0]{0,20}", 0..40)) {
            let refs: Vec<&str> = serials.iter().map(String::as_str).collect();
            let mut expected = serials.clone();
            expected.sort();
            prop_assert_eq!(sorted(&refs), expected);
        }
    }
}
