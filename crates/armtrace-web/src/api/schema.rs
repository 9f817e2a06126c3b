//! Precise OpenAPI schemas for query parameters that are strings on the wire: enums of
//! the accepted values, date patterns, whole numbers. Clients (and fuzzers such as
//! schemathesis) then know exactly what the server accepts.

use utoipa::openapi::schema::{
    ArrayBuilder, ObjectBuilder, OneOfBuilder, Schema, SchemaType, Type,
};
use utoipa::openapi::{Array, Object};

/// An enum of strings; the empty string is accepted too and means "no filter", as
/// browsers send empty form fields.
fn strings(values: impl IntoIterator<Item = String>, description: &str) -> Object {
    exactly(std::iter::once(String::new()).chain(values), description)
}

/// An enum of strings, nothing else.
fn exactly(values: impl IntoIterator<Item = String>, description: &str) -> Object {
    ObjectBuilder::new()
        .schema_type(SchemaType::Type(Type::String))
        .enum_values(Some(values))
        .description(Some(description))
        .build()
}

pub fn category() -> Object {
    strings(
        armtrace_core::Category::ALL
            .iter()
            .map(|c| c.as_str().to_owned()),
        "The item's category.",
    )
}

pub fn confidentiality() -> Object {
    strings(
        armtrace_core::Confidentiality::ALL
            .iter()
            .map(|c| c.as_str().to_owned()),
        "A confidentiality level (only levels you may see return items).",
    )
}

pub fn country() -> Object {
    strings(
        armtrace_core::country::all()
            .iter()
            .map(|c| c.code.as_str().to_owned()),
        "An ISO 3166 alpha-2 code (or former state: SU, YU, CS, DD). English names and alpha-3 codes are accepted too.",
    )
}

/// `YYYY`, `YYYY-MM` or `YYYY-MM-DD`, years 1800–2100.
/// An empty value means "no filter", as browsers send empty form fields.
pub const DATE_PATTERN: &str =
    r"^((18\d\d|19\d\d|20\d\d|2100)(-(0[1-9]|1[0-2])(-(0[1-9]|1\d|2[0-8]))?)?)?$";

pub fn date() -> Object {
    ObjectBuilder::new()
        .schema_type(SchemaType::Type(Type::String))
        .pattern(Some(DATE_PATTERN))
        .description(Some("A full or partial date: YYYY, YYYY-MM or YYYY-MM-DD."))
        .build()
}

/// A whole number from 0 to `max`, or empty (browsers send empty form fields, and an
/// empty value means the default).
fn whole(max: u64, description: &str) -> Schema {
    Schema::OneOf(
        OneOfBuilder::new()
            .item(
                ObjectBuilder::new()
                    .schema_type(SchemaType::Type(Type::Integer))
                    .minimum(Some(0))
                    .maximum(Some(max as f64)),
            )
            .item(
                ObjectBuilder::new()
                    .schema_type(SchemaType::Type(Type::String))
                    .enum_values(Some([""])),
            )
            .description(Some(description))
            .build(),
    )
}

pub fn page_limit() -> Schema {
    whole(10_000, "Items per page (default 50).")
}

pub fn offset() -> Schema {
    whole(i64::MAX as u64, "Items to skip.")
}

pub fn search_limit() -> Schema {
    whole(
        u32::MAX as u64,
        "At most this many matches (default 20; 0 = all).",
    )
}

pub fn max_edits() -> Object {
    strings(
        ["0", "1", "2", "3"].map(String::from),
        "Edits tolerated; empty or absent: by length (0 up to 4 characters, 1 for 5–8, 2 for 9+).",
    )
}

pub fn gap() -> Schema {
    whole(
        1_000_000,
        "Largest difference between consecutive serial numbers of one run (default 50).",
    )
}

pub fn map_limit() -> Schema {
    whole(
        100_000,
        "At most this many points (default and maximum 100000).",
    )
}

pub fn transfer_limit() -> Schema {
    whole(10_000, "Transfers per page (default 100).")
}

pub fn audit_limit() -> Schema {
    whole(1000, "At most this many entries (default 100).")
}

pub fn year() -> Object {
    ObjectBuilder::new()
        .schema_type(SchemaType::Type(Type::String))
        .pattern(Some(r"^((18|19|20|21)\d\d|2200)?$"))
        .description(Some(
            "Reference year for two-digit years, 1800–2200 (empty or absent: this year).",
        ))
        .build()
}

pub fn non_empty(description: &str) -> Object {
    ObjectBuilder::new()
        .schema_type(SchemaType::Type(Type::String))
        .min_length(Some(1))
        .pattern(Some(r"\S"))
        .description(Some(description))
        .build()
}

pub fn serial_query() -> Object {
    ObjectBuilder::new()
        .schema_type(SchemaType::Type(Type::String))
        .pattern(Some("[A-Za-z0-9]"))
        .description(Some(
            "The serial as read, with at least one letter or digit: `?` for one unreadable character, `*` for any run.",
        ))
        .build()
}

pub fn marking() -> Object {
    non_empty("The marking as read, e.g. a headstamp `539 82` or a model `AKM`.")
}

pub fn export_format() -> Object {
    strings(
        ["csv", "jsonl", "geojson"].map(String::from),
        "Export format (default csv).",
    )
}

pub fn trace_status() -> Object {
    strings(
        [
            "draft",
            "sent",
            "acknowledged",
            "answered",
            "closed",
            "overdue",
        ]
        .map(String::from),
        "Only requests with this status.",
    )
}

pub fn stat_fields() -> Array {
    ArrayBuilder::new()
        .items(exactly(
            armtrace_core::analytics::StatField::ALL
                .iter()
                .map(|f| f.name().to_owned()),
            "A field to group by.",
        ))
        .min_items(Some(1))
        .unique_items(true)
        .max_items(Some(armtrace_core::analytics::MAX_BY))
        .build()
}

pub fn weight() -> Object {
    strings(
        ["quantity".to_owned()],
        "Sum quantities instead of counting items.",
    )
}

pub fn stat_filters() -> Array {
    use armtrace_core::analytics::StatField as F;
    let year = r"(18\d\d|19\d\d|20\d\d|2100)";
    let month = r"(0[1-9]|1[0-2])";
    let day = r"(0[1-9]|1\d|2[0-8])";
    let countries: Vec<&str> = armtrace_core::country::all()
        .iter()
        .map(|c| c.code.as_str())
        .collect();
    let words = |all: Vec<&str>| format!("({})", all.join("|"));
    let alternatives: Vec<String> = F::ALL
        .iter()
        .map(|f| {
            let value = match f {
                F::Category => words(
                    armtrace_core::Category::ALL
                        .iter()
                        .map(|c| c.as_str())
                        .collect(),
                ),
                F::Confidentiality => words(
                    armtrace_core::Confidentiality::ALL
                        .iter()
                        .map(|c| c.as_str())
                        .collect(),
                ),
                F::CountryOfManufacture | F::RecoveredCountry => words(countries.clone()),
                F::YearOfManufacture | F::RecoveredYear => year.to_owned(),
                F::Quantity => r"[1-9]\d{0,8}".to_owned(),
                F::Decade => r"(18|19|20)\d0s?".to_owned(),
                F::RecoveredOn => format!("{year}(-{month}(-{day})?)?"),
                F::RecoveredMonth => format!("{year}-{month}"),
                _ => ".*".to_owned(),
            };
            format!("{}=(null|{value})?", f.name())
        })
        .chain([
            format!("recovered_from_date=({year}(-{month})?)?"),
            format!("recovered_to_date=({year}(-{month})?)?"),
        ])
        .collect();
    ArrayBuilder::new()
        .items(
            ObjectBuilder::new()
                .schema_type(SchemaType::Type(Type::String))
                .pattern(Some(format!("^({})$", alternatives.join("|"))))
                .description(Some(
                    "FIELD=VALUE (empty or null: items without a value); values of one field are alternatives.",
                )),
        )
        .build()
}
