//! `/api/trace`: listing, drafting and moving trace requests on, with every malformed
//! input answered 400 (naming the field), unknown refs 404 and impossible steps 409.

use serde_json::{Value, json};

use crate::register::Level;
use crate::support::{Call, Site, Who};

#[track_caller]
fn names(reply: crate::support::Reply, status: u16, what: &str) {
    let reply = reply.expect(status);
    let message = reply.error();
    assert!(message.contains(what), "the error names {what}: {message}");
}

fn refs(list: &Value) -> Vec<String> {
    list["requests"]
        .as_array()
        .expect("requests")
        .iter()
        .map(|r| r["ref"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn requests_are_listed_for_those_who_may_see_their_items() {
    let site = Site::new().await;
    let all = site.get(Who::Admin, "/api/trace").await.expect(200).json();
    assert_eq!(all["total"], 5, "one per level and the run's: {all}");
    let first = &all["requests"][0];
    for key in [
        "ref",
        "subject",
        "addressee",
        "status",
        "overdue",
        "particulars",
        "created_on",
    ] {
        assert!(first.get(key).is_some(), "a request carries {key}: {first}");
    }
    assert_eq!(first["status"], "draft");
    assert_eq!(first["overdue"], false);

    let viewer = site.get(Who::Viewer, "/api/trace").await.expect(200).json();
    let expected: Vec<String> = [Level::Public, Level::Restricted]
        .iter()
        .map(|l| site.traces[l].clone())
        .collect();
    assert_eq!(refs(&viewer), expected);
    assert_eq!(viewer["total"], 2);
    let granted = site
        .get(Who::GrantedViewer, "/api/trace")
        .await
        .expect(200)
        .json();
    assert_eq!(granted["total"], 3);

    assert_eq!(
        site.get(Who::Admin, "/api/trace?status=draft")
            .await
            .expect(200)
            .json()["total"],
        5
    );
    assert_eq!(
        site.get(Who::Admin, "/api/trace?status=sent")
            .await
            .expect(200)
            .json()["total"],
        0
    );
    assert_eq!(
        site.get(Who::Admin, "/api/trace?status=overdue")
            .await
            .expect(200)
            .json()["total"],
        0
    );
    names(
        site.get(Who::Admin, "/api/trace?status=lost").await,
        400,
        "status",
    );

    let one = site
        .get(
            Who::Viewer,
            &format!("/api/trace/{}", site.traces[&Level::Public]),
        )
        .await
        .expect(200)
        .json();
    assert_eq!(one["ref"], site.traces[&Level::Public].as_str());
    assert_eq!(one["subject"]["kind"], "item");
    assert_eq!(one["subject"]["ref"], "TP-01");
    names(
        site.get(Who::Viewer, "/api/trace/TR-1999-0001").await,
        404,
        "TR-1999-0001",
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn drafting_checks_every_field() {
    let site = Site::new().await;
    let created = site
        .post_json(
            Who::Investigator,
            "/api/trace",
            &json!({"ref": "TP-02", "to": "Tula Test Works", "to_country": "Russia", "due_on": "2030-01-31", "intended_use": "a synthetic test"}),
        )
        .await
        .expect(201)
        .json();
    assert_eq!(created["status"], "draft");
    assert_eq!(created["subject"], json!({"kind": "item", "ref": "TP-02"}));
    assert_eq!(created["addressee"]["name"], "Tula Test Works");
    assert_eq!(created["due_on"], "2030-01-31");
    let reference = created["ref"].as_str().unwrap();
    site.get(Who::Viewer, &format!("/api/trace/{reference}"))
        .await
        .expect(200);

    let run = site
        .post_json(
            Who::Admin,
            "/api/trace",
            &json!({"ref": "TP-01", "subject": "run", "to": "Tula Test Works"}),
        )
        .await
        .expect(201)
        .json();
    assert_eq!(run["subject"]["kind"], "run");
    assert_eq!(
        run["subject"]["refs"].as_array().unwrap().len(),
        7,
        "an admin's run has every member: {run}"
    );
    // A viewer may not see the confidential member, so not the request either.
    let run_ref = run["ref"].as_str().unwrap();
    site.get(Who::Viewer, &format!("/api/trace/{run_ref}"))
        .await
        .expect(404);
    let listed = site.get(Who::Viewer, "/api/trace").await.expect(200).json();
    assert!(!refs(&listed).iter().any(|r| r == run_ref), "{listed}");
    site.get(Who::ClearedAnalyst, &format!("/api/trace/{run_ref}"))
        .await
        .expect(200);
    let lot = site
        .post_json(
            Who::Investigator,
            "/api/trace",
            &json!({"ref": "TP-06", "subject": "lot", "to": "Lot Test Plant"}),
        )
        .await
        .expect(201)
        .json();
    assert_eq!(lot["subject"]["kind"], "lot");
    assert_eq!(
        lot["subject"]["refs"].as_array().unwrap().len(),
        4,
        "the investigator's lot, without the confidential member: {lot}"
    );

    let s = &site;
    let post =
        move |body: Value| async move { s.post_json(Who::Investigator, "/api/trace", &body).await };
    names(post(json!({"ref": "TP-02"})).await, 400, "to");
    names(post(json!({"ref": "TP-02", "to": "  "})).await, 400, "to");
    names(
        post(json!({"ref": "TP-02", "to": "X", "subject": "shipment"})).await,
        400,
        "subject",
    );
    names(
        post(json!({"ref": "TP-01", "to": "X", "subject": "lot"})).await,
        400,
        "subject",
    );
    names(
        post(json!({"ref": "TP-09", "to": "X", "subject": "run"})).await,
        400,
        "subject",
    );
    names(
        post(json!({"ref": "TP-02", "to": "X", "to_kind": "person"})).await,
        400,
        "to_kind",
    );
    names(
        post(json!({"ref": "TP-02", "to": "X", "to_country": "Atlantis"})).await,
        400,
        "to_country",
    );
    names(
        post(json!({"ref": "TP-02", "to": "X", "due_on": "soon"})).await,
        400,
        "due_on",
    );
    names(
        post(json!({"ref": "NO-SUCH-REF", "to": "X"})).await,
        404,
        "NO-SUCH-REF",
    );
    let malformed = site
        .send(
            Call::new(
                axum::http::Method::POST,
                "/api/trace",
                site.cred(Who::Investigator),
            )
            .body("application/json", "{\"ref\": "),
        )
        .await;
    names(malformed, 400, "body");
    let untyped = site
        .send(
            Call::new(
                axum::http::Method::POST,
                "/api/trace",
                site.cred(Who::Investigator),
            )
            .body("text/plain", "ref=TP-01"),
        )
        .await;
    names(untyped, 400, "body");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_request_moves_through_its_life_and_refuses_impossible_steps() {
    let site = Site::new().await;
    let reference = site.traces[&Level::Public].clone();
    let (s, r) = (&site, reference.clone());
    let step = move |action: &str, body: Value| {
        let uri = format!("/api/trace/{r}/{action}");
        async move { s.post_json(Who::Investigator, &uri, &body).await }
    };
    let sent = step("send", json!({"on": "2024-02-01"}))
        .await
        .expect(200)
        .json();
    assert_eq!(sent["status"], "sent");
    assert_eq!(sent["sent_on"], "2024-02-01");
    names(step("send", json!({})).await, 409, "sent");
    names(
        step("acknowledge", json!({"on": "the day after"})).await,
        400,
        "on",
    );
    step("acknowledge", json!({})).await.expect(200);
    names(step("answer", json!({})).await, 400, "text");
    let answered = step(
        "answer",
        json!({"text": "Delivered to the army in 2016 (synthetic)."}),
    )
    .await
    .expect(200)
    .json();
    assert_eq!(answered["status"], "answered");
    assert_eq!(
        answered["answer"],
        "Delivered to the army in 2016 (synthetic)."
    );
    // No body at all is an empty step.
    let closed = site
        .send(Call::new(
            axum::http::Method::POST,
            format!("/api/trace/{reference}/close"),
            site.cred(Who::Investigator),
        ))
        .await
        .expect(200)
        .json();
    assert_eq!(closed["status"], "closed");
    names(step("send", json!({})).await, 409, "final");
    names(step("explode", json!({})).await, 404, "explode");
    names(
        site.post_json(
            Who::Investigator,
            "/api/trace/TR-1999-0001/send",
            &json!({}),
        )
        .await,
        404,
        "TR-1999-0001",
    );

    // A draft without the requesting party cannot be sent, and the answer says what is missing.
    let draft = site
        .post_json(
            Who::Investigator,
            "/api/trace",
            &json!({"ref": "TP-03", "to": "Tula Test Works"}),
        )
        .await
        .expect(201)
        .json();
    let uri = format!("/api/trace/{}/send", draft["ref"].as_str().unwrap());
    let refused = site.post_json(Who::Investigator, &uri, &json!({})).await;
    names(refused, 409, "requesting_party");
}
