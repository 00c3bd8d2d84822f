//! The plainest possible `JSON.stringify` escaper, one character at a time: the oracle that the
//! streamed envelope and every SIMD level are checked against (core tests and fuzz targets).

/// The contents of `JSON.stringify(body)` (no quotes); with `html`, of the HTML-escaped spelling.
pub fn naive(body: &str, html: bool) -> String {
    let mut out = String::new();
    for c in body.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            '<' if html => out.push_str("\\\\u003c"),
            '>' if html => out.push_str("\\\\u003e"),
            '&' if html => out.push_str("\\\\u0026"),
            '\u{2028}' if html => out.push_str("\\\\u2028"),
            '\u{2029}' if html => out.push_str("\\\\u2029"),
            c => out.push(c),
        }
    }
    out
}
