//! The host-MAC steps (`hookseal::hygraph::host`) give the answers of the one-step functions on
//! every shared vector: the drop-in cases of hygraph.json and the strict cases of strict.json,
//! with the MACs computed outside the core (here by the `hmac` crate), as a host would.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::PathBuf;

use hmac::{Hmac, Mac};
use hookseal::ecma::{reserialize, wtf8_from_utf16};
use hookseal::hygraph::host::{Compat, Step, Strict};
use hookseal::hygraph::{compat, Spelling, Verifier};
use hookseal::Secrets;
use serde_json::Value;

fn load(name: &str) -> Value {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/vectors").join(name);
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn wtf8(case: &Value, field: &str) -> Option<Vec<u8>> {
    if let Some(units) = case.get(format!("{field}Utf16")).and_then(Value::as_array) {
        let units: Vec<u16> = units.iter().map(|u| u.as_u64().unwrap() as u16).collect();
        return Some(wtf8_from_utf16(&units));
    }
    case.get(field).and_then(Value::as_str).map(|s| s.as_bytes().to_vec())
}

fn macs(keys: &[Vec<u8>], envelope: &[u8]) -> Vec<[u8; 32]> {
    keys.iter()
        .map(|k| {
            let mut m = Hmac::<sha2::Sha256>::new_from_slice(k).unwrap();
            m.update(envelope);
            m.finalize().into_bytes().into()
        })
        .collect()
}

#[test]
fn compat_steps_agree_with_verify() {
    let file = load("hygraph.json");
    let mut n = 0;
    for case in file["cases"].as_array().unwrap() {
        let name = case["name"].as_str().unwrap();
        let secret = case["secret"].as_str().unwrap();
        let keys = vec![secret.as_bytes().to_vec()];
        let signature = wtf8(case, "signature");
        let raw = wtf8(case, "rawPayload");
        let body_json = case["body"].as_str().map(|t| reserialize(t.as_bytes()).unwrap().into_bytes());
        let (sig, rp, bj) = (signature.as_deref(), raw.as_deref(), body_json.as_deref());
        let want = compat::verify(&Secrets::new([secret]).unwrap(), sig, rp, bj);
        let mut env = Vec::new();
        let c = Compat::new(1);
        let got = match c.begin(sig, rp, bj, &mut env) {
            false => false,
            true => {
                let mut spelling = Spelling::Js;
                loop {
                    match c.step(sig, rp, bj, spelling, &macs(&keys, &env), &mut env) {
                        Step::Done(v) => break v,
                        Step::Mac(s) => spelling = s,
                    }
                }
            }
        };
        assert_eq!(got, want, "{name}");
        assert_eq!(got, case["expected"].as_bool().unwrap(), "{name}");
        n += 1;
    }
    assert!(n >= 150);
}

fn strs(v: &Value) -> Vec<String> {
    v.as_array().unwrap().iter().map(|s| s.as_str().unwrap().to_owned()).collect()
}

#[test]
fn strict_steps_agree_with_verify_at() {
    let file = load("strict.json");
    for case in file["cases"].as_array().unwrap() {
        let name = case["name"].as_str().unwrap();
        let secrets = strs(&case["secrets"]);
        let keys: Vec<Vec<u8>> = secrets.iter().map(|s| s.as_bytes().to_vec()).collect();
        let mut v = Verifier::new(&secrets).unwrap().tolerance(case["tolerance"].as_u64()).unwrap();
        if !case["environments"].is_null() {
            v = v.environments(strs(&case["environments"])).unwrap();
        }
        let body: Vec<u8> = match case.get("bodyHex").and_then(Value::as_str) {
            Some(hex) => {
                (0..hex.len()).step_by(2).map(|i| u8::from_str_radix(&hex[i..i + 2], 16).unwrap()).collect()
            }
            None => case["body"].as_str().unwrap().as_bytes().to_vec(),
        };
        let header = case["header"].as_str().unwrap_or("");
        let now = case["now"].as_u64().unwrap();
        let want = v.verify_at(&body, header, now);
        let mut env = Vec::new();
        let s = Strict::new(&v);
        let got = match s.begin(&body, header, &mut env) {
            Err(e) => Err(e),
            Ok(()) => {
                let mut spelling = Spelling::Js;
                loop {
                    match s.step(&body, header, spelling, &macs(&keys, &env), now, &mut env) {
                        Step::Done(r) => break r,
                        Step::Mac(sp) => spelling = sp,
                    }
                }
            }
        };
        assert_eq!(format!("{got:?}"), format!("{want:?}"), "{name}");
    }
}

#[test]
fn a_wrong_number_of_macs_matches_nothing() {
    let v = Verifier::new(["a", "b"]).unwrap().tolerance(None).unwrap();
    let header = hookseal::hygraph::sign(&hookseal::Secret::new("a").unwrap(), "{}", "m", 5);
    let mut env = Vec::new();
    let s = Strict::new(&v);
    s.begin(b"{}", &header, &mut env).unwrap();
    let good = macs(&[b"a".to_vec()], &env);
    let Step::Done(r) = s.step(b"{}", &header, Spelling::Js, &good, 5, &mut env) else { panic!() };
    assert_eq!(r.unwrap_err().code(), "signature_mismatch");
    let both = macs(&[b"a".to_vec(), b"b".to_vec()], &env);
    let Step::Done(r) = s.step(b"{}", &header, Spelling::Js, &both, 5, &mut env) else { panic!() };
    assert_eq!(r.unwrap().secret_index, 0);
}
