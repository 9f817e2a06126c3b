//! Two `armtrace serve` processes over one register (PostgreSQL with
//! `ARMTRACE_TEST_BACKEND=postgres`, else a SQLite file): an import uploaded through one
//! server's API is found by a search through the other, which reloads by itself.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::support::{HEADER, Register, canonical_csv, row};

/// A running `armtrace serve`; killed on drop.
struct Server {
    child: Child,
    addr: SocketAddr,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start(reg: &Register) -> Server {
    let mut child = reg
        .command()
        .args(["serve", "--addr", "127.0.0.1:0"])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("armtrace serve starts");
    let stdout = child.stdout.take().expect("piped stdout");
    let mut lines = BufReader::new(stdout).lines();
    let first = lines
        .next()
        .expect("serve announces itself")
        .expect("a line");
    // Keep draining stdout so the server never blocks on it.
    std::thread::spawn(move || for _ in lines.by_ref() {});
    let addr = first
        .rsplit("http://")
        .next()
        .and_then(|a| a.trim_end_matches('/').parse().ok())
        .unwrap_or_else(|| panic!("no address in {first:?}"));
    let server = Server { child, addr };
    let deadline = Instant::now() + Duration::from_secs(60);
    while http(server.addr, "GET", "/healthz", None, None).map(|(s, _)| s) != Ok(200) {
        assert!(Instant::now() < deadline, "the server never became ready");
        std::thread::sleep(Duration::from_millis(50));
    }
    server
}

/// One HTTP/1.1 request: the status and the body.
fn http(
    addr: SocketAddr,
    method: &str,
    path: &str,
    token: Option<&str>,
    body: Option<(&str, &[u8])>,
) -> Result<(u16, String), String> {
    let fail = |e: std::io::Error| e.to_string();
    let mut stream = TcpStream::connect(addr).map_err(fail)?;
    stream
        .set_read_timeout(Some(Duration::from_secs(60)))
        .map_err(fail)?;
    let mut head = format!("{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n");
    if let Some(t) = token {
        head.push_str(&format!("Authorization: Bearer {t}\r\n"));
    }
    let (content_type, bytes) = body.unwrap_or(("text/plain", b""));
    head.push_str(&format!(
        "Content-Type: {content_type}\r\nContent-Length: {}\r\n\r\n",
        bytes.len()
    ));
    stream.write_all(head.as_bytes()).map_err(fail)?;
    stream.write_all(bytes).map_err(fail)?;
    let mut answer = String::new();
    stream.read_to_string(&mut answer).map_err(fail)?;
    let status = answer
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| format!("not HTTP: {answer:?}"))?;
    let body = answer
        .split_once("\r\n\r\n")
        .map_or("", |(_, b)| b)
        .to_owned();
    Ok((status, body))
}

fn matches(server: &Server, token: &str, serial: &str) -> u64 {
    let (status, body) = http(
        server.addr,
        "GET",
        &format!("/api/search?q={serial}"),
        Some(token),
        None,
    )
    .expect("search answers");
    assert_eq!(status, 200, "{body}");
    let json: Value = serde_json::from_str(&body).expect("JSON");
    json["total"].as_u64().expect("a total")
}

#[test]
fn an_upload_through_one_server_is_found_through_another() {
    let reg = Register::new();
    reg.ok(&["user", "add", "chief", "--role", "admin"]);
    let created: Value =
        serde_json::from_str(&reg.ok(&["token", "create", "chief", "--json"])).expect("JSON");
    let token = created["token"].as_str().expect("a token").to_owned();
    let writer = start(&reg);
    let reader = start(&reg);
    let serial = "SHARE-000123";
    assert_eq!(matches(&reader, &token, "SHARE000123"), 0);

    let csv = canonical_csv(&[row(&[
        ("ref", "SHARE-1"),
        ("category", "weapon"),
        ("serial_number", serial),
        ("confidentiality", "public"),
        ("notes", "SYNTHETIC TEST DATA"),
    ])]);
    assert!(csv.starts_with(&HEADER.join(",")));
    let boundary = "armtrace-it-boundary";
    let mut body = Vec::new();
    for (name, file, content) in [
        ("kind", None, "items"),
        ("file", Some("shared.csv"), &csv[..]),
    ] {
        body.extend_from_slice(format!("--{boundary}\r\n").as_bytes());
        match file {
            Some(f) => body.extend_from_slice(
                format!(
                    "Content-Disposition: form-data; name=\"{name}\"; filename=\"{f}\"\r\n\r\n"
                )
                .as_bytes(),
            ),
            None => body.extend_from_slice(
                format!("Content-Disposition: form-data; name=\"{name}\"\r\n\r\n").as_bytes(),
            ),
        }
        body.extend_from_slice(content.as_bytes());
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    let content_type = format!("multipart/form-data; boundary={boundary}");
    let (status, answer) = http(
        writer.addr,
        "POST",
        "/api/imports?wait=true",
        Some(&token),
        Some((&content_type, &body)),
    )
    .expect("the upload is answered");
    assert_eq!(status, 200, "{answer}");
    assert_eq!(matches(&writer, &token, "SHARE000123"), 1);

    // SQLite servers poll every few seconds; PostgreSQL servers are told at once.
    let deadline = Instant::now() + Duration::from_secs(30);
    while matches(&reader, &token, "SHARE000123") == 0 {
        assert!(
            Instant::now() < deadline,
            "the second server never saw the upload on {}",
            reg.location()
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// GETs an API path as `token`'s holder; the JSON answer.
fn get_json(server: &Server, token: &str, path: &str) -> Value {
    let (status, body) = http(server.addr, "GET", path, Some(token), None).expect("an answer");
    assert_eq!(status, 200, "GET {path}: {body}");
    serde_json::from_str(&body).unwrap_or_else(|e| panic!("GET {path} is not JSON ({e}): {body}"))
}

/// The command line and the API give the same JSON, in the same order, for the same
/// question on the same register: both ask the application layer (an admin sees what
/// the command line sees).
#[test]
fn the_command_line_and_the_api_answer_alike() {
    let reg = Register::new();
    reg.ok(&["demo", "--items", "3000"]);
    reg.ok(&["user", "add", "chief", "--role", "admin"]);
    let created: Value =
        serde_json::from_str(&reg.ok(&["token", "create", "chief", "--json"])).expect("JSON");
    let token = created["token"].as_str().expect("a token").to_owned();
    let server = start(&reg);
    let cli = |args: &[&str]| -> Value {
        let out = reg.ok(args);
        serde_json::from_str(&out).unwrap_or_else(|e| panic!("{args:?} is not JSON ({e}): {out}"))
    };
    // A serial of the register, misread once, so that ranking and explanations count.
    let items = cli(&["items", "list", "--limit", "0", "--json"]);
    let serial = items["items"]
        .as_array()
        .expect("items")
        .iter()
        .find_map(|i| i["serial_number"].as_str().filter(|s| s.len() >= 8))
        .expect("a long serial")
        .to_owned();
    let misread = format!("{}X{}", &serial[..3], &serial[4..]);

    let pairs: Vec<(Vec<&str>, String)> = vec![
        (vec!["diversion", "--json"], "/api/diversions".into()),
        (
            vec!["diversion", "--recovered-country", "SY", "--json"],
            "/api/diversions?recovered_country=SY".into(),
        ),
        (
            vec![
                "stats",
                "--by",
                "country_of_manufacture",
                "--by",
                "category",
                "--where",
                "recovered_country=IQ",
                "--json",
            ],
            "/api/stats?by=country_of_manufacture&by=category&where=recovered_country%3DIQ".into(),
        ),
        (
            vec!["stats", "--by", "decade", "--weight", "quantity", "--json"],
            "/api/stats?by=decade&weight=quantity".into(),
        ),
        (
            vec!["search", &misread, "--json"],
            format!("/api/search?q={misread}"),
        ),
        (
            vec!["search", &serial, "--limit", "0", "--json"],
            format!("/api/search?q={serial}&limit=0"),
        ),
        (vec!["link", "--json"], "/api/links".into()),
        (
            vec!["link", "--gap", "10", "--category", "weapon", "--json"],
            "/api/links?gap=10&category=weapon".into(),
        ),
    ];
    for (args, path) in &pairs {
        let from_cli = cli(args);
        let from_api = get_json(&server, &token, path);
        assert_eq!(
            from_cli,
            from_api,
            "`armtrace {}` and GET {path} differ",
            args.join(" ")
        );
    }
    // Not vacuous: the demo has diversions, runs and matches.
    let diversions = cli(&["diversion", "--json"]);
    assert!(!diversions["items"].as_array().unwrap().is_empty());
    let refs: Vec<&str> = diversions["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["ref"].as_str().unwrap())
        .collect();
    let mut sorted = refs.clone();
    sorted.sort();
    assert_eq!(refs, sorted, "diversions come in ref order");
    assert!(
        !cli(&["link", "--json"])["runs"]
            .as_array()
            .unwrap()
            .is_empty()
    );
    assert!(
        cli(&["search", &misread, "--json"])["total"]
            .as_u64()
            .unwrap()
            > 0
    );
}
