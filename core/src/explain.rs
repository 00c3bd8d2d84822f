//! Step-by-step diagnosis of a delivery that fails (what `hookseal explain` prints).
