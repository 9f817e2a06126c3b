//! Reading a marking as written by an investigator (`* 539 * 82`, `LC 05`, `PPU 7.62x39`)
//! into tokens, and reading headstamps out of those tokens: which token is a factory code,
//! which is a year, which is a calibre.
//!
//! Headstamps are small and carry few tokens, so every code-plus-year pairing is tried and
//! scored; the caller shares confidence among competing readings. This module knows the
//! conventions of headstamps (code first, two-digit years) but decides nothing about
//! ranking across kinds, and it never guesses a code that is not in the table.

use std::ops::Range;

use super::table::{HEADSTAMPS, key};

/// What a token looks like.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Shape {
    /// Digits only: a factory code, a year, or neither.
    Number,
    /// A calibre such as `7.62x39`, `5.56` or `9mm`.
    Calibre,
    /// Anything else: letters, or letters mixed with digits.
    Word,
}

/// One token of a marking.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Token {
    /// As written, without surrounding punctuation (a calibre without its inner spaces).
    pub text: String,
    /// Lookup key (see [`key`]).
    pub key: String,
    pub shape: Shape,
    /// Where the token is in the marking, in bytes.
    pub span: Range<usize>,
}

/// A piece of the marking before it is classified.
struct Piece {
    text: String,
    span: Range<usize>,
}

/// Characters kept inside a token; everything else that is not a letter or digit separates
/// tokens (spaces, stars, slashes, hyphens, commas).
fn joins(c: char) -> bool {
    c.is_alphanumeric() || matches!(c, '.' | '&' | '×')
}

/// Splits a marking into tokens. Calibres written with spaces (`7.62 x 39`) become one
/// token, and a known letter code run into its year (`LC05`) becomes two.
pub(super) fn tokens(marking: &str) -> Vec<Token> {
    let mut pieces: Vec<Piece> = Vec::new();
    let mut at = 0;
    for raw in marking.split(|c: char| !joins(c)) {
        let raw_start = at;
        at += raw.len()
            + marking[at + raw.len()..]
                .chars()
                .next()
                .map_or(0, char::len_utf8);
        let mut piece = raw.trim_end_matches('.');
        // A leading dot belongs to an inch calibre (`.50`) and nothing else.
        if piece.starts_with('.') && !piece[1..].starts_with(|c: char| c.is_ascii_digit()) {
            piece = piece.trim_start_matches('.');
        }
        if !key(piece).is_empty() {
            // `piece` is a slice of `raw`, so their distance is its offset.
            let start = raw_start + (piece.as_ptr() as usize - raw.as_ptr() as usize);
            pieces.push(Piece {
                text: piece.to_owned(),
                span: start..start + piece.len(),
            });
        }
    }
    let pieces = merge_calibres(pieces);
    let mut out = Vec::with_capacity(pieces.len());
    for piece in pieces {
        match split_code_and_year(&piece.text) {
            Some((code, year)) => {
                let middle = piece.span.start + code.len();
                out.push(token(code, piece.span.start..middle));
                out.push(token(year, middle..piece.span.end));
            }
            None => out.push(token(&piece.text, piece.span)),
        }
    }
    out
}

fn token(text: &str, span: Range<usize>) -> Token {
    let shape = if text.chars().all(|c| c.is_ascii_digit()) {
        Shape::Number
    } else if is_calibre(text) {
        Shape::Calibre
    } else {
        Shape::Word
    };
    Token {
        text: text.to_owned(),
        key: key(text),
        shape,
        span,
    }
}

fn is_x(c: char) -> bool {
    matches!(c, 'x' | 'X' | '×')
}

/// Joins `7.62 x 39`, `7.62x 39` and `7.62 x39` into `7.62x39`.
fn merge_calibres(pieces: Vec<Piece>) -> Vec<Piece> {
    let ends_digit = |s: &str| s.ends_with(|c: char| c.is_ascii_digit());
    let starts_digit = |s: &str| s.starts_with(|c: char| c.is_ascii_digit());
    let lone_x = |s: &str| s.chars().count() == 1 && s.chars().all(is_x);
    let mut out: Vec<Piece> = Vec::with_capacity(pieces.len());
    for piece in pieces {
        if let Some(last) = out.last_mut() {
            let open_x = last.text.strip_suffix(is_x).is_some_and(ends_digit);
            let x_then_digit = piece.text.strip_prefix(is_x).is_some_and(starts_digit);
            if (open_x && starts_digit(&piece.text))
                || (ends_digit(&last.text) && (x_then_digit || lone_x(&piece.text)))
            {
                last.text.push_str(&piece.text);
                last.span.end = piece.span.end;
                continue;
            }
        }
        out.push(piece);
    }
    out
}

/// `7.62x39`, `7.62x54R`, `12.7x108mm`, `5.56`, `.50`, `9mm`.
fn is_calibre(text: &str) -> bool {
    let lower = text.to_lowercase();
    let number = |s: &str| {
        !s.is_empty()
            && s.chars().any(|c| c.is_ascii_digit())
            && s.chars().all(|c| c.is_ascii_digit() || c == '.')
    };
    if let Some((bore, case)) = lower.split_once(is_x) {
        return number(bore) && case.starts_with(|c: char| c.is_ascii_digit());
    }
    if let Some(bore) = lower.strip_suffix("mm") {
        return number(bore);
    }
    number(&lower) && lower.contains('.')
}

/// `LC05` → (`LC`, `05`) when `LC` is a known code and the rest reads as a year.
fn split_code_and_year(piece: &str) -> Option<(&str, &str)> {
    let at = piece.find(|c: char| c.is_ascii_digit())?;
    let (code, year) = piece.split_at(at);
    let year_like = matches!(year.len(), 2 | 4) && year.chars().all(|c| c.is_ascii_digit());
    (at > 0 && year_like && HEADSTAMPS.by_code.contains_key(&key(code))).then_some((code, year))
}

/// Reads a headstamp year. Four digits are taken as they are if they lie between 1900
/// and `reference_year + 1`. Two digits are read in the latest century that puts them in
/// that same window (`27` is 2027 in 2026 and 1927 in 2025; `61` is no year at all with
/// 1950 as the reference, since 1861 is too early and 1961 too late); [`year_alternatives`]
/// names the other centuries that would also fit. One digit is never a year: it repeats
/// every decade. Anything else is not a year.
pub fn headstamp_year(digits: &str, reference_year: i16) -> Option<i16> {
    if !digits.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let value: i16 = digits.parse().ok()?;
    match digits.len() {
        2 => two_digit_years(value, reference_year).last(),
        4 if (FIRST_HEADSTAMP_YEAR..=reference_year + 1).contains(&value) => Some(value),
        _ => None,
    }
}

/// The earliest year a headstamp year is read as.
const FIRST_HEADSTAMP_YEAR: i16 = 1900;

/// Every year from 1900 to `reference_year + 1` whose last two digits are `value`,
/// earliest first.
fn two_digit_years(value: i16, reference_year: i16) -> impl Iterator<Item = i16> {
    let last = reference_year.saturating_add(1);
    (FIRST_HEADSTAMP_YEAR / 100..=last.max(0) / 100)
        .map(move |century| century * 100 + value)
        .filter(move |y| (FIRST_HEADSTAMP_YEAR..=last).contains(y))
}

/// The other years a two-digit headstamp year could be, earliest first: `27` read as 2027
/// could also be 1927. Empty for four-digit years and for two digits that fit one century.
pub fn year_alternatives(digits: &str, reference_year: i16) -> Vec<i16> {
    let Some(chosen) = headstamp_year(digits, reference_year) else {
        return Vec::new();
    };
    if digits.len() != 2 {
        return Vec::new();
    }
    let value: i16 = digits.parse().unwrap_or_default();
    two_digit_years(value, reference_year)
        .filter(|&y| y != chosen)
        .collect()
}

/// One way of reading a marking as a headstamp.
#[derive(Debug, Clone)]
pub(super) struct Reading {
    /// Row index in the headstamp table.
    pub row: usize,
    /// Index of the code token.
    pub code_token: usize,
    pub year: Option<i16>,
    pub calibre: Option<String>,
    /// Score before competing readings share confidence.
    pub score: f64,
    pub reasons: Vec<String>,
}

/// How much a code alone says: a one-digit number is stamped on many things, a
/// three-letter code on few.
fn code_weight(code: &Token) -> (f64, Option<&'static str>) {
    match (code.shape, code.key.chars().count()) {
        (Shape::Number, 1) => (0.25, Some("a one-digit code is weak evidence on its own")),
        (Shape::Number, 2) => (0.4, None),
        (Shape::Number, _) => (0.55, None),
        (_, 1) => (0.25, Some("a one-letter code is weak evidence on its own")),
        (_, 2) => (0.5, None),
        _ => (0.6, None),
    }
}

const YEAR_WEIGHT: f64 = 0.3;
const ORDER_WEIGHT: f64 = 0.05;
const CALIBRE_WEIGHT: f64 = 0.05;
const OUT_OF_YEARS_PENALTY: f64 = 0.3;
const STRAY_PENALTY: f64 = 0.05;
const STRAY_PENALTY_MAX: f64 = 0.2;

/// Every reading of the tokens as a headstamp: each token that is a known code, paired
/// with the first other token that reads as a year (if any).
pub(super) fn readings(tokens: &[Token], reference_year: i16) -> Vec<Reading> {
    let table = &*HEADSTAMPS;
    let calibre = tokens.iter().find(|t| t.shape == Shape::Calibre);
    let mut out: Vec<Reading> = Vec::new();
    for (i, code) in tokens.iter().enumerate() {
        let Some(rows) = table.by_code.get(&code.key) else {
            continue;
        };
        // Headstamps put the code first; prefer a year after the code, else any year.
        let year_at = |j: usize| {
            (j != i && tokens[j].shape == Shape::Number)
                .then(|| headstamp_year(&tokens[j].text, reference_year))
                .flatten()
        };
        let year = (i + 1..tokens.len())
            .chain(0..i)
            .find_map(|j| year_at(j).map(|y| (j, y)));
        for &row in rows {
            let entry = &table.rows[row];
            let (weight, weak) = code_weight(code);
            let mut score = weight;
            let mut reasons = vec![format!(
                "'{}' is the headstamp code of {}, {}",
                code.text,
                entry.factory,
                entry.country.name()
            )];
            reasons.extend(weak.map(str::to_owned));
            match year {
                Some((j, y)) => {
                    score += YEAR_WEIGHT;
                    reasons.push(year_reason(&tokens[j].text, y, reference_year));
                    if j > i {
                        score += ORDER_WEIGHT;
                    }
                    if entry.outside_known_years(y) {
                        score -= OUT_OF_YEARS_PENALTY;
                        reasons.push(format!(
                            "{y} is outside the years this code is known in use ({})",
                            known_years(entry.first_year, entry.last_year)
                        ));
                    }
                }
                None => {
                    reasons.push("no year in the marking".to_owned());
                    let single = tokens
                        .iter()
                        .enumerate()
                        .find(|&(k, t)| k != i && t.shape == Shape::Number && t.text.len() == 1);
                    if let Some((_, digit)) = single {
                        reasons.push(format!(
                            "'{}' may be a one-digit year, which repeats every decade, so it \
                             is not read as one",
                            digit.text
                        ));
                    }
                }
            }
            if let (Some(former), Some(until)) = (entry.former_country, entry.former_until) {
                let then = |c: crate::country::CountryCode| format!("{} ({c})", c.name());
                reasons.push(match year {
                    Some((_, y)) if y <= until => format!(
                        "state in {y}: {}; today: {}",
                        then(former),
                        then(entry.country)
                    ),
                    Some((_, y)) => format!("state in {y}: {}", then(entry.country)),
                    None => format!(
                        "no year, so the state is today's; until {until} it was {}",
                        then(former)
                    ),
                });
            }
            if let Some(c) = calibre {
                let listed = entry
                    .calibres
                    .iter()
                    .any(|known| same_calibre(known, &c.text));
                if listed {
                    score += CALIBRE_WEIGHT;
                    reasons.push(format!(
                        "{} is a calibre this factory is known to make",
                        c.text
                    ));
                }
            }
            let stray: Vec<&str> = tokens
                .iter()
                .enumerate()
                .filter(|&(k, t)| {
                    k != i && Some(k) != year.map(|(j, _)| j) && t.shape != Shape::Calibre
                })
                .map(|(_, t)| t.text.as_str())
                .collect();
            if !stray.is_empty() {
                score -= (STRAY_PENALTY * stray.len() as f64).min(STRAY_PENALTY_MAX);
                reasons.push(format!(
                    "not explained by this reading: {}",
                    stray.join(", ")
                ));
            }
            let duplicate = out
                .iter()
                .any(|r| r.row == row && r.year == year.map(|(_, y)| y));
            if !duplicate {
                out.push(Reading {
                    row,
                    code_token: i,
                    year: year.map(|(_, y)| y),
                    calibre: calibre.map(|c| c.text.clone()),
                    score: score.max(0.01),
                    reasons,
                });
            }
        }
    }
    out
}

fn year_reason(text: &str, year: i16, reference_year: i16) -> String {
    if text.len() != 2 {
        return format!("'{text}' read as the year {year}");
    }
    let others = year_alternatives(text, reference_year);
    let window = format!(
        "two-digit years are read in the latest century that is not after {}",
        reference_year + 1
    );
    if others.is_empty() {
        format!("'{text}' read as the year {year} ({window})")
    } else {
        let others: Vec<String> = others.iter().map(i16::to_string).collect();
        format!(
            "'{text}' read as the year {year} ({window}); ambiguous: it could also be {}",
            others.join(" or ")
        )
    }
}

fn known_years(first: Option<i16>, last: Option<i16>) -> String {
    match (first, last) {
        (Some(f), Some(l)) => format!("{f}–{l}"),
        (Some(f), None) => format!("from {f}"),
        (None, Some(l)) => format!("until {l}"),
        (None, None) => "unknown".to_owned(),
    }
}

/// `7.62x39` matches `7.62x39mm`; `7.62×39` matches too.
fn same_calibre(known: &str, written: &str) -> bool {
    let norm = |s: &str| {
        let k = s.to_lowercase().replace('×', "x");
        k.strip_suffix("mm").map(str::to_owned).unwrap_or(k)
    };
    norm(known) == norm(written)
}
