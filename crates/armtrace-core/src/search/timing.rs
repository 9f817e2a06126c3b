//! A manual timing run, not a benchmark with thresholds: builds an index of synthetic
//! demo-like serials and prints build time, memory and query latencies per query kind,
//! checking a sample of answers against the brute-force scan.
//!
//! ```text
//! cargo test --release -p armtrace-core search::timing -- --ignored --nocapture
//! ARMTRACE_SEARCH_TIMING_N=10000000 cargo test --release ... (the issue's size)
//! ARMTRACE_SEARCH_TIMING_CHECKS=0 ... (skip the slow brute-force checks, for profiling)
//! ```
//!
//! It asserts only correctness, never speed: timings depend on the machine.

use std::time::{Duration, Instant};

use super::*;
use crate::serial::normalise;

use crate::demo::SplitMix64 as Rng;

/// Serials shaped like the demo register's: `AK-1974-012345`, `56-1-123456`,
/// `KA12345`, `1983123456`, issued in runs of consecutive numbers.
fn register(n: usize, rng: &mut Rng) -> Vec<(u32, String)> {
    let mut out = Vec::with_capacity(n);
    while out.len() < n {
        let family = rng.below(4);
        let run = 1 + rng.below(2000);
        let year = 1950 + rng.below(70);
        let prefix = match family {
            0 => format!(
                "{}-{year}-",
                ["AK", "AKM", "RPK", "PKM", "HK"][rng.below(5) as usize]
            ),
            1 => format!("56-{}-", 1 + rng.below(3)),
            2 => {
                let letter = |r: &mut Rng| (b'A' + r.below(26) as u8) as char;
                format!("{}{}", letter(rng), letter(rng))
            }
            _ => format!("{year}"),
        };
        let digits = if family == 2 { 5 } else { 6 };
        let modulus = 10u64.pow(digits);
        let start = rng.below(modulus);
        for offset in 0..run {
            if out.len() == n {
                break;
            }
            let number = (start + offset) % modulus;
            let serial = normalise(&format!(
                "{prefix}{number:0width$}",
                width = digits as usize
            ));
            out.push((out.len() as u32, serial));
        }
    }
    out
}

fn with_edits(serial: &str, edits: usize, rng: &mut Rng) -> String {
    let mut s: Vec<u8> = serial.bytes().collect();
    for _ in 0..edits {
        let at = rng.below(s.len() as u64) as usize;
        let digit = b'0' + rng.below(10) as u8;
        match rng.below(4) {
            0 => s[at] = digit,
            1 => s.insert(at, digit),
            2 if s.len() > 1 => {
                s.remove(at);
            }
            _ if at + 1 < s.len() => s.swap(at, at + 1),
            _ => s[at] = digit,
        }
    }
    String::from_utf8(s).unwrap()
}

fn report(kind: &str, mut times: Vec<(Duration, String)>, matches: usize) {
    times.sort();
    let at = |q: f64| times[((times.len() - 1) as f64 * q) as usize].0;
    let (slowest_time, slowest) = times.last().unwrap();
    println!(
        "{kind:<24} p50 {:>9.3?}  p90 {:>9.3?}  max {:>9.3?} ({slowest})  {} queries, {:.0} matches avg",
        at(0.5),
        at(0.9),
        slowest_time,
        times.len(),
        matches as f64 / times.len() as f64
    );
}

#[test]
#[ignore = "manual timing run; use --release --ignored --nocapture"]
fn timing_on_synthetic_register() {
    let (mut index, mut entries, mut rng, checks) = build_and_query();
    update(&mut index, &mut entries, &mut rng, checks);
}

/// Builds the register's index and times each kind of query.
fn build_and_query() -> (SerialIndex, Vec<(u32, String)>, Rng, usize) {
    let n: usize = std::env::var("ARMTRACE_SEARCH_TIMING_N")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000_000);
    let checks: usize = std::env::var("ARMTRACE_SEARCH_TIMING_CHECKS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(2);
    let mut rng = Rng::new(0x5EED, 0);
    let entries = register(n, &mut rng);
    let bytes: usize = entries.iter().map(|(_, s)| s.len()).sum();
    println!("{n} serials, {bytes} normalised bytes");

    let started = Instant::now();
    let index = SerialIndex::build(entries.iter().cloned());
    println!(
        "build {:.2?}, index memory {} MB",
        started.elapsed(),
        index.memory_bytes() / 1_000_000
    );
    assert_eq!(index.len(), n);

    let pick = |rng: &mut Rng| entries[rng.below(n as u64) as usize].1.clone();
    type Make = fn(&str, &mut Rng) -> (String, Option<u8>);
    let kinds: [(&str, Make); 9] = [
        ("exact (0 edits)", |s, _| (s.into(), Some(0))),
        ("1 edit, query 1 off", |s, r| (with_edits(s, 1, r), Some(1))),
        ("2 edits, query 1 off", |s, r| {
            (with_edits(s, 1, r), Some(2))
        }),
        ("2 edits, query 2 off", |s, r| {
            (with_edits(s, 2, r), Some(2))
        }),
        ("default budget, 1 off", |s, r| (with_edits(s, 1, r), None)),
        ("? x2", |s, r| {
            let mut b = s.as_bytes().to_vec();
            for _ in 0..2 {
                let at = r.below(b.len() as u64) as usize;
                b[at] = b'?';
            }
            (String::from_utf8(b).unwrap(), Some(0))
        }),
        ("prefix* (6 chars)", |s, _| {
            (format!("{}*", &s[..6.min(s.len())]), Some(0))
        }),
        ("*suffix (5 chars)", |s, _| {
            (format!("*{}", &s[s.len().saturating_sub(5)..]), Some(0))
        }),
        ("*middle* (4 chars)", |s, _| {
            (format!("*{}*", &s[2..6.min(s.len())]), Some(0))
        }),
    ];
    for (kind, make) in kinds {
        let rounds = if kind.starts_with('*') { 5 } else { 200 };
        let mut times = Vec::with_capacity(rounds);
        let mut matches = 0;
        for round in 0..rounds {
            let (text, budget) = make(&pick(&mut rng), &mut rng);
            let query = SerialQuery::parse(&text, budget).unwrap();
            let started = Instant::now();
            let found = index.search(&query);
            times.push((started.elapsed(), text.clone()));
            matches += found.len();
            // The scan is slow at this size; check a few answers per kind.
            if round < checks {
                assert_eq!(found, brute_force(&entries, &query), "{text}");
            }
        }
        report(kind, times, matches);
    }
    (index, entries, rng, checks)
}

/// Times one-by-one updates (new ids and replaced serials) on the built index, then
/// checks searches that span all of its layers.
fn update(index: &mut SerialIndex, entries: &mut Vec<(u32, String)>, rng: &mut Rng, checks: usize) {
    let n = entries.len();
    let updates = (n / 20).min(200_000);
    let fresh = register(updates, rng);
    let mut slowest = Duration::ZERO;
    let started = Instant::now();
    for (i, (_, serial)) in fresh.into_iter().enumerate() {
        // Every other update corrects an existing item, the rest add new ones.
        let id = if i % 2 == 0 {
            rng.below(n as u64) as u32
        } else {
            (n + i) as u32
        };
        let one = Instant::now();
        index.insert(id, &serial);
        slowest = slowest.max(one.elapsed());
        match entries.get_mut(id as usize) {
            Some(entry) => entry.1 = serial,
            None => entries.push((id, serial)),
        }
    }
    println!(
        "{updates} inserts: {:.2?} total, slowest single insert {slowest:.2?}; {:?}",
        started.elapsed(),
        index
    );
    let mut times = Vec::new();
    let mut matches = 0;
    for round in 0..200 {
        let serial = entries[rng.below(entries.len() as u64) as usize].1.clone();
        let query = SerialQuery::parse(&with_edits(&serial, 1, rng), Some(2)).unwrap();
        let started = Instant::now();
        let found = index.search(&query);
        times.push((started.elapsed(), query.normalised().to_owned()));
        matches += found.len();
        if round < checks {
            assert_eq!(
                found,
                brute_force(entries, &query),
                "{}",
                query.normalised()
            );
        }
    }
    report("2 edits, after updates", times, matches);
}
