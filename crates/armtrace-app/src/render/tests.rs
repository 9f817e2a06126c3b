//! The charts and the findings report, on the small register whose figures the core's
//! tests compute by hand (`armtrace_core::fixtures::eight_items`).

use armtrace_core::Clearance;
use armtrace_core::analytics::{
    DiversionFact, ItemColumns, StatField, StatFilter, StatsQuery, StatsResult, diversion_summary,
    histogram, report_figures, stats,
};

use super::chart;
use super::report::{ReportInput, render_report_html};

fn columns() -> ItemColumns {
    ItemColumns::from_items(&armtrace_core::fixtures::eight_items())
}

fn full(by: &[&str], wheres: &[&str]) -> StatsResult {
    let by: Vec<String> = by.iter().map(|s| s.to_string()).collect();
    let wheres: Vec<String> = wheres.iter().map(|s| s.to_string()).collect();
    let query = StatsQuery::parse(&by, &wheres, None).unwrap();
    stats(&columns(), &query, &Clearance::full(), 2)
}

fn report_input(filters: Vec<StatFilter>) -> ReportInput {
    ReportInput {
        title: "Findings <test>".into(),
        register: "r.db".into(),
        generated_on: "2024-05-01".into(),
        figures: report_figures(&columns(), &filters, &Clearance::full()),
        filters,
        diversion: diversion_summary(&[DiversionFact {
            reference: "W1".into(),
            days: 59,
            end_user: Some("17th Division".into()),
            recovered_from: Some("Islamic State forces".into()),
        }]),
        fastest: Vec::new(),
    }
}

#[test]
fn report_states_figures_methods_and_status_and_escapes_text() {
    let html = render_report_html(&report_input(vec![
        StatFilter::parse("model=<script>").unwrap(),
    ]));
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert!(html.contains("<title>Findings &lt;test&gt;</title>"));
    assert!(html.contains("model=&lt;script&gt;"));
    assert!(!html.contains("<script>"));
    assert!(html.contains("Data status: this selection has no items."));
    assert!(html.contains("<h2 class=\"page-break\">Methods</h2>"));
    assert!(html.contains("Hyndman and Fan type 7"));
    // With no filter, the headline numbers appear as computed above.
    let html = render_report_html(&report_input(Vec::new()));
    assert!(html.contains("Data status: MIXED. 1 of 8 items"));
    assert!(
        html.contains(
            "<b class=\"figure\">50.0%</b> of weapons were produced in <b>China (CN)</b> (2 of 4)"
        ),
        "{html}"
    );
    assert!(html.contains("<b class=\"figure\">66.7%</b> of ammunition was made in the 2010s"));
    assert!(html.contains("against <b class=\"figure\">0.0%</b> of weapons"));
    assert!(html.contains("recovered in Iraq (IQ): 100.0% made in China (CN)"));
    assert!(html.contains("minimum 59, first quartile 59.0, median 59.0"));
}

#[test]
fn charts_are_self_contained_svg_with_escaped_labels() {
    let text = chart::ChartText {
        title: "Items by <country>".into(),
        subtitle: "All items".into(),
        caption: "Source: test. SYNTHETIC".into(),
    };
    let r = full(&["country_of_manufacture"], &[]);
    let rows = chart::bar_rows(&r, StatField::CountryOfManufacture, 2);
    let labels: Vec<(&str, u64)> = rows.iter().map(|r| (r.label.as_str(), r.count)).collect();
    assert_eq!(
        labels,
        [
            ("China (CN)", 4),
            ("Soviet Union (SU)", 2),
            ("Other (2 groups)", 2)
        ]
    );
    let svg = chart::bar_chart(&text, &rows, "Share (%)");
    assert!(svg.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""));
    assert!(svg.ends_with("</svg>"));
    assert!(svg.contains("Items by &lt;country&gt;") && svg.contains("Source: test. SYNTHETIC"));
    assert!(svg.contains("50.0% (4)"));
    let (legend, bars) = chart::stacked_rows(
        &full(&["recovered_country", "category"], &[]),
        StatField::RecoveredCountry,
        StatField::Category,
        5,
        2,
    );
    assert_eq!(legend, ["weapon", "ammunition", "Other"]);
    assert_eq!(bars[0].label, "Iraq (IQ)");
    assert_eq!(
        (bars[0].total, bars[0].segments.clone()),
        (5, vec![3, 1, 1])
    );
    assert!(chart::stacked_bars(&text, &legend, &bars).contains("n = 5"));
    let (series, unknown) = chart::monthly_series(&full(&["recovered_month"], &[]));
    assert_eq!(
        series,
        [
            ("2016-07".to_owned(), 4),
            ("2016-08".to_owned(), 1),
            ("2016-09".to_owned(), 1)
        ]
    );
    assert_eq!(unknown, 2);
    assert!(chart::time_series(&text, &series).contains("2016-07"));
    assert!(chart::histogram_chart(&text, &histogram(&[])).contains("No item in this selection"));
}
