//! The test site: the synthetic [`Register`] in a throwaway SQLite file (or PostgreSQL
//! database, with `ARMTRACE_TEST_BACKEND=postgres`), a user of every
//! role (and two with grants) each holding an API token, a trace request about the item
//! of every level, and the application answering requests in-process through
//! `tower::ServiceExt::oneshot` (no sockets).
//!
//! Helpers panic with the request and the answer when an answer is not the expected one,
//! so a failing test says what the server said.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::time::Duration;

use armtrace_core::{Item, Role, Transfer};
use armtrace_store::Store;
use armtrace_store::import::{Format, ImportOptions};
use armtrace_store::testing::TestRegister;
use armtrace_web::{AppState, ServeOptions};
use axum::Router;
use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{HeaderMap, Method, Request, StatusCode, header};
use serde_json::{Value, json};
use tower::ServiceExt;

use crate::register::{Level, Register, SYNTHETIC};

/// Who makes a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Who {
    Anonymous,
    Viewer,
    Analyst,
    Investigator,
    Admin,
    /// A viewer granted the [`Level::Granted`] item one by one.
    GrantedViewer,
    /// An analyst granted every confidential item.
    ClearedAnalyst,
}

impl Who {
    pub const ALL: [Who; 7] = [
        Who::Anonymous,
        Who::Viewer,
        Who::Analyst,
        Who::Investigator,
        Who::Admin,
        Who::GrantedViewer,
        Who::ClearedAnalyst,
    ];

    pub fn role(self) -> Option<Role> {
        match self {
            Who::Anonymous => None,
            Who::Viewer | Who::GrantedViewer => Some(Role::Viewer),
            Who::Analyst | Who::ClearedAnalyst => Some(Role::Analyst),
            Who::Investigator => Some(Role::Investigator),
            Who::Admin => Some(Role::Admin),
        }
    }

    /// The user name.
    pub fn name(self) -> &'static str {
        match self {
            Who::Anonymous => "anonymous",
            Who::Viewer => "viewer",
            Who::Analyst => "analyst",
            Who::Investigator => "investigator",
            Who::Admin => "admin",
            Who::GrantedViewer => "granted-viewer",
            Who::ClearedAnalyst => "cleared-analyst",
        }
    }

    /// The matrix's column heading.
    pub fn label(self) -> &'static str {
        match self {
            Who::GrantedViewer => "viewer+grant",
            Who::ClearedAnalyst => "analyst+conf",
            other => other.name(),
        }
    }

    /// Whether this viewer may see the item of a level (the rule of
    /// `armtrace_core::Clearance`, written out for the fixture's users).
    pub fn sees(self, level: Level) -> bool {
        match level {
            Level::Public => true,
            Level::Restricted => self != Who::Anonymous,
            Level::Confidential => matches!(self, Who::Admin | Who::ClearedAnalyst),
            Level::Granted => matches!(self, Who::Admin | Who::ClearedAnalyst | Who::GrantedViewer),
        }
    }
}

/// How a request proves who makes it.
#[derive(Debug, Clone, Copy)]
pub enum Cred<'a> {
    Anonymous,
    Bearer(&'a str),
    /// A browser session cookie, with the CSRF header or not.
    Session {
        token: &'a str,
        csrf: Option<&'a str>,
    },
}

/// An answer, read in full.
#[derive(Debug)]
pub struct Reply {
    pub method: Method,
    pub uri: String,
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
}

impl Reply {
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    /// What to show when an assertion about this answer fails.
    pub fn describe(&self) -> String {
        let mut text = self.text();
        if text.len() > 2000 {
            let mut cut = 2000;
            while !text.is_char_boundary(cut) {
                cut -= 1;
            }
            text.truncate(cut);
            text.push('…');
        }
        format!("{} {} → {}\n{}", self.method, self.uri, self.status, text)
    }

    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("the answer is not JSON ({e}): {}", self.describe()))
    }

    /// Asserts the status; returns the answer for more checks.
    #[track_caller]
    pub fn expect(self, status: u16) -> Reply {
        assert_eq!(
            self.status.as_u16(),
            status,
            "unexpected status: {}",
            self.describe()
        );
        self
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    pub fn content_type(&self) -> &str {
        self.header("content-type").unwrap_or("")
    }

    pub fn is_html(&self) -> bool {
        self.content_type().starts_with("text/html")
    }

    /// The message of an API error, after checking the error shape
    /// `{"error": "…", "status": N}` with N the HTTP status.
    #[track_caller]
    pub fn error(&self) -> String {
        let v = self.json();
        assert_eq!(
            v["status"].as_u64(),
            Some(u64::from(self.status.as_u16())),
            "an error body repeats its status: {}",
            self.describe()
        );
        let message = v["error"]
            .as_str()
            .unwrap_or_else(|| panic!("an error body has an `error` string: {}", self.describe()));
        assert!(
            !message.is_empty(),
            "an empty error message: {}",
            self.describe()
        );
        assert_eq!(
            v.as_object().map(|o| o.len()),
            Some(2),
            "an error body is exactly {{error, status}}: {}",
            self.describe()
        );
        message.to_owned()
    }
}

/// The address requests appear to come from (the login limiter keys on it).
pub const CLIENT: ([u8; 4], u16) = ([192, 0, 2, 7], 40000);

/// A request, ready to send.
pub struct Call<'a> {
    pub method: Method,
    pub uri: String,
    pub cred: Cred<'a>,
    pub content_type: Option<String>,
    pub body: Body,
    pub headers: Vec<(String, String)>,
    /// The client's address (default [`CLIENT`]).
    pub client: Option<SocketAddr>,
}

impl<'a> Call<'a> {
    pub fn new(method: Method, uri: impl Into<String>, cred: Cred<'a>) -> Call<'a> {
        Call {
            method,
            uri: uri.into(),
            cred,
            content_type: None,
            body: Body::empty(),
            headers: Vec::new(),
            client: None,
        }
    }

    /// Sends the call from another client address.
    pub fn sent_from(mut self, client: SocketAddr) -> Call<'a> {
        self.client = Some(client);
        self
    }

    pub fn body(mut self, content_type: &str, body: impl Into<Body>) -> Call<'a> {
        self.content_type = Some(content_type.to_owned());
        self.body = body.into();
        self
    }

    pub fn json(self, value: &Value) -> Call<'a> {
        self.body("application/json", value.to_string())
    }

    pub fn header(mut self, name: &str, value: &str) -> Call<'a> {
        self.headers.push((name.to_owned(), value.to_owned()));
        self
    }
}

/// A multipart/form-data body: `(name, file name, content)`; returns the content type
/// and the body.
pub fn multipart(fields: &[(&str, Option<&str>, &[u8])]) -> (String, Vec<u8>) {
    let boundary = "armtrace-test-boundary-5f0c1e";
    let mut body = Vec::new();
    for (name, file_name, content) in fields {
        body.extend_from_slice(format!("--{boundary}\r\n").as_bytes());
        match file_name {
            Some(f) => body.extend_from_slice(
                format!(
                    "Content-Disposition: form-data; name=\"{name}\"; filename=\"{f}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
                )
                .as_bytes(),
            ),
            None => body.extend_from_slice(
                format!("Content-Disposition: form-data; name=\"{name}\"\r\n\r\n").as_bytes(),
            ),
        }
        body.extend_from_slice(content);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

/// The application over the synthetic register.
pub struct Site {
    pub app: Router,
    pub state: AppState,
    pub store: Store,
    pub register: Register,
    tokens: BTreeMap<Who, String>,
    /// The trace request about the item of each level.
    pub traces: BTreeMap<Level, String>,
    /// The markers in each of those trace requests.
    pub trace_markers: BTreeMap<Level, Vec<String>>,
    /// An import started from the web (a finished dry run).
    pub import_id: String,
    /// The photo (a PNG) attached to the item of each level.
    pub evidence: BTreeMap<Level, Attached>,
    /// A document (not an image) attached to the public item.
    pub document: Attached,
    /// The register (a SQLite file, or a PostgreSQL database with `ARMTRACE_TEST_BACKEND=postgres`).
    _register: TestRegister,
}

/// An evidence file the site attaches to an item through the store when it is built.
#[derive(Debug, Clone)]
pub struct Attached {
    pub item_ref: String,
    pub sha256: String,
    pub file_name: String,
    pub caption: String,
    pub media_type: String,
    pub bytes: Vec<u8>,
    /// What must stay hidden with the item (hidden items only): the markers in the
    /// file's name, caption and bytes, and its SHA-256.
    pub markers: Vec<String>,
}

impl Attached {
    /// Where the API serves the file (the item's ref percent-encoded).
    pub fn url(&self) -> String {
        format!(
            "/api/items/{}/evidence/{}",
            encode(&self.item_ref),
            self.sha256
        )
    }

    pub fn thumbnail_url(&self) -> String {
        format!("{}/thumbnail", self.url())
    }
}

/// Longest wait for one answer (an SSE stream that never ends fails instead of hanging).
const ANSWER_TIMEOUT: Duration = Duration::from_secs(60);

impl Site {
    /// The register loaded, users and tokens made, trace requests and an import done.
    pub async fn new() -> Site {
        let site = Site::unloaded().await;
        site.state
            .register
            .refresh()
            .await
            .expect("the register loads");
        site.finish().await
    }

    /// The register and accounts, but the search index not yet loaded (for `/healthz`).
    pub async fn unloaded() -> Site {
        let dir = TestRegister::from_env("web site").await.unwrap_or_else(|| {
            panic!(
                "ARMTRACE_TEST_BACKEND=postgres needs ARMTRACE_TEST_POSTGRES_URL (e.g. postgres://postgres@127.0.0.1:5432/test)"
            )
        });
        let mut register = Register::new();
        let store = dir.open().await.expect("the register opens");
        let items = dir.path("items.csv");
        std::fs::write(&items, register.csv_items()).expect("items written");
        let report = store
            .import_file::<Item>(&items, &ImportOptions::new(Format::Csv, "test"), &|_| {})
            .await
            .expect("the items import");
        assert_eq!(report.rejected, 0, "the test items are valid: {report:?}");
        let transfers = dir.path("transfers.csv");
        std::fs::write(&transfers, register.csv_transfers()).expect("transfers written");
        let report = store
            .import_file::<Transfer>(
                &transfers,
                &ImportOptions::new(Format::Csv, "test"),
                &|_| {},
            )
            .await
            .expect("the transfers import");
        assert_eq!(
            report.rejected, 0,
            "the test transfers are valid: {report:?}"
        );

        let mut tokens = BTreeMap::new();
        for who in Who::ALL {
            let Some(role) = who.role() else { continue };
            store
                .create_user(who.name(), role, None, "test")
                .await
                .expect("the user is created");
            let (_, token) = store
                .create_token(who.name(), Some("web tests"), "test")
                .await
                .expect("a token is created");
            tokens.insert(who, token);
        }
        store
            .grant_item(
                Who::GrantedViewer.name(),
                register.level_ref(Level::Granted),
                "test",
            )
            .await
            .expect("the item is granted");
        store
            .set_confidential_grant(Who::ClearedAnalyst.name(), true, "test")
            .await
            .expect("confidential items are granted");
        let (evidence, document) = attach_evidence(&store, &mut register).await;

        let state = AppState::new(
            armtrace_app::Register::over(store.clone(), armtrace_app::Warmth::Warm),
            ServeOptions::default(),
        )
        .expect("the state builds");
        Site {
            app: armtrace_web::app(state.clone()),
            state,
            store,
            register,
            tokens,
            traces: BTreeMap::new(),
            trace_markers: BTreeMap::new(),
            import_id: String::new(),
            evidence,
            document,
            _register: dir,
        }
    }

    /// Trace requests about the item of every level (and one about the public run with
    /// its confidential member) and one finished import, made through the API as an
    /// admin.
    async fn finish(mut self) -> Site {
        for (n, level) in Level::ALL.into_iter().enumerate() {
            let to = self.register.extra_marker(2 * n as u32);
            let reason = self.register.extra_marker(2 * n as u32 + 1);
            let party = self.register.extra_marker(100 + n as u32);
            let reply = self
                .post_json(
                    Who::Admin,
                    "/api/trace",
                    &json!({"ref": self.register.level_ref(level), "to": to, "reason": reason, "requesting_party": party}),
                )
                .await
                .expect(201);
            let reference = reply.json()["ref"]
                .as_str()
                .expect("a trace ref")
                .to_owned();
            self.traces.insert(level, reference);
            self.trace_markers.insert(level, vec![to, reason, party]);
        }
        // A request about the public run, which has a confidential member: only as
        // visible as that member, though it is reached from public items.
        let to = self.register.extra_marker(200);
        self.post_json(
            Who::Admin,
            "/api/trace",
            &json!({"ref": "TP-01", "subject": "run", "to": to}),
        )
        .await
        .expect(201);
        self.trace_markers
            .get_mut(&Level::Confidential)
            .expect("the confidential level's markers")
            .push(to);
        let reply = self
            .upload(
                Who::Admin,
                "/api/imports?wait=true",
                "items",
                &one_item_csv("TW-00"),
                true,
            )
            .await
            .expect(200);
        self.import_id = reply.json()["id"].to_string();
        self
    }

    /// The API token of a signed-in user.
    pub fn token(&self, who: Who) -> Option<&str> {
        self.tokens.get(&who).map(String::as_str)
    }

    pub fn cred(&self, who: Who) -> Cred<'_> {
        match self.token(who) {
            Some(t) => Cred::Bearer(t),
            None => Cred::Anonymous,
        }
    }

    pub async fn send(&self, call: Call<'_>) -> Reply {
        let mut builder = Request::builder()
            .method(call.method.clone())
            .uri(&call.uri);
        match call.cred {
            Cred::Anonymous => {}
            Cred::Bearer(t) => {
                builder = builder.header(header::AUTHORIZATION, format!("Bearer {t}"))
            }
            Cred::Session { token, csrf } => {
                builder = builder.header(
                    header::COOKIE,
                    format!("{}={token}", armtrace_web::auth::SESSION_COOKIE),
                );
                if let Some(c) = csrf {
                    builder = builder.header(armtrace_web::auth::CSRF_HEADER, c);
                }
            }
        }
        if let Some(ct) = &call.content_type {
            builder = builder.header(header::CONTENT_TYPE, ct);
        }
        for (name, value) in &call.headers {
            builder = builder.header(name, value);
        }
        let mut request = builder
            .body(call.body)
            .unwrap_or_else(|e| panic!("a bad test request {}: {e}", call.uri));
        request
            .extensions_mut()
            .insert(ConnectInfo(call.client.unwrap_or(SocketAddr::from(CLIENT))));
        let response = self
            .app
            .clone()
            .oneshot(request)
            .await
            .expect("the router answers");
        let status = response.status();
        let headers = response.headers().clone();
        let body = tokio::time::timeout(
            ANSWER_TIMEOUT,
            axum::body::to_bytes(response.into_body(), usize::MAX),
        )
        .await
        .unwrap_or_else(|_| panic!("{} {}: the answer did not end", call.method, call.uri))
        .unwrap_or_else(|e| panic!("{} {}: the body failed: {e}", call.method, call.uri));
        Reply {
            method: call.method,
            uri: call.uri,
            status,
            headers,
            body: body.to_vec(),
        }
    }

    pub async fn get(&self, who: Who, uri: &str) -> Reply {
        self.send(Call::new(Method::GET, uri, self.cred(who))).await
    }

    pub async fn post_json(&self, who: Who, uri: &str, body: &Value) -> Reply {
        self.send(Call::new(Method::POST, uri, self.cred(who)).json(body))
            .await
    }

    /// `POST` an import form with a file named `upload.csv`.
    pub async fn upload(&self, who: Who, uri: &str, kind: &str, csv: &str, dry_run: bool) -> Reply {
        let (ct, body) = multipart(&[
            ("kind", None, kind.as_bytes()),
            ("dry_run", None, if dry_run { b"true" } else { b"false" }),
            ("file", Some("upload.csv"), csv.as_bytes()),
        ]);
        self.send(Call::new(Method::POST, uri, self.cred(who)).body(&ct, body))
            .await
    }
}

/// Attaches a photo to the item of every level and a document to the public item,
/// through the store (as `armtrace evidence add` does). The hidden items' photos carry
/// markers in their file names, captions and bytes, and their hashes become markers too:
/// none of it may reach a viewer who may not see the item.
async fn attach_evidence(
    store: &Store,
    register: &mut Register,
) -> (BTreeMap<Level, Attached>, Attached) {
    let mut photos = BTreeMap::new();
    for (n, level) in Level::ALL.into_iter().enumerate() {
        let item_ref = register.level_ref(level).to_owned();
        let (file_name, caption, bytes, mut markers) = if level == Level::Public {
            (
                "public-photo.png".to_owned(),
                format!("{SYNTHETIC}: markings on the receiver, left side"),
                png(400, 300, 0, &format!("{SYNTHETIC}: a public photo")),
                Vec::new(),
            )
        } else {
            let m: Vec<String> = (0..3)
                .map(|k| register.extra_marker(300 + 10 * n as u32 + k))
                .collect();
            (
                format!("photo-{}.png", m[0]),
                format!("{SYNTHETIC} {}", m[1]),
                png(40, 30, 60 * n as u8, &format!("{SYNTHETIC} {}", m[2])),
                m,
            )
        };
        let mut attached = attach(store, &item_ref, &file_name, &caption, bytes).await;
        if level != Level::Public {
            register.markers.push(attached.sha256.clone());
            markers.push(attached.sha256.clone());
        }
        attached.markers = markers;
        photos.insert(level, attached);
    }
    let document = attach(
        store,
        register.level_ref(Level::Public),
        "public-field-note.txt",
        &format!("{SYNTHETIC}: the field note"),
        format!("{SYNTHETIC}: a public field note, not an image\n").into_bytes(),
    )
    .await;
    (photos, document)
}

/// Attaches one file (media type guessed from its bytes) as the actor `test`.
async fn attach(
    store: &Store,
    item_ref: &str,
    file_name: &str,
    caption: &str,
    bytes: Vec<u8>,
) -> Attached {
    let file = store
        .add_evidence_with_caption(item_ref, file_name, None, Some(caption), &bytes, "test")
        .await
        .unwrap_or_else(|e| panic!("{file_name} is attached to {item_ref}: {e}"));
    Attached {
        item_ref: item_ref.to_owned(),
        sha256: file.sha256,
        file_name: file.file_name,
        caption: caption.to_owned(),
        media_type: file.media_type,
        bytes,
        markers: Vec::new(),
    }
}

/// A synthetic test photo: a `width`×`height` PNG of a gradient tinted by `seed`, with
/// `comment` in a `tEXt` chunk, so the text is in the file's bytes as written.
pub fn png(width: u32, height: u32, seed: u8, comment: &str) -> Vec<u8> {
    let image = image::RgbImage::from_fn(width, height, |x, y| {
        image::Rgb([(x * 255 / width) as u8, (y * 255 / height) as u8, seed])
    });
    let mut out = std::io::Cursor::new(Vec::new());
    image
        .write_to(&mut out, image::ImageFormat::Png)
        .expect("a PNG encodes");
    let mut png = out.into_inner();
    let mut typed = b"tEXtComment\0".to_vec();
    typed.extend_from_slice(comment.as_bytes());
    let mut chunk = ((typed.len() - 4) as u32).to_be_bytes().to_vec();
    chunk.extend_from_slice(&typed);
    chunk.extend_from_slice(&crc32(&typed).to_be_bytes());
    // After the signature (8 bytes) and the IHDR chunk (25 bytes).
    png.splice(33..33, chunk);
    png
}

/// The CRC-32 of PNG chunks (ISO 3309, reflected, polynomial 0xEDB88320).
fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &b in bytes {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

#[test]
fn test_photos_are_valid_pngs_that_carry_their_comment() {
    assert_eq!(crc32(b"123456789"), 0xCBF4_3926, "the CRC-32 check value");
    let bytes = png(7, 5, 9, "SYNTHETIC TEST DATA XJT0001");
    assert!(
        bytes.windows(b"XJT0001".len()).any(|w| w == b"XJT0001"),
        "the comment is in the bytes"
    );
    let decoded = image::load_from_memory_with_format(&bytes, image::ImageFormat::Png)
        .expect("the PNG decodes, chunk CRCs checked");
    assert_eq!((decoded.width(), decoded.height()), (7, 5));
}

/// A one-item CSV (canonical header): a public weapon of this ref whose serial is `WEB`
/// and the ref without dashes (unique in the register).
pub fn one_item_csv(reference: &str) -> String {
    let mut row = vec![""; armtrace_core::ITEM_FIELD_COUNT];
    row[0] = reference;
    row[1] = "weapon";
    let serial = format!("WEB{}", reference.replace('-', ""));
    row[8] = &serial;
    row[19] = "public";
    row[20] = "SYNTHETIC TEST DATA uploaded through the web";
    format!(
        "{}\n{}",
        armtrace_core::ITEM_FIELDS.join(","),
        crate::register::csv_line(&row)
    )
}

/// Decodes `%XX` escapes and `+` (for comparing what a request carried).
pub fn percent_decode(s: &str) -> String {
    fn hex(b: u8) -> Option<u8> {
        (b as char).to_digit(16).map(|d| d as u8)
    }
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' if i + 2 < bytes.len() => match (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                (Some(h), Some(l)) => {
                    out.push(h * 16 + l);
                    i += 2;
                }
                _ => out.push(b'%'),
            },
            b'+' => out.push(b' '),
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Encodes a query value.
pub fn encode(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}
