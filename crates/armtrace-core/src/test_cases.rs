//! How many cases a property test runs: its own default, or `PROPTEST_CASES` when set.
//!
//! `ProptestConfig::with_cases(n)` ignores the environment, so a test that wants more
//! than proptest's default of 256 would never run longer when asked to. Every property
//! test with its own count asks here instead, so `PROPTEST_CASES=100000 cargo test`
//! runs all of them 100,000 times.

/// `default`, unless `PROPTEST_CASES` names another count.
pub(crate) fn cases(default: u32) -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}
