//! A real headless Chromium driven over the DevTools protocol, for the page tests.
//!
//! Chromium is Debian's, installed by `tests/browser/setup.sh` when missing (the tests'
//! own setup, as `.ci/api_fuzz.sh` makes its virtualenv). The protocol client is a few
//! calls over one WebSocket (navigate, evaluate, screenshot, the network log); a crate such
//! as chromiumoxide would add a generated protocol of many megabytes to every cold build
//! for the six methods used here.

use futures::{SinkExt, StreamExt};
use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;
use std::time::Duration;
use tokio_tungstenite::tungstenite::Message;

type Ws =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

const WAIT: Duration = Duration::from_secs(30);

/// The Chromium binary, installed on first use; a failed install fails the test.
fn chromium() -> &'static Path {
    static BIN: OnceLock<PathBuf> = OnceLock::new();
    BIN.get_or_init(|| {
        let setup = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/browser/setup.sh");
        let status = Command::new("bash")
            .arg(&setup)
            .status()
            .expect("run tests/browser/setup.sh");
        assert!(
            status.success(),
            "installing Chromium failed ({status}); run {} to see why",
            setup.display()
        );
        PathBuf::from("/usr/bin/chromium")
    })
}

/// Where screenshots go: `<target dir>/screenshots/`.
pub fn screenshot_dir() -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("target"));
    let dir = target.join("screenshots");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// A headless Chromium with its own throw-away profile; killed when dropped.
pub struct Browser {
    child: Child,
    port: u16,
    _profile: tempfile::TempDir,
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Browser {
    pub async fn launch() -> Browser {
        let bin = chromium();
        let profile = tempfile::tempdir().unwrap();
        let child = Command::new(bin)
            .args([
                "--headless=new",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-dev-shm-usage",
                "--no-first-run",
                "--no-default-browser-check",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--metrics-recording-only",
                "--remote-debugging-address=127.0.0.1",
                "--remote-debugging-port=0",
                "--window-size=1280,900",
            ])
            .arg(format!("--user-data-dir={}", profile.path().display()))
            .arg("about:blank")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start chromium");
        let port_file = profile.path().join("DevToolsActivePort");
        let deadline = std::time::Instant::now() + WAIT;
        let port = loop {
            if let Ok(text) = std::fs::read_to_string(&port_file) {
                if let Some(p) = text.lines().next().and_then(|l| l.trim().parse().ok()) {
                    break p;
                }
            }
            assert!(
                std::time::Instant::now() < deadline,
                "chromium did not start"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        };
        Browser {
            child,
            port,
            _profile: profile,
        }
    }

    /// A new tab, with its network log on.
    pub async fn tab(&self) -> Tab {
        let target: Value = reqwest::Client::new()
            .put(format!(
                "http://127.0.0.1:{}/json/new?about:blank",
                self.port
            ))
            .send()
            .await
            .expect("devtools answers")
            .json()
            .await
            .expect("a target");
        let url = target["webSocketDebuggerUrl"].as_str().expect("ws url");
        let (ws, _) = tokio_tungstenite::connect_async(url)
            .await
            .expect("devtools websocket");
        let mut tab = Tab {
            ws,
            next_id: 0,
            requests: Vec::new(),
            loaded: false,
        };
        tab.call("Page.enable", json!({})).await;
        tab.call("Network.enable", json!({})).await;
        tab
    }
}

/// One page of the browser.
pub struct Tab {
    ws: Ws,
    next_id: u64,
    /// Every URL the page asked for, in order.
    pub requests: Vec<String>,
    loaded: bool,
}

impl Tab {
    /// Sends a command and waits for its answer, recording events meanwhile.
    pub async fn call(&mut self, method: &str, params: Value) -> Value {
        self.next_id += 1;
        let id = self.next_id;
        let msg = json!({ "id": id, "method": method, "params": params }).to_string();
        self.ws.send(Message::Text(msg.into())).await.unwrap();
        loop {
            let v = self.read().await;
            if v["id"] == id {
                assert!(v["error"].is_null(), "{method} failed: {}", v["error"]);
                return v["result"].clone();
            }
        }
    }

    async fn read(&mut self) -> Value {
        let msg = tokio::time::timeout(WAIT, self.ws.next())
            .await
            .expect("devtools answered in time")
            .expect("devtools open")
            .expect("devtools message");
        let v: Value = match msg {
            Message::Text(t) => serde_json::from_str(&t).unwrap(),
            _ => Value::Null,
        };
        match v["method"].as_str() {
            Some("Network.requestWillBeSent") => {
                if let Some(u) = v["params"]["request"]["url"].as_str() {
                    self.requests.push(u.to_string());
                }
            }
            Some("Page.loadEventFired") => self.loaded = true,
            _ => {}
        }
        v
    }

    async fn wait_loaded(&mut self) {
        while !self.loaded {
            self.read().await;
        }
    }

    /// Opens a URL and waits for its load event.
    pub async fn goto(&mut self, url: &str) {
        self.loaded = false;
        let r = self.call("Page.navigate", json!({ "url": url })).await;
        assert!(r["errorText"].is_null(), "navigating to {url}: {r}");
        self.wait_loaded().await;
    }

    /// Evaluates a JavaScript expression in the page and answers its value.
    pub async fn eval(&mut self, expression: &str) -> Value {
        let r = self
            .call(
                "Runtime.evaluate",
                json!({ "expression": expression, "returnByValue": true, "awaitPromise": true }),
            )
            .await;
        assert!(
            r["exceptionDetails"].is_null(),
            "{expression}: {}",
            r["exceptionDetails"]
        );
        r["result"]["value"].clone()
    }

    /// Runs an expression that navigates (a click, a form submit) and waits for the new page.
    pub async fn navigate_by(&mut self, expression: &str) {
        self.loaded = false;
        self.eval(expression).await;
        self.wait_loaded().await;
    }

    /// Presses the Tab key once (keyboard navigation).
    pub async fn press_tab(&mut self) {
        for kind in ["keyDown", "keyUp"] {
            self.call(
                "Input.dispatchKeyEvent",
                json!({ "type": kind, "key": "Tab", "code": "Tab", "windowsVirtualKeyCode": 9 }),
            )
            .await;
        }
    }

    /// What a page lacks for assistive technology: a language, one `h1`, a label for every
    /// field, a name for every link and chart. Empty when nothing is missing.
    pub async fn accessibility_problems(&mut self) -> Value {
        self.eval(
            r#"(() => { const p = [];
              if (!document.documentElement.lang) p.push('no lang');
              if (document.querySelectorAll('h1').length !== 1) p.push('not one h1');
              for (const el of document.querySelectorAll('input:not([type=hidden]), textarea, select'))
                if (!el.id || !document.querySelector('label[for="' + el.id + '"]')) p.push('unlabelled ' + el.name);
              for (const a of document.querySelectorAll('a, button'))
                if (!(a.textContent.trim() || a.getAttribute('aria-label'))) p.push('nameless ' + a.outerHTML.slice(0, 80));
              for (const s of document.querySelectorAll('svg'))
                if (!s.getAttribute('aria-label') && !s.closest('[aria-hidden=true]')) p.push('nameless chart');
              return p; })()"#,
        )
        .await
    }

    /// The page's text content.
    pub async fn text(&mut self) -> String {
        self.eval("document.body.innerText")
            .await
            .as_str()
            .unwrap_or_default()
            .to_string()
    }

    /// Writes a full-page PNG at the given viewport width.
    pub async fn screenshot(&mut self, name: &str, width: u32, mobile: bool) -> PathBuf {
        self.call(
            "Emulation.setDeviceMetricsOverride",
            json!({ "width": width, "height": 900, "deviceScaleFactor": 1, "mobile": mobile }),
        )
        .await;
        let shot = self
            .call(
                "Page.captureScreenshot",
                json!({ "format": "png", "captureBeyondViewport": true }),
            )
            .await;
        self.call("Emulation.clearDeviceMetricsOverride", json!({}))
            .await;
        use base64::Engine;
        let png = base64::engine::general_purpose::STANDARD
            .decode(shot["data"].as_str().expect("png data"))
            .unwrap();
        assert!(png.starts_with(b"\x89PNG"), "a PNG");
        let path = screenshot_dir().join(format!("{name}.png"));
        std::fs::write(&path, png).unwrap();
        path
    }
}
