//! Runs tests/vectors/hasura-payloads.json (Hasura's bodies as its engine sends them, and
//! malformed ones) through the core's checks and typed parsers, and the auth cases of
//! hasura-wrappers.json through `auth_answer` (the part of the auth wrapper the core decides).
//! Both files are written by tests/gen/hasura_vectors.py, independent of this crate.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::PathBuf;

use hookseal::hasura::{self, AuthMode};
use serde_json::Value;

fn load(name: &str) -> Value {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/vectors").join(name);
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// The check of a case's kind; a delivery also gives `(kind, id, replay key)`.
fn check(kind: &str, body: &[u8]) -> Result<Option<(String, String, String)>, hookseal::Error> {
    match kind {
        "delivery" => hasura::check_delivery(body)
            .map(|d| Some((d.kind.as_str().to_owned(), d.id.clone(), d.replay_key()))),
        "action" => hasura::check_action(body).map(|()| None),
        "auth_v2" => hasura::check_auth_request(AuthMode::V2, body).map(|()| None),
        "auth_ddn" => hasura::check_auth_request(AuthMode::Ddn, body).map(|()| None),
        other => panic!("unknown kind {other}"),
    }
}

#[cfg(feature = "serde")]
fn parse(kind: &str, body: &[u8]) -> Result<(), hookseal::Error> {
    match kind {
        "delivery" => hasura::parse_delivery(body).map(drop),
        "action" => hasura::parse_action(body).map(drop),
        "auth_v2" => hasura::parse_auth_request(AuthMode::V2, body).map(drop),
        "auth_ddn" => hasura::parse_auth_request(AuthMode::Ddn, body).map(drop),
        other => panic!("unknown kind {other}"),
    }
}

#[test]
fn hasura_payload_vectors() {
    let doc = load("hasura-payloads.json");
    let cases = doc["cases"].as_array().unwrap();
    assert!(cases.len() >= 40);
    for case in cases {
        let name = case["name"].as_str().unwrap();
        let kind = case["kind"].as_str().unwrap();
        let body = case["body"].as_str().unwrap().as_bytes();
        let got = check(kind, body);
        if case["ok"].as_bool().unwrap() {
            let got = got.unwrap_or_else(|e| panic!("{name}: {e}"));
            if let Some(expect) = case.get("expect") {
                let (k, id, key) = got.unwrap();
                assert_eq!(k, expect["kind"].as_str().unwrap(), "{name}");
                assert_eq!(id, expect["id"].as_str().unwrap(), "{name}");
                assert_eq!(key, expect["replayKey"].as_str().unwrap(), "{name}");
                assert_eq!(key, hasura::delivery_key(&id), "{name}");
                if k == "event" {
                    assert!(hasura::check_event(body).is_ok(), "{name}");
                } else {
                    assert!(hasura::check_scheduled(body).is_ok(), "{name}");
                }
            }
        } else {
            let e = got.expect_err(name);
            assert_eq!(e.code(), case["code"].as_str().unwrap(), "{name}");
            assert!(e.to_string().starts_with("not a Hasura "), "{name}: {e}");
        }
        // One rule: a typed parse succeeds exactly when the check does.
        #[cfg(feature = "serde")]
        assert_eq!(parse(kind, body).is_ok(), case["ok"].as_bool().unwrap(), "{name}: typed parse");
    }
}

#[test]
fn hasura_auth_wrapper_vectors_through_auth_answer() {
    let doc = load("hasura-wrappers.json");
    let now = 1_764_633_600.25;
    let mut seen = 0;
    for case in doc["auth"].as_array().unwrap() {
        let name = case["name"].as_str().unwrap();
        let Some(resolve) = case["resolve"].as_object() else { continue };
        let status = case["expect"]["status"].as_u64().unwrap();
        if status == 400 {
            continue; // refused before resolve runs
        }
        let mode = AuthMode::from_name(case["options"]["mode"].as_str().unwrap()).unwrap();
        let max_age = resolve.get("maxAge").or(case["options"].get("maxAge")).and_then(Value::as_u64);
        let expires_at = resolve.get("expiresIn").and_then(Value::as_f64).map(|s| now + s);
        let session = serde_json::to_string(&resolve["session"]).unwrap();
        let got = hasura::auth_answer(mode, session.as_bytes(), max_age, expires_at, now);
        match status {
            200 => {
                let answer = got.unwrap_or_else(|e| panic!("{name}: {e}"));
                let body: Value = serde_json::from_str(&answer.body).unwrap();
                assert_eq!(body, case["expect"]["body"], "{name}");
                if mode == AuthMode::V2 {
                    let cc = body.get("Cache-Control").and_then(Value::as_str);
                    assert_eq!(cc, answer.lifetime_secs.map(|n| format!("max-age={n}")).as_deref(), "{name}");
                }
            }
            500 => {
                assert_eq!(case["expect"]["code"], "invalid_session", "{name}");
                assert!(got.is_err(), "{name}");
            }
            other => panic!("{name}: status {other}"),
        }
        seen += 1;
    }
    assert!(seen >= 10);
}

#[test]
fn wrapper_codes_are_one_list() {
    for code in hookseal::Error::WRAPPER_CODES {
        assert!(hookseal::Error::wrapper_status(code).is_some(), "{code}");
        assert!(!hookseal::Error::CODES.contains(code), "{code}");
    }
    assert_eq!(hookseal::Error::wrapper_status("replayed"), None);
}
