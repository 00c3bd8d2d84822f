//! The layer in a real server (`axum::serve` on a loopback port, HTTP/1.1 over TCP): what Hygraph
//! sees, including a handler that panics (hyper drops the connection; the claim is released, so
//! the retry runs).

use std::time::Duration;

use hookseal_axum::MemoryReplayGuard;
use std::io::{Read as _, Write as _};
use std::net::TcpStream;

use crate::common::*;

/// Sends one request and reads until the server closes: `(status, body)`, or `None` when the
/// connection closed without an answer.
async fn send(addr: std::net::SocketAddr, body: &str, extra: &[(&str, &str)]) -> Option<(u16, String)> {
    let mut head = format!(
        "POST /hook HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: {}\r\ngcms-signature: {}\r\n",
        body.len(),
        header_for(body)
    );
    for (k, v) in extra {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    head.push_str("\r\n");
    let body = body.to_owned();
    // A plain blocking client on a thread of its own, as an outside sender.
    let out = tokio::task::spawn_blocking(move || {
        let mut stream = TcpStream::connect(addr).unwrap();
        stream.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
        stream.write_all(head.as_bytes()).unwrap();
        stream.write_all(body.as_bytes()).unwrap();
        let mut out = Vec::new();
        stream.read_to_end(&mut out).map(|_| out)
    })
    .await
    .unwrap()
    .ok()?;
    let text = String::from_utf8(out).unwrap();
    let (head, body) = text.split_once("\r\n\r\n")?;
    let status = head.split(' ').nth(1)?.parse().ok()?;
    Some((status, body.to_owned()))
}

#[tokio::test]
async fn a_real_server_answers_copies_and_releases_a_panicked_claim() {
    let (app, h) = app(verifier(), Some(MemoryReplayGuard::default().into()));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let server = tokio::spawn(async move { axum::serve(listener, app).await });

    let body = unique_body();
    let (status, _) = send(addr, &body, &[]).await.unwrap();
    assert_eq!(status, 200);
    assert_eq!(send(addr, &body, &[]).await.unwrap(), (200, r#"{"duplicate":true}"#.to_owned()));

    let other = unique_body();
    assert_eq!(send(addr, &other, &[("x-answer", "panic")]).await, None, "a panic closes the connection");
    let (status, echoed) = send(addr, &other, &[]).await.unwrap();
    assert_eq!(status, 200, "Hygraph's retry after the panic is processed: {echoed}");
    assert!(echoed.contains("\"environment\":\"master\""), "{echoed}");

    let (status, text) =
        send(addr, &unique_body(), &[("gcms-signature", "sign=x, env=master, t=1")]).await.unwrap();
    assert_eq!(status, 401, "a second signature header: {text}");
    assert!(text.contains(r#""extensions":{"code":"malformed_signature"}"#), "{text}");
    assert_eq!(h.calls(), 3);
    server.abort();
}
