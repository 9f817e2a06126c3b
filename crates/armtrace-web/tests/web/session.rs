//! Browser sessions: the cookie's attributes, CSRF on every unsafe request made with a
//! session, signing in and out through the `/login` form, and the sign-in limiter.
//!
//! The CSRF rule is checked on every unsafe API route of the OpenAPI document with a
//! session made in the store, so it runs before the sign-in page exists. The form flow
//! runs once `/login` is in the page table (until then it prints a note and stops).

use std::collections::BTreeMap;

use axum::http::Method;
use serde_json::json;

use crate::routes::{self, Origin, Param};
use crate::support::{Call, Cred, Reply, Site, Who, encode, multipart, one_item_csv};

/// The session cookie's value in a `Set-Cookie` header of an answer, with the header.
fn session_set_cookie(reply: &Reply) -> Option<(String, String)> {
    let prefix = format!("{}=", armtrace_web::auth::SESSION_COOKIE);
    reply
        .headers
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|c| c.starts_with(&prefix))
        .map(|c| {
            let value = c[prefix.len()..].split(';').next().unwrap_or("").to_owned();
            (value, c.to_owned())
        })
}

/// Asserts what every session cookie must say: HttpOnly, SameSite, the whole site.
#[track_caller]
fn assert_session_attributes(header: &str) {
    let attributes: Vec<String> = header
        .split(';')
        .skip(1)
        .map(|a| a.trim().to_ascii_lowercase())
        .collect();
    assert!(
        attributes.iter().any(|a| a == "httponly"),
        "HttpOnly: {header}"
    );
    assert!(
        attributes
            .iter()
            .any(|a| a == "samesite=lax" || a == "samesite=strict"),
        "SameSite=Lax or Strict: {header}"
    );
    assert!(attributes.iter().any(|a| a == "path=/"), "Path=/: {header}");
}

#[test]
fn the_session_cookie_is_http_only_same_site_and_secure_when_asked() {
    let cookie = armtrace_web::auth::session_cookie("t0ken".into(), false).to_string();
    assert!(cookie.starts_with("armtrace_session=t0ken"), "{cookie}");
    assert_session_attributes(&cookie);
    assert!(!cookie.to_ascii_lowercase().contains("secure"), "{cookie}");
    assert!(
        cookie.contains("Max-Age="),
        "a session cookie expires: {cookie}"
    );
    let secure = armtrace_web::auth::session_cookie("t0ken".into(), true).to_string();
    assert!(secure.split(';').any(|a| a.trim() == "Secure"), "{secure}");
    let removal = armtrace_web::auth::removal_cookie().to_string();
    assert!(removal.starts_with("armtrace_session=;"), "{removal}");
    assert!(
        removal.contains("Max-Age=0"),
        "a removal cookie expires at once: {removal}"
    );
}

#[test]
fn the_login_limiter_allows_five_failures_per_key() {
    let limiter = armtrace_web::state::LoginLimiter::default();
    let keys = vec!["user:someone".to_owned(), "addr:192.0.2.1".to_owned()];
    for _ in 0..armtrace_web::state::LOGIN_ATTEMPTS {
        assert!(limiter.check(&keys).is_ok());
        limiter.fail(&keys);
    }
    let wait = limiter.check(&keys).expect_err("the sixth attempt waits");
    assert!(
        wait > 0 && wait <= armtrace_web::state::LOGIN_WINDOW.as_secs() + 1,
        "{wait}"
    );
    assert!(
        limiter.check(&["user:someone-else".to_owned()]).is_ok(),
        "other keys are not held up"
    );
    limiter.succeed(&keys);
    assert!(limiter.check(&keys).is_ok(), "a success clears the keys");
}

/// The unsafe API routes, each with a request about the public item and a valid-ish body.
fn unsafe_api_calls(site: &Site) -> Vec<(String, String, String, Vec<u8>)> {
    routes::api_routes()
        .into_iter()
        .filter(|r| !r.is_safe())
        .map(|route| {
            let uri = route.fill(|p| match p {
                Param::ItemRef => "TP-01".into(),
                Param::TraceRef => site.traces[&crate::register::Level::Public].clone(),
                Param::TransferRef => site.register.transfer_ref().into(),
                Param::ImportId => site.import_id.clone(),
                Param::TraceAction => "acknowledge".into(),
            });
            let (ct, body) = if route.body_types.iter().any(|t| t == "multipart/form-data") {
                let csv = one_item_csv("TW-CSRF");
                multipart(&[
                    ("kind", None, b"items"),
                    ("dry_run", None, b"true"),
                    ("file", Some("csrf.csv"), csv.as_bytes()),
                ])
            } else if route.path == "/api/trace" {
                (
                    "application/json".into(),
                    json!({"ref": "TP-01", "to": "Test Arms Plant"})
                        .to_string()
                        .into_bytes(),
                )
            } else {
                ("application/json".into(), b"{}".to_vec())
            };
            (route.label(), uri, ct, body)
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unsafe_requests_with_a_session_need_its_csrf_token() {
    let site = Site::new().await;
    let user = site.store.user(Who::Admin.name()).await.expect("the admin");
    let (token, csrf) = site.store.create_session(&user).await.expect("a session");
    fn session<'a>(token: &'a str, csrf: Option<&'a str>) -> Cred<'a> {
        Cred::Session { token, csrf }
    }

    // Safe requests need no token; the session is the admin's.
    let me = site
        .send(Call::new(Method::GET, "/api/me", session(&token, None)))
        .await
        .expect(200)
        .json();
    assert_eq!(me["name"], "admin");

    let calls = unsafe_api_calls(&site);
    assert!(!calls.is_empty(), "the API has unsafe routes");
    let mut failures = Vec::new();
    for (label, uri, ct, body) in &calls {
        for (what, sent) in [
            ("no CSRF token", None),
            ("a wrong CSRF token", Some("0".repeat(64))),
        ] {
            let reply = site
                .send(
                    Call::new(Method::POST, uri.clone(), session(&token, sent.as_deref()))
                        .body(ct, body.clone()),
                )
                .await;
            if reply.status.as_u16() != 403 {
                failures.push(format!(
                    "{label} with a session and {what}: expected 403, got {}",
                    reply.describe()
                ));
            }
        }
        let reply = site
            .send(
                Call::new(Method::POST, uri.clone(), session(&token, Some(&csrf)))
                    .body(ct, body.clone()),
            )
            .await;
        if matches!(reply.status.as_u16(), 401 | 403) || reply.status.is_server_error() {
            failures.push(format!(
                "{label} with the session's CSRF token is refused: {}",
                reply.describe()
            ));
        }
    }
    // A form upload may carry the token as its `csrf` field instead.
    let csv = one_item_csv("TW-CSRF-FORM");
    for (field, expected) in [(csrf.as_str(), 200), ("stale", 403)] {
        let (ct, body) = multipart(&[
            ("kind", None, b"items"),
            ("dry_run", None, b"true"),
            ("csrf", None, field.as_bytes()),
            ("file", Some("form.csv"), csv.as_bytes()),
        ]);
        let reply = site
            .send(
                Call::new(
                    Method::POST,
                    "/api/imports?wait=true",
                    session(&token, None),
                )
                .body(&ct, body),
            )
            .await;
        if reply.status.as_u16() != expected {
            failures.push(format!(
                "an upload form with csrf={field:?}: expected {expected}, got {}",
                reply.describe()
            ));
        }
    }
    // A bearer token needs no CSRF token: a browser never sends one by itself.
    site.post_json(
        Who::Investigator,
        "/api/trace",
        &json!({"ref": "TP-01", "to": "Test Arms Plant"}),
    )
    .await
    .expect(201);
    // An ended session, or a made-up one, is anonymous (not an error).
    site.store
        .end_session(&token)
        .await
        .expect("the session ends");
    let me = site
        .send(Call::new(Method::GET, "/api/me", session(&token, None)))
        .await
        .expect(200)
        .json();
    assert_eq!(me["name"], serde_json::Value::Null);
    let made_up = Cred::Session {
        token: "forged",
        csrf: None,
    };
    let me = site
        .send(Call::new(Method::GET, "/api/me", made_up))
        .await
        .expect(200)
        .json();
    assert_eq!(me["name"], serde_json::Value::Null);
    assert!(
        failures.is_empty(),
        "{} CSRF failure(s):\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// A form of a page: where it goes and its inputs (name, type, value).
#[derive(Debug)]
pub struct Form {
    pub action: String,
    pub method: String,
    pub inputs: Vec<(String, String, String)>,
}

/// The value of an attribute inside one tag.
fn attribute(tag: &str, name: &str) -> Option<String> {
    let lower = tag.to_ascii_lowercase();
    for quote in ['"', '\''] {
        let needle = format!(" {name}={quote}");
        if let Some(at) = lower.find(&needle) {
            let start = at + needle.len();
            let end = tag[start..].find(quote)? + start;
            return Some(routes::decode_entities(&tag[start..end]));
        }
    }
    None
}

/// The forms of an HTML page.
pub fn forms(html: &str) -> Vec<Form> {
    let lower = html.to_ascii_lowercase();
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(at) = lower[from..].find("<form").map(|i| i + from) {
        let tag_end = lower[at..].find('>').map_or(lower.len(), |i| i + at);
        let end = lower[at..].find("</form").map_or(lower.len(), |i| i + at);
        let tag = &html[at..tag_end];
        let mut inputs = Vec::new();
        let mut i = tag_end;
        while let Some(input) = lower[i..end].find("<input").map(|x| x + i) {
            let input_end = lower[input..].find('>').map_or(end, |x| x + input);
            let t = &html[input..input_end];
            if let Some(name) = attribute(t, "name") {
                inputs.push((
                    name,
                    attribute(t, "type")
                        .unwrap_or_else(|| "text".into())
                        .to_ascii_lowercase(),
                    attribute(t, "value").unwrap_or_default(),
                ));
            }
            i = input_end;
        }
        out.push(Form {
            action: attribute(tag, "action").unwrap_or_default(),
            method: attribute(tag, "method")
                .unwrap_or_else(|| "get".into())
                .to_ascii_lowercase(),
            inputs,
        });
        from = end.max(at + 1);
    }
    out
}

#[test]
fn forms_are_read_from_html() {
    let html = r#"<form method="POST" action="&#x2f;login"><input type="hidden" name="next" value="/items?a=1&amp;b=2">
        <label>Name <input name="username" autocomplete="username"></label>
        <input type='password' name='password'><button>Sign in</button></form>
        <form action="/search"><input name="q" type="search"></form>"#;
    let found = forms(html);
    assert_eq!(found.len(), 2);
    assert_eq!(found[0].action, "/login");
    assert_eq!(found[0].method, "post");
    assert_eq!(
        found[0].inputs,
        [
            ("next".into(), "hidden".into(), "/items?a=1&b=2".into()),
            ("username".into(), "text".into(), String::new()),
            ("password".into(), "password".into(), String::new()),
        ]
    );
    assert_eq!(found[1].method, "get");
}

/// The sign-in form's fields filled for a user and a password (form-urlencoded).
fn sign_in_body(form: &Form, user: &str, password: &str) -> String {
    let mut pairs = Vec::new();
    let mut named_user = false;
    for (name, kind, value) in &form.inputs {
        let v = match kind.as_str() {
            "password" => password.to_owned(),
            "hidden" | "submit" | "checkbox" => value.clone(),
            _ if !named_user => {
                named_user = true;
                user.to_owned()
            }
            _ => value.clone(),
        };
        pairs.push(format!("{}={}", encode(name), encode(&v)));
    }
    assert!(
        named_user,
        "the sign-in form has a user-name field: {form:?}"
    );
    pairs.join("&")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn signing_in_with_the_form_gives_a_session_that_csrf_protects_and_logout_ends() {
    let pages: BTreeMap<(String, String), _> = routes::page_routes()
        .into_iter()
        .filter(|r| r.origin == Origin::Page)
        .map(|r| ((r.method.to_string(), r.path.clone()), r.access))
        .collect();
    if !pages.contains_key(&("POST".into(), "/login".into())) {
        println!(
            "note: POST /login is not in the page table yet: the sign-in, logout and rate-limit flow is not tested"
        );
        return;
    }
    let site = Site::new().await;
    let password = "synthetic-test-password-1";
    site.store
        .create_user(
            "session-user",
            armtrace_core::Role::Investigator,
            Some(password),
        )
        .await
        .expect("a user with a password");

    let page = site.get(Who::Anonymous, "/login").await.expect(200);
    let form = forms(&page.text())
        .into_iter()
        .find(|f| f.method == "post" && f.inputs.iter().any(|(_, t, _)| t == "password"))
        .unwrap_or_else(|| panic!("/login has a sign-in form: {}", page.describe()));
    let action = if form.action.is_empty() {
        "/login".to_owned()
    } else {
        form.action.clone()
    };
    let sign_in = |body: String| {
        let site = &site;
        let action = action.clone();
        async move {
            site.send(
                Call::new(Method::POST, action, Cred::Anonymous)
                    .body("application/x-www-form-urlencoded", body),
            )
            .await
        }
    };

    let signed_in = sign_in(sign_in_body(&form, "session-user", password)).await;
    assert!(
        signed_in.status.as_u16() < 400,
        "signing in succeeds: {}",
        signed_in.describe()
    );
    let (token, header) = session_set_cookie(&signed_in).unwrap_or_else(|| {
        panic!(
            "signing in sets the session cookie: {:?}",
            signed_in.headers
        )
    });
    assert_session_attributes(&header);
    let me = site
        .send(Call::new(
            Method::GET,
            "/api/me",
            Cred::Session {
                token: &token,
                csrf: None,
            },
        ))
        .await
        .expect(200)
        .json();
    assert_eq!(me["name"], "session-user");
    let csrf = site
        .store
        .session(&token)
        .await
        .expect("a lookup")
        .expect("a live session")
        .csrf;

    let trace = json!({"ref": "TP-01", "to": "Test Arms Plant"});
    let without = site
        .send(
            Call::new(
                Method::POST,
                "/api/trace",
                Cred::Session {
                    token: &token,
                    csrf: None,
                },
            )
            .json(&trace),
        )
        .await;
    let with = site
        .send(
            Call::new(
                Method::POST,
                "/api/trace",
                Cred::Session {
                    token: &token,
                    csrf: Some(&csrf),
                },
            )
            .json(&trace),
        )
        .await;
    with.expect(201);

    // Signing out needs the token too, ends the session and removes the cookie.
    let logout = |body: String| {
        let site = &site;
        let token = token.clone();
        async move {
            site.send(
                Call::new(
                    Method::POST,
                    "/logout",
                    Cred::Session {
                        token: &token,
                        csrf: None,
                    },
                )
                .body("application/x-www-form-urlencoded", body),
            )
            .await
        }
    };
    logout(String::new()).await.expect(403);
    let out = logout(format!("csrf={}", encode(&csrf))).await;
    assert!(
        out.status.as_u16() < 400,
        "signing out succeeds: {}",
        out.describe()
    );
    let (value, removal) = session_set_cookie(&out)
        .unwrap_or_else(|| panic!("signing out removes the cookie: {:?}", out.headers));
    assert!(
        value.is_empty() && removal.contains("Max-Age=0"),
        "{removal}"
    );
    let me = site
        .send(Call::new(
            Method::GET,
            "/api/me",
            Cred::Session {
                token: &token,
                csrf: None,
            },
        ))
        .await
        .expect(200)
        .json();
    assert_eq!(
        me["name"],
        serde_json::Value::Null,
        "the old cookie no longer signs in"
    );

    // Five wrong passwords are answered; the sixth is held back.
    for attempt in 1..=6 {
        let reply = sign_in(sign_in_body(&form, "session-user", "not-the-password")).await;
        if attempt <= armtrace_web::state::LOGIN_ATTEMPTS {
            assert_ne!(
                reply.status.as_u16(),
                429,
                "attempt {attempt} is not limited yet: {}",
                reply.describe()
            );
            assert!(
                session_set_cookie(&reply).is_none_or(|(v, _)| v.is_empty()),
                "a wrong password signs no one in"
            );
        } else {
            assert_eq!(
                reply.status.as_u16(),
                429,
                "attempt {attempt} is limited: {}",
                reply.describe()
            );
        }
    }
    // Checked last so the flow above runs whatever it finds.
    assert_eq!(
        without.status.as_u16(),
        403,
        "an unsafe request with the session but without its CSRF token is refused: {}",
        without.describe()
    );
}
