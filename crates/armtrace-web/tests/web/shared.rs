//! Several servers sharing one register: an import written through one server is found
//! by a search through another, which learns of the write by itself (on PostgreSQL by
//! LISTEN/NOTIFY, at once; on SQLite by polling the register version).

use std::time::{Duration, Instant};

use armtrace_store::Store;
use armtrace_store::store::Dialect;
use armtrace_web::{AppState, ServeOptions};
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use serde_json::Value;
use tower::ServiceExt;

use crate::support::{Site, Who, one_item_csv};

/// Asks server `app` for `serial` as the admin; the number of matches.
async fn matches(app: &axum::Router, token: &str, serial: &str) -> u64 {
    let request = Request::get(format!("/api/search?q={serial}"))
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .extension(axum::extract::ConnectInfo(std::net::SocketAddr::from((
            [127, 0, 0, 1],
            9,
        ))))
        .body(Body::empty())
        .expect("a request");
    let response = app.clone().oneshot(request).await.expect("an answer");
    assert_eq!(response.status(), StatusCode::OK);
    let body = axum::body::to_bytes(response.into_body(), usize::MAX)
        .await
        .expect("a body");
    let json: Value = serde_json::from_slice(&body).expect("JSON");
    json["total"].as_u64().expect("a total")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_write_through_one_server_is_searchable_through_another() {
    let site = Site::new().await;
    let token = site.token(Who::Admin).expect("an admin token").to_owned();
    // A second server: its own connections to the same register, its own index.
    let store = Store::open(site.store.location())
        .await
        .expect("the register opens again");
    // On PostgreSQL the notification must do it: the fallback poll is far too slow to.
    let poll = match store.dialect() {
        Dialect::Postgres => Duration::from_secs(600),
        Dialect::Sqlite => Duration::from_millis(200),
    };
    let other = AppState::new(
        armtrace_app::Register::over(store, armtrace_app::Warmth::Warm),
        ServeOptions::default(),
    )
    .expect("the state builds");
    other.register.refresh().await.expect("the register loads");
    let follower = other.clone();
    tokio::spawn(async move { follower.register.follow_changes(poll).await });
    let other_app = armtrace_web::app(other.clone());
    let serial = "WEBSHARED01";
    assert_eq!(matches(&other_app, &token, serial).await, 0);
    let before = other.register.loaded_version();

    site.upload(
        Who::Admin,
        "/api/imports?wait=true",
        "items",
        &one_item_csv("SHARED-01"),
        false,
    )
    .await
    .expect(200);
    assert_eq!(
        matches(&site.app, &token, serial).await,
        1,
        "the writing server"
    );

    let deadline = Instant::now() + Duration::from_secs(20);
    while matches(&other_app, &token, serial).await == 0 {
        assert!(
            Instant::now() < deadline,
            "the other server did not reload within 20 s (version {} → {})",
            before,
            other.register.loaded_version()
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    // The index is swapped in just before the version it was built from is recorded.
    while other.register.loaded_version() <= before {
        assert!(Instant::now() < deadline, "the reload never finished");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}
