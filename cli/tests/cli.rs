//! The `hookseal` binary, end to end: exit codes, the shared vector files, explain's diagnoses,
//! secret hygiene, and `send` against a tiny HTTP server.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};

use hookseal::hygraph::{parse_header, Verifier};
use serde_json::Value;

const BIN: &str = env!("CARGO_BIN_EXE_hookseal");
const NOW: u64 = 1_700_000_000_000;

fn vectors(name: &str) -> Value {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/vectors").join(name);
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// Runs the binary with `args`, `body` on standard input, and no HOOKSEAL_SECRET unless given.
fn run(args: &[&str], body: &[u8], env_secret: Option<&str>) -> Output {
    let mut cmd = Command::new(BIN);
    cmd.args(args)
        .env_remove("HOOKSEAL_SECRET")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    if let Some(s) = env_secret {
        cmd.env("HOOKSEAL_SECRET", s);
    }
    let mut child = cmd.spawn().unwrap();
    // A process that exits early (usage error) closes its input: not a failure here.
    let _ = child.stdin.take().unwrap().write_all(body);
    child.wait_with_output().unwrap()
}

fn text(o: &Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr))
}

fn sign(secret: &str, body: &str, t: u64) -> String {
    let o = run(&["sign", "--secret", secret, "--timestamp", &t.to_string()], body.as_bytes(), None);
    assert!(o.status.success(), "{}", text(&o));
    String::from_utf8(o.stdout).unwrap().trim().to_owned()
}

#[test]
fn sign_then_verify_and_exit_codes() {
    let body = r#"{"operation":"publish"}"#;
    let h = sign("s3cret", body, NOW);
    assert!(h.starts_with("sign=") && h.ends_with(&format!(", env=master, t={NOW}")));
    let now = (NOW + 2500).to_string();
    let ok = run(&["verify", "--secret", "s3cret", "--signature", &h, "--now", &now], body.as_bytes(), None);
    assert_eq!(ok.status.code(), Some(0), "{}", text(&ok));
    assert_eq!(
        String::from_utf8_lossy(&ok.stdout).trim(),
        format!("ok env=master t={NOW} age=2.5s secret=#0")
    );
    // Rotation: the second secret matches.
    let rot = run(
        &["verify", "--secret", "old", "--secret", "s3cret", "--signature", &h, "--now", &now],
        body.as_bytes(),
        None,
    );
    assert!(String::from_utf8_lossy(&rot.stdout).contains("secret=#1"));
    // Rejected: exit 1 and the code first.
    let bad = run(&["verify", "--secret", "s3cret", "--signature", &h, "--now", &now], b"{}", None);
    assert_eq!(bad.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&bad.stdout).starts_with("signature_mismatch: "));
    let stale = run(&["verify", "--secret", "s3cret", "--signature", &h], body.as_bytes(), None);
    assert!(String::from_utf8_lossy(&stale.stdout).starts_with("timestamp_too_old: "));
    let off = run(
        &["verify", "--secret", "s3cret", "--signature", &h, "--tolerance", "none"],
        body.as_bytes(),
        None,
    );
    assert_eq!(off.status.code(), Some(0));
    // Usage and configuration errors: exit 2.
    for args in [
        &["verify", "--signature", h.as_str()][..],
        &["verify", "--secret", "", "--signature", h.as_str()][..],
        &["verify", "--secret", "   ", "--signature", h.as_str()][..],
        &["verify", "--secret", "s3cret", "--signature", h.as_str(), "--tolerance", "soon"][..],
        &["verify", "--secret", "s3cret", "--signature", h.as_str(), "/nonexistent/body.json"][..],
        &["sign"][..],
    ] {
        assert_eq!(run(args, b"{}", None).status.code(), Some(2), "{args:?}");
    }
}

#[test]
fn secret_from_the_environment_is_never_echoed() {
    let body = r#"{"a":1}"#;
    let h = sign("env-s3cret-value", body, NOW);
    let now = NOW.to_string();
    let o = run(&["verify", "--signature", &h, "--now", &now], body.as_bytes(), Some("env-s3cret-value"));
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    // A usage error with the secret set must not print it either (clap shows env values otherwise).
    let help = run(&["verify", "--help"], b"", Some("env-s3cret-value"));
    assert!(!text(&help).contains("env-s3cret-value"));
    for args in [&["verify", "--signature", h.as_str()][..], &["explain", "--signature", h.as_str()][..]] {
        let o = run(args, b"{\"a\":2}", Some("env-s3cret-value"));
        assert!(!text(&o).contains("env-s3cret-value"), "{}", text(&o));
    }
}

#[test]
fn verify_agrees_with_the_strict_vectors() {
    let file = vectors("strict.json");
    for case in file["cases"].as_array().unwrap() {
        let name = case["name"].as_str().unwrap();
        let mut args: Vec<String> = vec!["verify".into()];
        for s in case["secrets"].as_array().unwrap() {
            args.extend(["--secret".into(), s.as_str().unwrap().into()]);
        }
        if let Some(h) = case["header"].as_str() {
            args.extend(["--signature".into(), h.into()]);
        }
        args.extend(["--now".into(), case["now"].to_string()]);
        args.extend([
            "--tolerance".into(),
            case["tolerance"].as_u64().map_or("none".into(), |t| t.to_string()),
        ]);
        for e in case["environments"].as_array().into_iter().flatten() {
            args.extend(["--env".into(), e.as_str().unwrap().into()]);
        }
        let body: Vec<u8> = match case.get("bodyHex").and_then(Value::as_str) {
            Some(hex) => {
                (0..hex.len()).step_by(2).map(|i| u8::from_str_radix(&hex[i..i + 2], 16).unwrap()).collect()
            }
            None => case["body"].as_str().unwrap().as_bytes().to_vec(),
        };
        if case["secrets"].as_array().unwrap().iter().any(|s| s.as_str().unwrap().trim().is_empty()) {
            continue;
        }
        let refs: Vec<&str> = args.iter().map(String::as_str).collect();
        let o = run(&refs, &body, None);
        let out = String::from_utf8_lossy(&o.stdout);
        match case["expect"]["error"].as_str() {
            None => {
                assert_eq!(o.status.code(), Some(0), "{name}: {}", text(&o));
                let want = format!("secret=#{}", case["expect"]["secretIndex"]);
                assert!(out.contains(&want), "{name}: {out}");
            }
            Some(code) => {
                assert_eq!(o.status.code(), Some(1), "{name}: {}", text(&o));
                assert!(out.starts_with(&format!("{code}: ")), "{name}: {out}");
            }
        }
    }
}

#[test]
fn verify_agrees_with_the_reference_vectors_on_raw_bodies() {
    // Cases with a non-empty raw payload whose header fits the strict grammar: with the window
    // off, strict verify accepts exactly when @hygraph/utils' answer (plus the HTML variant) is true.
    let file = vectors("hygraph.json");
    let mut checked = 0;
    for case in file["cases"].as_array().unwrap() {
        let (Some(sig), Some(raw)) = (case["signature"].as_str(), case["rawPayload"].as_str()) else {
            continue;
        };
        // Only the canonical `sign=…, env=…, t=…` form: there the drop-in's split/parseInt and the
        // strict grammar read the same three fields (other header shapes test the drop-in's quirks).
        let canonical = parse_header(sig).is_ok_and(|h| {
            let parts: Vec<&str> = sig.split(", ").collect();
            parts.len() == 3
                && parts[0].starts_with("sign=")
                && parts[0].len() == 49
                && parts[1] == format!("env={}", h.environment)
                && parts[2] == format!("t={}", h.timestamp_ms)
        });
        if raw.is_empty() || !canonical || Verifier::new([case["secret"].as_str().unwrap()]).is_err() {
            continue;
        }
        let secret = case["secret"].as_str().unwrap();
        if secret.contains('\0') || sig.contains('\0') {
            continue; // a command-line argument cannot hold NUL
        }
        let o = run(
            &["verify", "--secret", secret, "--signature", sig, "--tolerance", "none"],
            raw.as_bytes(),
            None,
        );
        let want = if case["expected"].as_bool().unwrap() { 0 } else { 1 };
        assert_eq!(o.status.code(), Some(want), "{}: {}", case["name"], text(&o));
        checked += 1;
    }
    assert!(checked >= 100, "only {checked} cases applied");
}

fn explain(secret: &str, header: Option<&str>, body: &str, extra: &[&str]) -> String {
    let now = NOW.to_string();
    let mut args = vec!["explain", "--secret", secret, "--now", &now];
    if let Some(h) = header {
        args.extend(["--signature", h]);
    }
    args.extend(extra);
    let o = run(&args, body.as_bytes(), None);
    text(&o)
}

#[test]
fn explain_names_the_cause() {
    let body = r#"{"operation":"publish","data":{"title":"Hello","n":1}}"#;
    let h = sign("s3cret", body, NOW);
    let pretty = "{\n  \"operation\": \"publish\",\n  \"data\": { \"title\": \"Hello\", \"n\": 1.0 }\n}";
    let rich = r#"{"html":"<p>Hi</p>"}"#;
    let cases: [(&str, String, &str); 11] = [
        ("re-serialized body", explain("s3cret", Some(&h), pretty, &[]), "was re-serialized after signing"),
        ("wrong secret", explain("other-secret", Some(&h), body, &[]), "likely cause is the secret"),
        (
            "whitespace in secret",
            explain("s3cret\n", Some(&h), body, &[]),
            "WITHOUT it the signature matches",
        ),
        (
            "stale",
            explain("s3cret", Some(&sign("s3cret", body, NOW - 900_000)), body, &[]),
            "timestamp_too_old: t is 900.0 s in the past",
        ),
        (
            "future",
            explain("s3cret", Some(&sign("s3cret", body, NOW + 900_000)), body, &[]),
            "timestamp_in_future: t is 900.0 s in the future",
        ),
        ("malformed header", explain("s3cret", Some("sign=abc, env=master"), body, &[]), "malformed"),
        (
            "wrong environment",
            explain("s3cret", Some(&h), body, &["--env", "production"]),
            "master is not one of the allowed environments (production)",
        ),
        (
            "mismatch, both spellings tried: said once, no double negative",
            explain("other-secret", Some(&sign("s3cret", rich, NOW)), rich, &[]),
            "secret #0    matches neither the JS nor the HTML-escaped envelope\n",
        ),
        (
            "future t names the clocks",
            explain("s3cret", Some(&sign("s3cret", body, NOW + 900_000)), body, &[]),
            "outside ±300 s (this machine's clock is behind the sender's",
        ),
        (
            "t in seconds",
            explain("s3cret", Some(&sign("s3cret", body, NOW / 1000)), body, &[]),
            "looks like SECONDS since the epoch",
        ),
        (
            "header pasted with its name",
            explain("s3cret", Some(&format!("gcms-signature: {h}")), body, &[]),
            "the value starts with the header's name \"gcms-signature:\"",
        ),
    ];
    for (what, out, needle) in &cases {
        let needle = *needle;
        assert!(out.contains(needle), "{what}: expected {needle:?} in\n{out}");
        assert!(out.contains("verdict: "), "{what}: {out}");
        // Never the secret, never the full MAC.
        assert!(!out.contains("s3cret"), "{what}: {out}");
        let mac = &h["sign=".len()..h.find(',').unwrap()];
        assert!(!out.contains(&mac[..10]), "{what}: {out}");
    }
    // No step says a thing and its negation at once.
    for (what, out, _) in &cases {
        assert!(!(out.contains("neither") && out.contains("does not match")), "{what}: {out}");
    }
    let ok = explain("s3cret", Some(&h), body, &[]);
    assert!(ok.contains("verdict: ok") && !ok.contains("FAIL"), "{ok}");
}

/// A one-shot HTTP server: answers each of `n` requests with 200 and returns what it received.
/// What the test server saw of one request: request line, headers (lower-case names), body.
type Seen = (String, Vec<(String, String)>, Vec<u8>);

fn server(n: usize) -> (String, std::thread::JoinHandle<Vec<Seen>>) {
    server_answering(n, "200 OK")
}

/// [`server`], answering `status` (e.g. `401 Unauthorized`).
fn server_answering(n: usize, status: &'static str) -> (String, std::thread::JoinHandle<Vec<Seen>>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    let handle = std::thread::spawn(move || {
        let mut got = Vec::new();
        for _ in 0..n {
            let (stream, _) = listener.accept().unwrap();
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut line = String::new();
            reader.read_line(&mut line).unwrap();
            let mut headers = Vec::new();
            loop {
                let mut l = String::new();
                reader.read_line(&mut l).unwrap();
                if l.trim().is_empty() {
                    break;
                }
                let (k, v) = l.split_once(':').unwrap();
                headers.push((k.trim().to_ascii_lowercase(), v.trim().to_owned()));
            }
            let len: usize =
                headers.iter().find(|(k, _)| k == "content-length").map_or(0, |h| h.1.parse().unwrap());
            let mut body = vec![0; len];
            reader.read_exact(&mut body).unwrap();
            let mut s = stream;
            write!(s, "HTTP/1.1 {status}\r\n").unwrap();
            s.write_all(b"Transfer-Encoding: chunked\r\nContent-Type: application/json\r\n\r\n5\r\n{\"ok\"\r\n6\r\n:true}\r\n0\r\n\r\n").unwrap();
            got.push((line.trim().to_owned(), headers, body));
        }
        got
    });
    (url, handle)
}

#[test]
fn send_delivers_signed_and_tampered_hygraph_webhooks() {
    let (url, handle) = server(4);
    let o = run(&["send", &url, "--hygraph", "--secret", "s3cret", "--json"], b"", None);
    assert!(o.status.success(), "{}", text(&o));
    let line: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(line["status"], 200);
    assert_eq!(line["body"], "{\"ok\":true}");
    run(&["send", &url, "--hygraph", "--secret", "s3cret", "--tamper", "body"], b"", None);
    run(
        &["send", &url, "--hygraph", "--secret", "s3cret", "--tamper", "signature", "--timestamp", "5"],
        b"",
        None,
    );
    let o = run(
        &["send", &url, "--hygraph", "--secret", "s3cret", "--timestamp", "7", "--repeat", "1"],
        b"",
        None,
    );
    assert!(String::from_utf8_lossy(&o.stdout).starts_with("HTTP 200"));
    let got = handle.join().unwrap();
    let verifier = Verifier::new(["s3cret"]).unwrap().tolerance(None).unwrap();
    let header = |r: &Vec<(String, String)>| r.iter().find(|(k, _)| k == "gcms-signature").unwrap().1.clone();
    assert_eq!(got[0].0, "POST /hook HTTP/1.1");
    assert!(got[0].1.iter().any(|(k, v)| k == "content-type" && v == "application/json"));
    assert!(verifier.verify(&got[0].2, &header(&got[0].1)).is_ok());
    assert!(String::from_utf8_lossy(&got[0].2).contains("\\u003cp\\u003e"), "sample body is rich text");
    assert_eq!(verifier.verify(&got[1].2, &header(&got[1].1)).unwrap_err().code(), "signature_mismatch");
    assert_eq!(verifier.verify(&got[2].2, &header(&got[2].1)).unwrap_err().code(), "signature_mismatch");
    assert!(header(&got[3].1).ends_with("t=7"));
    assert!(verifier.verify(&got[3].2, &header(&got[3].1)).is_ok());
}

#[test]
fn send_builds_hasura_payloads_and_repeats() {
    let (url, handle) = server(3);
    let o = run(
        &[
            "send",
            &url,
            "--hasura-action",
            "greet",
            "--input",
            r#"{"name":"Ada"}"#,
            "--session-var",
            "X-Hasura-Role=user",
            "--header",
            "ACTION_SECRET=abc",
            "--repeat",
            "2",
            "--json",
        ],
        b"",
        None,
    );
    assert_eq!(String::from_utf8_lossy(&o.stdout).lines().count(), 2, "{}", text(&o));
    run(&["send", &url, "--hasura-event", "users", "--op", "UPDATE", "--data", r#"{"id":7}"#], b"", None);
    let got = handle.join().unwrap();
    assert_eq!(got[0].2, got[1].2, "--repeat sends the same bytes");
    let action: Value = serde_json::from_slice(&got[0].2).unwrap();
    assert_eq!(action["action"]["name"], "greet");
    assert_eq!(action["input"]["name"], "Ada");
    assert_eq!(action["session_variables"]["x-hasura-role"], "user");
    assert!(got[0].1.iter().any(|(k, v)| k == "action_secret" && v == "abc"));
    hookseal::hasura::check_action(&got[0].2).unwrap();
    let event: Value = serde_json::from_slice(&got[2].2).unwrap();
    assert_eq!(event["event"]["op"], "UPDATE");
    assert_eq!(event["event"]["data"]["old"]["id"], 7);
    assert_eq!(event["table"]["name"], "users");
    hookseal::hasura::check_event(&got[2].2).unwrap();
    // Nothing listening: exit 1. No mode: exit 2.
    let closed = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap();
    let o = run(&["send", &format!("http://{closed}/x"), "--hasura-action", "a"], b"", None);
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(run(&["send", "http://127.0.0.1:9/x"], b"", None).status.code(), Some(2));
    assert_eq!(
        run(&["send", "https://example.com/x", "--hasura-action", "a"], b"", None).status.code(),
        Some(2)
    );
}

#[test]
fn send_exits_1_and_says_so_when_the_answer_is_not_2xx() {
    let (url, handle) = server_answering(2, "401 Unauthorized");
    let o = run(&["send", &url, "--hygraph", "--secret", "s3cret", "--json", "--repeat", "2"], b"", None);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    assert_eq!(String::from_utf8_lossy(&o.stdout).lines().count(), 2, "every answer is still printed");
    assert!(String::from_utf8_lossy(&o.stderr).contains("answered HTTP 401, not 2xx"), "{}", text(&o));
    handle.join().unwrap();
}

/// A server answering the `n`-th request with `answers[n]` (a status line and header lines, e.g.
/// `"409 Conflict\r\nRetry-After: 1"`); returns what it received and when.
fn scripted(
    answers: Vec<&'static str>,
) -> (String, std::thread::JoinHandle<Vec<(Seen, std::time::Instant)>>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    let handle = std::thread::spawn(move || {
        let mut got = Vec::new();
        for answer in answers {
            let (stream, _) = listener.accept().unwrap();
            let at = std::time::Instant::now();
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut line = String::new();
            reader.read_line(&mut line).unwrap();
            let mut headers = Vec::new();
            loop {
                let mut l = String::new();
                reader.read_line(&mut l).unwrap();
                if l.trim().is_empty() {
                    break;
                }
                let (k, v) = l.split_once(':').unwrap();
                headers.push((k.trim().to_ascii_lowercase(), v.trim().to_owned()));
            }
            let len = headers.iter().find(|(k, _)| k == "content-length").map_or(0, |h| h.1.parse().unwrap());
            let mut body = vec![0; len];
            reader.read_exact(&mut body).unwrap();
            let mut s = stream;
            write!(s, "HTTP/1.1 {answer}\r\nContent-Length: 2\r\nContent-Type: application/json\r\n\r\n{{}}")
                .unwrap();
            got.push(((line.trim().to_owned(), headers, body), at));
        }
        got
    });
    (url, handle)
}

fn json_lines(o: &Output) -> Vec<Value> {
    String::from_utf8_lossy(&o.stdout).lines().map(|l| serde_json::from_str(l).unwrap()).collect()
}

fn header<'a>(seen: &'a Seen, name: &str) -> Option<&'a str> {
    seen.1.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
}

#[test]
fn send_retries_an_event_like_hasura_with_current_retry_counting_up() {
    let (url, handle) = scripted(vec!["500 Internal Server Error", "503 Service Unavailable", "200 OK"]);
    let o = run(
        &["send", &url, "--hasura-event", "users", "--retries", "2", "--retry-interval", "0.2", "--json"],
        b"",
        None,
    );
    assert_eq!(o.status.code(), Some(0), "ended in a 2xx: {}", text(&o));
    let lines = json_lines(&o);
    assert_eq!(lines.iter().map(|l| l["status"].as_u64().unwrap()).collect::<Vec<_>>(), [500, 503, 200]);
    assert_eq!(lines.iter().map(|l| l["attempt"].as_u64().unwrap()).collect::<Vec<_>>(), [0, 1, 2]);
    assert_eq!(lines[0]["retry_in"], 0.2);
    assert_eq!(lines[2]["retry_in"], Value::Null);
    let got = handle.join().unwrap();
    assert!(got[1].1 - got[0].1 >= std::time::Duration::from_millis(190), "waited --retry-interval");
    let bodies: Vec<Value> = got.iter().map(|((_, _, b), _)| serde_json::from_slice(b).unwrap()).collect();
    for (i, b) in bodies.iter().enumerate() {
        assert_eq!(b["id"], bodies[0]["id"], "every retry carries the event's id");
        assert_eq!(b["delivery_info"], serde_json::json!({ "max_retries": 2, "current_retry": i }));
        hookseal::hasura::check_event(&got[i].0 .2).unwrap();
        assert_eq!(hookseal::hasura::check_delivery(&got[i].0 .2).unwrap().kind.as_str(), "event");
    }
}

#[test]
fn send_honours_retry_after_even_when_the_retries_are_used_up() {
    // Hasura's default num_retries is 0: only the Retry-After brings the second attempt.
    let (url, handle) = scripted(vec!["409 Conflict\r\nRetry-After: 1", "200 OK"]);
    let o = run(&["send", &url, "--hasura-event", "users", "--id", "evt-1"], b"", None);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert!(text(&o).contains("HTTP 409  [retrying in 1 s (Retry-After)]"), "{}", text(&o));
    let got = handle.join().unwrap();
    assert!(got[1].1 - got[0].1 >= std::time::Duration::from_millis(990), "waited the Retry-After");
    let second: Value = serde_json::from_slice(&got[1].0 .2).unwrap();
    assert_eq!(second["id"], "evt-1");
    assert_eq!(second["delivery_info"]["current_retry"], 1);

    // Without Retry-After, or with one Hasura ignores (an HTTP date, 0), one attempt only.
    for answer in [
        "409 Conflict",
        "503 Service Unavailable\r\nRetry-After: Wed, 21 Oct 2015 07:28:00 GMT",
        "409 Conflict\r\nRetry-After: 0",
    ] {
        let (url, handle) = scripted(vec![answer]);
        let o = run(&["send", &url, "--hasura-event", "users"], b"", None);
        assert_eq!(o.status.code(), Some(1), "{answer}: {}", text(&o));
        assert!(String::from_utf8_lossy(&o.stderr).contains("not 2xx: exit status 1"), "{}", text(&o));
        assert_eq!(handle.join().unwrap().len(), 1, "{answer}");
    }
}

#[test]
fn send_bounds_the_attempts_a_retry_after_schedules() {
    let always = "409 Conflict\r\nRetry-After: 30";
    let (url, handle) = scripted(vec![always, always, always]);
    let started = std::time::Instant::now();
    let o = run(
        &[
            "send",
            &url,
            "--hasura-cron",
            "digest",
            "--retry-after-limit",
            "2",
            "--max-retry-after",
            "0",
            "--json",
        ],
        b"",
        None,
    );
    assert!(started.elapsed() < std::time::Duration::from_secs(10), "the 30 s were cut to --max-retry-after");
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(json_lines(&o).len(), 3, "the first attempt and 2 scheduled by Retry-After");
    assert!(String::from_utf8_lossy(&o.stderr).contains("--retry-after-limit"), "{}", text(&o));
    assert_eq!(handle.join().unwrap().len(), 3);
}

#[test]
fn send_retries_actions_only_when_asked_and_ignores_their_retry_after() {
    // Hasura never retries an Action call: a Retry-After there means nothing.
    let (url, handle) = scripted(vec!["503 Service Unavailable\r\nRetry-After: 1"]);
    let o = run(&["send", &url, "--hasura-action", "greet"], b"", None);
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(handle.join().unwrap().len(), 1);
    // --retries applies to any request.
    let (url, handle) = scripted(vec!["500 Internal Server Error", "200 OK"]);
    let o = run(
        &["send", &url, "--hasura-action", "greet", "--retries", "1", "--retry-interval", "0"],
        b"",
        None,
    );
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let got = handle.join().unwrap();
    assert_eq!(got[0].0 .2, got[1].0 .2, "an Action is retried with the same bytes");
}

#[test]
fn send_sends_copies_at_the_same_moment() {
    // The server holds the first copy's answer until the second copy has arrived: copies sent
    // one after the other would never get there (the accept below would time out).
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    let server = std::thread::spawn(move || {
        let (first, _) = listener.accept().unwrap();
        listener.set_nonblocking(true).unwrap();
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        let second = loop {
            match listener.accept() {
                Ok((s, _)) => break s,
                Err(_) if std::time::Instant::now() < deadline => {
                    std::thread::sleep(std::time::Duration::from_millis(5));
                }
                Err(e) => panic!("the second copy never came while the first was held: {e}"),
            }
        };
        for mut s in [first, second] {
            s.set_nonblocking(false).unwrap();
            let mut buf = [0u8; 4096];
            let _ = s.read(&mut buf).unwrap();
            s.write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}").unwrap();
        }
    });
    let o = run(&["send", &url, "--hasura-event", "users", "--copies", "2"], b"", None);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    server.join().unwrap();
}

#[test]
fn send_sends_copies_and_repeats_of_one_event() {
    let (url, handle) = scripted(vec!["200 OK", "200 OK", "200 OK", "200 OK"]);
    let o = run(
        &["send", &url, "--hasura-event", "users", "--copies", "2", "--repeat", "2", "--json"],
        b"",
        None,
    );
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let lines = json_lines(&o);
    let mut seen: Vec<(u64, u64)> =
        lines.iter().map(|l| (l["delivery"].as_u64().unwrap(), l["copy"].as_u64().unwrap())).collect();
    seen.sort_unstable();
    assert_eq!(seen, [(0, 0), (0, 1), (1, 0), (1, 1)]);
    let got = handle.join().unwrap();
    let ids: Vec<Value> =
        got.iter().map(|((_, _, b), _)| serde_json::from_slice::<Value>(b).unwrap()["id"].clone()).collect();
    assert!(ids.iter().all(|id| *id == ids[0]), "one event, four copies: {ids:?}");
}

#[test]
fn send_builds_scheduled_events_as_the_engine_does() {
    let (url, handle) = scripted(vec!["200 OK", "200 OK"]);
    let o = run(
        &["send", &url, "--hasura-cron", "daily_digest", "--payload", r#"{"hold_ms":5}"#, "--id", "c-1"],
        b"",
        None,
    );
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let o = run(
        &[
            "send",
            &url,
            "--hasura-scheduled",
            "--comment",
            "reminder",
            "--scheduled-time",
            "2026-12-02T01:00:00Z",
        ],
        b"",
        None,
    );
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let got = handle.join().unwrap();
    let cron: Value = serde_json::from_slice(&got[0].0 .2).unwrap();
    let keys: Vec<&String> = cron.as_object().unwrap().keys().collect();
    assert_eq!(keys, ["id", "name", "payload", "scheduled_time"], "no created_at, no comment: {cron}");
    assert_eq!(cron["id"], "c-1");
    assert_eq!(cron["name"], "daily_digest");
    assert_eq!(cron["payload"]["hold_ms"], 5);
    assert!(cron["scheduled_time"].as_str().unwrap().ends_with('Z'));
    let one_off: Value = serde_json::from_slice(&got[1].0 .2).unwrap();
    let keys: Vec<&String> = one_off.as_object().unwrap().keys().collect();
    assert_eq!(keys, ["comment", "created_at", "id", "payload", "scheduled_time"], "{one_off}");
    assert_eq!(one_off["payload"], Value::Null);
    assert_eq!(one_off["scheduled_time"], "2026-12-02T01:00:00Z");
    assert_eq!(one_off["comment"], "reminder");
    // Both are what the core (every face's wrappers) takes as scheduled deliveries.
    for (body, id) in [(&got[0].0 .2, "c-1"), (&got[1].0 .2, one_off["id"].as_str().unwrap())] {
        let d = hookseal::hasura::check_delivery(body).unwrap();
        assert_eq!((d.kind.as_str(), d.id.as_str()), ("scheduled", id));
    }
}

#[test]
fn send_calls_auth_webhooks_in_get_and_post_form() {
    let (url, handle) = scripted(vec!["200 OK", "200 OK", "200 OK", "200 OK", "401 Unauthorized"]);
    let ok = |args: &[&str]| {
        let mut all = vec!["send", url.as_str()];
        all.extend_from_slice(args);
        run(&all, b"", None)
    };
    let o = ok(&["--hasura-auth", "v2", "--bearer", "t0k", "--client-header", "X-Tenant=acme"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    ok(&["--hasura-auth", "v2", "--method", "POST", "--bearer", "t0k", "--query", "query { a }"]);
    ok(&["--hasura-auth", "v2", "--method", "POST", "--no-request"]);
    ok(&["--hasura-auth", "ddn", "--method", "POST", "--client-header", "authorization=Bearer t0k"]);
    let o = ok(&["--hasura-auth", "ddn"]);
    assert_eq!(o.status.code(), Some(1), "a 401 is not 2xx");
    let got: Vec<Seen> = handle.join().unwrap().into_iter().map(|(s, _)| s).collect();

    assert_eq!(got[0].0, "GET /hook HTTP/1.1");
    assert_eq!(header(&got[0], "authorization"), Some("Bearer t0k"), "client headers are the request's");
    assert_eq!(header(&got[0], "x-tenant"), Some("acme"));
    assert_eq!(header(&got[0], "content-type"), None);
    assert!(got[0].2.is_empty());

    assert_eq!(got[1].0, "POST /hook HTTP/1.1");
    assert_eq!(header(&got[1], "content-type"), Some("application/json"));
    assert_eq!(header(&got[1], "authorization"), None, "in the body, not the request's headers");
    let v2: Value = serde_json::from_slice(&got[1].2).unwrap();
    assert_eq!(
        v2,
        serde_json::json!({
            "headers": { "Authorization": "Bearer t0k" },
            "request": { "query": "query { a }", "variables": {}, "operationName": null }
        })
    );
    let bare: Value = serde_json::from_slice(&got[2].2).unwrap();
    assert_eq!(bare, serde_json::json!({ "headers": {}, "request": null }));
    use hookseal::hasura::{check_auth_request, AuthMode};
    check_auth_request(AuthMode::V2, &got[1].2).unwrap();
    check_auth_request(AuthMode::V2, &got[2].2).unwrap();
    check_auth_request(AuthMode::Ddn, &got[3].2).unwrap();
    let ddn: Value = serde_json::from_slice(&got[3].2).unwrap();
    assert_eq!(ddn, serde_json::json!({ "headers": { "authorization": "Bearer t0k" } }));
    assert_eq!(got[4].0, "GET /hook HTTP/1.1");
}
