//! `armtrace user …` and `armtrace token …`: accounts for the web application and its API.
//!
//! Passwords are read from standard input (`--password-stdin`) or generated and shown
//! once; tokens are shown once at creation. Neither is ever stored in clear.

use std::io::BufRead;
use std::process::ExitCode;

use armtrace_app::generate_password;
use armtrace_core::Role;
use clap::{Args, Subcommand};

use super::{open, print_json};

#[derive(Subcommand, Debug)]
pub enum UserCommand {
    /// Create a user with a role (admin, investigator, analyst, viewer).
    Add {
        name: String,
        #[arg(long, value_parser = parse_role)]
        role: Role,
        #[command(flatten)]
        password: PasswordArgs,
        /// No password: the user works only through API tokens.
        #[arg(long, conflicts_with = "password_stdin")]
        no_password: bool,
    },
    /// List users, their roles and grants.
    List {
        #[arg(long)]
        json: bool,
    },
    /// Change a user's role.
    SetRole {
        name: String,
        #[arg(long, value_parser = parse_role)]
        role: Role,
    },
    /// Set a new password (signs the user out of the web application).
    Passwd {
        name: String,
        #[command(flatten)]
        password: PasswordArgs,
    },
    /// Disable a user: sessions end and tokens stop working.
    Disable { name: String },
    /// Enable a disabled user again.
    Enable { name: String },
    /// Let a user see confidential items: all of them, or one.
    Grant {
        name: String,
        /// Every confidential item.
        #[arg(long, required_unless_present = "item")]
        confidential: bool,
        /// One item, by ref.
        #[arg(long, conflicts_with = "confidential")]
        item: Option<String>,
    },
    /// Withdraw a grant.
    Revoke {
        name: String,
        #[arg(long, required_unless_present = "item")]
        confidential: bool,
        #[arg(long, conflicts_with = "confidential")]
        item: Option<String>,
    },
}

#[derive(Args, Debug)]
pub struct PasswordArgs {
    /// Read the password from the first line of standard input (otherwise one is generated
    /// and printed once).
    #[arg(long)]
    password_stdin: bool,
}

#[derive(Subcommand, Debug)]
pub enum TokenCommand {
    /// Create an API token for a user (printed once; use it as `Authorization: Bearer …`).
    Create {
        user: String,
        /// What the token is for, e.g. "nightly export".
        #[arg(long)]
        label: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// List tokens (never the tokens themselves).
    List {
        user: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// Revoke a token by its id (from `token list`).
    Revoke { id: i64 },
}

fn parse_role(s: &str) -> Result<Role, String> {
    s.parse()
}

/// The password to set and whether it was generated (and must be shown).
fn password(args: &PasswordArgs) -> anyhow::Result<(String, bool)> {
    if args.password_stdin {
        let mut line = String::new();
        std::io::stdin().lock().read_line(&mut line)?;
        let pw = line.trim_end_matches(['\r', '\n']).to_owned();
        anyhow::ensure!(!pw.is_empty(), "no password on standard input");
        Ok((pw, false))
    } else {
        // 20 hex characters: 80 bits, easy to type once.
        Ok((generate_password(), true))
    }
}

pub async fn user(db: &str, command: UserCommand) -> anyhow::Result<ExitCode> {
    let register = open(db).await?;
    let desk = super::desk(&register);
    match command {
        UserCommand::Add {
            name,
            role,
            password: pw,
            no_password,
        } => {
            let generated = if no_password {
                desk.create_user(&name, role, None).await?;
                None
            } else {
                let (pw, generated) = password(&pw)?;
                desk.create_user(&name, role, Some(&pw)).await?;
                generated.then_some(pw)
            };
            println!("user {name} created with role {role}");
            if let Some(pw) = generated {
                println!(
                    "password: {pw}\n(shown once; change it with `armtrace user passwd {name} --password-stdin`)"
                );
            }
        }
        UserCommand::List { json } => {
            let users = desk.users().await?;
            if json {
                let users: Vec<_> = users.iter().map(|u| &u.user).collect();
                print_json(&serde_json::json!({ "users": users }))?;
            } else {
                println!(
                    "{:<24} {:<13} {:<13} status",
                    "name", "role", "confidential"
                );
                for entry in users {
                    let (u, grants) = (entry.user, entry.granted_items);
                    let conf = if u.role.is_admin() || u.confidential_grant {
                        "all".to_owned()
                    } else if grants.is_empty() {
                        "-".to_owned()
                    } else {
                        format!("{} item(s)", grants.len())
                    };
                    println!(
                        "{:<24} {:<13} {:<13} {}",
                        u.name,
                        u.role,
                        conf,
                        if u.disabled { "disabled" } else { "active" }
                    );
                }
            }
        }
        UserCommand::SetRole { name, role } => {
            desk.set_role(&name, role).await?;
            println!("user {name} now has role {role}");
        }
        UserCommand::Passwd { name, password: pw } => {
            let (pw, generated) = password(&pw)?;
            desk.set_password(&name, &pw).await?;
            println!("password of {name} changed; their web sessions have ended");
            if generated {
                println!("password: {pw}\n(shown once)");
            }
        }
        UserCommand::Disable { name } => {
            desk.set_disabled(&name, true).await?;
            println!("user {name} disabled; sessions ended, tokens no longer work");
        }
        UserCommand::Enable { name } => {
            desk.set_disabled(&name, false).await?;
            println!("user {name} enabled");
        }
        UserCommand::Grant {
            name,
            confidential,
            item,
        } => {
            if let Some(item) = item {
                desk.grant_item(&name, &item).await?;
                println!("{name} may now see confidential item {item}");
            } else if confidential {
                desk.set_confidential_grant(&name, true).await?;
                println!("{name} may now see every confidential item");
            }
        }
        UserCommand::Revoke {
            name,
            confidential,
            item,
        } => {
            if let Some(item) = item {
                let had = desk.revoke_item(&name, &item).await?;
                println!(
                    "{}",
                    if had {
                        format!("{name} may no longer see {item}")
                    } else {
                        format!("{name} had no grant of {item}; nothing changed")
                    }
                );
            } else if confidential {
                desk.set_confidential_grant(&name, false).await?;
                println!(
                    "{name} may no longer see confidential items (grants of single items remain)"
                );
            }
        }
    }
    register.close().await;
    Ok(ExitCode::SUCCESS)
}

pub async fn token(db: &str, command: TokenCommand) -> anyhow::Result<ExitCode> {
    let register = open(db).await?;
    let desk = super::desk(&register);
    match command {
        TokenCommand::Create { user, label, json } => {
            let (info, token) = desk.create_token(&user, label.as_deref()).await?;
            if json {
                print_json(
                    &serde_json::json!({ "id": info.id, "user": info.user, "label": info.label, "token": token }),
                )?;
            } else {
                println!("token {} for {user} (shown once):\n{token}", info.id);
                println!("use it as: Authorization: Bearer {token}");
            }
        }
        TokenCommand::List { user, json } => {
            let tokens = desk.tokens(user.as_deref()).await?;
            if json {
                print_json(&serde_json::json!({ "tokens": tokens }))?;
            } else {
                println!(
                    "{:>5} {:<20} {:<24} {:<26} status",
                    "id", "user", "label", "created"
                );
                for t in tokens {
                    println!(
                        "{:>5} {:<20} {:<24} {:<26} {}",
                        t.id,
                        t.user,
                        t.label.as_deref().unwrap_or("-"),
                        t.created_at,
                        t.revoked_at
                            .map_or("active".to_owned(), |r| format!("revoked {r}"))
                    );
                }
            }
        }
        TokenCommand::Revoke { id } => {
            let t = desk.revoke_token(id).await?;
            println!("token {} of {} revoked", t.id, t.user);
        }
    }
    register.close().await;
    Ok(ExitCode::SUCCESS)
}
