//! A deterministic, clearly synthetic investigation for demos, tests and benchmarks.
//!
//! Shaped like a multi-year documentation effort in Iraq and Syria (2014–2019): weapons
//! with consecutive-serial runs spread over several sites, ammunition with headstamps and
//! shared lots, IED components, chemical precursors, documented transfers (some two-hop,
//! one 59-day diversion), and a few misread serials. Every record says it is synthetic:
//! refs start with `DEMO-`, `documented_by` names a synthetic team and `notes` says
//! "SYNTHETIC DEMO DATA". The same `(items, seed)` always gives the same register, at any
//! size, streamed so that 10 million items need no more memory than ten.
//!
//! The register is built from *clusters*: a batch of items that left one factory or one
//! shipment together. Cluster `c` is derived from `(seed, c)` alone, so items and the
//! transfers that document them can be generated independently and still agree.

use crate::country::CountryCode;
use crate::date::PartialDate;
use crate::item::{Category, Confidentiality, Item};
use crate::transfer::{Confidence, Transfer, TransferSource};

/// Tag written into every demo record.
pub const SYNTHETIC_NOTE: &str = "SYNTHETIC DEMO DATA: not a real recovery.";

/// SplitMix64: tiny, fast and stable across releases, which a demo seed must be. Also
/// the generator of the benchmarks' and timing runs' synthetic queries.
#[derive(Clone)]
pub struct SplitMix64(u64);

type Rng = SplitMix64;

impl SplitMix64 {
    /// Stream `stream` of seed `seed`: independent sequences from one seed.
    pub fn new(seed: u64, stream: u64) -> SplitMix64 {
        let mut r = SplitMix64(seed ^ stream.wrapping_mul(0x9E37_79B9_7F4A_7C15));
        r.next_u64();
        r
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n`.
    pub fn below(&mut self, n: u64) -> u64 {
        ((self.next_u64() >> 32) * n) >> 32
    }

    fn range(&mut self, lo: i64, hi_inclusive: i64) -> i64 {
        lo + self.below((hi_inclusive - lo + 1) as u64) as i64
    }

    fn chance(&mut self, p: f64) -> bool {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64 <= p
    }

    fn pick<'a, T>(&mut self, xs: &'a [T]) -> &'a T {
        &xs[self.below(xs.len() as u64) as usize]
    }
}

struct Site {
    place: &'static str,
    country: &'static str,
    lat: f64,
    lon: f64,
}

const SITES: &[Site] = &[
    Site {
        place: "Mosul",
        country: "IQ",
        lat: 36.34,
        lon: 43.13,
    },
    Site {
        place: "Tal Afar",
        country: "IQ",
        lat: 36.38,
        lon: 42.45,
    },
    Site {
        place: "Sinjar",
        country: "IQ",
        lat: 36.32,
        lon: 41.87,
    },
    Site {
        place: "Baiji",
        country: "IQ",
        lat: 34.93,
        lon: 43.49,
    },
    Site {
        place: "Tikrit",
        country: "IQ",
        lat: 34.61,
        lon: 43.68,
    },
    Site {
        place: "Kirkuk",
        country: "IQ",
        lat: 35.47,
        lon: 44.39,
    },
    Site {
        place: "Ramadi",
        country: "IQ",
        lat: 33.42,
        lon: 43.30,
    },
    Site {
        place: "Fallujah",
        country: "IQ",
        lat: 33.35,
        lon: 43.78,
    },
    Site {
        place: "Hit",
        country: "IQ",
        lat: 33.64,
        lon: 42.83,
    },
    Site {
        place: "Qaim",
        country: "IQ",
        lat: 34.37,
        lon: 41.09,
    },
    Site {
        place: "Raqqa",
        country: "SY",
        lat: 35.95,
        lon: 39.01,
    },
    Site {
        place: "Tabqa",
        country: "SY",
        lat: 35.84,
        lon: 38.55,
    },
    Site {
        place: "Manbij",
        country: "SY",
        lat: 36.53,
        lon: 37.95,
    },
    Site {
        place: "Kobani",
        country: "SY",
        lat: 36.89,
        lon: 38.36,
    },
    Site {
        place: "Al-Hasakah",
        country: "SY",
        lat: 36.50,
        lon: 40.75,
    },
    Site {
        place: "Deir ez-Zor",
        country: "SY",
        lat: 35.33,
        lon: 40.14,
    },
    Site {
        place: "Al-Bab",
        country: "SY",
        lat: 36.37,
        lon: 37.52,
    },
    Site {
        place: "Palmyra",
        country: "SY",
        lat: 34.56,
        lon: 38.27,
    },
];

const HOLDERS: &[&str] = &[
    "Islamic State forces",
    "Islamic State forces",
    "Islamic State forces",
    "Armed opposition group",
    "Unidentified armed group",
    "Cache, no holder identified",
];

const TEAMS: &[&str] = &[
    "Field team 1 (synthetic)",
    "Field team 2 (synthetic)",
    "Field team 3 (synthetic)",
];

/// A weapon model the demo documents: designation, maker, origin, calibre, how its serials look.
struct WeaponModel {
    model: &'static str,
    item_type: &'static str,
    manufacturer: &'static str,
    country: &'static str,
    calibre: &'static str,
    serial_prefix: &'static str,
    serial_digits: usize,
    years: (i16, i16),
}

const WEAPONS: &[WeaponModel] = &[
    WeaponModel {
        model: "AKM",
        item_type: "assault rifle",
        manufacturer: "Izhevsk Machine-Building Plant",
        country: "SU",
        calibre: "7.62x39mm",
        serial_prefix: "KA",
        serial_digits: 6,
        years: (1965, 1985),
    },
    WeaponModel {
        model: "Type 56",
        item_type: "assault rifle",
        manufacturer: "Norinco (Factory 66)",
        country: "CN",
        calibre: "7.62x39mm",
        serial_prefix: "66-",
        serial_digits: 7,
        years: (1970, 1995),
    },
    WeaponModel {
        model: "AK-74",
        item_type: "assault rifle",
        manufacturer: "Izhevsk Machine-Building Plant",
        country: "SU",
        calibre: "5.45x39mm",
        serial_prefix: "",
        serial_digits: 6,
        years: (1976, 1991),
    },
    WeaponModel {
        model: "Zastava M70",
        item_type: "assault rifle",
        manufacturer: "Zastava Arms",
        country: "YU",
        calibre: "7.62x39mm",
        serial_prefix: "M70-",
        serial_digits: 6,
        years: (1975, 1991),
    },
    WeaponModel {
        model: "vz. 58",
        item_type: "assault rifle",
        manufacturer: "Ceska zbrojovka Uhersky Brod",
        country: "CS",
        calibre: "7.62x39mm",
        serial_prefix: "CZ",
        serial_digits: 6,
        years: (1962, 1984),
    },
    WeaponModel {
        model: "PKM",
        item_type: "general-purpose machine gun",
        manufacturer: "Degtyaryov Plant",
        country: "SU",
        calibre: "7.62x54mmR",
        serial_prefix: "PK",
        serial_digits: 6,
        years: (1969, 1990),
    },
    WeaponModel {
        model: "M16A4",
        item_type: "assault rifle",
        manufacturer: "FN Manufacturing",
        country: "US",
        calibre: "5.56x45mm",
        serial_prefix: "FN",
        serial_digits: 7,
        years: (2004, 2012),
    },
    WeaponModel {
        model: "M4",
        item_type: "carbine",
        manufacturer: "Colt's Manufacturing Company",
        country: "US",
        calibre: "5.56x45mm",
        serial_prefix: "W",
        serial_digits: 6,
        years: (2005, 2013),
    },
    WeaponModel {
        model: "G3",
        item_type: "battle rifle",
        manufacturer: "Heckler & Koch",
        country: "DE",
        calibre: "7.62x51mm",
        serial_prefix: "G",
        serial_digits: 6,
        years: (1968, 1990),
    },
    WeaponModel {
        model: "SVD",
        item_type: "marksman rifle",
        manufacturer: "Izhevsk Machine-Building Plant",
        country: "SU",
        calibre: "7.62x54mmR",
        serial_prefix: "",
        serial_digits: 8,
        years: (1970, 1990),
    },
    WeaponModel {
        model: "RPG-7",
        item_type: "rocket launcher",
        manufacturer: "Bazalt",
        country: "SU",
        calibre: "40mm",
        serial_prefix: "RA",
        serial_digits: 6,
        years: (1970, 1990),
    },
    WeaponModel {
        model: "9M113 Konkurs",
        item_type: "anti-tank guided missile",
        manufacturer: "KBP Instrument Design Bureau",
        country: "RU",
        calibre: "135mm",
        serial_prefix: "",
        serial_digits: 9,
        years: (2008, 2014),
    },
];

/// An ammunition line: calibre, headstamp factory code, maker, origin.
struct AmmunitionLine {
    calibre: &'static str,
    headstamp: &'static str,
    manufacturer: &'static str,
    country: &'static str,
    years: (i16, i16),
}

const AMMUNITION: &[AmmunitionLine] = &[
    AmmunitionLine {
        calibre: "7.62x39mm",
        headstamp: "539",
        manufacturer: "Tula Cartridge Works",
        country: "SU",
        years: (1970, 1990),
    },
    AmmunitionLine {
        calibre: "7.62x39mm",
        headstamp: "711",
        manufacturer: "Klimovsk Specialized Cartridge Plant",
        country: "SU",
        years: (1968, 1990),
    },
    AmmunitionLine {
        calibre: "7.62x39mm",
        headstamp: "71",
        manufacturer: "Factory 71",
        country: "CN",
        years: (1975, 2017),
    },
    AmmunitionLine {
        calibre: "7.62x39mm",
        headstamp: "31",
        manufacturer: "Factory 31",
        country: "CN",
        years: (1972, 2016),
    },
    AmmunitionLine {
        calibre: "7.62x39mm",
        headstamp: "PPU",
        manufacturer: "Prvi Partizan",
        country: "RS",
        years: (2008, 2017),
    },
    AmmunitionLine {
        calibre: "7.62x54mmR",
        headstamp: "188",
        manufacturer: "Novosibirsk Cartridge Plant",
        country: "SU",
        years: (1970, 1990),
    },
    AmmunitionLine {
        calibre: "7.62x54mmR",
        headstamp: "17",
        manufacturer: "Barnaul Cartridge Plant",
        country: "RU",
        years: (1995, 2015),
    },
    AmmunitionLine {
        calibre: "5.56x45mm",
        headstamp: "LC",
        manufacturer: "Lake City Army Ammunition Plant",
        country: "US",
        years: (2003, 2014),
    },
    AmmunitionLine {
        calibre: "12.7x108mm",
        headstamp: "270",
        manufacturer: "Luhansk Cartridge Works",
        country: "UA",
        years: (1995, 2013),
    },
    AmmunitionLine {
        calibre: "5.45x39mm",
        headstamp: "60",
        manufacturer: "Frunze Machine-Building Plant",
        country: "SU",
        years: (1975, 1991),
    },
];

/// IED components and precursors come from fictional makers: the demo does not point at real companies.
const IED_COMPONENTS: &[(&str, &str, &str)] = &[
    (
        "electronic detonator",
        "Demo Detonics Co. (fictional)",
        "TR",
    ),
    ("mobile phone", "Demo Handset Ltd (fictional)", "CN"),
    (
        "RF transceiver module",
        "Demo Radio Parts (fictional)",
        "CN",
    ),
    ("voltage regulator", "Demo Semiconductors (fictional)", "MY"),
    ("detonating cord", "Demo Explosives Works (fictional)", "IN"),
];

const PRECURSORS: &[(&str, &str, &str)] = &[
    (
        "ammonium nitrate fertiliser",
        "Demo Agrochemicals (fictional)",
        "TR",
    ),
    ("aluminium paste", "Demo Metal Powders (fictional)", "BR"),
    ("potassium chlorate", "Demo Chemicals (fictional)", "IN"),
];

/// What a cluster holds.
#[derive(Clone, Copy, PartialEq)]
enum ClusterKind {
    Weapons(usize),
    Ammunition(usize),
    Ied(usize),
    Precursor(usize),
}

/// One batch of items that left a factory or a shipment together.
struct Cluster {
    index: u64,
    kind: ClusterKind,
    size: u64,
    /// First serial number of the batch (weapons) or lot (ammunition, precursors).
    serial_start: u64,
    year: i16,
    lot: u32,
    /// Days since 1970 of the first recovery.
    first_recovery: i64,
    region_is_syria: bool,
    /// Days between the last documented delivery and the first recovery, when documented.
    transfer: Option<TransferPlan>,
}

#[derive(Clone, Copy)]
struct TransferPlan {
    hops: u8,
    days_before_recovery: i64,
    covered_span: u64,
}

/// The 59-day case from public findings, placed in a fixed cluster so every demo has it.
const SHORT_DIVERSION_CLUSTER: u64 = 3;

fn cluster(seed: u64, index: u64) -> Cluster {
    let mut r = Rng::new(seed, index);
    let roll = r.below(100);
    let kind = if index == SHORT_DIVERSION_CLUSTER {
        ClusterKind::Weapons(WEAPONS.len() - 1)
    } else if roll < 45 {
        // Anti-tank missiles are rare.
        ClusterKind::Weapons(r.below(WEAPONS.len() as u64 - 1) as usize)
    } else if roll < 85 {
        ClusterKind::Ammunition(r.below(AMMUNITION.len() as u64) as usize)
    } else if roll < 95 {
        ClusterKind::Ied(r.below(IED_COMPONENTS.len() as u64) as usize)
    } else {
        ClusterKind::Precursor(r.below(PRECURSORS.len() as u64) as usize)
    };
    let size = match kind {
        ClusterKind::Weapons(_) if index == SHORT_DIVERSION_CLUSTER => 4,
        ClusterKind::Weapons(_) => r.range(2, 40) as u64,
        _ => r.range(1, 25) as u64,
    };
    let years = match kind {
        ClusterKind::Weapons(w) => WEAPONS[w].years,
        ClusterKind::Ammunition(a) => AMMUNITION[a].years,
        _ => (2010, 2016),
    };
    let year = r.range(years.0 as i64, years.1 as i64) as i16;
    // 2014-06-01 .. 2018-06-17, plus up to 540 days per item: recoveries run to 2019.
    let first_recovery = r.range(16222, 17700);
    let serial_start = r.range(1, 900_000) as u64 * 10;
    // Lot numbers are unique per cluster up to 900,000 clusters (about 11M items), so
    // shared lots in the demo always mean one batch, at any size.
    let lot = 100 + (index % 900_000) as u32;
    let _ = r.range(1, 99); // keeps the rest of the cluster's draws as they were
    let region_is_syria = r.chance(0.45);
    let transfer = match kind {
        _ if index == SHORT_DIVERSION_CLUSTER => Some(TransferPlan {
            hops: 2,
            days_before_recovery: 59,
            covered_span: 400,
        }),
        ClusterKind::Weapons(_) if r.chance(0.35) => Some(TransferPlan {
            hops: if r.chance(0.5) { 2 } else { 1 },
            days_before_recovery: r.range(30, 1500),
            covered_span: r.range(1, 4) as u64 * 1000,
        }),
        ClusterKind::Ammunition(_) if r.chance(0.25) => Some(TransferPlan {
            hops: 1,
            days_before_recovery: r.range(90, 2500),
            covered_span: 0,
        }),
        _ => None,
    };
    Cluster {
        index,
        kind,
        size,
        serial_start,
        year,
        lot,
        first_recovery,
        region_is_syria,
        transfer,
    }
}

fn code(s: &str) -> Option<CountryCode> {
    Some(CountryCode::parse(s).expect("demo countries are in the table"))
}

fn pad(prefix: &str, number: u64, digits: usize) -> String {
    format!("{prefix}{number:0digits$}")
}

/// A readable misreading of a serial: a digit read as its look-alike letter, or two
/// adjacent characters swapped, as happens with worn or photographed markings.
fn misread(serial: &str, r: &mut Rng) -> String {
    let mut chars: Vec<char> = serial.chars().collect();
    let positions: Vec<usize> = (0..chars.len())
        .filter(|&i| matches!(chars[i], '0' | '1' | '5' | '8' | '2'))
        .collect();
    if !positions.is_empty() && r.chance(0.7) {
        let i = *r.pick(&positions);
        chars[i] = match chars[i] {
            '0' => 'O',
            '1' => 'I',
            '5' => 'S',
            '8' => 'B',
            _ => 'Z',
        };
    } else if chars.len() >= 2 {
        let i = r.below(chars.len() as u64 - 1) as usize;
        chars.swap(i, i + 1);
    }
    chars.into_iter().collect()
}

/// The items of a demo register of `count` items.
pub fn items(count: u64, seed: u64) -> impl Iterator<Item = Item> {
    let mut produced = 0u64;
    (0u64..)
        .map(move |c| cluster(seed, c))
        .flat_map(move |cl| {
            let n = cl.size;
            (0..n).map(move |k| (cl.index, k))
        })
        .map(move |(c, k)| {
            let cl = cluster(seed, c);
            let n = produced;
            produced += 1;
            cluster_item(seed, &cl, k, n)
        })
        .take(count as usize)
}

/// The documented transfers behind a demo register of `count` items.
pub fn transfers(count: u64, seed: u64) -> Vec<Transfer> {
    let mut out = Vec::new();
    let mut seen = 0u64;
    let mut c = 0u64;
    while seen < count {
        let cl = cluster(seed, c);
        seen += cl.size;
        out.extend(cluster_transfers(&cl));
        c += 1;
    }
    out
}

/// Serial offsets within a cluster: increasing, with small gaps so they form a run.
fn serial_offset(seed: u64, cluster: u64, k: u64) -> u64 {
    // Offsets are the prefix sum of gaps 1..=30; recompute deterministically.
    let mut r = Rng::new(seed ^ 0x5E51A1, cluster);
    (0..=k).map(|_| r.range(1, 30) as u64).sum()
}

/// Where a weapon cluster's serials start: far enough from both ends of the model's
/// serial width that the cluster and its covering transfer fit.
fn weapon_serial_start(cl: &Cluster, m: &WeaponModel) -> u64 {
    let modulus = 10u64.pow(m.serial_digits as u32);
    2_000 + cl.serial_start % (modulus - 10_000)
}

/// Factories stamp a batch code before the number (letters, as on many Soviet-pattern
/// rifles); it keeps batches of one model apart, as it does in reality. Three letters
/// from the cluster index give 6,859 distinct codes before any repeats, so unrelated
/// batches rarely share a code and a serial range.
fn batch_code(cl: &Cluster) -> String {
    const LETTERS: &[u8] = b"ACDEFGHJKMNPRTUVWXY";
    let n = LETTERS.len() as u64;
    let i = cl.index;
    [i % n, (i / n) % n, (i / (n * n)) % n]
        .iter()
        .map(|&k| LETTERS[k as usize] as char)
        .collect()
}

/// A weapon serial as stamped: model prefix, batch code, zero-padded number.
fn weapon_serial(cl: &Cluster, m: &WeaponModel, number: u64) -> String {
    format!(
        "{}{}{number:0width$}",
        m.serial_prefix,
        batch_code(cl),
        width = m.serial_digits
    )
}

fn cluster_item(seed: u64, cl: &Cluster, k: u64, n: u64) -> Item {
    let mut r = Rng::new(
        seed ^ 0x17E5,
        cl.index.wrapping_mul(1_000_003).wrapping_add(k),
    );
    let region: Vec<&Site> = SITES
        .iter()
        .filter(|s| (s.country == "SY") == cl.region_is_syria)
        .collect();
    // Items of one cluster spread over a few neighbouring sites.
    let home = (cl.index as usize) % region.len();
    let site = region[(home + r.below(3) as usize) % region.len()];
    let recovered = cl.first_recovery + if k == 0 { 0 } else { r.range(0, 540) };
    let recovered_on = if r.chance(0.85) || k == 0 {
        PartialDate::from_epoch_days(recovered)
    } else {
        let full = PartialDate::from_epoch_days(recovered);
        PartialDate::new(full.year(), full.month(), None).expect("valid")
    };
    let confidentiality = match r.below(10) {
        0..=2 => Confidentiality::Public,
        3..=8 => Confidentiality::Restricted,
        _ => Confidentiality::Confidential,
    };
    let mut item = Item {
        reference: format!("DEMO-{:08}", n + 1),
        category: Category::Other,
        item_type: None,
        model: None,
        calibre: None,
        manufacturer: None,
        country_of_manufacture: None,
        year_of_manufacture: Some(cl.year),
        serial_number: None,
        lot_number: None,
        markings: None,
        quantity: None,
        recovered_on: Some(recovered_on),
        recovered_country: code(site.country),
        recovered_place: Some(site.place.to_owned()),
        latitude: Some(((site.lat + (r.range(-500, 500) as f64) / 10_000.0) * 1e4).round() / 1e4),
        longitude: Some(((site.lon + (r.range(-500, 500) as f64) / 10_000.0) * 1e4).round() / 1e4),
        recovered_from: Some((*r.pick(HOLDERS)).to_owned()),
        documented_by: Some((*r.pick(TEAMS)).to_owned()),
        confidentiality,
        notes: Some(SYNTHETIC_NOTE.to_owned()),
    };
    match cl.kind {
        ClusterKind::Weapons(w) => {
            let m = &WEAPONS[w];
            item.category = Category::Weapon;
            item.item_type = Some(m.item_type.to_owned());
            item.model = Some(m.model.to_owned());
            item.calibre = Some(m.calibre.to_owned());
            item.manufacturer = Some(m.manufacturer.to_owned());
            item.country_of_manufacture = code(m.country);
            let number = weapon_serial_start(cl, m) + serial_offset(seed, cl.index, k);
            let serial = weapon_serial(cl, m, number);
            item.serial_number = Some(if r.chance(0.02) {
                item.notes = Some(format!("{SYNTHETIC_NOTE} Serial partly illegible."));
                misread(&serial, &mut r)
            } else {
                serial
            });
            item.markings = Some(format!("{} {}", m.model, cl.year));
            item.quantity = Some(1);
        }
        ClusterKind::Ammunition(a) => {
            let line = &AMMUNITION[a];
            item.category = Category::Ammunition;
            item.item_type = Some("cartridge".to_owned());
            item.calibre = Some(line.calibre.to_owned());
            item.manufacturer = Some(line.manufacturer.to_owned());
            item.country_of_manufacture = code(line.country);
            item.lot_number = Some(format!("{}-{:02}", cl.lot, cl.year % 100));
            item.markings = Some(format!("{} {:02}", line.headstamp, cl.year % 100));
            item.quantity = Some(r.range(1, 400) as u32);
        }
        ClusterKind::Ied(i) => {
            let (kind, maker, country) = IED_COMPONENTS[i];
            item.category = Category::IedComponent;
            item.item_type = Some(kind.to_owned());
            item.manufacturer = Some(maker.to_owned());
            item.country_of_manufacture = code(country);
            item.serial_number = Some(pad(
                &format!("DX{}-", batch_code(cl)),
                cl.serial_start + serial_offset(seed, cl.index, k),
                7,
            ));
            item.lot_number = Some(format!("L{}", cl.lot));
            item.quantity = Some(1);
        }
        ClusterKind::Precursor(p) => {
            let (kind, maker, country) = PRECURSORS[p];
            item.category = Category::ChemicalPrecursor;
            item.item_type = Some(kind.to_owned());
            item.manufacturer = Some(maker.to_owned());
            item.country_of_manufacture = code(country);
            item.lot_number = Some(format!("B{}-{}", cl.year, cl.lot));
            item.markings = Some(format!("{kind}, 25 kg bag"));
            item.quantity = Some(r.range(1, 60) as u32);
        }
    }
    item
}

/// Who exports a former state's stocks today: its successor state.
fn exporter_of(country: &'static str) -> &'static str {
    match country {
        "SU" => "RU",
        "CS" => "CZ",
        "YU" => "RS",
        other => other,
    }
}

fn cluster_transfers(cl: &Cluster) -> Vec<Transfer> {
    let Some(plan) = cl.transfer else {
        return Vec::new();
    };
    let (recipient, recipient_country, units) = if cl.region_is_syria {
        (
            "Ministry of Defence of Syria",
            "SY",
            &[
                "Syrian Arab Army 17th Division (synthetic)",
                "Syrian Arab Army 93rd Brigade (synthetic)",
            ],
        )
    } else {
        (
            "Ministry of Defence of Iraq",
            "IQ",
            &[
                "Iraqi Army 2nd Division (synthetic)",
                "Iraqi Army 7th Division (synthetic)",
            ],
        )
    };
    let last_delivery = cl.first_recovery - plan.days_before_recovery;
    let first_delivery = last_delivery - if plan.hops == 2 { 120 } else { 0 };
    let blank = |suffix: &str| Transfer {
        transfer_ref: format!("DEMO-T{:06}-{suffix}", cl.index),
        recipient: Some(recipient.to_owned()),
        recipient_country: code(recipient_country),
        authorised_on: Some(PartialDate::from_epoch_days(first_delivery - 90)),
        delivered_on: Some(PartialDate::from_epoch_days(first_delivery)),
        document: Some(format!("Synthetic export licence DEMO-L{:06}", cl.index)),
        source: TransferSource::Licence,
        confidence: Confidence::High,
        ..Transfer::default()
    };
    let unit = units[(cl.index % 2) as usize];
    let mut first = blank("1");
    match cl.kind {
        ClusterKind::Weapons(w) => {
            let m = &WEAPONS[w];
            first.supplier_country = code(exporter_of(m.country));
            first.supplier = Some(format!(
                "Government of {}",
                first.supplier_country.unwrap().name()
            ));
            first.model = Some(m.model.to_owned());
            first.calibre = Some(m.calibre.to_owned());
            first.manufacturer = Some(m.manufacturer.to_owned());
            let from = weapon_serial_start(cl, m) - plan.covered_span / 4;
            let to = from + plan.covered_span;
            first.serial_from = Some(weapon_serial(cl, m, from));
            first.serial_to = Some(weapon_serial(cl, m, to));
            first.quantity = Some((to - from + 1) as u32);
            first.end_user = Some(if plan.hops == 1 {
                unit.to_owned()
            } else {
                recipient.to_owned()
            });
            if plan.hops == 1 {
                return vec![first];
            }
            let mut second = first.clone();
            second.transfer_ref = format!("DEMO-T{:06}-2", cl.index);
            second.supplier = Some(recipient.to_owned());
            second.supplier_country = code(recipient_country);
            second.recipient = Some(unit.to_owned());
            second.end_user = Some(unit.to_owned());
            second.authorised_on = Some(PartialDate::from_epoch_days(last_delivery - 14));
            second.delivered_on = Some(PartialDate::from_epoch_days(last_delivery));
            second.document = Some(format!("Synthetic issue voucher DEMO-V{:06}", cl.index));
            vec![first, second]
        }
        ClusterKind::Ammunition(a) => {
            let line = &AMMUNITION[a];
            first.supplier = Some(line.manufacturer.to_owned());
            first.supplier_country = code(exporter_of(line.country));
            first.calibre = Some(line.calibre.to_owned());
            first.manufacturer = Some(line.manufacturer.to_owned());
            first.lot_number = Some(format!("{}-{:02}", cl.lot, cl.year % 100));
            first.year_of_manufacture = Some(cl.year);
            first.end_user = Some(unit.to_owned());
            vec![first]
        }
        _ => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::item::RawItem;

    #[test]
    fn deterministic_and_sized() {
        let a: Vec<Item> = items(500, 7).collect();
        let b: Vec<Item> = items(500, 7).collect();
        assert_eq!(a.len(), 500);
        assert_eq!(a, b);
        let c: Vec<Item> = items(500, 8).collect();
        assert_ne!(a, c);
        // A prefix of a larger register is the smaller register.
        let big: Vec<Item> = items(800, 7).collect();
        assert_eq!(&big[..500], &a[..]);
    }

    #[test]
    fn every_item_is_valid_and_labelled_synthetic() {
        for item in items(3000, 1) {
            let strings = item.to_strings();
            let values: [&str; crate::ITEM_FIELD_COUNT] =
                std::array::from_fn(|i| strings[i].as_str());
            assert_eq!(Item::parse(&RawItem { values }).unwrap(), item);
            assert!(item.reference.starts_with("DEMO-"));
            assert!(item.notes.as_deref().unwrap().starts_with("SYNTHETIC"));
        }
    }

    #[test]
    fn every_transfer_is_valid_and_the_59_day_case_exists() {
        let ts = transfers(3000, 1);
        assert!(ts.len() > 20);
        for t in &ts {
            let strings = t.to_strings();
            let values: [&str; crate::TRANSFER_FIELD_COUNT] =
                std::array::from_fn(|i| strings[i].as_str());
            assert_eq!(
                Transfer::parse(&crate::transfer::RawTransfer { values }).unwrap(),
                *t
            );
        }
        assert!(
            ts.iter().any(|t| t.transfer_ref.ends_with("-2")),
            "two-hop transfers"
        );
        let konkurs: Vec<&Transfer> = ts
            .iter()
            .filter(|t| t.model.as_deref() == Some("9M113 Konkurs"))
            .collect();
        assert_eq!(konkurs.len(), 2);
        let first_konkurs = items(3000, 1)
            .find(|i| i.model.as_deref() == Some("9M113 Konkurs"))
            .unwrap();
        let delivered = konkurs[1].delivered_on.unwrap();
        assert_eq!(
            delivered.days_until(&first_konkurs.recovered_on.unwrap()),
            Some(59)
        );
    }

    #[test]
    fn register_has_runs_lots_and_misreads() {
        let all: Vec<Item> = items(5000, 42).collect();
        let cats = |c: Category| all.iter().filter(|i| i.category == c).count();
        assert!(cats(Category::Weapon) > 1000);
        assert!(cats(Category::Ammunition) > 1000);
        assert!(cats(Category::IedComponent) > 100);
        assert!(cats(Category::ChemicalPrecursor) > 20);
        assert!(
            all.iter()
                .any(|i| i.notes.as_deref().unwrap().contains("illegible"))
        );
    }
}
