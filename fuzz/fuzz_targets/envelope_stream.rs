//! The streamed envelope (block scan, staging, direct runs) equals an envelope built byte by
//! byte with the plainest possible escaper, for any body, both spellings; and its MAC equals the
//! HMAC of those bytes.
#![no_main]
use hmac::{Hmac, Mac};
use libfuzzer_sys::fuzz_target;
use sha2::Sha256;

#[path = "../../core/tests/support/naive_escape.rs"]
mod naive_escape;
use naive_escape::naive;

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
