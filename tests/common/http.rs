//! A tiny HTTP/1.1 server on loopback for the tests of issuer downloads.

use super::Server;
use std::sync::Arc;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// What the server answers for one path.
#[derive(Clone)]
pub enum Reply {
    /// 200 with this body.
    Body(Vec<u8>),
    /// An empty answer with this status.
    Status(u16),
    /// 200 with an endless stream of zeros, announced (Content-Length) or not.
    Endless { announced: bool },
    /// Reads the request and never answers.
    Silent,
    /// 302 to this location.
    Redirect(&'static str),
    /// 200 announcing `announced` bytes (Content-Length), then one byte every `every`, for two
    /// minutes at most.
    Drip { announced: u64, every: Duration },
}

/// Serves `routes` (exact paths); anything else is a 404.
pub fn http_server(routes: Vec<(&'static str, Reply)>) -> Server {
    http_server_at("127.0.0.1:0", routes)
}

/// Like [`http_server`] on a chosen address.
pub fn http_server_at(bind: &str, routes: Vec<(&'static str, Reply)>) -> Server {
    let routes = Arc::new(routes);
    Server::raw_on(bind, move |mut stream| {
        let routes = routes.clone();
        async move {
            let mut head = Vec::new();
            let mut buf = [0u8; 1024];
            while !head.windows(4).any(|w| w == b"\r\n\r\n") && head.len() < 16 * 1024 {
                match stream.read(&mut buf).await {
                    Ok(0) | Err(_) => return,
                    Ok(n) => head.extend_from_slice(&buf[..n]),
                }
            }
            let request = String::from_utf8_lossy(&head);
            let path = request.split_whitespace().nth(1).unwrap_or("/").to_string();
            let reply = routes
                .iter()
                .find(|(p, _)| *p == path)
                .map(|(_, r)| r.clone())
                .unwrap_or(Reply::Status(404));
            match reply {
                Reply::Body(body) => {
                    let header = format!(
                        "HTTP/1.1 200 OK\r\nContent-Type: application/pkix-cert\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                        body.len()
                    );
                    let _ = stream.write_all(header.as_bytes()).await;
                    let _ = stream.write_all(&body).await;
                }
                Reply::Status(code) => {
                    let header = format!(
                        "HTTP/1.1 {code} Nope\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
                    );
                    let _ = stream.write_all(header.as_bytes()).await;
                }
                Reply::Endless { announced } => {
                    let length = if announced {
                        "Content-Length: 52428800\r\n"
                    } else {
                        ""
                    };
                    let header = format!("HTTP/1.1 200 OK\r\n{length}Connection: close\r\n\r\n");
                    if stream.write_all(header.as_bytes()).await.is_err() {
                        return;
                    }
                    let chunk = vec![0u8; 64 * 1024];
                    // 50 MB at most, and only while the client keeps reading.
                    for _ in 0..800 {
                        if stream.write_all(&chunk).await.is_err() {
                            return;
                        }
                    }
                }
                Reply::Silent => tokio::time::sleep(Duration::from_secs(120)).await,
                Reply::Drip { announced, every } => {
                    let header = format!(
                        "HTTP/1.1 200 OK\r\nContent-Length: {announced}\r\nConnection: close\r\n\r\n"
                    );
                    if stream.write_all(header.as_bytes()).await.is_err() {
                        return;
                    }
                    let rounds =
                        (Duration::from_secs(120).as_millis() / every.as_millis().max(1)).max(1);
                    for _ in 0..rounds {
                        if stream.write_all(b"0").await.is_err() {
                            return;
                        }
                        tokio::time::sleep(every).await;
                    }
                }
                Reply::Redirect(location) => {
                    let header = format!(
                        "HTTP/1.1 302 Found\r\nLocation: {location}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
                    );
                    let _ = stream.write_all(header.as_bytes()).await;
                }
            }
        }
    })
}
