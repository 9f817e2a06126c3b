//! Charts and findings reports for a viewer: the figures from the cached statistics
//! columns (what the viewer may see), the wording and drawing from [`crate::render`].
//! Every chart's caption and every report say whether the data are synthetic.

use armtrace_core::analytics::{self, StatField, StatFilter, StatsQuery, Weight};

use crate::render::chart;
use crate::render::report::{ReportInput, render_report_html};

use crate::actor::View;
use crate::clock::today;
use crate::error::{AppError, AppResult};

/// What a chart shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChartKind {
    /// Horizontal bars of each group's share: one `by` field.
    Bars,
    /// 100% stacked bars of a cross-tab: two `by` fields.
    Stacked,
    /// Items per time-to-diversion bin (no `by`).
    DiversionHistogram,
    /// Items recovered per month (no `by`).
    Recoveries,
}

impl ChartKind {
    /// The `by` fields the kind takes.
    pub fn fields(self) -> usize {
        match self {
            ChartKind::Bars => 1,
            ChartKind::Stacked => 2,
            ChartKind::DiversionHistogram | ChartKind::Recoveries => 0,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            ChartKind::Bars => "bars",
            ChartKind::Stacked => "stacked",
            ChartKind::DiversionHistogram => "diversion-histogram",
            ChartKind::Recoveries => "recoveries",
        }
    }
}

/// A chart to draw.
#[derive(Debug, Clone)]
pub struct ChartRequest {
    pub kind: ChartKind,
    pub by: Vec<String>,
    pub wheres: Vec<String>,
    pub weight: Option<String>,
    /// A title instead of the default one.
    pub title: Option<String>,
    /// The register as the caption names it.
    pub register_name: String,
}

/// "All items" or "Items where …".
fn selection(filters: &[StatFilter]) -> String {
    if filters.is_empty() {
        "All items".to_owned()
    } else {
        format!(
            "Items where {}",
            filters
                .iter()
                .map(|f| f.to_string())
                .collect::<Vec<_>>()
                .join(" and ")
        )
    }
}

fn subtitle(filters: &[StatFilter], weight: Weight) -> String {
    let selection = selection(filters);
    match weight {
        Weight::Items => format!("{selection}; counting item records"),
        Weight::Quantity => format!("{selection}; counting pieces (sum of quantity)"),
    }
}

fn bad_request(e: impl std::fmt::Display) -> AppError {
    AppError::BadRequest(e.to_string())
}

impl View<'_> {
    /// The caption of a chart: where the data come from, when, and whether they are
    /// synthetic.
    async fn caption(&self, register_name: &str, filters: &[StatFilter]) -> AppResult<String> {
        let columns = self.register.columns().await?;
        let selected = analytics::select_rows(&columns, filters, &self.clearance);
        let status = analytics::DataStatus {
            items: selected.len() as u64,
            synthetic: selected
                .iter()
                .filter(|&&r| columns.is_synthetic(r))
                .count() as u64,
        };
        Ok(format!(
            "Source: armtrace register {register_name}, {}. {}.",
            today(),
            crate::render::data_status(&status)
        ))
    }

    /// Draws a chart as SVG.
    pub async fn chart(&self, request: &ChartRequest) -> AppResult<String> {
        let needs = request.kind.fields();
        if request.by.len() != needs {
            return Err(AppError::BadRequest(format!(
                "chart {} takes {} --by field{}, not {}",
                request.kind.name(),
                needs,
                if needs == 1 { "" } else { "s" },
                request.by.len()
            )));
        }
        if needs == 0 && request.weight.is_some() {
            return Err(AppError::BadRequest(
                "--weight applies to bars and stacked charts only".to_owned(),
            ));
        }
        let filters = analytics::parse_filters(&request.wheres).map_err(bad_request)?;
        let text = |title: String, subtitle: String, caption: String| chart::ChartText {
            title: request.title.clone().unwrap_or(title),
            subtitle,
            caption,
        };
        let caption = self.caption(&request.register_name, &filters).await?;
        Ok(match request.kind {
            ChartKind::Bars | ChartKind::Stacked => {
                let query =
                    StatsQuery::parse(&request.by, &request.wheres, request.weight.as_deref())
                        .map_err(bad_request)?;
                let result = self.stats(&query).await?;
                let sub = subtitle(&filters, query.weight);
                if request.kind == ChartKind::Bars {
                    let field = query.by[0];
                    chart::bar_chart(
                        &text(
                            format!("Items by {}", field.name().replace('_', " ")),
                            sub,
                            caption,
                        ),
                        &chart::bar_rows(&result, field, 15),
                        "Share (%)",
                    )
                } else {
                    let (a, b) = (query.by[0], query.by[1]);
                    let (legend, bars) = chart::stacked_rows(&result, a, b, 15, 8);
                    chart::stacked_bars(
                        &text(
                            format!(
                                "Items by {} and {}",
                                a.name().replace('_', " "),
                                b.name().replace('_', " ")
                            ),
                            sub,
                            caption,
                        ),
                        &legend,
                        &bars,
                    )
                }
            }
            ChartKind::DiversionHistogram => {
                let summary = self
                    .diversion_summary(&crate::ItemQuery::default(), &filters)
                    .await?;
                let n = summary.overall.as_ref().map_or(0, |o| o.count);
                chart::histogram_chart(
                    &text(
                        "Time to diversion".into(),
                        format!(
                            "{} items with a documented diversion. {}",
                            chart::thousands(n),
                            selection(&filters)
                        ),
                        caption,
                    ),
                    &summary.histogram,
                )
            }
            ChartKind::Recoveries => {
                let query = StatsQuery {
                    by: vec![StatField::RecoveredMonth],
                    filters: filters.clone(),
                    weight: Weight::Items,
                };
                let result = self.stats(&query).await?;
                let (series, unknown) = chart::monthly_series(&result);
                chart::time_series(
                    &text(
                        "Items recovered per month".into(),
                        format!(
                            "{}; {} without a recovery month not shown",
                            subtitle(&filters, Weight::Items),
                            chart::thousands(unknown)
                        ),
                        caption,
                    ),
                    &series,
                )
            }
        })
    }

    /// The findings report (self-contained HTML) of the items matching `wheres`, with
    /// the chains of the `fastest` diversions.
    pub async fn report(
        &self,
        title: &str,
        register_name: &str,
        wheres: &[String],
        fastest: usize,
    ) -> AppResult<String> {
        let filters = analytics::parse_filters(wheres).map_err(bad_request)?;
        let columns = self.register.columns().await?;
        let figures = analytics::report_figures(&columns, &filters, &self.clearance);
        let (diversion, fastest) = self.fastest_diversions(&filters, fastest).await?;
        Ok(render_report_html(&ReportInput {
            title: title.to_owned(),
            register: register_name.to_owned(),
            generated_on: today().to_string(),
            filters,
            figures,
            diversion,
            fastest,
        }))
    }
}
