//! Shape checks of what Hasura's engine sends: Actions, Event Triggers, scheduled (cron and
//! one-off) events, and which of the last two a delivery is.
//!
//! The checks parse with the core's own `JSON.parse` ([`crate::ecma::parse_json`]), so every face
//! accepts and refuses exactly the same bodies; the typed payloads (feature `serde`) run the same
//! check first.

use crate::ecma::{parse_json, JsValue};
use crate::error::Error;

pub(crate) fn malformed(kind: &str, path: &str, want: &str) -> Error {
    Error::MalformedPayload(format!("not a Hasura {kind} payload: `{path}` must be {want}"))
}

pub(crate) fn field<'a>(v: &'a JsValue, key: &str) -> Option<&'a JsValue> {
    match v {
        JsValue::Object(o) => o.get(key.as_bytes()),
        _ => None,
    }
}

fn want_object(kind: &str, v: Option<&JsValue>, path: &str) -> Result<(), Error> {
    match v {
        Some(JsValue::Object(_)) => Ok(()),
        _ => Err(malformed(kind, path, "an object")),
    }
}

fn want_string(kind: &str, v: Option<&JsValue>, path: &str) -> Result<(), Error> {
    match v {
        Some(JsValue::String(_)) => Ok(()),
        _ => Err(malformed(kind, path, "a string")),
    }
}

/// A key that may be absent; when present, `ok` says whether its value is acceptable.
fn optional(
    kind: &str,
    v: Option<&JsValue>,
    path: &str,
    want: &str,
    ok: impl Fn(&JsValue) -> bool,
) -> Result<(), Error> {
    match v {
        Some(x) if !ok(x) => Err(malformed(kind, path, want)),
        _ => Ok(()),
    }
}

fn is_object_or_null(v: &JsValue) -> bool {
    matches!(v, JsValue::Object(_) | JsValue::Null)
}

fn is_string(v: &JsValue) -> bool {
    matches!(v, JsValue::String(_))
}

fn is_count(v: &JsValue) -> bool {
    matches!(v, JsValue::Number(n) if *n >= 0.0 && n.fract() == 0.0 && *n <= 4_294_967_295.0)
}

/// Parses `json` as a Hasura payload of `kind`: valid JSON and an object.
pub(crate) fn parse_payload(kind: &str, json: &[u8]) -> Result<JsValue, Error> {
    let v = parse_json(json)
        .map_err(|e| Error::MalformedPayload(format!("not a Hasura {kind} payload: the body is {e}")))?;
    if !matches!(v, JsValue::Object(_)) {
        return Err(malformed(kind, "(body)", "an object"));
    }
    Ok(v)
}

const ACTION: &str = "Action";
const EVENT: &str = "Event Trigger";
const SCHEDULED: &str = "scheduled event";

pub(crate) fn action_value(v: &JsValue) -> Result<(), Error> {
    const K: &str = ACTION;
    want_object(K, field(v, "action"), "action")?;
    want_string(K, field(v, "action").and_then(|a| field(a, "name")), "action.name")?;
    want_object(K, field(v, "input"), "input")?;
    want_object(K, field(v, "session_variables"), "session_variables")?;
    optional(K, field(v, "request_query"), "request_query", "a string or null", |x| {
        matches!(x, JsValue::String(_) | JsValue::Null)
    })
}

pub(crate) fn event_value(v: &JsValue) -> Result<(), Error> {
    const K: &str = EVENT;
    let event = field(v, "event");
    want_object(K, event, "event")?;
    match event.and_then(|e| field(e, "op")) {
        Some(JsValue::String(op))
            if [&b"INSERT"[..], b"UPDATE", b"DELETE", b"MANUAL"].contains(&op.as_slice()) => {}
        _ => return Err(malformed(K, "event.op", "one of INSERT, UPDATE, DELETE, MANUAL")),
    }
    let data = event.and_then(|e| field(e, "data"));
    want_object(K, data, "event.data")?;
    for side in ["old", "new"] {
        match data.and_then(|d| field(d, side)) {
            Some(JsValue::Object(_) | JsValue::Null) => {}
            _ => return Err(malformed(K, &format!("event.data.{side}"), "an object or null")),
        }
    }
    let session = event.and_then(|e| field(e, "session_variables"));
    optional(K, session, "event.session_variables", "an object or null", is_object_or_null)?;
    want_object(K, field(v, "table"), "table")?;
    want_string(K, field(v, "table").and_then(|t| field(t, "schema")), "table.schema")?;
    want_string(K, field(v, "table").and_then(|t| field(t, "name")), "table.name")?;
    want_object(K, field(v, "trigger"), "trigger")?;
    want_string(K, field(v, "trigger").and_then(|t| field(t, "name")), "trigger.name")?;
    want_string(K, field(v, "id"), "id")?;
    optional(K, field(v, "created_at"), "created_at", "a string", is_string)?;
    if let Some(info) = field(v, "delivery_info") {
        want_object(K, Some(info), "delivery_info")?;
        for key in ["current_retry", "max_retries"] {
            optional(K, field(info, key), &format!("delivery_info.{key}"), "a whole number >= 0", is_count)?;
        }
    }
    Ok(())
}

pub(crate) fn scheduled_value(v: &JsValue) -> Result<(), Error> {
    const K: &str = SCHEDULED;
    want_string(K, field(v, "id"), "id")?;
    want_string(K, field(v, "scheduled_time"), "scheduled_time")?;
    if field(v, "payload").is_none() {
        return Err(malformed(K, "payload", "present (the configured JSON, or null)"));
    }
    optional(K, field(v, "name"), "name", "a string", is_string)?;
    optional(K, field(v, "comment"), "comment", "a string or null", |x| {
        matches!(x, JsValue::String(_) | JsValue::Null)
    })?;
    optional(K, field(v, "created_at"), "created_at", "a string", is_string)
}

/// Checks the shape of an Action payload: `{"action": {"name": string}, "input": object,
/// "session_variables": object, "request_query"?: string | null}` (`request_query` is null for
/// asynchronous actions).
pub fn check_action(json: &[u8]) -> Result<(), Error> {
    action_value(&parse_payload(ACTION, json)?)
}

/// Checks the shape of an Event Trigger payload: `event.op` one of INSERT, UPDATE, DELETE,
/// MANUAL; `event.data.old` / `event.data.new` objects or null; `event.session_variables` an
/// object or null when present; `table.schema`, `table.name`, `trigger.name` and `id` strings;
/// `created_at` a string and `delivery_info` an object of whole numbers when present.
pub fn check_event(json: &[u8]) -> Result<(), Error> {
    event_value(&parse_payload(EVENT, json)?)
}

/// Checks the shape of a scheduled event (cron or one-off): an object; `id` and
/// `scheduled_time` strings; the `payload` key present (any JSON, null included); `name` (cron)
/// a string, `comment` a string or null, `created_at` (one-off) a string, each when present.
///
/// ```
/// use hookseal::hasura::check_scheduled;
/// let cron = br#"{"id":"0f4c","name":"daily","scheduled_time":"2026-12-02T00:00:00Z","payload":null}"#;
/// assert!(check_scheduled(cron).is_ok());
/// assert_eq!(check_scheduled(br#"{"id":"0f4c","scheduled_time":"x"}"#).unwrap_err().code(), "malformed_payload");
/// ```
pub fn check_scheduled(json: &[u8]) -> Result<(), Error> {
    scheduled_value(&parse_payload(SCHEDULED, json)?)
}

/// Which kind of delivery Hasura sent.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum DeliveryKind {
    /// An Event Trigger (a row changed, or a MANUAL invocation).
    Event,
    /// A cron or one-off scheduled event.
    Scheduled,
}

impl DeliveryKind {
    /// `"event"` or `"scheduled"`, as every face spells it.
    pub const fn as_str(self) -> &'static str {
        match self {
            DeliveryKind::Event => "event",
            DeliveryKind::Scheduled => "scheduled",
        }
    }
}

/// What identifies a delivery: its kind and its `id` (the same on every retry and redelivery).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct DeliveryInfo {
    /// Event Trigger or scheduled event.
    pub kind: DeliveryKind,
    /// The delivery's `id` (Hasura's `event_log` / scheduled-event row id).
    pub id: String,
}

impl DeliveryInfo {
    /// The replay-guard key of this delivery: [`delivery_key`] of its id.
    pub fn replay_key(&self) -> String {
        delivery_key(&self.id)
    }
}

/// The replay-guard key of a Hasura delivery: `"hasura:"` followed by the lower-case hex SHA-256
/// of `id`. Hygraph keys are bare hex, so the two never collide in one store.
///
/// ```
/// assert_eq!(
///     hookseal::hasura::delivery_key("85558393-c75d-4d2f-9c15-e80591b83894").len(),
///     "hasura:".len() + 64
/// );
/// ```
pub fn delivery_key(id: &str) -> String {
    format!("hasura:{}", crate::util::sha256_hex(id.as_bytes()))
}

/// The kind of a parsed delivery body, or why it is none: a body with an `event` key is an Event
/// Trigger, one with `scheduled_time` a scheduled event.
pub(crate) fn delivery_kind(v: &JsValue) -> Result<DeliveryKind, Error> {
    if field(v, "event").is_some() {
        return Ok(DeliveryKind::Event);
    }
    if field(v, "scheduled_time").is_some() {
        return Ok(DeliveryKind::Scheduled);
    }
    let wrapped = field(v, "payload").is_some_and(|p| field(p, "event").is_some());
    Err(Error::MalformedPayload(if wrapped {
        "not a Hasura Event Trigger or scheduled event payload: the body is wrapped in a \"payload\" \
         key, as Hasura's docs page shows it; the engine sends the event's keys (id, event, table, \
         trigger) at the top level"
            .into()
    } else {
        "not a Hasura Event Trigger or scheduled event payload: the body has neither an `event` key \
         (Event Trigger) nor a `scheduled_time` key (cron or one-off scheduled event)"
            .into()
    }))
}

fn string_of(v: Option<&JsValue>) -> String {
    match v {
        Some(JsValue::String(s)) => String::from_utf8_lossy(s).into_owned(),
        _ => String::new(),
    }
}

pub(crate) fn delivery_value(v: &JsValue) -> Result<DeliveryInfo, Error> {
    let kind = delivery_kind(v)?;
    match kind {
        DeliveryKind::Event => event_value(v)?,
        DeliveryKind::Scheduled => scheduled_value(v)?,
    }
    Ok(DeliveryInfo { kind, id: string_of(field(v, "id")) })
}

/// Checks a delivery of Hasura's event system and says what it is: an Event Trigger (the body
/// has an `event` key; [`check_event`]'s rule) or a scheduled event (`scheduled_time`;
/// [`check_scheduled`]'s rule). Anything else is `malformed_payload`.
///
/// ```
/// use hookseal::hasura::{check_delivery, delivery_key, DeliveryKind};
/// let cron = br#"{"id":"0f4c","name":"daily","scheduled_time":"2026-12-02T00:00:00Z","payload":{}}"#;
/// let d = check_delivery(cron)?;
/// assert_eq!((d.kind, d.kind.as_str(), d.id.as_str()), (DeliveryKind::Scheduled, "scheduled", "0f4c"));
/// assert_eq!(d.replay_key(), delivery_key("0f4c"));
/// assert_eq!(check_delivery(b"{}").unwrap_err().code(), "malformed_payload");
/// # Ok::<(), hookseal::Error>(())
/// ```
pub fn check_delivery(json: &[u8]) -> Result<DeliveryInfo, Error> {
    delivery_value(&parse_payload("Event Trigger or scheduled event", json)?)
}
