//! Accounts: users and their roles, browser sessions, API tokens and grants of
//! confidential items.
//!
//! Secrets never reach the database. Passwords are stored as Argon2id PHC strings;
//! session and API tokens are random 256-bit values given to the user once and stored
//! as their SHA-256, so a copy of the register does not let anyone sign in. What a user
//! may *see* is decided by [`Clearance`], built here from the role and the grants.

use argon2::Argon2;
use argon2::password_hash::rand_core::{OsRng, RngCore};
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use armtrace_core::{Clearance, Role};
use serde::Serialize;
use sha2::{Digest, Sha256};
use sqlx::Row;

use crate::audit::{AuditEvent, append_in};
use crate::error::{Result, StoreError};
use crate::statement::SqlParam;
use crate::store::{Store, now};

/// Shortest accepted password.
pub const MIN_PASSWORD_LEN: usize = 10;
/// How long a browser session lasts without signing in again.
pub const SESSION_HOURS: i64 = 12;
/// Prefix of API tokens, so a leaked one is recognisable in logs and secret scanners.
pub const TOKEN_PREFIX: &str = "armtrace_";

/// A user account (never its password).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct User {
    pub id: i64,
    pub name: String,
    pub role: Role,
    /// May see every confidential item.
    pub confidential_grant: bool,
    pub disabled: bool,
    pub created_at: String,
}

/// An API token's bookkeeping (never the token itself).
#[derive(Debug, Clone, Serialize)]
pub struct ApiToken {
    pub id: i64,
    pub user: String,
    pub label: Option<String>,
    pub created_at: String,
    pub last_used_at: Option<String>,
    pub revoked_at: Option<String>,
}

/// A signed-in browser session.
#[derive(Debug, Clone)]
pub struct Session {
    pub user: User,
    /// The anti-forgery token forms and unsafe requests must echo.
    pub csrf: String,
}

/// A fresh random secret (256 bits, hex).
pub fn random_secret() -> String {
    let mut bytes = [0u8; 32];
    OsRng.fill_bytes(&mut bytes);
    hex::encode(bytes)
}

/// The stored form of a session or API token.
pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

fn hash_password(password: &str) -> Result<String> {
    if password.chars().count() < MIN_PASSWORD_LEN {
        return Err(StoreError::Input(format!(
            "the password is too short: use at least {MIN_PASSWORD_LEN} characters"
        )));
    }
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| StoreError::Failed(format!("cannot hash the password: {e}")))
}

/// A valid user name: 1–64 letters, digits, `.`, `_`, `-` or `@`.
fn check_name(name: &str) -> Result<()> {
    let ok = !name.is_empty()
        && name.len() <= 64
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-' | '@'));
    if ok {
        Ok(())
    } else {
        Err(StoreError::Input(format!(
            "{name:?} is not a valid user name: use 1 to 64 letters, digits, '.', '_', '-' or '@'"
        )))
    }
}

fn user_from_row(row: &sqlx::any::AnyRow) -> Result<User> {
    let role: String = row.try_get("role")?;
    Ok(User {
        id: row.try_get("id")?,
        name: row.try_get("name")?,
        role: role
            .parse()
            .map_err(|e| StoreError::Corrupt(format!("role {role:?} {e}")))?,
        confidential_grant: row.try_get::<i64, _>("confidential_grant")? != 0,
        disabled: row.try_get::<i64, _>("disabled")? != 0,
        created_at: row.try_get("created_at")?,
    })
}

const USER_COLUMNS: &str = "id, name, role, confidential_grant, disabled, created_at";

fn not_found(name: &str) -> StoreError {
    StoreError::NotFound {
        kind: "user",
        reference: name.to_owned(),
    }
}

/// A deliberately slow check against a fixed hash, so that an unknown user name takes as
/// long to refuse as a wrong password (no user enumeration by timing).
fn burn_a_verification(password: &str) {
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    let dummy = DUMMY.get_or_init(|| {
        let salt = SaltString::generate(&mut OsRng);
        Argon2::default()
            .hash_password(random_secret().as_bytes(), &salt)
            .map(|h| h.to_string())
            .unwrap_or_default()
    });
    if let Ok(parsed) = PasswordHash::new(dummy) {
        let _ = Argon2::default().verify_password(password.as_bytes(), &parsed);
    }
}

impl Store {
    /// Creates a user. A password is optional: a user without one signs in only with API tokens.
    pub async fn create_user(
        &self,
        name: &str,
        role: Role,
        password: Option<&str>,
        actor: &str,
    ) -> Result<User> {
        check_name(name)?;
        let hash = password.map(hash_password).transpose()?;
        let at = now();
        let mut tx = self.begin_write().await?;
        let (alike,): (i64,) =
            sqlx::query_as("SELECT COUNT(*) FROM users WHERE lower(name) = lower($1)")
                .bind(name)
                .fetch_one(&mut *tx)
                .await?;
        if alike > 0 {
            return Err(StoreError::Input(format!(
                "a user whose name differs from {name:?} only in case already exists; names are told apart ignoring case at sign-in: pick another name"
            )));
        }
        let result = sqlx::query(
            "INSERT INTO users (name, role, password_hash, created_at, updated_at) VALUES ($1, $2, $3, $4, $4)",
        )
        .bind(name)
        .bind(role.as_str())
        .bind(hash)
        .bind(&at)
        .execute(&mut *tx)
        .await;
        match result {
            Err(sqlx::Error::Database(e)) if e.is_unique_violation() => {
                return Err(StoreError::Input(format!(
                    "a user named {name:?} already exists; pick another name or change that user's role with `armtrace user set-role`"
                )));
            }
            other => other?,
        };
        let event = AuditEvent::new(actor, "user.add")
            .on("user", name)
            .with_detail(
                serde_json::json!({ "role": role.as_str(), "password": password.is_some() }),
            );
        append_in(&mut tx, &event).await?;
        tx.commit().await?;
        self.user(name).await
    }

    /// One user by name.
    pub async fn user(&self, name: &str) -> Result<User> {
        if !crate::store::storable(name) {
            return Err(not_found(name));
        }
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {USER_COLUMNS} FROM users WHERE name = $1"
        )))
        .bind(name)
        .fetch_optional(&self.pool)
        .await?
        .ok_or_else(|| not_found(name))?;
        user_from_row(&row)
    }

    /// Every user, by name.
    pub async fn users(&self) -> Result<Vec<User>> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {USER_COLUMNS} FROM users ORDER BY name"
        )))
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(user_from_row).collect()
    }

    /// Sets a user's role.
    pub async fn set_user_role(&self, name: &str, role: Role, actor: &str) -> Result<User> {
        let detail = serde_json::json!({ "role": role.as_str() });
        self.set_column(
            name,
            "role",
            SqlParam::Text(role.as_str().to_owned()),
            actor,
            "user.role",
            detail,
        )
        .await
    }

    /// Sets (or replaces) a user's password; signs out their browser sessions.
    pub async fn set_user_password(&self, name: &str, password: &str, actor: &str) -> Result<User> {
        let hash = hash_password(password)?;
        let user = self
            .set_column(
                name,
                "password_hash",
                SqlParam::Text(hash),
                actor,
                "user.password",
                serde_json::json!({}),
            )
            .await?;
        self.end_sessions(user.id).await?;
        Ok(user)
    }

    /// Disables or re-enables a user; disabling ends their sessions (their tokens stop
    /// working too, since every request checks the user).
    pub async fn set_user_disabled(&self, name: &str, disabled: bool, actor: &str) -> Result<User> {
        let action = if disabled {
            "user.disable"
        } else {
            "user.enable"
        };
        let user = self
            .set_int(name, "disabled", disabled.into(), actor, action)
            .await?;
        if disabled {
            self.end_sessions(user.id).await?;
        }
        Ok(user)
    }

    /// Grants (or withdraws) access to every confidential item.
    pub async fn set_confidential_grant(
        &self,
        name: &str,
        granted: bool,
        actor: &str,
    ) -> Result<User> {
        let action = if granted {
            "user.grant_confidential"
        } else {
            "user.revoke_confidential"
        };
        self.set_int(name, "confidential_grant", granted.into(), actor, action)
            .await
    }

    async fn set_column(
        &self,
        name: &str,
        column: &'static str,
        value: SqlParam,
        actor: &str,
        action: &str,
        detail: serde_json::Value,
    ) -> Result<User> {
        let mut tx = self.begin_write().await?;
        let update = sqlx::query(sqlx::AssertSqlSafe(format!(
            "UPDATE users SET {column} = $1, updated_at = $2 WHERE name = $3"
        )));
        let update = match value {
            SqlParam::Text(t) => update.bind(t),
            SqlParam::Int(i) => update.bind(i),
        };
        let done = update.bind(now()).bind(name).execute(&mut *tx).await?;
        if done.rows_affected() == 0 {
            return Err(not_found(name));
        }
        let event = AuditEvent::new(actor, action)
            .on("user", name)
            .with_detail(detail);
        append_in(&mut tx, &event).await?;
        tx.commit().await?;
        self.user(name).await
    }

    /// An integer column (flags are 0 or 1).
    async fn set_int(
        &self,
        name: &str,
        column: &'static str,
        value: i64,
        actor: &str,
        action: &str,
    ) -> Result<User> {
        self.set_column(
            name,
            column,
            SqlParam::Int(value),
            actor,
            action,
            serde_json::json!({}),
        )
        .await
    }

    /// Grants one confidential item to a user.
    pub async fn grant_item(&self, name: &str, item_ref: &str, granted_by: &str) -> Result<()> {
        let user = self.user(name).await?;
        let item = self.item(item_ref).await?;
        let mut tx = self.begin_write().await?;
        sqlx::query(
            "INSERT INTO item_grants (user_id, item_id, granted_at, granted_by) VALUES ($1, $2, $3, $4)
             ON CONFLICT (user_id, item_id) DO NOTHING",
        )
        .bind(user.id)
        .bind(item.id)
        .bind(now())
        .bind(granted_by)
        .execute(&mut *tx)
        .await?;
        let event = AuditEvent::new(granted_by, "user.grant_item")
            .on("user", name)
            .with_detail(serde_json::json!({ "item": item_ref }));
        append_in(&mut tx, &event).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Withdraws a grant of one item.
    pub async fn revoke_item(&self, name: &str, item_ref: &str, actor: &str) -> Result<bool> {
        let user = self.user(name).await?;
        let item = self.item(item_ref).await?;
        let mut tx = self.begin_write().await?;
        let done = sqlx::query("DELETE FROM item_grants WHERE user_id = $1 AND item_id = $2")
            .bind(user.id)
            .bind(item.id)
            .execute(&mut *tx)
            .await?;
        if done.rows_affected() > 0 {
            let event = AuditEvent::new(actor, "user.revoke_item")
                .on("user", name)
                .with_detail(serde_json::json!({ "item": item_ref }));
            append_in(&mut tx, &event).await?;
        }
        tx.commit().await?;
        Ok(done.rows_affected() > 0)
    }

    /// The refs of the items granted to a user one by one.
    pub async fn granted_refs(&self, user_id: i64) -> Result<Vec<String>> {
        let rows: Vec<(String,)> = sqlx::query_as(
            "SELECT i.ref FROM item_grants g JOIN items i ON i.id = g.item_id WHERE g.user_id = $1 ORDER BY i.ref",
        )
        .bind(user_id)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows.into_iter().map(|(r,)| r).collect())
    }

    /// What a user may see.
    pub async fn clearance(&self, user: &User) -> Result<Clearance> {
        let ids: Vec<(i64,)> = sqlx::query_as("SELECT item_id FROM item_grants WHERE user_id = $1")
            .bind(user.id)
            .fetch_all(&self.pool)
            .await?;
        Ok(Clearance::for_role(
            user.role,
            user.confidential_grant,
            ids.into_iter().map(|(i,)| i).collect(),
        ))
    }

    /// The user with this name and password, if both are right and the user is enabled.
    /// Takes the same time whether or not the user exists.
    pub async fn check_password(&self, name: &str, password: &str) -> Result<Option<User>> {
        if !crate::store::storable(name) {
            burn_a_verification(password);
            return Ok(None);
        }
        // Names are matched ignoring case (`create_user` keeps them distinct that way),
        // so "Amira" and " amira" are one account to sign-in and its limits alike.
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {USER_COLUMNS}, password_hash FROM users WHERE lower(name) = lower($1) LIMIT 2"
        )))
        .bind(name.trim())
        .fetch_all(&self.pool)
        .await?;
        let [row] = rows.as_slice() else {
            // None, or two names differing only in case (made before names were kept
            // distinct that way): neither signs in by name until one is renamed.
            burn_a_verification(password);
            return Ok(None);
        };
        let user = user_from_row(row)?;
        let stored: Option<String> = row.try_get("password_hash")?;
        let Some(stored) = stored else {
            burn_a_verification(password);
            return Ok(None);
        };
        let parsed = PasswordHash::new(&stored)
            .map_err(|e| StoreError::Corrupt(format!("password hash of {name:?}: {e}")))?;
        let ok = Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok();
        Ok((ok && !user.disabled).then_some(user))
    }

    /// Starts a browser session; returns the session token (for the cookie) and its CSRF token.
    pub async fn create_session(&self, user: &User) -> Result<(String, String)> {
        let token = random_secret();
        let csrf = random_secret();
        let created = jiff::Timestamp::now();
        let expires = created + jiff::SignedDuration::from_hours(SESSION_HOURS);
        let mut tx = self.begin_write().await?;
        sqlx::query(
            "INSERT INTO sessions (token_hash, user_id, csrf, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(token_hash(&token))
        .bind(user.id)
        .bind(&csrf)
        .bind(created.to_string())
        .bind(expires.to_string())
        .execute(&mut *tx)
        .await?;
        let event = AuditEvent::new(format!("web:{}", user.name), "login").on("user", &user.name);
        append_in(&mut tx, &event).await?;
        tx.commit().await?;
        Ok((token, csrf))
    }

    /// The live session for a token, if any (expired sessions and disabled users have none).
    pub async fn session(&self, token: &str) -> Result<Option<Session>> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT s.csrf, s.expires_at, {} FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.token_hash = $1",
            USER_COLUMNS
                .split(", ")
                .map(|c| format!("u.{c}"))
                .collect::<Vec<_>>()
                .join(", ")
        )))
        .bind(token_hash(token))
        .fetch_optional(&self.pool)
        .await?;
        let Some(row) = row else { return Ok(None) };
        let expires: String = row.try_get("expires_at")?;
        let expired = expires
            .parse::<jiff::Timestamp>()
            .map_or(true, |e| e <= jiff::Timestamp::now());
        let user = user_from_row(&row)?;
        if expired || user.disabled {
            return Ok(None);
        }
        Ok(Some(Session {
            user,
            csrf: row.try_get("csrf")?,
        }))
    }

    /// Records a refused sign-in (the name as typed; never the password).
    pub async fn record_failed_login(&self, name: &str, client: &str) -> Result<()> {
        // Whatever was typed is recorded, but a NUL cannot be stored: it becomes U+FFFD.
        let event = AuditEvent::new("web:anonymous", "login.failed")
            .on("user", name.replace('\0', "\u{FFFD}"))
            .with_detail(serde_json::json!({ "client": client }));
        self.audit_append(event).await?;
        Ok(())
    }

    /// Ends one session (signing out).
    pub async fn end_session(&self, token: &str) -> Result<()> {
        sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
            .bind(token_hash(token))
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    async fn end_sessions(&self, user_id: i64) -> Result<()> {
        sqlx::query("DELETE FROM sessions WHERE user_id = $1 OR expires_at <= $2")
            .bind(user_id)
            .bind(now())
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Creates an API token for a user; returns its bookkeeping and the token, which is
    /// shown this once and never stored.
    pub async fn create_token(
        &self,
        name: &str,
        label: Option<&str>,
        actor: &str,
    ) -> Result<(ApiToken, String)> {
        let user = self.user(name).await?;
        let token = format!("{TOKEN_PREFIX}{}", random_secret());
        let mut tx = self.begin_write().await?;
        let id: (i64,) = sqlx::query_as(
            "INSERT INTO api_tokens (user_id, token_hash, label, created_at) VALUES ($1, $2, $3, $4) RETURNING id",
        )
        .bind(user.id)
        .bind(token_hash(&token))
        .bind(label)
        .bind(now())
        .fetch_one(&mut *tx)
        .await?;
        let event = AuditEvent::new(actor, "token.create")
            .on("user", name)
            .with_detail(serde_json::json!({ "token_id": id.0, "label": label }));
        append_in(&mut tx, &event).await?;
        tx.commit().await?;
        let info = self
            .tokens(Some(name))
            .await?
            .into_iter()
            .find(|t| t.id == id.0)
            .ok_or_else(|| StoreError::Corrupt("a token vanished as it was created".into()))?;
        Ok((info, token))
    }

    /// API tokens, of one user or of all.
    pub async fn tokens(&self, name: Option<&str>) -> Result<Vec<ApiToken>> {
        let rows = sqlx::query(
            "SELECT t.id, u.name, t.label, t.created_at, t.last_used_at, t.revoked_at
             FROM api_tokens t JOIN users u ON u.id = t.user_id
             WHERE $1 IS NULL OR u.name = $1 ORDER BY t.id",
        )
        .bind(name)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(ApiToken {
                    id: r.try_get(0)?,
                    user: r.try_get(1)?,
                    label: r.try_get(2)?,
                    created_at: r.try_get(3)?,
                    last_used_at: r.try_get(4)?,
                    revoked_at: r.try_get(5)?,
                })
            })
            .collect()
    }

    /// Revokes a token by id. Revoking twice is not an error.
    pub async fn revoke_token(&self, id: i64, actor: &str) -> Result<ApiToken> {
        let mut tx = self.begin_write().await?;
        let done = sqlx::query(
            "UPDATE api_tokens SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL",
        )
        .bind(now())
        .bind(id)
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() > 0 {
            let event = AuditEvent::new(actor, "token.revoke").on("api_token", id.to_string());
            append_in(&mut tx, &event).await?;
        }
        tx.commit().await?;
        self.tokens(None)
            .await?
            .into_iter()
            .find(|t| t.id == id)
            .ok_or_else(|| StoreError::NotFound {
                kind: "API token",
                reference: id.to_string(),
            })
    }

    /// The enabled user a live token belongs to, if any.
    pub async fn token_user(&self, token: &str) -> Result<Option<User>> {
        if !token.starts_with(TOKEN_PREFIX) {
            return Ok(None);
        }
        let hash = token_hash(token);
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {} FROM api_tokens t JOIN users u ON u.id = t.user_id
             WHERE t.token_hash = $1 AND t.revoked_at IS NULL",
            USER_COLUMNS
                .split(", ")
                .map(|c| format!("u.{c}"))
                .collect::<Vec<_>>()
                .join(", ")
        )))
        .bind(&hash)
        .fetch_optional(&self.pool)
        .await?;
        let Some(row) = row else { return Ok(None) };
        let user = user_from_row(&row)?;
        Ok((!user.disabled).then_some(user))
    }

    /// Records that a token was used (at most once a minute matters; callers may skip it).
    pub async fn touch_token(&self, token: &str) -> Result<()> {
        sqlx::query("UPDATE api_tokens SET last_used_at = $1 WHERE token_hash = $2")
            .bind(now())
            .bind(token_hash(token))
            .execute(&self.pool)
            .await?;
        Ok(())
    }
}
