//! Runs every case of the shared conformance vectors (tests/vectors/hygraph.json and
//! tests/vectors/js-serialization.json, generated from @hygraph/utils and Node) through the core.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::PathBuf;

use base64::Engine as _;
use hookseal::ecma::{number_to_string, parse_int, quote_wtf8, reserialize, wtf8_from_utf16};
use hookseal::hygraph::{compat, envelope};
use hookseal::{Secret, Secrets};
use serde_json::Value;

fn load(name: &str) -> Value {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/vectors").join(name);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap()
}

/// A string field as WTF-8, from `field` or its `fieldUtf16` twin; `None` when null or absent.
fn wtf8(case: &Value, field: &str) -> Option<Vec<u8>> {
    if let Some(units) = case.get(format!("{field}Utf16")).and_then(Value::as_array) {
        let units: Vec<u16> = units.iter().map(|u| u.as_u64().unwrap() as u16).collect();
        return Some(wtf8_from_utf16(&units));
    }
    case.get(field).and_then(Value::as_str).map(|s| s.as_bytes().to_vec())
}

#[test]
fn hygraph_drop_in_vectors() {
    let file = load("hygraph.json");
    let cases = file["cases"].as_array().unwrap();
    assert!(cases.len() >= 150, "expected the full vector set, got {}", cases.len());
    let mut failures = Vec::new();
    for case in cases {
        let name = case["name"].as_str().unwrap();
        let secret = case["secret"].as_str().unwrap();
        let secrets = Secrets::new([secret]).unwrap();
        let signature = wtf8(case, "signature");
        let raw = wtf8(case, "rawPayload");
        let body_json = case["body"].as_str().map(|t| reserialize(t.as_bytes()).unwrap().into_bytes());
        let got = compat::verify(&secrets, signature.as_deref(), raw.as_deref(), body_json.as_deref());
        if got != case["expected"].as_bool().unwrap() {
            failures.push(format!("{name}: verify gave {got}"));
        }
        // The envelope the core streams must be the reference's, byte for byte.
        if let (Some(env), Some(sig)) = (case["envelope"].as_str(), signature.as_deref()) {
            let h = compat::parse_header(sig).unwrap();
            let body = compat::select_body(raw.as_deref(), body_json.as_deref());
            let built = envelope::build(body, &h.environment, h.timestamp, false);
            if built != env.as_bytes() {
                failures.push(format!(
                    "{name}: envelope differs\n  ours {}\n  ref  {env}",
                    String::from_utf8_lossy(&built)
                ));
            }
            let mac = hookseal::hygraph::envelope_mac(
                &Secret::new(secret).unwrap(),
                body,
                &h.environment,
                h.timestamp,
                hookseal::hygraph::Spelling::Js,
            );
            let b64 = base64::engine::general_purpose::STANDARD.encode(mac);
            if Some(b64.as_str()) != case["mac"].as_str() {
                failures.push(format!("{name}: mac differs"));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} cases failed:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}

#[test]
fn strict_api_agrees_on_well_formed_raw_cases() {
    // Where a case's header fits the strict grammar and the raw payload is the whole body, the
    // strict verifier (window off) must agree with the drop-in.
    let file = load("hygraph.json");
    let mut checked = 0;
    for case in file["cases"].as_array().unwrap() {
        let (Some(sig), Some(raw)) = (case["signature"].as_str(), case["rawPayload"].as_str()) else {
            continue;
        };
        if case["body"].as_str().is_some() || raw.is_empty() {
            continue;
        }
        let Ok(h) = hookseal::hygraph::parse_header(sig) else { continue };
        // Only where both readings of the header name the same fields.
        let Some(c) = compat::parse_header(sig.as_bytes()) else { continue };
        let same = c.environment.as_ref() == h.environment.as_bytes()
            && c.timestamp == h.timestamp_ms as f64
            && c.sign.as_ref() == base64::engine::general_purpose::STANDARD.encode(h.sign).as_bytes();
        if !same {
            continue;
        }
        let v = hookseal::hygraph::Verifier::new([case["secret"].as_str().unwrap()])
            .unwrap()
            .tolerance(None)
            .unwrap();
        let got = v.verify_at(raw.as_bytes(), sig, 0).is_ok();
        assert_eq!(got, case["expected"].as_bool().unwrap(), "{}", case["name"]);
        checked += 1;
    }
    assert!(checked >= 100, "only {checked} cases applied");
}

#[test]
fn reserialize_vectors() {
    let file = load("js-serialization.json");
    let cases = file["reserialize"].as_array().unwrap();
    assert!(!cases.is_empty());
    for c in cases {
        let out = reserialize(c["input"].as_str().unwrap().as_bytes()).unwrap();
        assert_eq!(out, c["output"].as_str().unwrap(), "{}", c["name"]);
    }
}

#[test]
fn number_vectors() {
    let file = load("js-serialization.json");
    for c in file["numbers"].as_array().unwrap() {
        let bits = u64::from_str_radix(c["bits"].as_str().unwrap(), 16).unwrap();
        assert_eq!(number_to_string(f64::from_bits(bits)), c["output"].as_str().unwrap(), "{}", c["input"]);
    }
}

#[test]
fn quote_vectors() {
    let file = load("js-serialization.json");
    for c in file["quote"].as_array().unwrap() {
        let input = wtf8(c, "input").unwrap();
        assert_eq!(quote_wtf8(&input), c["output"].as_str().unwrap(), "{c}");
    }
}

#[test]
fn parse_int_vectors() {
    let file = load("js-serialization.json");
    for c in file["parseInt"].as_array().unwrap() {
        let input = wtf8(c, "input").unwrap();
        let want = u64::from_str_radix(c["outputBits"].as_str().unwrap(), 16).unwrap();
        let got = parse_int(&input);
        let same = got.to_bits() == want || (got.is_nan() && f64::from_bits(want).is_nan());
        assert!(same, "parseInt({:?}) = {got:e}, want {:e}", c["input"], f64::from_bits(want));
    }
}

/// A catalogue field: a string, or `{"repeat": s, "times": n}` for huge inputs.
fn materialize(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Object(o) => {
            let unit = o["repeat"].as_str().unwrap();
            Some(unit.repeat(o["times"].as_u64().unwrap() as usize))
        }
        _ => None,
    }
}

#[test]
fn bad_input_catalogue() {
    let file = load("bad-input.json");
    let secret = file["secret"].as_str().unwrap();
    let now = file["now"].as_u64().unwrap();
    let verifier = hookseal::hygraph::Verifier::new([secret])
        .unwrap()
        .tolerance(Some(file["tolerance"].as_u64().unwrap()))
        .unwrap();
    let secrets = Secrets::new([secret]).unwrap();
    let cases = file["cases"].as_array().unwrap();
    assert!(cases.len() >= 40);
    // `make leakcheck` runs this under valgrind, where the 100 MiB rows would take minutes.
    let skip_huge = std::env::var_os("HOOKSEAL_SKIP_HUGE").is_some();
    for case in cases {
        let name = case["name"].as_str().unwrap();
        if skip_huge && name.starts_with("hundred-mib") {
            continue;
        }
        let signature: Option<Vec<u8>> =
            wtf8(case, "signature").or_else(|| materialize(&case["signature"]).map(String::into_bytes));
        let body: Vec<u8> = match case.get("bodyHex").and_then(Value::as_str) {
            Some(hex) => {
                (0..hex.len()).step_by(2).map(|i| u8::from_str_radix(&hex[i..i + 2], 16).unwrap()).collect()
            }
            None => materialize(&case["body"]).unwrap().into_bytes(),
        };
        let drop_in = compat::verify(&secrets, signature.as_deref(), Some(&body), None);
        assert_eq!(drop_in, case["dropIn"].as_bool().unwrap(), "{name}: drop-in");
        let header = signature.as_deref().map(String::from_utf8_lossy).unwrap_or_default();
        let strict = match verifier.verify_at(&body, &header, now) {
            Ok(_) => "ok",
            Err(e) => e.code(),
        };
        assert_eq!(strict, case["strict"].as_str().unwrap(), "{name}: strict");
    }
}
