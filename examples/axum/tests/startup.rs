//! The example fails loudly at start-up on a configuration mistake (a missing or empty secret)
//! and never starts listening without its guards.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::process::Command;

fn start(env: &[(&str, &str)]) -> (bool, String) {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_hookseal-example-axum"));
    for name in ["HYGRAPH_WEBHOOK_SECRET", "HASURA_ACTION_SECRET", "HASURA_EVENT_SECRET", "REDIS_URL"] {
        cmd.env_remove(name);
    }
    // No usable port: should the configuration pass, the server stops there instead of serving.
    cmd.env("PORT", "none").envs(env.iter().copied());
    let out = cmd.output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(!stdout.contains("listening"), "it started listening: {stdout}");
    (out.status.success(), String::from_utf8_lossy(&out.stderr).into_owned())
}

#[test]
fn a_missing_or_empty_secret_stops_the_server() {
    let (ok, err) = start(&[("HASURA_ACTION_SECRET", "x")]);
    assert!(!ok);
    assert!(err.contains("HYGRAPH_WEBHOOK_SECRET is not set"), "{err}");

    let (ok, err) = start(&[("HYGRAPH_WEBHOOK_SECRET", ""), ("HASURA_ACTION_SECRET", "x")]);
    assert!(!ok);
    assert!(err.contains("HYGRAPH_WEBHOOK_SECRET: a configured secret is empty"), "{err}");

    let (ok, err) = start(&[("HYGRAPH_WEBHOOK_SECRET", "x"), ("HASURA_ACTION_SECRET", "  ")]);
    assert!(!ok);
    assert!(err.contains("HASURA_ACTION_SECRET: a configured secret is only whitespace"), "{err}");

    let (ok, err) = start(&[("HYGRAPH_WEBHOOK_SECRET", "x"), ("HASURA_ACTION_SECRET", "y")]);
    assert!(!ok);
    assert!(err.contains("HASURA_EVENT_SECRET is not set"), "{err}");

    let (ok, err) =
        start(&[("HYGRAPH_WEBHOOK_SECRET", "x"), ("HASURA_ACTION_SECRET", "y"), ("HASURA_EVENT_SECRET", "")]);
    assert!(!ok);
    assert!(err.contains("HASURA_EVENT_SECRET: a configured secret is empty"), "{err}");
}
