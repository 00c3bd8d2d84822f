//! hookseal-axum's tests, in one binary (one link instead of one per file): the Hygraph layer and
//! its extractor, the shared-secret layer, both replay guards (memory and a real redis-server,
//! `REDIS_URL` from scripts/with-redis.sh), and a real `axum::serve` server.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;
mod hasura;
mod hasura_vectors;
mod hygraph;
mod replay;
mod server;
mod shared_secret;
