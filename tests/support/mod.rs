//! A scripted HTTP/1.1 server on 127.0.0.1 for provider tests.
//!
//! Each accepted connection reads one request (recorded for assertions) and
//! plays the next [`Reply`]: a status, headers, and a body that is either
//! fixed (`Content-Length`) or sent as HTTP chunks, one per [`Step::Send`],
//! so the client sees the pieces exactly as split. A reply can stop without
//! the final zero chunk ([`Step::Cut`]) or keep the connection open until the
//! client closes it ([`Step::HoldOpen`]), which the server reports.

#![allow(dead_code)]

pub mod cli;
pub mod images;
pub mod openai;
pub mod outcome;
pub mod split;
pub mod tools;

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;

/// One request as the server received it.
#[derive(Debug, Clone)]
pub struct Recorded {
    /// `GET`, `POST`…
    pub method: String,
    /// Request target, e.g. `/v1/chat/completions`.
    pub path: String,
    /// Header names in lower case, with their values.
    pub headers: Vec<(String, String)>,
    /// Request body.
    pub body: Vec<u8>,
}

impl Recorded {
    /// The value of header `name` (case-insensitive), if sent.
    pub fn header(&self, name: &str) -> Option<&str> {
        let name = name.to_ascii_lowercase();
        self.headers
            .iter()
            .find(|(k, _)| *k == name)
            .map(|(_, v)| v.as_str())
    }

    /// The body parsed as JSON.
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).expect("request body is JSON")
    }
}

/// One step of a chunked body.
#[derive(Debug, Clone)]
pub enum Step {
    /// Send these bytes as one HTTP chunk.
    Send(Vec<u8>),
    /// Wait before the next step.
    Delay(Duration),
    /// Close the connection without ending the chunked body.
    Cut,
    /// Keep the connection open (sending SSE keep-alive comments) until the
    /// client closes it; the server then reports it on [`TestServer::next_close`].
    HoldOpen,
}

/// What the server answers to one request.
#[derive(Debug, Clone)]
pub struct Reply {
    status: u16,
    headers: Vec<(String, String)>,
    body: Body,
}

#[derive(Debug, Clone)]
enum Body {
    Fixed(Vec<u8>),
    Chunked(Vec<Step>),
}

impl Reply {
    /// A complete body with `Content-Length`.
    pub fn fixed(status: u16, content_type: &str, body: impl Into<Vec<u8>>) -> Self {
        Self {
            status,
            headers: vec![("content-type".into(), content_type.into())],
            body: Body::Fixed(body.into()),
        }
    }

    /// A 200 `text/event-stream` reply played step by step.
    pub fn sse(steps: Vec<Step>) -> Self {
        Self {
            status: 200,
            headers: vec![("content-type".into(), "text/event-stream".into())],
            body: Body::Chunked(steps),
        }
    }

    /// A 200 event stream sending `body` in one piece, then ending normally.
    pub fn sse_body(body: impl Into<Vec<u8>>) -> Self {
        Self::sse(vec![Step::Send(body.into())])
    }

    /// The same reply with another status (a chunked error body).
    pub fn with_status(mut self, status: u16) -> Self {
        self.status = status;
        self
    }

    /// Adds a response header.
    pub fn header(mut self, name: &str, value: &str) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }
}

/// A running server; stops when the test's runtime ends.
pub struct TestServer {
    /// Where it listens.
    pub addr: SocketAddr,
    requests: Arc<Mutex<Vec<Recorded>>>,
    closes: mpsc::UnboundedReceiver<()>,
}

impl TestServer {
    /// Starts a server answering the given replies in order, one per connection.
    pub async fn start(replies: Vec<Reply>) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let addr = listener.local_addr().expect("local addr");
        let requests = Arc::new(Mutex::new(Vec::new()));
        let queue = Arc::new(Mutex::new(VecDeque::from(replies)));
        let (close_tx, closes) = mpsc::unbounded_channel();
        let recorded = Arc::clone(&requests);
        tokio::spawn(async move {
            while let Ok((socket, _)) = listener.accept().await {
                let reply = queue.lock().unwrap().pop_front();
                let Some(reply) = reply else { break };
                let recorded = Arc::clone(&recorded);
                let close_tx = close_tx.clone();
                tokio::spawn(async move {
                    serve(socket, reply, recorded, close_tx).await;
                });
            }
        });
        Self {
            addr,
            requests,
            closes,
        }
    }

    /// Base URL to configure a provider with (`http://127.0.0.1:port/v1`).
    pub fn base_url(&self) -> String {
        format!("http://{}/v1", self.addr)
    }

    /// Requests received so far.
    pub fn requests(&self) -> Vec<Recorded> {
        self.requests.lock().unwrap().clone()
    }

    /// Waits until a [`Step::HoldOpen`] connection is closed by the client
    /// (fails the test after 10 s so a regression cannot hang the suite).
    pub async fn next_close(&mut self) {
        tokio::time::timeout(Duration::from_secs(10), self.closes.recv())
            .await
            .expect("the client never closed the connection")
            .expect("server stopped");
    }
}

async fn serve(
    mut socket: TcpStream,
    reply: Reply,
    recorded: Arc<Mutex<Vec<Recorded>>>,
    close_tx: mpsc::UnboundedSender<()>,
) {
    socket.set_nodelay(true).ok();
    let Some(request) = read_request(&mut socket).await else {
        return;
    };
    recorded.lock().unwrap().push(request);
    let mut head = format!("HTTP/1.1 {} Test\r\nconnection: close\r\n", reply.status);
    for (k, v) in &reply.headers {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    match reply.body {
        Body::Fixed(body) => {
            head.push_str(&format!("content-length: {}\r\n\r\n", body.len()));
            let _ = socket.write_all(head.as_bytes()).await;
            let _ = socket.write_all(&body).await;
            let _ = socket.shutdown().await;
        }
        Body::Chunked(steps) => {
            head.push_str("transfer-encoding: chunked\r\n\r\n");
            if socket.write_all(head.as_bytes()).await.is_err() {
                return;
            }
            for step in steps {
                match step {
                    Step::Send(bytes) => {
                        if write_chunk(&mut socket, &bytes).await.is_err() {
                            return;
                        }
                    }
                    Step::Delay(d) => tokio::time::sleep(d).await,
                    Step::Cut => {
                        let _ = socket.shutdown().await;
                        return;
                    }
                    Step::HoldOpen => {
                        hold_until_closed(&mut socket).await;
                        let _ = close_tx.send(());
                        return;
                    }
                }
            }
            let _ = socket.write_all(b"0\r\n\r\n").await;
            let _ = socket.shutdown().await;
        }
    }
}

async fn write_chunk(socket: &mut TcpStream, bytes: &[u8]) -> std::io::Result<()> {
    if bytes.is_empty() {
        return Ok(());
    }
    socket
        .write_all(format!("{:x}\r\n", bytes.len()).as_bytes())
        .await?;
    socket.write_all(bytes).await?;
    socket.write_all(b"\r\n").await?;
    socket.flush().await
}

/// Returns once the peer has closed: a read sees EOF or a keep-alive write fails.
async fn hold_until_closed(socket: &mut TcpStream) {
    let mut buf = [0u8; 256];
    loop {
        tokio::select! {
            read = socket.read(&mut buf) => match read {
                Ok(0) | Err(_) => return,
                Ok(_) => {}
            },
            () = tokio::time::sleep(Duration::from_millis(20)) => {
                if write_chunk(socket, b": keep-alive\n\n").await.is_err() {
                    return;
                }
            }
        }
    }
}

async fn read_request(socket: &mut TcpStream) -> Option<Recorded> {
    let mut data = Vec::new();
    let mut buf = [0u8; 4096];
    let head_end = loop {
        if let Some(pos) = data.windows(4).position(|w| w == b"\r\n\r\n") {
            break pos;
        }
        let n = socket.read(&mut buf).await.ok()?;
        if n == 0 {
            return None;
        }
        data.extend_from_slice(&buf[..n]);
    };
    let head = String::from_utf8_lossy(&data[..head_end]).into_owned();
    let mut lines = head.split("\r\n");
    let mut first = lines.next()?.split(' ');
    let method = first.next()?.to_owned();
    let path = first.next()?.to_owned();
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_owned()))
        .collect();
    let length = headers
        .iter()
        .find(|(k, _)| k == "content-length")
        .and_then(|(_, v)| v.parse::<usize>().ok())
        .unwrap_or(0);
    let mut body = data[head_end + 4..].to_vec();
    while body.len() < length {
        let n = socket.read(&mut buf).await.ok()?;
        if n == 0 {
            return None;
        }
        body.extend_from_slice(&buf[..n]);
    }
    Some(Recorded {
        method,
        path,
        headers,
        body,
    })
}

/// Reads `tests/fixtures/<name>`.
pub fn fixture(name: &str) -> Vec<u8> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
}

/// A `*.chunks.jsonl` fixture as an SSE body: `data: <line>\n\n` per line, then `data: [DONE]`.
pub fn jsonl_as_sse(name: &str) -> Vec<u8> {
    let text = String::from_utf8(fixture(name)).expect("fixture is UTF-8");
    let mut out = String::new();
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        out.push_str("data: ");
        out.push_str(line);
        out.push_str("\n\n");
    }
    out.push_str("data: [DONE]\n\n");
    out.into_bytes()
}

/// A `*.chunks.jsonl` fixture of typed events (Anthropic, Responses) as an
/// SSE body: `event: <type>\ndata: <line>\n\n` per line, no `[DONE]`.
pub fn jsonl_as_typed_sse(name: &str) -> Vec<u8> {
    let text = String::from_utf8(fixture(name)).expect("fixture is UTF-8");
    let mut out = String::new();
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        let value: serde_json::Value = serde_json::from_str(line).expect("fixture line is JSON");
        let kind = value["type"].as_str().expect("fixture line has a type");
        out.push_str(&format!("event: {kind}\ndata: {line}\n\n"));
    }
    out.into_bytes()
}
