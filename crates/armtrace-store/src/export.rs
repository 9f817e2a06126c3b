//! Writing items out in the formats analysts' tools read.
//!
//! * CSV with the canonical header: re-imports to the same register.
//! * JSON Lines: one item object per line (pandas `read_json(lines=True)`, jq, DuckDB).
//! * GeoJSON: a FeatureCollection of the items that have coordinates (QGIS, Leaflet).

use std::io::Write;

use armtrace_core::{ITEM_FIELDS, Item};
use futures_util::StreamExt;

use crate::error::{Result, StoreError};
use crate::items::ItemFilter;
use crate::store::Store;

/// An export format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportFormat {
    Csv,
    Jsonl,
    GeoJson,
}

impl std::str::FromStr for ExportFormat {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s.to_ascii_lowercase().as_str() {
            "csv" => Ok(ExportFormat::Csv),
            "jsonl" | "ndjson" => Ok(ExportFormat::Jsonl),
            "geojson" => Ok(ExportFormat::GeoJson),
            other => Err(format!(
                "{other:?} is not an export format: use csv, jsonl or geojson"
            )),
        }
    }
}

/// What an export wrote.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct ExportSummary {
    pub written: u64,
    /// Items left out of a GeoJSON export because they have no coordinates.
    pub without_coordinates: u64,
}

fn io(e: std::io::Error) -> StoreError {
    StoreError::Failed(format!("cannot write the export: {e}"))
}

/// One item as a GeoJSON feature (point geometry, item fields as properties).
pub fn geojson_feature(item: &Item) -> Option<serde_json::Value> {
    let (lat, lon) = (item.latitude?, item.longitude?);
    let mut properties = serde_json::to_value(item).expect("items serialise");
    if let Some(p) = properties.as_object_mut() {
        p.shift_remove("latitude");
        p.shift_remove("longitude");
    }
    Some(serde_json::json!({
        "type": "Feature",
        "id": item.reference,
        "geometry": {"type": "Point", "coordinates": [lon, lat]},
        "properties": properties,
    }))
}

impl Store {
    /// Writes the items matching `filter` to `out`.
    pub async fn export_items(
        &self,
        filter: &ItemFilter,
        format: ExportFormat,
        out: &mut (dyn Write + Send),
    ) -> Result<ExportSummary> {
        let mut summary = ExportSummary::default();
        let mut items = self.stream_items(filter);
        match format {
            ExportFormat::Csv => {
                let mut w = csv::Writer::from_writer(&mut *out);
                w.write_record(ITEM_FIELDS).map_err(|e| io(e.into()))?;
                while let Some(item) = items.next().await {
                    w.write_record(filter.redacted(item?).to_strings())
                        .map_err(|e| io(e.into()))?;
                    summary.written += 1;
                }
                w.flush().map_err(io)?;
            }
            ExportFormat::Jsonl => {
                while let Some(item) = items.next().await {
                    serde_json::to_writer(&mut *out, &filter.redacted(item?))
                        .map_err(|e| io(e.into()))?;
                    out.write_all(b"\n").map_err(io)?;
                    summary.written += 1;
                }
            }
            ExportFormat::GeoJson => {
                out.write_all(b"{\"type\":\"FeatureCollection\",\"features\":[\n")
                    .map_err(io)?;
                while let Some(item) = items.next().await {
                    let item = filter.redacted(item?);
                    match geojson_feature(&item) {
                        Some(feature) => {
                            if summary.written > 0 {
                                out.write_all(b",\n").map_err(io)?;
                            }
                            serde_json::to_writer(&mut *out, &feature).map_err(|e| io(e.into()))?;
                            summary.written += 1;
                        }
                        None => summary.without_coordinates += 1,
                    }
                }
                out.write_all(b"\n]}\n").map_err(io)?;
            }
        }
        out.flush().map_err(io)?;
        Ok(summary)
    }
}
