//! `armtrace stats`, `armtrace chart` and `armtrace report`: cross-tabulations, charts
//! and findings reports over the whole register (the command line sees everything:
//! `Clearance::full()`).
//!
//! The figures come from `armtrace_core::analytics`; this module loads the columns,
//! computes diversions where a command needs them, and writes text, JSON, SVG, PNG
//! (resvg, with the bundled DejaVu Sans), HTML or PDF (headless Chromium).

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use armtrace_app::{ChartKind as AppChartKind, ChartRequest, ItemQuery};
use armtrace_core::analytics::{self, DiversionSummary, StatsQuery, StatsResult, Weight};
use clap::{Args, ValueEnum};

use super::{cell, print_json};

/// Selection flags shared by the three commands.
#[derive(Args, Debug, Clone, Default)]
pub struct WhereArgs {
    /// Keep rows where FIELD has VALUE (repeatable). Different fields must all match;
    /// several values of one field are alternatives. Countries by code or name, text
    /// case-insensitive, `null` (or empty) for missing. Fields as for --by.
    #[arg(long = "where", value_name = "FIELD=VALUE")]
    wheres: Vec<String>,
}

impl WhereArgs {
    fn filters(&self) -> anyhow::Result<Vec<analytics::StatFilter>> {
        Ok(analytics::parse_filters(&self.wheres)?)
    }
}

#[derive(Args, Debug)]
pub struct StatsArgs {
    /// Group by this field (repeat for a cross-tab, at most 3): category, item_type, model,
    /// calibre, manufacturer, country_of_manufacture, year_of_manufacture, lot_number,
    /// quantity, recovered_on, recovered_country, recovered_place, recovered_from,
    /// documented_by, confidentiality, or derived: decade ("1990s"), recovered_year,
    /// recovered_month ("2016-07").
    #[arg(long, value_name = "FIELD", required_unless_present = "diversion")]
    by: Vec<String>,
    #[command(flatten)]
    selection: WhereArgs,
    /// Sum `quantity` (a record without one counts 1) instead of counting records.
    #[arg(long, value_name = "quantity")]
    weight: Option<String>,
    /// Instead of a group-by: the time-to-diversion distribution of the selection (min,
    /// quartiles, max, histogram, per end user and per holder at recovery).
    #[arg(long, conflicts_with_all = ["by", "weight"])]
    diversion: bool,
    /// Print the contract JSON.
    #[arg(long)]
    json: bool,
}

/// What `armtrace chart` draws.
#[derive(ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChartKind {
    /// Horizontal bars of each group's share: one --by field.
    Bars,
    /// 100% stacked bars of a cross-tab: two --by fields, a bar per value of the first,
    /// split by the second.
    Stacked,
    /// Items per time-to-diversion bin (no --by).
    DiversionHistogram,
    /// Items recovered per month (no --by).
    Recoveries,
}

#[derive(Args, Debug)]
pub struct ChartArgs {
    /// bars (one --by), stacked (two --by), diversion-histogram, recoveries.
    #[arg(value_enum)]
    kind: ChartKind,
    /// Field(s) to group by, as for `armtrace stats`.
    #[arg(long, value_name = "FIELD")]
    by: Vec<String>,
    #[command(flatten)]
    selection: WhereArgs,
    /// Sum `quantity` instead of counting records (bars and stacked).
    #[arg(long, value_name = "quantity")]
    weight: Option<String>,
    /// The chart's title (a sensible one by default).
    #[arg(long)]
    title: Option<String>,
    /// Output file: .svg or .png (PNG at twice the SVG's size, for print).
    #[arg(long)]
    out: PathBuf,
}

#[derive(Args, Debug)]
pub struct ReportArgs {
    #[command(flatten)]
    selection: WhereArgs,
    /// Output file: .html (self-contained) or .pdf (needs chromium installed).
    #[arg(long)]
    out: PathBuf,
    #[arg(long, default_value = "Findings report")]
    title: String,
    /// How many of the fastest diversions to list with their chains.
    #[arg(long, default_value_t = 5)]
    fastest: usize,
}

/// Prints a statistic as a table.
fn print_table(query: &StatsQuery, result: &StatsResult) {
    let widths: Vec<usize> = query
        .by
        .iter()
        .map(|f| {
            result
                .groups
                .iter()
                .map(|g| g.label(*f).chars().count())
                .chain([f.name().len()])
                .max()
                .unwrap_or(8)
                .min(40)
        })
        .collect();
    let mut header = String::new();
    for (f, w) in query.by.iter().zip(&widths) {
        header.push_str(&format!("{:<w$}  ", f.name().to_uppercase()));
    }
    let unit = match query.weight {
        Weight::Items => "ITEMS",
        Weight::Quantity => "QUANTITY",
    };
    println!("{header}{unit:>12} {:>7}", "SHARE");
    for g in &result.groups {
        let mut line = String::new();
        for (f, w) in query.by.iter().zip(&widths) {
            line.push_str(&format!("{:<w$}  ", cell(Some(&g.label(*f)), *w)));
        }
        println!("{line}{:>12} {:>6.1}%", g.count, g.share * 100.0);
    }
    println!(
        "{} groups, total {} {}",
        result.groups.len(),
        result.total,
        unit.to_lowercase()
    );
}

pub async fn stats(db: &str, args: StatsArgs) -> anyhow::Result<ExitCode> {
    let filters = args.selection.filters()?;
    if args.diversion {
        let register = super::open(db).await?;
        let summary = super::view(&register)
            .diversion_summary(&ItemQuery::default(), &filters)
            .await?;
        register.close().await;
        if args.json {
            print_json(&summary)?;
        } else {
            print_diversion(&summary);
        }
        return Ok(ExitCode::SUCCESS);
    }
    let query = StatsQuery::parse(&args.by, &args.selection.wheres, args.weight.as_deref())?;
    let register = super::open(db).await?;
    let result = super::view(&register).stats(&query).await?;
    register.close().await;
    if args.json {
        print_json(&result)?;
    } else {
        print_table(&query, &result);
    }
    Ok(ExitCode::SUCCESS)
}

fn print_diversion(summary: &DiversionSummary) {
    let Some(o) = &summary.overall else {
        println!("no item of the selection has a documented diversion");
        return;
    };
    println!(
        "{} diverted items; days from last delivery to recovery: min {}, Q1 {:.1}, median {:.1}, Q3 {:.1}, max {}",
        o.count, o.min, o.q1, o.median, o.q3, o.max
    );
    for b in &summary.histogram {
        println!("  {:<18} {:>8}", b.label, b.count);
    }
    for (title, groups) in [
        ("END USER", &summary.by_end_user),
        ("RECOVERED FROM", &summary.by_recovered_from),
    ] {
        println!(
            "{:<40} {:>7} {:>6} {:>8} {:>8} {:>8} {:>6}",
            title, "ITEMS", "MIN", "Q1", "MEDIAN", "Q3", "MAX"
        );
        for g in groups.iter() {
            let d = &g.distribution;
            println!(
                "{:<40} {:>7} {:>6} {:>8.1} {:>8.1} {:>8.1} {:>6}",
                cell(Some(g.name.as_deref().unwrap_or("(not documented)")), 40),
                d.count,
                d.min,
                d.q1,
                d.median,
                d.q3,
                d.max
            );
        }
    }
}

pub async fn chart(db: &str, args: ChartArgs) -> anyhow::Result<ExitCode> {
    let extension = args
        .out
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    if !matches!(extension.as_deref(), Some("svg" | "png")) {
        bail!(
            "--out {}: name the file .svg or .png (the extension chooses the format)",
            args.out.display()
        );
    }
    let kind = match args.kind {
        ChartKind::Bars => AppChartKind::Bars,
        ChartKind::Stacked => AppChartKind::Stacked,
        ChartKind::DiversionHistogram => AppChartKind::DiversionHistogram,
        ChartKind::Recoveries => AppChartKind::Recoveries,
    };
    let register = super::open(db).await?;
    let svg = super::view(&register)
        .chart(&ChartRequest {
            kind,
            by: args.by.clone(),
            wheres: args.selection.wheres.clone(),
            weight: args.weight.clone(),
            title: args.title.clone(),
            register_name: register_name(db),
        })
        .await?;
    register.close().await;
    if extension.as_deref() == Some("png") {
        let png = render_png(&svg, 2.0)?;
        std::fs::write(&args.out, png)
    } else {
        std::fs::write(&args.out, svg)
    }
    .with_context(|| format!("cannot write {}", args.out.display()))?;
    println!("wrote {}", args.out.display());
    Ok(ExitCode::SUCCESS)
}

/// The register as captions and reports name it: its file name (a PostgreSQL
/// register's database name).
fn register_name(db: &str) -> String {
    Path::new(db)
        .file_name()
        .map_or(db.to_owned(), |n| n.to_string_lossy().into_owned())
}

/// DejaVu Sans, bundled: PNG text renders the same on every machine, with no font lookup.
const FONT_REGULAR: &[u8] = include_bytes!("../../../../assets/fonts/dejavu-2.37/DejaVuSans.ttf");
const FONT_BOLD: &[u8] = include_bytes!("../../../../assets/fonts/dejavu-2.37/DejaVuSans-Bold.ttf");

/// Renders chart SVG to PNG at `scale` × its size.
pub fn render_png(svg: &str, scale: f32) -> anyhow::Result<Vec<u8>> {
    use resvg::{tiny_skia, usvg};
    let mut fonts = usvg::fontdb::Database::new();
    fonts.load_font_data(FONT_REGULAR.to_vec());
    fonts.load_font_data(FONT_BOLD.to_vec());
    fonts.set_sans_serif_family("DejaVu Sans");
    let options = usvg::Options {
        font_family: "DejaVu Sans".to_owned(),
        fontdb: std::sync::Arc::new(fonts),
        ..Default::default()
    };
    let tree = usvg::Tree::from_str(svg, &options).context("the chart SVG does not parse")?;
    let size = tree.size();
    let (w, h) = (
        (size.width() * scale).ceil() as u32,
        (size.height() * scale).ceil() as u32,
    );
    let mut pixmap = tiny_skia::Pixmap::new(w, h).context("the chart is too large for a PNG")?;
    resvg::render(
        &tree,
        tiny_skia::Transform::from_scale(scale, scale),
        &mut pixmap.as_mut(),
    );
    pixmap.encode_png().context("cannot encode the PNG")
}

pub async fn report(db: &str, args: ReportArgs) -> anyhow::Result<ExitCode> {
    let extension = args
        .out
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    let pdf = match extension.as_deref() {
        Some("html" | "htm") => false,
        Some("pdf") => true,
        _ => bail!(
            "--out {}: name the file .html or .pdf (the extension chooses the format)",
            args.out.display()
        ),
    };
    let chromium = if pdf { Some(find_chromium()?) } else { None };
    let register = super::open(db).await?;
    let html = super::view(&register)
        .report(
            &args.title,
            &register_name(db),
            &args.selection.wheres,
            args.fastest,
        )
        .await?;
    register.close().await;
    match chromium {
        None => std::fs::write(&args.out, html)
            .with_context(|| format!("cannot write {}", args.out.display()))?,
        Some(chromium) => print_pdf(&chromium, &html, &args.out)?,
    }
    println!("wrote {}", args.out.display());
    Ok(ExitCode::SUCCESS)
}

/// Chromium from `$ARMTRACE_CHROMIUM` or the usual names on the PATH.
fn find_chromium() -> anyhow::Result<PathBuf> {
    if let Some(path) = std::env::var_os("ARMTRACE_CHROMIUM") {
        return Ok(PathBuf::from(path));
    }
    let path = std::env::var_os("PATH").unwrap_or_default();
    for dir in std::env::split_paths(&path) {
        for name in ["chromium", "chromium-browser", "google-chrome", "chrome"] {
            let candidate = dir.join(name);
            if candidate.is_file() {
                return Ok(candidate);
            }
        }
    }
    bail!(
        "a PDF report needs headless Chromium, which was not found on the PATH: install it \
         (Debian/Ubuntu: apt-get install chromium), point $ARMTRACE_CHROMIUM at it, or write \
         --out report.html and print that from a browser"
    )
}

/// Prints `html` to `out` as PDF with headless Chromium, in a fresh profile.
fn print_pdf(chromium: &Path, html: &str, out: &Path) -> anyhow::Result<()> {
    let tmp = tempfile::tempdir()?;
    let page = tmp.path().join("report.html");
    std::fs::write(&page, html)?;
    let profile = tmp.path().join("profile");
    // Chromium's log goes to a file: a pipe nobody drains while we wait could fill up.
    let log_path = tmp.path().join("chromium.log");
    let log = std::fs::File::create(&log_path)?;
    let out = std::path::absolute(out)?;
    let mut child = std::process::Command::new(chromium)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-pdf-header-footer",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .arg(format!("--print-to-pdf={}", out.display()))
        .arg(format!("file://{}", page.display()))
        .stdout(std::process::Stdio::null())
        .stderr(log)
        .spawn()
        .with_context(|| format!("cannot start {}", chromium.display()))?;
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait()? {
            break status;
        }
        if started.elapsed() > Duration::from_secs(120) {
            let _ = child.kill();
            bail!(
                "{} did not finish printing the PDF within 2 minutes",
                chromium.display()
            );
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    if !status.success() || !out.is_file() {
        let err = std::fs::read_to_string(&log_path).unwrap_or_default();
        bail!(
            "{} could not print the PDF ({status}): {}",
            chromium.display(),
            err.lines().rev().take(5).collect::<Vec<_>>().join(" | ")
        );
    }
    Ok(())
}
