//! Errors as the web answers them: JSON for the API, a page for people, always with the
//! right status code and a message a person can act on. The application's own failures
//! answer 500 with a generic message and the id the server log holds the detail under:
//! no internal text reaches a client.

use armtrace_app::AppError;
use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use utoipa::ToSchema;

/// The body of every API error.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorBody {
    /// What went wrong and what to do about it.
    pub error: String,
    /// The HTTP status, repeated for clients that only see the body.
    pub status: u16,
}

/// An API error: a status and a message.
#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub message: String,
}

impl ApiError {
    pub fn new(status: StatusCode, message: impl Into<String>) -> Self {
        ApiError {
            status,
            message: message.into(),
        }
    }

    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, message)
    }

    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, message)
    }

    pub fn unauthorized() -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            "sign in first: send `Authorization: Bearer <token>` (create one with `armtrace token create USER`) or sign in at /login",
        )
    }

    pub fn forbidden(what: &str) -> Self {
        Self::new(
            StatusCode::FORBIDDEN,
            format!("your role may not {what}; ask an admin for a role that may"),
        )
    }

    /// A failure of this server (not the request's fault): logged with an id, answered
    /// with the id only.
    pub fn internal(detail: impl std::fmt::Display) -> Self {
        AppError::internal(detail).into()
    }
}

impl From<AppError> for ApiError {
    fn from(e: AppError) -> Self {
        let status = match &e {
            AppError::BadParameter { .. } | AppError::BadRequest(_) => StatusCode::BAD_REQUEST,
            AppError::NotFound { .. } | AppError::Unavailable(_) => StatusCode::NOT_FOUND,
            AppError::SignInRequired(_) => return ApiError::unauthorized(),
            AppError::Forbidden(_) => StatusCode::FORBIDDEN,
            AppError::Conflict(_) => StatusCode::CONFLICT,
            AppError::TooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            AppError::Internal { .. } => StatusCode::INTERNAL_SERVER_ERROR,
        };
        ApiError::new(status, e.to_string())
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = ErrorBody {
            error: self.message,
            status: self.status.as_u16(),
        };
        (self.status, Json(body)).into_response()
    }
}

pub type ApiResult<T> = Result<T, ApiError>;
