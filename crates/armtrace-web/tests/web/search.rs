//! `/api/search`: the CLI's serial search semantics (ranking, folding, edits, wildcards,
//! `limit=0` for all), filtered by the viewer's clearance, and its parameter errors.

use crate::api::{bad_parameter, refs};
use crate::register::RUN_MODEL;
use crate::support::{Site, Who};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn search_has_the_cli_semantics() {
    let site = Site::new().await;
    // The exact serial first, then the rest of the run within two edits (nine characters).
    let v = site
        .get(Who::Admin, "/api/search?q=KX4000103")
        .await
        .expect(200)
        .json();
    assert_eq!(v["query"], "KX4000103");
    assert_eq!(v["normalised"], "KX4000103");
    assert_eq!(v["max_edits"], 2);
    assert_eq!(
        v["total"], 7,
        "the five public and two hidden members of the run: {v}"
    );
    let first = &v["matches"][0];
    assert_eq!(first["ref"], "TP-03");
    assert_eq!(first["as_written"], true);
    assert_eq!(first["distance"], 0);
    assert_eq!(first["why"], "serial exactly as written");
    for m in v["matches"].as_array().unwrap() {
        for key in [
            "ref",
            "serial_number",
            "category",
            "distance",
            "as_written",
            "filter_fit",
            "why",
        ] {
            assert!(m.get(key).is_some(), "a match carries {key}: {m}");
        }
    }

    // The same answer as the application gives the command line (which sees all).
    let request = armtrace_app::SearchParams {
        q: "KX4000103".into(),
        max_edits: Some("1".into()),
        limit: Some("3".into()),
        model: Some(RUN_MODEL.into()),
        ..Default::default()
    }
    .parse()
    .expect("a query");
    let cli = site
        .state
        .register
        .for_viewer(&armtrace_core::Clearance::full())
        .search(&request)
        .await
        .expect("the register searches");
    let web = site
        .get(
            Who::Admin,
            "/api/search?q=KX4000103&max_edits=1&limit=3&model=AKM",
        )
        .await
        .expect(200)
        .json();
    assert_eq!(web, serde_json::to_value(&cli).unwrap());

    // limit=0 is all; the default is 20; total counts before the limit.
    let all = site
        .get(Who::Admin, "/api/search?q=KX4000103&limit=0")
        .await
        .expect(200)
        .json();
    assert_eq!(all["matches"].as_array().unwrap().len(), 7);
    let two = site
        .get(Who::Admin, "/api/search?q=KX4000103&limit=2")
        .await
        .expect(200)
        .json();
    assert_eq!(two["matches"].as_array().unwrap().len(), 2);
    assert_eq!(two["total"], 7);

    // A misread serial (O for 0) is found, and the answer says why.
    let v = site
        .get(Who::Anonymous, "/api/search?q=KX4OOO1O3")
        .await
        .expect(200)
        .json();
    let first = &v["matches"][0];
    assert_eq!(first["ref"], "TP-03", "{v}");
    assert_eq!(first["as_written"], false);
    assert_eq!(first["distance"], 0);
    let why = first["why"].as_str().unwrap();
    assert!(
        why.contains("look-alike") && why.contains("KX4000103"),
        "{why}"
    );
    // One misread digit, and a wildcard.
    let v = site
        .get(Who::Anonymous, "/api/search?q=RT55591")
        .await
        .expect(200)
        .json();
    assert_eq!(v["matches"][0]["ref"], "TP-10", "{v}");
    assert_eq!(v["matches"][0]["distance"], 1);
    assert!(
        v["matches"][0]["why"].as_str().unwrap().contains("1 edit"),
        "{v}"
    );
    let v = site
        .get(Who::Anonymous, "/api/search?q=KX40001%3F3&max_edits=0")
        .await
        .expect(200)
        .json();
    assert_eq!(refs(&v["matches"]), ["TP-03"], "{v}");

    // The public sees only public matches, in total too.
    let v = site
        .get(Who::Anonymous, "/api/search?q=KX4000103&limit=0")
        .await
        .expect(200)
        .json();
    assert_eq!(v["total"], 5);
    let v = site
        .get(Who::Anonymous, "/api/search?q=RT55501&category=ammunition")
        .await
        .expect(200)
        .json();
    assert_eq!(v["total"], 0, "the category filter applies: {v}");
    let v = site
        .get(
            Who::Anonymous,
            "/api/search?q=KX4000103&country=Soviet%20Union",
        )
        .await
        .expect(200)
        .json();
    assert_eq!(v["total"], 5);

    bad_parameter(site.get(Who::Anonymous, "/api/search").await, "q", None);
    bad_parameter(
        site.get(Who::Anonymous, "/api/search?q=*").await,
        "q",
        Some("*"),
    );
    bad_parameter(
        site.get(Who::Anonymous, "/api/search?q=%20").await,
        "q",
        None,
    );
    bad_parameter(
        site.get(Who::Anonymous, "/api/search?q=AB12&max_edits=many")
            .await,
        "max_edits",
        Some("many"),
    );
    bad_parameter(
        site.get(Who::Anonymous, "/api/search?q=AB12&limit=-3")
            .await,
        "limit",
        Some("-3"),
    );
    bad_parameter(
        site.get(Who::Anonymous, "/api/search?q=AB12&category=tank")
            .await,
        "category",
        Some("tank"),
    );
    bad_parameter(
        site.get(Who::Anonymous, "/api/search?q=AB12&country=Atlantis")
            .await,
        "country",
        Some("Atlantis"),
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn search_names_max_edits_when_it_is_too_large() {
    let site = Site::new().await;
    bad_parameter(
        site.get(Who::Anonymous, "/api/search?q=AB1234&max_edits=9")
            .await,
        "max_edits",
        Some("9"),
    );
}
