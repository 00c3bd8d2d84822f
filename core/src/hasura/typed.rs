//! Typed Hasura payloads (feature `serde`).
//!
//! One rule: every `parse_*` runs the shape check of the same name first ([`check_action`],
//! [`check_event`], …), on the core's own `JSON.parse`, and only then builds the typed value
//! from that parsed document. So a body the check refuses is never parsed, a body it accepts
//! always parses, and every face of hookseal agrees on both (duplicate keys: the last wins, as
//! in JS; every number is read as a JS number).
//!
//! ```
//! use hookseal::hasura::{parse_delivery, Delivery, Op};
//!
//! let body = br#"{"id":"8555","created_at":"2026-12-01T10:15:30.123456",
//!   "trigger":{"name":"user_created"},"table":{"schema":"public","name":"users"},
//!   "event":{"op":"INSERT","data":{"old":null,"new":{"id":1,"name":"Ada"}},
//!            "session_variables":{"x-hasura-role":"admin"}},
//!   "delivery_info":{"current_retry":0,"max_retries":0}}"#;
//! let Delivery::Event(e) = parse_delivery(body)? else { unreachable!() };
//! assert_eq!((e.id.as_str(), e.event.op, e.table.name.as_str()), ("8555", Op::Insert, "users"));
//! assert_eq!(e.event.data.new.as_ref().and_then(|row| row.get("name")), Some(&serde_json::json!("Ada")));
//! # Ok::<(), hookseal::Error>(())
//! ```
//!
//! [`check_action`]: super::check_action
//! [`check_event`]: super::check_event

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::auth::{auth_request_value, AuthMode};
use super::payload::{action_value, delivery_value, event_value, parse_payload, scheduled_value};
use super::DeliveryKind;
use crate::ecma::JsValue;
use crate::error::Error;

/// A JSON object: session variables, an Action's input, a row.
pub type Object = Map<String, Value>;

/// `{"name": ...}` of an Action.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ActionName {
    /// The Action's name as defined in Hasura's metadata.
    pub name: String,
}

/// An Action call: what Hasura POSTs to an Action handler.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Action {
    /// Which Action.
    pub action: ActionName,
    /// The Action's arguments.
    pub input: Object,
    /// The caller's session variables (lower-case keys: `x-hasura-role`).
    pub session_variables: Object,
    /// The client's GraphQL query; `None` for asynchronous actions (or when absent).
    #[serde(default)]
    pub request_query: Option<String>,
}

/// `trigger` of an Event Trigger payload.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TriggerName {
    /// The trigger's name.
    pub name: String,
}

/// `table` of an Event Trigger payload.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TableName {
    /// The table's schema (`public`).
    pub schema: String,
    /// The table's name.
    pub name: String,
}

/// The operation that fired an Event Trigger.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum Op {
    /// A row was inserted (`data.old` is null).
    Insert,
    /// A row was updated.
    Update,
    /// A row was deleted (`data.new` is null).
    Delete,
    /// Invoked by hand (console or `pg_invoke_event_trigger`): a new event, `data.old` null.
    Manual,
}

/// `event.data`: the row before and after.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EventData {
    /// The row before (null for INSERT and MANUAL).
    pub old: Option<Object>,
    /// The row after (null for DELETE).
    pub new: Option<Object>,
}

/// `event` of an Event Trigger payload.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Event {
    /// What happened.
    pub op: Op,
    /// The row.
    pub data: EventData,
    /// The session of the change (lower-case keys); `None` when there was none.
    #[serde(default)]
    pub session_variables: Option<Object>,
    /// The tracing context, when the engine sends one.
    #[serde(default)]
    pub trace_context: Option<Value>,
}

/// `delivery_info` of an Event Trigger payload. Not a dedupe key: `pg_redeliver_event` resets
/// `current_retry` to 0.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RetryInfo {
    /// Which retry this is (0: the first attempt).
    #[serde(default)]
    pub current_retry: u32,
    /// The configured `num_retries`.
    #[serde(default)]
    pub max_retries: u32,
}

/// An Event Trigger delivery.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EventTrigger {
    /// The event's id: the same on every retry and redelivery.
    pub id: String,
    /// When the event was created (UTC, no zone: `2026-12-01T10:15:30.123456`).
    #[serde(default)]
    pub created_at: Option<String>,
    /// The trigger.
    pub trigger: TriggerName,
    /// The table.
    pub table: TableName,
    /// What happened.
    pub event: Event,
    /// Retry counters, when the engine sends them.
    #[serde(default)]
    pub delivery_info: Option<RetryInfo>,
}

/// A cron or one-off scheduled event delivery.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ScheduledEvent {
    /// The event's id: the same on every retry.
    pub id: String,
    /// The cron trigger's name (cron events only).
    #[serde(default)]
    pub name: Option<String>,
    /// When it was scheduled to run.
    pub scheduled_time: String,
    /// The configured payload (any JSON; null when none).
    pub payload: Value,
    /// The configured comment.
    #[serde(default)]
    pub comment: Option<String>,
    /// When it was created (one-off events only).
    #[serde(default)]
    pub created_at: Option<String>,
}

/// A delivery of Hasura's event system.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Delivery {
    /// An Event Trigger.
    Event(EventTrigger),
    /// A cron or one-off scheduled event.
    Scheduled(ScheduledEvent),
}

impl Delivery {
    /// Which kind it is.
    pub fn kind(&self) -> DeliveryKind {
        match self {
            Delivery::Event(_) => DeliveryKind::Event,
            Delivery::Scheduled(_) => DeliveryKind::Scheduled,
        }
    }

    /// Its id.
    pub fn id(&self) -> &str {
        match self {
            Delivery::Event(e) => &e.id,
            Delivery::Scheduled(s) => &s.id,
        }
    }

    /// Its replay-guard key ([`super::delivery_key`]).
    pub fn replay_key(&self) -> String {
        super::delivery_key(self.id())
    }
}

/// The body of an auth-webhook POST (v2 or DDN).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AuthRequest {
    /// The client's headers, as the engine sent them (v2 keeps the client's spelling, DDN
    /// lower-cases): look them up with [`AuthRequest::header`].
    pub headers: Map<String, Value>,
    /// The client's GraphQL request (v2 only; `None` when not sent).
    #[serde(default)]
    pub request: Option<Object>,
}

impl AuthRequest {
    /// The value of header `name`, matched ASCII case-insensitively.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).and_then(|(_, v)| v.as_str())
    }
}

/// The parsed document as a `serde_json::Value`, with JS's reading of it: strings that hold
/// lone surrogates get U+FFFD, integral numbers are integers, non-finite ones null.
fn to_value(v: JsValue) -> Value {
    match v {
        JsValue::Null => Value::Null,
        JsValue::Bool(b) => Value::Bool(b),
        JsValue::Number(n) => {
            if n.fract() == 0.0 && n.abs() < 9.2e18 {
                Value::from(n as i64)
            } else {
                serde_json::Number::from_f64(n).map_or(Value::Null, Value::Number)
            }
        }
        JsValue::String(s) => Value::String(wtf8_string(s)),
        JsValue::Array(items) => Value::Array(items.into_iter().map(to_value).collect()),
        JsValue::Object(o) => Value::Object(
            o.ordered().into_iter().map(|(k, v)| (wtf8_string(k.to_vec()), to_value(v.clone()))).collect(),
        ),
    }
}

/// WTF-8 to a Rust string: a lone surrogate becomes one U+FFFD (as `String::toWellFormed`).
fn wtf8_string(s: Vec<u8>) -> String {
    String::from_utf8(s).unwrap_or_else(|e| {
        let s = e.as_bytes();
        let mut out = String::with_capacity(s.len());
        let mut i = 0;
        while i < s.len() {
            let (cp, n) = crate::ecma::decode_wtf8(&s[i..]);
            out.push(char::from_u32(cp).unwrap_or(char::REPLACEMENT_CHARACTER));
            i += n;
        }
        out
    })
}

fn typed<T: for<'de> Deserialize<'de>>(kind: &str, v: JsValue) -> Result<T, Error> {
    serde_json::from_value(to_value(v))
        .map_err(|e| Error::MalformedPayload(format!("not a Hasura {kind} payload: {e}")))
}

/// Parses an Action call ([`super::check_action`] first).
pub fn parse_action(json: &[u8]) -> Result<Action, Error> {
    let v = parse_payload("Action", json)?;
    action_value(&v)?;
    typed("Action", v)
}

/// Parses an Event Trigger delivery ([`super::check_event`] first).
pub fn parse_event(json: &[u8]) -> Result<EventTrigger, Error> {
    let v = parse_payload("Event Trigger", json)?;
    event_value(&v)?;
    typed("Event Trigger", v)
}

/// Parses a scheduled event ([`super::check_scheduled`] first).
pub fn parse_scheduled(json: &[u8]) -> Result<ScheduledEvent, Error> {
    let v = parse_payload("scheduled event", json)?;
    scheduled_value(&v)?;
    typed("scheduled event", v)
}

/// Parses a delivery, Event Trigger or scheduled event ([`super::check_delivery`] first).
pub fn parse_delivery(json: &[u8]) -> Result<Delivery, Error> {
    let v = parse_payload("Event Trigger or scheduled event", json)?;
    let info = delivery_value(&v)?;
    Ok(match info.kind {
        DeliveryKind::Event => Delivery::Event(typed("Event Trigger", v)?),
        DeliveryKind::Scheduled => Delivery::Scheduled(typed("scheduled event", v)?),
    })
}

/// Parses the body of an auth-webhook POST ([`super::check_auth_request`] first). In DDN mode
/// `request` is always `None` (DDN sends none; other keys are ignored).
pub fn parse_auth_request(mode: AuthMode, json: &[u8]) -> Result<AuthRequest, Error> {
    let v = parse_payload("auth-webhook", json)?;
    auth_request_value(mode, &v)?;
    let mut value = to_value(v);
    if let (AuthMode::Ddn, Value::Object(o)) = (mode, &mut value) {
        o.remove("request");
    }
    serde_json::from_value(value)
        .map_err(|e| Error::MalformedPayload(format!("not a Hasura auth-webhook payload: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_checked_payload_parses() {
        let action =
            br#"{"action":{"name":"a"},"input":{"n":1.0},"session_variables":{},"request_query":null}"#;
        let a = parse_action(action).unwrap();
        assert_eq!(a.input.get("n"), Some(&Value::from(1)));
        assert_eq!(a.request_query, None);
        let one_off =
            br#"{"id":"x","scheduled_time":"t","payload":[1,"\ud800"],"comment":null,"created_at":"c"}"#;
        let s = parse_scheduled(one_off).unwrap();
        assert_eq!(s.payload, serde_json::json!([1, "\u{FFFD}"]));
        let d = parse_delivery(one_off).unwrap();
        assert_eq!((d.kind(), d.id()), (DeliveryKind::Scheduled, "x"));
        let ddn =
            parse_auth_request(AuthMode::Ddn, br#"{"headers":{"authorization":"B"},"request":5}"#).unwrap();
        assert_eq!(ddn.header("Authorization"), Some("B"));
        assert_eq!(ddn.request, None);
        // Duplicate keys: the last value wins, as JSON.parse does.
        let dup = br#"{"headers":{},"headers":{"a":"1"},"request":null}"#;
        assert_eq!(parse_auth_request(AuthMode::V2, dup).unwrap().header("A"), Some("1"));
        assert_eq!(parse_event(b"{}").unwrap_err().code(), "malformed_payload");
    }
}
