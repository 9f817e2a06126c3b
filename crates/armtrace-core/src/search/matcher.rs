//! The incremental form of [`pattern_distance`](super::distance::pattern_distance) that
//! the index walks its tries with.
//!
//! A trie search extends a serial one character at a time and must know, after each
//! character, whether any serial below can still match. The matcher keeps one row of
//! the alignment table per depth, so moving to a sibling recomputes one row and moving
//! down computes one more; a row whose every cell exceeds the budget proves that no
//! extension can match, which is what prunes the search.
//!
//! Two shortcuts keep it fast, neither changing the result:
//! * cells are capped at `max_edits + 1` (only "within budget or not" matters);
//! * without `*`, a cell more than `max_edits` off the diagonal is over budget (an
//!   alignment of an `i`-character serial prefix with a `j`-character pattern prefix
//!   needs at least `|i - j|` edits), so only a band of `2 * max_edits + 1` cells per row
//!   is computed. Cells outside the band are never written and keep the cap.
//!
//! It must agree with the reference distance on every input; the property tests in
//! `proptests.rs` hold it to that. It knows nothing about tries or ids.

use super::query::{ANY_ONE, ANY_RUN, SerialQuery};

/// A byte that occurs in no pattern and no serial: stepping with it gives the row of
/// "a character that fits nothing except `?`".
pub(super) const NO_CHARACTER: u8 = 0;

/// Alignment rows of one query against the serial prefix currently being explored.
pub(super) struct Matcher<'q> {
    pattern: &'q [u8],
    max_edits: u8,
    /// `max_edits + 1`: "over budget".
    cap: u8,
    /// Whether only the diagonal band is computed (patterns without `*`).
    banded: bool,
    /// Cells per row: `pattern.len() + 1`.
    width: usize,
    /// Row `i` (the serial prefix of length `i`) is `rows[i * width..][..width]`.
    rows: Vec<u8>,
    /// The serial prefix itself, for the adjacent-swap rule.
    prefix: Vec<u8>,
}

impl<'q> Matcher<'q> {
    pub(super) fn new(query: &'q SerialQuery) -> Self {
        let pattern = query.normalised().as_bytes();
        let max_edits = query.max_edits();
        let cap = max_edits + 1;
        let width = pattern.len() + 1;
        let mut matcher = Matcher {
            pattern,
            max_edits,
            cap,
            banded: !pattern.contains(&ANY_RUN),
            width,
            rows: vec![cap; width * (pattern.len() + usize::from(max_edits) + 2)],
            prefix: Vec::new(),
        };
        // Row 0: the empty serial prefix against each pattern prefix; `*` costs nothing.
        let mut cost = 0u8;
        matcher.rows[0] = 0;
        for (j, &p) in pattern.iter().enumerate() {
            cost = cost.saturating_add(u8::from(p != ANY_RUN)).min(cap);
            matcher.rows[j + 1] = cost;
        }
        matcher
    }

    /// The query's edit budget.
    #[inline]
    pub(super) fn max_edits(&self) -> u8 {
        self.max_edits
    }

    /// The pattern characters that row `depth` compares a serial character with. A
    /// character outside this slice gets the same row as [`NO_CHARACTER`]: the trie uses
    /// that to rule out most children of a node with a single step.
    #[inline]
    pub(super) fn pattern_near(&self, depth: usize) -> &'q [u8] {
        if !self.banded {
            return self.pattern;
        }
        let k = usize::from(self.max_edits);
        let (lo, hi) = (depth.saturating_sub(k), (depth + k).min(self.pattern.len()));
        if lo > hi {
            return &[];
        }
        // Cells lo..=hi read pattern[j - 1], and pattern[j - 2] for swaps. The swap into
        // cell lo starts from a cell k off the diagonal (worth at least k), so it never
        // brings that cell within budget and pattern[lo - 2] cannot matter.
        &self.pattern[lo.saturating_sub(1)..hi]
    }

    /// The letters typed before the first wildcard: every match of a budget-0 pattern
    /// starts with them.
    pub(super) fn literal_prefix(&self) -> &'q [u8] {
        let len = self
            .pattern
            .iter()
            .take_while(|b| b.is_ascii_alphanumeric())
            .count();
        &self.pattern[..len]
    }

    /// For a budget-0 pattern with `*`: its longest run of letters after the first
    /// wildcard, if at least 3 long. Every match contains that run verbatim, so a text
    /// scan for it can replace a trie walk that a leading `*` would leave unpruned.
    pub(super) fn scan_needle(&self) -> Option<&'q [u8]> {
        if self.max_edits != 0 || self.banded {
            return None;
        }
        let after_prefix = &self.pattern[self.literal_prefix().len()..];
        after_prefix
            .split(|b| !b.is_ascii_alphanumeric())
            .max_by_key(|run| run.len())
            .filter(|run| run.len() >= 3)
    }

    /// Whether serials of `len` characters can match at all (a quick filter before
    /// walking a trie tail).
    #[inline]
    pub(super) fn length_can_match(&self, len: usize) -> bool {
        !self.banded || len.abs_diff(self.pattern.len()) <= usize::from(self.max_edits)
    }

    /// Computes row `depth` (≥ 1) for a serial prefix whose last character is `c` and
    /// whose shorter prefixes are the ones rows `0..depth` were computed for. Returns
    /// the smallest cell of the row, capped: above the budget means prune.
    #[inline]
    pub(super) fn step(&mut self, depth: usize, c: u8) -> u8 {
        let (cap, k, m, width) = (
            self.cap,
            usize::from(self.max_edits),
            self.pattern.len(),
            self.width,
        );
        let (lo, hi) = if self.banded {
            (depth.saturating_sub(k), (depth + k).min(m))
        } else {
            (0, m)
        };
        if lo > hi {
            // The serial is already longer than the pattern plus the budget.
            return cap;
        }
        if self.prefix.len() < depth {
            self.prefix.resize(depth, 0);
        }
        self.prefix[depth - 1] = c;
        if self.rows.len() < (depth + 1) * width {
            // Only `*` patterns get here: they match serials of any length.
            self.rows.resize((depth + 1) * width, cap);
        }
        let before = if depth >= 2 {
            self.prefix[depth - 2]
        } else {
            0
        };
        let (done, rest) = self.rows.split_at_mut(depth * width);
        let row = &mut rest[..width];
        let above = &done[(depth - 1) * width..];
        let two_above = if depth >= 2 {
            &done[(depth - 2) * width..(depth - 1) * width]
        } else {
            // Never read: swaps need depth ≥ 2.
            &done[..0]
        };
        let pattern = self.pattern;
        let fits = |p: u8, s: u8| p == ANY_ONE || p == s;

        let mut best = cap;
        let mut j = lo;
        if j == 0 {
            row[0] = (depth.min(usize::from(cap))) as u8;
            best = row[0];
            j = 1;
        }
        while j <= hi {
            let p = pattern[j - 1];
            let cell = if p == ANY_RUN {
                row[j - 1].min(above[j])
            } else {
                let mut cell =
                    (above[j - 1] + u8::from(!fits(p, c))).min(above[j].min(row[j - 1]) + 1);
                if depth >= 2
                    && j >= 2
                    && pattern[j - 2] != ANY_RUN
                    && fits(p, before)
                    && fits(pattern[j - 2], c)
                {
                    cell = cell.min(two_above[j - 2] + 1);
                }
                // Neighbours of `*`s that stand for nothing may swap. Queries hold no
                // `**`, but the reference accepts it, so count the run anyway.
                if depth >= 2 && j >= 3 && pattern[j - 2] == ANY_RUN {
                    let stars = pattern[..j - 1]
                        .iter()
                        .rev()
                        .take_while(|&&q| q == ANY_RUN)
                        .count();
                    if j >= stars + 2 && fits(p, before) && fits(pattern[j - 2 - stars], c) {
                        cell = cell.min(two_above[j - 2 - stars] + 1);
                    }
                }
                cell.min(cap)
            };
            row[j] = cell;
            best = best.min(cell);
            j += 1;
        }
        best
    }

    /// The distance of the serial prefix of length `depth` to the whole pattern, capped
    /// at `max_edits + 1`. Valid once row `depth` has been computed.
    #[inline]
    pub(super) fn distance_at(&self, depth: usize) -> u8 {
        self.rows
            .get(depth * self.width + self.pattern.len())
            .copied()
            .unwrap_or(self.cap)
    }

    /// Continues from a computed row `depth` over `rest`, the remaining characters of
    /// one serial. `Some(distance)` when the whole serial is within budget.
    #[inline]
    pub(super) fn finish(&mut self, depth: usize, rest: &[u8]) -> Option<u8> {
        for (i, &c) in rest.iter().enumerate() {
            if self.step(depth + i + 1, c) > self.max_edits {
                return None;
            }
        }
        let distance = self.distance_at(depth + rest.len());
        (distance <= self.max_edits).then_some(distance)
    }

    /// The distance of one whole serial, when within budget.
    pub(super) fn distance(&mut self, serial: &[u8]) -> Option<u8> {
        if !self.length_can_match(serial.len()) {
            return None;
        }
        self.finish(0, serial)
    }
}
