//! The fixed costs of a small strict verify, for profiling (issue 23 item 3): the ~200 B
//! rich-text body of `benches/verify.rs` (213 B; its envelope is 265 B), verified `n` times,
//! against the bare HMAC-SHA256 of the prebuilt envelope `n` times, as the benchmark times it.
//!
//! ```text
//! cargo build --release -p hookseal --example small_verify
//! valgrind --tool=callgrind target/release/examples/small_verify verify 10000
//! valgrind --tool=callgrind target/release/examples/small_verify bare 10000
//! target/release/examples/small_verify time     # min-of-rounds wall clock, interleaved
//! ```
//!
//! Modes: `verify` (strict `verify_at`), `bare` (keying + update + finalize, the benchmark's
//! floor), `keyed` (a pre-keyed HMAC cloned, update + finalize), `parse` (`parse_header` alone),
//! `utf8std` (`str::from_utf8` of the body), `none` (setup only, to subtract); `time` and `parts`
//! (pieces timed apart) print wall-clock minima. `SIZE=1m` uses the 1 MiB rich-text body instead.

#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

use std::hint::black_box;
use std::time::Instant;

use hmac::{Hmac, Mac};
use hookseal::hygraph::{envelope, sign, Verifier};
use hookseal::Secret;
use sha2::Sha256;

const SECRET: &str = "rCNwyiloY3oJYYkxgpBXaleIiUv5MYlx";
const T: u64 = 1_700_000_000_000;

/// `shaped("rich", 200)` of `benches/verify.rs`.
fn body() -> String {
    format!(
        r#"{{"operation":"publish","data":{{"id":"ckx1","title":"\u003ch1\u003eHi “there”\u003c/h1\u003e","n":{}}}}}"#,
        "1".repeat(110)
    )
}

/// `shaped("rich", 1 << 20)` of `benches/verify.rs` (`SIZE=1m`).
fn big() -> String {
    let mut items = Vec::new();
    let mut len = 60;
    let mut i = 0;
    while len < 1 << 20 {
        let item = format!(
            r#"{{"__typename":"Post","id":"ckx{i:08}","title":"Grüße aus Köln – Ünïcödé {i}","slug":"post-{i}","content":{{"html":"\u003cp\u003eLorem ipsum dolor sit amet, \u003cstrong\u003econsectetur\u003c/strong\u003e adipiscing elit — “quoted” \\\"text\\\" 😀\u003c/p\u003e","text":"Lorem ipsum dolor sit amet\nconsectetur"}},"published":true,"rank":{i}.5}}"#
        );
        len += item.len() + 1;
        items.push(item);
        i += 1;
    }
    format!(r#"{{"operation":"update","data":{{"items":[{}]}}}}"#, items.join(","))
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let mode = args.get(1).map_or("time", String::as_str);
    let n: usize = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(10_000);
    let body = if std::env::var("SIZE").is_ok_and(|s| s == "1m") { big() } else { body() };
    let secret = Secret::new(SECRET).unwrap();
    let header = sign(&secret, &body, "master", T);
    let env = envelope::build(Some(body.as_bytes()), b"master", T as f64, false);
    let verifier = Verifier::new([SECRET]).unwrap();
    assert!(verifier.verify_at(body.as_bytes(), &header, T).is_ok());
    let keyed = Hmac::<Sha256>::new_from_slice(SECRET.as_bytes()).unwrap();

    let verify = || verifier.verify_at(black_box(body.as_bytes()), black_box(&header), T).is_ok();
    let bare = || {
        let mut mac = Hmac::<Sha256>::new_from_slice(SECRET.as_bytes()).unwrap();
        mac.update(black_box(&env));
        mac.finalize().into_bytes()[0]
    };
    let keyed_mac = || {
        let mut mac = keyed.clone();
        mac.update(black_box(&env));
        mac.finalize().into_bytes()[0]
    };
    match mode {
        "verify" => (0..n).for_each(|_| assert!(verify())),
        "bare" => (0..n).for_each(|_| {
            black_box(bare());
        }),
        "keyed" => (0..n).for_each(|_| {
            black_box(keyed_mac());
        }),
        "parse" => (0..n).for_each(|_| assert!(hookseal::hygraph::parse_header(black_box(&header)).is_ok())),
        "utf8std" => (0..n).for_each(|_| assert!(std::str::from_utf8(black_box(body.as_bytes())).is_ok())),
        "none" => {}
        _ => {
            // Interleaved rounds; the minimum of each is the least disturbed by other processes.
            let per = |f: &dyn Fn()| {
                let start = Instant::now();
                for _ in 0..n {
                    f();
                }
                start.elapsed().as_nanos() as f64 / n as f64
            };
            if mode == "parts" {
                let scratch = std::cell::RefCell::new(Vec::with_capacity(4096));
                use hookseal::hygraph::{envelope_mac, parse_header, Spelling};
                let (mut p, mut u, mut m) = (f64::MAX, f64::MAX, f64::MAX);
                for _ in 0..args.get(3).and_then(|s| s.parse().ok()).unwrap_or(200) {
                    p = p.min(per(&|| assert!(parse_header(black_box(&header)).is_ok())));
                    u = u.min(per(&|| assert!(std::str::from_utf8(black_box(body.as_bytes())).is_ok())));
                    m = m.min(per(&|| {
                        black_box(envelope_mac(
                            &secret,
                            Some(black_box(body.as_bytes())),
                            b"master",
                            T as f64,
                            Spelling::Js,
                        ));
                    }));
                }
                let mut e = f64::MAX;
                for _ in 0..100 {
                    e = e.min(per(&|| {
                        black_box(envelope::build(
                            Some(black_box(body.as_bytes())),
                            b"master",
                            T as f64,
                            false,
                        ));
                    }));
                }
                let mut x = f64::MAX;
                let mut y = f64::MAX;
                let clean = "a".repeat(body.len());
                for _ in 0..100 {
                    x = x.min(per(&|| {
                        let mut v = scratch.borrow_mut();
                        v.clear();
                        hookseal::ecma::escape_at_level(
                            hookseal::ecma::SimdLevel::best(),
                            black_box(body.as_bytes()),
                            false,
                            &mut v,
                        );
                        black_box(v.len());
                    }));
                    y = y.min(per(&|| {
                        black_box(envelope_mac(
                            &secret,
                            Some(black_box(clean.as_bytes())),
                            b"master",
                            T as f64,
                            Spelling::Js,
                        ));
                    }));
                }
                let mut f = f64::MAX;
                let mut g = f64::MAX;
                let fresh = std::cell::RefCell::new(vec![0u8; 1024]);
                for _ in 0..100 {
                    f = f.min(per(&|| {
                        let mut buf = fresh.borrow_mut();
                        buf[..env.len()].copy_from_slice(black_box(&env));
                        let mut mac = keyed.clone();
                        mac.update(&buf[..env.len()]);
                        black_box(mac.finalize().into_bytes()[0]);
                    }));
                    g = g.min(per(&|| {
                        let mut buf = fresh.borrow_mut();
                        buf[..env.len()].copy_from_slice(black_box(&env));
                        black_box(&mut buf[..]);
                    }));
                }
                let mut h = f64::MAX;
                for _ in 0..100 {
                    h = h.min(per(&|| {
                        let mut v = scratch.borrow_mut();
                        v.clear();
                        hookseal::ecma::escape_at_level(
                            hookseal::ecma::SimdLevel::best(),
                            black_box(body.as_bytes()),
                            false,
                            &mut v,
                        );
                        let mut mac = keyed.clone();
                        mac.update(&v);
                        black_box(mac.finalize().into_bytes()[0]);
                    }));
                }
                println!("keyed HMAC of a just-copied envelope {f:.0} ns, the copy alone {g:.0} ns, escape then HMAC the escaped body {h:.0} ns");
                println!("parse_header {p:.0} ns, std from_utf8 {u:.0} ns, streaming envelope MAC {m:.0} ns, envelope built into a Vec {e:.0} ns, escape only {x:.0} ns, envelope MAC of a clean body {y:.0} ns");
                return;
            }
            let (mut v, mut b, mut k) = (f64::MAX, f64::MAX, f64::MAX);
            for _ in 0..args.get(3).and_then(|s| s.parse().ok()).unwrap_or(200) {
                v = v.min(per(&|| assert!(verify())));
                b = b.min(per(&|| {
                    black_box(bare());
                }));
                k = k.min(per(&|| {
                    black_box(keyed_mac());
                }));
            }
            println!(
                "body {} B, envelope {} B: verify {v:.0} ns, bare HMAC {b:.0} ns, pre-keyed HMAC {k:.0} ns; \
                 verify / bare {:.3}x, verify / pre-keyed {:.3}x",
                body.len(),
                env.len(),
                v / b,
                v / k
            );
        }
    }
}
