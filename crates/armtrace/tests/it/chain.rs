//! The supply-chain commands through the CLI: `link`, `import transfers`, `diversion`,
//! `custody`, and trace requests, on a small hand-built register whose answers are
//! known (the contract's boundaries: gap 50 links and 51 does not, ranges inclusive,
//! transfers after recovery ignored, two-hop chains, the 59-day case).

use serde_json::Value;

use crate::support::{Register, TRANSFER_HEADER, canonical_csv, row};

fn register() -> Register {
    let reg = Register::new();
    let weapon = |r: &'static str, serial: &'static str, on: &'static str| {
        row(&[
            ("ref", r),
            ("category", "weapon"),
            ("model", "9M113 Konkurs"),
            ("manufacturer", "KBP"),
            ("serial_number", serial),
            ("recovered_on", on),
            ("recovered_country", "Syria"),
            ("recovered_place", "Raqqa"),
        ])
    };
    let ammo = |r: &'static str| {
        row(&[
            ("ref", r),
            ("category", "ammunition"),
            ("manufacturer", "Factory 71"),
            ("calibre", "7.62x39mm"),
            ("lot_number", "12-83"),
            ("year_of_manufacture", "1983"),
            ("recovered_on", "2016-05-01"),
        ])
    };
    let rows = vec![
        weapon("W-1", "KA100", "2015-03-01"),
        weapon("W-2", "KA150", "2015-04-01"), // gap 50: same run
        weapon("W-3", "KA201", "2015-05-01"), // gap 51: a new run
        weapon("W-4", "KA360", "2015-06-01"), // 60 after W-5: links with nothing
        weapon("W-5", "KA300", "2014-12-01"), // recovered before the delivery
        ammo("A-1"),
        ammo("A-2"),
    ];
    let items = reg.write("items.csv", canonical_csv(&rows));
    reg.import_ok(&items, &[]);
    let transfers = format!(
        "{TRANSFER_HEADER}\n\
         T-1,Exporter,Russia,Ministry of Defence,Syria,Ministry of Defence,9M113 Konkurs,,KBP,KA100,KA300,,,,2014-10-01,2014-11-01,Licence L-1\n\
         T-2,Ministry of Defence,Syria,17th Division,Syria,17th Division,9M113 Konkurs,,KBP,KA100,KA200,,,,2014-12-20,2015-01-01,Voucher V-2\n\
         T-3,Ministry of Defence,Syria,Late unit,Syria,Late unit,9M113 Konkurs,,KBP,KA100,KA300,,,,2016-01-01,2016-02-01,After the fact\n\
         T-4,Factory 71,China,Army,Syria,Army,,7.62x39mm,Factory 71,,,12-83,1983,,2015-01-01,2015-02-01,Lot shipment\n"
    );
    let file = reg.write("transfers.csv", transfers);
    let (out, report) = reg.import_kind("transfers", &file, &[]);
    assert!(out.status.success(), "{}", crate::support::describe(&out));
    assert_eq!(report.counts(), [4, 0, 0, 0]);
    reg
}

fn json(reg: &Register, args: &[&str]) -> Value {
    serde_json::from_str(&reg.ok(args)).expect("JSON output")
}

#[test]
fn link_finds_runs_within_the_gap_and_shared_lots() {
    let reg = register();
    let links = json(&reg, &["link", "--json"]);
    let runs = links["runs"].as_array().unwrap();
    assert_eq!(runs.len(), 1, "{links:#}");
    assert_eq!(runs[0]["refs"], serde_json::json!(["W-1", "W-2"]));
    let lots = links["lots"].as_array().unwrap();
    assert_eq!(lots.len(), 1);
    assert_eq!(lots[0]["refs"], serde_json::json!(["A-1", "A-2"]));
    // A gap of 51 takes W-3 (51 after W-2) into the run.
    let wide = json(&reg, &["link", "--gap", "51", "--json"]);
    assert_eq!(
        wide["runs"][0]["refs"],
        serde_json::json!(["W-1", "W-2", "W-3"])
    );
}

#[test]
fn diversion_uses_the_last_delivery_before_recovery() {
    let reg = register();
    let report = json(&reg, &["diversion", "--json"]);
    let items = report["items"].as_array().unwrap();
    let by_ref = |r: &str| items.iter().find(|i| i["ref"] == r).cloned();
    // W-1: covered by T-1 (delivered 2014-11-01) and T-2 (2015-01-01); T-3 comes after
    // the recovery and is ignored. Two hops, 59 days from the last.
    let w1 = by_ref("W-1").expect("W-1 has a diversion");
    assert_eq!(w1["transfer_ref"], "T-2");
    assert_eq!(w1["end_user"], "17th Division");
    assert_eq!(w1["delivered_on"], "2015-01-01");
    assert_eq!(w1["recovered_on"], "2015-03-01");
    assert_eq!(w1["days"], 59);
    assert_eq!(w1["chain_length"], 2);
    // W-3 (KA201) lies outside T-2's range (KA100–KA200, inclusive): one hop, via T-1.
    let w3 = by_ref("W-3").unwrap();
    assert_eq!(w3["transfer_ref"], "T-1");
    assert_eq!(w3["chain_length"], 1);
    // W-5 (KA300, the inclusive upper end of T-1) was recovered after T-1's delivery only.
    let w5 = by_ref("W-5").unwrap();
    assert_eq!(
        (w5["transfer_ref"].as_str(), w5["days"].as_i64()),
        (Some("T-1"), Some(30))
    );
    // Lot coverage: A-1 by T-4.
    assert_eq!(by_ref("A-1").unwrap()["transfer_ref"], "T-4");
}

#[test]
fn custody_tells_the_chain_with_evidence() {
    let reg = register();
    let text = reg.ok(&["custody", "W-1"]);
    assert!(text.contains("serial KA100 lies in KA100–KA300"), "{text}");
    assert!(
        text.contains("59 days after the last documented delivery"),
        "{text}"
    );
    let chain = json(&reg, &["custody", "W-1", "--json"]);
    let steps: Vec<&str> = chain["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["transfer"]["transfer_ref"].as_str().unwrap())
        .collect();
    assert_eq!(steps, ["T-1", "T-2", "T-3"]);
    let unknown = reg.fails(&["custody", "NOPE"]);
    assert!(crate::support::stderr(&unknown).contains("NOPE"));
}

#[test]
fn trace_request_lifecycle() {
    let reg = register();
    let drafted = json(
        &reg,
        &["trace", "new", "--run-of", "W-1", "--to", "KBP", "--json"],
    );
    let reference = drafted["ref"].as_str().unwrap().to_owned();
    assert_eq!(drafted["status"], "draft");
    assert_eq!(drafted["particulars"].as_array().unwrap().len(), 2);
    // Sending needs what the ITI asks for.
    let refused = reg.fails(&["trace", "send", &reference]);
    assert!(crate::support::stderr(&refused).contains("requesting_party"));

    let reg2 = register();
    let drafted = json(
        &reg2,
        &[
            "trace",
            "new",
            "--item",
            "W-3",
            "--to",
            "Russian Federation",
            "--to-kind",
            "state",
            "--requesting-party",
            "Field team (synthetic)",
            "--reason",
            "Recovered from an armed group",
            "--json",
        ],
    );
    let r = drafted["ref"].as_str().unwrap().to_owned();
    reg2.ok(&["trace", "send", &r, "--due", "2000-01-01"]);
    let listed = json(&reg2, &["trace", "list", "--status", "overdue", "--json"]);
    assert_eq!(listed["requests"][0]["ref"], r.as_str());
    assert_eq!(listed["requests"][0]["overdue"], true);
    let html = reg2.path("request.html");
    reg2.ok(&["trace", "show", &r, "--html", html.to_str().unwrap()]);
    let page = std::fs::read_to_string(&html).unwrap();
    assert!(page.contains("KA201") && page.contains("Russian Federation"));

    // The answer documents a delivery: it becomes a transfer and shortens W-3's chain.
    let answer = reg2.write(
        "answer.csv",
        format!(
            "{TRANSFER_HEADER}\nT-9,Ministry of Defence,Syria,5th Brigade,Syria,5th Brigade,9M113 Konkurs,,KBP,KA201,KA201,,,,2015-04-01,2015-04-20,Trace response\n"
        ),
    );
    reg2.ok(&[
        "trace",
        "answer",
        &r,
        "--text",
        "Delivered to 5th Brigade",
        "--transfers",
        answer.to_str().unwrap(),
    ]);
    let shown = json(&reg2, &["trace", "show", &r, "--json"]);
    assert_eq!(shown["status"], "answered");
    let report = json(&reg2, &["diversion", "--json"]);
    let w3 = report["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["ref"] == "W-3")
        .unwrap()
        .clone();
    assert_eq!(
        (w3["transfer_ref"].as_str(), w3["days"].as_i64()),
        (Some("T-9"), Some(11))
    );
    // A closed request cannot be answered again.
    reg2.ok(&["trace", "close", &r]);
    let again = reg2.fails(&["trace", "answer", &r, "--text", "x"]);
    assert!(crate::support::stderr(&again).contains("closed"));
}
