//! `hookseal send`: deliver a test request to a local endpoint the way Hygraph or Hasura would,
//! over plain HTTP/1.1 (`http://` only: this is for localhost and test servers).

use std::io::{Read, Write};
use std::net::TcpStream;
use std::process::ExitCode;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use clap::{Args, ValueEnum};
use hookseal::hygraph::{now_ms, sign, HEADER};
use hookseal::Secret;
use serde_json::{json, Map, Value};

/// A realistic Hygraph payload: rich text as Hygraph's server spells it (`\u003c…`), quotes,
/// non-ASCII text.
const DEFAULT_HYGRAPH_BODY: &str = r#"{"operation":"publish","data":{"__typename":"Post","id":"clx0demo000001","stage":"PUBLISHED","title":"Grüße aus Köln – “hookseal” demo","content":{"html":"\u003cp\u003eHello \u003cstrong\u003ewörld\u003c/strong\u003e \u0026 friends\u003c/p\u003e","text":"Hello wörld & friends"},"updatedAt":"2026-11-22T12:00:00.000Z"}}"#;

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub(crate) enum Tamper {
    /// Change the body after signing.
    Body,
    /// Change one character of the MAC.
    Signature,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
#[value(rename_all = "UPPER")]
pub(crate) enum Op {
    Insert,
    Update,
    Delete,
    Manual,
}

#[derive(Args, Debug)]
pub(crate) struct SendArgs {
    /// Where to send it: http://host:port/path.
    url: String,
    /// A signed Hygraph webhook (needs --secret).
    #[arg(long, conflicts_with_all = ["hasura_action", "hasura_event"])]
    hygraph: bool,
    /// The Hygraph webhook secret (or set HOOKSEAL_SECRET).
    #[arg(long, env = "HOOKSEAL_SECRET", hide_env_values = true)]
    secret: Option<String>,
    /// The Hygraph environment name.
    #[arg(long = "env", default_value = "master")]
    environment: String,
    /// The Hygraph body file (default: a sample rich-text payload).
    #[arg(long)]
    body: Option<std::path::PathBuf>,
    /// The signature's timestamp in milliseconds (default: now).
    #[arg(long)]
    timestamp: Option<u64>,
    /// Break the delivery on purpose, to test rejections.
    #[arg(long, value_enum)]
    tamper: Option<Tamper>,
    /// A Hasura Action call with this action name.
    #[arg(long, value_name = "NAME", conflicts_with = "hasura_event")]
    hasura_action: Option<String>,
    /// The Action's input, as JSON.
    #[arg(long, default_value = "{}")]
    input: String,
    /// A Hasura Event Trigger delivery for this table.
    #[arg(long, value_name = "TABLE")]
    hasura_event: Option<String>,
    /// The event's operation.
    #[arg(long, value_enum, default_value = "INSERT")]
    op: Op,
    /// The event's row, as JSON.
    #[arg(long, default_value = r#"{"id":1}"#)]
    data: String,
    /// A session variable k=v (Hasura); repeatable.
    #[arg(long = "session-var", value_name = "K=V")]
    session_vars: Vec<String>,
    /// An extra header NAME=VALUE (e.g. the shared secret); repeatable.
    #[arg(long = "header", value_name = "NAME=VALUE")]
    headers: Vec<String>,
    /// Send the same bytes this many times (replay testing).
    #[arg(long, default_value_t = 1)]
    repeat: u32,
    /// Print one JSON object per response: {"status", "headers", "body"}.
    #[arg(long)]
    json: bool,
}

struct Target {
    host: String,
    port: u16,
    path: String,
}

fn parse_url(url: &str) -> Result<Target, String> {
    let rest =
        url.strip_prefix("http://").ok_or_else(|| format!("only http:// URLs are supported, not {url:?}"))?;
    let (authority, path) = match rest.find('/') {
        Some(i) => (&rest[..i], &rest[i..]),
        None => (rest, "/"),
    };
    let (host, port) = match authority.rsplit_once(':') {
        Some((h, p)) => (h, p.parse::<u16>().map_err(|_| format!("bad port in {url:?}"))?),
        None => (authority, 80),
    };
    if host.is_empty() {
        return Err(format!("no host in {url:?}"));
    }
    Ok(Target { host: host.to_owned(), port, path: path.to_owned() })
}

fn split_pair(s: &str, what: &str) -> Result<(String, String), String> {
    s.split_once('=')
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .ok_or_else(|| format!("{what} must be NAME=VALUE, not {s:?}"))
}

fn session_variables(args: &SendArgs) -> Result<Map<String, Value>, String> {
    let mut vars = Map::new();
    for kv in &args.session_vars {
        let (k, v) = split_pair(kv, "--session-var")?;
        vars.insert(k.to_ascii_lowercase(), Value::String(v));
    }
    if vars.is_empty() {
        vars.insert("x-hasura-role".into(), Value::String("admin".into()));
    }
    Ok(vars)
}

fn parse_json(text: &str, what: &str) -> Result<Value, String> {
    serde_json::from_str(text).map_err(|e| format!("{what} is not JSON: {e}"))
}

/// Now as Hasura writes `created_at`.
fn iso_now() -> String {
    let d = SystemTime::now().duration_since(UNIX_EPOCH).unwrap_or_default();
    hookseal::hasura::event_timestamp(u64::try_from(d.as_micros()).unwrap_or(u64::MAX))
}

type Headers = Vec<(String, String)>;

/// The request to send: body and headers.
fn build(args: &SendArgs) -> Result<(Vec<u8>, Headers), String> {
    let mut headers = vec![("Content-Type".to_owned(), "application/json".to_owned())];
    let body: Vec<u8> = if args.hygraph {
        let secret = args.secret.as_deref().ok_or("--hygraph needs --secret (or HOOKSEAL_SECRET)")?;
        let secret = Secret::new(secret).map_err(|e| format!("secret: {e}"))?;
        let body = match &args.body {
            Some(p) => std::fs::read_to_string(p).map_err(|e| format!("cannot read {}: {e}", p.display()))?,
            None => DEFAULT_HYGRAPH_BODY.to_owned(),
        };
        let mut header = sign(&secret, &body, &args.environment, args.timestamp.unwrap_or_else(now_ms));
        let mut body = body.into_bytes();
        match args.tamper {
            Some(Tamper::Body) => tamper_body(&mut body),
            Some(Tamper::Signature) => header = tamper_signature(&header),
            None => {}
        }
        headers.push((HEADER.to_owned(), header));
        body
    } else if let Some(name) = &args.hasura_action {
        let input = parse_json(&args.input, "--input")?;
        let payload = json!({
            "action": { "name": name },
            "input": input,
            "session_variables": session_variables(args)?,
            "request_query": format!("mutation {{ {name} }}"),
        });
        payload.to_string().into_bytes()
    } else if let Some(table) = &args.hasura_event {
        let row = parse_json(&args.data, "--data")?;
        let (op, old, new) = match args.op {
            Op::Insert => ("INSERT", Value::Null, row),
            Op::Update => ("UPDATE", row.clone(), row),
            Op::Delete => ("DELETE", row, Value::Null),
            Op::Manual => ("MANUAL", Value::Null, row),
        };
        let id =
            format!("{:032x}", SystemTime::now().duration_since(UNIX_EPOCH).unwrap_or_default().as_nanos());
        let payload = json!({
            "event": {
                "session_variables": session_variables(args)?,
                "op": op,
                "data": { "old": old, "new": new },
                "trace_context": null,
            },
            "created_at": iso_now(),
            "id": format!("{}-{}-{}-{}-{}", &id[..8], &id[8..12], &id[12..16], &id[16..20], &id[20..32]),
            "delivery_info": { "max_retries": 0, "current_retry": 0 },
            "trigger": { "name": format!("{table}_{}", op.to_ascii_lowercase()) },
            "table": { "schema": "public", "name": table },
        });
        payload.to_string().into_bytes()
    } else {
        return Err("say what to send: --hygraph, --hasura-action NAME or --hasura-event TABLE".into());
    };
    for h in &args.headers {
        headers.push(split_pair(h, "--header")?);
    }
    Ok((body, headers))
}

fn tamper_body(body: &mut Vec<u8>) {
    // A visible change that keeps the JSON valid: the first letter a-y becomes the next one.
    match body.iter_mut().find(|b| (b'a'..=b'y').contains(b)) {
        Some(b) => *b += 1,
        None => body.push(b' '),
    }
}

fn tamper_signature(header: &str) -> String {
    // Flip the first character of the MAC to another base64 letter: still well-formed.
    match header.strip_prefix("sign=") {
        Some(rest) if !rest.is_empty() => {
            let first = if rest.starts_with('A') { 'B' } else { 'A' };
            format!("sign={first}{}", &rest[1..])
        }
        _ => header.to_owned(),
    }
}

struct Response {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

fn request(target: &Target, body: &[u8], headers: &[(String, String)]) -> Result<Response, std::io::Error> {
    let mut stream = TcpStream::connect((target.host.as_str(), target.port))?;
    stream.set_read_timeout(Some(Duration::from_secs(30)))?;
    let mut req = format!("POST {} HTTP/1.1\r\nHost: {}:{}\r\n", target.path, target.host, target.port);
    for (k, v) in headers {
        req.push_str(&format!("{k}: {v}\r\n"));
    }
    req.push_str(&format!(
        "Content-Length: {}\r\nConnection: close\r\nUser-Agent: hookseal-cli\r\n\r\n",
        body.len()
    ));
    stream.write_all(req.as_bytes())?;
    stream.write_all(body)?;
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw)?;
    parse_response(&raw)
        .ok_or_else(|| std::io::Error::new(std::io::ErrorKind::InvalidData, "not an HTTP response"))
}

fn parse_response(raw: &[u8]) -> Option<Response> {
    let end = raw.windows(4).position(|w| w == b"\r\n\r\n")?;
    let head = std::str::from_utf8(&raw[..end]).ok()?;
    let mut lines = head.split("\r\n");
    let status = lines.next()?.split(' ').nth(1)?.parse().ok()?;
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_owned()))
        .collect();
    let rest = &raw[end + 4..];
    let chunked = headers.iter().any(|(k, v)| k == "transfer-encoding" && v.eq_ignore_ascii_case("chunked"));
    let body = if chunked { dechunk(rest)? } else { rest.to_vec() };
    Some(Response { status, headers, body })
}

fn dechunk(mut rest: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    loop {
        let eol = rest.windows(2).position(|w| w == b"\r\n")?;
        let size_text = std::str::from_utf8(&rest[..eol]).ok()?;
        let size = usize::from_str_radix(size_text.split(';').next()?.trim(), 16).ok()?;
        rest = &rest[eol + 2..];
        if size == 0 {
            return Some(out);
        }
        out.extend_from_slice(rest.get(..size)?);
        rest = rest.get(size + 2..)?;
    }
}

pub(crate) fn run(args: &SendArgs) -> Result<ExitCode, String> {
    let target = parse_url(&args.url)?;
    let (body, headers) = build(args)?;
    // The first answer that is not 2xx: `send` then exits 1, so a script sees the refusal.
    let mut refused = None;
    for _ in 0..args.repeat.max(1) {
        let resp = match request(&target, &body, &headers) {
            Ok(r) => r,
            Err(e) => {
                eprintln!("hookseal: could not reach {}: {e}", args.url);
                return Ok(ExitCode::from(1));
            }
        };
        if !(200..300).contains(&resp.status) && refused.is_none() {
            refused = Some(resp.status);
        }
        let text = String::from_utf8_lossy(&resp.body).into_owned();
        if args.json {
            let hs: Map<String, Value> =
                resp.headers.iter().map(|(k, v)| (k.clone(), Value::String(v.clone()))).collect();
            println!("{}", json!({ "status": resp.status, "headers": hs, "body": text }));
        } else {
            println!("HTTP {}", resp.status);
            for (k, v) in &resp.headers {
                println!("{k}: {v}");
            }
            println!();
            println!("{text}");
        }
    }
    if let Some(status) = refused {
        eprintln!("hookseal: {} answered HTTP {status}, not 2xx: exit status 1", args.url);
        return Ok(ExitCode::from(1));
    }
    Ok(ExitCode::SUCCESS)
}
