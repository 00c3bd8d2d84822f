//! `hookseal send`: deliver a test request to a local endpoint the way Hygraph or Hasura would,
//! over plain HTTP/1.1 (`http://` only: this is for localhost and test servers).
//!
//! Hasura's request shapes: an Action call, an Event Trigger delivery, a cron or one-off
//! scheduled event, and an auth-webhook call (v2 or DDN, GET or POST). Deliveries are retried as
//! Hasura's engine retries them: any answer other than 2xx (or no answer) is a failure, retried
//! `--retries` times after `--retry-interval` seconds; an integer `Retry-After` on an event or
//! scheduled delivery sets the delay and schedules one more attempt even when the retries are
//! used up (`retryOrSetError` in Hasura's `Eventing/EventTrigger.hs`), up to
//! `--retry-after-limit` such attempts.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::process::ExitCode;
use std::sync::Mutex;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use clap::{ArgGroup, Args, ValueEnum};
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

/// Which auth webhook: Hasura v2 or Hasura DDN (v3).
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub(crate) enum AuthMode {
    V2,
    Ddn,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
#[value(rename_all = "UPPER")]
pub(crate) enum Method {
    Get,
    Post,
}

impl Method {
    fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Post => "POST",
        }
    }
}

#[derive(Args, Debug)]
#[command(group(
    ArgGroup::new("kind")
        .args(["hygraph", "hasura_action", "hasura_event", "hasura_cron", "hasura_scheduled", "hasura_auth"])
        .multiple(false)
))]
pub(crate) struct SendArgs {
    /// Where to send it: http://host:port/path.
    url: String,
    /// A signed Hygraph webhook (needs --secret).
    #[arg(long)]
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
    #[arg(long, value_name = "NAME")]
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
    /// The Event Trigger's name (default: TABLE_op, e.g. users_insert).
    #[arg(long, value_name = "NAME")]
    trigger: Option<String>,
    /// A Hasura cron-trigger event of the cron trigger with this name.
    #[arg(long, value_name = "NAME")]
    hasura_cron: Option<String>,
    /// A Hasura one-off scheduled event.
    #[arg(long)]
    hasura_scheduled: bool,
    /// The scheduled event's configured payload, as JSON (default: null).
    #[arg(long, default_value = "null")]
    payload: String,
    /// The scheduled event's comment.
    #[arg(long)]
    comment: Option<String>,
    /// The scheduled event's `scheduled_time` (default: now, as Hasura writes it).
    #[arg(long, value_name = "TIME")]
    scheduled_time: Option<String>,
    /// The event's or scheduled event's id (default: a new one). Every copy, repeat and retry
    /// of one `send` carries the same id, as Hasura's do.
    #[arg(long)]
    id: Option<String>,
    /// A call of a Hasura auth webhook: v2 or ddn.
    #[arg(long, value_enum, value_name = "MODE")]
    hasura_auth: Option<AuthMode>,
    /// How the auth webhook is called: GET (the client's headers as request headers, Hasura's
    /// default) or POST (a JSON body holding them).
    #[arg(long, value_enum, default_value = "GET")]
    method: Method,
    /// A header of the GraphQL client NAME=VALUE, as the auth webhook receives it; repeatable.
    #[arg(long = "client-header", value_name = "NAME=VALUE")]
    client_headers: Vec<String>,
    /// Shorthand for --client-header "Authorization=Bearer TOKEN".
    #[arg(long, value_name = "TOKEN")]
    bearer: Option<String>,
    /// The client's GraphQL query, in a v2 POST call's `request`.
    #[arg(long, default_value = "query { me { id } }")]
    query: String,
    /// A v2 POST call with `"request": null` (HASURA_GRAPHQL_AUTH_HOOK_SEND_REQUEST_BODY=false).
    #[arg(long)]
    no_request: bool,
    /// A session variable k=v (Hasura); repeatable.
    #[arg(long = "session-var", value_name = "K=V")]
    session_vars: Vec<String>,
    /// An extra header NAME=VALUE (e.g. the shared secret); repeatable.
    #[arg(long = "header", value_name = "NAME=VALUE")]
    headers: Vec<String>,
    /// Send the same delivery this many times, one after the other (replay testing).
    #[arg(long, default_value_t = 1)]
    repeat: u32,
    /// Send this many copies of the delivery at the same moment, each retried on its own (a
    /// duplicate delivery while the first still runs).
    #[arg(long, default_value_t = 1)]
    copies: u32,
    /// Retry a failed attempt (any answer but 2xx, or none) this many times, like Hasura's
    /// `num_retries` (default 0, Hasura's default).
    #[arg(long, default_value_t = 0)]
    retries: u32,
    /// Seconds between retries, like Hasura's `interval_sec` (default 10, Hasura's default).
    #[arg(long, default_value_t = 10.0, value_name = "SECONDS")]
    retry_interval: f64,
    /// At most this many attempts scheduled by `Retry-After` alone, once the retries are used
    /// up (Hasura has no bound; a test sender needs one).
    #[arg(long, default_value_t = 10, value_name = "N")]
    retry_after_limit: u32,
    /// Wait at most this long for a `Retry-After` (seconds); a longer one is cut to this.
    #[arg(long, default_value_t = 60, value_name = "SECONDS")]
    max_retry_after: u64,
    /// Seconds to wait for an answer (Hasura's `timeout_sec`, 60 by default).
    #[arg(long, default_value_t = 60.0, value_name = "SECONDS")]
    timeout: f64,
    /// Print one JSON object per response: {"status", "headers", "body", "delivery", "copy",
    /// "attempt", "retry_in"}.
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

fn micros_now() -> u64 {
    let d = SystemTime::now().duration_since(UNIX_EPOCH).unwrap_or_default();
    u64::try_from(d.as_micros()).unwrap_or(u64::MAX)
}

/// Now as Hasura writes an Event Trigger's `created_at` (UTC, microseconds, no zone).
fn iso_now() -> String {
    hookseal::hasura::event_timestamp(micros_now())
}

/// Now as Hasura writes a scheduled event's times (aeson's `UTCTime`: `Z`, fraction when not 0).
fn utc_now() -> String {
    format!("{}Z", iso_now())
}

/// A new event id in the UUID form Hasura's are (time and process based: unique enough for a
/// test sender).
fn new_id() -> String {
    let n = SystemTime::now().duration_since(UNIX_EPOCH).unwrap_or_default().as_nanos();
    let id = format!("{:032x}", n ^ (u128::from(std::process::id()) << 96));
    format!("{}-{}-{}-{}-{}", &id[..8], &id[8..12], &id[12..16], &id[16..20], &id[20..32])
}

type Headers = Vec<(String, String)>;

/// The request to send (the body of each attempt is made by [`Request::body_for`]).
struct Request {
    method: Method,
    headers: Headers,
    body: Body,
    /// Retry-After schedules one more attempt (Hasura's event and scheduled deliveries).
    honours_retry_after: bool,
}

enum Body {
    Fixed(Vec<u8>),
    None,
    /// An Event Trigger payload: `delivery_info.current_retry` is the attempt's number, as
    /// Hasura's engine sends it (the row's `tries`).
    Event(Value),
}

impl Request {
    fn body_for(&self, attempt: u32) -> Option<Vec<u8>> {
        match &self.body {
            Body::Fixed(b) => Some(b.clone()),
            Body::None => None,
            Body::Event(v) => {
                let mut v = v.clone();
                v["delivery_info"]["current_retry"] = json!(attempt);
                Some(v.to_string().into_bytes())
            }
        }
    }
}

/// The request to send: method, headers, body.
fn build(args: &SendArgs) -> Result<Request, String> {
    let json_type = ("Content-Type".to_owned(), "application/json".to_owned());
    let mut headers = vec![json_type.clone()];
    let mut method = Method::Post;
    let mut honours_retry_after = false;
    let body = if args.hygraph {
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
        Body::Fixed(body)
    } else if let Some(name) = &args.hasura_action {
        let input = parse_json(&args.input, "--input")?;
        let payload = json!({
            "action": { "name": name },
            "input": input,
            "session_variables": session_variables(args)?,
            "request_query": format!("mutation {{ {name} }}"),
        });
        Body::Fixed(payload.to_string().into_bytes())
    } else if let Some(table) = &args.hasura_event {
        let row = parse_json(&args.data, "--data")?;
        let (op, old, new) = match args.op {
            Op::Insert => ("INSERT", Value::Null, row),
            Op::Update => ("UPDATE", row.clone(), row),
            Op::Delete => ("DELETE", row, Value::Null),
            Op::Manual => ("MANUAL", Value::Null, row),
        };
        let trigger = args.trigger.clone().unwrap_or_else(|| format!("{table}_{}", op.to_ascii_lowercase()));
        honours_retry_after = true;
        Body::Event(json!({
            "event": {
                "session_variables": session_variables(args)?,
                "op": op,
                "data": { "old": old, "new": new },
                "trace_context": null,
            },
            "created_at": iso_now(),
            "id": args.id.clone().unwrap_or_else(new_id),
            "delivery_info": { "max_retries": args.retries, "current_retry": 0 },
            "trigger": { "name": trigger },
            "table": { "schema": "public", "name": table },
        }))
    } else if args.hasura_cron.is_some() || args.hasura_scheduled {
        // The engine's ScheduledEventWebhookPayload: `name` only for cron events, `created_at`
        // only for one-off ones, `comment` only when set.
        let mut payload = Map::new();
        payload.insert("id".into(), json!(args.id.clone().unwrap_or_else(new_id)));
        if let Some(name) = &args.hasura_cron {
            payload.insert("name".into(), json!(name));
        }
        let scheduled_time = args.scheduled_time.clone().unwrap_or_else(utc_now);
        payload.insert("scheduled_time".into(), json!(scheduled_time));
        payload.insert("payload".into(), parse_json(&args.payload, "--payload")?);
        if let Some(comment) = &args.comment {
            payload.insert("comment".into(), json!(comment));
        }
        if args.hasura_scheduled {
            payload.insert("created_at".into(), json!(utc_now()));
        }
        honours_retry_after = true;
        Body::Fixed(Value::Object(payload).to_string().into_bytes())
    } else if let Some(mode) = args.hasura_auth {
        let mut client: Headers = Vec::new();
        if let Some(token) = &args.bearer {
            client.push(("Authorization".into(), format!("Bearer {token}")));
        }
        for h in &args.client_headers {
            client.push(split_pair(h, "--client-header")?);
        }
        method = args.method;
        match args.method {
            // GET: the client's headers are the request's headers (no body, no Content-Type).
            Method::Get => {
                headers = client;
                Body::None
            }
            Method::Post => {
                let mut hs = Map::new();
                for (k, v) in client {
                    hs.insert(k, Value::String(v));
                }
                let body = match mode {
                    AuthMode::V2 => {
                        let request = if args.no_request {
                            Value::Null
                        } else {
                            json!({ "query": args.query, "variables": {}, "operationName": null })
                        };
                        json!({ "headers": hs, "request": request })
                    }
                    AuthMode::Ddn => json!({ "headers": hs }),
                };
                Body::Fixed(body.to_string().into_bytes())
            }
        }
    } else {
        return Err(
            "say what to send: --hygraph, --hasura-action NAME, --hasura-event TABLE, --hasura-cron NAME, \
                    --hasura-scheduled or --hasura-auth v2|ddn"
                .into(),
        );
    };
    for h in &args.headers {
        headers.push(split_pair(h, "--header")?);
    }
    Ok(Request { method, headers, body, honours_retry_after })
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

impl Response {
    /// `Retry-After` as Hasura reads it: a positive integer of seconds (an HTTP date, zero or
    /// anything else is ignored).
    fn retry_after(&self) -> Option<u64> {
        let (_, v) = self.headers.iter().find(|(k, _)| k == "retry-after")?;
        v.trim().parse::<u64>().ok().filter(|&s| s > 0)
    }
}

fn request(
    target: &Target,
    method: Method,
    body: Option<&[u8]>,
    headers: &[(String, String)],
    timeout: Duration,
) -> Result<Response, std::io::Error> {
    let mut stream = TcpStream::connect((target.host.as_str(), target.port))?;
    stream.set_read_timeout(Some(timeout))?;
    let mut req =
        format!("{} {} HTTP/1.1\r\nHost: {}:{}\r\n", method.as_str(), target.path, target.host, target.port);
    for (k, v) in headers {
        req.push_str(&format!("{k}: {v}\r\n"));
    }
    if let Some(body) = body {
        req.push_str(&format!("Content-Length: {}\r\n", body.len()));
    }
    req.push_str("Connection: close\r\nUser-Agent: hookseal-cli\r\n\r\n");
    stream.write_all(req.as_bytes())?;
    if let Some(body) = body {
        stream.write_all(body)?;
    }
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

/// When the next attempt goes out after a failed one, and why; `None`: no more attempts.
#[derive(Clone, Copy, Debug, PartialEq)]
struct Next {
    wait: Duration,
    why: &'static str,
}

/// Hasura's rule (`retryOrSetError`): a `Retry-After` sets the delay and schedules an attempt
/// even when the retries are used up; otherwise retry after the interval while retries remain.
/// `extra` counts the attempts already scheduled by `Retry-After` alone (bounded here).
fn next_attempt(args: &SendArgs, retry_after: Option<u64>, attempt: u32, extra: &mut u32) -> Option<Next> {
    let retries_left = attempt < args.retries;
    match retry_after {
        Some(secs) if retries_left || *extra < args.retry_after_limit => {
            if !retries_left {
                *extra += 1;
            }
            let why = if secs > args.max_retry_after {
                "Retry-After, cut to --max-retry-after"
            } else {
                "Retry-After"
            };
            Some(Next { wait: Duration::from_secs(secs.min(args.max_retry_after)), why })
        }
        Some(_) => None,
        None if retries_left => Some(Next {
            wait: Duration::from_secs_f64(args.retry_interval.max(0.0)),
            why: "--retry-interval",
        }),
        None => None,
    }
}

/// How one copy of one delivery ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum End {
    Accepted,
    /// The last answer was not 2xx (its status), and no attempt is left.
    Refused(u16),
    Unreachable,
    /// Still refused with a Retry-After after --retry-after-limit extra attempts.
    Bounded(u16),
}

/// Sends one copy until it is accepted or no attempt is left; prints every answer.
fn deliver(
    args: &SendArgs,
    target: &Target,
    req: &Request,
    delivery: u32,
    copy: u32,
    out: &Mutex<()>,
) -> End {
    let timeout = Duration::from_secs_f64(args.timeout.max(0.001));
    let mut extra = 0;
    let mut attempt = 0;
    loop {
        let body = req.body_for(attempt);
        let result = request(target, req.method, body.as_deref(), &req.headers, timeout);
        let (retry_after, status) = match &result {
            Ok(r) if (200..300).contains(&r.status) => {
                print_answer(args, r, delivery, copy, attempt, None, out);
                return End::Accepted;
            }
            Ok(r) => (if req.honours_retry_after { r.retry_after() } else { None }, Some(r.status)),
            Err(_) => (None, None),
        };
        let next = next_attempt(args, retry_after, attempt, &mut extra);
        match &result {
            Ok(r) => print_answer(args, r, delivery, copy, attempt, next, out),
            Err(e) => {
                let _lock = out.lock();
                let again =
                    next.map(|n| format!("; retrying in {} s", n.wait.as_secs_f64())).unwrap_or_default();
                eprintln!("hookseal: could not reach {}: {e}{again}", args.url);
            }
        }
        match (next, status) {
            (Some(n), _) => std::thread::sleep(n.wait),
            (None, None) => return End::Unreachable,
            (None, Some(s)) if retry_after.is_some() => return End::Bounded(s),
            (None, Some(s)) => return End::Refused(s),
        }
        attempt += 1;
    }
}

fn print_answer(
    args: &SendArgs,
    resp: &Response,
    delivery: u32,
    copy: u32,
    attempt: u32,
    next: Option<Next>,
    out: &Mutex<()>,
) {
    let text = String::from_utf8_lossy(&resp.body).into_owned();
    let _lock = out.lock();
    if args.json {
        let hs: Map<String, Value> =
            resp.headers.iter().map(|(k, v)| (k.clone(), Value::String(v.clone()))).collect();
        println!(
            "{}",
            json!({
                "status": resp.status,
                "headers": hs,
                "body": text,
                "delivery": delivery,
                "copy": copy,
                "attempt": attempt,
                "retry_in": next.map(|n| n.wait.as_secs_f64()),
            })
        );
    } else {
        let mut about = Vec::new();
        if args.repeat > 1 {
            about.push(format!("delivery {}", delivery + 1));
        }
        if args.copies > 1 {
            about.push(format!("copy {}", copy + 1));
        }
        if attempt > 0 {
            about.push(format!("retry {attempt}"));
        }
        if let Some(n) = next {
            about.push(format!("retrying in {} s ({})", n.wait.as_secs_f64(), n.why));
        }
        let about = if about.is_empty() { String::new() } else { format!("  [{}]", about.join(", ")) };
        println!("HTTP {}{about}", resp.status);
        for (k, v) in &resp.headers {
            println!("{k}: {v}");
        }
        println!();
        println!("{text}");
    }
}

pub(crate) fn run(args: &SendArgs) -> Result<ExitCode, String> {
    let target = parse_url(&args.url)?;
    let req = build(args)?;
    if !(args.retry_interval.is_finite() && args.retry_interval >= 0.0) {
        return Err("--retry-interval must be a number of seconds, 0 or more".into());
    }
    if !(args.timeout.is_finite() && args.timeout > 0.0) {
        return Err("--timeout must be a positive number of seconds".into());
    }
    let out = Mutex::new(());
    let mut ends = Vec::new();
    for delivery in 0..args.repeat.max(1) {
        // The copies of one delivery leave at the same moment; the next delivery once they ended.
        let round: Vec<End> = std::thread::scope(|s| {
            let handles: Vec<_> = (0..args.copies.max(1))
                .map(|copy| {
                    let (target, req, out) = (&target, &req, &out);
                    s.spawn(move || deliver(args, target, req, delivery, copy, out))
                })
                .collect();
            handles.into_iter().map(|h| h.join().unwrap_or(End::Unreachable)).collect()
        });
        ends.extend(round);
    }
    // The first delivery that did not end in a 2xx: `send` then exits 1, so a script sees it.
    let failed = ends.iter().find(|e| **e != End::Accepted);
    match failed {
        None => Ok(ExitCode::SUCCESS),
        Some(End::Refused(status)) => {
            eprintln!("hookseal: {} answered HTTP {status}, not 2xx: exit status 1", args.url);
            Ok(ExitCode::from(1))
        }
        Some(End::Bounded(status)) => {
            eprintln!(
                "hookseal: {} still answered HTTP {status} with Retry-After after {} attempts scheduled by it \
                 (--retry-after-limit): exit status 1",
                args.url, args.retry_after_limit
            );
            Ok(ExitCode::from(1))
        }
        Some(_) => {
            eprintln!("hookseal: {} could not be reached: exit status 1", args.url);
            Ok(ExitCode::from(1))
        }
    }
}
