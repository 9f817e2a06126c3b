//! The tamper-evident audit log: what one entry is, how its hash is computed, and how a
//! sequence of entries is checked.
//!
//! Every write to a register (an import, a trace-request change, an evidence file, a
//! user change, a login) appends one [`AuditEntry`]. Each entry carries the hash of the
//! entry before it, so changing, removing or reordering any entry breaks the chain from
//! that point on; the newest hash (the *head*) is kept apart and published with exports,
//! so removing entries from the end is caught too.
//!
//! # The hash of an entry
//!
//! `hash` is the lowercase hex SHA-256 of the ASCII text
//!
//! ```text
//! ["armtrace-audit/1",prev_hash,at,actor,action,entity,entity_ref,detail]
//! ```
//!
//! written as canonical JSON (see [`canonical`]): a JSON array of those eight values
//! (`entity` and `entity_ref` may be `null`, `detail` is any JSON value), object keys
//! sorted, no spaces, non-ASCII escaped. The first entry's `prev_hash` is
//! [`GENESIS_HASH`], 64 zeros. An outside party recomputes it with a few lines of Python:
//!
//! ```text
//! import hashlib, json
//! def entry_hash(e):
//!     fields = ["armtrace-audit/1", e["prev_hash"], e["at"], e["actor"], e["action"],
//!               e["entity"], e["entity_ref"], e["detail"]]
//!     text = json.dumps(fields, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
//!     return hashlib.sha256(text.encode("ascii")).hexdigest()
//! ```
//!
//! or with `printf '%s' "$text" | sha256sum`.
//!
//! `seq` (1, 2, 3, … without gaps) is deliberately *not* hashed: an entry's place is
//! fixed by the `prev_hash` it names, and keeping the number out lets a check tell an
//! entry that was moved (intact, in the wrong place) from one that was changed.
//!
//! # Checking
//!
//! [`ChainVerifier`] takes entries one at a time in `seq` order, so a million-entry log
//! is checked without holding it in memory, and stops at the first break: a
//! [`ChainBreak`] naming the entry, whether it was altered, removed or reordered, and
//! what to look at. [`export`] is the file format for handing a log to someone else,
//! with an optional Ed25519 signature on its head.
//!
//! This module reads no clock and touches no file: times, entries and keys come in as
//! values.

pub mod canonical;
pub mod export;

use std::borrow::Borrow;
use std::fmt;

use serde::{Deserialize, Serialize};
use serde_json::Value;
use sha2::{Digest, Sha256};

/// The `prev_hash` of the first entry.
pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// The first element of every hashed array: names this encoding, so a future change of
/// the rule cannot be confused with tampering.
pub const FORMAT: &str = "armtrace-audit/1";

/// The rule, in one paragraph, for exports and `--help` texts.
pub const ALGORITHM: &str = "hash = lowercase hex SHA-256 of the ASCII text of the JSON array \
[\"armtrace-audit/1\",prev_hash,at,actor,action,entity,entity_ref,detail] as written by \
Python's json.dumps(array, sort_keys=True, separators=(\",\", \":\"), ensure_ascii=True); \
the first entry's prev_hash is 64 zeros; every later entry's prev_hash is the hash of the \
entry before it; seq runs 1, 2, 3, ... without gaps and is not hashed; the head is the \
last entry's seq and hash";

/// One entry of the audit log.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuditEntry {
    /// Position in the log: 1, 2, 3, … without gaps.
    pub seq: i64,
    /// When it was written (RFC 3339, UTC).
    pub at: String,
    /// Who did it (`cli:ana`, a user name, `bench`).
    pub actor: String,
    /// What was done, as `<thing>.<verb>`: `import.items`, `trace_request.update`,
    /// `evidence.add`, `user.create`, `session.login`.
    pub action: String,
    /// The kind of record it touched (`import`, `item`, `trace_request`, `user`).
    pub entity: Option<String>,
    /// Which one, by its business key (an item `ref`, `TR-2026-0001`, an import id).
    pub entity_ref: Option<String>,
    /// What changed, as JSON. Digests and counts rather than confidential content.
    pub detail: Value,
    /// The hash of the entry before ([`GENESIS_HASH`] for the first).
    pub prev_hash: String,
    /// This entry's hash (see [`entry_hash`]).
    pub hash: String,
}

impl AuditEntry {
    /// A new entry after one whose hash is `prev_hash`, with its hash computed.
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        seq: i64,
        prev_hash: &str,
        at: &str,
        actor: &str,
        action: &str,
        entity: Option<&str>,
        entity_ref: Option<&str>,
        detail: Value,
    ) -> AuditEntry {
        let hash = entry_hash(prev_hash, at, actor, action, entity, entity_ref, &detail);
        AuditEntry {
            seq,
            at: at.to_owned(),
            actor: actor.to_owned(),
            action: action.to_owned(),
            entity: entity.map(str::to_owned),
            entity_ref: entity_ref.map(str::to_owned),
            detail,
            prev_hash: prev_hash.to_owned(),
            hash,
        }
    }

    /// The hash this entry's contents call for (equal to `hash` unless it was altered).
    pub fn computed_hash(&self) -> String {
        entry_hash(
            &self.prev_hash,
            &self.at,
            &self.actor,
            &self.action,
            self.entity.as_deref(),
            self.entity_ref.as_deref(),
            &self.detail,
        )
    }
}

/// The text whose SHA-256 is an entry's hash (see the module documentation).
pub fn hash_input(
    prev_hash: &str,
    at: &str,
    actor: &str,
    action: &str,
    entity: Option<&str>,
    entity_ref: Option<&str>,
    detail: &Value,
) -> String {
    let mut out = String::with_capacity(160);
    out.push('[');
    for s in [FORMAT, prev_hash, at, actor, action] {
        canonical::write_string(&mut out, s);
        out.push(',');
    }
    for s in [entity, entity_ref] {
        match s {
            Some(s) => canonical::write_string(&mut out, s),
            None => out.push_str("null"),
        }
        out.push(',');
    }
    canonical::write_value(&mut out, detail);
    out.push(']');
    out
}

/// An entry's hash: lowercase hex SHA-256 of [`hash_input`].
pub fn entry_hash(
    prev_hash: &str,
    at: &str,
    actor: &str,
    action: &str,
    entity: Option<&str>,
    entity_ref: Option<&str>,
    detail: &Value,
) -> String {
    let text = hash_input(prev_hash, at, actor, action, entity, entity_ref, detail);
    sha256_hex(text.as_bytes())
}

/// Lowercase hex SHA-256 of `bytes`.
pub fn sha256_hex(bytes: &[u8]) -> String {
    format!("{:x}", Sha256::digest(bytes))
}

/// True for a lowercase hex SHA-256 digest: exactly 64 characters `0-9a-f`.
pub fn is_sha256_hex(s: &str) -> bool {
    s.len() == 64 && s.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

/// Where an intact chain ends: its last entry's number and hash (0 and
/// [`GENESIS_HASH`] for an empty log).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChainHead {
    pub seq: i64,
    pub hash: String,
}

impl ChainHead {
    pub fn genesis() -> ChainHead {
        ChainHead {
            seq: 0,
            hash: GENESIS_HASH.to_owned(),
        }
    }
}

/// What happened to the entry a [`ChainBreak`] names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BreakKind {
    /// Its contents, its hashes or the head record no longer match.
    Altered,
    /// It is missing: a gap in the numbers, or the log ends before the head.
    Removed,
    /// It is intact but out of place.
    Reordered,
}

impl BreakKind {
    pub fn as_str(self) -> &'static str {
        match self {
            BreakKind::Altered => "altered",
            BreakKind::Removed => "removed",
            BreakKind::Reordered => "reordered",
        }
    }
}

/// The first place where a log stops being the one armtrace wrote.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChainBreak {
    /// The first entry that was altered, removed or moved.
    pub seq: i64,
    pub kind: BreakKind,
    /// What was found and what to look at, for a person.
    pub message: String,
    /// For an intact entry that does not follow its predecessor: the predecessor hash it
    /// names. A store can look that hash up and pass the answer to
    /// [`ChainBreak::with_predecessor_at`] for a sharper diagnosis.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub names_predecessor: Option<String>,
}

impl ChainBreak {
    pub fn new(seq: i64, kind: BreakKind, message: impl Into<String>) -> ChainBreak {
        ChainBreak {
            seq,
            kind,
            message: message.into(),
            names_predecessor: None,
        }
    }

    /// Refines the break of an intact entry that does not follow the entry before it,
    /// given where (if anywhere) the log holds an entry whose hash is the predecessor
    /// the out-of-place entry names. Other breaks are returned unchanged.
    pub fn with_predecessor_at(self, found: Option<i64>) -> ChainBreak {
        let Some(named) = self.names_predecessor.as_deref() else {
            return self;
        };
        let s = self.seq;
        let found = if named == GENESIS_HASH {
            Some(0)
        } else {
            found
        };
        let short = short(named);
        match found {
            Some(m) if m >= s || s < 1 => ChainBreak::new(
                s,
                BreakKind::Reordered,
                format!(
                    "entry {s} is out of order: it is intact but belongs at entry {} (it \
                     names {} as its predecessor); entries were swapped or renumbered",
                    m + 1,
                    if m == 0 {
                        "the genesis hash".to_owned()
                    } else {
                        format!("entry {m}'s hash {short}…")
                    }
                ),
            ),
            Some(m) if m + 1 < s => ChainBreak::new(
                m + 1,
                BreakKind::Altered,
                format!(
                    "entries {}–{} do not belong to the chain: entry {s} follows entry {m}; \
                     they were inserted outside armtrace",
                    m + 1,
                    s - 1
                ),
            ),
            _ => ChainBreak::new(
                s,
                BreakKind::Removed,
                format!(
                    "entry {s} is intact but the entry it follows (hash {short}…) is not in \
                     the log: the entry before it was removed and the later ones renumbered, \
                     or entry {} was altered and re-hashed",
                    s - 1
                ),
            ),
        }
    }
}

impl fmt::Display for ChainBreak {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "entry {} {}: {}",
            self.seq,
            self.kind.as_str(),
            self.message
        )
    }
}

impl std::error::Error for ChainBreak {}

fn short(hash: &str) -> &str {
    &hash[..hash.len().min(16)]
}

/// Checks entries one at a time, in `seq` order, keeping only the last hash.
#[derive(Debug, Clone)]
pub struct ChainVerifier {
    next_seq: i64,
    last_hash: String,
}

impl Default for ChainVerifier {
    fn default() -> Self {
        ChainVerifier::new()
    }
}

impl ChainVerifier {
    pub fn new() -> ChainVerifier {
        ChainVerifier {
            next_seq: 1,
            last_hash: GENESIS_HASH.to_owned(),
        }
    }

    /// The head of the entries accepted so far.
    pub fn head(&self) -> ChainHead {
        ChainHead {
            seq: self.next_seq - 1,
            hash: self.last_hash.clone(),
        }
    }

    /// Checks only that `seq` is the next number. [`ChainVerifier::push`] does this
    /// too; a store calls it first so that a gap is reported before a row it cannot
    /// decode.
    pub fn check_seq(&self, seq: i64) -> Result<(), ChainBreak> {
        let expected = self.next_seq;
        let s = seq;
        if s > expected {
            let message = if s == expected + 1 {
                format!(
                    "entry {expected} is missing: the log goes from entry {} to entry {s}",
                    expected - 1
                )
            } else {
                format!(
                    "entries {expected}–{} are missing: the log goes from entry {} to entry {s}",
                    s - 1,
                    expected - 1
                )
            };
            return Err(ChainBreak::new(expected, BreakKind::Removed, message));
        }
        if s < expected {
            return Err(ChainBreak::new(
                s,
                BreakKind::Reordered,
                if expected == 1 {
                    format!("entry {s} is out of sequence: the log starts at entry 1")
                } else {
                    format!(
                        "entry {s} is out of sequence: it comes after entry {}",
                        expected - 1
                    )
                },
            ));
        }
        Ok(())
    }

    /// Checks the next entry: its number, its link to the entry before, its own hash.
    pub fn push(&mut self, entry: &AuditEntry) -> Result<(), ChainBreak> {
        let s = entry.seq;
        if let Err(mut b) = self.check_seq(s) {
            if b.kind == BreakKind::Reordered && entry.computed_hash() == entry.hash {
                // Intact but numbered out of place: where it belongs can be looked up.
                b.names_predecessor = Some(entry.prev_hash.clone());
            }
            return Err(b);
        }
        let computed = entry.computed_hash();
        let contents_match = computed == entry.hash;
        let linked = entry.prev_hash == self.last_hash;
        let before = if s == 1 {
            "the genesis hash (64 zeros)".to_owned()
        } else {
            format!("entry {}'s hash {}…", s - 1, short(&self.last_hash))
        };
        match (contents_match, linked) {
            (true, true) => {
                self.next_seq += 1;
                self.last_hash.clone_from(&entry.hash);
                Ok(())
            }
            (false, true) => Err(ChainBreak::new(
                s,
                BreakKind::Altered,
                format!(
                    "entry {s} was altered: its contents hash to {}…, not to its recorded \
                     hash {}… (a field or the hash itself was changed)",
                    short(&computed),
                    short(&entry.hash)
                ),
            )),
            (false, false) => Err(ChainBreak::new(
                s,
                BreakKind::Altered,
                format!(
                    "entry {s} was altered: its prev_hash {}… is not {before}, and its \
                     contents do not match its recorded hash",
                    short(&entry.prev_hash)
                ),
            )),
            (true, false) => {
                let mut b = ChainBreak::new(
                    s,
                    BreakKind::Reordered,
                    format!(
                        "entry {s} is intact but out of place: it names {}… as its \
                         predecessor, not {before}; entries were reordered, an entry before \
                         it was removed and the rest renumbered, or entry {} was altered \
                         and re-hashed",
                        short(&entry.prev_hash),
                        s - 1
                    ),
                );
                b.names_predecessor = Some(entry.prev_hash.clone());
                Err(b)
            }
        }
    }

    /// Ends the check. With a recorded head (`seq`, `hash`), the chain must end exactly
    /// there; without one, the chain is accepted as it ends.
    pub fn finish(self, head: Option<(i64, &str)>) -> Result<ChainHead, ChainBreak> {
        let last = self.head();
        let Some((head_seq, head_hash)) = head else {
            return Ok(last);
        };
        if head_seq == last.seq && head_hash == last.hash {
            return Ok(last);
        }
        if head_seq > last.seq {
            let missing = if head_seq == last.seq + 1 {
                format!("entry {head_seq} was removed")
            } else {
                format!("entries {}–{head_seq} were removed", last.seq + 1)
            };
            return Err(ChainBreak::new(
                last.seq + 1,
                BreakKind::Removed,
                format!(
                    "the head records {head_seq} entries but the log ends at entry {}: {missing}",
                    last.seq
                ),
            ));
        }
        if head_seq < last.seq {
            return Err(ChainBreak::new(
                head_seq + 1,
                BreakKind::Altered,
                format!(
                    "the log holds {} entries but the head records {head_seq}: the head was \
                     altered, or entries {}–{} were added outside armtrace",
                    last.seq,
                    head_seq + 1,
                    last.seq
                ),
            ));
        }
        Err(ChainBreak::new(
            head_seq,
            BreakKind::Altered,
            format!(
                "the head's hash {}… is not entry {head_seq}'s hash {}…: the head, or entry \
                 {head_seq} (re-hashed), was altered",
                short(head_hash),
                short(&last.hash)
            ),
        ))
    }
}

/// Checks a whole log in `seq` order against an optional recorded head
/// (see [`ChainVerifier`]).
pub fn verify_chain<I>(entries: I, head: Option<(i64, &str)>) -> Result<ChainHead, ChainBreak>
where
    I: IntoIterator,
    I::Item: Borrow<AuditEntry>,
{
    let mut verifier = ChainVerifier::new();
    for entry in entries {
        verifier.push(entry.borrow())?;
    }
    verifier.finish(head)
}

#[cfg(test)]
mod tests;
