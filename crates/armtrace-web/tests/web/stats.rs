//! `/api/stats` and `/api/diversions/summary`: the CLI's statistics over what each viewer
//! may see (totals included), parameter errors, and figures that follow a web import.
//! Skipped with a note while the routes are not in the OpenAPI document.

use serde_json::{Value, json};

use crate::api::bad_parameter;
use crate::register::{Level, Row};
use crate::routes;
use crate::support::{Site, Who, one_item_csv};

fn has(path: &str) -> bool {
    let present = routes::openapi_json()["paths"].get(path).is_some();
    if !present {
        println!("note: {path} is not in the OpenAPI document yet: not tested");
    }
    present
}

/// The items of the register a viewer may see.
fn visible(site: &Site, who: Who) -> impl Iterator<Item = &Row> {
    site.register.items.iter().filter(move |r| {
        let level = if r.reference() == site.register.level_ref(Level::Granted) {
            Level::Granted
        } else {
            match r.get("confidentiality") {
                "public" => Level::Public,
                "restricted" => Level::Restricted,
                _ => Level::Confidential,
            }
        };
        who.sees(level)
    })
}

fn groups(v: &Value, field: &str) -> Vec<(String, u64)> {
    v["groups"]
        .as_array()
        .expect("groups")
        .iter()
        .map(|g| {
            (
                g["key"][field].as_str().unwrap_or("null").to_owned(),
                g["count"].as_u64().expect("a count"),
            )
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn statistics_count_what_each_viewer_may_see() {
    if !has("/api/stats") {
        return;
    }
    let site = Site::new().await;
    for who in Who::ALL {
        let v = site
            .get(who, "/api/stats?by=category")
            .await
            .expect(200)
            .json();
        let rows: Vec<&Row> = visible(&site, who).collect();
        assert_eq!(v["total"], rows.len() as u64, "{}: {v}", who.label());
        let mut expected: Vec<(String, u64)> = Vec::new();
        for category in ["weapon", "ammunition", "ied_component"] {
            let n = rows
                .iter()
                .filter(|r| r.get("category") == category)
                .count() as u64;
            if n > 0 {
                expected.push((category.to_owned(), n));
            }
        }
        expected.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        assert_eq!(groups(&v, "category"), expected, "{}: {v}", who.label());
        let shares: f64 = v["groups"]
            .as_array()
            .unwrap()
            .iter()
            .map(|g| g["share"].as_f64().unwrap())
            .sum();
        assert!((shares - 1.0).abs() < 1e-9, "shares add up to 1: {v}");

        // Weighted by quantity (a blank quantity is one piece).
        let pieces: u64 = rows
            .iter()
            .map(|r| r.get("quantity").parse::<u64>().unwrap_or(1))
            .sum();
        let v = site
            .get(who, "/api/stats?by=category&weight=quantity")
            .await
            .expect(200)
            .json();
        assert_eq!(v["total"], pieces, "{}: {v}", who.label());
    }

    // A cross-tab with a filter.
    let v = site
        .get(
            Who::Admin,
            "/api/stats?by=recovered_country&by=category&where=model=AKM",
        )
        .await
        .expect(200)
        .json();
    assert_eq!(v["total"], 7, "the run: {v}");
    let iq = v["groups"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["key"] == json!({"recovered_country": "IQ", "category": "weapon"}))
        .unwrap_or_else(|| panic!("an IQ × weapon group: {v}"));
    assert_eq!(iq["count"], 2, "TP-02 and TP-04: {v}");

    // `notes` cannot be grouped by at all; `documented_by` is never public, so for the
    // public it is null, as in item lists: one null group, and a filter on a name
    // matches nothing.
    bad_parameter(
        site.get(Who::Anonymous, "/api/stats?by=notes").await,
        "notes",
        None,
    );
    let public_total = site
        .get(Who::Anonymous, "/api/stats?by=category")
        .await
        .expect(200)
        .json()["total"]
        .clone();
    let v = site
        .get(Who::Anonymous, "/api/stats?by=documented_by")
        .await
        .expect(200)
        .json();
    assert_eq!(v["total"], public_total, "{v}");
    assert_eq!(
        v["groups"],
        json!([{"key": {"documented_by": null}, "count": public_total, "share": 1.0}]),
        "{v}"
    );
    let v = site
        .get(
            Who::Anonymous,
            "/api/stats?by=category&where=documented_by=someone",
        )
        .await
        .expect(200)
        .json();
    assert_eq!(v, json!({"total": 0, "groups": []}));
    site.get(Who::Viewer, "/api/stats?by=documented_by")
        .await
        .expect(200);

    bad_parameter(site.get(Who::Anonymous, "/api/stats").await, "by", None);
    bad_parameter(
        site.get(Who::Anonymous, "/api/stats?by=colour").await,
        "colour",
        None,
    );
    bad_parameter(
        site.get(Who::Anonymous, "/api/stats?by=category&weight=volume")
            .await,
        "volume",
        None,
    );
    bad_parameter(
        site.get(
            Who::Anonymous,
            "/api/stats?by=category&where=recovered_from_date%3D2016-03-02",
        )
        .await,
        "month",
        None,
    );

    // What the document forbids, the server refuses: `by` is unique and at most
    // MAX_BY long (schemathesis's negative_data_rejection found this query answered 200).
    let most = armtrace_core::analytics::MAX_BY;
    let document = routes::openapi_json();
    let by = document["paths"]["/api/stats"]["get"]["parameters"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "by")
        .expect("a by parameter")["schema"]
        .clone();
    assert_eq!(by["uniqueItems"], true, "{by}");
    assert_eq!(by["maxItems"], most, "{by}");
    for who in [Who::Anonymous, Who::Admin] {
        bad_parameter(
            site.get(
                who,
                "/api/stats?by=model&by=model&by=recovered_from&by=recovered_country&by=item_type&by=decade",
            )
            .await,
            "by",
            None,
        );
        bad_parameter(
            site.get(who, "/api/stats?by=model&by=model").await,
            "model",
            None,
        );
        bad_parameter(
            site.get(who, "/api/stats?by=model&by=category&by=decade&by=calibre")
                .await,
            "by",
            None,
        );
        site.get(who, "/api/stats?by=model&by=category&by=decade")
            .await
            .expect(200);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn statistics_follow_a_web_import() {
    if !has("/api/stats") {
        return;
    }
    let site = Site::new().await;
    let before = site
        .get(Who::Anonymous, "/api/stats?by=category")
        .await
        .expect(200)
        .json()["total"]
        .as_u64()
        .unwrap();
    site.upload(
        Who::Investigator,
        "/api/imports?wait=true",
        "items",
        &one_item_csv("TW-STATS"),
        false,
    )
    .await
    .expect(200);
    let after = site
        .get(Who::Anonymous, "/api/stats?by=category")
        .await
        .expect(200)
        .json();
    assert_eq!(
        after["total"],
        before + 1,
        "the new public item is counted: {after}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_diversion_summary_is_over_visible_items_and_transfers() {
    if !has("/api/diversions/summary") {
        return;
    }
    let site = Site::new().await;
    let v = site
        .get(Who::Admin, "/api/diversions/summary")
        .await
        .expect(200)
        .json();
    let overall = &v["overall"];
    assert_eq!(overall["count"], 7, "every member of the run: {v}");
    assert_eq!(overall["min"], 46, "TP-01, 46 days after delivery: {v}");
    let binned: u64 = v["histogram"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["count"].as_u64().unwrap())
        .sum();
    assert_eq!(binned, 7, "{v}");
    let v = site
        .get(Who::Viewer, "/api/diversions/summary")
        .await
        .expect(200)
        .json();
    assert_eq!(v["overall"]["count"], 6, "not the confidential member: {v}");
    let v = site
        .get(Who::Admin, "/api/diversions/summary?recovered_country=IQ")
        .await
        .expect(200)
        .json();
    assert_eq!(v["overall"]["count"], 2, "{v}");
    bad_parameter(
        site.get(Who::Admin, "/api/diversions/summary?category=tank")
            .await,
        "category",
        Some("tank"),
    );
}
