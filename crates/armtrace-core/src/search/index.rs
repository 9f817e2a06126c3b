//! The serial index: frozen trie segments plus a small buffer of recent changes, so the
//! register can be searched while items are added, corrected and deleted.
//!
//! Shape (a two-level log-structured merge):
//! * `base`: the segment built by [`SerialIndex::build`] or by the last full merge;
//! * `recent`: a segment of entries inserted since, rebuilt whenever `pending` fills;
//! * `pending`: the newest entries, scanned one by one (a few thousand at most);
//! * `place`: for every id, which of the three holds its current serial.
//!
//! A segment is never edited. Replacing or removing an id only changes its `place`; the
//! stale entry stays in its segment and searches skip it. When `recent` grows past
//! 1/64 of `base`, or stale entries outnumber live ones, everything live is rebuilt
//! into a new `base`. That ratio balances the two rebuild costs (a rebuild costs about
//! 0.3 µs per entry): at ten million serials an insertion costs some 40 µs amortised,
//! but the call that triggers a full merge takes seconds. Bulk loads should use
//! [`SerialIndex::build`].
//!
//! This module does no matching of its own (segments and the matcher do) and knows
//! nothing about items beyond their ids.

use super::IndexMatch;
use super::batch::Batch;
use super::matcher::Matcher;
use super::query::SerialQuery;
use super::segment::Segment;

/// Where an id's current serial lives.
#[derive(Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
enum Place {
    Absent,
    Base,
    Recent,
    Pending,
}

/// When the layers are folded into one another.
#[derive(Clone, Copy, Debug)]
pub(super) struct Limits {
    /// `pending` is folded into `recent` when it reaches this many entries.
    pub(super) pending: usize,
    /// `recent` is merged into `base` once it holds more than this many entries and
    /// more than `base / RECENT_SHARE`.
    pub(super) recent_min: usize,
    /// Threads a segment's sort may use (the caller decides; see
    /// [`SerialIndex::build_with_threads`]).
    pub(super) threads: usize,
}

/// See the module documentation: `recent` may hold up to 1/64 of `base`.
const RECENT_SHARE: usize = 64;

impl Default for Limits {
    fn default() -> Self {
        // Scanning 1024 pending serials costs tens of microseconds per search; a
        // recent segment of 64k entries rebuilds in some 20 ms.
        Limits {
            pending: 1024,
            recent_min: 1 << 16,
            threads: 1,
        }
    }
}

/// An in-memory index of normalised serials by item id, answering [`SerialQuery`]s
/// exactly as [`brute_force`](super::brute_force) would, but without reading every
/// serial.
///
/// Ids are dense item ids chosen by the caller: memory grows with the largest id (one
/// byte per id, and four more during [`build`](Self::build)), so keep them below some
/// tens of millions. Serials must be in the form [`crate::serial::normalise`] returns;
/// an empty serial is not indexed (the item has no serial to find).
///
/// Searching takes `&self` and allocates only per query, so one index can serve many
/// readers (behind a lock when it is also updated).
///
/// ```
/// use armtrace_core::search::{IndexMatch, SerialIndex, SerialQuery};
/// use armtrace_core::serial::normalise;
///
/// let mut index = SerialIndex::build([(1, normalise("AK-1974-012345")), (2, normalise("56-1-123456"))]);
/// index.insert(3, &normalise("AK-1974-012354"));
/// let query = SerialQuery::parse("ak 1974 O12345", None).unwrap();
/// assert_eq!(
///     index.search(&query),
///     vec![IndexMatch { id: 1, distance: 0 }, IndexMatch { id: 3, distance: 1 }]
/// );
/// ```
pub struct SerialIndex {
    base: Segment,
    recent: Segment,
    pending: Vec<(u32, Box<[u8]>)>,
    place: Vec<Place>,
    /// Live entries in `base` and in `recent`.
    base_live: usize,
    recent_live: usize,
    pub(super) limits: Limits,
}

impl std::fmt::Debug for SerialIndex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SerialIndex")
            .field("len", &self.len())
            .field("base", &self.base.entries())
            .field("recent", &self.recent.entries())
            .field("pending", &self.pending.len())
            .field("memory_bytes", &self.memory_bytes())
            .finish()
    }
}

impl Default for SerialIndex {
    fn default() -> Self {
        SerialIndex::new()
    }
}

impl SerialIndex {
    /// An empty index.
    pub fn new() -> Self {
        SerialIndex::with_limits(Limits::default())
    }

    pub(super) fn with_limits(limits: Limits) -> Self {
        SerialIndex {
            base: Segment::default(),
            recent: Segment::default(),
            pending: Vec::new(),
            place: Vec::new(),
            base_live: 0,
            recent_live: 0,
            limits,
        }
    }

    /// Builds an index from `(id, normalised serial)` pairs in one pass, on one thread.
    /// When an id occurs more than once, its last serial wins, as with repeated
    /// [`insert`](Self::insert)s.
    pub fn build(entries: impl IntoIterator<Item = (u32, String)>) -> Self {
        SerialIndex::build_with_threads(entries, 1)
    }

    /// Like [`build`](Self::build), sorting on up to `threads` threads (two is what a
    /// two-core machine gains from): the fast way to load a register. Later rebuilds of
    /// the index's layers use as many.
    pub fn build_with_threads(
        entries: impl IntoIterator<Item = (u32, String)>,
        threads: usize,
    ) -> Self {
        let mut index = SerialIndex::with_limits(Limits {
            threads: threads.max(1),
            ..Limits::default()
        });
        let entries = entries.into_iter();
        let mut batch = Batch::with_capacity(entries.size_hint().0, entries.size_hint().0 * 12);
        for (id, serial) in entries {
            batch.push(id, serial.as_bytes());
        }
        // The last entry of each id wins: mark which entry that is, keep only those.
        let mut last = Vec::new();
        for entry in 0..batch.len() as u32 {
            let id = batch.id(entry) as usize;
            if last.len() <= id {
                last.resize(id + 1, u32::MAX);
            }
            last[id] = entry;
        }
        let all_kept = (0..batch.len() as u32)
            .all(|e| last[batch.id(e) as usize] == e && !batch.serial(e).is_empty());
        if !all_kept {
            let mut kept = Batch::with_capacity(batch.len(), batch.text_len());
            for entry in 0..batch.len() as u32 {
                let (id, serial) = (batch.id(entry), batch.serial(entry));
                if last[id as usize] == entry && !serial.is_empty() {
                    kept.push(id, serial);
                }
            }
            batch = kept;
        }
        drop(last);
        index.set_base(&batch);
        index
    }

    /// Indexes `normalised` as the serial of `id`, replacing any serial `id` had. An
    /// empty serial removes `id`.
    pub fn insert(&mut self, id: u32, normalised: &str) {
        self.forget(id);
        if normalised.is_empty() {
            return;
        }
        debug_assert_eq!(crate::serial::normalise(normalised), normalised);
        let slot = id as usize;
        if self.place.len() <= slot {
            self.place.resize(slot + 1, Place::Absent);
        }
        self.place[slot] = Place::Pending;
        self.pending.push((id, normalised.as_bytes().into()));
        if self.pending.len() >= self.limits.pending {
            self.fold_pending();
        }
    }

    /// Removes `id` and its serial; nothing happens when `id` is not indexed.
    pub fn remove(&mut self, id: u32) {
        self.forget(id);
        let entries = self.base.entries() + self.recent.entries();
        let live = self.base_live + self.recent_live;
        if entries - live > live.max(self.limits.pending) {
            self.merge_all();
        }
    }

    /// How many ids have a serial in the index.
    pub fn len(&self) -> usize {
        self.base_live + self.recent_live + self.pending.len()
    }

    /// Whether no id has a serial in the index.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Every indexed id whose serial matches `query`, with its distance, in id order.
    /// There is no limit: callers rank (see [`rank`](super::rank)) and cut.
    pub fn search(&self, query: &SerialQuery) -> Vec<IndexMatch> {
        let mut matcher = Matcher::new(query);
        let mut found = Vec::new();
        let mut hits = Vec::new();
        for (segment, place) in [(&self.base, Place::Base), (&self.recent, Place::Recent)] {
            hits.clear();
            segment.search(&mut matcher, &mut hits);
            for &(serial, distance) in &hits {
                for &id in segment.ids_of(serial) {
                    if self.place[id as usize] == place {
                        found.push(IndexMatch { id, distance });
                    }
                }
            }
        }
        for (id, serial) in &self.pending {
            if let Some(distance) = matcher.distance(serial) {
                found.push(IndexMatch { id: *id, distance });
            }
        }
        found.sort_unstable_by_key(|m| m.id);
        found
    }

    /// Approximate heap bytes held by the index (for benchmarks and capacity planning).
    pub fn memory_bytes(&self) -> usize {
        self.base.memory_bytes()
            + self.recent.memory_bytes()
            + self.place.capacity()
            + self.pending.capacity() * size_of::<(u32, Box<[u8]>)>()
            + self.pending.iter().map(|(_, s)| s.len()).sum::<usize>()
    }

    /// Takes `id` out of whichever layer holds it, without any rebuild.
    fn forget(&mut self, id: u32) {
        let Some(place) = self.place.get_mut(id as usize) else {
            return;
        };
        match std::mem::replace(place, Place::Absent) {
            Place::Absent => {}
            Place::Base => self.base_live -= 1,
            Place::Recent => self.recent_live -= 1,
            Place::Pending => {
                let at = self.pending.iter().position(|(p, _)| *p == id);
                self.pending
                    .swap_remove(at.expect("pending id is in the pending list"));
            }
        }
    }

    /// The live entries of one segment.
    fn live_entries<'a>(
        &'a self,
        segment: &'a Segment,
        place: Place,
    ) -> impl Iterator<Item = (u32, &'a [u8])> + 'a {
        segment
            .all_entries()
            .filter(move |&(id, _)| self.place[id as usize] == place)
    }

    /// Rebuilds `recent` from its live entries and the pending ones; merges everything
    /// into `base` when `recent` has grown large.
    fn fold_pending(&mut self) {
        if self.recent_live + self.pending.len()
            > self.limits.recent_min.max(self.base_live / RECENT_SHARE)
        {
            self.merge_all();
            return;
        }
        let mut batch = Batch::default();
        for (id, serial) in self.live_entries(&self.recent, Place::Recent) {
            batch.push(id, serial);
        }
        for (id, serial) in self.pending.drain(..) {
            batch.push(id, &serial);
        }
        self.recent = Segment::build(&batch, self.limits.threads);
        self.recent_live = batch.len();
        for entry in 0..batch.len() as u32 {
            self.place[batch.id(entry) as usize] = Place::Recent;
        }
    }

    /// Rebuilds `base` from every live entry and empties the other layers.
    fn merge_all(&mut self) {
        let mut batch = Batch::default();
        for (id, serial) in self.live_entries(&self.base, Place::Base) {
            batch.push(id, serial);
        }
        for (id, serial) in self.live_entries(&self.recent, Place::Recent) {
            batch.push(id, serial);
        }
        for (id, serial) in std::mem::take(&mut self.pending) {
            batch.push(id, &serial);
        }
        self.recent = Segment::default();
        self.recent_live = 0;
        self.set_base(&batch);
    }

    /// Makes `batch` (one entry per id, no empty serial) the base segment.
    fn set_base(&mut self, batch: &Batch) {
        self.base = Segment::build(batch, self.limits.threads);
        self.base_live = batch.len();
        let max_id = (0..batch.len() as u32).map(|e| batch.id(e)).max();
        if let Some(max_id) = max_id
            && self.place.len() <= max_id as usize
        {
            self.place.resize(max_id as usize + 1, Place::Absent);
        }
        for entry in 0..batch.len() as u32 {
            self.place[batch.id(entry) as usize] = Place::Base;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(index: &SerialIndex, query: &str, edits: u8) -> Vec<(u32, u8)> {
        let query = SerialQuery::parse(query, Some(edits)).unwrap();
        index
            .search(&query)
            .iter()
            .map(|m| (m.id, m.distance))
            .collect()
    }

    fn small() -> SerialIndex {
        SerialIndex::with_limits(Limits {
            pending: 2,
            recent_min: 3,
            threads: 2,
        })
    }

    #[test]
    fn insert_replaces_an_ids_serial_in_every_layer() {
        let mut index = SerialIndex::build([(1, "AK47".to_string()), (2, "AK48".to_string())]);
        index.insert(1, "56123");
        assert_eq!(index.len(), 2);
        assert_eq!(ids(&index, "AK47", 0), vec![]);
        assert_eq!(ids(&index, "AK47", 1), vec![(2, 1)]);
        assert_eq!(ids(&index, "56123", 0), vec![(1, 0)]);

        // The same through pending, recent and merged layers.
        let mut index = small();
        for round in 0..6u32 {
            index.insert(1, &format!("AK{}", 40 + round));
            index.insert(2 + round, "561");
            assert_eq!(ids(&index, &format!("AK{}", 40 + round), 0), vec![(1, 0)]);
            assert_eq!(
                ids(&index, "AK40", 0),
                if round == 0 { vec![(1, 0)] } else { vec![] }
            );
        }
        assert_eq!(index.len(), 7);
        assert_eq!(ids(&index, "561", 0).len(), 6);
    }

    #[test]
    fn remove_forgets_and_tolerates_unknown_ids() {
        let mut index = SerialIndex::build([(3, "AK47".to_string())]);
        index.remove(3);
        index.remove(3);
        index.remove(1_000_000);
        assert!(index.is_empty());
        assert_eq!(ids(&index, "AK47", 2), vec![]);
        index.insert(3, "AK47");
        assert_eq!(ids(&index, "AK47", 0), vec![(3, 0)]);

        let mut index = small();
        for id in 0..20 {
            index.insert(id, "1983123456");
        }
        for id in (0..20).step_by(2) {
            index.remove(id);
        }
        let found: Vec<u32> = ids(&index, "1983123456", 0).iter().map(|m| m.0).collect();
        assert_eq!(found, (1..20).step_by(2).collect::<Vec<u32>>());
    }

    #[test]
    fn empty_serials_are_not_indexed() {
        let mut index = SerialIndex::build([(1, String::new()), (2, "A".to_string())]);
        assert_eq!(index.len(), 1);
        assert_eq!(ids(&index, "8", 1), vec![(2, 1)]);
        index.insert(2, "");
        assert!(index.is_empty());
    }

    #[test]
    fn build_keeps_the_last_serial_of_a_repeated_id() {
        let index = SerialIndex::build([
            (5, "AK47".to_string()),
            (6, "AK47".to_string()),
            (5, "KA12345".to_string()),
        ]);
        assert_eq!(index.len(), 2);
        assert_eq!(ids(&index, "AK47", 0), vec![(6, 0)]);
        assert_eq!(ids(&index, "KA12345", 0), vec![(5, 0)]);
    }

    #[test]
    fn can_be_shared_between_request_handlers() {
        fn shareable<T: Send + Sync>() {}
        shareable::<SerialIndex>();
        let index = SerialIndex::build([(1, "AK47".to_string())]);
        assert!(format!("{index:?}").starts_with("SerialIndex { len: 1,"));
    }

    #[test]
    fn memory_grows_with_the_register() {
        let small = SerialIndex::build((0..10).map(|i| (i, format!("AK{i}"))));
        let large = SerialIndex::build((0..10_000).map(|i| (i, format!("AK{i}"))));
        assert!(small.memory_bytes() > 0);
        assert!(large.memory_bytes() > 10_000 * 4);
        assert!(large.memory_bytes() > small.memory_bytes());
    }
}
