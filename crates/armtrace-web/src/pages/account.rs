//! Signing in and out of the web application.
//!
//! Sign-in is limited per client address and per account by the application
//! ([`armtrace_app::LOGIN_ATTEMPTS`] failures in a window answer 429, with lock-outs
//! that double).
//! The login form is protected against cross-site posting by an Origin check, since
//! there is no session (and so no CSRF token) yet.

use std::collections::BTreeMap;
use std::net::SocketAddr;

use armtrace_app::SignInRefusal;
use axum::extract::{ConnectInfo, Form, RawQuery, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect};
use axum_extra::extract::cookie::CookieJar;
use minijinja::context;
use serde::Deserialize;

use super::browse::query;
use super::{Page, PageResult};
use crate::auth::{Credential, Viewer, removal_cookie, session_cookie};
use crate::error::ApiError;
use crate::state::AppState;

#[derive(Debug, Deserialize)]
pub struct NextParam {
    next: Option<String>,
}

/// Only local paths, so the sign-in cannot redirect elsewhere.
fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(n) if n.starts_with('/') && !n.starts_with("//") && !n.contains('\\') => n.to_owned(),
        _ => "/".to_owned(),
    }
}

pub async fn login_page(
    State(state): State<AppState>,
    viewer: Viewer,
    RawQuery(raw): RawQuery,
) -> PageResult {
    let (map, p) = query::<NextParam>(&raw)
        .map_err(|e| Page::new(&state, &viewer, "/login", BTreeMap::new()).fail(e))?;
    let page = Page::new(&state, &viewer, "/login", map);
    page.render(
        "login.html",
        context! { next => safe_next(p.next.as_deref()) },
    )
}

#[derive(Debug, Deserialize)]
pub struct LoginForm {
    name: String,
    password: String,
    next: Option<String>,
}

/// Whether a form post comes from this site (when the browser says where it comes from).
fn same_origin(headers: &HeaderMap) -> bool {
    let Some(origin) = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) else {
        return true;
    };
    let Some(host) = headers.get(header::HOST).and_then(|v| v.to_str().ok()) else {
        return false;
    };
    origin.split("://").nth(1) == Some(host)
}

pub async fn login(
    State(state): State<AppState>,
    viewer: Viewer,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    jar: CookieJar,
    Form(form): Form<LoginForm>,
) -> PageResult {
    let page = Page::new(&state, &viewer, "/login", BTreeMap::new());
    if !same_origin(&headers) {
        return Err(page.fail(ApiError::new(
            StatusCode::FORBIDDEN,
            "sign in from this site's own sign-in page",
        )));
    }
    let next = safe_next(form.next.as_deref());
    let signed = state
        .register
        .sign_in(&form.name, &form.password, &peer.ip().to_string())
        .await
        .map_err(|e| page.fail(e.into()))?;
    let signed = match signed {
        Ok(s) => s,
        Err(SignInRefusal::TooManyAttempts { wait_seconds }) => {
            let mut resp = page.render_status(
                StatusCode::TOO_MANY_REQUESTS,
                "login.html",
                context! { next => next, error => format!("Too many failed sign-ins: try again in {} minutes.", wait_seconds.div_ceil(60)) },
            )?;
            resp.headers_mut()
                .insert(header::RETRY_AFTER, wait_seconds.into());
            return Ok(resp);
        }
        Err(SignInRefusal::WrongCredentials) => {
            return page.render_status(
                StatusCode::UNAUTHORIZED,
                "login.html",
                context! { next => next, name => form.name, error => "Wrong user name or password." },
            );
        }
    };
    let jar = jar.add(session_cookie(signed.session, state.options.secure_cookies));
    Ok((jar, Redirect::to(&next)).into_response())
}

#[derive(Debug, Deserialize)]
pub struct LogoutForm {
    csrf: Option<String>,
}

pub async fn logout(
    State(state): State<AppState>,
    viewer: Viewer,
    jar: CookieJar,
    Form(form): Form<LogoutForm>,
) -> PageResult {
    let page = Page::new(&state, &viewer, "/logout", BTreeMap::new());
    if let Credential::Session { token, .. } = &viewer.credential {
        viewer
            .check_csrf(form.csrf.as_deref())
            .map_err(|e| page.fail(e))?;
        state
            .register
            .end_session(token)
            .await
            .map_err(|e| page.fail(e.into()))?;
    }
    Ok((jar.add(removal_cookie()), Redirect::to("/")).into_response())
}
