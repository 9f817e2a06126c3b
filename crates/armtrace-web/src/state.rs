//! What every request shares: the register (through the application layer, which holds
//! its caches and follows changes other processes make), the templates, and how the
//! server was started.

use std::sync::Arc;

use armtrace_app::Register;

use crate::templates::Templates;

/// How the server was started.
#[derive(Debug, Clone, Default)]
pub struct ServeOptions {
    /// Mark session cookies `Secure` (set when the site is served over HTTPS, directly or
    /// behind a proxy).
    pub secure_cookies: bool,
}

/// The shared state, cheap to clone.
#[derive(Clone)]
pub struct AppState(Arc<Inner>);

pub struct Inner {
    pub register: Register,
    pub options: ServeOptions,
    pub templates: Templates,
}

impl std::fmt::Debug for AppState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AppState")
            .field("register", &self.register.location())
            .finish_non_exhaustive()
    }
}

impl std::ops::Deref for AppState {
    type Target = Inner;
    fn deref(&self) -> &Inner {
        &self.0
    }
}

impl AppState {
    /// State over an open register. A server calls [`Register::refresh`] before it
    /// answers searches (`serve` does it in the background; tests await it).
    pub fn new(register: Register, options: ServeOptions) -> anyhow::Result<AppState> {
        Ok(AppState(Arc::new(Inner {
            register,
            options,
            templates: Templates::load()?,
        })))
    }
}
