//! Node face of hookseal (napi-rs).
