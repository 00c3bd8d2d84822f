//! Signs a sample Hygraph payload and verifies it through the core, then shows the checks that
//! reject a tampered body, a wrong secret and a stale timestamp.

use hookseal::hygraph::{now_ms, sign, Verifier};
use hookseal::Secret;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let secret = Secret::new("demo-secret")?;
    let body = r#"{"operation":"publish","data":{"title":"<h1>Hello, wörld</h1>","id":"ckx1"}}"#;
    let now = now_ms();
    let header = sign(&secret, body, "master", now);
    println!("gcms-signature: {header}");

    let verifier = Verifier::new(["demo-secret"])?;
    let wrong = Verifier::new(["not-the-secret"])?;
    let stale = sign(&secret, body, "master", now - 3_600_000);
    let tampered = body.replace("Hello", "Hellp");
    let rows: [(&str, Result<_, _>, &str); 4] = [
        ("valid delivery", verifier.verify_at(body.as_bytes(), &header, now), "ok"),
        ("tampered body", verifier.verify_at(tampered.as_bytes(), &header, now), "signature_mismatch"),
        ("wrong secret", wrong.verify_at(body.as_bytes(), &header, now), "signature_mismatch"),
        ("stale timestamp", verifier.verify_at(body.as_bytes(), &stale, now), "timestamp_too_old"),
    ];
    let mut failed = false;
    println!("{:<18} {:<20} {:<20}", "scenario", "expected", "got");
    for (name, got, expected) in rows {
        let got = match got {
            Ok(_) => "ok".to_owned(),
            Err(e) => e.code().to_owned(),
        };
        failed |= got != expected;
        println!("{name:<18} {expected:<20} {got:<20}");
    }
    if failed {
        return Err("a scenario did not give the expected result".into());
    }
    println!(
        "all scenarios as expected (core only; `make demo` runs them over HTTP against every example server)"
    );
    Ok(())
}
