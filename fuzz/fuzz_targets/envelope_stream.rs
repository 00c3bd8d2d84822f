//! The streamed envelope (block scan, staging, direct runs) equals an envelope built byte by
//! byte with the plainest possible escaper, for any body, both spellings; and its MAC equals the
//! HMAC of those bytes.
#![no_main]
use hmac::{Hmac, Mac};
use libfuzzer_sys::fuzz_target;
use sha2::Sha256;

fn naive(body: &str, html: bool) -> String {
    let mut out = String::new();
    for c in body.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            '<' if html => out.push_str("\\\\u003c"),
            '>' if html => out.push_str("\\\\u003e"),
            '&' if html => out.push_str("\\\\u0026"),
            '\u{2028}' if html => out.push_str("\\\\u2028"),
            '\u{2029}' if html => out.push_str("\\\\u2029"),
            c => out.push(c),
        }
    }
    out
}

fuzz_target!(|data: &[u8]| {
    let Ok(body) = std::str::from_utf8(data) else { return };
    for html in [false, true] {
        let built = hookseal::hygraph::envelope::build(Some(body.as_bytes()), b"master", 5.0, html);
        let want = format!("{{\"Body\":\"{}\",\"EnvironmentName\":\"master\",\"TimeStamp\":5}}", naive(body, html));
        assert_eq!(built, want.as_bytes());
        let secret = hookseal::Secret::new("k").expect("secret");
        let spelling = if html { hookseal::hygraph::Spelling::HtmlEscaped } else { hookseal::hygraph::Spelling::Js };
        let mac = hookseal::hygraph::envelope_mac(&secret, Some(body.as_bytes()), b"master", 5.0, spelling);
        let mut m = Hmac::<Sha256>::new_from_slice(b"k").expect("key");
        m.update(want.as_bytes());
        assert_eq!(mac, <[u8; 32]>::from(m.finalize().into_bytes()));
    }
});
