//! `armtrace items list|show`.

use std::process::ExitCode;

use armtrace_app::ItemRecord;
use clap::{Args, Subcommand};
use serde_json::json;

use super::filter::FilterArgs;
use super::{cell, print_json};

#[derive(Subcommand, Debug)]
pub enum ItemsCommand {
    /// List items, filtered.
    List(ListArgs),
    /// What markings and model designations suggest for items' empty manufacturer,
    /// country or year (never written: review and re-import to apply).
    Suggest {
        #[command(flatten)]
        filter: FilterArgs,
        #[arg(long)]
        json: bool,
    },
    /// Show one item with its revision history.
    Show {
        /// The item's reference.
        reference: String,
        #[arg(long)]
        json: bool,
    },
}

#[derive(Args, Debug)]
pub struct ListArgs {
    #[command(flatten)]
    filter: FilterArgs,
    /// At most this many items (0 = all).
    #[arg(long, default_value_t = 50)]
    limit: u64,
    /// Skip this many items first.
    #[arg(long, default_value_t = 0)]
    offset: u64,
    #[arg(long)]
    json: bool,
}

pub async fn run(db: &str, command: ItemsCommand) -> anyhow::Result<ExitCode> {
    let register = super::open(db).await?;
    let view = super::view(&register);
    match command {
        ItemsCommand::List(args) => {
            let query = args.filter.parse()?;
            let limit = (args.limit > 0).then_some(args.limit);
            let page = view.items(&query, args.offset, limit).await?;
            if args.json {
                print_json(
                    &json!({ "items": page.items.iter().map(|i| &i.item).collect::<Vec<_>>() }),
                )?;
            } else {
                print_table(&page.items);
                println!(
                    "{} of {} matching item{}",
                    page.items.len(),
                    page.total,
                    if page.total == 1 { "" } else { "s" }
                );
            }
        }
        ItemsCommand::Suggest { filter, json } => {
            let found = view.suggestions(&filter.parse()?).await?;
            if json {
                let list: Vec<_> = found
                    .iter()
                    .map(|(r, s)| {
                        let mut v = serde_json::to_value(s).expect("suggestions serialise");
                        v["ref"] = json!(r);
                        v
                    })
                    .collect();
                print_json(&json!({ "suggestions": list }))?;
            } else {
                for (r, s) in &found {
                    let mut parts = Vec::new();
                    if let Some(m) = &s.manufacturer {
                        parts.push(format!("manufacturer {m}"));
                    }
                    if let Some(c) = s.country {
                        parts.push(format!("country {c} ({})", c.name()));
                    }
                    if let Some(y) = s.year {
                        parts.push(format!("year {y}"));
                    }
                    println!(
                        "{r}: {} ({:.0}% from {} {:?}; {})",
                        if parts.is_empty() {
                            "no new value".to_owned()
                        } else {
                            parts.join(", ")
                        },
                        s.confidence * 100.0,
                        s.read_from,
                        s.basis.found,
                        s.basis.source
                    );
                    for d in &s.disagreements {
                        println!("    note: {d}");
                    }
                }
                println!(
                    "{} item{} with suggestions",
                    found.len(),
                    if found.len() == 1 { "" } else { "s" }
                );
            }
        }
        ItemsCommand::Show { reference, json } => {
            let detail = view.item_detail(&reference).await?;
            if json {
                let mut value = serde_json::to_value(&detail.item)?;
                value["id"] = json!(detail.item.id);
                value["revisions"] = serde_json::to_value(&detail.revisions)?;
                print_json(&value)?;
            } else {
                print_item(&detail.item);
                for r in &detail.revisions {
                    println!(
                        "revision {} on {} by {}: replaced {}",
                        r.revision, r.changed_at, r.actor, r.previous
                    );
                }
            }
        }
    }
    register.close().await;
    Ok(ExitCode::SUCCESS)
}

fn print_table(items: &[ItemRecord]) {
    println!(
        "{:<16} {:<12} {:<16} {:<16} {:<11} {:<14} {:<3}",
        "REF", "CATEGORY", "MODEL", "SERIAL", "RECOVERED", "PLACE", "CC"
    );
    for s in items {
        let i = &s.item;
        println!(
            "{:<16} {:<12} {:<16} {:<16} {:<11} {:<14} {:<3}",
            cell(Some(&i.reference), 16),
            cell(Some(i.category.as_str()), 12),
            cell(i.model.as_deref().or(i.item_type.as_deref()), 16),
            cell(i.serial_number.as_deref().or(i.lot_number.as_deref()), 16),
            i.recovered_on.map(|d| d.to_string()).unwrap_or_default(),
            cell(i.recovered_place.as_deref(), 14),
            i.recovered_country
                .map(|c| c.to_string())
                .unwrap_or_default(),
        );
    }
}

fn print_item(s: &ItemRecord) {
    let strings = s.item.to_strings();
    for (field, value) in armtrace_core::ITEM_FIELDS.iter().zip(strings.iter()) {
        if !value.is_empty() {
            let extra = match *field {
                "country_of_manufacture" => s
                    .item
                    .country_of_manufacture
                    .map(|c| format!(" ({})", c.name())),
                "recovered_country" => s.item.recovered_country.map(|c| format!(" ({})", c.name())),
                _ => None,
            };
            println!("{field:>24}  {value}{}", extra.unwrap_or_default());
        }
    }
    println!(
        "{:>24}  {} (created {}, updated {})",
        "revision", s.revision, s.created_at, s.updated_at
    );
}
