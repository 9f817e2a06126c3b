//! Static assets (CSS, scripts, vendored libraries and map data) compiled into the binary
//! from `crates/armtrace-web/assets/` and served under `/assets/`, so the application
//! works with no network at all.

use axum::Router;
use axum::extract::Path;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use rust_embed::RustEmbed;

use crate::state::AppState;

#[derive(RustEmbed)]
#[folder = "assets/"]
struct AssetFiles;

pub fn router() -> Router<AppState> {
    Router::new().route("/assets/{*path}", get(asset))
}

fn content_type(path: &str) -> &'static str {
    match path.rsplit('.').next().unwrap_or("") {
        "css" => "text/css; charset=utf-8",
        "js" => "text/javascript; charset=utf-8",
        "json" => "application/json",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "ico" => "image/x-icon",
        "woff2" => "font/woff2",
        "txt" | "md" => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    }
}

async fn asset(Path(path): Path<String>) -> Response {
    match AssetFiles::get(&path) {
        Some(file) => {
            let etag = format!("\"{}\"", hex::encode(&file.metadata.sha256_hash()[..12]));
            (
                [
                    (
                        header::CONTENT_TYPE,
                        HeaderValue::from_static(content_type(&path)),
                    ),
                    (
                        header::CACHE_CONTROL,
                        HeaderValue::from_static("public, max-age=3600"),
                    ),
                    (
                        header::ETAG,
                        HeaderValue::from_str(&etag).expect("hex is a valid header"),
                    ),
                ],
                file.data,
            )
                .into_response()
        }
        None => (StatusCode::NOT_FOUND, format!("no asset {path:?}")).into_response(),
    }
}
