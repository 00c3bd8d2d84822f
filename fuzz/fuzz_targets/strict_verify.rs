//! Strict verification with an arbitrary header and body never panics and only ever fails with a
//! documented code; the drop-in never panics either.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let split = data.first().map_or(0, |&b| usize::from(b)).min(data.len().saturating_sub(1));
    let (header, body) = data.split_at(split);
    let header = String::from_utf8_lossy(header);
    let v = hookseal::hygraph::Verifier::new(["k", "Zq9-s3cr3t"]).expect("config");
    if let Err(e) = v.verify_at(body, &header, 1_700_000_000_000) {
        assert!(hookseal::Error::CODES.contains(&e.code()));
        let msg = e.to_string();
        assert!(!msg.contains("Zq9-s3cr3t"), "{msg}");
    }
    let secrets = hookseal::Secrets::new(["k"]).expect("config");
    let _ = hookseal::hygraph::compat::verify(&secrets, Some(header.as_bytes()), Some(body), None);
    let _ = hookseal::hygraph::compat::verify(&secrets, Some(body), None, Some(header.as_bytes()));
});
