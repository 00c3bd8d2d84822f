//! The Hasura checks and the auth answer never panic; the typed parse accepts exactly what the
//! check accepts; a refusal is always `malformed_payload`; an answer is JSON with a role.
#![no_main]
use hookseal::hasura::{self, AuthMode};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let d = hasura::check_delivery(data);
    assert_eq!(d.is_ok(), hasura::parse_delivery(data).is_ok());
    match &d {
        Ok(d) => assert_eq!(d.replay_key(), hasura::delivery_key(&d.id)),
        Err(e) => assert_eq!(e.code(), "malformed_payload"),
    }
    assert_eq!(hasura::check_action(data).is_ok(), hasura::parse_action(data).is_ok());
    for mode in [AuthMode::V2, AuthMode::Ddn] {
        let c = hasura::check_auth_request(mode, data);
        assert_eq!(c.is_ok(), hasura::parse_auth_request(mode, data).is_ok());
        if let Ok(a) = hasura::auth_answer(mode, data, Some(60), Some(1_000_000_030.5), 1_000_000_000.0) {
            assert!(hookseal::ecma::is_valid_json(a.body.as_bytes()), "{}", a.body);
            let role = if mode == AuthMode::V2 { "\"X-Hasura-Role\":\"" } else { "\"x-hasura-role\":\"" };
            assert!(a.body.contains(role), "{}", a.body);
            assert_eq!(a.lifetime_secs, Some(30));
        }
    }
});
