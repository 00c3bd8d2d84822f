#![allow(missing_docs, clippy::unwrap_used)]
use std::time::Instant;
fn main() {
    let dense = std::fs::read_to_string("/tmp/prof/dense.json").unwrap();
    let clean = "Lorem ipsum dolor sit amet consectetur ".repeat((1 << 20) / 39);
    let v = hookseal::hygraph::Verifier::new(["k"]).unwrap().tolerance(None).unwrap();
    let s = hookseal::Secret::new("k").unwrap();
    let rich = std::fs::read_to_string("/tmp/prof/rich.json").unwrap();
    for (name, body) in [("dense", &dense), ("clean", &clean), ("rich", &rich)] {
        let h = hookseal::hygraph::sign(&s, body, "master", 1);
        let n = 200;
        let t0 = Instant::now();
        for _ in 0..n {
            assert!(simdutf8::basic::from_utf8(std::hint::black_box(body.as_bytes())).is_ok());
        }
        let utf8 = t0.elapsed() / n;
        let t0 = Instant::now();
        for _ in 0..n {
            let _ = std::hint::black_box(hookseal::ecma::quote(std::hint::black_box(body)));
        }
        let q = t0.elapsed() / n;
        let t0 = Instant::now();
        for _ in 0..n {
            assert!(v.verify_at(body.as_bytes(), &h, 1).is_ok());
        }
        let ver = t0.elapsed() / n;
        let env = hookseal::hygraph::envelope::build(Some(body.as_bytes()), b"master", 1.0, false);
        let t0 = Instant::now();
        for _ in 0..n {
            use hmac::Mac;
            let mut m = hmac::Hmac::<sha2::Sha256>::new_from_slice(b"k").unwrap();
            m.update(&env);
            std::hint::black_box(m.finalize());
        }
        let bare = t0.elapsed() / n;
        let esc = body.bytes().filter(|&b| b == b'"' || b == b'\\' || b < 0x20).count();
        println!(
            "{name}: len {} escapes {esc} utf8 {utf8:?} quote-to-vec {q:?} verify {ver:?} bare {bare:?}",
            body.len()
        );
    }
}
