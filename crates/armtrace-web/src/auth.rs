//! Who is asking: the [`Viewer`] of a request, from an API token or a session cookie,
//! and what they may do.
//!
//! * `Authorization: Bearer <token>`: an API token (`armtrace token create`). A wrong or
//!   revoked token is refused with 401 rather than treated as anonymous, so a client
//!   learns its token is bad.
//! * The `armtrace_session` cookie (HttpOnly, SameSite=Lax, `Secure` when configured):
//!   a browser session from `/login`. Unsafe requests made with a session must carry the
//!   session's CSRF token (form field `csrf` or header `X-CSRF-Token`); token requests
//!   need none, since a browser never adds them on its own.
//! * Neither: an anonymous visitor, who sees the public portal only.

use armtrace_app::types::User;
use armtrace_app::{Actor, Desk, View};
use armtrace_core::{Clearance, Role};
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderMap, Method};
use axum_extra::extract::cookie::{Cookie, CookieJar, SameSite};

use crate::error::ApiError;
use crate::state::AppState;

/// The session cookie's name.
pub const SESSION_COOKIE: &str = "armtrace_session";
/// The header carrying the CSRF token for script requests.
pub const CSRF_HEADER: &str = "x-csrf-token";

/// Who may call a route.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Access {
    /// Anyone; what they see is filtered by their clearance.
    Public,
    /// Any signed-in user.
    SignedIn,
    /// Admins and investigators.
    Write,
    /// Admins.
    Admin,
}

impl Access {
    /// From the OpenAPI security scopes of a route: none = public, `[]` = signed in,
    /// `["write"]`, `["admin"]`.
    pub fn from_scopes(scopes: Option<&[String]>) -> Access {
        match scopes {
            None => Access::Public,
            Some(s) if s.iter().any(|x| x == "admin") => Access::Admin,
            Some(s) if s.iter().any(|x| x == "write") => Access::Write,
            Some(_) => Access::SignedIn,
        }
    }

    /// Whether a user of this role (or anonymous, `None`) may call a route with this access.
    pub fn admits(self, role: Option<Role>) -> bool {
        match (self, role) {
            (Access::Public, _) => true,
            (_, None) => false,
            (Access::SignedIn, Some(_)) => true,
            (Access::Write, Some(r)) => r.can_write(),
            (Access::Admin, Some(r)) => r.is_admin(),
        }
    }
}

/// How the viewer proved who they are.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Credential {
    Anonymous,
    Token,
    /// A browser session and its CSRF token.
    Session {
        token: String,
        csrf: String,
    },
}

/// The person (or program) behind a request.
#[derive(Debug, Clone)]
pub struct Viewer {
    pub user: Option<User>,
    /// Who writes, for a signed-in user.
    pub actor: Option<Actor>,
    /// What the viewer may see, as the application decides it (handed over, never asked).
    pub clearance: Clearance,
    pub credential: Credential,
}

impl Viewer {
    pub fn anonymous() -> Viewer {
        Viewer {
            user: None,
            actor: None,
            clearance: Clearance::public(),
            credential: Credential::Anonymous,
        }
    }

    /// The register as this viewer may see it.
    pub fn view<'r>(&self, state: &'r AppState) -> View<'r> {
        state.register.for_viewer(&self.clearance)
    }

    /// Where this viewer writes; 401 for anonymous visitors.
    pub fn desk<'r>(&self, state: &'r AppState) -> Result<Desk<'r>, ApiError> {
        self.actor
            .as_ref()
            .map(|a| state.register.for_actor(a))
            .ok_or_else(ApiError::unauthorized)
    }

    pub fn role(&self) -> Option<Role> {
        self.user.as_ref().map(|u| u.role)
    }

    pub fn is_anonymous(&self) -> bool {
        self.user.is_none()
    }

    /// The CSRF token to put in forms ("" when not signed in by session).
    pub fn csrf(&self) -> &str {
        match &self.credential {
            Credential::Session { csrf, .. } => csrf,
            _ => "",
        }
    }

    /// Refuses with 401/403 unless this viewer has `access`; `what` says what was refused.
    pub fn require(&self, access: Access, what: &str) -> Result<(), ApiError> {
        if access.admits(self.role()) {
            Ok(())
        } else if self.is_anonymous() {
            Err(ApiError::unauthorized())
        } else {
            Err(ApiError::forbidden(what))
        }
    }

    /// For unsafe requests made with a session: the CSRF token sent must be the session's.
    pub fn check_csrf(&self, sent: Option<&str>) -> Result<(), ApiError> {
        match &self.credential {
            Credential::Session { csrf, .. } => {
                let ok = sent.is_some_and(|s| constant_time_eq(s.as_bytes(), csrf.as_bytes()));
                if ok {
                    Ok(())
                } else {
                    Err(ApiError::new(
                        axum::http::StatusCode::FORBIDDEN,
                        "the form or request is missing its CSRF token (or it is stale): reload the page and try again; scripts send the `X-CSRF-Token` header",
                    ))
                }
            }
            _ => Ok(()),
        }
    }
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// The bearer token of a request, if it sends one.
fn bearer(headers: &HeaderMap) -> Option<Result<&str, ApiError>> {
    let value = headers.get(axum::http::header::AUTHORIZATION)?;
    let bad = || {
        ApiError::new(
            axum::http::StatusCode::UNAUTHORIZED,
            "the Authorization header must be `Bearer <token>` with a token from `armtrace token create`",
        )
    };
    Some(
        value
            .to_str()
            .ok()
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .ok_or_else(bad),
    )
}

impl FromRequestParts<AppState> for Viewer {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        if let Some(cached) = parts.extensions.get::<Viewer>() {
            return Ok(cached.clone());
        }
        let viewer = identify(parts, state).await?;
        if !matches!(parts.method, Method::GET | Method::HEAD | Method::OPTIONS)
            && let Credential::Session { .. } = viewer.credential
        {
            // Pages check their form's `csrf` field; API calls made with a session
            // (scripts in our pages) must send the header.
            let sent = parts.headers.get(CSRF_HEADER).and_then(|v| v.to_str().ok());
            if sent.is_some() || parts.uri.path().starts_with("/api/") {
                viewer.check_csrf(sent)?;
            }
        }
        parts.extensions.insert(viewer.clone());
        Ok(viewer)
    }
}

async fn identify(parts: &Parts, state: &AppState) -> Result<Viewer, ApiError> {
    if let Some(token) = bearer(&parts.headers) {
        let token = token?;
        let (actor, user) = state.register.token_holder(token).await?.ok_or_else(|| {
            ApiError::new(
                axum::http::StatusCode::UNAUTHORIZED,
                "this API token is unknown or revoked: create a new one with `armtrace token create USER`",
            )
        })?;
        return Ok(Viewer {
            clearance: actor.clearance.clone(),
            user: Some(user),
            actor: Some(actor),
            credential: Credential::Token,
        });
    }
    let jar = CookieJar::from_headers(&parts.headers);
    if let Some(cookie) = jar.get(SESSION_COOKIE) {
        let token = cookie.value().to_owned();
        if let Some((actor, user, csrf)) = state.register.session_holder(&token).await? {
            return Ok(Viewer {
                clearance: actor.clearance.clone(),
                user: Some(user),
                actor: Some(actor),
                credential: Credential::Session { token, csrf },
            });
        }
    }
    Ok(Viewer::anonymous())
}

/// The session cookie for a new session.
pub fn session_cookie(token: String, secure: bool) -> Cookie<'static> {
    let mut c = Cookie::new(SESSION_COOKIE, token);
    c.set_http_only(true);
    c.set_same_site(SameSite::Lax);
    c.set_path("/");
    c.set_secure(secure);
    c.set_max_age(time_hours(armtrace_app::SESSION_HOURS));
    c
}

/// A cookie that removes the session cookie.
pub fn removal_cookie() -> Cookie<'static> {
    let mut c = Cookie::new(SESSION_COOKIE, "");
    c.set_path("/");
    c.make_removal();
    c
}

fn time_hours(h: i64) -> cookie::time::Duration {
    cookie::time::Duration::hours(h)
}
