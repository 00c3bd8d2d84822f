//! # hookseal-axum
//!
//! [hookseal] for [axum](https://docs.rs/axum): prove that a request really came from
//! Hygraph (signed webhooks, `gcms-signature`) or from Hasura (Actions and Event Triggers, a
//! shared-secret header), with a retry-safe replay guard in memory or on Redis.
//!
//! - [`HygraphLayer`] reads the raw body, verifies the signature with the core's strict
//!   [`Verifier`], and hands the handler a [`HygraphDelivery`] (the verified delivery and the
//!   body bytes); with [`replay`](HygraphLayer::replay) it answers copies itself.
//! - [`SharedSecretLayer`] checks Hasura's shared-secret header.
//! - [`MemoryReplayGuard`] and, with the feature `redis`, `RedisReplayGuard` (through the
//!   `redis` crate's async `ConnectionManager`): the same states, keys and Lua scripts as the
//!   Node and Python packages, so instances written in any of them share one Redis.
//! - [`hasura`]: Hasura's Event Trigger and scheduled deliveries run once
//!   ([`HasuraEventLayer`]), Actions ([`HasuraActionLayer`], [`HasuraActionError`]) and the auth
//!   webhook, v2 and DDN, with a receiver-side cache ([`HasuraAuth`], [`AuthCache`](hasura::AuthCache)).
//!
//! Every failure answers in Hasura's shape, `{"message": "...", "extensions": {"code": "..."}}`,
//! with the core's stable codes: 401 for a failed check, 409 for a copy being handled, 503 when
//! the replay store cannot be reached (never accepted unguarded). A missing secret is a
//! [`ConfigError`] when the layer is built, never a request let through.
//!
//! ```no_run
//! use axum::{routing::post, Router};
//! use hookseal_axum::{HygraphDelivery, HygraphLayer, MemoryReplayGuard, SharedSecretLayer, Verifier};
//!
//! async fn on_publish(delivery: HygraphDelivery) -> &'static str {
//!     println!("{} from {}", delivery.body.len(), delivery.verified.environment);
//!     "ok"
//! }
//!
//! #[tokio::main]
//! async fn main() -> Result<(), Box<dyn std::error::Error>> {
//!     let verifier = Verifier::new([std::env::var("HYGRAPH_WEBHOOK_SECRET")?])?; // ConfigError if empty
//!     let hygraph = HygraphLayer::new(verifier).replay(MemoryReplayGuard::default());
//!     let action = SharedSecretLayer::new("ACTION_SECRET", [std::env::var("HASURA_ACTION_SECRET")?])?;
//!     let app = Router::new()
//!         .route("/api/hygraph", post(on_publish).layer(hygraph))
//!         .route("/api/action", post(|body: String| async move { body }).layer(action));
//!     axum::serve(tokio::net::TcpListener::bind("127.0.0.1:3000").await?, app).await?;
//!     Ok(())
//! }
//! ```

#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used, clippy::panic))]

mod catch;
pub mod hasura;
mod hygraph;
mod replay;
mod shared_secret;

pub use hookseal;
pub use hookseal::hygraph::{Verified, Verifier};
pub use hookseal::replay::Claim;
pub use hookseal::ConfigError;

pub use crate::hasura::{
    HasuraAction, HasuraActionError, HasuraActionLayer, HasuraAuth, HasuraDelivery, HasuraEventLayer,
};
pub use crate::hygraph::{HygraphDelivery, HygraphLayer, HygraphService, MissingLayer};
#[cfg(feature = "redis")]
pub use crate::replay::RedisReplayGuard;
pub use crate::replay::{new_token, MemoryReplayGuard, ReplayGuard, ReplayStoreError};
pub use crate::shared_secret::{SharedSecretLayer, SharedSecretService};

// The README's examples compile as doc tests too.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;

// The repository's README.md (its Rust and axum examples): compiled as doc tests here, the one
// crate that has both hookseal and axum. Only under `cfg(doctest)`, so the published crate, which
// does not hold that file, never reads it.
#[cfg(doctest)]
#[doc = include_str!("../../../README.md")]
struct RepositoryReadmeDoctests;

// The documentation site's Rust page (docs/rust.md: the core and axum), the same way.
#[cfg(doctest)]
#[doc = include_str!("../../../docs/rust.md")]
struct ReadmeDocsRustDoctests;

// The documentation site's Hasura page for axum (docs/hasura/axum.md), the same way.
#[cfg(doctest)]
#[doc = include_str!("../../../docs/hasura/axum.md")]
struct DocsHasuraAxumDoctests;
