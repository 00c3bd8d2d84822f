//! Python face of hookseal (pyo3).
