//! The web application's tests: one binary that drives the real router in-process
//! (`tower::ServiceExt::oneshot`) over a small synthetic register.
//!
//! * `api`, `search`, `chain`, `stats`, `imports`, `trace`, `evidence`, `audit`: every
//!   API route, good input and bad.
//! * `matrix`: the authorisation matrix, generated from the OpenAPI document and the
//!   page table, over every role and confidentiality level.
//! * `leak`: crawls (anonymous, viewer, granted viewer) of every route, page, link, form
//!   and export, which must never show what the crawler may not see; public counts.
//! * `session`: browser sessions, CSRF, sign-in limits.
//! * `shared`: two servers on one register; a write through one is found through the other.
//! * `escaping`: what the register and the request hold is shown as text, not markup.
//!
//! Run with `cargo test -p armtrace-web --test web` (add `-- --nocapture` to see the
//! matrix table).

mod api;
mod audit;
mod chain;
mod escaping;
mod evidence;
mod imports;
mod leak;
mod matrix;
mod register;
mod routes;
mod search;
mod session;
mod shared;
mod stats;
mod support;
mod trace;
