//! The drop-in header reader agrees with a straightforward model of the reference:
//! `split(", ")`, first three parts, `replace` of the first prefix, `parseInt`.
#![no_main]
use libfuzzer_sys::fuzz_target;

fn js_space(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\u{b}' | '\u{c}' | '\r' | ' ' | '\u{a0}' | '\u{1680}' | '\u{2000}'..='\u{200a}'
        | '\u{2028}' | '\u{2029}' | '\u{202f}' | '\u{205f}' | '\u{3000}' | '\u{feff}')
}

/// parseInt for inputs short enough that u128 holds the digits exactly.
fn model_parse_int(s: &str) -> Option<f64> {
    let s = s.trim_start_matches(js_space);
    let (neg, s) = match s.as_bytes().first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    };
    let (radix, s) = if s.len() >= 2 && (s.starts_with("0x") || s.starts_with("0X")) { (16, &s[2..]) } else { (10, s) };
    let digits: String = s.chars().take_while(|c| c.is_digit(radix)).collect();
    if digits.is_empty() {
        return Some(f64::NAN);
    }
    if digits.len() > 25 {
        return None; // beyond the model
    }
    let v = u128::from_str_radix(&digits, radix).ok()? as f64;
    Some(if neg { -v } else { v })
}

fuzz_target!(|data: &[u8]| {
    let Ok(sig) = std::str::from_utf8(data) else { return };
    let got = hookseal::hygraph::compat::parse_header(sig.as_bytes());
    let parts: Vec<&str> = sig.split(", ").collect();
    if parts.len() < 3 {
        assert!(got.is_none());
        return;
    }
    let got = got.expect("three parts parse");
    assert_eq!(&*got.sign, parts[0].replacen("sign=", "", 1).as_bytes());
    assert_eq!(&*got.environment, parts[1].replacen("env=", "", 1).as_bytes());
    if let Some(want) = model_parse_int(&parts[2].replacen("t=", "", 1)) {
        // u128 → f64 rounds to nearest like JS for up to 25 digits.
        assert!(want.to_bits() == got.timestamp.to_bits() || (want.is_nan() && got.timestamp.is_nan()) || want == got.timestamp,
            "parseInt model {want} vs {}", got.timestamp);
    }
});
