//! A frozen trie of normalised serials: the structure that makes a search touch only
//! the serials that can still match.
//!
//! A segment is built once from a [`Batch`] and never changes; the index
//! (`index.rs`) layers a small mutable part on top and rebuilds segments as they age.
//! Layout, chosen for memory and for cache-friendly walks:
//!
//! * the distinct serials, sorted, in one byte arena (`text`, `starts`);
//! * for each distinct serial, the ids that carry it (`ids`, `id_starts`): one register
//!   often holds the same serial on several items;
//! * the trie nodes in breadth-first order, so the children of a node are contiguous
//!   and end where the next node's children begin. A node whose subtree holds a single
//!   serial is a leaf and the rest of that serial (its "tail") is read from the arena,
//!   so the trie has at most about two nodes per distinct serial.
//!
//! The search is exact: it computes the alignment rows of the query against every trie
//! prefix it reaches and abandons a subtree only when a row proves that no extension
//! is within budget. Two shortcuts avoid work without changing the answer:
//!
//! * children whose label is none of the few pattern characters near their depth all
//!   get the same row, so one step with a sentinel character rules them out together;
//! * a budget-0 pattern whose trie walk would be mostly unpruned (a leading `*`) is
//!   answered by scanning the serial text for its longest literal run instead, and
//!   measuring only the serials that contain it.
//!
//! It does not know which ids are still live; the index filters.

use std::collections::VecDeque;

use memchr::memmem;

use super::batch::Batch;
use super::matcher::{Matcher, NO_CHARACTER};

/// `Node::entry` of a node at which no serial ends.
const NO_ENTRY: u32 = u32::MAX;

/// The trie, one array per node field (labels of siblings are adjacent bytes).
#[derive(Default)]
struct Nodes {
    /// The character that leads from the parent to each node.
    labels: Vec<u8>,
    /// Index of each node's first child; its children end where the next node's begin.
    /// One more element than there are nodes.
    first_child: Vec<u32>,
    /// Inner node: the distinct serial ending exactly here, or `NO_ENTRY`.
    /// Leaf: the one distinct serial below it.
    entry: Vec<u32>,
}

/// Above this share (1/32) of a segment's distinct serials under a budget-0 pattern's
/// literal prefix, scanning the text for a literal run beats walking the trie: a walk
/// costs some 60 ns per serial, a scan of ten million serials some 15 ms.
const SCAN_SHARE: usize = 32;

/// One immutable trie over a set of (id, normalised serial) entries.
pub(super) struct Segment {
    text: Vec<u8>,
    /// Distinct serial `u` is `text[starts[u]..starts[u + 1]]`.
    starts: Vec<u32>,
    ids: Vec<u32>,
    /// The ids of distinct serial `u` are `ids[id_starts[u]..id_starts[u + 1]]`.
    id_starts: Vec<u32>,
    /// Breadth-first; node 0 is the root.
    nodes: Nodes,
}

impl Default for Segment {
    fn default() -> Self {
        Segment::build(&Batch::default(), 1)
    }
}

impl Segment {
    /// Builds the trie of every entry in `batch`.
    pub(super) fn build(batch: &Batch, threads: usize) -> Segment {
        let order = batch.sorted_order(threads);
        let mut text = Vec::with_capacity(batch.text_len());
        let mut starts = vec![0u32];
        let mut ids = Vec::with_capacity(batch.len());
        let mut id_starts = vec![0u32];
        let mut previous: Option<&[u8]> = None;
        for &entry in &order {
            let serial = batch.serial(entry);
            if previous != Some(serial) {
                if previous.is_some() {
                    id_starts.push(ids.len() as u32);
                }
                text.extend_from_slice(serial);
                starts.push(text.len() as u32);
                previous = Some(serial);
            }
            ids.push(batch.id(entry));
        }
        if previous.is_some() {
            id_starts.push(ids.len() as u32);
        }
        drop(order);
        let mut segment = Segment {
            text,
            starts,
            ids,
            id_starts,
            nodes: Nodes::default(),
        };
        segment.nodes = segment.build_nodes();
        segment
    }

    /// Breadth-first trie construction over the sorted distinct serials: each node
    /// stands for a range of them sharing a prefix, split by the next character.
    fn build_nodes(&self) -> Nodes {
        let distinct = self.distinct();
        let capacity = distinct.saturating_mul(2) + 2;
        let mut nodes = Nodes {
            labels: Vec::with_capacity(capacity),
            first_child: Vec::with_capacity(capacity),
            entry: Vec::with_capacity(capacity),
        };
        nodes.labels.push(0);
        nodes.entry.push(NO_ENTRY);
        // (first serial, end, depth) of each node not yet expanded, in node order.
        let mut queue = VecDeque::from([(0u32, distinct as u32, 0usize)]);
        let mut node = 0usize;
        while let Some((lo, hi, depth)) = queue.pop_front() {
            nodes.first_child.push(nodes.labels.len() as u32);
            if node != 0 && hi - lo == 1 {
                nodes.entry[node] = lo;
            } else {
                let mut at = lo;
                // Sorted order puts the serial that ends here first.
                if at < hi && self.serial(at).len() == depth {
                    nodes.entry[node] = at;
                    at += 1;
                }
                while at < hi {
                    let label = self.serial(at)[depth];
                    let mut end = at + 1;
                    while end < hi && self.serial(end)[depth] == label {
                        end += 1;
                    }
                    nodes.labels.push(label);
                    nodes.entry.push(NO_ENTRY);
                    queue.push_back((at, end, depth + 1));
                    at = end;
                }
            }
            node += 1;
        }
        // Closes the last node's (empty) child range.
        nodes.first_child.push(nodes.labels.len() as u32);
        nodes.labels.shrink_to_fit();
        nodes.first_child.shrink_to_fit();
        nodes.entry.shrink_to_fit();
        nodes
    }

    /// How many distinct serials the segment holds.
    pub(super) fn distinct(&self) -> usize {
        self.starts.len() - 1
    }

    /// How many (id, serial) entries the segment holds, live or not.
    pub(super) fn entries(&self) -> usize {
        self.ids.len()
    }

    /// Distinct serial `u`.
    pub(super) fn serial(&self, u: u32) -> &[u8] {
        let u = u as usize;
        &self.text[self.starts[u] as usize..self.starts[u + 1] as usize]
    }

    /// The ids that carried distinct serial `u` when the segment was built.
    pub(super) fn ids_of(&self, u: u32) -> &[u32] {
        let u = u as usize;
        &self.ids[self.id_starts[u] as usize..self.id_starts[u + 1] as usize]
    }

    /// Every (id, serial) entry, grouped by serial.
    pub(super) fn all_entries(&self) -> impl Iterator<Item = (u32, &[u8])> {
        (0..self.distinct() as u32)
            .flat_map(move |u| self.ids_of(u).iter().map(move |&id| (id, self.serial(u))))
    }

    /// Approximate heap bytes.
    pub(super) fn memory_bytes(&self) -> usize {
        self.text.capacity()
            + 4 * (self.starts.capacity() + self.ids.capacity() + self.id_starts.capacity())
            + self.nodes.labels.capacity()
            + 4 * (self.nodes.first_child.capacity() + self.nodes.entry.capacity())
    }

    /// Appends `(distinct serial, distance)` for every distinct serial within the
    /// matcher's budget.
    pub(super) fn search(&self, matcher: &mut Matcher<'_>, hits: &mut Vec<(u32, u8)>) {
        if let Some(needle) = matcher.scan_needle()
            && self.count_with_prefix(matcher.literal_prefix()) * SCAN_SHARE > self.distinct()
        {
            self.scan(matcher, needle, hits);
            return;
        }
        let budget = matcher.max_edits();
        let nodes = &self.nodes;
        // Depth-first, so the matcher's rows for depths above the popped node always
        // belong to that node's ancestors.
        let mut stack: Vec<(u32, u32)> = Vec::new();
        self.push_children(0, 0, matcher, &mut stack);
        while let Some((node, depth)) = stack.pop() {
            let (node, depth) = (node as usize, depth as usize);
            if matcher.step(depth, nodes.labels[node]) > budget {
                continue;
            }
            let entry = nodes.entry[node];
            if nodes.first_child[node] == nodes.first_child[node + 1] {
                let serial = self.serial(entry);
                if matcher.length_can_match(serial.len())
                    && let Some(distance) = matcher.finish(depth, &serial[depth..])
                {
                    hits.push((entry, distance));
                }
                continue;
            }
            if entry != NO_ENTRY {
                let distance = matcher.distance_at(depth);
                if distance <= budget {
                    hits.push((entry, distance));
                }
            }
            self.push_children(node, depth, matcher, &mut stack);
        }
    }

    /// Queues the children of `node` (at `depth`, whose row is computed) that may be
    /// within budget.
    fn push_children(
        &self,
        node: usize,
        depth: usize,
        matcher: &mut Matcher<'_>,
        stack: &mut Vec<(u32, u32)>,
    ) {
        let (first, end) = (
            self.nodes.first_child[node] as usize,
            self.nodes.first_child[node + 1] as usize,
        );
        let child_depth = depth + 1;
        // Children whose label is not near in the pattern share the sentinel's row;
        // when that row is over budget only the others need a step of their own.
        let near =
            if end - first > 2 && matcher.step(child_depth, NO_CHARACTER) > matcher.max_edits() {
                Some(matcher.pattern_near(child_depth))
            } else {
                None
            };
        for child in (first..end).rev() {
            if near.is_none_or(|near| near.contains(&self.nodes.labels[child])) {
                stack.push((child as u32, child_depth as u32));
            }
        }
    }

    /// How many distinct serials start with `prefix` (a binary search on the sorted
    /// serials).
    fn count_with_prefix(&self, prefix: &[u8]) -> usize {
        let distinct = self.distinct() as u32;
        let first = partition_point(distinct, |u| self.serial(u) < prefix);
        let end = partition_point(distinct, |u| {
            let serial = self.serial(u);
            serial < prefix || serial.starts_with(prefix)
        });
        (end - first) as usize
    }

    /// Measures every distinct serial that contains `needle`, found by a text scan.
    fn scan(&self, matcher: &mut Matcher<'_>, needle: &[u8], hits: &mut Vec<(u32, u8)>) {
        let finder = memmem::Finder::new(needle);
        let distinct = self.distinct() as u32;
        let mut from = 0usize;
        while let Some(at) = finder.find(&self.text[from..]) {
            let at = (from + at) as u32;
            // The serial the hit starts in: the last one starting at or before it.
            let serial = partition_point(distinct, |u| self.starts[u as usize] <= at) - 1;
            let end = self.starts[serial as usize + 1] as usize;
            // A hit running into the next serial is no hit; either way, the next
            // candidate starts after this serial.
            if at as usize + needle.len() <= end
                && let Some(distance) = matcher.distance(self.serial(serial))
            {
                hits.push((serial, distance));
            }
            from = end;
        }
    }
}

/// The first `u` in `0..len` for which `before(u)` is false (`before` must be true on
/// a prefix of the range).
fn partition_point(len: u32, before: impl Fn(u32) -> bool) -> u32 {
    let (mut lo, mut hi) = (0, len);
    while lo < hi {
        let mid = lo + (hi - lo) / 2;
        if before(mid) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    lo
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::search::SerialQuery;

    fn segment(serials: &[&str]) -> Segment {
        let mut batch = Batch::default();
        for (id, s) in serials.iter().enumerate() {
            batch.push(id as u32, s.as_bytes());
        }
        Segment::build(&batch, 1)
    }

    fn found(segment: &Segment, query: &str, edits: u8) -> Vec<(String, u8)> {
        let query = SerialQuery::parse(query, Some(edits)).unwrap();
        let mut matcher = Matcher::new(&query);
        let mut hits = Vec::new();
        segment.search(&mut matcher, &mut hits);
        let mut found: Vec<(String, u8)> = hits
            .into_iter()
            .map(|(u, d)| (String::from_utf8(segment.serial(u).to_vec()).unwrap(), d))
            .collect();
        found.sort();
        found
    }

    #[test]
    fn groups_ids_by_distinct_serial() {
        let s = segment(&["AK47", "AK4", "AK47", "561"]);
        assert_eq!(s.distinct(), 3);
        assert_eq!(s.entries(), 4);
        let all: Vec<(u32, &[u8])> = s.all_entries().collect();
        assert_eq!(
            all,
            vec![
                (3, &b"561"[..]),
                (1, &b"AK4"[..]),
                (0, &b"AK47"[..]),
                (2, &b"AK47"[..])
            ]
        );
    }

    #[test]
    fn finds_serials_ending_inside_the_trie_and_in_tails() {
        let s = segment(&["AK4", "AK47", "AK4712", "561123"]);
        assert_eq!(found(&s, "AK4", 0), vec![("AK4".into(), 0)]);
        assert_eq!(
            found(&s, "AK4", 1),
            vec![("AK4".into(), 0), ("AK47".into(), 1)]
        );
        assert_eq!(found(&s, "AK4721", 1), vec![("AK4712".into(), 1)]);
        assert_eq!(found(&s, "56?123", 0), vec![("561123".into(), 0)]);
        assert_eq!(
            found(&s, "AK*", 0),
            vec![("AK4".into(), 0), ("AK47".into(), 0), ("AK4712".into(), 0)]
        );
        assert!(found(&s, "XX", 1).is_empty());
    }

    #[test]
    fn leading_star_scan_checks_each_serial_whole() {
        // Sorted, the text arena reads "0001|111A|2012|34A|X111": "1234" occurs only
        // across a boundary, and the first "111" starts in "0001" and hides the one
        // that starts "111A" from a non-overlapping search.
        let s = segment(&["X111", "34A", "2012", "111A", "0001"]);
        assert_eq!(s.text, b"0001111A201234AX111");
        let query = SerialQuery::parse("*1234*", Some(0)).unwrap();
        assert!(Matcher::new(&query).scan_needle().is_some());
        assert!(found(&s, "*1234*", 0).is_empty());
        assert_eq!(
            found(&s, "*111*", 0),
            vec![("111A".into(), 0), ("X111".into(), 0)]
        );
        assert_eq!(found(&s, "*111", 0), vec![("X111".into(), 0)]);
        assert_eq!(found(&s, "*012", 0), vec![("2012".into(), 0)]);
        assert_eq!(found(&s, "?*34A", 0), vec![]);
        assert_eq!(found(&s, "*34A", 0), vec![("34A".into(), 0)]);
    }

    #[test]
    fn empty_segment_finds_nothing() {
        let s = Segment::default();
        assert_eq!(s.distinct(), 0);
        assert!(found(&s, "AK47", 2).is_empty());
    }
}
