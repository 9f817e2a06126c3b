//! Ranking on a small invented register around an item recovered in Iraq in 2015.

use super::*;
use crate::item::{Category, Confidentiality};

fn item(model: Option<&str>, recovered_on: Option<&str>, country: Option<&str>) -> Item {
    Item {
        reference: "IQ-1".into(),
        category: Category::Weapon,
        item_type: None,
        model: model.map(str::to_owned),
        calibre: None,
        manufacturer: None,
        country_of_manufacture: None,
        year_of_manufacture: None,
        serial_number: None,
        lot_number: None,
        markings: None,
        quantity: None,
        recovered_on: recovered_on.map(|d| d.parse().unwrap()),
        recovered_country: country.map(|c| CountryCode::parse(c).unwrap()),
        recovered_place: None,
        latitude: None,
        longitude: None,
        recovered_from: None,
        documented_by: None,
        confidentiality: Confidentiality::Public,
        notes: None,
    }
}

fn transfer(r: &str, model: &str, recipient: &str, delivered: &str) -> Transfer {
    Transfer {
        transfer_ref: r.to_owned(),
        supplier: Some("Russia".to_owned()),
        supplier_country: CountryCode::parse("RU").ok(),
        recipient: Some(recipient.to_owned()),
        recipient_country: CountryCode::parse(recipient).ok(),
        model: Some(model.to_owned()),
        delivered_on: Some(delivered.parse().unwrap()),
        source: TransferSource::Sipri,
        confidence: Confidence::Medium,
        ..Transfer::default()
    }
}

fn refs(c: &Candidates) -> Vec<&str> {
    c.candidates
        .iter()
        .map(|c| c.transfer_ref.as_str())
        .collect()
}

#[test]
fn recovery_country_then_neighbours_then_the_rest() {
    let register = [
        transfer("INDIA", "9M113 Konkurs", "India", "2014"),
        transfer("SYRIA-OLD", "9M113 Konkurs", "Syria", "2005"),
        transfer("SYRIA", "9M113 Konkurs", "Syria", "2012"),
        transfer("IRAQ", "9M113", "Iraq", "2009"),
        transfer("IRAQ-LATE", "9M113", "Iraq", "2016"),
        transfer("FAGOT", "9M111 Fagot", "Iraq", "2010"),
        Transfer {
            estimates: vec!["quantity".to_owned()],
            confidence: Confidence::Low,
            ..transfer("SYRIA-LOW", "9M113", "Syria", "2012")
        },
    ];
    let c = supply_candidates(
        &item(Some("9M113"), Some("2015-03-02"), Some("IQ")),
        &register,
    )
    .unwrap();
    assert_eq!(
        refs(&c),
        ["IRAQ", "SYRIA-LOW", "SYRIA", "SYRIA-OLD", "INDIA"],
        "delivered after recovery and other weapons are not candidates; an exact match beats a designator match within a group"
    );
    let groups: Vec<RankGroup> = c.candidates.iter().map(|c| c.rank_group).collect();
    assert_eq!(
        groups,
        [
            RankGroup::RecoveryCountry,
            RankGroup::Neighbour,
            RankGroup::Neighbour,
            RankGroup::Neighbour,
            RankGroup::Elsewhere
        ]
    );
    assert_eq!(
        c.candidates[0].reasons,
        [
            "same designation 9M113",
            "delivered to Iraq (recovery country) in 2009, 6 years before recovery",
            "SIPRI register-level (a deal, not these items), medium confidence",
        ]
    );
    assert_eq!(
        c.candidates[1].reasons[1..],
        [
            "delivered to Syria, a neighbour of Iraq (recovery country) in 2012, 3 years before recovery",
            "SIPRI register-level (a deal, not these items), low confidence: estimated quantity",
        ]
    );
    assert_eq!(
        c.candidates[2].reasons[0],
        "designation 9M113 Konkurs shares the designator 9M113 with the item's 9M113"
    );
    assert!(
        c.candidates[4].reasons[1]
            .ends_with("; not Iraq (recovery country) or one of its neighbours"),
        "{}",
        c.candidates[4].reasons[1]
    );
}

#[test]
fn non_state_recipients_count_where_they_are_based_without_a_code() {
    let mut houthis = transfer("HOUTHI", "Qasef-1", "Houthi rebels (Yemen)*", "2016");
    houthis.recipient_country = None;
    let yemen = transfer("YEMEN", "Qasef-1", "Yemen", "2010");
    let c = supply_candidates(
        &item(Some("Qasef 1"), Some("2018"), Some("YE")),
        &[yemen, houthis],
    )
    .unwrap();
    assert_eq!(refs(&c), ["HOUTHI", "YEMEN"], "nearer in time first");
    assert_eq!(c.candidates[0].rank_group, RankGroup::RecoveryCountry);
    assert_eq!(c.candidates[0].recipient_country, None);
    assert_eq!(
        c.candidates[0].reasons[1],
        "delivered to Houthi rebels (Yemen)*, based in Yemen (recovery country) in 2016, 2 years before recovery"
    );
}

#[test]
fn deliveries_in_the_year_of_recovery_count_and_undated_ones_do_not() {
    let mut undated = transfer("UNDATED", "AK-47", "Iraq", "2015");
    undated.delivered_on = None;
    let register = [
        transfer("SAME-YEAR", "AK47", "Iraq", "2015"),
        transfer("AFTER-DAY", "AK47", "Iraq", "2015-06-01"),
        transfer("BEFORE-DAY", "AK47", "Iraq", "2015-02-01"),
        transfer("AK74", "AK-74", "Iraq", "2010"),
        undated,
    ];
    let c = supply_candidates(
        &item(Some("AK-47"), Some("2015-03-02"), Some("IQ")),
        &register,
    )
    .unwrap();
    assert_eq!(refs(&c), ["BEFORE-DAY", "SAME-YEAR"]);
    assert_eq!(
        c.candidates[1].reasons[1],
        "delivered to Iraq (recovery country) in 2015, the year of recovery"
    );
    // Without a recovery date or country nothing is excluded by time, and all is elsewhere.
    let c = supply_candidates(&item(Some("AK-47"), None, None), &register).unwrap();
    assert_eq!(c.candidates.len(), 3);
    assert!(
        c.candidates
            .iter()
            .all(|c| c.rank_group == RankGroup::Elsewhere)
    );
    assert!(c.candidates[0].reasons[1].contains("timing was not checked"));
}

#[test]
fn an_item_without_a_model_is_an_error_that_says_what_to_do() {
    let e = supply_candidates(&item(None, None, None), &[]).unwrap_err();
    assert!(e.to_string().contains("set its model"), "{e}");
}

#[test]
fn the_json_keys_are_the_contract() {
    let c = supply_candidates(
        &item(Some("9M113"), Some("2015"), Some("IQ")),
        &[transfer("IRAQ", "9M113", "Iraq", "2009")],
    )
    .unwrap();
    let json = serde_json::to_value(&c).unwrap();
    let keys = |v: &serde_json::Value| -> Vec<String> {
        let mut k: Vec<String> = v.as_object().unwrap().keys().cloned().collect();
        k.sort();
        k
    };
    assert_eq!(keys(&json), ["candidates", "item"]);
    assert_eq!(
        keys(&json["item"]),
        [
            "model",
            "recovered_country",
            "recovered_on",
            "recovered_place",
            "ref"
        ]
    );
    assert_eq!(
        keys(&json["candidates"][0]),
        [
            "confidence",
            "delivered",
            "designation",
            "quantity",
            "rank_group",
            "reasons",
            "recipient",
            "recipient_country",
            "source",
            "supplier",
            "supplier_country",
            "tiv",
            "transfer_ref"
        ]
    );
    assert_eq!(json["candidates"][0]["rank_group"], "recovery_country");
    assert_eq!(json["candidates"][0]["delivered"], "2009");
}
