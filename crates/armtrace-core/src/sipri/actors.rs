//! Who a SIPRI supplier or recipient is: a state with its ISO code, or an actor that has
//! none (a non-state armed group, an organisation, an unrecognised state, "unknown").
//!
//! SIPRI writes its own English names (`Viet Nam`, `Turkiye`, `East Germany (GDR)`) and
//! marks non-state armed groups with `*` and organisations with `**`. A starred name is
//! never looked up as a country: `Libya HoR*` and `Syria rebels*` are not Libya and
//! Syria. The decisions that need a person (former states, names no ISO table knows,
//! unrecognised states) are in `data/sipri_actors.csv`; everything else is an ordinary
//! country lookup. A name found nowhere is an error, so no actor silently loses its code.

use std::collections::HashMap;
use std::sync::LazyLock;

use serde::Serialize;

use crate::country::CountryCode;

const TABLE_CSV: &str = include_str!("../../../../data/sipri_actors.csv");

/// What kind of actor a SIPRI supplier or recipient is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ActorKind {
    /// A state, current or former, with its ISO code.
    State,
    /// A self-declared state that no ISO code covers (Biafra, Northern Cyprus).
    Unrecognised,
    /// An organisation (SIPRI's `**`: NATO, the United Nations, the African Union).
    Organisation,
    /// A non-state armed group (SIPRI's `*`: rebels, militias, rival authorities).
    NonState,
    /// SIPRI does not know the supplier or recipient.
    Unknown,
}

impl ActorKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ActorKind::State => "state",
            ActorKind::Unrecognised => "unrecognised",
            ActorKind::Organisation => "organisation",
            ActorKind::NonState => "non_state",
            ActorKind::Unknown => "unknown",
        }
    }

    fn parse(s: &str) -> Option<ActorKind> {
        [
            ActorKind::State,
            ActorKind::Unrecognised,
            ActorKind::Organisation,
            ActorKind::NonState,
            ActorKind::Unknown,
        ]
        .into_iter()
        .find(|k| k.as_str() == s)
    }
}

/// A classified supplier or recipient: its kind and, for a state, its code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Actor {
    pub kind: ActorKind,
    pub code: Option<CountryCode>,
}

/// The error for a name neither SIPRI's conventions, `data/sipri_actors.csv` nor the
/// country table account for.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "is neither a country armtrace knows nor a SIPRI actor listed in data/sipri_actors.csv: add it there (as a state with its code, or as unrecognised, organisation, non_state or unknown), or pass --skip-invalid to import the other rows"
)]
pub struct UnclassifiedActor;

/// One row of `data/sipri_actors.csv`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActorEntry {
    /// The name exactly as SIPRI writes it.
    pub name: String,
    pub actor: Actor,
    /// Why this classification (which ISO code history, which government).
    pub note: String,
}

static TABLE: LazyLock<(Vec<ActorEntry>, HashMap<String, usize>)> = LazyLock::new(|| {
    let mut reader = csv::ReaderBuilder::new()
        .comment(Some(b'#'))
        .from_reader(TABLE_CSV.as_bytes());
    let mut entries = Vec::new();
    let mut by_name = HashMap::new();
    for record in reader.records() {
        let record = record.expect("data/sipri_actors.csv is valid CSV");
        let kind = ActorKind::parse(&record[1])
            .unwrap_or_else(|| panic!("data/sipri_actors.csv: unknown kind {:?}", &record[1]));
        let code = match &record[2] {
            "" => None,
            c => Some(CountryCode::parse(c).unwrap_or_else(|_| {
                panic!("data/sipri_actors.csv: {c:?} is not a code of data/countries.csv")
            })),
        };
        by_name.insert(record[0].to_owned(), entries.len());
        entries.push(ActorEntry {
            name: record[0].to_owned(),
            actor: Actor { kind, code },
            note: record[3].to_owned(),
        });
    }
    (entries, by_name)
});

/// The rows of `data/sipri_actors.csv`.
pub fn actor_table() -> &'static [ActorEntry] {
    &TABLE.0
}

/// Classifies a supplier or recipient name as SIPRI writes it.
///
/// In order: the table's decision for this exact name; `**` (organisation) and `*`
/// (non-state armed group) at the end of the name; a name starting with `unknown`; an
/// ordinary country lookup (code, English name or alias).
pub fn classify_actor(name: &str) -> Result<Actor, UnclassifiedActor> {
    let name = name.trim();
    if let Some(&i) = TABLE.1.get(name) {
        return Ok(TABLE.0[i].actor);
    }
    let without_code = |kind| Ok(Actor { kind, code: None });
    if name.ends_with("**") {
        return without_code(ActorKind::Organisation);
    }
    if name.ends_with('*') {
        return without_code(ActorKind::NonState);
    }
    if name.to_lowercase().starts_with("unknown") {
        return without_code(ActorKind::Unknown);
    }
    match CountryCode::parse(name) {
        Ok(code) => Ok(Actor {
            kind: ActorKind::State,
            code: Some(code),
        }),
        Err(_) => Err(UnclassifiedActor),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(name: &str) -> Option<&'static str> {
        classify_actor(name)
            .unwrap()
            .code
            .map(|c| c.country().code.as_str())
    }

    #[test]
    fn the_table_is_consistent() {
        for e in actor_table() {
            match e.actor.kind {
                ActorKind::State => assert!(e.actor.code.is_some(), "{} needs a code", e.name),
                _ => assert!(e.actor.code.is_none(), "{} must not have a code", e.name),
            }
            assert_eq!(classify_actor(&e.name).unwrap(), e.actor, "{}", e.name);
        }
    }

    #[test]
    fn states_get_codes_and_former_states_their_former_codes() {
        for (name, expected) in [
            ("Soviet Union", "SU"),
            ("Yugoslavia", "YU"),
            ("Czechoslovakia", "CS"),
            ("East Germany (GDR)", "DD"),
            ("Viet Nam", "VN"),
            ("Czechia", "CZ"),
            ("Turkiye", "TR"),
            ("Türkiye", "TR"),
            ("Côte d'Ivoire", "CI"),
            ("Cote d'Ivoire", "CI"),
            ("United States", "US"),
            ("Libya GNC", "LY"),
            ("Libya", "LY"),
            ("eSwatini", "SZ"),
        ] {
            assert_eq!(code(name), Some(expected), "{name}");
            assert_eq!(classify_actor(name).unwrap().kind, ActorKind::State);
        }
    }

    #[test]
    fn starred_actors_never_get_the_code_of_their_country() {
        for (name, kind) in [
            ("Libya HoR*", ActorKind::NonState),
            ("HoR (Libya)*", ActorKind::NonState),
            ("Houthi rebels (Yemen)*", ActorKind::NonState),
            ("Syria rebels*", ActorKind::NonState),
            ("Kurdistan Regional Government (Iraq)*", ActorKind::NonState),
            ("NATO**", ActorKind::Organisation),
            ("United Nations**", ActorKind::Organisation),
            ("unknown supplier(s)", ActorKind::Unknown),
            ("unknown recipient(s)", ActorKind::Unknown),
            ("Biafra", ActorKind::Unrecognised),
        ] {
            assert_eq!(
                classify_actor(name),
                Ok(Actor { kind, code: None }),
                "{name}"
            );
        }
    }

    #[test]
    fn a_name_found_nowhere_is_an_error() {
        assert_eq!(classify_actor("Narnia"), Err(UnclassifiedActor));
        assert_eq!(classify_actor(""), Err(UnclassifiedActor));
    }
}
