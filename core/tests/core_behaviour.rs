//! Behaviour of the core, case by case: serialization, header grammar, checks and their order,
//! shared secrets, Hasura helpers and the replay store.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use hookseal::ecma::{
    json_number, number_to_string, parse_int, parse_json, quote, quote_utf16, reserialize, wtf8_from_utf16,
    wtf8_to_utf16,
};
use hookseal::hygraph::{self, compat, envelope, parse_header, sign, Spelling, Verifier};
use hookseal::replay::{Claim, MemoryGuard};
use hookseal::shared_secret::{find_header, Lookup, SharedSecret};
use hookseal::{hasura, ConfigError, Error, Secret, Secrets};

const SECRET: &str = "rCNwyiloY3oJYYkxgpBXaleIiUv5MYlx";
const T: u64 = 1_700_000_000_000;

fn secret() -> Secret {
    Secret::new(SECRET).unwrap()
}

fn verifier() -> Verifier {
    Verifier::new([SECRET]).unwrap()
}

fn code(r: Result<hygraph::Verified, Error>) -> &'static str {
    match r {
        Ok(_) => "ok",
        Err(e) => e.code(),
    }
}

// ------------------------------------------------------------------ quoting and numbers

#[test]
fn quote_short_escapes() {
    assert_eq!(quote("\u{8}\u{c}\n\r\t\"\\"), r#""\b\f\n\r\t\"\\""#);
}

#[test]
fn quote_other_controls_lower_hex() {
    assert_eq!(quote("\u{0}\u{1}\u{1f}\u{b}"), r#""\u0000\u0001\u001f\u000b""#);
}

#[test]
fn quote_leaves_del_slash_and_unicode() {
    assert_eq!(quote("\u{7f}/é😀\u{2028}<>&"), "\"\u{7f}/é😀\u{2028}<>&\"");
}

#[test]
fn quote_long_input_crosses_blocks() {
    let s = format!("{}\"{}\\{}", "a".repeat(63), "b".repeat(64), "c".repeat(300));
    let want = format!("\"{}\\\"{}\\\\{}\"", "a".repeat(63), "b".repeat(64), "c".repeat(300));
    assert_eq!(quote(&s), want);
}

#[test]
fn quote_lone_surrogates_from_utf16() {
    assert_eq!(quote_utf16(&[0x61, 0xD800, 0x62]), r#""a\ud800b""#);
    assert_eq!(quote_utf16(&[0xDFFF]), r#""\udfff""#);
    assert_eq!(quote_utf16(&[0xDC00, 0xD800]), r#""\udc00\ud800""#);
    assert_eq!(quote_utf16(&[0xD83D, 0xDE00]), "\"😀\"");
}

#[test]
fn quote_joins_a_pair_split_in_wtf8() {
    // Python's surrogatepass writes a pair as two 3-byte sequences; JS sees one character.
    let bytes = "\u{1F600}"
        .encode_utf16()
        .flat_map(|u| [0xE0 | (u >> 12) as u8, 0x80 | ((u >> 6) & 0x3F) as u8, 0x80 | (u & 0x3F) as u8]);
    let wtf8: Vec<u8> = bytes.collect();
    assert_eq!(hookseal::ecma::quote_wtf8(&wtf8), "\"😀\"");
}

#[test]
fn hangul_is_not_a_surrogate() {
    // U+D55C starts with 0xED in UTF-8 but is an ordinary character.
    assert_eq!(quote("한국어"), "\"한국어\"");
}

#[test]
fn utf16_round_trip() {
    let units = [0x61, 0xD800, 0xD83D, 0xDE00, 0xDFFF, 0x20AC];
    assert_eq!(wtf8_to_utf16(&wtf8_from_utf16(&units)), units);
}

#[test]
fn numbers_like_js() {
    let cases = [
        (0.0, "0"),
        (-0.0, "0"),
        (1e21, "1e+21"),
        (1e20, "100000000000000000000"),
        (1e-7, "1e-7"),
        (1e-6, "0.000001"),
        (0.1, "0.1"),
        (-1.5, "-1.5"),
        (5e-324, "5e-324"),
        (f64::MAX, "1.7976931348623157e+308"),
        (123456789012345680000.0, "123456789012345680000"),
    ];
    for (x, want) in cases {
        assert_eq!(number_to_string(x), want, "{x:e}");
    }
    assert_eq!(number_to_string(f64::NAN), "NaN");
    assert_eq!(number_to_string(f64::INFINITY), "Infinity");
    assert_eq!(json_number(f64::NAN), "null");
    assert_eq!(json_number(f64::NEG_INFINITY), "null");
    assert_eq!(json_number(-0.0), "0");
}

#[test]
fn parse_int_like_js() {
    let s = |x: &str| number_to_string(parse_int(x.as_bytes()));
    assert_eq!(s("  12abc"), "12");
    assert_eq!(s("\u{a0}\u{feff}\u{3000}7"), "7");
    assert_eq!(s("+5"), "5");
    assert_eq!(s("-0"), "0");
    assert!(parse_int(b"-0").is_sign_negative());
    assert_eq!(s("0x1A"), "26");
    assert_eq!(s("0X1a"), "26");
    assert_eq!(s("1e5"), "1");
    assert_eq!(s("1.9"), "1");
    assert_eq!(s(""), "NaN");
    assert_eq!(s("-"), "NaN");
    assert_eq!(s("0x"), "NaN");
    assert_eq!(s("abc"), "NaN");
    assert_eq!(s("1234567890123456789012"), "1.2345678901234568e+21");
    assert_eq!(s("0x20000000000001"), "9007199254740992");
    assert_eq!(s("0x20000000000003"), "9007199254740996");
    assert_eq!(s(&format!("0x1{}", "0".repeat(300))), "Infinity");
}

// ------------------------------------------------------------------ JSON.stringify(JSON.parse(x))

#[test]
fn reserialize_orders_integer_keys_first() {
    assert_eq!(reserialize(br#"{"b":1,"2":1,"1":1,"a":1}"#).unwrap(), r#"{"1":1,"2":1,"b":1,"a":1}"#);
    assert_eq!(
        reserialize(br#"{"x":0,"4294967295":1,"4294967294":2,"01":3,"-1":4,"1.5":5,"0":6}"#).unwrap(),
        r#"{"0":6,"4294967294":2,"x":0,"4294967295":1,"01":3,"-1":4,"1.5":5}"#
    );
}

#[test]
fn reserialize_duplicate_keys_keep_first_position_last_value() {
    assert_eq!(reserialize(br#"{"a":1,"b":2,"a":3}"#).unwrap(), r#"{"a":3,"b":2}"#);
    let many: String = (0..30).map(|i| format!("\"k{i}\":{i},")).collect();
    let text = format!("{{{many}\"k3\":99}}");
    let out = reserialize(text.as_bytes()).unwrap();
    assert!(out.starts_with(r#"{"k0":0,"k1":1,"k2":2,"k3":99,"k4":4"#), "{out}");
}

#[test]
fn reserialize_numbers_through_doubles() {
    assert_eq!(
        reserialize(
            b"[1.0,1e21,1E+2,-0,-0.0,1e400,-1e400,123456789012345678901234567890,9007199254740993,0.1]"
        )
        .unwrap(),
        "[1,1e+21,100,0,0,null,null,1.2345678901234568e+29,9007199254740992,0.1]"
    );
}

#[test]
fn reserialize_strings_and_whitespace() {
    assert_eq!(
        reserialize(b" { \"a\" : [ \"\\u00e9\\/\\ud800\\ud83d\\ude00\\u2028<\" , true , null ] } ").unwrap(),
        "{\"a\":[\"é/\\ud800😀\u{2028}<\",true,null]}"
    );
}

#[test]
fn json_parse_rejects_what_js_rejects() {
    for bad in [
        &b""[..],
        b"{",
        b"[1,]",
        b"{\"a\":1,}",
        b"01",
        b"1.",
        b".5",
        b"-",
        b"+1",
        b"\"\t\"",
        b"\"\\x\"",
        b"'a'",
        b"NaN",
        b"[1] x",
        b"{a:1}",
        b"\"\\u12\"",
    ] {
        assert!(parse_json(bad).is_err(), "{:?}", String::from_utf8_lossy(bad));
    }
}

#[test]
fn json_depth_is_bounded_without_crashing() {
    let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    assert!(parse_json(deep.as_bytes()).is_err());
    let ok = format!("{}{}", "[".repeat(500), "]".repeat(500));
    assert!(parse_json(ok.as_bytes()).is_ok());
}

// ------------------------------------------------------------------ envelope

#[test]
fn envelope_layout() {
    let e = envelope::build(Some(br#"{"h":"<p>"}"#), b"master", 1.0, false);
    assert_eq!(e, br#"{"Body":"{\"h\":\"<p>\"}","EnvironmentName":"master","TimeStamp":1}"#);
}

#[test]
fn envelope_without_body_leaves_the_key_out() {
    let e = envelope::build(None, b"master", f64::NAN, false);
    assert_eq!(e, br#"{"EnvironmentName":"master","TimeStamp":null}"#);
}

#[test]
fn envelope_html_spelling() {
    let e = envelope::build(Some("{\"h\":\"<p>&\u{2028}\u{2029}</p>\"}".as_bytes()), b"m", 5.0, true);
    assert_eq!(
        String::from_utf8(e).unwrap(),
        r#"{"Body":"{\"h\":\"\\u003cp\\u003e\\u0026\\u2028\\u2029\\u003c/p\\u003e\"}","EnvironmentName":"m","TimeStamp":5}"#
    );
}

// ------------------------------------------------------------------ strict header grammar

fn valid_header(body: &str) -> String {
    sign(&secret(), body, "master", T)
}

#[test]
fn header_fields_in_any_order_with_spaces() {
    let h = valid_header("{}");
    let sign_part = h.split(", ").next().unwrap();
    for variant in [
        format!("t={T}, env=master, {sign_part}"),
        format!("{sign_part},env=master,t={T}"),
        format!("  {sign_part} ,  env=master , t={T}  "),
        format!("{sign_part}, v=1, env=master, extra=x=y, t={T}"),
    ] {
        assert_eq!(code(verifier().verify_at(b"{}", &variant, T)), "ok", "{variant}");
    }
}

#[test]
fn header_missing_or_empty() {
    assert_eq!(parse_header("").unwrap_err(), Error::MissingSignature);
    assert_eq!(parse_header("   ").unwrap_err(), Error::MissingSignature);
}

#[test]
fn header_grammar_violations_are_malformed() {
    let h = valid_header("{}");
    let sign_part = h.split(", ").next().unwrap().to_owned();
    let b64 = sign_part.trim_start_matches("sign=").to_owned();
    let bad = [
        format!("{sign_part}, env=master"),
        format!("env=master, t={T}"),
        format!("{sign_part}, {sign_part}, env=master, t={T}"),
        format!("{sign_part}, env=master, env=master, t={T}"),
        format!("{sign_part},, env=master, t={T}"),
        format!("{sign_part}, env, t={T}"),
        format!("SIGN={b64}, env=master, t={T}"),
        format!("sign={}, env=master, t={T}", b64.trim_end_matches('=')),
        format!("sign={}, env=master, t={T}", b64.replace('+', "-").replace('/', "_")),
        format!("sign={b64}A, env=master, t={T}"),
        format!("sign={}, env=master, t={T}", &b64[..40]),
        format!("{sign_part}, env=, t={T}"),
        format!("{sign_part}, env=ma\u{1}ster, t={T}"),
        format!("{sign_part}, env=master, t="),
        format!("{sign_part}, env=master, t=+{T}"),
        format!("{sign_part}, env=master, t=0x1A"),
        format!("{sign_part}, env=master, t=1e12"),
        format!("{sign_part}, env=master, t=12345678901234567"),
        format!("{sign_part}, env=master, t={T}.5"),
        format!("{sign_part}, env={}, t={T}", "m".repeat(1100)),
        format!("{sign_part}\tenv=master\tt={T}"),
    ];
    for h in bad {
        assert_eq!(code(verifier().verify_at(b"{}", &h, T)), "malformed_signature", "{h:.80}");
    }
}

#[test]
fn non_canonical_base64_trailing_bits_rejected() {
    let h = valid_header("{}");
    let b64 = h.split(", ").next().unwrap().trim_start_matches("sign=");
    // The 43rd char carries 2 unused bits; flipping one keeps the bytes but breaks canonicity.
    let mut chars: Vec<char> = b64.chars().collect();
    const A: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let idx = A.find(chars[42]).unwrap();
    chars[42] = A.as_bytes()[idx ^ 1] as char;
    let tweaked: String = chars.into_iter().collect();
    let header = format!("sign={tweaked}, env=master, t={T}");
    assert_eq!(code(verifier().verify_at(b"{}", &header, T)), "malformed_signature");
}

#[test]
fn sixteen_digit_timestamps_parse() {
    assert_eq!(
        parse_header(&valid_header("x").replace(&T.to_string(), "9999999999999999")).unwrap().timestamp_ms,
        9_999_999_999_999_999
    );
}

// ------------------------------------------------------------------ strict checks and their order

#[test]
fn valid_delivery_reports_environment_timestamp_and_index() {
    let v = verifier().verify_at(b"{\"a\":1}", &valid_header("{\"a\":1}"), T + 1000).unwrap();
    assert_eq!(
        (v.environment.as_str(), v.timestamp_ms, v.secret_index, v.spelling),
        ("master", T, 0, Spelling::Js)
    );
}

#[test]
fn tampered_body_env_or_timestamp_fail() {
    let h = valid_header("{\"a\":1}");
    assert_eq!(code(verifier().verify_at(b"{\"a\":2}", &h, T)), "signature_mismatch");
    assert_eq!(
        code(verifier().verify_at(b"{\"a\":1}", &h.replace("master", "Master"), T)),
        "signature_mismatch"
    );
    assert_eq!(
        code(verifier().verify_at(b"{\"a\":1}", &h.replace(&T.to_string(), &(T + 1).to_string()), T)),
        "signature_mismatch"
    );
}

#[test]
fn wrong_secret_fails() {
    let v = Verifier::new(["another-secret"]).unwrap();
    assert_eq!(code(v.verify_at(b"x", &valid_header("x"), T)), "signature_mismatch");
}

#[test]
fn rotation_reports_the_matching_index() {
    let v = Verifier::new(["old-secret", SECRET, "third"]).unwrap();
    assert_eq!(v.verify_at(b"x", &valid_header("x"), T).unwrap().secret_index, 1);
}

#[test]
fn window_edges_both_directions() {
    let h = valid_header("x");
    let v = verifier();
    assert_eq!(code(v.verify_at(b"x", &h, T + 300_000)), "ok");
    assert_eq!(code(v.verify_at(b"x", &h, T + 300_001)), "timestamp_too_old");
    assert_eq!(code(v.verify_at(b"x", &h, T - 300_000)), "ok");
    assert_eq!(code(v.verify_at(b"x", &h, T - 300_001)), "timestamp_in_future");
}

#[test]
fn window_off_accepts_any_age() {
    let v = verifier().tolerance(None).unwrap();
    assert_eq!(code(v.verify_at(b"x", &valid_header("x"), T * 2)), "ok");
    assert_eq!(code(v.verify_at(b"x", &valid_header("x"), 0)), "ok");
}

#[test]
fn skew_is_in_the_message() {
    let e = verifier().verify_at(b"x", &valid_header("x"), T + 3_600_000).unwrap_err();
    assert_eq!(e, Error::TimestampTooOld { skew_secs: 3600, tolerance_secs: 300 });
    assert!(e.to_string().contains("3600 s old"), "{e}");
    let e = verifier().verify_at(b"x", &valid_header("x"), T - 700_000).unwrap_err();
    assert_eq!(e, Error::TimestampInFuture { skew_secs: 700, tolerance_secs: 300 });
    assert!(e.to_string().contains("700 s in the future"), "{e}");
}

#[test]
fn environments_are_checked_after_the_mac() {
    let v = verifier().environments(["production"]).unwrap();
    let e = v.verify_at(b"x", &valid_header("x"), T).unwrap_err();
    assert_eq!(e.code(), "environment_not_allowed");
    assert!(e.to_string().contains("\"master\""));
    // A forged header for an unlisted environment is a MAC failure, not an environment one.
    assert_eq!(code(v.verify_at(b"y", &valid_header("x"), T)), "signature_mismatch");
}

#[test]
fn mac_is_checked_before_the_window() {
    assert_eq!(code(verifier().verify_at(b"y", &valid_header("x"), T + 10_000_000)), "signature_mismatch");
}

#[test]
fn non_utf8_body_is_malformed_body() {
    let e = verifier().verify_at(b"ab\xffcd", &valid_header("x"), T).unwrap_err();
    assert_eq!(e, Error::MalformedBody { valid_up_to: 2 });
}

#[test]
fn empty_body_signs_without_body_key() {
    assert_eq!(code(verifier().verify_at(b"", &valid_header(""), T)), "ok");
    let s = secret();
    let mac = hygraph::envelope_mac(&s, None, b"master", T as f64, Spelling::Js);
    let h = valid_header("");
    assert!(h.contains(&base64_std(&mac)));
}

fn base64_std(b: &[u8]) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.encode(b)
}

#[test]
fn html_escaped_variant_verifies_parsed_spelling() {
    let go_spelled = r#"{"html":"\u003cp\u003eHi \u0026 bye\u003c/p\u003e"}"#;
    let parsed = r#"{"html":"<p>Hi & bye</p>"}"#;
    let h = valid_header(go_spelled);
    assert_eq!(code(verifier().verify_at(go_spelled.as_bytes(), &h, T)), "ok");
    let v = verifier().verify_at(parsed.as_bytes(), &h, T).unwrap();
    assert_eq!(v.spelling, Spelling::HtmlEscaped);
}

#[test]
fn html_variant_not_tried_for_non_json() {
    let go_spelled = r#"<p>not json \u0026</p>"#;
    let h = valid_header(go_spelled);
    assert_eq!(code(verifier().verify_at(b"<p>not json &</p>", &h, T)), "signature_mismatch");
}

#[test]
fn config_errors() {
    assert_eq!(Verifier::new(Vec::<&str>::new()).unwrap_err(), ConfigError::NoSecret);
    assert_eq!(Verifier::new([""]).unwrap_err(), ConfigError::EmptySecret);
    assert_eq!(Verifier::new([" \n\t"]).unwrap_err(), ConfigError::BlankSecret);
    assert_eq!(verifier().environments(Vec::<String>::new()).unwrap_err(), ConfigError::NoEnvironments);
    assert!(verifier().tolerance(Some(u64::MAX)).is_err());
    assert!(Secret::new(" padded\n").unwrap().has_edge_whitespace());
    assert!(!secret().has_edge_whitespace());
}

#[test]
fn secrets_never_print() {
    let s = format!("{:?} {:?} {:?}", secret(), verifier(), Secrets::new([SECRET, "two"]).unwrap());
    assert!(!s.contains(SECRET) && !s.contains("two"), "{s}");
    assert!(s.contains("redacted"));
    let shared = SharedSecret::new("x-key", [SECRET]).unwrap();
    assert!(!format!("{shared:?}").contains(SECRET));
}

#[test]
fn messages_never_hold_secret_mac_or_body() {
    let body = "{\"very\":\"private body text\"}";
    let h = valid_header(body);
    let mac = h.split(", ").next().unwrap().trim_start_matches("sign=").to_owned();
    let errors = [
        verifier().verify_at(b"{\"other\":1}", &h, T).unwrap_err(),
        Verifier::new(["wrong"]).unwrap().verify_at(body.as_bytes(), &h, T).unwrap_err(),
        verifier().verify_at(body.as_bytes(), &h, T + 10_000_000).unwrap_err(),
        verifier().verify_at(body.as_bytes(), &h.replace(", t=", ",, t="), T).unwrap_err(),
    ];
    for e in errors {
        let text = format!("{e} {e:?}");
        assert!(!text.contains(SECRET) && !text.contains(&mac) && !text.contains("private"), "{text}");
    }
}

#[test]
fn every_code_is_listed() {
    assert_eq!(Error::CODES.len(), 11);
    assert!(Error::CODES.contains(&Error::SignatureMismatch.code()));
}

#[test]
fn replay_key_is_sha256_of_sign() {
    let h = valid_header("x");
    let v = verifier().verify_at(b"x", &h, T).unwrap();
    let sign = h.split(", ").next().unwrap().trim_start_matches("sign=");
    assert_eq!(v.replay_key(), hookseal::replay::key_for_sign(sign.as_bytes()));
    assert_eq!(v.replay_key().len(), 64);
}

// ------------------------------------------------------------------ drop-in (compat)

fn secrets() -> Secrets {
    Secrets::new([SECRET]).unwrap()
}

#[test]
fn compat_round_trip_with_raw_payload_and_body() {
    let h = compat::generate(&secret(), Some(b"{\"a\":1}"), None, b"master", T as f64);
    assert!(compat::verify(&secrets(), Some(&h), Some(b"{\"a\":1}"), None));
    assert!(compat::verify(&secrets(), Some(&h), None, Some(b"{\"a\":1}")));
    assert!(compat::verify(&secrets(), Some(&h), Some(b""), Some(b"{\"a\":1}")));
    assert!(!compat::verify(&secrets(), Some(&h), Some(b"{\"a\":2}"), None));
}

#[test]
fn compat_header_quirks() {
    let h = compat::parse_header(b"xsign=abc, env=envenv=x, t=  0x1F").unwrap();
    assert_eq!(&*h.sign, b"xabc");
    assert_eq!(&*h.environment, b"envenv=x");
    assert_eq!(h.timestamp, 31.0);
    let h = compat::parse_header(b"sign=a, env=b, t=5, extra, more").unwrap();
    assert_eq!(h.timestamp, 5.0);
    assert!(compat::parse_header(b"sign=a,env=b,t=5").is_none());
    assert!(compat::parse_header(b"sign=a, env=b").is_none());
    assert!(compat::parse_header(b"").is_none());
    assert!(compat::parse_header(b"t=1, sign=a, env=b").unwrap().timestamp.is_nan());
}

#[test]
fn compat_nan_timestamp_is_null_in_the_envelope() {
    let h = compat::generate(&secret(), Some(b"x"), None, b"master", f64::NAN);
    assert!(h.ends_with(b", t=NaN"));
    let header = String::from_utf8(h).unwrap().replace("t=NaN", "t=abc");
    assert!(compat::verify(&secrets(), Some(header.as_bytes()), Some(b"x"), None));
}

#[test]
fn compat_missing_header_is_false() {
    assert!(!compat::verify(&secrets(), None, Some(b"x"), None));
    assert!(!compat::verify(&secrets(), Some(b"garbage"), Some(b"x"), None));
}

// ------------------------------------------------------------------ shared secret

#[test]
fn shared_secret_checks() {
    let s = SharedSecret::new("ACTION_SECRET", ["s3cret", "next"]).unwrap();
    assert_eq!(s.header(), "action_secret");
    let ok: Vec<(&str, &[u8])> = vec![("content-type", b"json"), ("Action_Secret", b"s3cret")];
    assert!(s.check_headers(ok).is_ok());
    assert!(s.check(Some(b"next")).is_ok());
    assert_eq!(s.check(Some(b"s3cre")).unwrap_err().code(), "secret_mismatch");
    assert_eq!(s.check(Some(b"")).unwrap_err().code(), "missing_secret");
    assert_eq!(s.check(None).unwrap_err().code(), "missing_secret");
    let twice: Vec<(&str, &[u8])> = vec![("action_secret", b"s3cret"), ("ACTION_SECRET", b"s3cret")];
    assert_eq!(s.check_headers(twice).unwrap_err().code(), "secret_mismatch");
}

#[test]
fn missing_shared_secret_with_an_underscore_names_the_cause() {
    // WSGI servers and nginx drop header names with `_`: the 401 itself must say so.
    let e = SharedSecret::new("ACTION_SECRET", ["s3cret"]).unwrap().check(None).unwrap_err();
    assert_eq!(e.code(), "missing_secret");
    let text = e.to_string();
    assert!(text.contains("underscore") && text.contains("\"action-secret\""), "{text}");
    let e = SharedSecret::new("X-Action-Secret", ["s3cret"]).unwrap().check(None).unwrap_err();
    assert!(!e.to_string().contains("underscore"), "{e}");
    assert!(!text.contains("s3cret"));
}

#[test]
fn shared_secret_config_errors() {
    assert_eq!(SharedSecret::new("x", Vec::<&str>::new()).unwrap_err(), ConfigError::NoSecret);
    assert_eq!(SharedSecret::new("x", [""]).unwrap_err(), ConfigError::EmptySecret);
    assert_eq!(SharedSecret::new("", ["a"]).unwrap_err(), ConfigError::InvalidHeaderName);
    assert_eq!(SharedSecret::new("bad name", ["a"]).unwrap_err(), ConfigError::InvalidHeaderName);
}

#[test]
fn header_lookup() {
    let h: Vec<(&str, &[u8])> = vec![("A", b"1"), ("b", b"2"), ("a", b"3")];
    assert_eq!(find_header(h.clone(), "B"), Lookup::One(b"2"));
    assert_eq!(find_header(h.clone(), "a"), Lookup::Many);
    assert_eq!(find_header(h, "c"), Lookup::Absent);
}

// ------------------------------------------------------------------ Hasura

#[test]
fn hasura_error_body() {
    assert_eq!(
        hasura::error_body("bad \"x\"", "invalid"),
        r#"{"message":"bad \"x\"","extensions":{"code":"invalid"}}"#
    );
}

#[test]
fn hasura_auth_response() {
    use hasura::{Cache, SessionValue as V};
    let body = hasura::auth_response_json(
        &[("role", V::Str("user")), ("user_id", V::Num(42.0)), ("X-HASURA-is-owner", V::Bool(true))],
        Cache::MaxAge(60),
    )
    .unwrap();
    assert_eq!(
        body,
        r#"{"X-Hasura-Role":"user","X-Hasura-User-Id":"42","X-Hasura-Is-Owner":"true","Cache-Control":"max-age=60"}"#
    );
    assert!(hasura::auth_response(&[("user_id", V::Str("1"))], Cache::None).is_err());
    assert!(hasura::auth_response(&[("role", V::Str("a")), ("Role", V::Str("b"))], Cache::None).is_err());
    let twice = hasura::auth_response(
        &[("role", V::Str("a")), ("userId", V::Num(1.0)), ("user_id", V::Num(1.0))],
        Cache::None,
    )
    .unwrap_err();
    assert_eq!(
        twice.to_string(),
        r#"session variable X-Hasura-User-Id is given twice, as "userId" and as "user_id": keep one"#
    );
    for (key, want) in
        [("userId", "X-Hasura-User-Id"), ("APIKey", "X-Hasura-Api-Key"), ("x_hasura_org", "X-Hasura-Org")]
    {
        assert_eq!(hasura::session_key(key).as_deref(), Some(want), "{key}");
    }
    for bad in ["", "x-hasura-", "a b", "a__b", "_a", "é"] {
        assert_eq!(hasura::session_key(bad), None, "{bad:?}");
    }
    assert!(hasura::auth_response(&[("role", V::Num(f64::NAN))], Cache::None).is_err());
    let exp = hasura::auth_response(&[("role", V::Str("a"))], Cache::Expires(784_111_777)).unwrap();
    assert_eq!(exp[1], ("Expires".to_owned(), "Sun, 06 Nov 1994 08:49:37 GMT".to_owned()));
}

#[test]
fn hasura_http_dates() {
    assert_eq!(hasura::http_date(0), "Thu, 01 Jan 1970 00:00:00 GMT");
    assert_eq!(hasura::http_date(951_782_400), "Tue, 29 Feb 2000 00:00:00 GMT");
    assert_eq!(hasura::http_date(1_795_392_000), "Mon, 23 Nov 2026 00:00:00 GMT");
}

#[test]
fn hasura_payload_shapes() {
    let action = br#"{"action":{"name":"login"},"input":{"u":"a"},"session_variables":{"x-hasura-role":"user"},"request_query":"mutation{}"}"#;
    assert!(hasura::check_action(action).is_ok());
    let e = hasura::check_action(br#"{"action":{},"input":{},"session_variables":{}}"#).unwrap_err();
    assert_eq!(e.code(), "malformed_payload");
    assert!(e.to_string().contains("action.name"), "{e}");
    assert!(hasura::check_action(b"[1]").is_err());
    assert!(hasura::check_action(b"not json").is_err());
    let event = br#"{"event":{"op":"INSERT","data":{"old":null,"new":{"id":1}},"session_variables":null},"table":{"schema":"public","name":"t"},"trigger":{"name":"tr"},"id":"abc","created_at":"2026-01-01T00:00:00Z"}"#;
    assert!(hasura::check_event(event).is_ok());
    let bad = std::str::from_utf8(event).unwrap().replace("INSERT", "UPSERT");
    assert!(hasura::check_event(bad.as_bytes()).unwrap_err().to_string().contains("event.op"));
}

// ------------------------------------------------------------------ replay store

#[test]
fn replay_states() {
    let g = MemoryGuard::new(10).unwrap();
    assert_eq!(g.claim("k", "t1", 0, 1000), Claim::New);
    assert_eq!(g.claim("k", "t2", 10, 1000), Claim::InProgress);
    assert!(g.release("k", "t1", 15));
    assert_eq!(g.claim("k", "t3", 20, 1000), Claim::New);
    assert!(g.complete("k", "t3", 30, 600_000));
    assert_eq!(g.claim("k", "t4", 40, 1000), Claim::Done);
    assert_eq!(g.claim("k", "t5", 600_031, 1000), Claim::New, "done entries expire");
}

#[test]
fn replay_processing_claim_expires() {
    let g = MemoryGuard::default();
    assert_eq!(g.claim("k", "t1", 0, 100), Claim::New);
    assert_eq!(g.claim("k", "t2", 101, 100), Claim::New, "a crashed handler's claim lapses");
}

#[test]
fn replay_outlived_claim_never_deletes_the_takeover() {
    // Instance 1 claims; its handler outlives the claim; instance 2 takes over; instance 1 fails.
    let g = MemoryGuard::default();
    assert_eq!(g.claim("k", "one", 0, 100), Claim::New);
    assert_eq!(g.claim("k", "two", 150, 100), Claim::New);
    assert!(!g.release("k", "one", 160), "the first handler's release finds no claim of its own");
    assert_eq!(g.claim("k", "three", 170, 100), Claim::InProgress, "the second claim survived");
    assert!(g.complete("k", "two", 180, 600_000));
    assert_eq!(g.claim("k", "four", 190, 100), Claim::Done);
}

#[test]
fn replay_scripts_use_the_stored_values() {
    use hookseal::replay::{self, CLAIM_SCRIPT, COMPLETE_SCRIPT, RELEASE_SCRIPT};
    assert_eq!(replay::processing_value("abc"), "processing:abc");
    for script in [CLAIM_SCRIPT, COMPLETE_SCRIPT, RELEASE_SCRIPT] {
        assert!(script.contains("'processing:' .. ARGV[1]"), "{script}");
    }
    assert!(CLAIM_SCRIPT.contains("'NX', 'PX', ARGV[2]") && CLAIM_SCRIPT.contains("== 'done'"));
    assert!(COMPLETE_SCRIPT.contains("'done', 'PX', ARGV[2]"));
    assert!(RELEASE_SCRIPT.contains("redis.call('DEL', KEYS[1])"));
    assert!(!RELEASE_SCRIPT.contains("ARGV[2]"));
}

#[test]
fn replay_evicts_oldest_at_bound() {
    let g = MemoryGuard::new(3).unwrap();
    for k in ["a", "b", "c", "d"] {
        assert_eq!(g.claim(k, "t", 0, 1_000_000), Claim::New);
    }
    assert_eq!(g.len(), 3);
    assert_eq!(g.claim("a", "t", 1, 1_000_000), Claim::New, "a was evicted");
    assert_eq!(g.claim("c", "t", 1, 1_000_000), Claim::InProgress);
    assert!(MemoryGuard::new(0).is_err());
}

#[test]
fn replay_queue_stays_bounded_under_churn() {
    let g = MemoryGuard::new(4).unwrap();
    for i in 0..10_000u64 {
        let token = i.to_string();
        assert_eq!(g.claim("same", &token, i, 10), Claim::New);
        assert!(g.release("same", &token, i));
    }
    assert!(g.is_empty());
}

#[test]
fn replay_is_thread_safe() {
    let g = std::sync::Arc::new(MemoryGuard::new(1000).unwrap());
    let handles: Vec<_> = (0..8)
        .map(|t| {
            let g = g.clone();
            std::thread::spawn(move || {
                let token = format!("thread-{t}");
                (0..100).filter(|i| g.claim(&format!("k{i}"), &token, 0, 1000) == Claim::New).count()
            })
        })
        .collect();
    let total: usize = handles.into_iter().map(|h| h.join().unwrap()).sum();
    assert_eq!(total, 100, "each key claimed exactly once across threads");
}

#[test]
fn hasura_dates() {
    assert_eq!(hookseal::hasura::http_date(784_111_777), "Sun, 06 Nov 1994 08:49:37 GMT");
    assert_eq!(hookseal::hasura::event_timestamp(1_795_003_200_123_456), "2026-11-18T12:00:00.123456");
    assert_eq!(hookseal::hasura::event_timestamp(951_782_400_000_000), "2000-02-29T00:00:00.000000");
}

#[test]
fn replay_done_ttl_is_one_rule_for_every_face() {
    // Twice the window (a copy stays valid until t + tolerance, and t may lie tolerance ahead).
    let v = Verifier::new(["s"]).unwrap();
    assert_eq!(v.replay_done_ttl_ms(), 600_000);
    let v = v.tolerance(Some(60)).unwrap();
    assert_eq!(v.replay_done_ttl_ms(), 120_000);
    // No window: a bounded 48 h, the same in every face (they all ask the core).
    let v = v.tolerance(None).unwrap();
    assert_eq!(v.replay_done_ttl_ms(), hookseal::replay::NO_WINDOW_DONE_TTL_MS);
    assert_eq!(hookseal::replay::NO_WINDOW_DONE_TTL_MS, 172_800_000);
}
