//! `armtrace serve`: the web application and its API over a register.

use std::net::SocketAddr;
use std::process::ExitCode;

use armtrace_app::types::redact_password;
use armtrace_app::{Warmth, generate_password};
use armtrace_core::Role;
use armtrace_web::{AppState, ServeOptions};
use clap::Args;

#[derive(Args, Debug)]
pub struct ServeArgs {
    /// Where to listen.
    #[arg(long, default_value = "127.0.0.1:8080")]
    addr: SocketAddr,
    /// Build the synthetic demo register first (when it is empty) and create a demo
    /// admin account whose password is printed.
    #[arg(long)]
    demo: bool,
    /// Demo size.
    #[arg(long, default_value_t = 5000, requires = "demo")]
    demo_items: u64,
    /// Mark session cookies `Secure`: set this when users reach the server over HTTPS
    /// (directly or through a proxy).
    #[arg(long)]
    secure_cookies: bool,
}

/// The demo's admin account.
const DEMO_ADMIN: &str = "demo-admin";

pub async fn run(db: &str, args: ServeArgs) -> anyhow::Result<ExitCode> {
    let mut demo_password = None;
    let register = super::open_with(db, Warmth::Warm).await?;
    if args.demo {
        if register.counts().await?.items == 0 {
            super::demo::build(&register, db, args.demo_items, 1).await?;
        }
        let desk = super::desk(&register);
        let password = generate_password()[..16].to_owned();
        if desk.user(DEMO_ADMIN).await?.is_some() {
            desk.set_password(DEMO_ADMIN, &password).await?;
        } else {
            desk.create_user(DEMO_ADMIN, Role::Admin, Some(&password))
                .await?;
        }
        demo_password = Some(password);
    }
    let state = AppState::new(
        register,
        ServeOptions {
            secure_cookies: args.secure_cookies,
        },
    )?;
    armtrace_web::serve(state, args.addr, |bound| {
        println!(
            "armtrace is serving {} at http://{bound}/",
            redact_password(db)
        );
        if let Some(pw) = &demo_password {
            println!(
                "sign in as {DEMO_ADMIN} with password {pw} (the public view needs no sign-in)"
            );
        }
        println!("press Ctrl-C to stop");
    })
    .await?;
    Ok(ExitCode::SUCCESS)
}
