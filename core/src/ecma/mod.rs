//! ECMAScript serialization, exact to the byte: `QuoteJSONString`, `Number::toString`,
//! `parseInt`, and `JSON.stringify(JSON.parse(text))`.
//!
//! Text that may come from a JS or Python string is handled as WTF-8: UTF-8 that may also encode
//! lone surrogates (U+D800..U+DFFF) as three bytes. Valid UTF-8 is valid WTF-8, so a `&str`
//! can be passed as its bytes.
//!
//! ```
//! use hookseal::ecma::{number_to_string, parse_int, quote, reserialize};
//!
//! assert_eq!(quote("a\"b\n\u{1}"), r#""a\"b\n\u0001""#);
//! assert_eq!(number_to_string(1e21), "1e+21");
//! assert_eq!(number_to_string(-0.0), "0");
//! assert_eq!(parse_int(b"  0x1F, rest"), 31.0);
//! assert!(parse_int(b"t=").is_nan());
//! // JSON.stringify(JSON.parse(text)): integer-like keys first, numbers as JS writes them.
//! assert_eq!(reserialize(br#"{"b":1.50,"2":true,"1":null}"#)?, r#"{"1":null,"2":true,"b":1.5}"#);
//! # Ok::<(), hookseal::ecma::JsonError>(())
//! ```

pub mod json;
pub(crate) mod quote;

pub use crate::simd::Level as SimdLevel;

pub use json::{
    array_index, is_valid as is_valid_json, key_order, parse as parse_json, reserialize, JsObject, JsValue,
    JsonError,
};

/// `JSON.stringify(s)` for UTF-8 text.
pub fn quote(s: &str) -> String {
    quote_wtf8(s.as_bytes())
}

/// `JSON.stringify(s)` for WTF-8 text (a string that may hold lone surrogates).
pub fn quote_wtf8(s: &[u8]) -> String {
    let mut out = Vec::with_capacity(s.len() + 2);
    quote::quote_into(s, &mut out);
    into_string(out)
}

/// Appends `JSON.stringify(s)` (with the quotes) for WTF-8 `s` to `out`: for faces that write
/// JSON from their own values, without building a [`JsValue`] first.
pub fn write_json_string(s: &[u8], out: &mut Vec<u8>) {
    quote::quote_into(s, out);
}

/// Appends how `JSON.stringify` writes the number `x` (`null` for NaN and ±Infinity) to `out`.
pub fn write_json_number(x: f64, out: &mut Vec<u8>) {
    json_number_into(x, out);
}

/// Appends how `JSON.stringify` writes the integer `i` (as JS holds it: the nearest double) to
/// `out`. Exact integers (|i| <= 2^53) are written digit by digit, without float formatting.
pub fn write_json_integer(i: i64, out: &mut Vec<u8>) {
    if i.unsigned_abs() > EXACT_INT {
        return json_number_into(i as f64, out);
    }
    out.extend_from_slice(NumberText::integer(i).as_bytes());
}

/// Integers up to this magnitude are exact doubles.
const EXACT_INT: u64 = 1 << 53;

/// `00`, `01`, ... `99`, back to back.
const DIGIT_PAIRS: [u8; 200] = {
    let mut t = [0u8; 200];
    let mut i = 0;
    while i < 100 {
        t[2 * i] = b'0' + (i / 10) as u8;
        t[2 * i + 1] = b'0' + (i % 10) as u8;
        i += 1;
    }
    t
};

/// A number as `JSON.stringify` writes it, on the stack.
pub(crate) struct NumberText {
    buf: [u8; 32],
    start: usize,
}

impl NumberText {
    /// How `JSON.stringify` writes `x`: integers digit by digit, others through ryu-js.
    pub(crate) fn new(x: f64) -> NumberText {
        // `as` truncates (NaN to 0, infinities saturate): equal again only for an integer.
        let i = x as i64;
        if i as f64 == x && i.unsigned_abs() <= EXACT_INT {
            return NumberText::integer(i); // also -0 -> "0"
        }
        let mut out = NumberText { buf: [0; 32], start: 32 };
        let mut ryu = ryu_js::Buffer::new();
        let text = json_number_with(x, &mut ryu).as_bytes();
        out.start = 32 - text.len();
        out.buf[out.start..].copy_from_slice(text);
        out
    }

    /// The decimal digits of `i` (|i| <= 2^53), with a `-` for negatives: four digits a step
    /// (a millisecond timestamp is 13 digits, formatted on every verification).
    fn integer(i: i64) -> NumberText {
        let mut out = NumberText { buf: [0; 32], start: 32 };
        let mut n = i.unsigned_abs();
        while n >= 10_000 {
            let four = (n % 10_000) as usize;
            n /= 10_000;
            let (hi, lo) = (four / 100 * 2, four % 100 * 2);
            out.start -= 4;
            out.buf[out.start..out.start + 2].copy_from_slice(&DIGIT_PAIRS[hi..hi + 2]);
            out.buf[out.start + 2..out.start + 4].copy_from_slice(&DIGIT_PAIRS[lo..lo + 2]);
        }
        if n >= 100 {
            let d = usize::from((n % 100) as u8) * 2;
            n /= 100;
            out.start -= 2;
            out.buf[out.start..out.start + 2].copy_from_slice(&DIGIT_PAIRS[d..d + 2]);
        }
        if n >= 10 {
            let d = n as usize * 2;
            out.start -= 2;
            out.buf[out.start..out.start + 2].copy_from_slice(&DIGIT_PAIRS[d..d + 2]);
        } else {
            out.start -= 1;
            out.buf[out.start] = b'0' + n as u8;
        }
        if i < 0 {
            out.start -= 1;
            out.buf[out.start] = b'-';
        }
        out
    }

    pub(crate) fn as_bytes(&self) -> &[u8] {
        &self.buf[self.start..]
    }
}

/// Appends the contents of `JSON.stringify(s)` (no surrounding quotes) for WTF-8 `s` to `out`,
/// escaped at `level`; with `html`, the spelling of a body whose `<`, `>`, `&`, U+2028 and
/// U+2029 were escaped first (contract §2). For tests and benchmarks that compare the levels:
/// every level gives the same bytes. A level this CPU lacks runs the scalar code.
pub fn escape_at_level(level: SimdLevel, s: &[u8], html: bool, out: &mut Vec<u8>) {
    let style = if html { quote::Style::Html } else { quote::Style::Js };
    quote::escape_into(level, s, style, out);
}

/// `JSON.stringify(s)` for a string given as UTF-16 code units (lone surrogates allowed).
pub fn quote_utf16(units: &[u16]) -> String {
    quote_wtf8(&wtf8_from_utf16(units))
}

/// Output of the quoting functions is valid UTF-8 by construction (surrogates are escaped); this
/// avoids a panic path if that ever failed.
fn into_string(v: Vec<u8>) -> String {
    String::from_utf8(v).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
}

/// Appends code point `cp` (a surrogate is allowed) in generalized UTF-8.
pub(crate) fn encode_wtf8(cp: u32, out: &mut Vec<u8>) {
    if cp < 0x80 {
        out.push(cp as u8);
    } else if cp < 0x800 {
        out.extend_from_slice(&[0xC0 | (cp >> 6) as u8, 0x80 | (cp & 0x3F) as u8]);
    } else if cp < 0x10000 {
        out.extend_from_slice(&[
            0xE0 | (cp >> 12) as u8,
            0x80 | ((cp >> 6) & 0x3F) as u8,
            0x80 | (cp & 0x3F) as u8,
        ]);
    } else {
        out.extend_from_slice(&[
            0xF0 | (cp >> 18) as u8,
            0x80 | ((cp >> 12) & 0x3F) as u8,
            0x80 | ((cp >> 6) & 0x3F) as u8,
            0x80 | (cp & 0x3F) as u8,
        ]);
    }
}

/// UTF-16 code units (as a JS string holds them) to WTF-8: pairs become one character, lone
/// surrogates stay as three-byte sequences.
pub fn wtf8_from_utf16(units: &[u16]) -> Vec<u8> {
    let mut out = Vec::with_capacity(units.len() + units.len() / 2);
    wtf8_from_utf16_into(units, &mut out);
    out
}

/// [`wtf8_from_utf16`] appended to `out` (which a caller may reuse between calls).
pub fn wtf8_from_utf16_into(units: &[u16], out: &mut Vec<u8>) {
    wtf8_from_utf16_at_level(SimdLevel::best(), units, out);
}

/// [`wtf8_from_utf16_into`] at `level` (tests and benchmarks compare the levels; a level this
/// CPU lacks runs the scalar code).
pub fn wtf8_from_utf16_at_level(level: SimdLevel, units: &[u16], out: &mut Vec<u8>) {
    match crate::simd::Kernel::new(level) {
        Some(kernel) => crate::simd::utf16_into_vec(kernel, units, out, utf16_scalar),
        None => {
            utf16_scalar(units, 0, out, units.len());
        }
    }
}

/// Encodes `units[from..]` until the index reaches `to` (a pair whose high surrogate is just
/// before `to` is joined, taking one unit more); returns the index reached.
fn utf16_scalar(units: &[u16], from: usize, out: &mut Vec<u8>, to: usize) -> usize {
    let mut i = from;
    while i < to {
        let u = u32::from(units[i]);
        if (0xD800..0xDC00).contains(&u) {
            if let Some(low) =
                units.get(i + 1).map(|&l| u32::from(l)).filter(|l| (0xDC00..0xE000).contains(l))
            {
                encode_wtf8(0x10000 + ((u - 0xD800) << 10) + (low - 0xDC00), out);
                i += 2;
                continue;
            }
        }
        encode_wtf8(u, out);
        i += 1;
    }
    i
}

/// WTF-8 back to UTF-16 code units. Bytes that are not WTF-8 become U+FFFD.
pub fn wtf8_to_utf16(s: &[u8]) -> Vec<u16> {
    let mut out = Vec::with_capacity(s.len());
    let mut i = 0;
    while i < s.len() {
        let (cp, n) = decode_wtf8(&s[i..]);
        if cp >= 0x10000 {
            let c = cp - 0x10000;
            out.push(0xD800 | (c >> 10) as u16);
            out.push(0xDC00 | (c & 0x3FF) as u16);
        } else {
            out.push(cp as u16);
        }
        i += n;
    }
    out
}

/// Decodes one code point from the start of non-empty WTF-8 `s`: `(code point, bytes used)`.
/// An invalid sequence yields `(0xFFFD, 1)`.
pub(crate) fn decode_wtf8(s: &[u8]) -> (u32, usize) {
    let b0 = s[0];
    let cont = |k: usize| s.get(k).filter(|&&b| b & 0xC0 == 0x80).map(|&b| u32::from(b & 0x3F));
    match b0 {
        0x00..=0x7F => (u32::from(b0), 1),
        0xC2..=0xDF => match cont(1) {
            Some(c1) => ((u32::from(b0 & 0x1F) << 6) | c1, 2),
            None => (0xFFFD, 1),
        },
        0xE0..=0xEF => match (cont(1), cont(2)) {
            (Some(c1), Some(c2)) => {
                let cp = (u32::from(b0 & 0x0F) << 12) | (c1 << 6) | c2;
                if cp < 0x800 {
                    (0xFFFD, 1)
                } else {
                    (cp, 3)
                }
            }
            _ => (0xFFFD, 1),
        },
        0xF0..=0xF4 => match (cont(1), cont(2), cont(3)) {
            (Some(c1), Some(c2), Some(c3)) => {
                let cp = (u32::from(b0 & 0x07) << 18) | (c1 << 12) | (c2 << 6) | c3;
                if (0x10000..=0x10FFFF).contains(&cp) {
                    (cp, 4)
                } else {
                    (0xFFFD, 1)
                }
            }
            _ => (0xFFFD, 1),
        },
        _ => (0xFFFD, 1),
    }
}

/// ECMAScript `Number::toString(x)` (`String(x)` in JS): `1e+21`, `1e-7`, `-0` → `0`, `NaN`,
/// `Infinity`.
pub fn number_to_string(x: f64) -> String {
    if x == 0.0 {
        return "0".to_owned(); // also -0
    }
    ryu_js::Buffer::new().format(x).to_owned()
}

/// How `JSON.stringify` writes a number: like `String(x)` but NaN and ±Infinity are `null`.
pub fn json_number(x: f64) -> String {
    let mut out = Vec::new();
    json_number_into(x, &mut out);
    into_string(out)
}

pub(crate) fn json_number_into(x: f64, out: &mut Vec<u8>) {
    out.extend_from_slice(NumberText::new(x).as_bytes());
}

/// How `JSON.stringify` writes `x`, formatted in `buf` (no allocation).
pub(crate) fn json_number_with(x: f64, buf: &mut ryu_js::Buffer) -> &str {
    if !x.is_finite() {
        "null"
    } else if x == 0.0 {
        "0" // also -0
    } else {
        buf.format_finite(x)
    }
}

/// JS `StrWhiteSpaceChar`: WhiteSpace and LineTerminator.
fn is_js_space(cp: u32) -> bool {
    matches!(
        cp,
        0x09 | 0x0A | 0x0B | 0x0C | 0x0D | 0x20 | 0xA0 | 0x1680 | 0x2000
            ..=0x200A | 0x2028 | 0x2029 | 0x202F | 0x205F | 0x3000 | 0xFEFF
    )
}

/// JS `parseInt(s)` with no radix, for WTF-8 `s`: leading whitespace, a sign, `0x`/`0X` for
/// hexadecimal, then digits up to the first non-digit. No digits → NaN. Correctly rounded.
pub fn parse_int(s: &[u8]) -> f64 {
    let mut i = 0;
    while i < s.len() {
        let (cp, n) = decode_wtf8(&s[i..]);
        if !is_js_space(cp) {
            break;
        }
        i += n;
    }
    let mut neg = false;
    match s.get(i) {
        Some(b'-') => {
            neg = true;
            i += 1;
        }
        Some(b'+') => i += 1,
        _ => {}
    }
    let rest = &s[i..];
    let value = if rest.len() >= 2 && rest[0] == b'0' && (rest[1] == b'x' || rest[1] == b'X') {
        let digits: &[u8] = {
            let hex = &rest[2..];
            let n = hex.iter().take_while(|c| c.is_ascii_hexdigit()).count();
            &hex[..n]
        };
        if digits.is_empty() {
            return f64::NAN;
        }
        hex_to_f64(digits)
    } else {
        let n = rest.iter().take_while(|c| c.is_ascii_digit()).count();
        if n == 0 {
            return f64::NAN;
        }
        // ASCII digits only, so this is valid UTF-8 and a valid float literal.
        std::str::from_utf8(&rest[..n]).ok().and_then(|d| d.parse::<f64>().ok()).unwrap_or(f64::NAN)
    };
    if neg {
        -value
    } else {
        value
    }
}

/// Hex digits to the nearest double (ties to even), like V8's power-of-two radix path.
fn hex_to_f64(digits: &[u8]) -> f64 {
    let mut m: u64 = 0;
    let mut sticky = false;
    let mut exp: i32 = 0;
    for &c in digits {
        let d = u64::from(match c {
            b'0'..=b'9' => c - b'0',
            b'a'..=b'f' => c - b'a' + 10,
            _ => c - b'A' + 10,
        });
        if m >> 60 == 0 {
            m = (m << 4) | d;
        } else {
            sticky |= d != 0;
            exp = exp.saturating_add(4);
        }
    }
    if exp == 0 {
        return m as f64; // `as` rounds to nearest, ties to even
    }
    // `m` holds at least 61 significant bits here, so bit 0 lies below the rounding point of a
    // 53-bit mantissa: setting it records the discarded non-zero digits.
    if sticky {
        m |= 1;
    }
    (m as f64) * 2f64.powi(exp)
}

#[cfg(test)]
mod tests {
    use super::{NumberText, EXACT_INT};

    #[test]
    fn integers_are_written_as_rust_writes_them() {
        let mut xs: Vec<i64> = vec![0, 1, 9, 10, 11, 99, 100, 101, 999, 1000, 1_700_000_000_000];
        let mut p = 1i64;
        while p <= 1 << 53 {
            xs.extend([p - 1, p, p + 1]);
            p *= 10;
        }
        xs.extend([(1 << 53) - 1, 1 << 53]);
        for x in xs.clone() {
            xs.push(-x);
        }
        for x in xs {
            let text = NumberText::new(x as f64);
            assert_eq!(std::str::from_utf8(text.as_bytes()), Ok(x.to_string().as_str()), "{x}");
        }
        let cases: [(f64, &str); 8] = [
            (-0.0, "0"),
            (0.5, "0.5"),
            (-1.5, "-1.5"),
            (f64::NAN, "null"),
            (f64::INFINITY, "null"),
            (f64::NEG_INFINITY, "null"),
            (EXACT_INT as f64 * 2.0, "18014398509481984"),
            (1e21, "1e+21"),
        ];
        for (x, want) in cases {
            assert_eq!(std::str::from_utf8(NumberText::new(x).as_bytes()), Ok(want), "{x}");
        }
    }
}
