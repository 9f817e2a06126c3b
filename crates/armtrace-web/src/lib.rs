//! The armtrace web application: a JSON API under `/api/` (described by the OpenAPI
//! document at `/api/openapi.json`, generated from the handlers) and server-rendered
//! pages for investigators, analysts and the public, in one binary with its assets.
//!
//! This crate never decides who may see what. Each request is made by a
//! [`auth::Viewer`] (anonymous, or a user by session cookie or API token) whose
//! [`Clearance`](armtrace_core::Clearance) the application layer builds and applies
//! (`armtrace_app::Register::for_viewer`): the web only hands it over and translates
//! results into JSON and pages. Who may call a route is declared once per route (API:
//! the OpenAPI `security` of the handler; pages: the page table in [`pages`]) and the
//! authorisation-matrix test walks those declarations.

pub mod api;
pub mod assets;
pub mod auth;
pub mod error;
pub mod pages;
pub mod state;
pub mod templates;

use std::net::SocketAddr;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use tower_http::set_header::SetResponseHeaderLayer;

pub use state::{AppState, ServeOptions};

/// Largest request body of an import upload (`POST /api/imports`, `POST /import`).
pub const MAX_UPLOAD_BYTES: usize = 256 * 1024 * 1024;
/// Largest request body of an evidence upload: the largest evidence file and its form.
pub const MAX_EVIDENCE_UPLOAD_BYTES: usize = armtrace_app::MAX_EVIDENCE_BYTES + 64 * 1024;
/// Largest request body of the sign-in form: a name and a password.
pub const MAX_SIGN_IN_BYTES: usize = 8 * 1024;
/// Largest request body anywhere else (a trace request, a step, a sign-out).
pub const MAX_BODY_BYTES: usize = 256 * 1024;

/// The whole application: API, pages and assets.
pub fn app(state: AppState) -> Router {
    let (api, _) = api::router().split_for_parts();
    let (pages, _) = pages::router();
    Router::new()
        .merge(api)
        .merge(pages)
        .merge(assets::router())
        .fallback(pages::not_found)
        .layer(axum::middleware::from_fn(refuse_nul_in_url))
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(SetResponseHeaderLayer::if_not_present(
            axum::http::header::X_CONTENT_TYPE_OPTIONS,
            axum::http::HeaderValue::from_static("nosniff"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            axum::http::header::X_FRAME_OPTIONS,
            axum::http::HeaderValue::from_static("DENY"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            axum::http::header::REFERRER_POLICY,
            axum::http::HeaderValue::from_static("same-origin"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            axum::http::header::CONTENT_SECURITY_POLICY,
            axum::http::HeaderValue::from_static(
                "default-src 'self'; img-src 'self' data: blob:; style-src 'self' 'unsafe-inline'; script-src 'self'; connect-src 'self'; frame-ancestors 'none'; form-action 'self'",
            ),
        ))
        .with_state(state)
}

/// Answers 400 to a URL holding a NUL character (`%00`): no value in the register can
/// contain one (PostgreSQL text cannot), so no path or filter with one can name anything.
async fn refuse_nul_in_url(
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    use axum::response::IntoResponse;
    let uri = request.uri();
    let has_nul = |s: &str| {
        s.as_bytes()
            .windows(3)
            .any(|w| w[0] == b'%' && w[1] == b'0' && w[2] == b'0')
    };
    if has_nul(uri.path()) || uri.query().is_some_and(has_nul) {
        return error::ApiError::bad_request(
            "the URL holds a NUL character (%00), which no value in the register can contain",
        )
        .into_response();
    }
    next.run(request).await
}

/// How often a server checks the register version when no notification came (the only
/// way on SQLite; a fallback on PostgreSQL, where NOTIFY tells at once).
pub const CHANGE_POLL: std::time::Duration = std::time::Duration::from_secs(3);

/// Serves the application until Ctrl-C. The listener is bound before the register is
/// loaded, so `/healthz` can answer 503 until the search index is ready; afterwards the
/// server follows changes other processes make to the register.
pub async fn serve(
    state: AppState,
    addr: SocketAddr,
    on_ready: impl FnOnce(SocketAddr),
) -> anyhow::Result<()> {
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|e| anyhow::anyhow!("cannot listen on {addr}: {e}; pass another --addr"))?;
    let bound = listener.local_addr()?;
    let loader = state.clone();
    tokio::spawn(async move {
        if let Err(e) = loader.register.refresh().await {
            tracing::error!("cannot load the register: {e}");
        }
        if let Err(e) = loader.register.follow_changes(CHANGE_POLL).await {
            tracing::error!("cannot follow changes to the register: {e}");
        }
    });
    on_ready(bound);
    axum::serve(
        listener,
        app(state).into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(async {
        let _ = tokio::signal::ctrl_c().await;
    })
    .await?;
    Ok(())
}
