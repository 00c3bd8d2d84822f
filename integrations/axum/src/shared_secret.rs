//! Hasura Actions and Event Triggers: [`SharedSecretLayer`] checks the shared-secret header.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use axum_core::extract::Request;
use axum_core::response::{IntoResponse, Response};
use hookseal::shared_secret::SharedSecret;
use hookseal::ConfigError;
use tower_layer::Layer;
use tower_service::Service;

use crate::hygraph::rejected;

type BoxFuture<T> = Pin<Box<dyn Future<Output = T> + Send + 'static>>;

/// A tower layer that lets a request through only when its shared-secret header holds one of the
/// configured secrets (the core's [`SharedSecret`]: header name in any case, compared in constant
/// time without leaking the secret's length). Otherwise it answers 401 with Hasura's
/// `{"message", "extensions": {"code"}}`: `missing_secret` (absent or empty) or
/// `secret_mismatch` (another value, or the header given more than once). The body is not read.
///
/// ```
/// use axum::{routing::post, Router};
/// use hookseal_axum::SharedSecretLayer;
///
/// async fn greet(body: String) -> String {
///     body
/// }
///
/// // Hasura: Action → Headers → ACTION_SECRET from the environment variable of the same name.
/// let secret = "value-of-HASURA_ACTION_SECRET"; // std::env::var(...)? in a real service
/// let app: Router = Router::new()
///     .route("/api/action", post(greet).layer(SharedSecretLayer::new("ACTION_SECRET", [secret])?));
/// # Ok::<(), hookseal_axum::ConfigError>(())
/// ```
#[derive(Clone, Debug)]
pub struct SharedSecretLayer {
    checker: Arc<SharedSecret>,
}

impl SharedSecretLayer {
    /// A layer checking `header` (any case) for one of `secrets` (several during a rotation).
    /// An empty list, an empty or blank secret, or an invalid header name is a [`ConfigError`]
    /// here, at start-up.
    pub fn new<I, S>(header: &str, secrets: I) -> Result<Self, ConfigError>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<[u8]>,
    {
        SharedSecret::new(header, secrets).map(Self::from)
    }

    /// The header this layer checks (lower case).
    pub fn header(&self) -> &str {
        self.checker.header()
    }
}

impl From<SharedSecret> for SharedSecretLayer {
    fn from(checker: SharedSecret) -> Self {
        SharedSecretLayer { checker: Arc::new(checker) }
    }
}

impl<S> Layer<S> for SharedSecretLayer {
    type Service = SharedSecretService<S>;

    fn layer(&self, inner: S) -> Self::Service {
        SharedSecretService { inner, checker: self.checker.clone() }
    }
}

/// The service [`SharedSecretLayer`] wraps around a handler or router.
#[derive(Clone)]
pub struct SharedSecretService<S> {
    inner: S,
    checker: Arc<SharedSecret>,
}

impl<S> fmt::Debug for SharedSecretService<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SharedSecretService").field("checker", &self.checker).finish_non_exhaustive()
    }
}

impl<S> Service<Request> for SharedSecretService<S>
where
    S: Service<Request> + Clone + Send + 'static,
    S::Future: Send + 'static,
    S::Response: IntoResponse,
{
    type Response = Response;
    type Error = S::Error;
    type Future = BoxFuture<Result<Response, S::Error>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, req: Request) -> Self::Future {
        let headers = req.headers().iter().map(|(name, value)| (name.as_str(), value.as_bytes()));
        if let Err(e) = self.checker.check_headers(headers) {
            let res = rejected(&e);
            return Box::pin(async move { Ok(res) });
        }
        let clone = self.inner.clone();
        let fut = std::mem::replace(&mut self.inner, clone).call(req);
        Box::pin(async move { fut.await.map(IntoResponse::into_response) })
    }
}
