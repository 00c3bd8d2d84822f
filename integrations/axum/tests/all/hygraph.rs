//! HygraphLayer and HygraphDelivery: what passes, what is answered 401/413/500, and that the
//! handler gets the verified delivery and the body exactly as received.

use axum::body::Body;
use axum::extract::DefaultBodyLimit;
use axum::http::{HeaderValue, StatusCode};
use axum::routing::post;
use axum::{Json, Router};
use hookseal_axum::hookseal::hygraph::now_ms;
use hookseal_axum::{ConfigError, HygraphDelivery, HygraphLayer, Verifier};
use serde_json::{json, Value};

use crate::common::*;

#[tokio::test]
async fn a_genuine_delivery_reaches_the_handler_with_its_bytes() {
    let (app, h) = app(verifier(), None);
    let body = unique_body();
    let (status, got) = call(&app, delivery(&body, &[])).await;
    assert_eq!(status, StatusCode::OK, "{got}");
    assert_eq!(got["environment"], "master");
    assert_eq!(got["secret_index"], 0);
    assert_eq!(got["body"], body.as_str());
    assert_eq!(h.calls(), 1);
}

#[tokio::test]
async fn the_handler_can_still_read_the_body_with_other_extractors() {
    async fn both(delivery: HygraphDelivery, Json(event): Json<Value>) -> Json<Value> {
        Json(json!({ "operation": event["operation"], "bytes": delivery.body.len() }))
    }
    let app = Router::new().route("/hook", post(both).layer(HygraphLayer::new(verifier())));
    let body = unique_body();
    let (status, got) = call(&app, delivery(&body, &[])).await;
    assert_eq!(status, StatusCode::OK, "{got}");
    assert_eq!(got, json!({ "operation": "publish", "bytes": body.len() }));
}

#[tokio::test]
async fn failures_answer_401_in_hasuras_shape_and_the_handler_never_runs() {
    let (app, h) = app(verifier().environments(["master"]).unwrap(), None);
    let body = unique_body();
    let good = header_for(&body);
    let hour_ago = header_at(&body, SECRET, now_ms() - 3_600_000);
    let wrong_secret = header_at(&body, "another-secret", now_ms());
    let staging = hookseal_axum::hookseal::hygraph::sign(
        &hookseal_axum::hookseal::Secret::new(SECRET).unwrap(),
        &body,
        "staging",
        now_ms(),
    );
    type Case<'a> = (&'a str, Vec<(&'a str, &'a str)>, String, &'a str);
    let cases: Vec<Case> = vec![
        ("no header", vec![], body.clone(), "missing_signature"),
        ("empty header", vec![("gcms-signature", "")], body.clone(), "missing_signature"),
        (
            "bad grammar",
            vec![("gcms-signature", "sign=abc, env=master")],
            body.clone(),
            "malformed_signature",
        ),
        (
            "tampered body",
            vec![("gcms-signature", &good)],
            body.replace("publish", "delete"),
            "signature_mismatch",
        ),
        ("wrong secret", vec![("gcms-signature", &wrong_secret)], body.clone(), "signature_mismatch"),
        ("stale", vec![("gcms-signature", &hour_ago)], body.clone(), "timestamp_too_old"),
        ("other environment", vec![("gcms-signature", &staging)], body.clone(), "environment_not_allowed"),
        (
            "header twice",
            vec![("gcms-signature", &good), ("gcms-signature", &good)],
            body.clone(),
            "malformed_signature",
        ),
    ];
    for (what, headers, body, code) in cases {
        let got = call(&app, post_req("/hook", body, &headers)).await;
        assert_error(&got, 401, code);
        assert!(
            !got.1["message"].as_str().unwrap().contains(SECRET),
            "{what}: the message quotes the secret"
        );
    }
    assert_eq!(h.calls(), 0);
}

#[tokio::test]
async fn a_header_that_is_not_text_or_a_body_that_is_not_utf8_is_rejected() {
    let (app, h) = app(verifier(), None);
    let mut req = post_req("/hook", "{}", &[]);
    req.headers_mut()
        .insert("gcms-signature", HeaderValue::from_bytes(b"sign=\xff, env=master, t=1").unwrap());
    assert_error(&call(&app, req).await, 401, "malformed_signature");

    let header = header_for("{}");
    let req = post_req("/hook", Body::from(&b"{\"a\":\"\xff\"}"[..]), &[("gcms-signature", &header)]);
    assert_error(&call(&app, req).await, 401, "malformed_body");
    assert_eq!(h.calls(), 0);
}

#[tokio::test]
async fn a_rotated_secret_reports_which_one_matched() {
    let (app, _) = app(Verifier::new(["the-new-secret", SECRET]).unwrap(), None);
    let (status, got) = call(&app, delivery(&unique_body(), &[])).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(got["secret_index"], 1);
}

#[tokio::test]
async fn a_body_over_axums_limit_is_413_and_the_limit_is_axums_own_setting() {
    async fn ok(_: HygraphDelivery) -> &'static str {
        "ok"
    }
    let layer = HygraphLayer::new(verifier());
    let small = Router::new().route("/hook", post(ok).layer(layer.clone())).layer(DefaultBodyLimit::max(64));
    let large = Router::new().route("/hook", post(ok).layer(layer)).layer(DefaultBodyLimit::max(4096));
    let body = unique_body();
    assert!(body.len() > 64);
    assert_error(&call(&small, delivery(&body, &[])).await, 413, "payload_too_large");
    assert_eq!(call(&large, delivery(&body, &[])).await.0, StatusCode::OK);
}

#[tokio::test]
async fn the_extractor_without_the_layer_answers_500_and_never_runs_unverified() {
    async fn unguarded(_: HygraphDelivery) -> &'static str {
        "the handler ran"
    }
    let app = Router::new().route("/hook", post(unguarded));
    assert_error(&call(&app, delivery(&unique_body(), &[])).await, 500, "hookseal_layer_missing");
}

#[test]
fn configuration_mistakes_fail_when_the_layer_is_built() {
    // A missing environment variable read as "" or no secret at all: never a layer that lets
    // requests in.
    assert_eq!(Verifier::new([""]).unwrap_err(), ConfigError::EmptySecret);
    assert_eq!(Verifier::new(Vec::<String>::new()).unwrap_err(), ConfigError::NoSecret);
    assert_eq!(Verifier::new(["  \n"]).unwrap_err(), ConfigError::BlankSecret);
    assert_eq!(verifier().environments(Vec::<String>::new()).unwrap_err(), ConfigError::NoEnvironments);
}
