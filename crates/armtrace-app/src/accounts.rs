//! Accounts: who someone is (an API token, a browser session, a sign-in with a password)
//! and what they may see, and the administration of users, grants and tokens.
//!
//! Sign-in is limited per client address and per account, in one place: the user name
//! is read in one canonical form (trimmed, case-folded) for both the limit and the
//! lookup; each attempt is counted *before* its password is checked, under one lock, so
//! parallel attempts cannot slip past the count; a sign-in that succeeds clears only
//! that account's failures, never those recorded against other names or against the
//! address; an account or address that reaches the limit is locked out, for twice as
//! long at each lock-out in a row. Attempts are counted in memory in a bounded table;
//! only lock-outs are written to the audit log, so nobody can grow the log by failing.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use armtrace_core::{Clearance, Role};
use armtrace_store::accounts::{ApiToken, User};
use armtrace_store::audit::AuditEvent;

use crate::actor::{Actor, Desk};
use crate::error::AppResult;
use crate::register::Register;

/// Failed sign-ins allowed per account and per address in [`LOGIN_WINDOW`].
pub const LOGIN_ATTEMPTS: usize = 5;
/// The window failures are counted in, and the first lock-out's length.
pub const LOGIN_WINDOW: Duration = Duration::from_secs(15 * 60);
/// The longest lock-out.
pub const MAX_LOCKOUT: Duration = Duration::from_secs(24 * 60 * 60);
/// Keys the limiter keeps at most (addresses and accounts together).
const MAX_KEYS: usize = 20_000;

/// A signed-in person and their browser session.
#[derive(Debug, Clone)]
pub struct SignIn {
    pub actor: Actor,
    pub user: User,
    /// The session token for the cookie (shown once, stored as its hash).
    pub session: String,
    /// The anti-forgery token forms and unsafe requests must echo.
    pub csrf: String,
}

/// Why a sign-in was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SignInRefusal {
    /// The name or the password is wrong (the same answer for both).
    WrongCredentials,
    /// Too many failures: try again in this many seconds.
    TooManyAttempts { wait_seconds: u64 },
}

/// The canonical form of a user name for sign-in: trimmed and case-folded.
pub fn canonical_name(name: &str) -> String {
    name.trim().to_lowercase()
}

#[derive(Debug, Default)]
struct KeyState {
    /// Attempts counted in the window (failed, or still being checked).
    attempts: Vec<Instant>,
    locked_until: Option<Instant>,
    /// Lock-outs in a row: each doubles the next one's length.
    lockouts: u32,
}

impl KeyState {
    fn forget_old(&mut self, now: Instant) {
        self.attempts
            .retain(|t| now.duration_since(*t) < LOGIN_WINDOW);
        if self.locked_until.is_some_and(|u| u <= now) {
            self.locked_until = None;
        }
    }

    fn is_idle(&self, now: Instant) -> bool {
        self.attempts.is_empty() && self.locked_until.is_none_or(|u| u <= now) && self.lockouts == 0
    }
}

/// Counts sign-in attempts per key (`ip:…`, `user:…`).
#[derive(Debug, Default)]
pub(crate) struct LoginLimiter {
    keys: Mutex<HashMap<String, KeyState>>,
}

/// An attempt counted against its keys, to be settled once its password is checked.
pub(crate) struct Attempt {
    keys: Vec<String>,
    at: Instant,
}

/// What the limiter decided about one attempt.
enum Admission {
    Go(Attempt),
    /// Refused: seconds to wait, and the keys that were locked out just now.
    Wait(u64, Vec<String>),
}

impl LoginLimiter {
    /// Counts an attempt against every key, or refuses it when a key is locked out or
    /// has used up its attempts (locking it out then).
    fn admit(&self, keys: &[String]) -> Admission {
        let now = Instant::now();
        let mut map = self.keys.lock().expect("limiter lock");
        let mut wait = Duration::ZERO;
        let mut locked_now = Vec::new();
        for key in keys {
            let state = map.entry(key.clone()).or_default();
            state.forget_old(now);
            if let Some(until) = state.locked_until {
                wait = wait.max(until - now);
            } else if state.attempts.len() >= LOGIN_ATTEMPTS {
                let length = LOGIN_WINDOW
                    .saturating_mul(1 << state.lockouts.min(10))
                    .min(MAX_LOCKOUT);
                state.locked_until = Some(now + length);
                state.lockouts += 1;
                state.attempts.clear();
                wait = wait.max(length);
                locked_now.push(key.clone());
            }
        }
        if !wait.is_zero() {
            return Admission::Wait(wait.as_secs().max(1), locked_now);
        }
        for key in keys {
            map.entry(key.clone()).or_default().attempts.push(now);
        }
        if map.len() > MAX_KEYS {
            map.retain(|_, s| {
                s.forget_old(now);
                !s.is_idle(now)
            });
            // Still too many: drop the keys whose newest attempt is oldest.
            if map.len() > MAX_KEYS {
                let mut by_age: Vec<(Instant, String)> = map
                    .iter()
                    .map(|(k, s)| (s.attempts.last().copied().unwrap_or(now), k.clone()))
                    .collect();
                by_age.sort();
                for (_, k) in by_age.iter().take(map.len() - MAX_KEYS) {
                    map.remove(k);
                }
            }
        }
        Admission::Go(Attempt {
            keys: keys.to_vec(),
            at: now,
        })
    }

    /// A sign-in succeeded: the account starts afresh; the attempt no longer counts
    /// against the address (other failures recorded there stay).
    fn succeeded(&self, attempt: Attempt, account_key: &str) {
        let mut map = self.keys.lock().expect("limiter lock");
        map.remove(account_key);
        for key in &attempt.keys {
            if let Some(state) = map.get_mut(key)
                && let Some(i) = state.attempts.iter().position(|t| *t == attempt.at)
            {
                state.attempts.remove(i);
            }
        }
    }
}

impl Register {
    /// Signs someone in with a name and a password, from a client address: a session,
    /// or why not. A wrong name and a wrong password take as long and answer alike.
    pub async fn sign_in(
        &self,
        name: &str,
        password: &str,
        client: &str,
    ) -> AppResult<Result<SignIn, SignInRefusal>> {
        let canonical = canonical_name(name);
        let account_key = format!("user:{canonical}");
        let keys = [format!("ip:{client}"), account_key.clone()];
        let attempt = match self.logins.admit(&keys) {
            Admission::Go(attempt) => attempt,
            Admission::Wait(wait_seconds, locked_now) => {
                for key in locked_now {
                    let event = AuditEvent::new("web:anonymous", "login.lockout")
                        .on("sign-in", key.replace('\0', "\u{FFFD}"))
                        .with_detail(serde_json::json!({
                            "attempts": LOGIN_ATTEMPTS,
                            "window_seconds": LOGIN_WINDOW.as_secs(),
                            "locked_seconds": wait_seconds,
                        }));
                    self.store().audit_append(event).await?;
                }
                return Ok(Err(SignInRefusal::TooManyAttempts { wait_seconds }));
            }
        };
        let Some(user) = self.store().check_password(&canonical, password).await? else {
            return Ok(Err(SignInRefusal::WrongCredentials));
        };
        self.logins.succeeded(attempt, &account_key);
        let clearance = self.store().clearance(&user).await?;
        let (session, csrf) = self.store().create_session(&user).await?;
        Ok(Ok(SignIn {
            actor: Actor::web(&user.name, user.role, clearance),
            user,
            session,
            csrf,
        }))
    }

    /// The person behind an API token; `None` for an unknown or revoked token.
    pub async fn token_holder(&self, token: &str) -> AppResult<Option<(Actor, User)>> {
        let Some(user) = self.store().token_user(token).await? else {
            return Ok(None);
        };
        let clearance = self.store().clearance(&user).await?;
        Ok(Some((Actor::web(&user.name, user.role, clearance), user)))
    }

    /// The person behind a live browser session, with the session's CSRF token.
    pub async fn session_holder(&self, token: &str) -> AppResult<Option<(Actor, User, String)>> {
        let Some(session) = self.store().session(token).await? else {
            return Ok(None);
        };
        let clearance = self.store().clearance(&session.user).await?;
        Ok(Some((
            Actor::web(&session.user.name, session.user.role, clearance),
            session.user,
            session.csrf,
        )))
    }

    /// Ends a browser session (signing out).
    pub async fn end_session(&self, token: &str) -> AppResult<()> {
        Ok(self.store().end_session(token).await?)
    }
}

/// A user with the items granted to them one by one.
#[derive(Debug, Clone, serde::Serialize)]
pub struct UserEntry {
    #[serde(flatten)]
    pub user: User,
    pub granted_items: Vec<String>,
}

impl Desk<'_> {
    /// Creates a user; one without a password signs in with API tokens only.
    pub async fn create_user(
        &self,
        name: &str,
        role: Role,
        password: Option<&str>,
    ) -> AppResult<User> {
        self.admin("manage users")?;
        Ok(self
            .register
            .store()
            .create_user(name, role, password, &self.actor.name)
            .await?)
    }

    /// Every user with their one-by-one grants.
    pub async fn users(&self) -> AppResult<Vec<UserEntry>> {
        self.admin("manage users")?;
        let store = self.register.store();
        let mut out = Vec::new();
        for user in store.users().await? {
            let granted_items = store.granted_refs(user.id).await?;
            out.push(UserEntry {
                user,
                granted_items,
            });
        }
        Ok(out)
    }

    /// One user, if present.
    pub async fn user(&self, name: &str) -> AppResult<Option<User>> {
        self.admin("manage users")?;
        match self.register.store().user(name).await {
            Ok(u) => Ok(Some(u)),
            Err(armtrace_store::StoreError::NotFound { .. }) => Ok(None),
            Err(e) => Err(e.into()),
        }
    }

    pub async fn set_role(&self, name: &str, role: Role) -> AppResult<User> {
        self.admin("manage users")?;
        Ok(self
            .register
            .store()
            .set_user_role(name, role, &self.actor.name)
            .await?)
    }

    pub async fn set_password(&self, name: &str, password: &str) -> AppResult<User> {
        self.admin("manage users")?;
        Ok(self
            .register
            .store()
            .set_user_password(name, password, &self.actor.name)
            .await?)
    }

    pub async fn set_disabled(&self, name: &str, disabled: bool) -> AppResult<User> {
        self.admin("manage users")?;
        Ok(self
            .register
            .store()
            .set_user_disabled(name, disabled, &self.actor.name)
            .await?)
    }

    /// Grants every confidential item (or takes the grant back).
    pub async fn set_confidential_grant(&self, name: &str, granted: bool) -> AppResult<User> {
        self.admin("manage grants")?;
        Ok(self
            .register
            .store()
            .set_confidential_grant(name, granted, &self.actor.name)
            .await?)
    }

    /// Grants one confidential item.
    pub async fn grant_item(&self, name: &str, item: &str) -> AppResult<()> {
        self.admin("manage grants")?;
        Ok(self
            .register
            .store()
            .grant_item(name, item, &self.actor.name)
            .await?)
    }

    /// Takes back a grant of one item; whether there was one.
    pub async fn revoke_item(&self, name: &str, item: &str) -> AppResult<bool> {
        self.admin("manage grants")?;
        Ok(self
            .register
            .store()
            .revoke_item(name, item, &self.actor.name)
            .await?)
    }

    /// Creates an API token for a user: its bookkeeping and the token (shown once).
    pub async fn create_token(
        &self,
        user: &str,
        label: Option<&str>,
    ) -> AppResult<(ApiToken, String)> {
        self.admin("manage tokens")?;
        Ok(self
            .register
            .store()
            .create_token(user, label, &self.actor.name)
            .await?)
    }

    /// Tokens, of one user or all.
    pub async fn tokens(&self, user: Option<&str>) -> AppResult<Vec<ApiToken>> {
        self.admin("manage tokens")?;
        Ok(self.register.store().tokens(user).await?)
    }

    pub async fn revoke_token(&self, id: i64) -> AppResult<ApiToken> {
        self.admin("manage tokens")?;
        Ok(self
            .register
            .store()
            .revoke_token(id, &self.actor.name)
            .await?)
    }
}

/// A fresh password of 20 hex characters (80 bits, easy to type once).
pub fn generate_password() -> String {
    armtrace_store::accounts::random_secret()[..20].to_owned()
}

/// What a viewer may see, as `/api/me` says it.
#[derive(Debug, Clone, serde::Serialize)]
pub struct ClearanceSummary {
    /// The confidentiality levels visible as a whole.
    pub sees: Vec<&'static str>,
    /// Confidential items granted one by one.
    pub granted_items: usize,
}

/// What a viewer with this clearance may see, in words a client can show.
pub fn describe_clearance(clearance: &Clearance) -> ClearanceSummary {
    ClearanceSummary {
        sees: clearance.levels().iter().map(|l| l.as_str()).collect(),
        granted_items: clearance.granted_items.len(),
    }
}
