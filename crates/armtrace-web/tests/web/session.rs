//! Browser sessions: the cookie's attributes, CSRF on every unsafe request made with a
//! session, signing in and out through the `/login` form, and the sign-in limiter.
//!
//! The CSRF rule is checked on every unsafe API route of the OpenAPI document with a
//! session made in the store, so it runs before the sign-in page exists. The form flow
//! runs once `/login` is in the page table (until then it prints a note and stops).

use std::collections::BTreeMap;

use axum::http::Method;
use serde_json::json;

use crate::register::Level;
use crate::routes::{self, Form, Origin, Param, Route, forms};
use crate::support::{Call, Cred, Reply, Site, Who, encode};

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

/// An unsafe route's request about the public item (or its trace request), with a
/// valid-ish body carrying `csrf` as a form field where the route is a page form.
fn unsafe_call(site: &Site, route: &Route, csrf: Option<&str>) -> (String, String, Vec<u8>) {
    let uri = route.fill(|p| match p {
        Param::ItemRef => "TP-01".into(),
        Param::TraceRef => site.traces[&Level::Public].clone(),
        Param::TransferRef => site.register.transfer_ref().into(),
        Param::ImportId => site.import_id.clone(),
        Param::TraceAction => "acknowledge".into(),
        Param::EvidenceSha => site.evidence[&Level::Public].sha256.clone(),
    });
    let (ct, body) = routes::valid_body(route, Some("TP-01"), csrf);
    (uri, ct, body)
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

    let mut failures = Vec::new();
    // The header is for scripts; a page form's field is not read by the API.
    let imports = routes::api_routes()
        .into_iter()
        .find(|r| r.path == "/api/imports" && r.method == Method::POST)
        .expect("the import route");
    let (uri, ct, body) = unsafe_call(&site, &imports, Some(&csrf));
    let reply = site
        .send(Call::new(Method::POST, uri, session(&token, None)).body(&ct, body))
        .await;
    if reply.status.as_u16() != 403 {
        failures.push(format!(
            "an API upload with the token only as a form field: expected 403, got {}",
            reply.describe()
        ));
    }
    let stale = "0".repeat(64);
    let mut unsafe_routes: Vec<Route> = routes::all()
        .into_iter()
        .filter(|r| !r.is_safe() && r.path != "/login")
        .collect();
    // Signing out ends the session: last.
    unsafe_routes.sort_by_key(|r| r.path == "/logout");
    assert!(unsafe_routes.iter().any(|r| r.origin == Origin::Api));
    for route in &unsafe_routes {
        // API calls carry the token in the header, page forms in their `csrf` field.
        let api = route.origin == Origin::Api;
        let attempts: [(&str, Option<&str>, bool); 3] = [
            ("no CSRF token", None, false),
            ("a stale CSRF token", Some(&stale), false),
            ("the session's CSRF token", Some(&csrf), true),
        ];
        for (what, sent, accepted) in attempts {
            let (uri, ct, body) = unsafe_call(&site, route, if api { None } else { sent });
            let header = if api { sent } else { None };
            let reply = site
                .send(Call::new(route.method.clone(), uri, session(&token, header)).body(&ct, body))
                .await;
            let status = reply.status.as_u16();
            let ok = if accepted {
                !matches!(status, 401 | 403) && status < 500
            } else {
                status == 403
            };
            if !ok {
                let wanted = if accepted { "not 401/403" } else { "403" };
                failures.push(format!(
                    "{} with a session and {what}: expected {wanted}, got {}",
                    route.label(),
                    reply.describe()
                ));
            }
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
            "test",
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
    let with_session = |csrf| Cred::Session {
        token: &token,
        csrf,
    };
    let me = site
        .send(Call::new(Method::GET, "/api/me", with_session(None)))
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
    // The pages give the session's CSRF token to their forms.
    let home = site
        .send(Call::new(Method::GET, "/", with_session(None)))
        .await
        .expect(200);
    assert!(
        forms(&home.text())
            .iter()
            .any(|f| f.inputs.iter().any(|(n, _, v)| n == "csrf" && *v == csrf)),
        "a form of the home page carries the CSRF token: {}",
        home.describe()
    );

    let trace = json!({"ref": "TP-01", "to": "Test Arms Plant"});
    let call = |csrf| {
        Call::new(
            Method::POST,
            "/api/trace",
            Cred::Session {
                token: &token,
                csrf,
            },
        )
        .json(&trace)
    };
    site.send(call(None)).await.expect(403);
    site.send(call(Some(&csrf))).await.expect(201);

    // Signing out needs the token too, ends the session and removes the cookie.
    let logout = |body: String| {
        Call::new(
            Method::POST,
            "/logout",
            Cred::Session {
                token: &token,
                csrf: None,
            },
        )
        .body("application/x-www-form-urlencoded", body)
    };
    site.send(logout(String::new())).await.expect(403);
    let out = site.send(logout(format!("csrf={}", encode(&csrf)))).await;
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

    // After signing in, the browser goes where it was going, but never off the site.
    for (next, expected) in [
        ("/items?model=AKM", "/items?model=AKM"),
        ("//evil.example/x", "/"),
        ("https://evil.example/", "/"),
    ] {
        let mut pairs: Vec<String> = sign_in_body(&form, "session-user", password)
            .split('&')
            .filter(|p| !p.starts_with("next="))
            .map(String::from)
            .collect();
        pairs.push(format!("next={}", encode(next)));
        let body = pairs.join("&");
        let reply = sign_in(body).await;
        assert_eq!(
            reply.header("location"),
            Some(expected),
            "next={next}: {}",
            reply.describe()
        );
    }
    // A sign-in posted from another site is refused.
    let cross = site
        .send(
            Call::new(Method::POST, action.clone(), Cred::Anonymous)
                .body(
                    "application/x-www-form-urlencoded",
                    sign_in_body(&form, "session-user", password),
                )
                .header("origin", "https://evil.example")
                .header("host", "armtrace.test"),
        )
        .await
        .expect(403);
    assert!(session_set_cookie(&cross).is_none(), "{:?}", cross.headers);

    // Five wrong passwords are answered; the sixth is held back.
    for attempt in 1..=6 {
        let reply = sign_in(sign_in_body(&form, "session-user", "not-the-password")).await;
        if attempt <= armtrace_app::LOGIN_ATTEMPTS {
            assert_eq!(
                reply.status.as_u16(),
                401,
                "attempt {attempt}: {}",
                reply.describe()
            );
            assert!(
                session_set_cookie(&reply).is_none(),
                "a wrong password signs no one in"
            );
        } else {
            assert_eq!(
                reply.status.as_u16(),
                429,
                "attempt {attempt} is limited: {}",
                reply.describe()
            );
            assert!(
                reply
                    .header("retry-after")
                    .is_some_and(|s| s.parse::<u64>().is_ok_and(|n| n > 0)),
                "{:?}",
                reply.headers
            );
        }
    }
    // Held back even with the right password, until the window has passed.
    sign_in(sign_in_body(&form, "session-user", password))
        .await
        .expect(429);
}

/// A sign-in as the form posts it (`name`, `password`), from `client`.
async fn sign_in_from(site: &Site, client: [u8; 4], name: &str, password: &str) -> u16 {
    let body = format!("name={}&password={}", encode(name), encode(password));
    site.send(
        Call::new(Method::POST, "/login", Cred::Anonymous)
            .body("application/x-www-form-urlencoded", body)
            .sent_from(std::net::SocketAddr::from((client, 40000))),
    )
    .await
    .status
    .as_u16()
}

/// The sign-in limits hold against the ways around them an outside probe found: a name
/// padded with spaces or changed in case is the same account; failures on one account are
/// not cleared by signing in to another; parallel attempts are counted before they are
/// checked; the address and the account are limited each on their own.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sign_in_limits_hold_for_padded_renamed_and_parallel_attempts() {
    let site = Site::new().await;
    for (name, password) in [
        ("victim", "synthetic-victim-password"),
        ("own-account", "synthetic-own-password"),
        ("parallel-victim", "synthetic-parallel-password"),
    ] {
        site.store
            .create_user(name, armtrace_core::Role::Viewer, Some(password), "test")
            .await
            .expect("a user");
    }
    let limit = armtrace_app::LOGIN_ATTEMPTS;

    // Padded and case-changed names, each from a different address: one account.
    let spellings = ["victim", "   victim", "VICTIM", "Victim ", "\tvictim"];
    for (i, name) in spellings.iter().enumerate().take(limit) {
        let status = sign_in_from(&site, [198, 51, 100, i as u8 + 1], name, "wrong-guess").await;
        assert_eq!(status, 401, "attempt {i} as {name:?}");
    }
    // The account is locked: even the right password, from a fresh address, waits.
    let status = sign_in_from(
        &site,
        [198, 51, 100, 99],
        " Victim",
        "synthetic-victim-password",
    )
    .await;
    assert_eq!(
        status, 429,
        "the account is locked out after {limit} failures"
    );

    // One address: failures against one account are not cleared by signing in to another.
    let attacker = [203, 0, 113, 5];
    for _ in 0..limit - 1 {
        assert_eq!(
            sign_in_from(&site, attacker, "parallel-victim", "guess").await,
            401
        );
    }
    assert_eq!(
        sign_in_from(&site, attacker, "own-account", "synthetic-own-password").await,
        303,
        "the attacker's own account signs in"
    );
    assert_eq!(
        sign_in_from(&site, attacker, "parallel-victim", "guess").await,
        401
    );
    assert_eq!(
        sign_in_from(&site, attacker, "parallel-victim", "guess").await,
        429,
        "the address's failures were not forgiven by the other account's success"
    );

    // Parallel attempts against a fresh account from fresh addresses: at most `limit` are
    // checked, the rest wait.
    let site = &site;
    let attempts = (0..20u8).map(|i| async move {
        sign_in_from(site, [192, 0, 2, 100 + i], "own-account ", "parallel-guess").await
    });
    let statuses = futures_util::future::join_all(attempts).await;
    let checked = statuses.iter().filter(|s| **s == 401).count();
    let held = statuses.iter().filter(|s| **s == 429).count();
    assert_eq!(checked + held, 20, "{statuses:?}");
    assert!(
        checked <= limit,
        "{checked} of 20 parallel attempts were checked: {statuses:?}"
    );
    assert!(held >= 20 - limit, "{statuses:?}");
}

/// Request bodies are limited per route before they are read: a sign-in form of a few
/// KB, a trace request of a few hundred, uploads to their own limits (an anonymous
/// visitor cannot make the server buffer a large form).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bodies_are_limited_per_route_before_they_are_read() {
    let site = Site::new().await;
    let big = format!(
        "name=x&password={}",
        "p".repeat(armtrace_web::MAX_SIGN_IN_BYTES + 1)
    );
    let reply = site
        .send(
            Call::new(Method::POST, "/login", Cred::Anonymous)
                .body("application/x-www-form-urlencoded", big),
        )
        .await;
    assert_eq!(reply.status.as_u16(), 413, "{}", reply.describe());
    let token = site.token(Who::Admin).expect("a token");
    let big_json = format!(
        "{{\"ref\":\"TP-01\",\"to\":\"{}\"}}",
        "x".repeat(armtrace_web::MAX_BODY_BYTES + 1)
    );
    let reply = site
        .send(
            Call::new(Method::POST, "/api/trace", Cred::Bearer(token))
                .body("application/json", big_json),
        )
        .await;
    assert!(
        matches!(reply.status.as_u16(), 400 | 413),
        "{}",
        reply.describe()
    );
    // An upload within its own limit still goes through (the import route's limit).
    let csv = crate::support::one_item_csv("LIMIT-OK");
    let reply = site
        .upload(Who::Admin, "/api/imports?wait=true", "items", &csv, true)
        .await;
    assert_eq!(reply.status.as_u16(), 200, "{}", reply.describe());
}
