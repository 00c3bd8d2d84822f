//! Every escaping level this CPU has (SSSE3/AVX2 on x86-64, NEON on aarch64) against the
//! portable scalar code, byte for byte, on both spellings and both ways out (straight into a
//! vector, and through the staging buffer that feeds the MAC); and the scalar code against the
//! plainest possible escaper. The inputs put every byte value, surrogate sequence and line
//! separator at every offset around the kernels' 16- and 32-byte steps and their lookahead.

use hookseal::ecma::{escape_at_level, wtf8_from_utf16_at_level, SimdLevel};
use hookseal::hygraph::envelope::build_at;
use proptest::prelude::*;

fn escaped(level: SimdLevel, s: &[u8], html: bool) -> Vec<u8> {
    let mut out = b"prefix".to_vec();
    escape_at_level(level, s, html, &mut out);
    out
}

/// Checks `s` at every level against the scalar code.
fn check(s: &[u8]) {
    for html in [false, true] {
        let want = escaped(SimdLevel::Scalar, s, html);
        let want_env = build_at(SimdLevel::Scalar, Some(s), b"env\"name", 1.5, html);
        for level in SimdLevel::available() {
            let got = escaped(level, s, html);
            assert!(got == want, "{level:?} html={html}: escaped {s:?}\n got {got:?}\nwant {want:?}");
            let got_env = build_at(level, Some(s), b"env\"name", 1.5, html);
            assert!(got_env == want_env, "{level:?} html={html}: envelope of {s:?} differs");
        }
    }
}

#[path = "support/naive_escape.rs"]
mod naive_escape;
#[path = "support/utf16_reference.rs"]
mod utf16_reference;
use naive_escape::naive;
use utf16_reference::utf16_reference;

#[test]
fn the_machine_runs_scalar_and_its_best_level() {
    let levels = SimdLevel::available();
    assert_eq!(levels.first(), Some(&SimdLevel::Scalar));
    assert!(levels.contains(&SimdLevel::best()));
    if cfg!(target_arch = "aarch64") {
        assert!(levels.contains(&SimdLevel::Neon));
    }
    eprintln!("levels tested: {levels:?}");
}

#[test]
fn every_byte_at_every_offset() {
    // 0..40 covers both sides of the 16- and 32-byte steps, and the last bytes (`s[..=at]`).
    let mut s = vec![b'a'; 100];
    for at in 0..40 {
        for b in 0..=255u8 {
            s[at] = b;
            check(&s);
            check(&s[..at + 1]);
        }
        s[at] = b'a';
    }
}

#[test]
fn multibyte_sequences_across_step_edges() {
    let seqs: Vec<Vec<u8>> = vec![
        vec![0xED, 0xA0, 0x80],                   // lone high surrogate
        vec![0xED, 0xB0, 0x80],                   // lone low surrogate
        vec![0xED, 0xA0, 0xBD, 0xED, 0xB8, 0x80], // a pair, joined into U+1F600
        vec![0xED, 0x9F, 0xBF],                   // U+D7FF, an ordinary character
        vec![0xED, 0xBF],                         // cut short
        vec![0xED],
        vec![0xE2, 0x80, 0xA8], // U+2028
        vec![0xE2, 0x80, 0xA9], // U+2029
        vec![0xE2, 0x80, 0xAA], // U+202A
        vec![0xE2, 0x80],
        b"\\\"".to_vec(),
        b"<&>".to_vec(),
        vec![0x1F, 0x0A, 0x7F, 0x00],
    ];
    for seq in &seqs {
        for at in 0..40 {
            for len in [at + seq.len(), at + seq.len() + 1, 100] {
                let mut s = vec![b'x'; len.max(at + seq.len())];
                s[at..at + seq.len()].copy_from_slice(seq);
                check(&s);
                let dense: Vec<u8> = s.iter().map(|&c| if c == b'x' { b'"' } else { c }).collect();
                check(&dense);
            }
        }
    }
}

#[test]
fn long_bodies_cross_the_stage_and_chunk_sizes() {
    // Deterministic pseudo-random bodies of up to 70 KiB with rare specials, so runs of kernel
    // work cross the stage's flushes and the per-call input limits at many places.
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut next = || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x
    };
    for len in [1000, 4095, 4096, 4097, 8191, 8193, 20_000, 70_000] {
        let s: Vec<u8> = (0..len)
            .map(|_| match next() % 1000 {
                0 => 0xED,
                1 => 0x01,
                2 => b'<',
                3..=40 => b'"',
                41..=60 => b'\\',
                61..=70 => b'\n',
                71..=90 => 0xC3,
                91..=110 => 0xA9,
                r => b'a' + (r % 26) as u8,
            })
            .collect();
        check(&s);
    }
}

fn interesting_byte() -> impl Strategy<Value = u8> {
    prop_oneof![
        4 => any::<u8>(),
        2 => prop_oneof![Just(b'"'), Just(b'\\'), Just(b'a'), Just(b'<'), Just(b'>'), Just(b'&')],
        1 => 0u8..0x20,
        2 => prop_oneof![Just(0xED), Just(0xE2), Just(0x80), Just(0x9F), Just(0xA0), Just(0xA8), Just(0xA9), Just(0xB0), Just(0xBF)],
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1000))]

    #[test]
    fn every_level_equals_scalar_on_any_bytes(s in prop::collection::vec(interesting_byte(), 0..200)) {
        check(&s);
    }

    #[test]
    fn every_level_equals_the_naive_escaper_on_text(s in "[a\"\\\\<>&\u{0}-\u{1f}\u{7f}é€\u{2028}\u{2029}\u{d7ff}\u{e000}😀]{0,150}") {
        for html in [false, true] {
            let want = naive(&s, html);
            for level in SimdLevel::available() {
                let mut got = Vec::new();
                escape_at_level(level, s.as_bytes(), html, &mut got);
                prop_assert_eq!(String::from_utf8_lossy(&got), want.as_str(), "{:?} html={}", level, html);
            }
        }
    }
}

fn check_utf16(units: &[u16]) {
    let want = utf16_reference(units);
    for level in SimdLevel::available() {
        let mut got = b"prefix".to_vec();
        wtf8_from_utf16_at_level(level, units, &mut got);
        assert!(got[6..] == want[..], "{level:?}: UTF-16 {units:x?}");
    }
}

#[test]
fn utf16_every_unit_class_at_every_offset() {
    let samples: [&[u16]; 9] =
        [&[0x41], &[0x7F], &[0x80], &[0x7FF], &[0x800], &[0xD83D, 0xDE00], &[0xD800], &[0xDFFF], &[0xFFFF]];
    for fill in [0x61u16, 0xE9, 0x6771] {
        for sample in samples {
            for at in 0..40 {
                let mut units = vec![fill; 48];
                units[at..at + sample.len()].copy_from_slice(sample);
                check_utf16(&units);
                check_utf16(&units[..at + sample.len()]);
            }
        }
    }
}

fn interesting_unit() -> impl Strategy<Value = u16> {
    prop_oneof![
        4 => 0u16..0x80,
        2 => 0x80u16..0x800,
        1 => 0x800u16..0xD800,
        1 => 0xD800u16..0xDC00,
        1 => 0xDC00u16..0xE000,
        1 => any::<u16>(),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1000))]

    #[test]
    fn utf16_every_level_equals_decode_utf16(units in prop::collection::vec(interesting_unit(), 0..200)) {
        check_utf16(&units);
    }

    #[test]
    fn utf16_mostly_ascii_runs(units in prop::collection::vec(prop_oneof![20 => 0x20u16..0x7F, 1 => interesting_unit()], 0..300)) {
        check_utf16(&units);
    }
}
