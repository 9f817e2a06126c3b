//! Who reads and who writes: a [`View`] of the register for one viewer's clearance, and
//! a [`Desk`] where one actor writes.
//!
//! The clearance is handed in by the front end (the command line's is
//! [`Clearance::full`]; the web builds one from the signed-in user) and applied by every
//! method here. Front ends never ask a clearance anything themselves.

use armtrace_core::{Clearance, Role};

use crate::error::{AppError, AppResult};
use crate::register::Register;

/// Someone who writes: their name as recorded in revisions and the audit log
/// (`cli:amira`, `web:amira`), their role and what they may see.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    pub name: String,
    pub role: Role,
    pub clearance: Clearance,
}

impl Actor {
    /// The command line: it works on the register directly, so it may do and see
    /// everything. Named `cli:$ARMTRACE_ACTOR`, else `cli:$USER`.
    pub fn command_line() -> Actor {
        let name = std::env::var("ARMTRACE_ACTOR")
            .or_else(|_| std::env::var("USER"))
            .map(|u| format!("cli:{u}"))
            .unwrap_or_else(|_| "cli".to_owned());
        Actor {
            name,
            role: Role::Admin,
            clearance: Clearance::full(),
        }
    }

    /// A signed-in user of the web application.
    pub fn web(name: &str, role: Role, clearance: Clearance) -> Actor {
        Actor {
            name: format!("web:{name}"),
            role,
            clearance,
        }
    }
}

/// The register as one viewer may see it: every read applies the viewer's clearance.
pub struct View<'r> {
    pub(crate) register: &'r Register,
    pub(crate) clearance: Clearance,
}

/// Where one actor writes: every write checks the actor's role and appends its audit
/// entry; reads see what the actor may see.
pub struct Desk<'r> {
    pub(crate) register: &'r Register,
    pub(crate) actor: Actor,
}

impl Register {
    /// The register as a viewer with this clearance may see it.
    pub fn for_viewer(&self, clearance: &Clearance) -> View<'_> {
        View {
            register: self,
            clearance: clearance.clone(),
        }
    }

    /// Where `actor` writes.
    pub fn for_actor(&self, actor: &Actor) -> Desk<'_> {
        Desk {
            register: self,
            actor: actor.clone(),
        }
    }
}

impl View<'_> {
    /// Refuses anonymous viewers: `what` says what they tried.
    pub(crate) fn signed_in(&self, what: &str) -> AppResult<()> {
        if self.clearance.is_public() {
            Err(AppError::SignInRequired(what.to_owned()))
        } else {
            Ok(())
        }
    }
}

impl<'r> Desk<'r> {
    /// What this actor may see.
    pub fn view(&self) -> View<'r> {
        self.register.for_viewer(&self.actor.clearance)
    }

    /// The actor's name as recorded.
    pub fn actor(&self) -> &Actor {
        &self.actor
    }

    /// Refuses unless the actor's role may write (admins and investigators).
    pub(crate) fn writer(&self, what: &str) -> AppResult<()> {
        if self.actor.role.can_write() {
            Ok(())
        } else {
            Err(AppError::Forbidden(what.to_owned()))
        }
    }

    /// Refuses unless the actor is an admin.
    pub(crate) fn admin(&self, what: &str) -> AppResult<()> {
        if self.actor.role.is_admin() {
            Ok(())
        } else {
            Err(AppError::Forbidden(what.to_owned()))
        }
    }
}
