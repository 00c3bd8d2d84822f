//! JS quoting parses back (serde_json) and number formatting parses back (std) to the same value, and
//! JSON.stringify(JSON.parse(x)) is stable.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(s) = std::str::from_utf8(data) {
        let q = hookseal::ecma::quote(s);
        let back: String = serde_json::from_str(&q).expect("quoted text parses");
        assert_eq!(back, s);
        if let Ok(once) = hookseal::ecma::reserialize(data) {
            assert_eq!(hookseal::ecma::reserialize(once.as_bytes()).expect("output parses"), once);
        }
    }
    if data.len() >= 8 {
        let x = f64::from_bits(u64::from_le_bytes(data[..8].try_into().expect("8 bytes")));
        let text = hookseal::ecma::json_number(x);
        if x.is_finite() {
            // std's parser is correctly rounded (serde_json's default one is not).
            let back: f64 = text.parse().expect("number parses");
            assert!(back == x, "{x:e} -> {text}");
        } else {
            assert_eq!(text, "null");
        }
    }
});
