//! Memory check for `make bench`: builds a body of `SIZE_MIB` MiB (default 100) shaped like a
//! Hygraph payload and, unless the first argument is `build-only`, signs and verifies it.
//! `bench/run.py` runs both modes under `/usr/bin/time -v`: the difference of the two peak RSS
//! values is what verification itself costs in memory.

use hookseal::hygraph::{sign, Verifier};
use hookseal::Secret;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let build_only = std::env::args().nth(1).as_deref() == Some("build-only");
    let mib: usize = std::env::var("SIZE_MIB").ok().and_then(|v| v.parse().ok()).unwrap_or(100);
    let unit = r#"{"html":"\u003cp\u003eGrüße “quoted” \"text\" 😀\u003c/p\u003e","n":1.5},"#;
    let mut body = String::with_capacity(mib << 20);
    body.push('[');
    while body.len() + unit.len() + 1 < mib << 20 {
        body.push_str(unit);
    }
    body.push_str("0]");
    if build_only {
        println!("built {} bytes", body.len());
        return Ok(());
    }
    let secret = Secret::new("rss-check-secret")?;
    let header = sign(&secret, &body, "master", 1_700_000_000_000);
    let verified =
        Verifier::new(["rss-check-secret"])?.verify_at(body.as_bytes(), &header, 1_700_000_000_000)?;
    println!("verified {} bytes, secret #{}", body.len(), verified.secret_index);
    Ok(())
}
