//! Tests of marking identification against the real tables: known headstamps and
//! designations, year windowing, ambiguity, suggestions, and the tables themselves.

use super::marking::{Shape, tokens};
use super::table::{HEADSTAMPS_CSV, MODELS_CSV, parse_headstamps, parse_models};
use super::*;
use crate::item::RawItem;

const NOW: i16 = 2026;

fn top(marking: &str) -> Identification {
    identify(marking, NOW)
        .into_iter()
        .next()
        .unwrap_or_else(|| panic!("{marking:?} identified nothing"))
}

fn country(id: &Identification) -> &str {
    id.country.as_ref().map_or("", |c| c.as_str())
}

#[test]
fn tables_parse_with_sources_and_known_countries() {
    let hs = parse_headstamps(HEADSTAMPS_CSV).expect("data/headstamps.csv parses");
    let ms = parse_models(MODELS_CSV).expect("data/models.csv parses");
    assert!((40..=80).contains(&hs.len()), "{} headstamp rows", hs.len());
    assert!(ms.len() >= 40, "{} model rows", ms.len());
    for h in &hs {
        assert!(!h.source.trim().is_empty(), "{} has no source", h.code);
        assert!(!h.factory.trim().is_empty(), "{} has no factory", h.code);
        assert_eq!(CountryCode::parse(h.country.as_str()), Ok(h.country));
        if let Some(f) = h.former_country {
            assert!(f.country().former, "{}: {f} is not a former state", h.code);
            assert!(h.former_until.is_some());
        }
    }
    for m in &ms {
        assert!(!m.source.trim().is_empty(), "{} has no source", m.model);
        assert_eq!(CountryCode::parse(m.country.as_str()), Ok(m.country));
    }
    // The sources named in the rows are the ones the header explains.
    for source in hs
        .iter()
        .map(|h| &h.source)
        .chain(ms.iter().map(|m| &m.source))
    {
        for part in source.split(';').map(str::trim) {
            let text = if HEADSTAMPS_CSV.contains(&format!("#   {part} =")) {
                HEADSTAMPS_CSV
            } else {
                MODELS_CSV
            };
            assert!(
                text.contains(&format!("#   {part} =")),
                "source {part:?} is not described in a table header"
            );
        }
    }
    assert_eq!(headstamps().len(), hs.len());
    assert_eq!(models().len(), ms.len());
}

#[test]
fn no_two_rows_claim_the_same_code_for_the_same_factory() {
    let mut seen = std::collections::HashSet::new();
    for h in headstamps() {
        assert!(
            seen.insert((h.code.to_lowercase(), &h.factory)),
            "{} twice",
            h.code
        );
    }
    let mut names = std::collections::HashSet::new();
    for m in models() {
        assert!(names.insert(&m.model), "{} twice", m.model);
    }
}

#[test]
fn bad_rows_are_reported_with_line_and_column() {
    let header = "code,factory,country,former_country,former_until,calibres,years,notes,source\n";
    let text = format!("# comment\n{header}12,Somewhere,ZZ,,,,,,\n13,Elsewhere,RU,SU,,,1990,,X\n");
    let errors = parse_headstamps(&text).unwrap_err();
    let messages: Vec<String> = errors.iter().map(ToString::to_string).collect();
    assert!(
        messages
            .iter()
            .any(|m| m.contains("line 3, column country")),
        "{messages:?}"
    );
    assert!(
        messages
            .iter()
            .any(|m| m.contains("line 3, column source: is required"))
    );
    assert!(
        messages
            .iter()
            .any(|m| m.contains("line 4, column former_until"))
    );
    assert!(messages.iter().any(|m| m.contains("line 4, column years")));

    let models = "model,aliases,category,country,manufacturer,calibre,single_source,notes,source\n\
                  X-1,,spaceship,SU,,,maybe,,S\n";
    let messages: Vec<String> = parse_models(models)
        .unwrap_err()
        .iter()
        .map(ToString::to_string)
        .collect();
    assert!(
        messages
            .iter()
            .any(|m| m.contains("category: \"spaceship\" is not one of"))
    );
    assert!(messages.iter().any(|m| m.contains("single_source")));
    assert!(
        parse_models("model,aliases\nX,Y\n").is_err(),
        "wrong header"
    );
}

#[test]
fn known_headstamps() {
    for (marking, factory, code, year) in [
        ("539 82", "Tula Cartridge Works", "SU", Some(1982)),
        (
            "711 78",
            "Klimovsk Specialised Ammunition Plant",
            "SU",
            Some(1978),
        ),
        (
            "* 60 * 85",
            "Frunze cartridge plant (Bishkek)",
            "SU",
            Some(1985),
        ),
        (
            "★60★85",
            "Frunze cartridge plant (Bishkek)",
            "SU",
            Some(1985),
        ),
        (
            "60 05",
            "Frunze cartridge plant (Bishkek)",
            "KG",
            Some(2005),
        ),
        ("270 88", "Luhansk Cartridge Works", "SU", Some(1988)),
        ("270 95", "Luhansk Cartridge Works", "UA", Some(1995)),
        ("17 1978", "Barnaul Cartridge Plant", "SU", Some(1978)),
        ("71 84", "Chinese state factory 71", "CN", Some(1984)),
        ("31 75", "Chinese state factory 31", "CN", Some(1975)),
        (
            "LC 05",
            "Lake City Army Ammunition Plant (Independence; Missouri)",
            "US",
            Some(2005),
        ),
        (
            "lc-05",
            "Lake City Army Ammunition Plant (Independence; Missouri)",
            "US",
            Some(2005),
        ),
        (
            "LC05",
            "Lake City Army Ammunition Plant (Independence; Missouri)",
            "US",
            Some(2005),
        ),
        ("IMI 87", "Israel Military Industries", "IL", Some(1987)),
        ("PPU 7.62x39", "Prvi Partizan (Užice)", "RS", None),
        ("PPU 88", "Prvi Partizan (Užice)", "YU", Some(1988)),
        ("S&B 7.62 x 39", "Sellier & Bellot (Vlašim)", "CZ", None),
        (
            "RG 78",
            "Royal Ordnance Factory Radway Green",
            "GB",
            Some(1978),
        ),
    ] {
        let id = top(marking);
        assert_eq!(id.kind, Kind::Headstamp, "{marking}");
        assert_eq!(id.manufacturer.as_deref(), Some(factory), "{marking}");
        assert_eq!(country(&id), code, "{marking}");
        assert_eq!(id.year, year, "{marking}");
        assert!(!id.source.is_empty());
        assert!(
            id.reasons[0].contains("headstamp code of"),
            "{:?}",
            id.reasons
        );
    }
    let ppu = top("PPU 7.62x39");
    assert_eq!(ppu.calibre.as_deref(), Some("7.62x39"));
    assert!(
        ppu.reasons
            .iter()
            .any(|r| r.contains("calibre this factory"))
    );
    assert_eq!(top("S&B 7.62 x 39").calibre.as_deref(), Some("7.62x39"));
}

#[test]
fn reasons_explain_the_reading() {
    let id = top("539 82");
    assert_eq!(
        id.reasons[0],
        "'539' is the headstamp code of Tula Cartridge Works, Russian Federation"
    );
    assert!(
        id.reasons
            .iter()
            .any(|r| r.contains("'82' read as the year 1982"))
    );
    assert!(
        id.reasons
            .iter()
            .any(|r| r == "state in 1982: Soviet Union (SU); today: Russian Federation (RU)")
    );
    assert!(id.confidence >= 0.8, "{}", id.confidence);
}

#[test]
fn two_digit_years_are_windowed_around_the_reference_year() {
    assert_eq!(headstamp_year("05", 2026), Some(2005));
    assert_eq!(headstamp_year("26", 2026), Some(2026));
    assert_eq!(headstamp_year("27", 2026), Some(2027));
    assert_eq!(headstamp_year("28", 2026), Some(1928));
    assert_eq!(headstamp_year("99", 2026), Some(1999));
    assert_eq!(headstamp_year("00", 2026), Some(2000));
    // The same digits read differently against another year.
    assert_eq!(headstamp_year("15", 2010), Some(1915));
    assert_eq!(headstamp_year("15", 2026), Some(2015));
    assert_eq!(headstamp_year("1978", 2026), Some(1978));
    assert_eq!(headstamp_year("2031", 2026), None);
    assert_eq!(headstamp_year("1850", 2026), None);
    assert_eq!(headstamp_year("123", 2026), None);
    assert_eq!(headstamp_year("8", 2026), None);
    assert_eq!(headstamp_year("8a", 2026), None);
}

#[test]
fn two_digit_years_never_leave_the_window() {
    // The case proptest found: with 1950 as the reference, 61 is neither 1861 nor 1961.
    assert_eq!(headstamp_year("61", 1950), None);
    for marking in ["61:3 ", "3 60{"] {
        for id in identify(marking, 1950) {
            assert!(id.year.is_none_or(|y| (1900..=1951).contains(&y)), "{id:?}");
        }
    }
    assert_eq!(headstamp_year("51", 1950), Some(1951));
    assert_eq!(headstamp_year("49", 1950), Some(1949));
    assert_eq!(headstamp_year("00", 1950), Some(1900));
    assert_eq!(headstamp_year("99", 1998), Some(1999));
    assert_eq!(headstamp_year("00", 1998), Some(1900));
    assert_eq!(headstamp_year("00", 2099), Some(2100));
    assert_eq!(year_alternatives("27", 2026), vec![1927]);
    assert_eq!(year_alternatives("28", 2026), Vec::<i16>::new());
    assert_eq!(year_alternatives("05", 2150), vec![1905, 2005]);
    assert_eq!(year_alternatives("1978", 2026), Vec::<i16>::new());
    for reference in 1890..2200 {
        for yy in 0..100 {
            if let Some(y) = headstamp_year(&format!("{yy:02}"), reference) {
                assert!(
                    (1900..=reference + 1).contains(&y),
                    "{yy:02} in {reference}: {y}"
                );
                assert_eq!(y.rem_euclid(100), yy);
            }
        }
    }
}

#[test]
fn ambiguous_and_one_digit_years_are_said_so() {
    let found = identify("539 27", 2026);
    let reasons = found[0].reasons.join("; ");
    assert!(reasons.contains("could also be 1927"), "{reasons}");
    let found = identify("539 7", 2026);
    let reasons = found[0].reasons.join("; ");
    assert!(reasons.contains("'7' may be a one-digit year"), "{reasons}");
    assert_eq!(found[0].year, None);
    assert_eq!(identify("539 15", 2010)[0].year, Some(1915));
    assert_eq!(identify("539 15", NOW)[0].year, Some(2015));
    assert_eq!(identify("539 15", NOW)[0].country.unwrap().as_str(), "RU");
}

#[test]
fn years_outside_the_known_range_cost_confidence() {
    let early = top("LC 1935");
    let normal = top("LC 1975");
    assert!(early.confidence < normal.confidence);
    assert!(
        early
            .reasons
            .iter()
            .any(|r| r.contains("outside the years"))
    );
}

#[test]
fn ambiguity_and_weak_codes_lower_confidence() {
    let bare = top("3");
    let with_year = top("3 85");
    let long_code = top("539 82");
    assert_eq!(
        bare.manufacturer.as_deref(),
        Some("Ulyanovsk Cartridge Works")
    );
    assert!(bare.confidence < 0.3, "{}", bare.confidence);
    assert!(bare.confidence < with_year.confidence);
    assert!(with_year.confidence < long_code.confidence);

    // Both numbers are factory codes: two readings share the weight.
    let both = identify("17 60", NOW);
    assert_eq!(both.len(), 2, "{both:#?}");
    assert_eq!(both[0].matched, "17", "the code comes first on a headstamp");
    assert_eq!(both[0].year, Some(1960));
    assert_eq!(both[1].matched, "60");
    assert_eq!(both[1].year, Some(2017));
    let clear = top("17 85");
    assert!(both[0].confidence < clear.confidence - 0.2);
    assert!(both.iter().all(|b| b.confidence < SUGGESTION_THRESHOLD));
    assert!(both[0].reasons.iter().any(|r| r.contains("other readings")));

    // Words the reading cannot explain count against it.
    assert!(top("539 82 hello world").confidence < long_code.confidence);
}

#[test]
fn model_designations_match_tolerantly() {
    for (written, model) in [
        ("AK-47", "AK-47"),
        ("ak47", "AK-47"),
        ("AK 47", "AK-47"),
        ("akms", "AKM"),
        ("AKS-74U", "AKS-74U"),
        ("Type-56", "Type 56"),
        ("type 56 carbine", "Type 56 carbine"),
        ("9M113 Konkurs", "9M113 Konkurs"),
        ("9m113", "9M113 Konkurs"),
        ("Konkurs", "9M113 Konkurs"),
        ("AT-5 Spandrel", "9M113 Konkurs"),
        ("m16a2", "M16"),
        ("SVD Dragunov", "SVD"),
        ("rpg 7v", "RPG-7"),
        ("Sa vz. 58", "vz. 58"),
        ("Heckler & Koch MP5", "MP5"),
        ("recovered Type 56-1 rifle", "Type 56"),
        ("PKM", "PKM"),
    ] {
        let id = top(written);
        assert_eq!(
            (id.kind, id.matched.as_str()),
            (Kind::Model, model),
            "{written}"
        );
    }
    let konkurs = top("9m113");
    assert_eq!(country(&konkurs), "SU");
    assert_eq!(konkurs.category, Some(ModelCategory::Atgm));
    assert_eq!(
        top("type 56").manufacturer.as_deref(),
        Some("Norinco (Chinese state factories)")
    );
    // Whole tokens only: no AKM inside AKMSX, no M4 inside M40.
    assert!(identify("AKMSX", NOW).is_empty());
    assert!(identify("M40", NOW).is_empty());
    // A whole designation outranks the same designation inside other text.
    assert!(top("AK-47").confidence > top("a rusty AK-47 with no stock").confidence);
    // Short designations are weaker.
    assert!(top("PK").confidence < top("PKM").confidence);
}

#[test]
fn shared_aliases_split_confidence() {
    let found = identify("AT-4", NOW);
    let matched: Vec<&str> = found.iter().map(|f| f.matched.as_str()).collect();
    assert!(
        matched.contains(&"AT4") && matched.contains(&"9M111 Fagot"),
        "{matched:?}"
    );
    assert!(found.iter().all(|f| f.confidence < top("Fagot").confidence));
}

#[test]
fn designation_numbers_are_not_taken_for_headstamps() {
    // 81 is a Chinese factory code, but here it is part of "Type 81".
    let found = identify("Type 81", NOW);
    assert_eq!(found[0].matched, "Type 81");
    let headstamp = found.iter().find(|f| f.kind == Kind::Headstamp);
    assert!(headstamp.is_none_or(|h| h.confidence < 0.3), "{found:#?}");
}

#[test]
fn unknown_markings_identify_nothing() {
    for marking in ["", "   ", "XYZ 99", "hello world", "82", "* * *", "7.62x39"] {
        assert!(identify(marking, NOW).is_empty(), "{marking:?}");
    }
}

#[test]
fn tokens_keep_calibres_and_split_codes_from_years() {
    let shapes = |m: &str| -> Vec<(String, Shape)> {
        tokens(m).into_iter().map(|t| (t.text, t.shape)).collect()
    };
    assert_eq!(
        shapes("PPU 7.62 x 39"),
        [
            ("PPU".into(), Shape::Word),
            ("7.62x39".into(), Shape::Calibre)
        ]
    );
    assert_eq!(
        shapes("*539*82."),
        [("539".into(), Shape::Number), ("82".into(), Shape::Number)]
    );
    assert_eq!(shapes("LC05")[0], ("LC".into(), Shape::Word));
    assert_eq!(shapes(".50 BMG")[0], (".50".into(), Shape::Calibre));
    let spans: Vec<_> = tokens("* LC05 / 7.62 x 51.")
        .into_iter()
        .map(|t| t.span)
        .collect();
    assert_eq!(spans, [2..4, 4..6, 9..18]);
    assert_eq!(top("rusty ak-47, no stock").found, "ak-47");
    assert_eq!(shapes("7.62×54R")[0], ("7.62×54R".into(), Shape::Calibre));
    assert_eq!(shapes("ABC05").len(), 1, "not a known code, not split");
}

fn item(pairs: &[(&str, &'static str)]) -> Item {
    let mut raw = RawItem::default();
    raw.values[0] = "T-1";
    for (field, value) in pairs {
        let i = crate::item::ITEM_FIELDS
            .iter()
            .position(|f| f == field)
            .unwrap();
        raw.values[i] = value;
    }
    Item::parse(&raw).expect("test item is valid")
}

#[test]
fn suggestions_come_from_clear_readings_only() {
    let s = suggestion_for(Some("539 82"), None, NOW).expect("clear headstamp");
    assert_eq!(s.manufacturer.as_deref(), Some("Tula Cartridge Works"));
    assert_eq!(s.country.unwrap().as_str(), "SU");
    assert_eq!(s.year, Some(1982));
    assert_eq!(s.read_from, "markings");
    assert!(!s.basis.source.is_empty());

    assert!(suggestion_for(Some("3"), None, NOW).is_none(), "too weak");
    assert!(
        suggestion_for(Some("17 60"), None, NOW).is_none(),
        "ambiguous"
    );
    assert!(suggestion_for(None, None, NOW).is_none());

    let s = suggestion_for(None, Some("Type 56"), NOW).expect("single-source model");
    assert_eq!(s.country.unwrap().as_str(), "CN");
    assert_eq!(s.read_from, "model");
    // Widely copied designs say nothing about where a weapon was made.
    assert!(suggestion_for(None, Some("AK-47"), NOW).is_none());
    // Two clear readings that disagree: no suggestion.
    assert!(suggestion_for(Some("539 82"), Some("Type 56"), NOW).is_none());
}

#[test]
fn item_suggestions_fill_gaps_and_never_overwrite() {
    let empty = item(&[("category", "ammunition"), ("markings", "539 82")]);
    let s = suggestion_for_item(&empty, NOW).unwrap();
    assert_eq!(s.manufacturer.as_deref(), Some("Tula Cartridge Works"));
    assert_eq!(s.country.unwrap().as_str(), "SU");
    assert_eq!(s.year, Some(1982));

    let partly = item(&[
        ("category", "ammunition"),
        ("markings", "539 82"),
        ("manufacturer", "Tula"),
        ("country_of_manufacture", "China"),
    ]);
    let s = suggestion_for_item(&partly, NOW).unwrap();
    assert_eq!(s.manufacturer, None, "the user's manufacturer stands");
    assert_eq!(s.country, None, "the user's country stands");
    assert_eq!(s.year, Some(1982));
    assert_eq!(s.disagreements.len(), 1, "{:?}", s.disagreements);
    assert!(s.disagreements[0].contains("CN"));

    let full = item(&[
        ("category", "ammunition"),
        ("markings", "539 82"),
        ("manufacturer", "Tula Cartridge Works"),
        ("country_of_manufacture", "SU"),
        ("year_of_manufacture", "1982"),
    ]);
    assert_eq!(suggestion_for_item(&full, NOW), None);

    // A weapon's markings are not read as a headstamp, and its model counts.
    let weapon = item(&[
        ("category", "weapon"),
        ("markings", "539 82"),
        ("model", "Type 81"),
    ]);
    let s = suggestion_for_item(&weapon, NOW).unwrap();
    assert_eq!(s.country.unwrap().as_str(), "CN");
    assert_eq!(s.basis.kind, Kind::Model);
}

#[test]
fn identifications_serialise() {
    let json = serde_json::to_value(top("539 82")).unwrap();
    assert_eq!(json["kind"], "headstamp");
    assert_eq!(json["country"], "SU");
    assert_eq!(json["year"], 1982);
    let json = serde_json::to_value(top("9M133 Kornet")).unwrap();
    assert_eq!(json["kind"], "model");
    assert_eq!(json["category"], "atgm");
}

proptest::proptest! {
    #[test]
    fn any_text_reads_safely(marking in "\\PC{0,40}", year in 1950i16..2100) {
        let found = identify(&marking, year);
        for pair in found.windows(2) {
            proptest::prop_assert!(pair[0].confidence >= pair[1].confidence);
        }
        for id in &found {
            proptest::prop_assert!((0.0..=MAX_CONFIDENCE).contains(&id.confidence));
            proptest::prop_assert!(id.year.is_none_or(|y| (1900..=year + 1).contains(&y)));
        }
        for t in tokens(&marking) {
            proptest::prop_assert_eq!(super::table::key(&marking[t.span.clone()]), t.key);
        }
    }

    #[test]
    fn headstamp_codes_with_any_year_read_back(
        row in 0..40usize,
        yy in 0u8..100,
        now in 2000i16..2090,
    ) {
        let entry = &headstamps()[row % headstamps().len()];
        let marking = format!("{} {yy:02}", entry.code);
        let expected = headstamp_year(&format!("{yy:02}"), now);
        let found = identify(&marking, now);
        proptest::prop_assert!(
            found.iter().any(|f| f.matched == entry.code && f.year == expected),
            "{} -> {:?}", marking, found
        );
    }
}
