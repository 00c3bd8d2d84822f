//! The vectorized UTF-16 to WTF-8 transcoder (what the Node face runs on every string) at every
//! level this CPU has against `char::decode_utf16`, for any code units: pairs, lone and
//! reversed surrogates, and every mix of one-, two- and three-byte characters.
#![no_main]
use hookseal::ecma::{wtf8_from_utf16_at_level, SimdLevel};
use libfuzzer_sys::fuzz_target;

#[path = "../../core/tests/support/utf16_reference.rs"]
mod utf16_reference;

fuzz_target!(|data: &[u8]| {
    let units: Vec<u16> = data.chunks_exact(2).map(|c| u16::from_le_bytes([c[0], c[1]])).collect();
    let want = utf16_reference::utf16_reference(&units);
    for level in SimdLevel::available() {
        let mut got = Vec::new();
        wtf8_from_utf16_at_level(level, &units, &mut got);
        assert_eq!(got, want, "{level:?}");
    }
});
