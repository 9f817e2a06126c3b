//! Small text rules used when comparing free-text fields (models, manufacturers, calibres).
//!
//! One place decides what "the same manufacturer" means, so the linker, the transfer
//! matcher and the statistics agree.

/// Case-insensitive, whitespace-collapsed comparison key: `"  Norinco   Factory "` and
/// `"NORINCO factory"` both become `"norinco factory"`.
pub fn fold(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for word in value.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        for c in word.chars() {
            out.extend(c.to_lowercase());
        }
    }
    out
}

/// Trims a raw field and turns an empty one into `None`.
pub fn non_empty(value: &str) -> Option<&str> {
    let v = value.trim();
    (!v.is_empty()).then_some(v)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fold_collapses_case_and_space() {
        assert_eq!(fold("  Norinco \t  Factory "), "norinco factory");
        assert_eq!(fold("ÜBER"), "über");
        assert_eq!(fold(""), "");
    }
}
