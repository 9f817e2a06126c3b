//! Browser tests: the web application as a person uses it, in headless Chromium driven
//! through chromedriver (WebDriver, via fantoccini).
//!
//! Each test starts the real `armtrace serve --demo` on a free port over a fresh synthetic
//! register, a chromedriver, and a Chromium with a fresh profile; the three are stopped
//! by drop guards whether the test passes or fails. Tests take turns (one Chromium at a
//! time) so they stay light on a small machine.
//!
//! Every step saves a screenshot under `$ARMTRACE_ARTIFACTS` (default
//! `<target dir>/browser-artifacts/`), and a failing test saves one of where it stopped.
//!
//! Without Chromium or chromedriver on `PATH` the tests print
//! `skipped: chromium/chromedriver not installed` and pass, unless
//! `ARMTRACE_BROWSER_TESTS=1` (set by `.ci/run`), which makes a missing browser a failure.
//!
//! These tests drive pages only through the browser and the public HTTP interface; they
//! never read the register file.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use anyhow::{Context, anyhow, bail, ensure};
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{Value, json};
use tempfile::TempDir;

/// Demo register size: large enough for clusters and runs, small enough to build in a
/// blink.
const DEMO_ITEMS: &str = "2000";

/// How long any one wait (server start, page element, chart) may take before the test
/// fails with what it was waiting for.
const WAIT_LIMIT: Duration = Duration::from_secs(30);

/// One browser test at a time.
static ONE_BROWSER: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// Where the browser binaries are.
struct BrowserTools {
    chromium: PathBuf,
    chromedriver: PathBuf,
}

/// The first executable called one of `names` on `PATH`.
fn on_path(names: &[&str]) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .flat_map(|dir| names.iter().map(move |name| dir.join(name)))
        .find(|candidate| candidate.is_file())
}

/// The browser tools, or `None` when the test should be skipped. Panics when they are
/// missing under `ARMTRACE_BROWSER_TESTS=1`.
fn browser_tools() -> Option<BrowserTools> {
    let chromium = on_path(&["chromium", "chromium-browser", "google-chrome"]);
    let chromedriver = on_path(&["chromedriver"]);
    match (chromium, chromedriver) {
        (Some(chromium), Some(chromedriver)) => Some(BrowserTools {
            chromium,
            chromedriver,
        }),
        (chromium, chromedriver) => {
            let missing = [
                ("chromium", chromium.is_none()),
                ("chromedriver", chromedriver.is_none()),
            ]
            .iter()
            .filter(|(_, absent)| *absent)
            .map(|(name, _)| *name)
            .collect::<Vec<_>>()
            .join(" and ");
            let are = if missing.contains(" and ") {
                "are"
            } else {
                "is"
            };
            if std::env::var("ARMTRACE_BROWSER_TESTS").is_ok_and(|v| v == "1") {
                panic!(
                    "ARMTRACE_BROWSER_TESTS=1 but {missing} {are} not on PATH: \
                     install them with `apt-get install -y chromium chromium-driver`"
                );
            }
            println!("skipped: chromium/chromedriver not installed ({missing} not on PATH)");
            None
        }
    }
}

/// Where screenshots go: `$ARMTRACE_ARTIFACTS`, else `$CARGO_TARGET_DIR/browser-artifacts`,
/// else `browser-artifacts` in the target directory that holds the `armtrace` binary.
fn artifacts_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("ARMTRACE_ARTIFACTS") {
        return PathBuf::from(dir);
    }
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            // <target>/<profile>/armtrace
            Path::new(env!("CARGO_BIN_EXE_armtrace"))
                .ancestors()
                .nth(2)
                .expect("the armtrace binary lies in <target>/<profile>/")
                .to_owned()
        });
    target.join("browser-artifacts")
}

/// A plain HTTP GET: the status and the body. The body runs to `Content-Length` when
/// the answer gives one (chromedriver keeps the connection open), else to the end.
fn http_get(addr: SocketAddr, path: &str) -> std::io::Result<(u16, String)> {
    let stream = TcpStream::connect(addr)?;
    stream.set_read_timeout(Some(WAIT_LIMIT))?;
    write!(
        &stream,
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\nAccept: application/json\r\nConnection: close\r\n\r\n"
    )?;
    let mut reader = BufReader::new(stream);
    let mut status_line = String::new();
    reader.read_line(&mut status_line)?;
    let status = status_line
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| std::io::Error::other(format!("not an HTTP response: {status_line:?}")))?;
    let mut length = None;
    loop {
        let mut header = String::new();
        reader.read_line(&mut header)?;
        let header = header.trim_end();
        if header.is_empty() {
            break;
        }
        if let Some((name, value)) = header.split_once(':')
            && name.eq_ignore_ascii_case("content-length")
        {
            length = value.trim().parse::<u64>().ok();
        }
    }
    let mut body = String::new();
    match length {
        Some(n) => reader.take(n).read_to_string(&mut body)?,
        None => reader.read_to_string(&mut body)?,
    };
    Ok((status, body))
}

/// `armtrace serve --demo` on a free port over a fresh register; killed on drop.
struct DemoServer {
    child: Child,
    addr: SocketAddr,
    /// The demo admin's password, as the server printed it.
    password: String,
    dir: TempDir,
    /// The PostgreSQL database of the demo, with `ARMTRACE_TEST_BACKEND=postgres`.
    _postgres: Option<armtrace_store::testing::TestRegister>,
}

impl DemoServer {
    fn start() -> DemoServer {
        use armtrace_store::testing::TestBackend;
        let dir = tempfile::tempdir().expect("a temporary directory");
        let stderr = std::fs::File::create(dir.path().join("serve.stderr")).expect("a log file");
        let postgres = (TestBackend::from_env() == TestBackend::Postgres)
            .then(|| crate::support::postgres_register("browser demo"));
        let db = postgres
            .as_ref()
            .map_or_else(|| "r.db".to_owned(), |p| p.location.clone());
        let mut child = Command::new(env!("CARGO_BIN_EXE_armtrace"))
            .args(["--db", &db, "serve", "--demo", "--demo-items", DEMO_ITEMS])
            .args(["--addr", "127.0.0.1:0"])
            .env_remove("ARMTRACE_DB")
            .env_remove("ARMTRACE_LOG")
            .current_dir(dir.path())
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(stderr)
            .spawn()
            .expect("armtrace serve starts");

        // Read the announcement lines; keep draining stdout so the server never blocks.
        let stdout = child.stdout.take().expect("piped stdout");
        let (lines_tx, lines_rx) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                let _ = lines_tx.send(line);
            }
        });
        let mut server = DemoServer {
            child,
            addr: SocketAddr::from(([127, 0, 0, 1], 0)),
            password: String::new(),
            dir,
            _postgres: postgres,
        };
        let deadline = Instant::now() + WAIT_LIMIT;
        let mut seen = Vec::new();
        while server.addr.port() == 0 || server.password.is_empty() {
            let left = deadline.saturating_duration_since(Instant::now());
            let line = lines_rx.recv_timeout(left).unwrap_or_else(|_| {
                panic!(
                    "armtrace serve did not announce its address and the demo password; \
                     it printed:\n{}\n--- stderr ---\n{}",
                    seen.join("\n"),
                    server.stderr()
                )
            });
            if let Some(rest) = line.split_once(" at http://").map(|(_, r)| r) {
                server.addr = rest
                    .trim_end_matches('/')
                    .parse()
                    .expect("a socket address");
            }
            if let Some(rest) = line.strip_prefix("sign in as demo-admin with password ") {
                server.password = rest.split_whitespace().next().unwrap_or("").to_owned();
            }
            seen.push(line);
        }

        // Ready means /healthz answers 200 (the search index is loaded).
        loop {
            match http_get(server.addr, "/healthz") {
                Ok((200, _)) => break,
                _ if Instant::now() > deadline => {
                    panic!(
                        "/healthz did not answer 200 in time; stderr:\n{}",
                        server.stderr()
                    )
                }
                _ => std::thread::sleep(Duration::from_millis(100)),
            }
        }
        server
    }

    fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    /// GET an API path that must answer 200 with JSON.
    fn json(&self, path: &str) -> anyhow::Result<Value> {
        let (status, body) = http_get(self.addr, path).with_context(|| format!("GET {path}"))?;
        ensure!(status == 200, "GET {path} answered {status}: {body:.300}");
        serde_json::from_str(&body).with_context(|| format!("GET {path} is not JSON: {body:.300}"))
    }

    fn stderr(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("serve.stderr")).unwrap_or_default()
    }
}

impl Drop for DemoServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// chromedriver in its own process group, so that the Chromium it starts is stopped
/// with it even when a test fails before closing its session.
struct ChromeDriver {
    child: Child,
    port: u16,
}

impl ChromeDriver {
    fn start(tools: &BrowserTools, log_dir: &Path) -> ChromeDriver {
        // Port 0: chromedriver picks a free port and names it in its log, so two tests
        // starting together can never be handed the same one.
        let log_path = log_dir.join("chromedriver.log");
        let log = std::fs::File::create(&log_path).expect("a log file");
        let child = Command::new(&tools.chromedriver)
            .arg("--port=0")
            .stdin(Stdio::null())
            .stdout(log.try_clone().expect("a log file"))
            .stderr(log)
            .process_group(0)
            .spawn()
            .expect("chromedriver starts");
        let mut driver = ChromeDriver { child, port: 0 };
        let deadline = Instant::now() + WAIT_LIMIT;
        while driver.port == 0 {
            let text = std::fs::read_to_string(&log_path).unwrap_or_default();
            if let Some(port) = text
                .split("started successfully on port ")
                .nth(1)
                .and_then(|rest| rest.split(|c: char| !c.is_ascii_digit()).next())
                .and_then(|digits| digits.parse().ok())
            {
                driver.port = port;
                break;
            }
            assert!(
                Instant::now() < deadline,
                "chromedriver did not say which port it listens on; see {}",
                log_path.display()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        let addr = SocketAddr::from(([127, 0, 0, 1], driver.port));
        while !matches!(http_get(addr, "/status"), Ok((200, _))) {
            assert!(
                Instant::now() < deadline,
                "chromedriver did not answer on port {}; see {}",
                driver.port,
                log_path.display()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        driver
    }
}

impl Drop for ChromeDriver {
    fn drop(&mut self) {
        // The whole group: chromedriver and every Chromium process it started.
        let group = -(self.child.id() as libc::pid_t);
        // SAFETY: kill(2) with a negative pid signals that process group; the group is
        // the one chromedriver leads, which this guard started and has not reaped yet.
        unsafe {
            libc::kill(group, libc::SIGTERM);
        }
        let deadline = Instant::now() + Duration::from_secs(5);
        while matches!(self.child.try_wait(), Ok(None)) && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(50));
        }
        // SAFETY: as above; the group id stays reserved until `wait` below reaps its leader.
        unsafe {
            libc::kill(group, libc::SIGKILL);
        }
        let _ = self.child.wait();
    }
}

/// A browser session on a demo server. Fields drop in order: the server, the driver
/// (and its Chromium), then the profile directory.
struct Browser {
    client: Client,
    server: DemoServer,
    _driver: ChromeDriver,
    _profile: TempDir,
    test: &'static str,
    artifacts: PathBuf,
}

impl Browser {
    async fn open(test: &'static str, tools: &BrowserTools) -> Browser {
        let server = DemoServer::start();
        let profile = tempfile::tempdir().expect("a browser profile directory");
        let driver = ChromeDriver::start(tools, server.dir.path());
        let mut capabilities = serde_json::Map::new();
        capabilities.insert(
            "goog:chromeOptions".into(),
            json!({
                "binary": tools.chromium,
                "args": [
                    "--headless",
                    "--no-sandbox",
                    "--disable-gpu",
                    "--no-first-run",
                    "--disable-background-networking",
                    "--disable-component-update",
                    "--disable-sync",
                    "--disable-dev-shm-usage",
                    format!("--user-data-dir={}", profile.path().display()),
                    "--window-size=1400,1000",
                ],
            }),
        );
        let client = ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
            .capabilities(capabilities)
            .connect(&format!("http://127.0.0.1:{}", driver.port))
            .await
            .unwrap_or_else(|e| {
                panic!(
                    "no WebDriver session with Chromium ({}): {e}; see {}",
                    tools.chromium.display(),
                    server.dir.path().join("chromedriver.log").display()
                )
            });
        let artifacts = artifacts_dir();
        std::fs::create_dir_all(&artifacts)
            .unwrap_or_else(|e| panic!("cannot create {}: {e}", artifacts.display()));
        // This test's screenshots of an earlier run would mislead: remove them.
        let prefix = format!("{test}-");
        for entry in std::fs::read_dir(&artifacts)
            .into_iter()
            .flatten()
            .flatten()
        {
            let name = entry.file_name();
            let name = name.to_string_lossy();
            if name.starts_with(&prefix) && name.ends_with(".png") {
                let _ = std::fs::remove_file(entry.path());
            }
        }
        Browser {
            client,
            server,
            _driver: driver,
            _profile: profile,
            test,
            artifacts,
        }
    }

    /// Saves a PNG of the window as `<artifacts>/<test>-<step>.png`.
    async fn screenshot(&self, step: &str) -> anyhow::Result<PathBuf> {
        let png = self
            .client
            .screenshot()
            .await
            .context("taking a screenshot")?;
        let path = self.artifacts.join(format!("{}-{step}.png", self.test));
        std::fs::write(&path, png).with_context(|| format!("writing {}", path.display()))?;
        Ok(path)
    }

    async fn goto(&self, path: &str) -> anyhow::Result<()> {
        self.client
            .goto(&self.server.url(path))
            .await
            .with_context(|| format!("opening {path}"))
    }

    /// The text of the first element matching `css`.
    async fn text(&self, css: &str) -> anyhow::Result<String> {
        match self.client.find(Locator::Css(css)).await {
            Ok(element) => Ok(element.text().await?),
            Err(e) => bail!("no element {css} on {}: {e}", self.location().await),
        }
    }

    async fn count(&self, css: &str) -> anyhow::Result<usize> {
        Ok(self.client.find_all(Locator::Css(css)).await?.len())
    }

    /// The current path and query, for messages.
    async fn location(&self) -> String {
        match self.client.current_url().await {
            Ok(url) => match url.query() {
                Some(query) => format!("{}?{query}", url.path()),
                None => url.path().to_owned(),
            },
            Err(e) => format!("(unknown page: {e})"),
        }
    }

    /// Polls `probe` until it yields a value; fails naming `what` after [`WAIT_LIMIT`].
    async fn wait_for<T>(
        &self,
        what: &str,
        mut probe: impl AsyncFnMut() -> anyhow::Result<Option<T>>,
    ) -> anyhow::Result<T> {
        let deadline = Instant::now() + WAIT_LIMIT;
        loop {
            let last = match probe().await {
                Ok(Some(value)) => return Ok(value),
                Ok(None) => None,
                Err(e) => Some(e),
            };
            if Instant::now() > deadline {
                let why = last
                    .map(|e| format!(" (last error: {e:#})"))
                    .unwrap_or_default();
                bail!(
                    "gave up after {} s waiting for {what} on {}{why}",
                    WAIT_LIMIT.as_secs(),
                    self.location().await
                );
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Waits for an element and returns it.
    async fn wait_element(&self, css: &str) -> anyhow::Result<fantoccini::elements::Element> {
        self.client
            .wait()
            .at_most(WAIT_LIMIT)
            .for_element(Locator::Css(css))
            .await
            .map_err(|e| anyhow!("no element {css} appeared: {e}"))
    }
}

/// Runs one browser test: skips without a browser, otherwise opens a session, runs
/// `body`, saves a screenshot if it failed, closes the session and reports.
async fn browser_test(test: &'static str, body: impl AsyncFnOnce(&Browser) -> anyhow::Result<()>) {
    let Some(tools) = browser_tools() else { return };
    let _turn = ONE_BROWSER.lock().await;
    let browser = Browser::open(test, &tools).await;
    let result = body(&browser).await;
    let failure_shot = match &result {
        Err(_) => browser.screenshot("failed").await.ok(),
        Ok(()) => None,
    };
    let client = browser.client.clone();
    let _ = client.close().await;
    if let Err(e) = result {
        let stderr = browser.server.stderr();
        drop(browser);
        panic!(
            "{test}: {e:#}\nscreenshot: {}\n--- server stderr ---\n{stderr}",
            failure_shot.map_or("(none)".into(), |p| p.display().to_string())
        );
    }
}

/// A misreading of `serial` that an investigator could make, and that only this serial
/// answers best: two adjacent, different letters of the prefix swapped (one edit; the
/// other members of a serial run share the prefix but not the number, so they are at
/// least two edits away) and one digit read as its look-alike letter (0→O, 1→I, 5→S,
/// 8→B: folded, no edit).
fn misread(serial: &str) -> Option<String> {
    let mut chars: Vec<char> = serial.chars().collect();
    let digits_from = chars.iter().position(char::is_ascii_digit)?;
    let swap = (0..digits_from.saturating_sub(1))
        .find(|&i| chars[i] != chars[i + 1] && chars[i + 1].is_ascii_alphabetic())?;
    let look_alike = (digits_from..chars.len()).find_map(|i| {
        let letter = match chars[i] {
            '0' => 'O',
            '1' => 'I',
            '5' => 'S',
            '8' => 'B',
            _ => return None,
        };
        Some((i, letter))
    })?;
    chars.swap(swap, swap + 1);
    chars[look_alike.0] = look_alike.1;
    Some(chars.into_iter().collect())
}

#[test]
fn misreadings_are_made_the_way_investigators_make_them() {
    assert_eq!(misread("CZCAA284893").as_deref(), Some("ZCCAA2B4893"));
    assert_eq!(misread("WACA409342").as_deref(), Some("AWCA4O9342"));
    // No two different adjacent letters to swap, or no look-alike digit: no misreading.
    assert_eq!(misread("AA123"), None);
    assert_eq!(misread("AB2346"), None);
    assert_eq!(misread("123456"), None);
}

#[tokio::test]
async fn search_for_a_misread_serial_leads_to_the_item_page() {
    browser_test("search", async |b: &Browser| {
        // A published weapon and a misreading of its serial.
        let weapons = b.server.json("/api/items?category=weapon&limit=200")?;
        let (item, query) = weapons["items"]
            .as_array()
            .context("`items` is an array")?
            .iter()
            .filter(|i| i["confidentiality"] == "public")
            .find_map(|i| Some((i, misread(i["serial_number"].as_str()?)?)))
            .context("no public weapon with a serial that can be misread")?;
        let reference = item["ref"].as_str().context("an item has a ref")?;
        let serial = item["serial_number"].as_str().context("a serial")?;

        b.goto("/").await?;
        let heading = b.text("h1").await?;
        ensure!(heading.contains("serial"), "home page heading: {heading:?}");
        b.screenshot("1-home").await?;

        let input = b.wait_element("form[role=search] input[name=q]").await?;
        input.send_keys(&query).await?;
        b.client
            .find(Locator::Css("form[role=search] button[type=submit]"))
            .await?
            .click()
            .await?;
        b.wait_element("#search-results").await?;
        let first_ref = b.text("#search-results tbody tr:first-child td:first-child a").await?;
        let first_why = b.text("#search-results tbody tr:first-child .match-why").await?;
        b.screenshot("2-results").await?;
        ensure!(
            first_ref == reference,
            "searching {query:?} (a misreading of {serial:?}) listed {first_ref} first, not {reference}"
        );
        ensure!(
            first_why.starts_with("1 edit"),
            "the best match of {query:?} should be one edit away; it says {first_why:?}"
        );

        b.client
            .find(Locator::Css("#search-results tbody tr:first-child td:first-child a"))
            .await?
            .click()
            .await?;
        let item_path = format!("/items/{reference}");
        b.wait_for(&format!("the page {item_path}"), async || {
            Ok((b.location().await == item_path).then_some(()))
        })
        .await?;
        let heading = b.text("h1").await?;
        ensure!(heading.starts_with(reference), "the item page's heading is {heading:?}");
        let page = b.text("body").await?;
        ensure!(page.contains(serial), "the item page does not show the serial {serial}");
        ensure!(b.count(".timeline .timeline-step").await? > 0, "the item page has no custody timeline");
        b.screenshot("3-item").await?;
        Ok(())
    })
    .await;
}

#[tokio::test]
async fn the_map_shows_every_public_recovery_as_markers() {
    browser_test("map", async |b: &Browser| {
        let points = b.server.json("/api/map/points")?;
        let total = points["total"]
            .as_u64()
            .context("map points have a total")?;
        ensure!(total > 0, "the demo register has no points to map");

        b.goto("/map").await?;
        let markers = b
            .wait_for("cluster or marker icons", async || {
                let n = b.count(".leaflet-marker-icon, .marker-cluster").await?;
                Ok((n > 0).then_some(n))
            })
            .await?;
        let status = b
            .wait_for("the map's item count", async || {
                let text = b.text("#map-count").await?;
                Ok((!text.starts_with("Loading")).then_some(text))
            })
            .await?;
        // Country outlines come from the vendored atlas; wait so the screenshot shows them.
        b.wait_for("country outlines", async || {
            Ok((b.count("path.leaflet-interactive").await? > 100).then_some(()))
        })
        .await?;
        b.screenshot("1-recoveries").await?;
        ensure!(
            status == format!("{total} items on the map"),
            "the map says {status:?}; /api/map/points has {total} points"
        );
        // The map fits its bounds to the points, so the clusters' numbers and the single
        // markers account for every point. Markercluster redraws its icons in steps (old
        // and new icons coexist while it does), so the count is read until it settles.
        let mut drawn = 0;
        let counted = b
            .wait_for("the drawn icons to account for every point", async || {
                drawn = b
                    .client
                    .execute(
                        "var n = 0;
                         document.querySelectorAll('.leaflet-marker-icon').forEach(function (icon) {
                           n += icon.classList.contains('marker-cluster') ? +icon.textContent : 1;
                         });
                         return n;",
                        vec![],
                    )
                    .await?
                    .as_u64()
                    .context("a count of drawn points")?;
                Ok((drawn == total).then_some(()))
            })
            .await;
        ensure!(
            counted.is_ok(),
            "the {markers} icons on the map stand for {drawn} points, not {total}"
        );
        println!("map: {markers} cluster and marker icons stand for all {total} points");

        // A filter narrows the points: the weapons alone.
        let weapons = b.server.json("/api/map/points?category=weapon")?;
        let weapon_total = weapons["total"].as_u64().context("a total")?;
        ensure!(
            weapon_total < total,
            "the weapon filter should leave fewer points"
        );
        b.goto("/map?category=weapon").await?;
        let expected = format!("{weapon_total} items on the map");
        b.wait_for(&format!("the count {expected:?}"), async || {
            Ok((b.text("#map-count").await? == expected).then_some(()))
        })
        .await?;
        ensure!(
            b.count(".leaflet-marker-icon, .marker-cluster").await? > 0,
            "no weapon markers"
        );
        b.screenshot("2-weapons").await?;
        Ok(())
    })
    .await;
}

#[tokio::test]
async fn a_dashboard_filter_rewrites_the_url_and_redraws_the_charts() {
    browser_test("dashboard", async |b: &Browser| {
        let (stats_status, _) = http_get(b.server.addr, "/api/stats?by=category")?;
        let stats = stats_status == 200;
        let all = b.server.json("/api/items?limit=1")?["total"].as_u64().context("a total")?;
        let weapons = b.server.json("/api/items?category=weapon&limit=1")?["total"]
            .as_u64()
            .context("a total")?;

        b.goto("/dashboard").await?;
        let settled = async || {
            b.wait_for("every chart to finish loading", async || {
                Ok((b.count("#dashboard [aria-busy]").await? == 0).then_some(()))
            })
            .await
        };
        settled().await?;
        if stats {
            b.wait_element("#card-com [data-role=chart] svg").await?;
            let shown = b.text("#stat-total").await?;
            ensure!(digits(&shown) == Some(all), "the dashboard counts {shown:?} items; the register shows {all}");
        }
        b.screenshot("1-all").await?;

        b.client
            .find(Locator::Css("#d-category"))
            .await?
            .select_by_value("weapon")
            .await?;
        b.wait_for("the URL to carry the filter", async || {
            Ok((b.location().await == "/dashboard?category=weapon").then_some(()))
        })
        .await?;
        settled().await?;
        let map_link = b
            .client
            .find(Locator::Css("#show-on-map"))
            .await?
            .attr("href")
            .await?;
        ensure!(
            map_link.as_deref() == Some("/map?category=weapon"),
            "\"Show on map\" links to {map_link:?}, not the filtered map"
        );
        if stats {
            b.wait_element("#card-com [data-role=chart] svg").await?;
            let failed = b.count("#dashboard .chart-state.error").await?;
            ensure!(failed == 0, "{failed} charts could not be loaded");
            // Country, holder, months and decades are drawn; time to diversion needs a
            // sign-in and shows a note instead.
            let drawn = b.count("#dashboard [data-role=chart] > svg, #dashboard [data-role=chart] > figure").await?;
            ensure!(drawn >= 4, "only {drawn} charts were drawn for the weapons");
            let shown = b.text("#stat-total").await?;
            ensure!(
                digits(&shown) == Some(weapons),
                "filtered to weapons, the dashboard counts {shown:?}; the register lists {weapons} weapons"
            );
        } else {
            let state = b.text("#card-com .chart-state").await?;
            ensure!(
                state.contains("could not be loaded"),
                "without /api/stats the chart should say it could not be loaded; it says {state:?}"
            );
            println!(
                "dashboard: /api/stats answered {stats_status}, so the charts show their error \
                 state; only the URL, the filter form and the map link were checked"
            );
        }
        b.screenshot("2-weapons").await?;

        // The URL is the state: reloading keeps the filter.
        b.client.refresh().await?;
        let selected = b.client.find(Locator::Css("#d-category")).await?.prop("value").await?;
        ensure!(selected.as_deref() == Some("weapon"), "after a reload the category is {selected:?}");
        Ok(())
    })
    .await;
}

/// The number a text starts with, in any grouping ("2,000 documented items" → 2000).
fn leading_count(text: &str) -> Option<u64> {
    let head: String = text
        .trim_start()
        .chars()
        .take_while(|c| c.is_ascii_digit() || matches!(c, ',' | '.' | ' ' | '\u{202f}' | '\u{a0}'))
        .filter(char::is_ascii_digit)
        .collect();
    head.parse().ok()
}

/// The number in a formatted count such as "1,234".
fn digits(text: &str) -> Option<u64> {
    text.chars()
        .filter(char::is_ascii_digit)
        .collect::<String>()
        .parse()
        .ok()
}

#[tokio::test]
async fn the_demo_admin_signs_in_and_sees_the_trace_board() {
    browser_test("sign-in", async |b: &Browser| {
        // Anonymous: the public items only, and the trace board asks for a sign-in.
        let published = b.server.json("/api/items?limit=1")?["total"].as_u64().context("a total")?;
        b.goto("/").await?;
        let shown = leading_count(&b.text(".page-head p").await?);
        ensure!(shown == Some(published), "the public home page counts {shown:?} items, not {published}");
        b.goto("/trace").await?;
        b.wait_element("#login-password").await?;
        let heading = b.text("h1").await?;
        ensure!(heading == "Sign in", "anonymous /trace shows {heading:?}, not the sign-in form");
        b.screenshot("1-form").await?;

        b.wait_element("#login-name").await?.send_keys("demo-admin").await?;
        b.wait_element("#login-password")
            .await?
            .send_keys(&b.server.password)
            .await?;
        b.client
            .find(Locator::Css("form[action='/login'] button[type=submit]"))
            .await?
            .click()
            .await?;
        let heading = b
            .wait_for("the trace board after signing in", async || {
                let heading = b.text("h1").await?;
                Ok((heading == "Trace requests").then_some(heading))
            })
            .await?;
        ensure!(b.location().await == "/trace", "signed in, the browser is at {}", b.location().await);
        let who = b.text(".who").await?;
        ensure!(who == "demo-admin", "the header names {who:?} as signed in");
        ensure!(b.count("#login-password").await? == 0, "{heading} still shows a password field");
        b.screenshot("2-trace-board").await?;

        // Signed in, the home page counts the restricted items too: the whole register.
        b.goto("/").await?;
        let shown = leading_count(&b.text(".page-head p").await?);
        let register: u64 = DEMO_ITEMS.parse()?;
        ensure!(
            shown == Some(register) && register > published,
            "signed in, the home page counts {shown:?} items; the register holds {register} ({published} published)"
        );
        Ok(())
    })
    .await;
}
