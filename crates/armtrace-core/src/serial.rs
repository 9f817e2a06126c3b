//! Serial numbers: the two normal forms everything else relies on.
//!
//! * [`normalise`] is the *search* form. It folds characters that investigators misread
//!   for one another (O/0, I/1, S/5, B/8, Z/2, ...) so that `AB-12O7` and `A81207` meet.
//! * [`SerialKey`] is the *linking* form: uppercase letters and digits only, with no
//!   confusable folding, split into a prefix and a trailing number so that consecutive
//!   serials can be recognised.
//!
//! These functions are the only place where either rule is written down.

use std::fmt;

/// Folds a letter that is commonly misread for a digit onto that digit.
#[inline]
fn fold_confusable(c: u8) -> u8 {
    match c {
        b'O' | b'Q' => b'0',
        b'I' | b'L' => b'1',
        b'Z' => b'2',
        b'S' => b'5',
        b'B' => b'8',
        other => other,
    }
}

/// The search form of a serial: uppercase ASCII, only `A–Z0–9`, then O→0, Q→0, I→1,
/// L→1, Z→2, S→5, B→8.
///
/// ```
/// assert_eq!(armtrace_core::serial::normalise("sb-1o2 z/q"), "5810220");
/// ```
pub fn normalise(serial: &str) -> String {
    let mut out = String::with_capacity(serial.len());
    normalise_into(serial, &mut out);
    out
}

/// [`normalise`] into a reused buffer (the hot path of imports and index builds).
pub fn normalise_into(serial: &str, out: &mut String) {
    out.clear();
    for b in serial.bytes() {
        let c = b.to_ascii_uppercase();
        if c.is_ascii_alphanumeric() {
            out.push(fold_confusable(c) as char);
        }
    }
}

/// The search form of a query: like [`normalise`], but `?` (exactly one unknown
/// character) and `*` (any run, possibly empty) are kept; runs of `*` collapse to one.
pub fn normalise_query(query: &str) -> String {
    let mut out = String::with_capacity(query.len());
    for b in query.bytes() {
        let c = b.to_ascii_uppercase();
        if c.is_ascii_alphanumeric() {
            out.push(fold_confusable(c) as char);
        } else if c == b'?' || (c == b'*' && !out.ends_with('*')) {
            out.push(c as char);
        }
    }
    out
}

/// The linking form of a serial: uppercase `A–Z0–9` only, no confusable folding.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SerialKey(String);

impl SerialKey {
    /// `None` when nothing alphanumeric is left.
    pub fn new(raw: &str) -> Option<SerialKey> {
        let key: String = raw
            .bytes()
            .map(|b| b.to_ascii_uppercase())
            .filter(u8::is_ascii_alphanumeric)
            .map(char::from)
            .collect();
        (!key.is_empty()).then_some(SerialKey(key))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Everything before the trailing run of digits.
    pub fn prefix(&self) -> &str {
        let digits = self.0.bytes().rev().take_while(u8::is_ascii_digit).count();
        &self.0[..self.0.len() - digits]
    }

    /// The trailing run of digits as an integer; `None` when the key does not end in a
    /// digit or the run does not fit in 64 bits.
    pub fn number(&self) -> Option<u64> {
        let prefix_len = self.prefix().len();
        let digits = &self.0[prefix_len..];
        if digits.is_empty() {
            None
        } else {
            digits.parse().ok()
        }
    }

    /// Prefix and number together, when the key has a trailing number.
    pub fn split(&self) -> Option<(&str, u64)> {
        Some((self.prefix(), self.number()?))
    }
}

impl fmt::Display for SerialKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for SerialKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SerialKey({})", self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn normalise_follows_the_contract() {
        assert_eq!(normalise("AB12-OO78"), "A8120078");
        assert_eq!(normalise("qils zbo"), "0115280");
        assert_eq!(normalise("№ 12/34 (x)"), "1234X");
        assert_eq!(normalise(""), "");
    }

    #[test]
    fn query_keeps_wildcards() {
        assert_eq!(normalise_query("ab12??78"), "A812??78");
        assert_eq!(normalise_query("**45-67**"), "*4567*");
    }

    #[test]
    fn key_prefix_and_number() {
        let k = SerialKey::new("ab-00123").unwrap();
        assert_eq!(k.as_str(), "AB00123");
        assert_eq!(k.split(), Some(("AB", 123)));
        let k = SerialKey::new("12345").unwrap();
        assert_eq!(k.split(), Some(("", 12345)));
        let k = SerialKey::new("12AB").unwrap();
        assert_eq!(k.prefix(), "12AB");
        assert_eq!(k.number(), None);
        assert_eq!(SerialKey::new(" -/ "), None);
        // Confusables are *not* folded in the linking form.
        assert_eq!(SerialKey::new("O1").unwrap().split(), Some(("O", 1)));
        // A digit run too long for u64 does not link.
        assert_eq!(
            SerialKey::new("A123456789012345678901").unwrap().number(),
            None
        );
    }

    proptest! {
        #[test]
        fn normalise_is_idempotent_and_in_alphabet(s in ".{0,40}") {
            let n = normalise(&s);
            prop_assert!(n.bytes().all(|b| b.is_ascii_digit() || b.is_ascii_uppercase()));
            prop_assert!(!n.contains(['O', 'Q', 'I', 'L', 'Z', 'S', 'B']));
            prop_assert_eq!(normalise(&n), n.clone());
            prop_assert_eq!(normalise_query(&n), n);
        }

        #[test]
        fn key_reassembles(prefix in "[A-Z]{0,4}", number in 0u64..10_000_000) {
            let k = SerialKey::new(&format!("{prefix}-{number}")).unwrap();
            if prefix.is_empty() || !prefix.ends_with(|c: char| c.is_ascii_digit()) {
                prop_assert_eq!(k.split(), Some((prefix.as_str(), number)));
            }
        }
    }
}
