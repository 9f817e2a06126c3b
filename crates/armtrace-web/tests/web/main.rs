//! The web application's tests: one binary that drives the real router in-process
//! (`tower::ServiceExt::oneshot`) over a small synthetic register.
//!
//! * `api`, `search`, `chain`, `imports`, `trace`: every API route, good input and bad.
//! * `matrix`: the authorisation matrix, generated from the OpenAPI document and the
//!   page table, over every role and confidentiality level.
//! * `leak`: an anonymous crawl of everything that must not show hidden items or
//!   never-public fields.
//! * `session`: browser sessions, CSRF, sign-in limits.
//!
//! Run with `cargo test -p armtrace-web --test web` (add `-- --nocapture` to see the
//! matrix table).

mod api;
mod chain;
mod imports;
mod leak;
mod matrix;
mod register;
mod routes;
mod search;
mod session;
mod support;
mod trace;
