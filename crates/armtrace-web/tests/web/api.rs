//! The API's system routes, items and exports, and what every answer shares: statuses
//! and JSON shapes on good input, the error on bad input (400 with `{"error", "status"}`
//! naming the parameter, 404 for unknown refs), security headers, and accounts taking
//! effect at once. Search is in `search.rs`; links, custody, diversions, the map and
//! transfers in `chain.rs`; imports in `imports.rs`; trace requests in `trace.rs`.

use std::collections::BTreeSet;

use armtrace_core::ITEM_FIELDS;
use serde_json::Value;

use crate::register::{Level, run_serial};
use crate::routes;
use crate::support::{Site, Who};

/// Asserts a 400 whose message names `parameter` (and the value sent, when given).
#[track_caller]
pub fn bad_parameter(reply: crate::support::Reply, parameter: &str, value: Option<&str>) {
    let reply = reply.expect(400);
    let message = reply.error();
    assert!(
        message.contains(parameter),
        "the error names the parameter {parameter}: {message}"
    );
    if let Some(v) = value {
        assert!(
            message.contains(v),
            "the error names the value {v:?}: {message}"
        );
    }
}

pub fn refs(items: &Value) -> Vec<String> {
    items
        .as_array()
        .expect("a list")
        .iter()
        .map(|i| i["ref"].as_str().expect("a ref").to_owned())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn healthz_is_503_while_loading_and_200_once_loaded() {
    let site = Site::unloaded().await;
    let loading = site
        .get(Who::Anonymous, "/healthz")
        .await
        .expect(503)
        .json();
    assert_eq!(loading["status"], "loading");
    site.state
        .register
        .refresh()
        .await
        .expect("the register loads");
    let ready = site
        .get(Who::Anonymous, "/healthz")
        .await
        .expect(200)
        .json();
    assert_eq!(ready["status"], "ok");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn openapi_json_is_the_document_and_lists_every_route() {
    let site = Site::new().await;
    let served = site
        .get(Who::Anonymous, "/api/openapi.json")
        .await
        .expect(200);
    assert!(
        served.content_type().starts_with("application/json"),
        "{}",
        served.describe()
    );
    let doc = served.json();
    assert_eq!(
        doc,
        routes::openapi_json(),
        "the served document is the generated one"
    );
    assert!(doc["openapi"].as_str().is_some_and(|v| v.starts_with("3.")));
    let listed: BTreeSet<String> = routes::api_routes().iter().map(|r| r.label()).collect();
    for route in [
        "GET /healthz",
        "GET /api/me",
        "GET /api/identify",
        "GET /api/items",
        "GET /api/export/items",
        "GET /api/items/{ref}",
        "GET /api/search",
        "GET /api/items/{ref}/links",
        "GET /api/links",
        "GET /api/items/{ref}/custody",
        "GET /api/diversions",
        "GET /api/map/points",
        "GET /api/transfers",
        "GET /api/transfers/{ref}",
        "GET /api/trace",
        "POST /api/trace",
        "GET /api/trace/{ref}",
        "POST /api/trace/{ref}/{action}",
        "POST /api/imports",
        "GET /api/imports",
        "GET /api/imports/{id}",
        "GET /api/imports/{id}/events",
        "GET /api/items/{ref}/evidence",
        "POST /api/items/{ref}/evidence",
        "GET /api/items/{ref}/evidence/{sha256}",
        "GET /api/items/{ref}/evidence/{sha256}/thumbnail",
        "GET /api/audit",
        "GET /api/audit/verify",
    ] {
        assert!(
            listed.contains(route),
            "the document lists {route}: {listed:?}"
        );
    }
    // Every documented operation is served: none falls through to the not-found page.
    for route in routes::api_routes() {
        let uri = route.fill(|p| match p {
            routes::Param::ItemRef => "TP-01".into(),
            routes::Param::TransferRef => site.register.transfer_ref().into(),
            routes::Param::TraceRef => site.traces.values().next().expect("a trace").clone(),
            routes::Param::ImportId => site.import_id.clone(),
            routes::Param::TraceAction => "acknowledge".into(),
            routes::Param::EvidenceSha => site.evidence[&Level::Public].sha256.clone(),
        });
        let call = crate::support::Call::new(route.method.clone(), uri, site.cred(Who::Admin));
        let reply = site.send(call).await;
        assert!(
            !reply.is_html(),
            "{} is documented but answered by the not-found page: {}",
            route.label(),
            reply.describe()
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn me_says_who_is_asking() {
    let site = Site::new().await;
    let anonymous = site.get(Who::Anonymous, "/api/me").await.expect(200).json();
    assert_eq!(anonymous["name"], Value::Null);
    assert_eq!(anonymous["role"], Value::Null);
    assert_eq!(anonymous["sees"], serde_json::json!(["public"]));
    let viewer = site
        .get(Who::GrantedViewer, "/api/me")
        .await
        .expect(200)
        .json();
    assert_eq!(viewer["name"], "granted-viewer");
    assert_eq!(viewer["role"], "viewer");
    assert_eq!(viewer["sees"], serde_json::json!(["public", "restricted"]));
    assert_eq!(viewer["granted_items"], 1);
    let admin = site.get(Who::Admin, "/api/me").await.expect(200).json();
    assert_eq!(
        admin["sees"],
        serde_json::json!(["public", "restricted", "confidential"])
    );

    let bad = site
        .send(crate::support::Call::new(
            axum::http::Method::GET,
            "/api/me",
            crate::support::Cred::Bearer("armtrace_not-a-real-token"),
        ))
        .await
        .expect(401);
    assert!(bad.error().contains("token"), "{}", bad.describe());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn identify_reads_markings_and_names_bad_parameters() {
    let site = Site::new().await;
    let v = site
        .get(Who::Anonymous, "/api/identify?marking=539%2082&year=2024")
        .await
        .expect(200)
        .json();
    assert_eq!(v["marking"], "539 82");
    let found = v["identifications"].as_array().expect("a list");
    assert!(!found.is_empty(), "the headstamp 539 82 is identified: {v}");
    bad_parameter(
        site.get(Who::Anonymous, "/api/identify").await,
        "marking",
        None,
    );
    bad_parameter(
        site.get(Who::Anonymous, "/api/identify?marking=539&year=soon")
            .await,
        "year",
        Some("soon"),
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn items_pages_count_what_the_viewer_may_see() {
    let site = Site::new().await;
    let all = site.register.items.len() as u64;
    let public = site.register.public().count() as u64;
    let restricted = site
        .register
        .items
        .iter()
        .filter(|r| r.get("confidentiality") == "restricted")
        .count() as u64;

    let page = site.get(Who::Admin, "/api/items").await.expect(200).json();
    assert_eq!(page["total"], all);
    assert_eq!(page["limit"], 50);
    assert_eq!(page["offset"], 0);
    let listed = refs(&page["items"]);
    let mut sorted = listed.clone();
    sorted.sort();
    assert_eq!(listed, sorted, "items come in ref order");
    let first = page["items"][0].as_object().expect("an item");
    for field in ITEM_FIELDS
        .iter()
        .chain(&["revision", "created_at", "updated_at"])
    {
        assert!(first.contains_key(*field), "items carry {field}: {first:?}");
    }

    let page = site
        .get(Who::Anonymous, "/api/items")
        .await
        .expect(200)
        .json();
    assert_eq!(page["total"], public);
    assert!(
        page["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|i| i["confidentiality"] == "public")
    );
    assert!(
        page["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|i| i["notes"].is_null() && i["documented_by"].is_null()),
        "notes and documented_by are never public: {page}"
    );
    let page = site.get(Who::Viewer, "/api/items").await.expect(200).json();
    assert_eq!(page["total"], public + restricted);

    let page = site
        .get(Who::Admin, "/api/items?limit=2&offset=1")
        .await
        .expect(200)
        .json();
    assert_eq!(page["total"], all);
    assert_eq!(refs(&page["items"]), sorted[1..3].to_vec());
    let page = site
        .get(Who::Admin, "/api/items?limit=0")
        .await
        .expect(200)
        .json();
    assert_eq!(page["total"], all);
    assert_eq!(page["items"], serde_json::json!([]));

    let page = site
        .get(
            Who::Admin,
            "/api/items?category=ammunition&model=m43&recovered_country=Iraq",
        )
        .await
        .expect(200)
        .json();
    assert_eq!(
        page["total"], 5,
        "three public and two hidden cartridges of the lot: {page}"
    );
    let page = site
        .get(
            Who::Admin,
            "/api/items?recovered_from_date=2016-03-02&recovered_to_date=2016-03",
        )
        .await
        .expect(200)
        .json();
    assert_eq!(refs(&page["items"]), ["TP-02", "TP-03", "TP-04", "TP-05"]);
    let page = site
        .get(Who::Anonymous, "/api/items?confidentiality=restricted")
        .await
        .expect(200)
        .json();
    assert_eq!(page["total"], 0);

    for (query, parameter, value) in [
        ("limit=abc", "limit", "abc"),
        ("limit=10001", "limit", "10001"),
        ("offset=-1", "offset", "-1"),
        ("category=spaceship", "category", "spaceship"),
        ("recovered_country=Narnia", "recovered_country", "Narnia"),
        (
            "country_of_manufacture=XX1",
            "country_of_manufacture",
            "XX1",
        ),
        ("confidentiality=secret", "confidentiality", "secret"),
        (
            "recovered_from_date=2016-13",
            "recovered_from_date",
            "2016-13",
        ),
        (
            "recovered_to_date=yesterday",
            "recovered_to_date",
            "yesterday",
        ),
        (
            "offset=99999999999999999999",
            "offset",
            "99999999999999999999",
        ),
    ] {
        bad_parameter(
            site.get(Who::Admin, &format!("/api/items?{query}")).await,
            parameter,
            Some(value),
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_item_with_its_history_or_404() {
    let site = Site::new().await;
    let v = site
        .get(Who::Admin, "/api/items/TP-01")
        .await
        .expect(200)
        .json();
    assert_eq!(v["item"]["ref"], "TP-01");
    assert_eq!(v["item"]["serial_number"], run_serial(1));
    assert_eq!(v["item"]["revision"], 1);
    assert!(
        v["item"]["notes"]
            .as_str()
            .is_some_and(|n| n.contains("SYNTHETIC"))
    );
    assert!(v["revisions"].is_array(), "{v}");
    assert!(v.as_object().unwrap().contains_key("identification"), "{v}");

    let v = site
        .get(Who::Anonymous, "/api/items/TP-01")
        .await
        .expect(200)
        .json();
    assert!(
        v["item"]["notes"].is_null() && v["item"]["documented_by"].is_null(),
        "{v}"
    );
    assert_eq!(v["revisions"], serde_json::json!([]));

    let missing = site
        .get(Who::Admin, "/api/items/NO-SUCH-REF")
        .await
        .expect(404);
    assert!(
        missing.error().contains("NO-SUCH-REF"),
        "{}",
        missing.describe()
    );
    // A ref with characters that need escaping is still just a ref.
    site.get(Who::Admin, "/api/items/NO%20SUCH%2FREF")
        .await
        .expect(404)
        .error();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn exports_in_every_format_and_the_csv_reimports_unchanged() {
    let site = Site::new().await;
    let all = site.register.items.len();
    let with_coordinates = site
        .register
        .items
        .iter()
        .filter(|r| !r.get("latitude").is_empty())
        .count();

    let csv = site
        .get(Who::Admin, "/api/export/items?format=csv")
        .await
        .expect(200);
    assert!(
        csv.content_type().starts_with("text/csv"),
        "{}",
        csv.describe()
    );
    assert!(
        csv.header("content-disposition")
            .is_some_and(|d| d.contains("attachment") && d.contains(".csv")),
        "{:?}",
        csv.headers
    );
    let text = csv.text();
    let mut lines = text.lines();
    assert_eq!(
        lines.next(),
        Some(ITEM_FIELDS.join(",").as_str()),
        "the canonical header"
    );
    assert_eq!(lines.count(), all);
    // The export is canonical: importing it back changes nothing.
    let report = site
        .upload(Who::Admin, "/api/imports?wait=true", "items", &text, true)
        .await
        .expect(200)
        .json();
    assert_eq!(report["report"]["unchanged"], all as u64, "{report}");
    assert_eq!(report["report"]["inserted"], 0, "{report}");

    let default = site.get(Who::Admin, "/api/export/items").await.expect(200);
    assert_eq!(default.text(), text, "CSV is the default format");

    let jsonl = site
        .get(Who::Admin, "/api/export/items?format=jsonl")
        .await
        .expect(200);
    assert!(
        jsonl.content_type().starts_with("application/x-ndjson"),
        "{}",
        jsonl.describe()
    );
    let rows: Vec<Value> = jsonl
        .text()
        .lines()
        .map(|l| serde_json::from_str(l).expect("each line is JSON"))
        .collect();
    assert_eq!(rows.len(), all);

    let geo = site
        .get(Who::Admin, "/api/export/items?format=geojson")
        .await
        .expect(200)
        .json();
    assert_eq!(geo["type"], "FeatureCollection");
    assert_eq!(geo["features"].as_array().unwrap().len(), with_coordinates);

    let ammunition = site
        .get(
            Who::Anonymous,
            "/api/export/items?format=jsonl&category=ammunition",
        )
        .await
        .expect(200)
        .text();
    assert_eq!(
        ammunition.lines().count(),
        3,
        "the three public cartridges: {ammunition}"
    );

    bad_parameter(
        site.get(Who::Admin, "/api/export/items?format=xml").await,
        "format",
        Some("xml"),
    );
    bad_parameter(
        site.get(
            Who::Admin,
            "/api/export/items?format=csv&category=spaceship",
        )
        .await,
        "category",
        Some("spaceship"),
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_repeated_query_parameter_is_named() {
    let site = Site::new().await;
    bad_parameter(
        site.get(Who::Anonymous, "/api/items?limit=1&limit=2").await,
        "limit",
        None,
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unknown_api_paths_answer_a_json_404() {
    let site = Site::new().await;
    let reply = site.get(Who::Anonymous, "/api/itemz").await.expect(404);
    assert!(
        reply.content_type().starts_with("application/json"),
        "an API client gets a JSON error, not the not-found page: {}",
        reply.describe()
    );
    reply.error();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_answer_carries_the_security_headers() {
    let site = Site::new().await;
    for (who, uri) in [
        (Who::Anonymous, "/api/items"),
        (Who::Anonymous, "/api/items/NO-SUCH-REF"),
        (Who::Anonymous, "/api/transfers"),
        (Who::Viewer, "/api/imports"),
        (Who::Anonymous, "/api/search"),
        (Who::Anonymous, "/no/such/page"),
        (Who::Anonymous, "/assets/css/app.css"),
        (Who::Anonymous, "/api/export/items?format=csv"),
    ] {
        let reply = site.get(who, uri).await;
        assert_eq!(
            reply.header("x-content-type-options"),
            Some("nosniff"),
            "{}",
            reply.describe()
        );
        assert_eq!(
            reply.header("x-frame-options"),
            Some("DENY"),
            "{}",
            reply.describe()
        );
        assert_eq!(
            reply.header("referrer-policy"),
            Some("same-origin"),
            "{}",
            reply.describe()
        );
        let csp = reply.header("content-security-policy").unwrap_or("");
        assert!(
            csp.contains("default-src 'self'") && csp.contains("frame-ancestors 'none'"),
            "{}: {csp}",
            reply.describe()
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refs_with_spaces_and_slashes_are_found() {
    let site = Site::new().await;
    let csv = crate::support::one_item_csv("TW 1/2");
    site.upload(Who::Admin, "/api/imports?wait=true", "items", &csv, false)
        .await
        .expect(200);
    let v = site
        .get(Who::Anonymous, "/api/items/TW%201%2F2")
        .await
        .expect(200)
        .json();
    assert_eq!(v["item"]["ref"], "TW 1/2");
    site.get(Who::Anonymous, "/api/items/TW%201%2F2/links")
        .await
        .expect(200);
    site.get(Who::Anonymous, "/api/items/TW%201%2F2/custody")
        .await
        .expect(200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn revoked_disabled_and_changed_accounts_take_effect_at_once() {
    let site = Site::new().await;
    let restricted = format!(
        "/api/items/{}",
        site.register.level_ref(crate::register::Level::Restricted)
    );
    site.get(Who::Viewer, &restricted).await.expect(200);
    site.get(Who::Viewer, "/api/imports").await.expect(403);
    site.store
        .set_user_role(
            Who::Viewer.name(),
            armtrace_core::Role::Investigator,
            "test",
        )
        .await
        .expect("the role changes");
    site.get(Who::Viewer, "/api/imports").await.expect(200);

    let granted = format!(
        "/api/items/{}",
        site.register.level_ref(crate::register::Level::Granted)
    );
    site.get(Who::GrantedViewer, &granted).await.expect(200);
    site.store
        .revoke_item(
            Who::GrantedViewer.name(),
            site.register.level_ref(crate::register::Level::Granted),
            "test",
        )
        .await
        .expect("the grant is withdrawn");
    site.get(Who::GrantedViewer, &granted).await.expect(404);

    site.store
        .set_user_disabled(Who::Analyst.name(), true, "test")
        .await
        .expect("the user is disabled");
    let refused = site.get(Who::Analyst, "/api/items").await.expect(401);
    assert!(refused.error().contains("token"), "{}", refused.describe());

    let tokens = site
        .store
        .tokens(Some(Who::Admin.name()))
        .await
        .expect("tokens");
    site.store
        .revoke_token(tokens[0].id, "test")
        .await
        .expect("the token is revoked");
    site.get(Who::Admin, "/api/me").await.expect(401).error();
    let malformed = site
        .send(
            crate::support::Call::new(
                axum::http::Method::GET,
                "/api/me",
                crate::support::Cred::Anonymous,
            )
            .header("authorization", "Basic YWRtaW46YWRtaW4="),
        )
        .await
        .expect(401);
    assert!(
        malformed.error().contains("Bearer"),
        "{}",
        malformed.describe()
    );
}

/// No value in the register can hold a NUL (PostgreSQL text cannot): a URL or a body
/// with one is refused as bad input on either backend, never a server error.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nul_characters_are_bad_input_not_server_errors() {
    let site = Site::new().await;
    for uri in [
        "/api/links?model=a%00b",
        "/api/items/TP%0001",
        "/api/items?manufacturer=%00",
        "/api/export/items?format=csv&manufacturer=%00",
    ] {
        let reply = site.get(Who::Admin, uri).await.expect(400);
        assert!(reply.error().contains("NUL"), "{}", reply.describe());
    }
    let reply = site
        .post_json(
            Who::Admin,
            "/api/trace",
            &serde_json::json!({"ref": "TP-01\u{0}", "to": "Factory"}),
        )
        .await
        .expect(400);
    assert!(
        reply.error().contains("control characters"),
        "{}",
        reply.describe()
    );
    let reply = site
        .post_json(
            Who::Admin,
            "/api/trace",
            &serde_json::json!({"ref": "TP-01", "to": "Fac\u{0}tory"}),
        )
        .await
        .expect(400);
    assert!(reply.error().contains("field to"), "{}", reply.describe());
}
