//! Weapon designations as registers and investigators spell them: `9M113 Konkurs` and
//! `9M113`, `AK-47` and `AK47`, `Type 56` and `Type-56` name the same weapon; `AK-47`
//! and `AK-74` do not.
//!
//! A designation is read as its alphanumeric tokens, uppercased (case, spaces, `-`, `/`
//! and other punctuation do not matter). Its **designator** is the tokens up to and
//! including the first one with a digit (`9M113`, `AK47`, `TYPE56`, `T72B`), or the first
//! token when none has one (`AKM`); its **name** is what follows the designator when
//! that starts with a word (`KONKURS` in `9M113 Konkurs`, `STRELA2` in `9K32 Strela-2`;
//! `120mm` in `PM-43 120mm` is a calibre, not a name). Two designations match,
//! best first:
//!
//! * **exactly** when all their tokens are the same (`Type 56` = `TYPE-56`);
//! * **by designator** when their designators are the same (`9M113 Konkurs` ~ `9M113`);
//! * **by name** when one is the other's name, or both have the same name
//!   (`9M113 Konkurs` ~ `Konkurs`, as SIPRI writes it; `9K32 Strela-2` ~ `Strela-2`);
//! * **as variants** when one designator is the other followed by a letter suffix
//!   (`T-72` ~ `T-72B`, `F-16` ~ `F-16C`), never when a digit follows (`M-1` is not
//!   `M-16`, `AK-47` is not `AK-474`).

use serde::Serialize;

/// A designation read for matching.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Designation {
    /// As written.
    pub written: String,
    /// Every token, concatenated.
    compact: String,
    designator: String,
    /// The tokens after the designator, concatenated (`None` when nothing follows).
    name: Option<String>,
}

/// How well two designations correspond, best first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DesignationMatch {
    Exact,
    Designator,
    Name,
    Variant,
}

impl Designation {
    /// `None` when the text has no letter or digit.
    pub fn new(written: &str) -> Option<Designation> {
        let tokens: Vec<String> = written
            .split(|c: char| !c.is_alphanumeric())
            .filter(|t| !t.is_empty())
            .map(str::to_uppercase)
            .collect();
        if tokens.is_empty() {
            return None;
        }
        let designator_end = tokens
            .iter()
            .position(|t| t.chars().any(|c| c.is_ascii_digit()))
            .unwrap_or(0)
            + 1;
        // A name starts with a word: `120mm` after `PM-43` is a calibre, not a name.
        let rest = &tokens[designator_end..];
        let name = rest
            .first()
            .is_some_and(|t| !t.chars().any(|c| c.is_ascii_digit()))
            .then(|| rest.concat());
        Some(Designation {
            written: written.trim().to_owned(),
            compact: tokens.concat(),
            designator: tokens[..designator_end].concat(),
            name,
        })
    }

    /// The leading designator (`9M113`, `AK47`, `TYPE56`).
    pub fn designator(&self) -> &str {
        &self.designator
    }

    /// How `other` corresponds to this designation, if at all.
    pub fn matches(&self, other: &Designation) -> Option<DesignationMatch> {
        if self.compact == other.compact {
            Some(DesignationMatch::Exact)
        } else if self.designator == other.designator {
            Some(DesignationMatch::Designator)
        } else if self.name.as_ref() == Some(&other.compact)
            || other.name.as_ref() == Some(&self.compact)
            || (self.name.is_some() && self.name == other.name)
        {
            Some(DesignationMatch::Name)
        } else if is_variant(&self.designator, &other.designator)
            || is_variant(&other.designator, &self.designator)
        {
            Some(DesignationMatch::Variant)
        } else {
            None
        }
    }
}

/// `longer` is `base` followed by a letter, and `base` ends in a digit (`T72` → `T72B`).
fn is_variant(base: &str, longer: &str) -> bool {
    let Some(rest) = longer.strip_prefix(base) else {
        return false;
    };
    let base_ends_in_digit = base.chars().last().is_some_and(|c| c.is_ascii_digit());
    let letter_follows = rest.chars().next().is_some_and(char::is_alphabetic);
    base_ends_in_digit && letter_follows
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(a: &str, b: &str) -> Option<DesignationMatch> {
        let (a, b) = (Designation::new(a).unwrap(), Designation::new(b).unwrap());
        let there = a.matches(&b);
        assert_eq!(there, b.matches(&a), "matching is symmetric");
        there
    }

    #[test]
    fn spellings_of_one_designation() {
        use DesignationMatch::*;
        assert_eq!(m("AK-47", "AK47"), Some(Exact));
        assert_eq!(m("Type 56", "Type-56"), Some(Exact));
        assert_eq!(m("type 56", "TYPE56"), Some(Exact));
        assert_eq!(m("9M113 Konkurs", "9M113"), Some(Designator));
        assert_eq!(m("9M113 Konkurs", "9m113 konkurs"), Some(Exact));
        assert_eq!(m("Type 56-1", "Type 56"), Some(Designator));
        assert_eq!(m("9M113 Konkurs", "Konkurs"), Some(Name));
        assert_eq!(m("9K32 Strela-2", "Strela-2"), Some(Name));
        assert_eq!(m("BGM-71 TOW", "TOW"), Some(Name));
        assert_eq!(m("9K111 Fagot", "9M111 Fagot"), Some(Name));
        assert_eq!(m("T-72", "T-72B"), Some(Variant));
        assert_eq!(m("F-16", "F-16C Block-50"), Some(Variant));
    }

    #[test]
    fn different_weapons_do_not_match() {
        assert_eq!(m("AK-47", "AK-74"), None);
        assert_eq!(m("M-1", "M-16"), None);
        assert_eq!(m("AK", "AKM"), None);
        assert_eq!(m("9M113 Konkurs", "9M111 Fagot"), None);
        assert_eq!(m("Type 56", "Type 59"), None);
        assert_eq!(m("S-70L Black Hawk", "Hawk"), None);
        assert_eq!(m("FGM-148 Javelin", "Javelin SAM"), None);
        assert_eq!(m("Konkurs", "Kornet"), None);
        assert_eq!(m("PM-43 120mm", "2S9 120mm"), None);
        assert!(Designation::new(" - ").is_none());
    }

    #[test]
    fn designators() {
        let d = |s: &str| Designation::new(s).unwrap().designator().to_owned();
        assert_eq!(d("9M113 Konkurs"), "9M113");
        assert_eq!(d("AK-47"), "AK47");
        assert_eq!(d("Type 56"), "TYPE56");
        assert_eq!(d("PM-43 120mm"), "PM43");
        assert_eq!(d("Konkurs"), "KONKURS");
    }
}
