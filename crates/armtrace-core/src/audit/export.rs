//! The exported audit log: a file an outside party can check without the register.
//!
//! The file is JSON Lines. Each line but the last is one [`AuditEntry`] as a JSON
//! object (`seq`, `at`, `actor`, `action`, `entity`, `entity_ref`, `detail`,
//! `prev_hash`, `hash`), in `seq` order. The last line is `{"head": …}` ([`ExportHead`]):
//! the last entry's `seq` and `hash`, the entry count, the hashing rule in words
//! ([`super::ALGORITHM`]) and, when signed, an Ed25519 signature by the installation's
//! key over the ASCII text [`head_message`] (`armtrace-audit/1 head seq=N hash=H`).
//!
//! Whoever checks recomputes every hash (see [`super`] for the Python recipe), follows
//! the chain to the head, and checks the signature against the public key they were
//! given by the publisher, not only against the one written in the file: a key in the
//! file proves only that *someone* signed it. With Python's `cryptography` package:
//!
//! ```text
//! from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
//! Ed25519PublicKey.from_public_bytes(bytes.fromhex(PUBLIC_KEY)).verify(
//!     bytes.fromhex(head["signature"]["signature"]), head["signature"]["message"].encode())
//! ```
//!
//! Reading the file and generating keys are the callers' business; this module only
//! parses lines, signs and verifies values.

use std::fmt;

use ed25519_dalek::{Signature, Signer, SigningKey, VerifyingKey};
use serde::{Deserialize, Serialize};

use super::{ALGORITHM, AuditEntry, ChainBreak, ChainHead, ChainVerifier, FORMAT};

/// The last line of an export.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExportHead {
    /// The last entry's number (0 for an empty log).
    pub seq: i64,
    /// The last entry's hash (64 zeros for an empty log).
    pub hash: String,
    /// How many entries the file holds (equal to `seq`).
    pub entries: u64,
    /// The hashing rule, in words.
    pub algorithm: String,
    /// When the export was written (RFC 3339, UTC). Not signed.
    pub exported_at: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signature: Option<HeadSignature>,
}

impl ExportHead {
    pub fn new(head: &ChainHead, exported_at: &str) -> ExportHead {
        ExportHead {
            seq: head.seq,
            hash: head.hash.clone(),
            entries: head.seq.max(0) as u64,
            algorithm: ALGORITHM.to_owned(),
            exported_at: exported_at.to_owned(),
            signature: None,
        }
    }
}

/// An Ed25519 signature on a head.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HeadSignature {
    /// Always `ed25519`.
    pub algorithm: String,
    /// The signer's public key, 64 hex digits.
    pub public_key: String,
    /// The signature, 128 hex digits.
    pub signature: String,
    /// The exact text that was signed ([`head_message`]).
    pub message: String,
}

/// The text a head signature covers.
pub fn head_message(seq: i64, hash: &str) -> String {
    format!("{FORMAT} head seq={seq} hash={hash}")
}

/// The public key (hex) of a 32-byte Ed25519 secret key.
pub fn public_key_hex(secret_key: &[u8; 32]) -> String {
    hex(SigningKey::from_bytes(secret_key)
        .verifying_key()
        .as_bytes())
}

/// Signs the head `seq`/`hash` with a 32-byte Ed25519 secret key.
pub fn sign_head(secret_key: &[u8; 32], seq: i64, hash: &str) -> HeadSignature {
    let key = SigningKey::from_bytes(secret_key);
    let message = head_message(seq, hash);
    HeadSignature {
        algorithm: "ed25519".to_owned(),
        public_key: hex(key.verifying_key().as_bytes()),
        signature: hex(&key.sign(message.as_bytes()).to_bytes()),
        message,
    }
}

/// Lowercase hex of bytes.
pub fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        let _ = write!(s, "{b:02x}");
    }
    s
}

/// Bytes of an exact-length hex string (either case), or a message saying what is wrong.
pub fn parse_hex<const N: usize>(what: &str, text: &str) -> Result<[u8; N], String> {
    let text = text.trim();
    if text.len() != 2 * N || !text.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(format!("{what} {text:?} is not {} hex digits", 2 * N));
    }
    let mut out = [0u8; N];
    for (i, byte) in out.iter_mut().enumerate() {
        *byte = u8::from_str_radix(&text[2 * i..2 * i + 2], 16).expect("checked hex digits");
    }
    Ok(out)
}

/// Checks a head's signature: that it covers this head, verifies under the key it
/// names, and, when `trusted_key` (hex) is given, that it is that key.
pub fn verify_head_signature(
    head: &ExportHead,
    trusted_key: Option<&str>,
) -> Result<(), ExportProblem> {
    let bad = |m: String| Err(ExportProblem::Signature(m));
    let Some(sig) = &head.signature else {
        return match trusted_key {
            Some(_) => bad(
                "the export is not signed, but a public key was given to check it against".into(),
            ),
            None => Ok(()),
        };
    };
    if sig.algorithm != "ed25519" {
        return bad(format!(
            "signature algorithm {:?} is not ed25519",
            sig.algorithm
        ));
    }
    let expected = head_message(head.seq, &head.hash);
    if sig.message != expected {
        return bad(format!(
            "the signed message {:?} is not this head's {:?}: the head was altered after signing",
            sig.message, expected
        ));
    }
    let named: [u8; 32] =
        parse_hex("the head's public_key", &sig.public_key).map_err(ExportProblem::Signature)?;
    if let Some(trusted) = trusted_key {
        let trusted: [u8; 32] =
            parse_hex("--public-key", trusted).map_err(ExportProblem::Signature)?;
        if trusted != named {
            return bad(format!(
                "the export is signed by key {}, not by the given key {}",
                sig.public_key,
                hex(&trusted)
            ));
        }
    }
    let key = VerifyingKey::from_bytes(&named).map_err(|e| {
        ExportProblem::Signature(format!("the head's public_key is not an Ed25519 key: {e}"))
    })?;
    let signature: [u8; 64] =
        parse_hex("the head's signature", &sig.signature).map_err(ExportProblem::Signature)?;
    key.verify_strict(expected.as_bytes(), &Signature::from_bytes(&signature))
        .map_err(|_| {
            ExportProblem::Signature(
                "the head's signature does not verify: the head (seq or hash) was altered after signing, or the signature was".into(),
            )
        })
}

/// What is wrong with an export file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ExportProblem {
    /// A line that is not an entry or a head, or a line after the head.
    Malformed { line: u64, message: String },
    /// The entries do not form the chain their head records.
    Chain(ChainBreak),
    /// The file ends without a head line (it was cut short).
    NoHead,
    /// The signature is missing, not by the expected key, or does not verify.
    Signature(String),
}

impl fmt::Display for ExportProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ExportProblem::Malformed { line, message } => write!(f, "line {line}: {message}"),
            ExportProblem::Chain(b) => write!(f, "{b}"),
            ExportProblem::NoHead => write!(
                f,
                "the file has no head line ({{\"head\": …}} last): it was cut short, or is not an armtrace audit export"
            ),
            ExportProblem::Signature(m) => write!(f, "signature: {m}"),
        }
    }
}

impl std::error::Error for ExportProblem {}

impl From<ChainBreak> for ExportProblem {
    fn from(b: ChainBreak) -> Self {
        ExportProblem::Chain(b)
    }
}

/// A verified export.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ExportVerification {
    pub head: ChainHead,
    /// The public key (hex) whose signature on the head verified, if the head is signed.
    pub signed_by: Option<String>,
    /// True when the signature was checked against a key given by the caller.
    pub key_checked: bool,
}

/// Checks an export line by line, holding only the last hash.
#[derive(Debug, Default)]
pub struct ExportVerifier {
    chain: ChainVerifier,
    head: Option<ExportHead>,
    line: u64,
}

#[derive(Deserialize)]
struct HeadLine {
    head: ExportHead,
}

impl ExportVerifier {
    pub fn new() -> ExportVerifier {
        ExportVerifier::default()
    }

    /// Takes the next line of the file (without its newline).
    pub fn push_line(&mut self, text: &str) -> Result<(), ExportProblem> {
        self.line += 1;
        let line = self.line;
        let malformed = |message: String| ExportProblem::Malformed { line, message };
        if self.head.is_some() {
            return Err(malformed(
                "a line after the head line: the head must be the last line".into(),
            ));
        }
        let value: serde_json::Value =
            serde_json::from_str(text).map_err(|e| malformed(format!("not JSON: {e}")))?;
        if value.get("head").is_some() {
            let head: HeadLine = serde_json::from_value(value)
                .map_err(|e| malformed(format!("not a head record: {e}")))?;
            self.head = Some(head.head);
            return Ok(());
        }
        let entry: AuditEntry = serde_json::from_value(value)
            .map_err(|e| malformed(format!("not an audit entry: {e}")))?;
        self.chain.push(&entry)?;
        Ok(())
    }

    /// Ends the check: the chain must end at the head, and the head's signature (if
    /// any, or if `trusted_key` is given) must verify.
    pub fn finish(self, trusted_key: Option<&str>) -> Result<ExportVerification, ExportProblem> {
        let head = self.head.ok_or(ExportProblem::NoHead)?;
        let verified = self.chain.finish(Some((head.seq, &head.hash)))?;
        if head.entries != verified.seq as u64 {
            return Err(ExportProblem::Malformed {
                line: self.line,
                message: format!(
                    "the head counts {} entries but the file holds {}",
                    head.entries, verified.seq
                ),
            });
        }
        verify_head_signature(&head, trusted_key)?;
        Ok(ExportVerification {
            head: verified,
            signed_by: head.signature.map(|s| s.public_key),
            key_checked: trusted_key.is_some(),
        })
    }
}

/// Checks a whole export given as lines.
pub fn verify_export<I, S>(
    lines: I,
    trusted_key: Option<&str>,
) -> Result<ExportVerification, ExportProblem>
where
    I: IntoIterator<Item = S>,
    S: AsRef<str>,
{
    let mut verifier = ExportVerifier::new();
    for line in lines {
        verifier.push_line(line.as_ref())?;
    }
    verifier.finish(trusted_key)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audit::{BreakKind, GENESIS_HASH};
    use serde_json::json;

    const SECRET: [u8; 32] = [7; 32];

    fn export(n: i64, signed: bool) -> Vec<String> {
        let mut lines = Vec::new();
        let mut prev = GENESIS_HASH.to_owned();
        for seq in 1..=n {
            let e = AuditEntry::new(
                seq,
                &prev,
                "2026-03-01T00:00:00Z",
                "cli:test",
                "import.items",
                Some("import"),
                Some(&seq.to_string()),
                json!({"inserted": seq, "note": "SYNTHETIC"}),
            );
            prev = e.hash.clone();
            lines.push(serde_json::to_string(&e).unwrap());
        }
        let mut head = ExportHead::new(
            &ChainHead {
                seq: n,
                hash: prev.clone(),
            },
            "2026-03-02T00:00:00Z",
        );
        if signed {
            head.signature = Some(sign_head(&SECRET, n, &prev));
        }
        lines.push(serde_json::to_string(&json!({ "head": head })).unwrap());
        lines
    }

    #[test]
    fn an_intact_export_verifies_with_and_without_the_key() {
        let lines = export(5, true);
        let public = public_key_hex(&SECRET);
        let v = verify_export(&lines, Some(&public)).unwrap();
        assert_eq!(v.head.seq, 5);
        assert_eq!(v.signed_by.as_deref(), Some(public.as_str()));
        assert!(v.key_checked);
        assert!(!verify_export(&lines, None).unwrap().key_checked);
        assert_eq!(
            verify_export(export(0, false), None).unwrap().head,
            ChainHead::genesis()
        );
    }

    #[test]
    fn an_altered_signed_head_fails() {
        let mut lines = export(4, true);
        let mut head: serde_json::Value = serde_json::from_str(lines.last().unwrap()).unwrap();
        // Drop the newest entry and move the head back to entry 3, keeping the signature.
        let third: AuditEntry = serde_json::from_str(&lines[2]).unwrap();
        head["head"]["seq"] = json!(3);
        head["head"]["entries"] = json!(3);
        head["head"]["hash"] = json!(third.hash);
        lines.remove(3);
        *lines.last_mut().unwrap() = head.to_string();
        let problem = verify_export(&lines, None).unwrap_err();
        assert!(matches!(problem, ExportProblem::Signature(_)), "{problem}");
        // Forging the message too does not help: the signature is over the real head.
        head["head"]["signature"]["message"] = json!(head_message(3, &third.hash));
        *lines.last_mut().unwrap() = head.to_string();
        let problem = verify_export(&lines, None).unwrap_err();
        assert!(problem.to_string().contains("does not verify"), "{problem}");
    }

    #[test]
    fn a_signature_by_another_key_or_none_fails_against_a_trusted_key() {
        let lines = export(2, true);
        let other = public_key_hex(&[9; 32]);
        let problem = verify_export(&lines, Some(&other)).unwrap_err();
        assert!(
            problem.to_string().contains("not by the given key"),
            "{problem}"
        );
        let unsigned = export(2, false);
        let problem = verify_export(&unsigned, Some(&other)).unwrap_err();
        assert!(problem.to_string().contains("not signed"), "{problem}");
    }

    #[test]
    fn a_cut_or_edited_file_is_named() {
        let mut lines = export(3, false);
        lines.pop();
        assert_eq!(
            verify_export(&lines, None).unwrap_err(),
            ExportProblem::NoHead
        );

        let mut lines = export(3, false);
        lines[1] = lines[1].replace("cli:test", "cli:else");
        match verify_export(&lines, None).unwrap_err() {
            ExportProblem::Chain(b) => assert_eq!((b.seq, b.kind), (2, BreakKind::Altered)),
            other => panic!("{other}"),
        }

        let mut lines = export(3, false);
        lines.push("{}".into());
        let problem = verify_export(&lines, None).unwrap_err();
        assert!(
            matches!(problem, ExportProblem::Malformed { line: 5, .. }),
            "{problem}"
        );
    }

    #[test]
    fn hex_round_trips_and_rejects_bad_lengths() {
        let bytes = [0u8, 1, 0xab, 0xff];
        assert_eq!(parse_hex::<4>("k", &hex(&bytes)).unwrap(), bytes);
        assert!(
            parse_hex::<4>("k", "0001abf")
                .unwrap_err()
                .contains("8 hex digits")
        );
        assert!(parse_hex::<2>("k", "zz00").is_err());
    }
}
