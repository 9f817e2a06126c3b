//! The integration tests of the item register: one test binary that drives the real
//! `armtrace` executable through its command line, each test in its own temporary
//! register, and checks what a user would see (exit status, reports, listings, exports).
//!
//! These tests must not reach into the store or the core: the CLI contract of the issue
//! "The item register" is what they pin down, with `chain.rs` and `search.rs` covering
//! the supply-chain and search commands. Run with
//! `cargo test -p armtrace --test it`.

mod audit;
mod browser;
mod chain;
mod columns;
mod demo;
mod errors;
mod export;
mod formats;
mod import;
mod interrupt;
mod items;
mod migrate_store;
mod roundtrip;
mod search;
mod serve;
mod sipri;
mod sipri_real;
mod stats;
mod support;
