//! The strict header parser never panics, and what it accepts meets the grammar.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(h) = std::str::from_utf8(data) else { return };
    match hookseal::hygraph::parse_header(h) {
        Ok(p) => {
            assert!(h.len() <= hookseal::hygraph::MAX_HEADER_LEN);
            assert!(!p.environment.is_empty() && !p.environment.contains(','));
            assert!(p.timestamp_ms <= 9_999_999_999_999_999);
            assert!(h.contains("sign=") && h.contains("env=") && h.contains("t="));
        }
        Err(e) => assert!(matches!(e.code(), "missing_signature" | "malformed_signature")),
    }
});
