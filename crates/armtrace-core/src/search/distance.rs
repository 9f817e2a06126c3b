//! The two distances that define what "matches" means, written as plainly as possible.
//!
//! These are the reference: [`brute_force`](super::brute_force) calls them directly, and
//! the index's incremental matcher (`matcher.rs`) must agree with them on every input.
//! Nothing here is tuned for speed and nothing here knows about the index.

use super::query::{ANY_ONE, ANY_RUN};

/// Optimal-string-alignment distance (restricted Damerau–Levenshtein): the fewest
/// insertions, deletions, substitutions and swaps of two adjacent characters that turn
/// `a` into `b`, each costing 1, where no character is edited twice.
///
/// ```
/// use armtrace_core::search::osa_distance;
/// assert_eq!(osa_distance(b"AB", b"BA"), 1);
/// // Not 2 as in unrestricted Damerau–Levenshtein: OSA cannot swap and then insert
/// // between the swapped characters.
/// assert_eq!(osa_distance(b"CA", b"ABC"), 3);
/// ```
pub fn osa_distance(a: &[u8], b: &[u8]) -> usize {
    let (n, m) = (a.len(), b.len());
    let mut d = vec![vec![0usize; m + 1]; n + 1];
    for (i, row) in d.iter_mut().enumerate() {
        row[0] = i;
    }
    for (j, cell) in d[0].iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=n {
        for j in 1..=m {
            let substitution = usize::from(a[i - 1] != b[j - 1]);
            let mut best = (d[i - 1][j] + 1)
                .min(d[i][j - 1] + 1)
                .min(d[i - 1][j - 1] + substitution);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                best = best.min(d[i - 2][j - 2] + 1);
            }
            d[i][j] = best;
        }
    }
    d[n][m]
}

/// The distance between a normalised query pattern and a serial: the
/// [`osa_distance`] from the serial to the best filling of the pattern, where `?` is
/// filled with any one character and `*` with any run of characters, both for free.
///
/// Without wildcards this is exactly [`osa_distance`]. The dynamic programme below
/// computes it directly: a `?` cell matches any character at cost 0 (and can take part
/// in a swap), a `*` cell either ends the run it stands for or swallows one more serial
/// character, both at cost 0, and the characters on either side of a `*` may swap when
/// the `*` stands for nothing. Each pattern position is used once along an alignment, so
/// every `?` is filled consistently. A swap involving a character of a `*` run is never
/// needed: inserting the other character costs the same. The test
/// `pattern_distance_is_best_filling` checks all this against enumerated fillings.
pub fn pattern_distance(pattern: &[u8], serial: &[u8]) -> usize {
    let fits = |p: u8, c: u8| p == ANY_ONE || p == c;
    let (n, m) = (serial.len(), pattern.len());
    let mut d = vec![vec![0usize; m + 1]; n + 1];
    for (i, row) in d.iter_mut().enumerate() {
        row[0] = i;
    }
    for j in 1..=m {
        d[0][j] = d[0][j - 1] + usize::from(pattern[j - 1] != ANY_RUN);
    }
    for i in 1..=n {
        for j in 1..=m {
            let p = pattern[j - 1];
            if p == ANY_RUN {
                d[i][j] = d[i][j - 1].min(d[i - 1][j]);
                continue;
            }
            let substitution = usize::from(!fits(p, serial[i - 1]));
            let mut best = (d[i - 1][j] + 1)
                .min(d[i][j - 1] + 1)
                .min(d[i - 1][j - 1] + substitution);
            if i > 1
                && j > 1
                && pattern[j - 2] != ANY_RUN
                && fits(p, serial[i - 2])
                && fits(pattern[j - 2], serial[i - 1])
            {
                best = best.min(d[i - 2][j - 2] + 1);
            }
            // `*`s filled with nothing make their neighbours adjacent, so they can swap.
            let stars = pattern[..j - 1]
                .iter()
                .rev()
                .take_while(|&&q| q == ANY_RUN)
                .count();
            if i > 1
                && stars > 0
                && j >= stars + 2
                && fits(p, serial[i - 2])
                && fits(pattern[j - 2 - stars], serial[i - 1])
            {
                best = best.min(d[i - 2][j - 2 - stars] + 1);
            }
            d[i][j] = best;
        }
    }
    d[n][m]
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn osa_counts_each_edit_kind_once() {
        assert_eq!(osa_distance(b"", b""), 0);
        assert_eq!(osa_distance(b"", b"ABC"), 3);
        assert_eq!(osa_distance(b"ABC", b""), 3);
        assert_eq!(osa_distance(b"AK47", b"AK47"), 0);
        assert_eq!(osa_distance(b"AK47", b"AK48"), 1); // substitution
        assert_eq!(osa_distance(b"AK47", b"AK447"), 1); // insertion
        assert_eq!(osa_distance(b"AK47", b"A47"), 1); // deletion
        assert_eq!(osa_distance(b"AB", b"BA"), 1); // adjacent swap
        assert_eq!(osa_distance(b"1974012345", b"1974102345"), 1);
        assert_eq!(osa_distance(b"ABCD", b"BADC"), 2);
        // Restricted: a swapped pair is not edited again.
        assert_eq!(osa_distance(b"CA", b"ABC"), 3);
        assert_eq!(osa_distance(b"ABC", b"CA"), 3);
        assert_eq!(osa_distance(b"KITTEN", b"SITTING"), 3);
    }

    #[test]
    fn wildcards_fill_for_free() {
        assert_eq!(pattern_distance(b"AK?4", b"AK74"), 0);
        assert_eq!(pattern_distance(b"AK?4", b"AK4"), 1);
        assert_eq!(pattern_distance(b"AK*", b"AK"), 0);
        assert_eq!(pattern_distance(b"AK*", b"AK1974012345"), 0);
        assert_eq!(pattern_distance(b"*2345", b"AK1974012345"), 0);
        assert_eq!(pattern_distance(b"AK*012345", b"AK1974012345"), 0);
        assert_eq!(pattern_distance(b"AK*0123?5", b"AK1974012345"), 0);
        assert_eq!(pattern_distance(b"AK*0123?5", b"AK1974012354"), 1);
        assert_eq!(pattern_distance(b"AK*9", b"AK1974012345"), 1);
        assert_eq!(pattern_distance(b"?", b""), 1);
        assert_eq!(pattern_distance(b"*", b""), 0);
        // Without wildcards it is the OSA distance.
        assert_eq!(pattern_distance(b"CA", b"ABC"), 3);
        assert_eq!(pattern_distance(b"AB", b"BA"), 1);
        // An empty `*` lets its neighbours swap: "A0BA" is one swap from "0ABA".
        assert_eq!(pattern_distance(b"A*0?A", b"0ABA"), 1);
        assert_eq!(pattern_distance(b"12*34", b"1324"), 1);
        assert_eq!(pattern_distance(b"A0B**A", b"00AB"), 2);
    }

    /// Every string over `alphabet` of length at most `max_len`.
    fn all_strings(alphabet: &[u8], max_len: usize) -> Vec<Vec<u8>> {
        let mut all = vec![Vec::new()];
        let mut last = vec![Vec::new()];
        for _ in 0..max_len {
            last = last
                .iter()
                .flat_map(|s: &Vec<u8>| {
                    alphabet.iter().map(move |&c| [s.as_slice(), &[c]].concat())
                })
                .collect();
            all.extend(last.iter().cloned());
        }
        all
    }

    /// The minimum OSA distance over explicit fillings of `pattern`: `?` by any letter
    /// of `alphabet` plus one that occurs nowhere, `*` by any run over `alphabet` no
    /// longer than the serial (a longer run only adds characters to delete).
    fn best_filling(pattern: &[u8], serial: &[u8], alphabet: &[u8]) -> usize {
        let Some(at) = pattern.iter().position(|&p| p == ANY_ONE || p == ANY_RUN) else {
            return osa_distance(pattern, serial);
        };
        let fillings = if pattern[at] == ANY_ONE {
            all_strings(&[alphabet, b"C"].concat(), 1).split_off(1)
        } else {
            all_strings(alphabet, serial.len())
        };
        fillings
            .iter()
            .map(|fill| {
                let filled = [&pattern[..at], fill, &pattern[at + 1..]].concat();
                best_filling(&filled, serial, alphabet)
            })
            .min()
            .unwrap()
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(crate::test_cases::cases(300)))]

        #[test]
        fn pattern_distance_is_best_filling(
            pattern in "[AB0]{0,3}[?*][AB0]{0,2}([?*][AB0]{0,1})?",
            serial in "[AB0]{0,4}",
        ) {
            let expected = best_filling(pattern.as_bytes(), serial.as_bytes(), b"AB0");
            prop_assert_eq!(pattern_distance(pattern.as_bytes(), serial.as_bytes()), expected);
        }

        #[test]
        fn osa_is_a_symmetric_bounded_distance(a in "[AB0]{0,7}", b in "[AB0]{0,7}") {
            let d = osa_distance(a.as_bytes(), b.as_bytes());
            prop_assert_eq!(d, osa_distance(b.as_bytes(), a.as_bytes()));
            prop_assert!(d <= a.len().max(b.len()));
            prop_assert!(d >= a.len().abs_diff(b.len()));
            prop_assert_eq!(d == 0, a == b);
        }
    }
}
