//! A local server standing in for Hugging Face in `models`: the tree API
//! lists the file's SHA-256 and size (`lfs.oid`, `lfs.size`), `/resolve/`
//! serves the bytes with `Range` support, and can cut its first body
//! mid-way.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use sha2::{Digest, Sha256};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

/// The repository served.
pub const REPO: &str = "valechat/tiny-GGUF";
/// The file served.
pub const FILE: &str = "tiny.gguf";

/// `bytes`' SHA-256, lower-case hex.
pub fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// What the stand-in serves and what it saw.
pub struct Hub {
    /// The file's bytes.
    pub bytes: Vec<u8>,
    /// The SHA-256 the tree API lists.
    pub listed_sha256: String,
    /// The size the tree API lists.
    pub listed_size: u64,
    /// Cut the first `/resolve/` body after this many bytes.
    pub cut_at: Option<usize>,
    /// The `Range` header of each `/resolve/` request (`None`: none).
    pub ranges: Mutex<Vec<Option<String>>>,
}

impl Hub {
    pub fn new(bytes: Vec<u8>) -> Self {
        Self {
            listed_sha256: sha256_hex(&bytes),
            listed_size: bytes.len() as u64,
            bytes,
            cut_at: None,
            ranges: Mutex::new(Vec::new()),
        }
    }

    /// Serves on 127.0.0.1; the base URL.
    pub async fn start(self: &Arc<Self>) -> String {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let url = format!("http://{}", listener.local_addr().unwrap());
        let hub = Arc::clone(self);
        tokio::spawn(async move {
            loop {
                let Ok((socket, _)) = listener.accept().await else {
                    return;
                };
                let hub = Arc::clone(&hub);
                tokio::spawn(async move { hub.serve(socket).await });
            }
        });
        url
    }

    async fn serve(&self, mut socket: tokio::net::TcpStream) {
        let mut head = Vec::new();
        let mut byte = [0u8; 1];
        while !head.ends_with(b"\r\n\r\n") {
            if socket.read(&mut byte).await.unwrap_or(0) == 0 {
                return;
            }
            head.push(byte[0]);
        }
        let head = String::from_utf8_lossy(&head).into_owned();
        let target = head
            .split_whitespace()
            .nth(1)
            .unwrap_or_default()
            .to_owned();
        let range = head.lines().find_map(|l| {
            l.to_ascii_lowercase()
                .strip_prefix("range: ")
                .map(str::to_owned)
        });
        if target == format!("/api/models/{REPO}/tree/main") {
            let body = serde_json::json!([
                {"type": "file", "path": ".gitattributes", "size": 1519, "oid": "a6344aac8c09253b3b630fb776ae94478aa0275b"},
                {"type": "file", "path": FILE, "size": self.listed_size,
                 "oid": "0123456789abcdef0123456789abcdef01234567",
                 "lfs": {"oid": self.listed_sha256, "size": self.listed_size, "pointerSize": 135}}
            ])
            .to_string();
            let reply = format!(
                "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                body.len()
            );
            let _ = socket.write_all(reply.as_bytes()).await;
        } else if target == format!("/{REPO}/resolve/main/{FILE}") {
            let first = {
                let mut ranges = self.ranges.lock().unwrap();
                ranges.push(range.clone());
                ranges.len() == 1
            };
            let start: usize = range
                .as_deref()
                .and_then(|r| r.strip_prefix("bytes=")?.strip_suffix('-')?.parse().ok())
                .unwrap_or(0);
            let rest = &self.bytes[start.min(self.bytes.len())..];
            let status = if range.is_some() {
                format!(
                    "206 Partial Content\r\ncontent-range: bytes {start}-{}/{}",
                    self.bytes.len() - 1,
                    self.bytes.len()
                )
            } else {
                "200 OK".to_owned()
            };
            let reply = format!(
                "HTTP/1.1 {status}\r\ncontent-length: {}\r\naccept-ranges: bytes\r\nconnection: close\r\n\r\n",
                rest.len()
            );
            let _ = socket.write_all(reply.as_bytes()).await;
            match self.cut_at {
                Some(cut) if first => {
                    let _ = socket.write_all(&rest[..cut]).await;
                    let _ = socket.flush().await;
                    tokio::time::sleep(Duration::from_millis(200)).await;
                    // Dropped: the connection ends mid-body.
                }
                _ => {
                    let _ = socket.write_all(rest).await;
                }
            }
        } else {
            let _ = socket
                .write_all(
                    b"HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\nconnection: close\r\n\r\n",
                )
                .await;
        }
    }
}
