//! Runs tests/vectors/strict.json (strict Hygraph verification), shared-secret.json (shared-secret
//! header checks), hasura-session.json (auth-webhook answers) and replay.json (the replay guard's
//! token rule) through the core. The files are written by tests/gen/strict_vectors.py, an oracle
//! independent of this crate.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::PathBuf;

use hookseal::hasura::{self, Cache, SessionValue};
use hookseal::hygraph::Verifier;
use hookseal::replay::{Claim, MemoryGuard};
use hookseal::shared_secret::SharedSecret;
use serde_json::Value;

fn load(name: &str) -> Value {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/vectors").join(name);
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn strs(v: &Value) -> Vec<String> {
    v.as_array().unwrap().iter().map(|s| s.as_str().unwrap().to_owned()).collect()
}

fn body(case: &Value) -> Vec<u8> {
    match case.get("bodyHex").and_then(Value::as_str) {
        Some(hex) => {
            (0..hex.len()).step_by(2).map(|i| u8::from_str_radix(&hex[i..i + 2], 16).unwrap()).collect()
        }
        None => case["body"].as_str().unwrap().as_bytes().to_vec(),
    }
}

#[test]
fn strict_vectors() {
    let file = load("strict.json");
    let cases = file["cases"].as_array().unwrap();
    assert!(cases.len() >= 40);
    for case in cases {
        let name = case["name"].as_str().unwrap();
        let mut verifier = Verifier::new(strs(&case["secrets"])).unwrap();
        verifier = verifier.tolerance(case["tolerance"].as_u64()).unwrap();
        if !case["environments"].is_null() {
            verifier = verifier.environments(strs(&case["environments"])).unwrap();
        }
        let header = case["header"].as_str().unwrap_or("");
        let got = verifier.verify_at(&body(case), header, case["now"].as_u64().unwrap());
        let expect = &case["expect"];
        match (got, expect["error"].as_str()) {
            (Ok(v), None) => {
                assert_eq!(v.environment, expect["environment"].as_str().unwrap(), "{name}");
                assert_eq!(v.timestamp_ms, expect["timestamp"].as_u64().unwrap(), "{name}");
                assert_eq!(v.secret_index as u64, expect["secretIndex"].as_u64().unwrap(), "{name}");
            }
            (Err(e), Some(code)) => assert_eq!(e.code(), code, "{name}: {e}"),
            (got, _) => panic!("{name}: got {got:?}, want {expect}"),
        }
    }
}

#[test]
fn shared_secret_vectors() {
    let file = load("shared-secret.json");
    for case in file["cases"].as_array().unwrap() {
        let name = case["name"].as_str().unwrap();
        let checker = SharedSecret::new(case["header"].as_str().unwrap(), strs(&case["secrets"])).unwrap();
        // A header sent more than once arrives as several (name, value) pairs.
        let mut pairs: Vec<(&str, &[u8])> = Vec::new();
        for (k, v) in case["headers"].as_object().unwrap() {
            match v {
                Value::Array(values) => {
                    pairs.extend(values.iter().map(|x| (k.as_str(), x.as_str().unwrap().as_bytes())))
                }
                other => pairs.push((k.as_str(), other.as_str().unwrap().as_bytes())),
            }
        }
        let got = match checker.check_headers(pairs) {
            Ok(()) => "ok",
            Err(e) => e.code(),
        };
        assert_eq!(got, case["expect"].as_str().unwrap(), "{name}");
    }
}

#[test]
fn hasura_session_vectors() {
    let file = load("hasura-session.json");
    let cases = file["cases"].as_array().unwrap();
    assert!(cases.len() >= 30);
    for case in cases {
        let name = case["name"].as_str().unwrap();
        let session: Vec<(&str, SessionValue<'_>)> = case["session"]
            .as_array()
            .unwrap()
            .iter()
            .map(|pair| {
                let value = match &pair[1] {
                    Value::String(s) => SessionValue::Str(s),
                    Value::Bool(b) => SessionValue::Bool(*b),
                    n => SessionValue::Num(n.as_f64().unwrap()),
                };
                (pair[0].as_str().unwrap(), value)
            })
            .collect();
        let cache = match (case["maxAge"].as_u64(), case["expires"].as_u64()) {
            (Some(n), _) => Cache::MaxAge(n),
            (_, Some(t)) => Cache::Expires(t),
            _ => Cache::None,
        };
        let got = hasura::auth_response(&session, cache);
        let expect = &case["expect"];
        match (got, expect.get("ok")) {
            (Ok(pairs), Some(want)) => {
                let want: Vec<(String, String)> = want
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|p| (p[0].as_str().unwrap().to_owned(), p[1].as_str().unwrap().to_owned()))
                    .collect();
                assert_eq!(pairs, want, "{name}");
            }
            (Err(e), None) => {
                for m in expect["error"].as_array().unwrap() {
                    assert!(e.to_string().contains(m.as_str().unwrap()), "{name}: {e} should mention {m}");
                }
            }
            (got, _) => panic!("{name}: got {got:?}, want {expect}"),
        }
    }
}

#[test]
fn replay_vectors() {
    let file = load("replay.json");
    let cases = file["cases"].as_array().unwrap();
    assert!(cases.len() >= 10);
    for case in cases {
        let name = case["name"].as_str().unwrap();
        let g = MemoryGuard::default();
        for (i, step) in case["steps"].as_array().unwrap().iter().enumerate() {
            let (key, token) = (step["key"].as_str().unwrap(), step["token"].as_str().unwrap());
            let at = step["at"].as_u64().unwrap();
            let got = match step["op"].as_str().unwrap() {
                "claim" => Value::from(match g.claim(key, token, at, step["ttlMs"].as_u64().unwrap()) {
                    Claim::New => "new",
                    Claim::InProgress => "in_progress",
                    Claim::Done => "done",
                }),
                "complete" => Value::from(g.complete(key, token, at, step["ttlMs"].as_u64().unwrap())),
                "release" => Value::from(g.release(key, token, at)),
                op => panic!("{name}: unknown op {op}"),
            };
            assert_eq!(got, step["expect"], "{name}, step {i}: {step}");
        }
    }
}
