//! Streaming verify vs a naive verify (serde_json builds the envelope, then HMAC) vs the bare
//! HMAC-SHA256 of the prebuilt envelope bytes (the physical floor), at 200 B, 4 KiB, 64 KiB and
//! 1 MiB bodies shaped like Hygraph rich-text payloads, and at 200 B and 1 MiB for two more
//! shapes: ASCII-only JSON, and long text with few escapes. `escape_only` is the escaping alone
//! (into a reused buffer, at the level the library picked), to show where the time goes.

#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use hmac::{Hmac, Mac};
use hookseal::ecma::{escape_at_level, SimdLevel};
use hookseal::hygraph::{envelope, sign, Verifier};
use hookseal::Secret;
use sha2::Sha256;

const SECRET: &str = "rCNwyiloY3oJYYkxgpBXaleIiUv5MYlx";
const T: u64 = 1_700_000_000_000;

/// A Hygraph-like payload of about `size` bytes: keys and short values (quotes every few
/// bytes), rich-text HTML as Hygraph's Go server spells it (`\u003cp\u003e`), non-ASCII text.
/// The body of `shape` (`rich`, `ascii`, `sparse`) of about `size` bytes.
pub fn shaped(shape: &str, size: usize) -> String {
    match shape {
        "ascii" => items(size, |i| {
            format!(
                r#"{{"__typename":"Post","id":"ckx{i:08}","title":"Hello from Cologne, item {i}","slug":"post-{i}","content":{{"html":"<p>Lorem ipsum dolor sit amet, <strong>consectetur</strong> adipiscing elit</p>","text":"Lorem ipsum dolor sit amet consectetur"}},"published":true,"rank":{i}.5}}"#
            )
        }),
        "sparse" => items(size, |i| {
            format!(
                r#"{{"id":"ckx{i:08}","text":"Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor incididunt ut labore et dolore magna aliqua. Ut enim ad minim veniam, quis nostrud exercitation ullamco laboris nisi ut aliquip ex ea commodo consequat. Duis aute irure dolor in reprehenderit in voluptate velit esse cillum dolore eu fugiat nulla pariatur. Excepteur sint occaecat cupidatat non proident, sunt in culpa qui officia deserunt mollit anim id est laborum."}}"#
            )
        }),
        _ => rich(size),
    }
}

/// `{"operation":"update","data":{"items":[...]}}` with items from `item` up to about `size`
/// bytes; a 200-byte body is one short item's worth.
fn items(size: usize, item: impl Fn(usize) -> String) -> String {
    let mut out = String::from(r#"{"operation":"update","data":{"items":["#);
    let mut i = 0;
    loop {
        let next = item(i);
        if i > 0 && out.len() + next.len() + 4 > size {
            break;
        }
        if i > 0 {
            out.push(',');
        }
        out.push_str(&next);
        i += 1;
        if out.len() + 4 > size {
            break;
        }
    }
    if out.len() > size {
        // A short body: cut the one item's longest text to fit, keeping valid JSON.
        let cut = out.len() + 4 - size;
        if let Some(at) = out.find("Lorem ipsum") {
            out.replace_range(at..at + cut.min(out.len() - at - 20), "");
        }
    }
    out.push_str("]}}");
    out
}

fn rich(size: usize) -> String {
    let mut items = Vec::new();
    let mut len = 60;
    let mut i = 0;
    while len < size {
        let item = format!(
            r#"{{"__typename":"Post","id":"ckx{i:08}","title":"Grüße aus Köln – Ünïcödé {i}","slug":"post-{i}","content":{{"html":"\u003cp\u003eLorem ipsum dolor sit amet, \u003cstrong\u003econsectetur\u003c/strong\u003e adipiscing elit — “quoted” \\\"text\\\" 😀\u003c/p\u003e","text":"Lorem ipsum dolor sit amet\nconsectetur"}},"published":true,"rank":{i}.5}}"#
        );
        len += item.len() + 1;
        items.push(item);
        i += 1;
    }
    let mut s = format!(r#"{{"operation":"update","data":{{"items":[{}]}}}}"#, items.join(","));
    if s.len() > size && size < 400 {
        s = format!(
            r#"{{"operation":"publish","data":{{"id":"ckx1","title":"\u003ch1\u003eHi “there”\u003c/h1\u003e","n":{}}}}}"#,
            "1".repeat(size.saturating_sub(90).max(1))
        );
    }
    s
}

fn naive_verify(secret: &[u8], body: &str, header: &str) -> bool {
    // What people write by hand: parse the header, build the envelope with serde_json, HMAC it.
    let mut sign = "";
    let mut env = "";
    let mut t = 0u64;
    for part in header.split(", ") {
        if let Some(v) = part.strip_prefix("sign=") {
            sign = v;
        } else if let Some(v) = part.strip_prefix("env=") {
            env = v;
        } else if let Some(v) = part.strip_prefix("t=") {
            t = v.parse().unwrap_or(0);
        }
    }
    let envelope =
        serde_json::to_string(&serde_json::json!({"Body": body, "EnvironmentName": env, "TimeStamp": t}))
            .unwrap();
    let mut mac = Hmac::<Sha256>::new_from_slice(secret).unwrap();
    mac.update(envelope.as_bytes());
    use base64::Engine as _;
    let want = base64::engine::general_purpose::STANDARD.decode(sign).unwrap_or_default();
    mac.verify_slice(&want).is_ok()
}

fn bench(c: &mut Criterion) {
    let verifier = Verifier::new([SECRET]).unwrap();
    let secret = Secret::new(SECRET).unwrap();
    let mut group = c.benchmark_group("verify");
    let cases = [
        ("rich", "200B", 200),
        ("rich", "4KiB", 4096),
        ("rich", "64KiB", 65536),
        ("rich", "1MiB", 1 << 20),
        ("ascii", "200B", 200),
        ("ascii", "1MiB", 1 << 20),
        ("sparse", "200B", 200),
        ("sparse", "1MiB", 1 << 20),
    ];
    let mut scratch = Vec::with_capacity(3 << 20);
    for (shape, label, size) in cases {
        let body = shaped(shape, size);
        // The rich-text shape keeps its old names (bench/results.md history).
        let id = if shape == "rich" { label.to_owned() } else { format!("{shape}-{label}") };
        assert!(serde_json::from_str::<serde_json::Value>(&body).is_ok(), "{shape} {label} is JSON");
        let header = sign(&secret, &body, "master", T);
        let env = envelope::build(Some(body.as_bytes()), b"master", T as f64, false);
        assert!(verifier.verify_at(body.as_bytes(), &header, T).is_ok());
        assert!(naive_verify(SECRET.as_bytes(), &body, &header));
        group.throughput(Throughput::Bytes(body.len() as u64));
        group.bench_with_input(BenchmarkId::new("hookseal_streaming", &id), &body, |b, body| {
            b.iter(|| verifier.verify_at(black_box(body.as_bytes()), black_box(&header), T).is_ok())
        });
        group.bench_with_input(BenchmarkId::new("naive_serde_json", &id), &body, |b, body| {
            b.iter(|| naive_verify(SECRET.as_bytes(), black_box(body), black_box(&header)))
        });
        group.bench_with_input(BenchmarkId::new("bare_hmac_of_envelope", &id), &env, |b, env| {
            b.iter(|| {
                let mut mac = Hmac::<Sha256>::new_from_slice(SECRET.as_bytes()).unwrap();
                mac.update(black_box(env));
                mac.finalize().into_bytes()
            })
        });
        group.bench_with_input(BenchmarkId::new("escape_only", &id), &body, |b, body| {
            b.iter(|| {
                scratch.clear();
                escape_at_level(SimdLevel::best(), black_box(body.as_bytes()), false, &mut scratch);
                scratch.len()
            })
        });
    }
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(30).warm_up_time(std::time::Duration::from_millis(500)).measurement_time(std::time::Duration::from_secs(2));
    targets = bench
}
criterion_main!(benches);
