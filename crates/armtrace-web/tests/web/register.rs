//! The synthetic register every web test starts from, and what an honest answer about it
//! must contain.
//!
//! It holds items of each confidentiality level, arranged so that hidden items could
//! leak through every route if a filter were missing:
//!
//! * a public serial run (`KX4000101`–`KX4000105`, AKM) continued by a restricted and a
//!   confidential item (`KX4000106`, `KX4000107`), and a public lot (`L-77-01`) shared
//!   with a restricted and a confidential item, so links, runs, lots, search and the map
//!   would show them;
//! * three "fully marked" hidden items (the matrix's restricted, confidential and
//!   granted-confidential items) whose every text field is a unique marker;
//! * public items whose `notes` and `documented_by` (never shown to the public) carry
//!   markers of their own;
//! * a transfer covering the run, whose names and document are markers (transfers are
//!   never public).
//!
//! Markers are `XJW…` (hidden items), `XJP…` (never-public fields of public items) and
//! `XJT…` (transfers and trace requests): letters that serial folding leaves alone, so a
//! normalised copy of a marker is still found. The data is synthetic and says so in its
//! notes.

use armtrace_core::{ITEM_FIELDS, TRANSFER_FIELD_COUNT, TRANSFER_FIELDS};

/// Notes of every item say this.
pub const SYNTHETIC: &str = "SYNTHETIC TEST DATA";

/// The confidentiality of the item a matrix probe is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Level {
    Public,
    Restricted,
    Confidential,
    /// A confidential item granted one by one to [`Who::GrantedViewer`](crate::support::Who).
    Granted,
}

impl Level {
    pub const ALL: [Level; 4] = [
        Level::Public,
        Level::Restricted,
        Level::Confidential,
        Level::Granted,
    ];

    pub fn label(self) -> &'static str {
        match self {
            Level::Public => "public",
            Level::Restricted => "restricted",
            Level::Confidential => "confidential",
            Level::Granted => "confidential, granted",
        }
    }
}

/// One item row in canonical field order.
#[derive(Debug, Clone)]
pub struct Row {
    pub values: [String; armtrace_core::ITEM_FIELD_COUNT],
}

impl Row {
    fn new(reference: &str, category: &str, confidentiality: &str) -> Row {
        let mut row = Row {
            values: Default::default(),
        };
        row.set("ref", reference)
            .set("category", category)
            .set("confidentiality", confidentiality);
        row
    }

    pub fn set(&mut self, field: &str, value: &str) -> &mut Row {
        let i = ITEM_FIELDS
            .iter()
            .position(|f| *f == field)
            .unwrap_or_else(|| panic!("{field} is not an item field"));
        self.values[i] = value.to_owned();
        self
    }

    pub fn get(&self, field: &str) -> &str {
        let i = ITEM_FIELDS
            .iter()
            .position(|f| *f == field)
            .unwrap_or_else(|| panic!("{field} is not an item field"));
        &self.values[i]
    }

    pub fn reference(&self) -> &str {
        self.get("ref")
    }

    pub fn is_public(&self) -> bool {
        self.get("confidentiality") == "public"
    }
}

/// The synthetic register and the markers that must never reach the public.
#[derive(Debug, Clone)]
pub struct Register {
    pub items: Vec<Row>,
    pub transfers: Vec<[String; TRANSFER_FIELD_COUNT]>,
    /// Strings found only in hidden items, never-public fields, transfers and trace
    /// requests.
    pub markers: Vec<String>,
    /// The item of each level the matrix probes.
    pub level_refs: Vec<(Level, String)>,
}

/// Hands out unique markers with a prefix.
struct Markers {
    next: u32,
    all: Vec<String>,
}

impl Markers {
    fn take(&mut self, prefix: &str) -> String {
        self.next += 1;
        let m = format!("{prefix}{:04}", self.next);
        self.all.push(m.clone());
        m
    }

    /// A coordinate pair no public item has, registered as markers.
    fn coordinates(&mut self) -> (String, String) {
        self.next += 1;
        let lat = format!("{}.918273", 10 + self.next % 70);
        let lon = format!("{}.827364", 10 + self.next % 150);
        self.all.push(lat.clone());
        self.all.push(lon.clone());
        (lat, lon)
    }
}

/// The serial of the public run member `n` (1–5); 6 and 7 are the hidden continuation.
pub fn run_serial(n: u32) -> String {
    format!("KX40001{n:02}")
}

/// The public run and lot.
pub const RUN_MODEL: &str = "AKM";
pub const RUN_MANUFACTURER: &str = "Tula Test Works";
pub const LOT: &str = "L-77-01";
pub const LOT_MANUFACTURER: &str = "Lot Test Plant";

impl Register {
    pub fn new() -> Register {
        let mut m = Markers {
            next: 0,
            all: Vec::new(),
        };
        let mut items = Vec::new();

        // Public: the run, with never-public fields marked.
        for n in 1..=5u32 {
            let mut r = Row::new(&format!("TP-{n:02}"), "weapon", "public");
            r.set("item_type", "assault rifle")
                .set("model", RUN_MODEL)
                .set("calibre", "7.62x39mm")
                .set("manufacturer", RUN_MANUFACTURER)
                .set("country_of_manufacture", "SU")
                .set("year_of_manufacture", "1975")
                .set("serial_number", &run_serial(n))
                .set("markings", "star in triangle")
                .set("recovered_on", &format!("2016-03-{n:02}"))
                .set("recovered_country", if n % 2 == 0 { "IQ" } else { "SY" })
                .set("recovered_place", "Public site A")
                .set("latitude", &format!("36.{n}"))
                .set("longitude", &format!("37.{n}"))
                .set("recovered_from", "Armed group A")
                .set("documented_by", &m.take("XJP"))
                .set("notes", &format!("{SYNTHETIC} {}", m.take("XJP")));
            items.push(r);
        }
        // Public: the lot (one without coordinates).
        for n in 6..=8u32 {
            let mut r = Row::new(&format!("TP-{n:02}"), "ammunition", "public");
            r.set("item_type", "cartridge")
                .set("model", "M43")
                .set("calibre", "7.62x39mm")
                .set("manufacturer", LOT_MANUFACTURER)
                .set("country_of_manufacture", "BG")
                .set("year_of_manufacture", "1982")
                .set("lot_number", LOT)
                .set("markings", "10 82")
                .set("quantity", "1")
                .set("recovered_on", "2017-06")
                .set("recovered_country", "IQ")
                .set("recovered_place", "Public site B")
                .set("documented_by", &m.take("XJP"))
                .set("notes", &format!("{SYNTHETIC} {}", m.take("XJP")));
            if n != 8 {
                r.set("latitude", &format!("33.{n}"))
                    .set("longitude", &format!("44.{n}"));
            }
            items.push(r);
        }
        // Public: two more, one without serial or place.
        let mut r = Row::new("TP-09", "ied_component", "public");
        r.set("item_type", "detonator")
            .set("model", "Test detonator")
            .set("recovered_on", "2018")
            .set("recovered_country", "SY")
            .set("notes", &format!("{SYNTHETIC} {}", m.take("XJP")));
        items.push(r);
        let mut r = Row::new("TP-10", "weapon", "public");
        r.set("item_type", "grenade launcher")
            .set("model", "RPG-7")
            .set("manufacturer", "Rocket Test Works")
            .set("country_of_manufacture", "RU")
            .set("serial_number", "RT55501")
            .set("recovered_on", "2019-02-14")
            .set("recovered_country", "SY")
            .set("recovered_place", "Public site C")
            .set("latitude", "35.5")
            .set("longitude", "38.5")
            .set("documented_by", &m.take("XJP"))
            .set("notes", &format!("{SYNTHETIC} {}", m.take("XJP")));
        items.push(r);

        // Hidden members of the public run and lot: shared model, manufacturer and lot,
        // everything else marked.
        for (n, level) in [(6u32, "restricted"), (7, "confidential")] {
            let serial = run_serial(n);
            m.all.push(serial.clone());
            let (lat, lon) = m.coordinates();
            let mut r = Row::new(&m.take("XJW"), "weapon", level);
            r.set("item_type", "assault rifle")
                .set("model", RUN_MODEL)
                .set("calibre", "7.62x39mm")
                .set("manufacturer", RUN_MANUFACTURER)
                .set("country_of_manufacture", "SU")
                .set("year_of_manufacture", "1975")
                .set("serial_number", &serial)
                .set("markings", &m.take("XJW"))
                .set("quantity", "2")
                .set("recovered_on", &format!("2016-04-{n:02}"))
                .set("recovered_country", "SY")
                .set("recovered_place", &m.take("XJW"))
                .set("latitude", &lat)
                .set("longitude", &lon)
                .set("recovered_from", &m.take("XJW"))
                .set("documented_by", &m.take("XJW"))
                .set("notes", &format!("{SYNTHETIC} {}", m.take("XJW")));
            items.push(r);
        }
        for level in ["restricted", "confidential"] {
            let (lat, lon) = m.coordinates();
            let mut r = Row::new(&m.take("XJW"), "ammunition", level);
            r.set("item_type", "cartridge")
                .set("model", "M43")
                .set("calibre", "7.62x39mm")
                .set("manufacturer", LOT_MANUFACTURER)
                .set("country_of_manufacture", "BG")
                .set("year_of_manufacture", "1982")
                .set("lot_number", LOT)
                .set("markings", &m.take("XJW"))
                .set("quantity", "5")
                .set("recovered_on", "2017-07")
                .set("recovered_country", "IQ")
                .set("recovered_place", &m.take("XJW"))
                .set("latitude", &lat)
                .set("longitude", &lon)
                .set("recovered_from", &m.take("XJW"))
                .set("documented_by", &m.take("XJW"))
                .set("notes", &format!("{SYNTHETIC} {}", m.take("XJW")));
            items.push(r);
        }

        // Fully marked hidden items: the matrix's restricted, confidential and granted ones.
        let mut level_refs = vec![(Level::Public, "TP-01".to_owned())];
        for (level, confidentiality) in [
            (Level::Restricted, "restricted"),
            (Level::Confidential, "confidential"),
            (Level::Granted, "confidential"),
        ] {
            let (lat, lon) = m.coordinates();
            let reference = m.take("XJW");
            let mut r = Row::new(&reference, "weapon", confidentiality);
            r.set("item_type", &m.take("XJW"))
                .set("model", &m.take("XJW"))
                .set("calibre", &m.take("XJW"))
                .set("manufacturer", &m.take("XJW"))
                .set("country_of_manufacture", "KP")
                .set("year_of_manufacture", "1999")
                .set("serial_number", &m.take("XJW"))
                .set("lot_number", &m.take("XJW"))
                .set("markings", &m.take("XJW"))
                .set("quantity", "3")
                .set("recovered_on", "2019-05-05")
                .set("recovered_country", "YE")
                .set("recovered_place", &m.take("XJW"))
                .set("latitude", &lat)
                .set("longitude", &lon)
                .set("recovered_from", &m.take("XJW"))
                .set("documented_by", &m.take("XJW"))
                .set("notes", &format!("{SYNTHETIC} {}", m.take("XJW")));
            items.push(r);
            level_refs.push((level, reference));
        }

        // A transfer of the run (never public): names and document marked.
        let mut t: [String; TRANSFER_FIELD_COUNT] = Default::default();
        let mut set = |field: &str, value: String| {
            let i = TRANSFER_FIELDS
                .iter()
                .position(|f| *f == field)
                .unwrap_or_else(|| panic!("{field} is not a transfer field"));
            t[i] = value;
        };
        set("transfer_ref", m.take("XJT"));
        set("supplier", m.take("XJT"));
        set("supplier_country", "SU".into());
        set("recipient", m.take("XJT"));
        set("recipient_country", "SY".into());
        set("end_user", m.take("XJT"));
        set("model", RUN_MODEL.into());
        set("manufacturer", RUN_MANUFACTURER.into());
        set("serial_from", run_serial(1));
        set("serial_to", run_serial(10));
        set("quantity", "10".into());
        set("authorised_on", "2015-11-20".into());
        set("delivered_on", "2016-01-15".into());
        set("document", m.take("XJT"));

        Register {
            items,
            transfers: vec![t],
            markers: m.all,
            level_refs,
        }
    }

    /// A new marker for data the tests add later (trace requests): `XJT` + a number
    /// above those the register uses.
    pub fn extra_marker(&mut self, n: u32) -> String {
        let m = format!("XJT{:04}", 9000 + n);
        self.markers.push(m.clone());
        m
    }

    pub fn csv_items(&self) -> String {
        let mut out = ITEM_FIELDS.join(",");
        out.push('\n');
        for r in &self.items {
            out.push_str(&csv_line(&r.values));
        }
        out
    }

    pub fn csv_transfers(&self) -> String {
        let mut out = TRANSFER_FIELDS.join(",");
        out.push('\n');
        for t in &self.transfers {
            out.push_str(&csv_line(t));
        }
        out
    }

    /// The ref of the matrix's item of a level.
    pub fn level_ref(&self, level: Level) -> &str {
        &self
            .level_refs
            .iter()
            .find(|(l, _)| *l == level)
            .expect("every level has an item")
            .1
    }

    pub fn public(&self) -> impl Iterator<Item = &Row> {
        self.items.iter().filter(|r| r.is_public())
    }

    pub fn hidden(&self) -> impl Iterator<Item = &Row> {
        self.items.iter().filter(|r| !r.is_public())
    }

    pub fn transfer_ref(&self) -> &str {
        &self.transfers[0][0]
    }
}

/// One CSV line, quoting what needs it.
pub fn csv_line<S: AsRef<str>>(values: &[S]) -> String {
    let mut line = values
        .iter()
        .map(|v| {
            let v = v.as_ref();
            if v.contains([',', '"', '\n', '\r']) {
                format!("\"{}\"", v.replace('"', "\"\""))
            } else {
                v.to_owned()
            }
        })
        .collect::<Vec<_>>()
        .join(",");
    line.push('\n');
    line
}
