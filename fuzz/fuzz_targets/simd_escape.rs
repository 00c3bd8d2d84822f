//! Every escaping level this CPU has against the portable scalar code, byte for byte, for any
//! bytes (valid UTF-8, WTF-8 surrogates and garbage alike), both spellings, both ways out
//! (straight into a vector, and through the staging buffer that feeds the MAC, behind a prefix
//! whose length the input picks so the kernel's steps fall at every alignment); for UTF-8 input
//! also against the plainest possible escaper.
#![no_main]
use hookseal::ecma::{escape_at_level, SimdLevel};
use hookseal::hygraph::envelope::build_at;
use libfuzzer_sys::fuzz_target;

#[path = "../../core/tests/support/naive_escape.rs"]
mod naive_escape;
use naive_escape::naive;

fuzz_target!(|data: &[u8]| {
    let (env, body) = match data.split_first() {
        Some((&n, rest)) => (&b"environment-name-of-31-bytes..."[..usize::from(n % 32)], rest),
        None => (&b""[..], data),
    };
    let levels: Vec<SimdLevel> = SimdLevel::available().into_iter().filter(|&l| l != SimdLevel::Scalar).collect();
    for html in [false, true] {
        let mut want = Vec::new();
        escape_at_level(SimdLevel::Scalar, body, html, &mut want);
        if let Ok(text) = std::str::from_utf8(body) {
            assert_eq!(want, naive(text, html).as_bytes(), "scalar vs naive, html={html}");
        }
        let want_env = build_at(SimdLevel::Scalar, Some(body), env, 7.0, html);
        for &level in &levels {
            let mut got = Vec::new();
            escape_at_level(level, body, html, &mut got);
            assert_eq!(got, want, "{level:?} html={html}");
            assert_eq!(build_at(level, Some(body), env, 7.0, html), want_env, "{level:?} html={html} (staged)");
        }
    }
});
