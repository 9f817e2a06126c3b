//! The findings report as a page: the figures of `armtrace_core::analytics::report`,
//! their tables and charts, the methods that produced each figure, and whether the data
//! are real or synthetic, laid out as one self-contained HTML page with inline SVG
//! charts and print CSS (A4). Every piece of text from the register is escaped here.
//!
//! The headline figures, as the findings issue states them:
//! 1. the share of weapons by producing country;
//! 2. the share of ammunition, against that of weapons, made in the most recent decade;
//! 3. the origins of ammunition by country of recovery;
//! 4. the fastest diversions, with their chains of custody.

use std::fmt::Write;

use armtrace_core::analytics::{
    BIN_EDGES, DiversionSummary, GroupDistribution, ReportFigures, StatField, StatFilter,
    display_label,
};
use armtrace_core::custody::{CustodyChain, Timing};

use super::chart::{self, ChartText, escape, percent, thousands};

/// Everything a findings report shows.
#[derive(Debug, Clone)]
pub struct ReportInput {
    pub title: String,
    /// The register, as the user named it.
    pub register: String,
    /// When the report was made (the caller's clock), as printed.
    pub generated_on: String,
    /// The selection.
    pub filters: Vec<StatFilter>,
    pub figures: ReportFigures,
    /// Time to diversion of the selection's diverted items.
    pub diversion: DiversionSummary,
    /// The chains of custody of the fastest diversions, fastest first.
    pub fastest: Vec<CustodyChain>,
}

const STYLE: &str = r#"
@page { size: A4; margin: 16mm 15mm 18mm 15mm; }
* { box-sizing: border-box; }
body { font-family: "DejaVu Sans", Arial, Helvetica, sans-serif; color: #222; font-size: 10.5pt; line-height: 1.45; max-width: 60em; margin: 2em auto; padding: 0 1.5em; }
h1 { font-size: 20pt; margin: 0 0 .2em; }
h2 { font-size: 14pt; margin: 1.6em 0 .5em; border-bottom: 1.5px solid #0072B2; padding-bottom: .15em; break-after: avoid; }
h3 { font-size: 11.5pt; margin: 1.2em 0 .4em; break-after: avoid; }
p.meta { color: #555; margin: 0 0 1em; }
.status { border: 2px solid #D55E00; background: #fff4ec; padding: .6em .9em; margin: 1em 0; font-weight: bold; }
.status.real { border-color: #009E73; background: #eefaf5; }
.headlines { list-style: none; padding: 0; margin: 0; }
.headlines li { border-left: 4px solid #0072B2; background: #f4f8fb; padding: .55em .8em; margin: .5em 0; break-inside: avoid; }
.headlines b.figure { font-size: 13pt; color: #0072B2; }
table { border-collapse: collapse; width: 100%; margin: .5em 0 1em; font-size: 9.5pt; }
th, td { border-bottom: 1px solid #ddd; padding: .25em .5em; text-align: left; vertical-align: top; }
th { background: #f0f0f0; }
td.n, th.n { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
tr { break-inside: avoid; }
figure { margin: .8em 0 1.2em; break-inside: avoid; }
figure svg { width: 100%; height: auto; display: block; }
.chain { margin: .2em 0 0 1em; padding: 0; font-size: 9.5pt; }
.chain li { margin: .1em 0; }
.methods dt { font-weight: bold; margin-top: .7em; }
.methods dd { margin: .2em 0 0 1em; }
.note { color: #555; font-size: 9.5pt; }
.page-break { break-before: page; }
footer { margin-top: 2em; color: #666; font-size: 9pt; border-top: 1px solid #ddd; padding-top: .5em; }
@media print { body { margin: 0; padding: 0; max-width: none; } }
"#;

fn selection_text(filters: &[StatFilter]) -> String {
    if filters.is_empty() {
        "all items".to_owned()
    } else {
        filters
            .iter()
            .map(|f| f.to_string())
            .collect::<Vec<_>>()
            .join(" and ")
    }
}

fn table(out: &mut String, headers: &[&str], numeric_from: usize, rows: &[Vec<String>]) {
    out.push_str("<table><thead><tr>");
    for (i, h) in headers.iter().enumerate() {
        let class = if i >= numeric_from {
            " class=\"n\""
        } else {
            ""
        };
        let _ = write!(out, "<th{class}>{}</th>", escape(h));
    }
    out.push_str("</tr></thead><tbody>");
    for row in rows {
        out.push_str("<tr>");
        for (i, cell) in row.iter().enumerate() {
            let class = if i >= numeric_from {
                " class=\"n\""
            } else {
                ""
            };
            let _ = write!(out, "<td{class}>{}</td>", escape(cell));
        }
        out.push_str("</tr>");
    }
    out.push_str("</tbody></table>");
}

fn figure(out: &mut String, svg: &str) {
    let _ = write!(out, "<figure>{svg}</figure>");
}

fn country_name(code: Option<armtrace_core::CountryCode>) -> String {
    code.map_or_else(
        || "(country not documented)".to_owned(),
        |c| format!("{} ({c})", c.name()),
    )
}

/// The chain of custody of one diverted item, as list items.
fn chain_steps(chain: &CustodyChain) -> Vec<String> {
    let mut steps = Vec::new();
    let m = &chain.manufacture;
    let made = [
        m.model.clone(),
        m.manufacturer.as_ref().map(|x| format!("made by {x}")),
        m.country.map(|c| format!("in {}", country_name(Some(c)))),
        m.year.map(|y| format!("in {y}")),
    ];
    let made: Vec<String> = made.into_iter().flatten().collect();
    steps.push(format!(
        "Manufacture: {}",
        if made.is_empty() {
            "not documented".to_owned()
        } else {
            made.join(" ")
        }
    ));
    for step in chain
        .steps
        .iter()
        .filter(|s| s.timing == Timing::BeforeRecovery)
    {
        let t = &step.transfer;
        let supplier = t
            .supplier
            .clone()
            .unwrap_or_else(|| "(supplier not documented)".into());
        let recipient = t
            .recipient
            .clone()
            .unwrap_or_else(|| "(recipient not documented)".into());
        let mut s = format!(
            "{} ({}): {supplier} → {recipient}",
            t.transfer_ref,
            t.delivered_on
                .map_or_else(|| "undated".to_owned(), |d| format!("delivered {d}"))
        );
        if let Some(end_user) = t
            .end_user
            .as_ref()
            .filter(|e| Some(*e) != t.recipient.as_ref())
        {
            let _ = write!(s, ", end user {end_user}");
        }
        let _ = write!(s, "; {}", step.evidence);
        if let Some(doc) = &t.document {
            let _ = write!(s, "; document: {doc}");
        }
        steps.push(s);
    }
    let r = &chain.recovery;
    let mut s = format!(
        "Recovery: {}",
        r.on.map_or_else(|| "date not documented".to_owned(), |d| d.to_string())
    );
    if let Some(place) = &r.place {
        let _ = write!(s, " at {place}");
    }
    if r.country.is_some() {
        let _ = write!(s, ", {}", country_name(r.country));
    }
    if let Some(from) = &r.from {
        let _ = write!(s, ", from {from}");
    }
    steps.push(s);
    steps
}

fn distribution_rows(groups: &[GroupDistribution], limit: usize) -> Vec<Vec<String>> {
    groups
        .iter()
        .take(limit)
        .map(|g| {
            let d = &g.distribution;
            vec![
                g.name.clone().unwrap_or_else(|| "(not documented)".into()),
                thousands(d.count),
                d.min.to_string(),
                format!("{:.1}", d.q1),
                format!("{:.1}", d.median),
                format!("{:.1}", d.q3),
                d.max.to_string(),
            ]
        })
        .collect()
}

const DISTRIBUTION_HEADERS: [&str; 7] = ["", "Items", "Min", "Q1", "Median", "Q3", "Max"];

/// The findings report as one self-contained HTML page.
pub fn render_report_html(input: &ReportInput) -> String {
    let f = &input.figures;
    let status = f.status;
    let caption = format!(
        "Source: armtrace register {} ({}), {}. Selection: {}.",
        input.register,
        input.generated_on,
        super::data_status(&status),
        selection_text(&input.filters)
    );
    let text = |title: &str, subtitle: String| ChartText {
        title: title.to_owned(),
        subtitle,
        caption: caption.clone(),
    };
    let mut out = String::with_capacity(64 * 1024);
    let _ = write!(
        out,
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{}</title><style>{STYLE}</style></head><body>",
        escape(&input.title)
    );
    let _ = write!(
        out,
        "<h1>{}</h1><p class=\"meta\">Register <b>{}</b> · generated {} · selection: {} · {} items</p>",
        escape(&input.title),
        escape(&input.register),
        escape(&input.generated_on),
        escape(&selection_text(&input.filters)),
        thousands(status.items)
    );
    let status_text = match status.kind() {
        "synthetic" => "Data status: SYNTHETIC. Every item of this selection is synthetic demonstration data. The figures show what the method produces; they are not findings about real weapons.".to_owned(),
        "mixed" => format!("Data status: MIXED. {} of {} items of this selection are synthetic demonstration data; remove them before publishing any figure.", thousands(status.synthetic), thousands(status.items)),
        "empty" => "Data status: this selection has no items.".to_owned(),
        _ => "Data status: recorded data. No item of this selection is marked synthetic.".to_owned(),
    };
    let class = if status.kind() == "real" {
        "status real"
    } else {
        "status"
    };
    let _ = write!(out, "<div class=\"{class}\">{}</div>", escape(&status_text));

    // Headlines.
    out.push_str("<h2>Headline figures</h2><ol class=\"headlines\">");
    let weapons = &f.weapons_by_country;
    match weapons.groups.first() {
        Some(top) => {
            let others: Vec<String> = weapons
                .groups
                .iter()
                .skip(1)
                .take(2)
                .map(|g| {
                    format!(
                        "{} {}",
                        display_label(
                            StatField::CountryOfManufacture,
                            g.value(StatField::CountryOfManufacture)
                        ),
                        percent(g.share)
                    )
                })
                .collect();
            let _ = write!(
                out,
                "<li><b class=\"figure\">{}</b> of weapons were produced in <b>{}</b> ({} of {}){}.</li>",
                percent(top.share),
                escape(&display_label(
                    StatField::CountryOfManufacture,
                    top.value(StatField::CountryOfManufacture)
                )),
                thousands(top.count),
                thousands(weapons.total),
                if others.is_empty() {
                    String::new()
                } else {
                    escape(&format!("; then {}", others.join(", ")))
                }
            );
        }
        None => out.push_str("<li>No weapons in this selection.</li>"),
    }
    match &f.recent_decade {
        Some(r) => {
            let _ = write!(
                out,
                "<li><b class=\"figure\">{}</b> of ammunition was made in the {} (the most recent decade of manufacture in this selection), against <b class=\"figure\">{}</b> of weapons ({} of {} ammunition items and {} of {} weapons with a known year).</li>",
                percent(r.ammunition.share),
                escape(&r.decade),
                percent(r.weapons.share),
                thousands(r.ammunition.in_decade),
                thousands(r.ammunition.with_year),
                thousands(r.weapons.in_decade),
                thousands(r.weapons.with_year)
            );
        }
        None => out.push_str(
            "<li>No weapon or ammunition item of this selection has a year of manufacture.</li>",
        ),
    }
    let origins = &f.ammunition_origins;
    let (_, origin_bars) = chart::stacked_rows(
        origins,
        StatField::RecoveredCountry,
        StatField::CountryOfManufacture,
        3,
        1,
    );
    if origin_bars.is_empty() {
        out.push_str("<li>No ammunition in this selection.</li>");
    } else {
        let parts: Vec<String> = origin_bars
            .iter()
            .map(|bar| {
                let top = origins
                    .groups
                    .iter()
                    .filter(|g| {
                        display_label(
                            StatField::RecoveredCountry,
                            g.value(StatField::RecoveredCountry),
                        ) == bar.label
                    })
                    .max_by(|a, b| {
                        a.count.cmp(&b.count).then(
                            b.key
                                .get("country_of_manufacture")
                                .map(|v| v.to_string())
                                .cmp(&a.key.get("country_of_manufacture").map(|v| v.to_string())),
                        )
                    })
                    .expect("a bar has groups");
                format!(
                    "recovered in {}: {} made in {}",
                    bar.label,
                    percent(top.count as f64 / bar.total as f64),
                    display_label(
                        StatField::CountryOfManufacture,
                        top.value(StatField::CountryOfManufacture)
                    )
                )
            })
            .collect();
        let _ = write!(
            out,
            "<li>Ammunition origins by country of recovery: {}.</li>",
            escape(&parts.join("; "))
        );
    }
    match input
        .fastest
        .first()
        .and_then(|c| c.diversion.as_ref().map(|d| (c, d)))
    {
        Some((chain, d)) => {
            let what = chain
                .manufacture
                .model
                .clone()
                .or(chain.manufacture.item_type.clone())
                .unwrap_or_else(|| "item".into());
            let _ = write!(
                out,
                "<li>The fastest documented diversion: <b class=\"figure\">{} days</b> from the delivery to {} ({}, {}) to the recovery of {} {} ({}){}. {} items of the selection have a documented diversion; median {} days.</li>",
                d.days,
                escape(d.end_user.as_deref().unwrap_or("(end user not documented)")),
                escape(&d.transfer_ref),
                d.delivered_on,
                escape(&what),
                escape(&chain.reference),
                d.recovered_on,
                escape(
                    &chain
                        .recovery
                        .from
                        .as_ref()
                        .map(|f| format!(" from {f}"))
                        .unwrap_or_default()
                ),
                thousands(input.diversion.overall.as_ref().map_or(0, |o| o.count)),
                input
                    .diversion
                    .overall
                    .as_ref()
                    .map_or("—".to_owned(), |o| format!("{:.1}", o.median))
            );
        }
        None => out.push_str("<li>No item of this selection has a documented diversion.</li>"),
    }
    out.push_str("</ol>");

    // 1. Weapons by producing country.
    out.push_str("<h2>1. Weapons by producing country</h2>");
    figure(
        &mut out,
        &chart::bar_chart(
            &text(
                "Weapons by country of manufacture",
                format!("Share of {} weapon items", thousands(weapons.total)),
            ),
            &chart::bar_rows(weapons, StatField::CountryOfManufacture, 12),
            "Share of weapons (%)",
        ),
    );
    let rows: Vec<Vec<String>> = weapons
        .groups
        .iter()
        .map(|g| {
            vec![
                display_label(
                    StatField::CountryOfManufacture,
                    g.value(StatField::CountryOfManufacture),
                ),
                thousands(g.count),
                percent(g.share),
            ]
        })
        .collect();
    table(
        &mut out,
        &["Country of manufacture", "Weapons", "Share"],
        1,
        &rows,
    );

    // 2. Age.
    out.push_str("<h2>2. When the weapons and ammunition were made</h2>");
    if let Some(r) = &f.recent_decade {
        let _ = write!(
            out,
            "<p>Most recent decade of manufacture in this selection: <b>{}</b>. Ammunition: {} ({} of {}; {} without a year). Weapons: {} ({} of {}; {} without a year).</p>",
            escape(&r.decade),
            percent(r.ammunition.share),
            thousands(r.ammunition.in_decade),
            thousands(r.ammunition.with_year),
            thousands(r.ammunition.without_year),
            percent(r.weapons.share),
            thousands(r.weapons.in_decade),
            thousands(r.weapons.with_year),
            thousands(r.weapons.without_year)
        );
    }
    let (legend, bars) =
        chart::stacked_rows(&f.decades, StatField::Category, StatField::Decade, 2, 7);
    figure(
        &mut out,
        &chart::stacked_bars(
            &text(
                "Decade of manufacture: weapons and ammunition",
                "Share of each category's items by decade of manufacture".into(),
            ),
            &legend,
            &bars,
        ),
    );
    let mut decade_rows: Vec<Vec<String>> = f
        .decades
        .groups
        .iter()
        .map(|g| {
            let cat_total: u64 = f
                .decades
                .groups
                .iter()
                .filter(|h| h.value(StatField::Category) == g.value(StatField::Category))
                .map(|h| h.count)
                .sum();
            vec![
                g.label(StatField::Category),
                g.label(StatField::Decade),
                thousands(g.count),
                percent(g.count as f64 / cat_total as f64),
            ]
        })
        .collect();
    decade_rows.sort_by(|a, b| a[0].cmp(&b[0]).then(a[1].cmp(&b[1])));
    table(
        &mut out,
        &["Category", "Decade", "Items", "Share of category"],
        2,
        &decade_rows,
    );

    // 3. Ammunition origins by recovery country.
    out.push_str("<h2>3. Ammunition origins by country of recovery</h2>");
    let (legend, bars) = chart::stacked_rows(
        origins,
        StatField::RecoveredCountry,
        StatField::CountryOfManufacture,
        12,
        7,
    );
    figure(
        &mut out,
        &chart::stacked_bars(
            &text(
                "Ammunition by country of recovery and country of manufacture",
                format!(
                    "Share of {} ammunition items recovered in each country",
                    thousands(origins.total)
                ),
            ),
            &legend,
            &bars,
        ),
    );
    let rows: Vec<Vec<String>> = origins
        .groups
        .iter()
        .map(|g| {
            let bar_total: u64 = origins
                .groups
                .iter()
                .filter(|h| {
                    h.value(StatField::RecoveredCountry) == g.value(StatField::RecoveredCountry)
                })
                .map(|h| h.count)
                .sum();
            vec![
                display_label(
                    StatField::RecoveredCountry,
                    g.value(StatField::RecoveredCountry),
                ),
                display_label(
                    StatField::CountryOfManufacture,
                    g.value(StatField::CountryOfManufacture),
                ),
                thousands(g.count),
                percent(g.count as f64 / bar_total as f64),
            ]
        })
        .collect();
    let mut rows = rows;
    // Recovery countries in the chart's order (most ammunition first), then by count.
    let position = |label: &String| {
        bars.iter()
            .position(|b| b.label == *label)
            .unwrap_or(usize::MAX)
    };
    rows.sort_by_key(|r| position(&r[0]));
    table(
        &mut out,
        &["Recovered in", "Made in", "Items", "Share of country"],
        2,
        &rows,
    );

    // 4. Diversion.
    out.push_str("<h2>4. How fast items were diverted</h2>");
    let d = &input.diversion;
    match &d.overall {
        Some(o) => {
            let _ = write!(
                out,
                "<p>{} items of the selection have a documented diversion. Days from the last documented delivery to recovery: minimum {}, first quartile {:.1}, median {:.1}, third quartile {:.1}, maximum {}.</p>",
                thousands(o.count),
                o.min,
                o.q1,
                o.median,
                o.q3,
                o.max
            );
            figure(
                &mut out,
                &chart::histogram_chart(
                    &text(
                        "Time to diversion",
                        format!("{} diverted items", thousands(o.count)),
                    ),
                    &d.histogram,
                ),
            );
            out.push_str("<h3>Fastest diversions and their chains of custody</h3>");
            for chain in &input.fastest {
                if let Some(div) = &chain.diversion {
                    let _ = write!(
                        out,
                        "<p><b>{} days</b> · {} · {}</p><ul class=\"chain\">",
                        div.days,
                        escape(&chain.reference),
                        escape(
                            chain
                                .manufacture
                                .model
                                .as_deref()
                                .or(chain.manufacture.item_type.as_deref())
                                .unwrap_or("item")
                        )
                    );
                    for s in chain_steps(chain) {
                        let _ = write!(out, "<li>{}</li>", escape(&s));
                    }
                    out.push_str("</ul>");
                }
            }
            out.push_str("<h3>By end user (last legitimate holder)</h3>");
            table(
                &mut out,
                &{
                    let mut h = DISTRIBUTION_HEADERS;
                    h[0] = "End user";
                    h
                },
                1,
                &distribution_rows(&d.by_end_user, 20),
            );
            out.push_str("<h3>By holder at recovery</h3>");
            table(
                &mut out,
                &{
                    let mut h = DISTRIBUTION_HEADERS;
                    h[0] = "Recovered from";
                    h
                },
                1,
                &distribution_rows(&d.by_recovered_from, 20),
            );
        }
        None => out.push_str("<p>No item of this selection has a documented diversion.</p>"),
    }

    // 5. Recoveries over time.
    out.push_str("<h2>5. Recoveries over time</h2>");
    let (series, unknown) = chart::monthly_series(&f.recoveries_by_month);
    figure(
        &mut out,
        &chart::time_series(
            &text(
                "Items recovered per month",
                format!(
                    "{} items without a recovery month are not shown",
                    thousands(unknown)
                ),
            ),
            &series,
        ),
    );
    let rows: Vec<Vec<String>> = f
        .categories
        .groups
        .iter()
        .map(|g| {
            vec![
                g.label(StatField::Category),
                thousands(g.count),
                percent(g.share),
            ]
        })
        .collect();
    out.push_str("<h3>Items of the selection by category</h3>");
    table(&mut out, &["Category", "Items", "Share"], 1, &rows);

    // Methods.
    let edges: Vec<String> = BIN_EDGES.iter().map(|e| e.to_string()).collect();
    let methods: [(&str, String); 8] = [
        ("Selection", format!("The report covers {} (filters on different fields must all hold; several values of one field are alternatives; text is compared ignoring case and spacing; countries are ISO 3166-1 alpha-2 codes) and that the viewer may see. Counts are item records, not pieces: a record with a quantity of 400 rounds counts once.", escape(&if input.filters.is_empty() { "all items of the register".to_owned() } else { format!("the items of the register that match {}", selection_text(&input.filters)) }))),
        ("Headline 1: weapons by producing country", "Weapon records grouped by country_of_manufacture; share = records of the country ÷ all weapon records of the selection (records without a country form their own group, “(missing)”, and stay in the denominator).".to_owned()),
        ("Headline 2: ammunition against weapons in the most recent decade", "The decade of a record is its year_of_manufacture rounded down to ten years (1994 → 1990s). The most recent decade is that of the latest year of manufacture among the selection's weapon and ammunition records. For each category, share = records made in that decade ÷ records of that category with a known year; records without a year are counted separately and left out of the share.".to_owned()),
        ("Headline 3: ammunition origins by recovery country", "Ammunition records grouped by recovered_country and country_of_manufacture; each share is taken within its recovery country (records of the pair ÷ ammunition records recovered in that country). The headline names the largest origin of the three recovery countries with most ammunition.".to_owned()),
        ("Headline 4: diversion", "An item's diversion is the number of days from the delivery of its last documented legitimate transfer to its recovery. A transfer covers an item by serial range (same model, the serial inside the range) or by lot (same manufacturer and lot, and the same year and calibre where the transfer states them). It counts only when its delivery certainly precedes the recovery; both dates must be full dates. The end user is the last transfer's end user (its recipient when it names none). Fastest diversions are listed with every covering transfer delivered before the recovery, in delivery order.".to_owned()),
        ("Time-to-diversion distribution", format!("Minimum, quartiles and maximum of the days; quartiles by linear interpolation between closest ranks (Hyndman and Fan type 7, as R and NumPy): for n sorted values the p-quantile lies at position (n − 1)·p. The histogram bins start at {} days; each bin holds lower ≤ days &lt; next lower edge, the last is open-ended.", edges.join(", "))),
        ("Recoveries over time", "Records grouped by the month of recovered_on; records whose recovery date gives only a year, or none, are counted in the caption but not drawn. Months without recoveries are drawn as zero.".to_owned()),
        ("Data status", "A record is synthetic when its ref starts with DEMO- or its notes contain SYNTHETIC. The report is marked synthetic when every selected record is, mixed when some are, and recorded data when none is.".to_owned()),
    ];
    out.push_str("<h2 class=\"page-break\">Methods</h2><dl class=\"methods\">");
    for (term, text) in methods {
        // The texts above are trusted constants; only the selection and edges are
        // inserted into them, escaped above.
        let _ = write!(out, "<dt>{}</dt><dd>{text}</dd>", escape(term));
    }
    out.push_str("</dl>");
    let _ = write!(out, "<footer>{}</footer></body></html>", escape(&caption));
    out
}
