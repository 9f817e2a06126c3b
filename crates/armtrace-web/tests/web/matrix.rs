//! The authorisation matrix, generated from the routes' own declarations (the OpenAPI
//! `security` of every API operation and the page table), so a new route cannot be left
//! out: every (method, path) × every kind of viewer × every confidentiality level of the
//! item the route is about.
//!
//! For each probe:
//! * a route the viewer may not call answers 401 to anonymous visitors (pages may
//!   instead send them to `/login`) and 403 to signed-in users;
//! * a route the viewer may call never answers 401 or 403, nor a server error;
//! * a route about an item (or a trace request, which is only as visible as its items)
//!   answers 404 exactly when the viewer may not see that item.
//!
//! Unsafe methods get a minimal valid-ish body; only the rules above are asserted for
//! them. Run with `--nocapture` to see the table.

use std::collections::BTreeMap;

use armtrace_web::auth::Access;
use axum::http::Method;

use crate::register::Level;
use crate::routes::{self, Origin, Param, Route};
use crate::support::{Call, Site, Who, encode};

/// One request of the matrix.
struct Probe {
    /// The level of the item the request is about, when it is about one.
    level: Option<Level>,
    uri: String,
    body: Option<(String, Vec<u8>)>,
}

fn probes(site: &Site, route: &Route) -> Vec<Probe> {
    let params = route.params();
    let about_items =
        params.iter().any(|(_, p)| p.follows_items()) || routes::body_names_item(route);
    let levels: Vec<Option<Level>> = if about_items {
        Level::ALL.into_iter().map(Some).collect()
    } else {
        vec![None]
    };
    levels
        .into_iter()
        .map(|level| {
            let item = level.map(|l| site.register.level_ref(l).to_owned());
            let mut uri = route.fill(|p| match p {
                Param::ItemRef => item.clone().expect("item routes have a level"),
                Param::TraceRef => site.traces[&level.expect("trace routes have a level")].clone(),
                Param::TransferRef => site.register.transfer_ref().to_owned(),
                Param::ImportId => site.import_id.clone(),
                Param::TraceAction => "send".to_owned(),
                Param::EvidenceSha => site.evidence[&level.expect("evidence routes have a level")]
                    .sha256
                    .clone(),
            });
            let query = routes::query_values(route);
            if !query.is_empty() {
                let pairs: Vec<String> = query
                    .iter()
                    .map(|(n, v)| format!("{n}={}", encode(v)))
                    .collect();
                uri = format!("{uri}?{}", pairs.join("&"));
            }
            let body = (!route.is_safe()).then(|| routes::valid_body(route, item.as_deref(), None));
            Probe { level, uri, body }
        })
        .collect()
}

/// Sign-in answers a bad form as it likes (a 401 for wrong credentials is honest), so
/// only "not forbidden" is asserted for it.
fn is_sign_in(route: &Route) -> bool {
    route.origin == Origin::Page && route.method == Method::POST && route.path == "/login"
}

/// What is wrong with an answer, if anything.
fn judge(
    route: &Route,
    who: Who,
    level: Option<Level>,
    status: u16,
    location: Option<&str>,
) -> Option<String> {
    if status >= 500 {
        return Some(format!("answered {status}: a server error"));
    }
    let allowed = route.access.admits(who.role());
    if !allowed {
        let refused = if who == Who::Anonymous {
            status == 401
                || (route.origin == Origin::Page
                    && (300..400).contains(&status)
                    && location.is_some_and(|l| l.starts_with("/login")))
        } else {
            status == 403
        };
        let wanted = if who == Who::Anonymous { "401" } else { "403" };
        let hint = if matches!(status, 400 | 415 | 422) && !route.is_safe() {
            " (the probe's body may not fit the form: see valid_body in routes.rs)"
        } else {
            ""
        };
        return (!refused).then(|| {
            format!(
                "access {:?} refuses {}: expected {wanted}, got {status}{hint}",
                route.access,
                who.label()
            )
        });
    }
    if status == 403 || (status == 401 && !is_sign_in(route)) {
        return Some(format!(
            "access {:?} allows {}, but it answered {status}",
            route.access,
            who.label()
        ));
    }
    if let Some(level) = level {
        let sees = who.sees(level);
        if sees && status == 404 {
            return Some(format!(
                "{} may see the {} item, but it answered 404",
                who.label(),
                level.label()
            ));
        }
        if !sees && status != 404 {
            return Some(format!(
                "{} may not see the {} item: expected 404 (as for an absent one), got {status}",
                who.label(),
                level.label()
            ));
        }
    }
    None
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_route_role_and_level_is_authorised_as_declared() {
    let site = Site::new().await;
    let routes = routes::all();
    assert!(
        routes
            .iter()
            .any(|r| r.origin == Origin::Api && r.access == Access::Public)
            && routes.iter().any(|r| r.access == Access::Write),
        "the route list is read from the OpenAPI document and the page table: {routes:?}"
    );
    // Rows of the table: route label and level → status per viewer.
    let mut table: BTreeMap<(String, String), BTreeMap<Who, u16>> = BTreeMap::new();
    let mut failures = Vec::new();
    for route in &routes {
        for probe in probes(&site, route) {
            for who in Who::ALL {
                let mut call = Call::new(route.method.clone(), probe.uri.clone(), site.cred(who));
                if let Some((ct, body)) = &probe.body {
                    call = call.body(ct, body.clone());
                }
                let reply = site.send(call).await;
                let status = reply.status.as_u16();
                if let Some(problem) =
                    judge(route, who, probe.level, status, reply.header("location"))
                {
                    failures.push(format!(
                        "{} ({}): {problem}\n    {}",
                        route.label(),
                        probe.uri,
                        reply.describe()
                    ));
                }
                let level = probe.level.map_or("", Level::label).to_owned();
                table
                    .entry((route.label(), level))
                    .or_default()
                    .insert(who, status);
            }
        }
    }
    print_table(&routes, &table);
    assert!(
        failures.is_empty(),
        "{} authorisation failure(s):\n{}",
        failures.len(),
        failures.join("\n")
    );
}

fn print_table(routes: &[Route], table: &BTreeMap<(String, String), BTreeMap<Who, u16>>) {
    let access: BTreeMap<String, Access> = routes.iter().map(|r| (r.label(), r.access)).collect();
    let width = table
        .keys()
        .map(|(r, l)| r.len() + l.len() + 3)
        .max()
        .unwrap_or(10);
    let mut out = format!(
        "\nAuthorisation matrix (status per viewer; item level in brackets)\n{:width$} {:9}",
        "route", "access"
    );
    for who in Who::ALL {
        out.push_str(&format!(" {:>12}", who.label()));
    }
    out.push('\n');
    for ((route, level), statuses) in table {
        let label = if level.is_empty() {
            route.clone()
        } else {
            format!("{route} [{level}]")
        };
        let a = format!("{:?}", access[route]).to_lowercase();
        out.push_str(&format!("{label:width$} {a:9}"));
        for who in Who::ALL {
            out.push_str(&format!(
                " {:>12}",
                statuses.get(&who).copied().unwrap_or(0)
            ));
        }
        out.push('\n');
    }
    println!("{out}");
}

#[test]
fn unknown_path_parameters_fail_loudly() {
    let result = std::panic::catch_unwind(|| routes::path_params("/api/widgets/{widget}"));
    let message = result
        .expect_err("an unknown parameter must stop the run")
        .downcast::<String>()
        .expect("a message");
    assert!(
        message.contains("{widget}") && message.contains("param_kind"),
        "{message}"
    );
}

#[test]
fn routes_declare_access_consistently_and_no_unsafe_route_is_public() {
    // access_of asserts that token and session ask for the same scopes; reading every
    // route runs it. Write routes must also say so (no unsafe route is public).
    for route in routes::all() {
        if !route.is_safe() && !matches!(route.path.as_str(), "/login" | "/logout") {
            assert_ne!(
                route.access,
                Access::Public,
                "{} changes the register but is declared public",
                route.label()
            );
        }
    }
}
