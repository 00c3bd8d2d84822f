//! Property tests: sign→verify round-trips, any single change fails, the streamed envelope equals
//! the one serde_json builds in memory, and no input makes the verifiers panic.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use hookseal::ecma::{parse_json, quote, reserialize};
use hookseal::hygraph::{compat, envelope, sign, Verifier};
use hookseal::{Error, Secret, Secrets};
use proptest::prelude::*;

fn any_secret() -> impl Strategy<Value = String> {
    "[!-~][ -~]{0,40}[!-~]|[!-~]"
}

fn any_env() -> impl Strategy<Value = String> {
    "[A-Za-z0-9_-]{1,24}"
}

fn any_t() -> impl Strategy<Value = u64> {
    0u64..=9_999_999_999_999_999
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn sign_then_verify_round_trips(secret in any_secret(), body in any::<String>(), env in any_env(), t in any_t()) {
        let header = sign(&Secret::new(&secret).unwrap(), &body, &env, t);
        let v = Verifier::new([&secret]).unwrap().tolerance(None).unwrap();
        let ok = v.verify_at(body.as_bytes(), &header, t).unwrap();
        prop_assert_eq!(ok.environment, env);
        prop_assert_eq!(ok.timestamp_ms, t);
        let secrets = Secrets::new([&secret]).unwrap();
        prop_assert!(compat::verify(&secrets, Some(header.as_bytes()), Some(body.as_bytes()), None) || body.is_empty());
    }

    #[test]
    fn any_single_byte_change_to_the_body_fails(body in "[ -~é😀<>&\"\\\\\n]{1,200}", at in any::<prop::sample::Index>(), to in any::<u8>()) {
        let header = sign(&Secret::new("k").unwrap(), &body, "master", 1);
        let mut raw = body.clone().into_bytes();
        let i = at.index(raw.len());
        prop_assume!(raw[i] != to);
        raw[i] = to;
        let v = Verifier::new(["k"]).unwrap().tolerance(None).unwrap();
        let r = v.verify_at(&raw, &header, 1);
        prop_assert!(matches!(r, Err(Error::SignatureMismatch | Error::MalformedBody { .. })), "{:?}", r);
    }

    #[test]
    fn any_single_change_to_the_header_fails(body in "[ -~]{0,64}", env in any_env(), t in 1u64..=999_999_999_999_999, at in any::<prop::sample::Index>(), to in "[A-Za-z0-9+/=, ]") {
        let header = sign(&Secret::new("k").unwrap(), &body, &env, t);
        let mut chars: Vec<char> = header.chars().collect();
        let i = at.index(chars.len());
        let to = to.chars().next().unwrap();
        prop_assume!(chars[i] != to);
        chars[i] = to;
        let tampered: String = chars.into_iter().collect();
        let v = Verifier::new(["k"]).unwrap().tolerance(None).unwrap();
        let r = v.verify_at(body.as_bytes(), &tampered, t);
        // The one change that keeps the meaning: a space next to a comma, or a leading zero in t.
        if let Ok(ok) = &r {
            prop_assert_eq!(&ok.environment, &env);
            prop_assert_eq!(ok.timestamp_ms, t);
            prop_assert!(tampered.replace(' ', "") == header.replace(' ', "") || tampered.contains("t=0"), "{} accepted", tampered);
        }
    }

    #[test]
    fn flipping_any_mac_bit_fails(body in "[ -~]{0,64}", bit in 0usize..256) {
        use base64::Engine as _;
        let b64 = base64::engine::general_purpose::STANDARD;
        let header = sign(&Secret::new("k").unwrap(), &body, "master", 5);
        let sign_b64 = header.split(", ").next().unwrap().trim_start_matches("sign=");
        let mut mac = b64.decode(sign_b64).unwrap();
        mac[bit / 8] ^= 1 << (bit % 8);
        let tampered = header.replace(sign_b64, &b64.encode(&mac));
        let v = Verifier::new(["k"]).unwrap().tolerance(None).unwrap();
        prop_assert_eq!(v.verify_at(body.as_bytes(), &tampered, 5).unwrap_err(), Error::SignatureMismatch);
        prop_assert!(!compat::verify(&Secrets::new(["k"]).unwrap(), Some(tampered.as_bytes()), Some(body.as_bytes()), None));
    }

    #[test]
    fn streamed_envelope_equals_serde_json(body in any::<String>(), env in any::<String>(), t in any_t()) {
        let want = serde_json::to_string(&serde_json::json!({"Body": body, "EnvironmentName": env, "TimeStamp": t})).unwrap();
        let got = envelope::build((!body.is_empty()).then_some(body.as_bytes()), env.as_bytes(), t as f64, false);
        if t < (1u64 << 53) && !body.is_empty() {
            prop_assert_eq!(String::from_utf8(got).unwrap(), want);
        }
    }

    #[test]
    fn quote_parses_back(s in any::<String>()) {
        let q = quote(&s);
        let back: String = serde_json::from_str(&q).unwrap();
        prop_assert_eq!(back, s);
    }

    #[test]
    fn reserialize_is_idempotent_and_valid(v in arb_json()) {
        let text = serde_json::to_string(&v).unwrap();
        let once = reserialize(text.as_bytes()).unwrap();
        let twice = reserialize(once.as_bytes()).unwrap();
        prop_assert_eq!(&once, &twice);
        prop_assert!(serde_json::from_str::<serde_json::Value>(&once).is_ok());
        prop_assert!(parse_json(once.as_bytes()).is_ok());
    }

    #[test]
    fn verifiers_never_panic(header in any::<String>(), body in any::<Vec<u8>>(), now in any::<u64>()) {
        let v = Verifier::new(["k", "second"]).unwrap();
        if let Err(e) = v.verify_at(&body, &header, now) {
            prop_assert!(Error::CODES.contains(&e.code()));
        }
        let _ = compat::verify(&Secrets::new(["k"]).unwrap(), Some(header.as_bytes()), Some(&body), None);
        let _ = compat::parse_header(&body);
        let _ = reserialize(&body);
    }
}

fn arb_json() -> impl Strategy<Value = serde_json::Value> {
    use serde_json::Value;
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<f64>().prop_filter("finite", |f| f.is_finite()).prop_map(Value::from),
        any::<String>().prop_map(Value::String),
    ];
    leaf.prop_recursive(4, 64, 8, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..8).prop_map(Value::Array),
            prop::collection::btree_map("[a-z0-9]{0,6}", inner, 0..8)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}
