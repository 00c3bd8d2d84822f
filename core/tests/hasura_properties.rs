//! Property tests of the Hasura checks: one rule for the check and the typed parse (a body
//! parses exactly when it checks), on JSON documents built from Hasura's own field names so that
//! most of them come close to a real payload; and no input makes either panic.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
#![cfg(feature = "serde")]

use hookseal::hasura::{self, AuthMode};
use proptest::prelude::*;
use serde_json::{Map, Value};

const KEYS: &[&str] = &[
    "id",
    "created_at",
    "trigger",
    "table",
    "schema",
    "name",
    "event",
    "op",
    "data",
    "old",
    "new",
    "session_variables",
    "trace_context",
    "delivery_info",
    "current_retry",
    "max_retries",
    "scheduled_time",
    "payload",
    "comment",
    "action",
    "input",
    "request_query",
    "headers",
    "request",
    "x-hasura-role",
];

fn leaf() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        (-3i64..5_000_000_000).prop_map(Value::from),
        Just(Value::from(1.5)),
        Just(Value::from(-1)),
        prop::sample::select(vec![
            "INSERT",
            "UPDATE",
            "DELETE",
            "MANUAL",
            "TRUNCATE",
            "",
            "x",
            "2026-12-01T00:00:00Z"
        ])
        .prop_map(Value::from),
    ]
}

fn value() -> impl Strategy<Value = Value> {
    leaf().prop_recursive(5, 64, 8, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..3).prop_map(Value::Array),
            prop::collection::vec((prop::sample::select(KEYS.to_vec()), inner), 0..8).prop_map(|kv| {
                Value::Object(kv.into_iter().map(|(k, v)| (k.to_owned(), v)).collect::<Map<_, _>>())
            }),
        ]
    })
}

fn same_rule(body: &[u8]) -> Result<(), TestCaseError> {
    let d = hasura::check_delivery(body);
    let p = hasura::parse_delivery(body);
    prop_assert_eq!(d.is_ok(), p.is_ok(), "delivery: {:?} / {:?}", d, p.as_ref().err());
    if let (Ok(d), Ok(p)) = (&d, &p) {
        prop_assert_eq!((d.kind, d.id.as_str()), (p.kind(), p.id()));
    }
    prop_assert_eq!(hasura::check_event(body).is_ok(), hasura::parse_event(body).is_ok());
    prop_assert_eq!(hasura::check_scheduled(body).is_ok(), hasura::parse_scheduled(body).is_ok());
    prop_assert_eq!(hasura::check_action(body).is_ok(), hasura::parse_action(body).is_ok());
    for mode in [AuthMode::V2, AuthMode::Ddn] {
        let c = hasura::check_auth_request(mode, body);
        let t = hasura::parse_auth_request(mode, body);
        prop_assert_eq!(c.is_ok(), t.is_ok(), "{:?}: {:?} / {:?}", mode, c, t.err());
    }
    Ok(())
}

/// A real Event Trigger, to mutate.
const EVENT: &str = r#"{"event":{"session_variables":{"x-hasura-role":"admin"},"op":"INSERT","data":{"old":null,"new":{"id":1}},"trace_context":{"trace_id":"a","span_id":"b"}},"created_at":"2026-12-01T10:15:30.123456","id":"85558393","trigger":{"name":"t"},"table":{"schema":"public","name":"users"},"delivery_info":{"current_retry":0,"max_retries":0}}"#;

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2048))]

    #[test]
    fn the_typed_parse_accepts_exactly_what_the_check_accepts(v in value()) {
        same_rule(serde_json::to_string(&v).unwrap().as_bytes())?;
    }

    #[test]
    fn one_changed_field_of_a_real_event_follows_the_same_rule(path in prop::collection::vec(prop::sample::select(KEYS.to_vec()), 1..4), new in value()) {
        let mut doc: Value = serde_json::from_str(EVENT).unwrap();
        let ptr = |keys: &[&str]| keys.iter().map(|k| format!("/{k}")).collect::<String>();
        let mut depth = 0;
        while depth + 1 < path.len() && doc.pointer(&ptr(&path[..=depth])).is_some_and(Value::is_object) {
            depth += 1;
        }
        if let Some(Value::Object(o)) = doc.pointer_mut(&ptr(&path[..depth])) {
            o.insert(path[depth].to_owned(), new);
        }
        same_rule(serde_json::to_string(&doc).unwrap().as_bytes())?;
    }

    #[test]
    fn no_bytes_make_a_check_panic(body in prop::collection::vec(any::<u8>(), 0..200)) {
        same_rule(&body)?;
    }
}

#[test]
fn the_real_event_passes() {
    same_rule(EVENT.as_bytes()).unwrap();
    assert!(hasura::parse_event(EVENT.as_bytes()).is_ok());
    // Both directions are exercised: edits the rule accepts and edits it refuses.
    for (from, to, ok) in [
        (r#""current_retry":0"#, r#""current_retry":3"#, true),
        (r#""current_retry":0"#, r#""current_retry":1.5"#, false),
        (r#""current_retry":0"#, r#""current_retry":-1"#, false),
        (r#""current_retry":0"#, r#""current_retry":4294967296"#, false),
        (r#""session_variables":{"x-hasura-role":"admin"}"#, r#""session_variables":null"#, true),
        (r#""op":"INSERT""#, r#""op":"TRUNCATE""#, false),
        (r#""created_at":"2026-12-01T10:15:30.123456""#, r#""created_at":null"#, false),
        (r#""trace_context":{"trace_id":"a","span_id":"b"}"#, r#""trace_context":null"#, true),
    ] {
        let body = EVENT.replace(from, to);
        same_rule(body.as_bytes()).unwrap();
        assert_eq!(hasura::check_delivery(body.as_bytes()).is_ok(), ok, "{to}");
    }
}
