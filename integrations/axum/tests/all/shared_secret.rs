//! SharedSecretLayer: Hasura's shared-secret header, in any case, one of several secrets.

use axum::http::StatusCode;
use axum::routing::post;
use axum::Router;
use hookseal_axum::{ConfigError, SharedSecretLayer};

use crate::common::*;

fn action_app(secrets: &[&str]) -> Router {
    async fn echo(body: String) -> String {
        body
    }
    let layer = SharedSecretLayer::new("ACTION_SECRET", secrets.iter().copied()).unwrap();
    Router::new().route("/action", post(echo).layer(layer))
}

#[tokio::test]
async fn the_right_secret_passes_and_the_handler_reads_the_body() {
    let app = action_app(&["s3cret-one"]);
    // Hasura's docs write ACTION_SECRET; HTTP/1.1 and axum lower-case it.
    for name in ["ACTION_SECRET", "action_secret", "Action_Secret"] {
        let (status, body) = call(&app, post_req("/action", "{\"input\":{}}", &[(name, "s3cret-one")])).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(body, serde_json::json!({ "input": {} }));
    }
}

#[tokio::test]
async fn during_a_rotation_either_secret_passes() {
    let app = action_app(&["the-new-one", "the-old-one"]);
    for s in ["the-new-one", "the-old-one"] {
        assert_eq!(call(&app, post_req("/action", "{}", &[("action_secret", s)])).await.0, StatusCode::OK);
    }
}

#[tokio::test]
async fn a_missing_wrong_empty_or_repeated_header_is_401() {
    let app = action_app(&["s3cret-one"]);
    let cases: Vec<(Vec<(&str, &str)>, &str)> = vec![
        (vec![], "missing_secret"),
        (vec![("action_secret", "")], "missing_secret"),
        (vec![("action_secret", "s3cret-onE")], "secret_mismatch"),
        (vec![("action_secret", "s3cret-one ")], "secret_mismatch"),
        (vec![("action_secret", "s3cret-one"), ("action_secret", "s3cret-one")], "secret_mismatch"),
        (vec![("x-action-secret", "s3cret-one")], "missing_secret"),
    ];
    for (headers, code) in cases {
        let got = call(&app, post_req("/action", "{}", &headers)).await;
        assert_error(&got, 401, code);
        let message = got.1["message"].as_str().map(str::to_owned).unwrap_or_default();
        assert!(message.contains("action_secret") && !message.contains("s3cret"), "{message}");
    }
}

#[test]
fn configuration_mistakes_fail_when_the_layer_is_built() {
    let none: [&str; 0] = [];
    assert_eq!(SharedSecretLayer::new("ACTION_SECRET", none).unwrap_err(), ConfigError::NoSecret);
    assert_eq!(SharedSecretLayer::new("ACTION_SECRET", [""]).unwrap_err(), ConfigError::EmptySecret);
    assert_eq!(SharedSecretLayer::new("ACTION SECRET", ["x"]).unwrap_err(), ConfigError::InvalidHeaderName);
    assert_eq!(SharedSecretLayer::new("ACTION_SECRET", ["x"]).unwrap().header(), "action_secret");
}
