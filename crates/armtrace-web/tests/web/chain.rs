//! Supply-chain routes and transfers: links (per item and over the register), custody,
//! diversions, map points and `/api/transfers`, over what each viewer may see.

use crate::api::bad_parameter;
use crate::register::{LOT, RUN_MODEL, run_serial};
use crate::support::{Site, Who};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn links_show_runs_and_lots_with_their_members() {
    let site = Site::new().await;
    let v = site
        .get(Who::Admin, "/api/items/TP-01/links")
        .await
        .expect(200)
        .json();
    assert_eq!(v["ref"], "TP-01");
    let run = &v["runs"][0];
    assert_eq!(run["count"], 7, "{v}");
    assert_eq!(run["model"], RUN_MODEL);
    let members = run["members"].as_array().unwrap();
    assert_eq!(members.len(), 7);
    for key in [
        "ref",
        "serial_number",
        "recovered_on",
        "recovered_place",
        "recovered_country",
        "latitude",
        "longitude",
    ] {
        assert!(
            members[0].get(key).is_some(),
            "a member carries {key}: {}",
            members[0]
        );
    }
    assert_eq!(v["lots"], serde_json::json!([]));

    let v = site
        .get(Who::Anonymous, "/api/items/TP-01/links")
        .await
        .expect(200)
        .json();
    assert_eq!(v["runs"][0]["count"], 5);
    assert_eq!(v["runs"][0]["to"], run_serial(5));
    let v = site
        .get(Who::Anonymous, "/api/items/TP-06/links")
        .await
        .expect(200)
        .json();
    assert_eq!(v["lots"][0]["count"], 3, "{v}");
    let v = site
        .get(Who::Viewer, "/api/items/TP-06/links")
        .await
        .expect(200)
        .json();
    assert_eq!(v["lots"][0]["count"], 4, "{v}");
    site.get(Who::Admin, "/api/items/NO-SUCH-REF/links")
        .await
        .expect(404)
        .error();

    let v = site.get(Who::Admin, "/api/links").await.expect(200).json();
    assert_eq!(v["runs"].as_array().unwrap().len(), 1, "{v}");
    assert_eq!(v["runs"][0]["count"], 7);
    let lots = v["lots"].as_array().unwrap();
    assert_eq!(lots.len(), 1, "{v}");
    assert_eq!(lots[0]["count"], 5);
    assert!(
        lots[0]["lot"]
            .as_str()
            .is_some_and(|l| l.replace('-', "") == LOT.replace('-', "")),
        "{v}"
    );
    let v = site
        .get(Who::Anonymous, "/api/links?gap=1")
        .await
        .expect(200)
        .json();
    assert_eq!(v["runs"][0]["count"], 5);
    let v = site
        .get(Who::Admin, "/api/links?category=ammunition")
        .await
        .expect(200)
        .json();
    assert_eq!(v["runs"], serde_json::json!([]));
    bad_parameter(
        site.get(Who::Admin, "/api/links?gap=wide").await,
        "gap",
        Some("wide"),
    );
    bad_parameter(
        site.get(Who::Admin, "/api/links?gap=2000000").await,
        "gap",
        Some("2000000"),
    );
    bad_parameter(
        site.get(Who::Admin, "/api/links?category=tank").await,
        "category",
        Some("tank"),
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn custody_and_diversions_use_transfers_only_when_signed_in() {
    let site = Site::new().await;
    let transfer = site.register.transfer_ref();
    let v = site
        .get(Who::Viewer, "/api/items/TP-01/custody")
        .await
        .expect(200)
        .json();
    assert_eq!(v["ref"], "TP-01", "{v}");
    assert_eq!(v["steps"][0]["transfer"]["transfer_ref"], transfer, "{v}");
    assert_eq!(
        v["diversion"]["days"], 46,
        "delivered 2016-01-15, recovered 2016-03-01: {v}"
    );
    assert!(
        v["manufacture"].is_object() && v["recovery"].is_object(),
        "{v}"
    );

    let v = site
        .get(Who::Anonymous, "/api/items/TP-01/custody")
        .await
        .expect(200)
        .json();
    assert_eq!(
        v["steps"],
        serde_json::json!([]),
        "transfers are never public: {v}"
    );
    assert!(v["diversion"].is_null(), "{v}");
    site.get(Who::Admin, "/api/items/NO-SUCH-REF/custody")
        .await
        .expect(404)
        .error();

    let v = site
        .get(Who::Admin, "/api/diversions")
        .await
        .expect(200)
        .json();
    let items = v["items"].as_array().unwrap();
    assert_eq!(
        items.len(),
        7,
        "every member of the run, public or not: {v}"
    );
    assert_eq!(items[0]["ref"], "TP-01");
    assert_eq!(items[0]["days"], 46);
    assert_eq!(items[0]["transfer_ref"], transfer);
    let days: Vec<i64> = items.iter().map(|i| i["days"].as_i64().unwrap()).collect();
    assert!(
        days.windows(2).all(|w| w[0] <= w[1]),
        "fastest first: {days:?}"
    );
    let v = site
        .get(Who::Viewer, "/api/diversions")
        .await
        .expect(200)
        .json();
    assert_eq!(
        v["items"].as_array().unwrap().len(),
        6,
        "not the confidential member: {v}"
    );
    let v = site
        .get(Who::Anonymous, "/api/diversions")
        .await
        .expect(200)
        .json();
    assert_eq!(v["items"], serde_json::json!([]));
    let v = site
        .get(Who::Admin, "/api/diversions?recovered_country=IQ")
        .await
        .expect(200)
        .json();
    assert_eq!(
        v["items"].as_array().unwrap().len(),
        2,
        "TP-02 and TP-04: {v}"
    );
    bad_parameter(
        site.get(Who::Admin, "/api/diversions?recovered_country=Mars")
            .await,
        "recovered_country",
        Some("Mars"),
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn map_points_are_geojson_with_a_total() {
    let site = Site::new().await;
    let coordinates = |public_only: bool| {
        site.register
            .items
            .iter()
            .filter(|r| !r.get("latitude").is_empty() && (!public_only || r.is_public()))
            .count() as u64
    };
    let v = site
        .get(Who::Admin, "/api/map/points")
        .await
        .expect(200)
        .json();
    assert_eq!(v["type"], "FeatureCollection");
    assert_eq!(v["total"], coordinates(false));
    assert_eq!(v["truncated"], false);
    let feature = &v["features"][0];
    assert_eq!(feature["geometry"]["type"], "Point");
    assert_eq!(
        feature["geometry"]["coordinates"],
        serde_json::json!([37.1, 36.1]),
        "[lon, lat] of TP-01"
    );
    for key in [
        "ref",
        "category",
        "model",
        "serial_number",
        "recovered_on",
        "recovered_place",
        "recovered_country",
    ] {
        assert!(
            feature["properties"].get(key).is_some(),
            "a point carries {key}: {feature}"
        );
    }
    let v = site
        .get(Who::Anonymous, "/api/map/points")
        .await
        .expect(200)
        .json();
    assert_eq!(v["total"], coordinates(true));
    assert_eq!(
        v["features"].as_array().unwrap().len() as u64,
        coordinates(true)
    );
    let v = site
        .get(Who::Admin, "/api/map/points?limit=2")
        .await
        .expect(200)
        .json();
    assert_eq!(v["features"].as_array().unwrap().len(), 2);
    assert_eq!(v["total"], coordinates(false));
    assert_eq!(v["truncated"], true);
    let v = site
        .get(Who::Anonymous, "/api/map/points?category=ammunition")
        .await
        .expect(200)
        .json();
    assert_eq!(v["total"], 2, "TP-08 has no coordinates: {v}");
    bad_parameter(
        site.get(Who::Admin, "/api/map/points?limit=lots").await,
        "limit",
        Some("lots"),
    );
    bad_parameter(
        site.get(Who::Admin, "/api/map/points?limit=100001").await,
        "limit",
        Some("100001"),
    );
    bad_parameter(
        site.get(Who::Admin, "/api/map/points?category=tank").await,
        "category",
        Some("tank"),
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn transfers_for_signed_in_users() {
    let site = Site::new().await;
    let reference = site.register.transfer_ref().to_owned();
    let v = site
        .get(Who::Viewer, "/api/transfers")
        .await
        .expect(200)
        .json();
    assert_eq!(v["total"], 1);
    assert_eq!(v["limit"], 100);
    assert_eq!(v["transfers"][0]["transfer_ref"], reference.as_str());
    let supplier = site.register.transfers[0][1].to_lowercase();
    let v = site
        .get(Who::Viewer, &format!("/api/transfers?q={supplier}"))
        .await
        .expect(200)
        .json();
    assert_eq!(
        v["total"], 1,
        "q matches the supplier, case-insensitively: {v}"
    );
    let v = site
        .get(Who::Viewer, "/api/transfers?q=nobody-at-all")
        .await
        .expect(200)
        .json();
    assert_eq!(v["total"], 0);
    assert_eq!(v["transfers"], serde_json::json!([]));
    let v = site
        .get(Who::Viewer, "/api/transfers?offset=1")
        .await
        .expect(200)
        .json();
    assert_eq!(v["total"], 1);
    assert_eq!(v["transfers"], serde_json::json!([]));
    bad_parameter(
        site.get(Who::Viewer, "/api/transfers?limit=x").await,
        "limit",
        Some("x"),
    );
    bad_parameter(
        site.get(Who::Viewer, "/api/transfers?offset=-2").await,
        "offset",
        Some("-2"),
    );

    let v = site
        .get(Who::Viewer, &format!("/api/transfers/{reference}"))
        .await
        .expect(200)
        .json();
    assert_eq!(v["transfer_ref"], reference.as_str());
    assert_eq!(v["serial_from"], run_serial(1));
    let missing = site
        .get(Who::Viewer, "/api/transfers/NO-SUCH-TRANSFER")
        .await
        .expect(404);
    assert!(missing.error().contains("NO-SUCH-TRANSFER"));
    site.get(Who::Anonymous, "/api/transfers")
        .await
        .expect(401)
        .error();
    site.get(Who::Anonymous, &format!("/api/transfers/{reference}"))
        .await
        .expect(401)
        .error();
}
