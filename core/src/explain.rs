//! Step-by-step diagnosis of a delivery that fails (what `hookseal explain` prints).
//!
//! [`explain`] runs every check the strict verifier runs, but does not stop at the first failure,
//! and when no secret matches it looks at the body and the secrets for the usual causes: a body
//! that a framework re-serialized, HTML characters, whitespace at a secret's ends, the wrong
//! environment or clock. Its final verdict is exactly what [`Verifier::verify_at`] answers.
//!
//! Nothing in a report is secret: it never holds a secret or a computed MAC, and of the MAC in
//! the header only the first characters.
//!
//! ```
//! use hookseal::explain::{explain, Input, Status};
//! use hookseal::hygraph::{sign, Verifier};
//! use hookseal::Secret;
//!
//! let secret = Secret::new("my-webhook-secret")?;
//! let verifier = Verifier::new(["my-webhook-secret"])?;
//! let header = sign(&secret, r#"{"a":1}"#, "master", 1_700_000_000_000);
//! let input = Input {
//!     secrets: verifier.secrets().as_slice(),
//!     header: Some(&header),
//!     body: br#"{"a": 1}"#, // re-serialized by a framework: not the bytes that were signed
//!     tolerance_secs: verifier.tolerance_secs(),
//!     environments: None,
//!     now_ms: 1_700_000_000_000,
//! };
//! let report = explain(&verifier, &input);
//! assert_eq!(report.verdict.as_ref().unwrap_err().code(), "signature_mismatch");
//! assert!(report.has("secret #0", Status::Fail));
//! println!("{report}"); // one line per step, then the verdict
//! # Ok::<(), hookseal::ConfigError>(())
//! ```

use std::fmt;

use subtle::ConstantTimeEq;

use crate::ecma::json;
use crate::ecma::quote::has_html;
use crate::hygraph::{
    check_window, envelope_mac, parse_header, starts_with_header_name, Spelling, Verified, Verifier, HEADER,
};
use crate::{Error, Secret};

/// How a step came out.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Status {
    /// The check passed.
    Ok,
    /// The check failed.
    Fail,
    /// Not a failure, but a likely cause of one.
    Warn,
    /// A fact that helps the diagnosis.
    Info,
}

impl Status {
    fn label(self) -> &'static str {
        match self {
            Status::Ok => "ok",
            Status::Fail => "FAIL",
            Status::Warn => "warn",
            Status::Info => "info",
        }
    }
}

/// One line of the diagnosis.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Step {
    /// How it came out.
    pub status: Status,
    /// What was checked (`header`, `secret #0`, `body`, `timestamp`, ...).
    pub topic: String,
    /// What was found, in words.
    pub detail: String,
}

/// The whole diagnosis.
#[derive(Debug)]
pub struct Report {
    /// The steps, in the order they were checked.
    pub steps: Vec<Step>,
    /// What strict verification answers for this delivery.
    pub verdict: Result<Verified, Error>,
}

impl Report {
    /// True when some step names this topic with this status.
    pub fn has(&self, topic_prefix: &str, status: Status) -> bool {
        self.steps.iter().any(|s| s.status == status && s.topic.starts_with(topic_prefix))
    }
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for s in &self.steps {
            writeln!(f, "[{:<4}] {:<12} {}", s.status.label(), s.topic, s.detail)?;
        }
        match &self.verdict {
            Ok(v) => write!(
                f,
                "verdict: ok (env={}, t={}, secret #{})",
                v.environment, v.timestamp_ms, v.secret_index
            ),
            Err(e) => write!(f, "verdict: {}: {e}", e.code()),
        }
    }
}

/// What the delivery and the verifier's configuration were.
#[derive(Debug)]
pub struct Input<'a> {
    /// The configured secrets, in order.
    pub secrets: &'a [Secret],
    /// The `gcms-signature` header, if any.
    pub header: Option<&'a str>,
    /// The raw body.
    pub body: &'a [u8],
    /// The time window in seconds (`None`: off).
    pub tolerance_secs: Option<u64>,
    /// The allowed environments (`None`: any).
    pub environments: Option<&'a [String]>,
    /// The clock, milliseconds since the Unix epoch.
    pub now_ms: u64,
}

struct Steps(Vec<Step>);

impl Steps {
    fn push(&mut self, status: Status, topic: impl Into<String>, detail: impl Into<String>) {
        self.0.push(Step { status, topic: topic.into(), detail: detail.into() });
    }
}

/// Diagnoses a delivery. `verifier` must be built from the same secrets, tolerance and
/// environments as `input` (the CLI builds both from its arguments).
pub fn explain(verifier: &Verifier, input: &Input<'_>) -> Report {
    let verdict = verifier.verify_at(input.body, input.header.unwrap_or(""), input.now_ms);
    let mut steps = Steps(Vec::new());
    diagnose(input, &mut steps);
    Report { steps: steps.0, verdict }
}

fn diagnose(input: &Input<'_>, steps: &mut Steps) {
    let header = match input.header {
        None | Some("") => {
            steps.push(
                Status::Fail,
                "header",
                "no gcms-signature header: is this route receiving Hygraph's request, and does a proxy keep the header?",
            );
            return;
        }
        Some(h) => h,
    };
    // A whole header line pasted as the value: say so, then diagnose the value after the colon.
    let pasted_line = starts_with_header_name(header);
    let header = if pasted_line {
        steps.push(
            Status::Fail,
            "header",
            format!("malformed: the value starts with the header's name \"{HEADER}:\"; pass only what follows the colon"),
        );
        header.split_once(':').map_or(header, |(_, v)| v.trim_start_matches([' ', '\t']))
    } else {
        header
    };
    let h = match parse_header(header) {
        Ok(h) => h,
        Err(e) => {
            steps.push(Status::Fail, "header", format!("malformed: {e}"));
            if header.contains(", ") && !header.contains("sign=") {
                steps.push(Status::Info, "header", "expected `sign=<base64>, env=<name>, t=<ms>`");
            }
            return;
        }
    };
    let shown: String = header
        .split(',')
        .map(str::trim)
        .find_map(|f| f.strip_prefix("sign="))
        .map(|s| s.chars().take(6).collect())
        .unwrap_or_default();
    let fields = format!("sign={shown}… (32 bytes), env={}, t={}", h.environment, h.timestamp_ms);
    if pasted_line {
        steps.push(Status::Info, "header", format!("after the name, the value parses: {fields}"));
    } else {
        steps.push(Status::Ok, "header", fields);
    }

    let body_is_utf8 = std::str::from_utf8(input.body).map_err(|e| e.valid_up_to());
    match body_is_utf8 {
        Ok(_) if input.body.is_empty() => {
            steps.push(Status::Info, "body", "empty: the envelope has no Body key");
        }
        Ok(_) => steps.push(Status::Ok, "body", format!("{} bytes of UTF-8", input.body.len())),
        Err(at) => {
            steps.push(
                Status::Fail,
                "body",
                format!("not UTF-8 (first bad byte at offset {at}): pass the bytes as received"),
            );
        }
    }

    // Time is reported even when the MAC fails: a stale t is a cause worth seeing at once.
    let age = i128::from(input.now_ms) - i128::from(h.timestamp_ms);
    let when = if age >= 0 {
        format!("{:.1} s in the past", age as f64 / 1000.0)
    } else {
        format!("{:.1} s in the future", -age as f64 / 1000.0)
    };
    match input.tolerance_secs {
        None => steps.push(Status::Info, "timestamp", format!("t is {when}; the window is off")),
        Some(tol) => match check_window(h.timestamp_ms, input.now_ms, tol) {
            Ok(()) => steps.push(Status::Ok, "timestamp", format!("t is {when}, inside ±{tol} s")),
            Err(e) => {
                let why = if age >= 0 {
                    "a replayed or long-delayed request, or this machine's clock is ahead"
                } else {
                    "this machine's clock is behind the sender's, or the sender's is ahead: check that both are synchronized (NTP)"
                };
                steps.push(
                    Status::Fail,
                    "timestamp",
                    format!("{}: t is {when}, outside ±{tol} s ({why})", e.code()),
                );
            }
        },
    }
    if let Some(hint) = unit_slip(h.timestamp_ms, input.now_ms) {
        steps.push(Status::Warn, "timestamp", hint);
    } else if let Some(hint) = queued(age, input.tolerance_secs) {
        steps.push(Status::Info, "timestamp", hint);
    }

    let body = (!input.body.is_empty()).then_some(input.body);
    let env = h.environment.as_bytes();
    let ts = h.timestamp_ms as f64;
    let html = body.is_some_and(has_html);
    let is_json = body.is_some_and(json::is_valid);
    let matches = |secret: &Secret, b: Option<&[u8]>, spelling: Spelling| -> bool {
        bool::from(envelope_mac(secret, b, env, ts, spelling).ct_eq(&h.sign))
    };

    let mut matched = false;
    let mut fixed_by_trim = false;
    for (i, secret) in input.secrets.iter().enumerate() {
        let topic = format!("secret #{i}");
        if matches(secret, body, Spelling::Js) {
            steps.push(Status::Ok, topic, "matches the envelope of the body as received");
            matched = true;
            continue;
        }
        if html && is_json && matches(secret, body, Spelling::HtmlEscaped) {
            steps.push(
                Status::Ok,
                topic,
                "matches the HTML-escaped envelope (the body's <, >, & were \\u003c… when Hygraph signed it)",
            );
            matched = true;
            continue;
        }
        let mismatch = if html && is_json {
            "matches neither the JS nor the HTML-escaped envelope"
        } else {
            "does not match the envelope"
        };
        steps.push(Status::Fail, topic.clone(), mismatch);
        if secret.has_edge_whitespace() {
            let trimmed = trim_ascii(secret.expose());
            let fixed = Secret::new(trimmed).ok().is_some_and(|t| {
                matches(&t, body, Spelling::Js)
                    || (html && is_json && matches(&t, body, Spelling::HtmlEscaped))
            });
            if fixed {
                fixed_by_trim = true;
                steps.push(
                    Status::Fail,
                    topic,
                    "has whitespace or a newline at its ends, and WITHOUT it the signature matches: trim the secret (a .env file or copy-paste added it)",
                );
            } else {
                steps.push(
                    Status::Warn,
                    topic,
                    "has whitespace or a newline at its ends (usually a copy-paste slip; trimming it does not match either)",
                );
            }
        }
    }

    if !matched && !fixed_by_trim {
        body_causes(
            input,
            body,
            is_json,
            html,
            &|s, b| matches(s, b, Spelling::Js) || matches(s, b, Spelling::HtmlEscaped),
            steps,
        );
    }

    if let Some(allowed) = input.environments {
        if allowed.iter().any(|e| e == h.environment) {
            steps.push(Status::Ok, "environment", format!("{} is allowed", h.environment));
        } else {
            steps.push(
                Status::Fail,
                "environment",
                format!("{} is not one of the allowed environments ({})", h.environment, allowed.join(", ")),
            );
        }
    }
}

fn body_causes(
    input: &Input<'_>,
    body: Option<&[u8]>,
    is_json: bool,
    html: bool,
    matches: &dyn Fn(&Secret, Option<&[u8]>) -> bool,
    steps: &mut Steps,
) {
    let Some(raw) = body else {
        steps.push(
            Status::Info,
            "body",
            "the body is empty: did the framework consume it before the handler?",
        );
        return;
    };
    if !is_json {
        steps.push(
            Status::Info,
            "body",
            "is not JSON: Hygraph sends JSON, so this may not be the body it signed",
        );
        return;
    }
    match json::reserialize(raw) {
        Ok(compact) if compact.as_bytes() != raw => {
            let recovered = input.secrets.iter().any(|s| matches(s, Some(compact.as_bytes())));
            if recovered {
                steps.push(
                    Status::Fail,
                    "body",
                    "was re-serialized after signing: JSON.stringify(JSON.parse(body)) matches the signature but the body as given does not. Verify the raw request bytes, not a parsed-and-reformatted body",
                );
            } else {
                steps.push(
                    Status::Warn,
                    "body",
                    "differs from JSON.stringify(JSON.parse(body)) (spacing, key order or number spelling): if a framework or tool reformatted it, it cannot match; verify the raw request bytes",
                );
            }
        }
        Ok(_) => steps.push(
            Status::Info,
            "body",
            "is compact JSON, as JSON.stringify writes it: the likely cause is the secret (or a tampered body)",
        ),
        Err(_) => {}
    }
    if html {
        steps.push(
            Status::Info,
            "body",
            "holds HTML characters (<, >, &, U+2028/9): the HTML-escaped spelling Hygraph uses was tried too",
        );
    }
}

/// A `t` at least this old (ms) is "minutes old": worth a word on Hygraph's queue.
const QUEUED_MS: i128 = 60_000;

/// What a `t` minutes in the past may mean (issue 20 item 8): Hygraph's `t` is when the event
/// happened, and a webhook can wait in its queue for minutes before it is sent (or be a retry:
/// whether Hygraph signs a retry anew is not documented). Neither is a replay.
fn queued(age_ms: i128, tolerance_secs: Option<u64>) -> Option<String> {
    if age_ms < QUEUED_MS {
        return None;
    }
    let minutes = age_ms as f64 / 60_000.0;
    let base = format!(
        "t is {minutes:.1} min old: Hygraph's t is when the event happened, not when the request was sent, and a webhook can wait in Hygraph's queue for minutes (or this is a retry of an earlier attempt)"
    );
    Some(match tolerance_secs {
        Some(tol) if age_ms > i128::from(tol) * 1000 => format!(
            "{base}: a late delivery, not necessarily a replay. If deliveries often arrive this late, widen the tolerance (e.g. --tolerance {}) and keep the replay guard on",
            (age_ms / 1000 + 300).max(600)
        ),
        Some(tol) => format!(
            "{base}; it passes the window of ±{tol} s, but a delivery queued longer than that is refused as timestamp_too_old"
        ),
        None => base,
    })
}

/// A `t` that only makes sense in another unit: seconds (×1000 lands within a day of now) or
/// microseconds (÷1000 does). Hygraph's `t` is milliseconds.
fn unit_slip(t: u64, now_ms: u64) -> Option<String> {
    const DAY_MS: u64 = 86_400_000;
    let near = |x: u64| x.abs_diff(now_ms) <= DAY_MS;
    if near(t.saturating_mul(1000)) && !near(t) {
        Some(format!(
            "t={t} looks like SECONDS since the epoch (×1000 is within a day of now): Hygraph's t is milliseconds; whoever signed this used seconds (e.g. time.time() or Date.now()/1000)"
        ))
    } else if near(t / 1000) && !near(t) {
        Some(format!(
            "t={t} looks like MICROSECONDS since the epoch (÷1000 is within a day of now): Hygraph's t is milliseconds"
        ))
    } else {
        None
    }
}

fn trim_ascii(b: &[u8]) -> &[u8] {
    let start = b.iter().position(|c| !c.is_ascii_whitespace()).unwrap_or(b.len());
    let end = b.iter().rposition(|c| !c.is_ascii_whitespace()).map_or(start, |i| i + 1);
    &b[start..end]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hygraph::sign;

    const NOW: u64 = 1_700_000_000_000;

    fn run(secrets: &[&str], header: Option<&str>, body: &str, envs: Option<&[String]>) -> Report {
        let secrets: Vec<Secret> = secrets.iter().map(|s| Secret::new(s).unwrap()).collect();
        let mut verifier =
            Verifier::from_secrets(crate::Secrets::new(secrets.iter().map(Secret::expose)).unwrap());
        if let Some(e) = envs {
            verifier = verifier.environments(e.iter().cloned()).unwrap();
        }
        let input = Input {
            secrets: &secrets,
            header,
            body: body.as_bytes(),
            tolerance_secs: Some(300),
            environments: envs,
            now_ms: NOW,
        };
        explain(&verifier, &input)
    }

    #[test]
    fn valid_delivery_is_all_ok() {
        let body = r#"{"a":1}"#;
        let h = sign(&Secret::new("s3cret").unwrap(), body, "master", NOW);
        let r = run(&["s3cret"], Some(&h), body, None);
        assert!(r.verdict.is_ok());
        assert!(r.steps.iter().all(|s| s.status != Status::Fail), "{r}");
    }

    #[test]
    fn names_the_causes() {
        let body = r#"{"a":1,"b":"x"}"#;
        let s = Secret::new("s3cret").unwrap();
        let h = sign(&s, body, "master", NOW);
        // Re-serialized (pretty-printed) body.
        let r = run(&["s3cret"], Some(&h), "{\n  \"a\": 1,\n  \"b\": \"x\"\n}", None);
        assert!(r.has("body", Status::Fail) && r.to_string().contains("re-serialized"), "{r}");
        // Wrong secret on a compact body.
        let r = run(&["other"], Some(&h), body, None);
        assert!(
            r.has("secret #0", Status::Fail) && r.to_string().contains("likely cause is the secret"),
            "{r}"
        );
        // Whitespace at the secret's ends.
        let r = run(&["s3cret\n"], Some(&h), body, None);
        assert!(r.to_string().contains("WITHOUT it the signature matches"), "{r}");
        // Stale and future timestamps.
        let stale = sign(&s, body, "master", NOW - 3_600_000);
        assert!(run(&["s3cret"], Some(&stale), body, None).to_string().contains("timestamp_too_old"));
        let future = sign(&s, body, "master", NOW + 3_600_000);
        assert!(run(&["s3cret"], Some(&future), body, None).to_string().contains("timestamp_in_future"));
        // Malformed header, missing header, wrong environment.
        assert!(run(&["s3cret"], Some("sign=abc"), body, None).has("header", Status::Fail));
        assert!(run(&["s3cret"], None, body, None).has("header", Status::Fail));
        let r = run(&["s3cret"], Some(&h), body, Some(&["production".to_owned()]));
        assert!(r.has("environment", Status::Fail), "{r}");
        assert_eq!(r.verdict.unwrap_err().code(), "environment_not_allowed");
    }

    #[test]
    fn a_minutes_old_t_names_hygraphs_queue() {
        let body = r#"{"a":1}"#;
        let s = Secret::new("s3cret").unwrap();
        let info = |r: &Report| {
            r.steps
                .iter()
                .any(|x| x.topic == "timestamp" && x.status == Status::Info && x.detail.contains("queue"))
        };
        // Two minutes old: inside the window, still worth saying.
        let r = run(&["s3cret"], Some(&sign(&s, body, "master", NOW - 120_000)), body, None);
        assert!(r.verdict.is_ok() && info(&r), "{r}");
        assert!(r.to_string().contains("2.0 min old") && r.to_string().contains("timestamp_too_old"), "{r}");
        // Ten minutes old: refused, and the report says a queue, not only a replay, explains it.
        let r = run(&["s3cret"], Some(&sign(&s, body, "master", NOW - 600_000)), body, None);
        assert_eq!(r.verdict.as_ref().unwrap_err().code(), "timestamp_too_old");
        assert!(info(&r) && r.to_string().contains("not necessarily a replay"), "{r}");
        // Seconds old: nothing to say; a t in seconds keeps its own hint.
        assert!(!info(&run(&["s3cret"], Some(&sign(&s, body, "master", NOW - 5_000)), body, None)));
        assert!(!info(&run(&["s3cret"], Some(&sign(&s, body, "master", NOW / 1000)), body, None)));
    }

    #[test]
    fn reads_right_in_the_tricky_cases() {
        let s = Secret::new("s3cret").unwrap();
        // A mismatch is said once, without a double negative, for both spellings.
        let plain = r#"{"a":1}"#;
        let detail = |r: &Report| r.steps.iter().find(|x| x.topic == "secret #0").unwrap().detail.clone();
        let r = run(&["other"], Some(&sign(&s, plain, "master", NOW)), plain, None);
        assert_eq!(detail(&r), "does not match the envelope");
        let rich = r#"{"h":"<p>"}"#;
        let r = run(&["other"], Some(&sign(&s, rich, "master", NOW)), rich, None);
        assert_eq!(detail(&r), "matches neither the JS nor the HTML-escaped envelope");

        // A future t names the clocks, never a replay.
        let future = sign(&s, plain, "master", NOW + 3_600_000);
        let r = run(&["s3cret"], Some(&future), plain, None);
        let step = r.steps.iter().find(|x| x.topic == "timestamp").unwrap();
        assert!(step.detail.contains("clock") && !step.detail.contains("replay"), "{r}");
        assert!(r.verdict.unwrap_err().to_string().contains("clock"));
        // A past t may be a replay or this machine's clock.
        let stale = sign(&s, plain, "master", NOW - 3_600_000);
        let r = run(&["s3cret"], Some(&stale), plain, None);
        let step = r.steps.iter().find(|x| x.topic == "timestamp").unwrap();
        assert!(step.detail.contains("replayed") && step.detail.contains("clock"), "{r}");

        // A t in seconds (or microseconds) is recognised, in the steps and in the verdict.
        let secs = sign(&s, plain, "master", NOW / 1000 - 7);
        let r = run(&["s3cret"], Some(&secs), plain, None);
        assert!(r.has("timestamp", Status::Warn) && r.to_string().contains("looks like SECONDS"), "{r}");
        let verdict = r.verdict.unwrap_err();
        assert_eq!(verdict.code(), "timestamp_too_old");
        assert!(verdict.to_string().contains("written in seconds"), "{verdict}");
        let micros = sign(&s, plain, "master", NOW * 1000 + 5);
        let r = run(&["s3cret"], Some(&micros), plain, None);
        assert!(r.to_string().contains("looks like MICROSECONDS"), "{r}");
        // An ordinary stale t gets no unit hint.
        assert!(!run(&["s3cret"], Some(&stale), plain, None).has("timestamp", Status::Warn));

        // A header pasted with its name: recognised, and the rest is still diagnosed.
        let h = sign(&s, plain, "master", NOW);
        for line in [format!("gcms-signature: {h}"), format!("GCMS-Signature:{h}")] {
            let r = run(&["s3cret"], Some(&line), plain, None);
            assert!(r.to_string().contains("starts with the header's name"), "{r}");
            assert!(r.has("secret #0", Status::Ok), "{r}");
            let e = r.verdict.unwrap_err();
            assert_eq!(e.code(), "malformed_signature");
            assert!(e.to_string().contains("pass only the value"), "{e}");
        }
    }

    #[test]
    fn never_shows_a_secret_or_a_full_mac() {
        let body = r#"{"a":1}"#;
        let s = Secret::new("s3cret-value").unwrap();
        let h = sign(&s, body, "master", NOW);
        let mac = h.split(", ").next().unwrap().trim_start_matches("sign=").to_owned();
        for secrets in [&["s3cret-value"][..], &["wrong-s3cret-value "][..]] {
            let text = run(secrets, Some(&h), body, None).to_string();
            assert!(!text.contains("s3cret-value"), "{text}");
            assert!(!text.contains(&mac[..12]), "{text}");
        }
    }
}
