//! `armtrace-bench search`: serial-search latency for armtrace's index, a brute-force
//! scan of the same serials, and SQLite's best built-in option (a B-tree for exact
//! serials, an FTS5 trigram index for patterns) on the same data, in one run.
//!
//! SQLite has no edit-distance search; its stand-in for an `n`-edit query is the union
//! of the GLOB patterns that spell every single edit (substitution, insertion, deletion,
//! adjacent swap), applied `n` times, each answered by the trigram index. That is the
//! best a user of plain SQLite can do, and it finds the same serials.

use std::collections::BTreeSet;
use std::time::{Duration, Instant};

use armtrace_core::demo;
use armtrace_core::search::{SerialIndex, SerialQuery, brute_force};
use armtrace_core::serial::normalise;
use clap::Args;

#[derive(Args, Debug)]
pub struct SearchBenchArgs {
    /// Demo items to generate (about half carry a serial).
    #[arg(long, default_value_t = 1_000_000)]
    items: u64,
    /// Seed of the demo generator: the same seed and size give the same data.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Timed index queries per kind.
    #[arg(long, default_value_t = 200)]
    queries: usize,
    /// Timed brute-force and SQLite queries per kind (each scans or probes far more).
    #[arg(long, default_value_t = 10)]
    baseline_queries: usize,
    /// Skip the SQLite baseline (building its trigram index takes a while at 10M).
    #[arg(long)]
    no_sqlite: bool,
}

/// The demo's generator, so the chosen queries are the same on every run.
struct Rng(demo::SplitMix64);

impl Rng {
    fn below(&mut self, n: usize) -> usize {
        self.0.below(n as u64) as usize
    }
}

/// One random edit of the kinds the contract counts.
fn edit(s: &str, r: &mut Rng) -> String {
    let mut b: Vec<u8> = s.bytes().collect();
    let at = r.below(b.len());
    let c = b"0123456789ACDEFGHJKMNPRTUVWXY"[r.below(29)];
    match r.below(4) {
        0 => b[at] = c,
        1 => b.insert(at, c),
        2 if b.len() > 3 => {
            b.remove(at);
        }
        _ if at + 1 < b.len() => b.swap(at, at + 1),
        _ => b[at] = c,
    }
    String::from_utf8(b).expect("ASCII")
}

fn with_unknowns(s: &str, n: usize, r: &mut Rng) -> String {
    let mut b: Vec<u8> = s.bytes().collect();
    for _ in 0..n {
        let at = r.below(b.len());
        b[at] = b'?';
    }
    String::from_utf8(b).expect("ASCII")
}

/// The query kinds of the issue, each made from a serial in the register.
const KINDS: [(&str, u8); 6] = [
    ("exact", 0),
    ("1 edit", 1),
    ("2 edits", 2),
    ("? wildcards (2 unknown)", 0),
    ("*suffix (last 6)", 0),
    ("prefix* (first 6)", 0),
];

fn make_query(kind: usize, serial: &str, r: &mut Rng) -> String {
    match kind {
        0 => serial.to_owned(),
        1 => edit(serial, r),
        2 => edit(&edit(serial, r), r),
        3 => with_unknowns(serial, 2, r),
        4 => format!("*{}", &serial[serial.len().saturating_sub(6)..]),
        _ => format!("{}*", &serial[..6.min(serial.len())]),
    }
}

/// Every GLOB pattern within one edit of `p` (on the 29-symbol alphabet, `?` covers
/// substitutions and insertions).
fn one_edit_patterns(p: &str) -> Vec<String> {
    let b = p.as_bytes();
    let mut out = BTreeSet::new();
    out.insert(p.to_owned());
    for i in 0..b.len() {
        let mut sub = b.to_vec();
        sub[i] = b'?';
        out.insert(String::from_utf8(sub).expect("ASCII"));
        let mut del = b.to_vec();
        del.remove(i);
        if !del.is_empty() {
            out.insert(String::from_utf8(del).expect("ASCII"));
        }
        if i + 1 < b.len() {
            let mut swap = b.to_vec();
            swap.swap(i, i + 1);
            out.insert(String::from_utf8(swap).expect("ASCII"));
        }
    }
    for i in 0..=b.len() {
        let mut ins = b.to_vec();
        ins.insert(i, b'?');
        out.insert(String::from_utf8(ins).expect("ASCII"));
    }
    out.into_iter().collect()
}

fn patterns(query: &str, edits: u8) -> Vec<String> {
    let mut set: BTreeSet<String> = BTreeSet::from([query.to_owned()]);
    for _ in 0..edits {
        set = set.iter().flat_map(|p| one_edit_patterns(p)).collect();
    }
    set.into_iter().collect()
}

struct SqliteBaseline {
    conn: rusqlite::Connection,
}

impl SqliteBaseline {
    fn build(path: &std::path::Path, entries: &[(u32, String)]) -> anyhow::Result<SqliteBaseline> {
        let mut conn = rusqlite::Connection::open(path)?;
        conn.execute_batch(
            "PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF;
             CREATE TABLE serials (id INTEGER PRIMARY KEY, s TEXT NOT NULL);
             CREATE VIRTUAL TABLE trigrams USING fts5(s, tokenize = 'trigram', detail = 'none');",
        )?;
        let tx = conn.transaction()?;
        {
            let mut a = tx.prepare("INSERT INTO serials (id, s) VALUES (?1, ?2)")?;
            let mut b = tx.prepare("INSERT INTO trigrams (rowid, s) VALUES (?1, ?2)")?;
            for (id, s) in entries {
                a.execute((id, s))?;
                b.execute((id, s))?;
            }
        }
        tx.commit()?;
        conn.execute_batch("CREATE INDEX serials_s ON serials (s)")?;
        Ok(SqliteBaseline { conn })
    }

    /// Ids whose serial matches `query` with up to `edits` edits or its wildcards.
    fn search(&self, query: &str, edits: u8) -> anyhow::Result<usize> {
        let wild = query.contains(['?', '*']);
        if !wild && edits == 0 {
            let mut stmt = self
                .conn
                .prepare_cached("SELECT id FROM serials WHERE s = ?1")?;
            return Ok(stmt.query_map([query], |r| r.get::<_, i64>(0))?.count());
        }
        let mut ids = BTreeSet::new();
        let mut stmt = self
            .conn
            .prepare_cached("SELECT rowid FROM trigrams WHERE s GLOB ?1")?;
        for p in patterns(query, edits) {
            for id in stmt.query_map([&p], |r| r.get::<_, i64>(0))? {
                ids.insert(id?);
            }
        }
        Ok(ids.len())
    }
}

fn percentile(times: &mut [Duration], q: f64) -> Duration {
    times.sort();
    times[((times.len() - 1) as f64 * q).round() as usize]
}

fn row(name: &str, kind: &str, times: &mut [Duration]) -> Option<Duration> {
    if times.is_empty() {
        return None;
    }
    let p50 = percentile(times, 0.5);
    let p95 = percentile(times, 0.95);
    println!(
        "{kind:<24} {name:<12} p50 {:>10.3} ms   p95 {:>10.3} ms   ({} queries)",
        p50.as_secs_f64() * 1e3,
        p95.as_secs_f64() * 1e3,
        times.len()
    );
    Some(p50)
}

pub fn run(args: SearchBenchArgs) -> anyhow::Result<()> {
    let started = Instant::now();
    let entries: Vec<(u32, String)> = demo::items(args.items, args.seed)
        .enumerate()
        .filter_map(|(i, item)| Some((i as u32 + 1, normalise(item.serial_number.as_deref()?))))
        .filter(|(_, s)| !s.is_empty())
        .collect();
    println!(
        "{} demo items, {} serials, generated in {:.1} s",
        args.items,
        entries.len(),
        started.elapsed().as_secs_f64()
    );
    let t = Instant::now();
    let index = SerialIndex::build(entries.iter().cloned());
    println!(
        "index: built in {:.2} s, {} MB",
        t.elapsed().as_secs_f64(),
        index.memory_bytes() / 1_000_000
    );
    let tmp = tempfile::tempdir()?;
    let sqlite = if args.no_sqlite {
        None
    } else {
        let t = Instant::now();
        let b = SqliteBaseline::build(&tmp.path().join("serials.db"), &entries)?;
        println!(
            "sqlite baseline (B-tree + FTS5 trigram): built in {:.1} s",
            t.elapsed().as_secs_f64()
        );
        Some(b)
    };

    let mut rng = Rng(demo::SplitMix64::new(args.seed, 0xBE7C));
    for (k, (kind, edits)) in KINDS.iter().enumerate() {
        let queries: Vec<String> = (0..args.queries)
            .map(|_| {
                let serial = &entries[rng.below(entries.len())].1;
                make_query(k, serial, &mut rng)
            })
            .collect();
        let parsed: Vec<SerialQuery> = queries
            .iter()
            .filter_map(|q| SerialQuery::parse(q, Some(*edits)).ok())
            .collect();
        let mut ours = Vec::new();
        let mut recall_ok = true;
        for (i, q) in parsed.iter().enumerate() {
            let t = Instant::now();
            let found = index.search(q);
            ours.push(t.elapsed());
            // Recall check against the contract's reference on a sample.
            if i < args.baseline_queries {
                recall_ok &= brute_force(&entries, q) == found;
            }
        }
        let mut brute = Vec::new();
        for q in parsed.iter().take(args.baseline_queries) {
            let t = Instant::now();
            std::hint::black_box(brute_force(&entries, q));
            brute.push(t.elapsed());
        }
        let mut lite = Vec::new();
        if let Some(db) = &sqlite {
            for q in parsed.iter().take(args.baseline_queries) {
                let t = Instant::now();
                std::hint::black_box(db.search(q.normalised(), *edits)?);
                lite.push(t.elapsed());
            }
        }
        let a = row("armtrace", kind, &mut ours);
        let b = row("brute force", kind, &mut brute);
        let c = row("sqlite", kind, &mut lite);
        let ratio = |x: Option<Duration>| match (a, x) {
            (Some(a), Some(x)) if !a.is_zero() => {
                format!("{:.0}x", x.as_secs_f64() / a.as_secs_f64())
            }
            _ => "n/a".to_owned(),
        };
        println!(
            "{:<24} speed-up at p50: {} over brute force, {} over sqlite; same results as brute force on the sample: {}",
            "",
            ratio(b),
            ratio(c),
            if recall_ok { "yes" } else { "NO" }
        );
    }
    Ok(())
}
