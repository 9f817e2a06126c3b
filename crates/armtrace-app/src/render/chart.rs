//! Charts as SVG text, for files (`armtrace chart`), reports and the web UI alike.
//!
//! Four kinds: [`bar_chart`] (shares of one field), [`stacked_bars`] (a two-field
//! cross-tab, each bar split 100% by the second field), [`histogram_chart`] (time to
//! diversion) and [`time_series`] (recoveries per month). Each has a title, axis labels
//! and a caption line saying where the figures come from and whether the data are
//! synthetic, so a chart cut out of a report still says what it is.
//!
//! The SVG is self-contained, uses one font family (DejaVu Sans, bundled with the
//! binary for PNG rendering; any sans-serif in a browser), a palette that survives
//! colour blindness (Okabe and Ito) and print in grey, and no scripts. Rendering is pure:
//! text in, text out; every label is XML-escaped.

use std::fmt::Write;

use armtrace_core::analytics::{Bin, StatField, StatsResult, display_label};

/// Segment colours (Okabe–Ito, then two darker tones); "Other" is [`OTHER_COLOUR`].
pub const PALETTE: [&str; 8] = [
    "#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#8C6D31", "#332288",
];
pub const OTHER_COLOUR: &str = "#B8B8B8";
const FONT: &str = "DejaVu Sans, Arial, Helvetica, sans-serif";
const WIDTH: f64 = 820.0;
const INK: &str = "#222222";
const MUTED: &str = "#666666";
const GRID: &str = "#E3E3E3";

/// The words around a chart.
#[derive(Debug, Clone, PartialEq)]
pub struct ChartText {
    pub title: String,
    /// A line under the title (selection, weighting); empty for none.
    pub subtitle: String,
    /// The source line at the bottom (register, synthetic or real data).
    pub caption: String,
}

/// One bar: a label, its count and its share of the total.
#[derive(Debug, Clone, PartialEq)]
pub struct BarRow {
    pub label: String,
    pub count: u64,
    pub share: f64,
}

/// Escapes text for SVG and HTML content and attributes.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// `1234567` → `1,234,567`.
pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// A share as a percentage with one decimal: `0.4213` → `42.1%`.
pub fn percent(share: f64) -> String {
    format!("{:.1}%", share * 100.0)
}

/// Shortens a label to `max` characters with an ellipsis.
fn clip(label: &str, max: usize) -> String {
    if label.chars().count() <= max {
        label.to_owned()
    } else {
        let mut s: String = label.chars().take(max.saturating_sub(1)).collect();
        s.push('…');
        s
    }
}

/// Approximate width of text in DejaVu Sans at `size` px.
fn text_width(text: &str, size: f64) -> f64 {
    text.chars().count() as f64 * size * 0.6
}

/// Tick step and top of an axis from 0 to at least `max`: steps of 1, 2 or 5 × 10ⁿ,
/// about five ticks.
fn nice_axis(max: f64) -> (f64, f64) {
    if max <= 0.0 {
        return (1.0, 1.0);
    }
    let rough = max / 5.0;
    let magnitude = 10f64.powf(rough.log10().floor());
    let step = [1.0, 2.0, 5.0, 10.0]
        .iter()
        .map(|m| m * magnitude)
        .find(|s| *s >= rough)
        .unwrap_or(10.0 * magnitude);
    (step, (max / step).ceil() * step)
}

fn tick_label(value: f64, step: f64) -> String {
    if step >= 1.0 {
        thousands(value.round() as u64)
    } else {
        format!("{value:.1}")
    }
}

/// The SVG element, background, title, subtitle; returns the y below them.
fn open(svg: &mut String, height: f64, text: &ChartText) -> f64 {
    let _ = write!(
        svg,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height}" viewBox="0 0 {WIDTH} {height}" font-family="{FONT}" role="img" aria-label="{}">"#,
        escape(&text.title)
    );
    let _ = write!(
        svg,
        r#"<rect width="{WIDTH}" height="{height}" fill="white"/>"#
    );
    let _ = write!(
        svg,
        r#"<text x="20" y="32" font-size="18" font-weight="bold" fill="{INK}">{}</text>"#,
        escape(&clip(&text.title, 80))
    );
    if text.subtitle.is_empty() {
        44.0
    } else {
        let _ = write!(
            svg,
            r#"<text x="20" y="54" font-size="12.5" fill="{MUTED}">{}</text>"#,
            escape(&clip(&text.subtitle, 120))
        );
        66.0
    }
}

fn close(svg: &mut String, height: f64, text: &ChartText) {
    let _ = write!(
        svg,
        r#"<text x="20" y="{}" font-size="11" fill="{MUTED}">{}</text></svg>"#,
        height - 12.0,
        escape(&clip(&text.caption, 118))
    );
}

fn message(text: &ChartText, note: &str) -> String {
    let height = 160.0;
    let mut svg = String::new();
    let top = open(&mut svg, height, text);
    let _ = write!(
        svg,
        r#"<text x="20" y="{}" font-size="14" fill="{MUTED}">{}</text>"#,
        top + 40.0,
        escape(note)
    );
    close(&mut svg, height, text);
    svg
}

/// The bars of a one-field statistic: the `top` largest groups, the rest as one
/// "Other (k groups)" bar.
pub fn bar_rows(result: &StatsResult, field: StatField, top: usize) -> Vec<BarRow> {
    let mut rows: Vec<BarRow> = result
        .groups
        .iter()
        .take(top)
        .map(|g| BarRow {
            label: display_label(field, g.value(field)),
            count: g.count,
            share: g.share,
        })
        .collect();
    let rest = &result.groups[top.min(result.groups.len())..];
    if !rest.is_empty() {
        let count: u64 = rest.iter().map(|g| g.count).sum();
        rows.push(BarRow {
            label: format!("Other ({} groups)", rest.len()),
            count,
            share: rest.iter().map(|g| g.share).sum(),
        });
    }
    rows
}

/// Horizontal bars of shares, largest first, each labelled with its share and count.
pub fn bar_chart(text: &ChartText, rows: &[BarRow], axis_label: &str) -> String {
    if rows.is_empty() {
        return message(text, "No items in this selection.");
    }
    let label_width = rows
        .iter()
        .map(|r| text_width(&clip(&r.label, 34), 12.0))
        .fold(60.0, f64::max)
        + 28.0;
    let row_height = 26.0;
    let mut svg = String::new();
    let height = 66.0 + rows.len() as f64 * row_height + 86.0;
    let top = open(&mut svg, height, text) + 10.0;
    let left = label_width;
    let right = WIDTH - 150.0;
    let max_share = rows.iter().map(|r| r.share).fold(0.0, f64::max);
    let (step, axis_max) = nice_axis(max_share * 100.0);
    let x = |share: f64| left + (share * 100.0 / axis_max) * (right - left);
    let bottom = top + rows.len() as f64 * row_height;
    let mut tick = 0.0;
    while tick <= axis_max + 1e-9 {
        let tx = x(tick / 100.0);
        let _ = write!(
            svg,
            r#"<line x1="{tx:.1}" y1="{top}" x2="{tx:.1}" y2="{bottom}" stroke="{GRID}"/><text x="{tx:.1}" y="{}" font-size="11" fill="{MUTED}" text-anchor="middle">{}%</text>"#,
            bottom + 16.0,
            tick_label(tick, step)
        );
        tick += step;
    }
    for (i, r) in rows.iter().enumerate() {
        let y = top + i as f64 * row_height;
        let colour = if r.label.starts_with("Other (") {
            OTHER_COLOUR
        } else {
            PALETTE[0]
        };
        let w = (x(r.share) - left).max(if r.count > 0 { 1.0 } else { 0.0 });
        let _ = write!(
            svg,
            r#"<text x="{}" y="{}" font-size="12" fill="{INK}" text-anchor="end">{}</text><rect x="{left}" y="{}" width="{w:.1}" height="{}" fill="{colour}"/><text x="{}" y="{}" font-size="11.5" fill="{INK}">{} ({})</text>"#,
            left - 8.0,
            y + 17.0,
            escape(&clip(&r.label, 34)),
            y + 4.0,
            row_height - 8.0,
            left + w + 6.0,
            y + 17.0,
            percent(r.share),
            thousands(r.count)
        );
    }
    let _ = write!(
        svg,
        r#"<line x1="{left}" y1="{top}" x2="{left}" y2="{bottom}" stroke="{INK}"/><text x="{}" y="{}" font-size="12" fill="{INK}" text-anchor="middle">{}</text>"#,
        (left + right) / 2.0,
        bottom + 36.0,
        escape(axis_label)
    );
    close(&mut svg, height, text);
    svg
}

/// One bar of a stacked chart: its label, total and the share of each segment.
#[derive(Debug, Clone, PartialEq)]
pub struct StackedBar {
    pub label: String,
    pub total: u64,
    /// Count per segment, in legend order.
    pub segments: Vec<u64>,
}

/// The bars and legend of a two-field cross-tab: one bar per value of `bars` (the
/// `top_bars` largest), split by the values of `segments` (the `top_segments` largest
/// overall; the rest as "Other"). Segments are in order of size, or of time for years,
/// decades, months and dates.
pub fn stacked_rows(
    result: &StatsResult,
    bars: StatField,
    segments: StatField,
    top_bars: usize,
    top_segments: usize,
) -> (Vec<String>, Vec<StackedBar>) {
    let mut bar_totals: Vec<(String, u64)> = Vec::new();
    let mut segment_totals: Vec<(String, u64)> = Vec::new();
    let add = |list: &mut Vec<(String, u64)>, label: String, n: u64| match list
        .iter_mut()
        .find(|(l, _)| *l == label)
    {
        Some((_, c)) => *c += n,
        None => list.push((label, n)),
    };
    for g in &result.groups {
        add(&mut bar_totals, display_label(bars, g.value(bars)), g.count);
        add(
            &mut segment_totals,
            display_label(segments, g.value(segments)),
            g.count,
        );
    }
    let by_count = |a: &(String, u64), b: &(String, u64)| b.1.cmp(&a.1).then(a.0.cmp(&b.0));
    bar_totals.sort_by(by_count);
    segment_totals.sort_by(by_count);
    if segments.is_ordinal() {
        // Years, decades and months read in time order (the largest are still kept).
        segment_totals.truncate(top_segments.max(1));
        segment_totals.sort_by(|a, b| {
            (a.0 == "(missing)")
                .cmp(&(b.0 == "(missing)"))
                .then(a.0.cmp(&b.0))
        });
    }
    let mut legend: Vec<String> = segment_totals
        .iter()
        .take(top_segments)
        .map(|(l, _)| l.clone())
        .collect();
    let other = segment_totals.len() > top_segments;
    if other {
        legend.push("Other".to_owned());
    }
    let rows = bar_totals
        .iter()
        .take(top_bars)
        .map(|(label, total)| {
            let mut counts = vec![0u64; legend.len()];
            for g in result
                .groups
                .iter()
                .filter(|g| display_label(bars, g.value(bars)) == *label)
            {
                let s = display_label(segments, g.value(segments));
                let i = legend
                    .iter()
                    .take(top_segments)
                    .position(|l| *l == s)
                    .unwrap_or(legend.len() - 1);
                counts[i] += g.count;
            }
            StackedBar {
                label: label.clone(),
                total: *total,
                segments: counts,
            }
        })
        .collect();
    (legend, rows)
}

/// 100% stacked horizontal bars with a legend; each bar is labelled with its total.
pub fn stacked_bars(text: &ChartText, legend: &[String], bars: &[StackedBar]) -> String {
    if bars.is_empty() {
        return message(text, "No items in this selection.");
    }
    let label_width = bars
        .iter()
        .map(|r| text_width(&clip(&r.label, 30), 12.0))
        .fold(60.0, f64::max)
        + 28.0;
    // Legend entries flow left to right, wrapping.
    let mut legend_rows = 1;
    let mut lx = 20.0;
    let mut positions = Vec::new();
    for entry in legend {
        let w = 22.0 + text_width(&clip(entry, 28), 11.5) + 18.0;
        if lx + w > WIDTH - 20.0 {
            legend_rows += 1;
            lx = 20.0;
        }
        positions.push((lx, legend_rows - 1));
        lx += w;
    }
    let row_height = 28.0;
    let legend_height = legend_rows as f64 * 20.0 + 10.0;
    let height = 66.0 + legend_height + bars.len() as f64 * row_height + 86.0;
    let mut svg = String::new();
    let legend_top = open(&mut svg, height, text) + 6.0;
    for (i, (entry, (lx, row))) in legend.iter().zip(&positions).enumerate() {
        let y = legend_top + *row as f64 * 20.0;
        let colour = colour(i, legend);
        let _ = write!(
            svg,
            r#"<rect x="{lx}" y="{y}" width="14" height="14" fill="{colour}"/><text x="{}" y="{}" font-size="11.5" fill="{INK}">{}</text>"#,
            lx + 20.0,
            y + 11.5,
            escape(&clip(entry, 28))
        );
    }
    let top = legend_top + legend_height;
    let left = label_width;
    let right = WIDTH - 110.0;
    let bottom = top + bars.len() as f64 * row_height;
    for tick in (0..=100).step_by(20) {
        let tx = left + tick as f64 / 100.0 * (right - left);
        let _ = write!(
            svg,
            r#"<line x1="{tx:.1}" y1="{top}" x2="{tx:.1}" y2="{bottom}" stroke="{GRID}"/><text x="{tx:.1}" y="{}" font-size="11" fill="{MUTED}" text-anchor="middle">{tick}%</text>"#,
            bottom + 16.0
        );
    }
    for (b, bar) in bars.iter().enumerate() {
        let y = top + b as f64 * row_height;
        let _ = write!(
            svg,
            r#"<text x="{}" y="{}" font-size="12" fill="{INK}" text-anchor="end">{}</text>"#,
            left - 8.0,
            y + 18.0,
            escape(&clip(&bar.label, 30))
        );
        let mut x = left;
        for (i, &count) in bar.segments.iter().enumerate() {
            if count == 0 || bar.total == 0 {
                continue;
            }
            let share = count as f64 / bar.total as f64;
            let w = share * (right - left);
            let _ = write!(
                svg,
                r#"<rect x="{x:.2}" y="{}" width="{w:.2}" height="{}" fill="{}" stroke="white" stroke-width="0.5"><title>{}: {} ({})</title></rect>"#,
                y + 4.0,
                row_height - 8.0,
                colour(i, legend),
                escape(&legend[i]),
                percent(share),
                thousands(count)
            );
            if w > 40.0 {
                let _ = write!(
                    svg,
                    r#"<text x="{:.1}" y="{}" font-size="10.5" fill="{}" text-anchor="middle">{:.0}%</text>"#,
                    x + w / 2.0,
                    y + 18.0,
                    label_ink(i, legend),
                    share * 100.0
                );
            }
            x += w;
        }
        let _ = write!(
            svg,
            r#"<text x="{}" y="{}" font-size="11.5" fill="{INK}">n = {}</text>"#,
            right + 8.0,
            y + 18.0,
            thousands(bar.total)
        );
    }
    let _ = write!(
        svg,
        r#"<text x="{}" y="{}" font-size="12" fill="{INK}" text-anchor="middle">Share within each bar (%)</text>"#,
        (left + right) / 2.0,
        bottom + 36.0
    );
    close(&mut svg, height, text);
    svg
}

fn colour<'a>(i: usize, legend: &[String]) -> &'a str {
    if i + 1 == legend.len() && legend[i] == "Other" {
        OTHER_COLOUR
    } else {
        PALETTE[i % PALETTE.len()]
    }
}

/// White text on dark segments, dark text on light ones.
fn label_ink(i: usize, legend: &[String]) -> &'static str {
    match colour(i, legend) {
        "#E69F00" | "#56B4E9" | OTHER_COLOUR | "#CC79A7" => INK,
        _ => "#ffffff",
    }
}

/// Vertical columns with category labels under them and counts above.
/// `labels` name each column (in tooltips); `axis_labels` are printed under them (empty
/// for none).
fn columns(
    text: &ChartText,
    labels: &[String],
    axis_labels: &[String],
    counts: &[u64],
    x_label: &str,
    y_label: &str,
) -> String {
    let height = 420.0;
    let mut svg = String::new();
    let top = open(&mut svg, height, text) + 14.0;
    let left = 80.0;
    let right = WIDTH - 24.0;
    let bottom = height - 92.0;
    let max = counts.iter().copied().max().unwrap_or(0) as f64;
    let (step, axis_max) = nice_axis(max.max(1.0));
    let y = |v: f64| bottom - v / axis_max * (bottom - top);
    let mut tick = 0.0;
    while tick <= axis_max + 1e-9 {
        let ty = y(tick);
        let _ = write!(
            svg,
            r#"<line x1="{left}" y1="{ty:.1}" x2="{right}" y2="{ty:.1}" stroke="{GRID}"/><text x="{}" y="{:.1}" font-size="11" fill="{MUTED}" text-anchor="end">{}</text>"#,
            left - 6.0,
            ty + 4.0,
            tick_label(tick, step.max(1.0))
        );
        tick += step.max(1.0);
    }
    let slot = (right - left) / counts.len().max(1) as f64;
    let show_counts = counts.len() <= 24;
    for (i, (&count, label)) in counts.iter().zip(labels).enumerate() {
        let x = left + i as f64 * slot;
        let w = (slot * 0.8).max(1.0);
        let h = bottom - y(count as f64);
        if count > 0 {
            let _ = write!(
                svg,
                r#"<rect x="{:.2}" y="{:.2}" width="{w:.2}" height="{h:.2}" fill="{}"><title>{}: {}</title></rect>"#,
                x + slot * 0.1,
                bottom - h,
                PALETTE[0],
                escape(label),
                thousands(count)
            );
        }
        if show_counts && count > 0 {
            let _ = write!(
                svg,
                r#"<text x="{:.1}" y="{:.1}" font-size="11" fill="{INK}" text-anchor="middle">{}</text>"#,
                x + slot / 2.0,
                bottom - h - 5.0,
                thousands(count)
            );
        }
        if !axis_labels[i].is_empty() {
            let _ = write!(
                svg,
                r#"<text x="{:.1}" y="{}" font-size="11" fill="{INK}" text-anchor="middle">{}</text>"#,
                x + slot / 2.0,
                bottom + 16.0,
                escape(&clip(&axis_labels[i], 16))
            );
        }
    }
    let _ = write!(
        svg,
        r#"<line x1="{left}" y1="{bottom}" x2="{right}" y2="{bottom}" stroke="{INK}"/><text x="{}" y="{}" font-size="12" fill="{INK}" text-anchor="middle">{}</text><text transform="translate(20 {}) rotate(-90)" font-size="12" fill="{INK}" text-anchor="middle">{}</text>"#,
        (left + right) / 2.0,
        bottom + 40.0,
        escape(x_label),
        (top + bottom) / 2.0,
        escape(y_label)
    );
    close(&mut svg, height, text);
    svg
}

/// Items per time-to-diversion bin. The bins widen with time (see
/// [`BIN_EDGES`](armtrace_core::analytics::BIN_EDGES)); each column is one bin.
pub fn histogram_chart(text: &ChartText, bins: &[Bin]) -> String {
    if bins.iter().all(|b| b.count == 0) {
        return message(
            text,
            "No item in this selection has a documented diversion.",
        );
    }
    let labels: Vec<String> = bins.iter().map(|b| b.label.clone()).collect();
    let counts: Vec<u64> = bins.iter().map(|b| b.count).collect();
    columns(
        text,
        &labels,
        &labels,
        &counts,
        "Time from last documented delivery to recovery (bins of unequal width)",
        "Items",
    )
}

/// Every month from the first to the last with a count, gaps as 0, from a statistic by
/// `recovered_month`; also the count of rows whose month is unknown.
pub fn monthly_series(result: &StatsResult) -> (Vec<(String, u64)>, u64) {
    let mut known: Vec<(i32, u32, u64)> = Vec::new();
    let mut unknown = 0;
    for g in &result.groups {
        match g.value(StatField::RecoveredMonth).as_str() {
            Some(m) => {
                let (y, mo) = m.split_once('-').expect("months are YYYY-MM");
                known.push((
                    y.parse().expect("year"),
                    mo.parse().expect("month"),
                    g.count,
                ));
            }
            None => unknown += g.count,
        }
    }
    known.sort_unstable();
    let (Some(first), Some(last)) = (known.first(), known.last()) else {
        return (Vec::new(), unknown);
    };
    let index = |y: i32, m: u32| y * 12 + m as i32 - 1;
    let mut series: Vec<(String, u64)> = (index(first.0, first.1)..=index(last.0, last.1))
        .map(|i| (format!("{:04}-{:02}", i / 12, i % 12 + 1), 0))
        .collect();
    let start = index(first.0, first.1);
    for (y, m, c) in known {
        series[(index(y, m) - start) as usize].1 += c;
    }
    (series, unknown)
}

/// Recoveries per month as columns, one per month; the x axis labels each January (or
/// every month for short series).
pub fn time_series(text: &ChartText, series: &[(String, u64)]) -> String {
    if series.is_empty() {
        return message(
            text,
            "No item in this selection has a recovery date with a month.",
        );
    }
    let labels: Vec<String> = series.iter().map(|(m, _)| m.clone()).collect();
    let counts: Vec<u64> = series.iter().map(|(_, c)| *c).collect();
    let every = if series.len() <= 18 {
        1
    } else if series.len() <= 48 {
        6
    } else {
        12
    };
    // Labels fall on Januaries (and Julys), wherever the series starts.
    let axis_labels: Vec<String> = labels
        .iter()
        .map(|m| {
            let month: usize = m[5..].parse().unwrap_or(1);
            if every == 12 && month == 1 {
                m[..4].to_owned()
            } else if (month - 1).is_multiple_of(every) {
                m.clone()
            } else {
                String::new()
            }
        })
        .collect();
    columns(
        text,
        &labels,
        &axis_labels,
        &counts,
        "Month of recovery",
        "Items recovered",
    )
}
