//! Why a search matched, in words an investigator can check against the item.

use armtrace_core::search::SerialQuery;
use armtrace_core::serial::normalise;

/// The sentence shown beside a match: exact, folded look-alikes, a pattern, or edits.
pub fn search_match(query: &SerialQuery, serial: &str, distance: u8, as_written: bool) -> String {
    if as_written {
        "serial exactly as written".to_owned()
    } else if distance == 0 && query.has_wildcards() {
        format!("serial fits the pattern {}", query.normalised())
    } else if distance == 0 {
        format!(
            "same serial once look-alike characters are folded: {:?} and {:?} both read {}",
            query.raw(),
            serial,
            query.normalised()
        )
    } else {
        format!(
            "{} edit{} from the query ({} vs {})",
            distance,
            if distance == 1 { "" } else { "s" },
            normalise(serial),
            query.normalised()
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_kind_of_match_says_why() {
        let q = SerialQuery::parse("AB12O7", None).unwrap();
        assert_eq!(
            search_match(&q, "AB12O7", 0, true),
            "serial exactly as written"
        );
        assert!(search_match(&q, "A81207", 0, false).contains("look-alike"));
        assert_eq!(
            search_match(&q, "AB1208", 1, false),
            "1 edit from the query (A81208 vs A81207)"
        );
        let p = SerialQuery::parse("AB12??", None).unwrap();
        assert!(search_match(&p, "AB1234", 0, false).contains("pattern"));
    }
}
