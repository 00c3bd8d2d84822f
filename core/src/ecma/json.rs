//! `JSON.parse` and `JSON.stringify` with Node's exact semantics.
//!
//! Why not `serde_json`: JS strings may hold lone surrogates (`"\ud800"` parses in JS and
//! `serde_json` rejects it), JS keeps the *first* position of a duplicated key with the *last*
//! value, orders integer-like keys first, and reads every number as a double (`1e400` is
//! `Infinity`, which `JSON.stringify` writes as `null`). No general-purpose JSON library does all
//! of that, so this module owns it.

use std::collections::HashMap;
use std::fmt;

use super::quote::quote_into;
use super::{encode_wtf8, json_number_into};

/// Nesting deeper than this is refused (Node accepts somewhat more; webhook bodies never come
/// close, and a bound keeps the native stack safe on every thread).
pub const MAX_DEPTH: usize = 512;

/// A JS value as `JSON.parse` produces it. Strings are WTF-8 (UTF-8 that may hold lone
/// surrogates).
#[derive(Clone, Debug, PartialEq)]
pub enum JsValue {
    /// `null`
    Null,
    /// `true` / `false`
    Bool(bool),
    /// Every JSON number is a double in JS.
    Number(f64),
    /// A string, WTF-8 encoded.
    String(Vec<u8>),
    /// An array.
    Array(Vec<JsValue>),
    /// An object, with JS property semantics.
    Object(JsObject),
}

/// An object's own properties in creation order. Inserting an existing key replaces its value
/// and keeps its position, as JS does.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct JsObject {
    entries: Vec<(Vec<u8>, JsValue)>,
    index: Option<HashMap<Vec<u8>, usize>>,
}

const INDEX_FROM: usize = 12;

impl JsObject {
    /// An empty object.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets property `key` (WTF-8) to `value`.
    pub fn insert(&mut self, key: Vec<u8>, value: JsValue) {
        if let Some(index) = &mut self.index {
            if let Some(&at) = index.get(&key) {
                self.entries[at].1 = value;
            } else {
                index.insert(key.clone(), self.entries.len());
                self.entries.push((key, value));
            }
            return;
        }
        if let Some(e) = self.entries.iter_mut().find(|(k, _)| *k == key) {
            e.1 = value;
            return;
        }
        self.entries.push((key, value));
        if self.entries.len() >= INDEX_FROM {
            let map = self.entries.iter().enumerate().map(|(i, (k, _))| (k.clone(), i)).collect();
            self.index = Some(map);
        }
    }

    /// The value of property `key` (WTF-8), if any.
    pub fn get(&self, key: &[u8]) -> Option<&JsValue> {
        if let Some(index) = &self.index {
            return index.get(key).map(|&i| &self.entries[i].1);
        }
        self.entries.iter().find(|(k, _)| k == key).map(|(_, v)| v)
    }

    /// Number of properties.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// True when the object has no properties.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The properties in the order `JSON.stringify` writes them: integer-like keys (array
    /// indices) in ascending numeric order, then the others in creation order.
    pub fn ordered(&self) -> Vec<(&[u8], &JsValue)> {
        let entry = |i: usize| (self.entries[i].0.as_slice(), &self.entries[i].1);
        match key_order(self.entries.iter().map(|(k, _)| k.as_slice())) {
            None => self.entries.iter().map(|(k, v)| (k.as_slice(), v)).collect(),
            Some(order) => order.into_iter().map(entry).collect(),
        }
    }
}

/// The order in which `JSON.stringify` writes an object's properties, given its keys (WTF-8) in
/// creation order: `None` when that order stands (no key is an array index, the usual case),
/// else the positions in writing order (array indices ascending first, then the rest).
pub fn key_order<'k>(keys: impl Iterator<Item = &'k [u8]> + Clone) -> Option<Vec<usize>> {
    if !keys.clone().any(|k| array_index(k).is_some()) {
        return None;
    }
    let mut ints: Vec<(u32, usize)> = Vec::new();
    let mut rest: Vec<usize> = Vec::new();
    for (i, k) in keys.enumerate() {
        match array_index(k) {
            Some(n) => ints.push((n, i)),
            None => rest.push(i),
        }
    }
    ints.sort_unstable();
    Some(ints.into_iter().map(|(_, i)| i).chain(rest).collect())
}

/// `Some(n)` when `key` is the canonical decimal spelling of an integer `0..=2^32-2`, which JS
/// objects keep ahead of every other key.
pub fn array_index(key: &[u8]) -> Option<u32> {
    if key.is_empty() || key.len() > 10 || (key.len() > 1 && key[0] == b'0') {
        return None;
    }
    let mut n: u64 = 0;
    for &c in key {
        if !c.is_ascii_digit() {
            return None;
        }
        n = n * 10 + u64::from(c - b'0');
    }
    if n <= 4_294_967_294 {
        u32::try_from(n).ok()
    } else {
        None
    }
}

impl JsValue {
    /// `JSON.stringify(value)` appended to `out`.
    pub fn write_json(&self, out: &mut Vec<u8>) {
        match self {
            JsValue::Null => out.extend_from_slice(b"null"),
            JsValue::Bool(true) => out.extend_from_slice(b"true"),
            JsValue::Bool(false) => out.extend_from_slice(b"false"),
            JsValue::Number(n) => json_number_into(*n, out),
            JsValue::String(s) => quote_into(s, out),
            JsValue::Array(items) => {
                out.push(b'[');
                for (i, v) in items.iter().enumerate() {
                    if i > 0 {
                        out.push(b',');
                    }
                    v.write_json(out);
                }
                out.push(b']');
            }
            JsValue::Object(obj) => {
                out.push(b'{');
                for (i, (k, v)) in obj.ordered().into_iter().enumerate() {
                    if i > 0 {
                        out.push(b',');
                    }
                    quote_into(k, out);
                    out.push(b':');
                    v.write_json(out);
                }
                out.push(b'}');
            }
        }
    }

    /// `JSON.stringify(value)` as a string (always valid UTF-8: lone surrogates are escaped).
    pub fn to_json(&self) -> String {
        let mut out = Vec::new();
        self.write_json(&mut out);
        String::from_utf8(out).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
    }
}

/// Why `JSON.parse` would throw.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct JsonError {
    /// Byte offset where parsing stopped.
    pub offset: usize,
    /// What was wrong there.
    pub reason: &'static str,
}

impl fmt::Display for JsonError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "not valid JSON at byte {}: {}", self.offset, self.reason)
    }
}

impl std::error::Error for JsonError {}

/// `JSON.parse(text)` for WTF-8 text.
pub fn parse(text: &[u8]) -> Result<JsValue, JsonError> {
    Parser::<true> { s: text, i: 0, buf: Vec::new() }.document()
}

/// Whether `JSON.parse(text)` would succeed. Builds nothing.
pub fn is_valid(text: &[u8]) -> bool {
    Parser::<false> { s: text, i: 0, buf: Vec::new() }.document().is_ok()
}

/// `JSON.stringify(JSON.parse(text))`: what a framework that parsed the body and serialized it
/// again would hand you.
pub fn reserialize(text: &[u8]) -> Result<String, JsonError> {
    Ok(parse(text)?.to_json())
}

struct Parser<'a, const BUILD: bool> {
    s: &'a [u8],
    i: usize,
    buf: Vec<u8>,
}

impl<const BUILD: bool> Parser<'_, BUILD> {
    fn err<T>(&self, reason: &'static str) -> Result<T, JsonError> {
        Err(JsonError { offset: self.i, reason })
    }

    fn ws(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.s.get(self.i) {
            self.i += 1;
        }
    }

    fn document(&mut self) -> Result<JsValue, JsonError> {
        self.ws();
        let v = self.value(0)?;
        self.ws();
        if self.i != self.s.len() {
            return self.err("unexpected text after the value");
        }
        Ok(v)
    }

    fn lit(&mut self, word: &[u8], v: JsValue) -> Result<JsValue, JsonError> {
        if self.s[self.i..].starts_with(word) {
            self.i += word.len();
            Ok(v)
        } else {
            self.err("unexpected token")
        }
    }

    fn value(&mut self, depth: usize) -> Result<JsValue, JsonError> {
        if depth > MAX_DEPTH {
            return self.err("nested too deeply");
        }
        match self.s.get(self.i) {
            None => self.err("unexpected end of input"),
            Some(b'n') => self.lit(b"null", JsValue::Null),
            Some(b't') => self.lit(b"true", JsValue::Bool(true)),
            Some(b'f') => self.lit(b"false", JsValue::Bool(false)),
            Some(b'"') => {
                self.string()?;
                Ok(if BUILD { JsValue::String(std::mem::take(&mut self.buf)) } else { JsValue::Null })
            }
            Some(b'[') => {
                self.i += 1;
                let mut items = Vec::new();
                self.ws();
                if self.s.get(self.i) == Some(&b']') {
                    self.i += 1;
                    return Ok(JsValue::Array(items));
                }
                loop {
                    self.ws();
                    let v = self.value(depth + 1)?;
                    if BUILD {
                        items.push(v);
                    }
                    self.ws();
                    match self.s.get(self.i) {
                        Some(b',') => self.i += 1,
                        Some(b']') => {
                            self.i += 1;
                            return Ok(JsValue::Array(items));
                        }
                        _ => return self.err("expected `,` or `]`"),
                    }
                }
            }
            Some(b'{') => {
                self.i += 1;
                let mut obj = JsObject::new();
                self.ws();
                if self.s.get(self.i) == Some(&b'}') {
                    self.i += 1;
                    return Ok(JsValue::Object(obj));
                }
                loop {
                    self.ws();
                    if self.s.get(self.i) != Some(&b'"') {
                        return self.err("expected a property name");
                    }
                    self.string()?;
                    let key = std::mem::take(&mut self.buf);
                    self.ws();
                    if self.s.get(self.i) != Some(&b':') {
                        return self.err("expected `:`");
                    }
                    self.i += 1;
                    self.ws();
                    let v = self.value(depth + 1)?;
                    if BUILD {
                        obj.insert(key, v);
                    }
                    self.ws();
                    match self.s.get(self.i) {
                        Some(b',') => self.i += 1,
                        Some(b'}') => {
                            self.i += 1;
                            return Ok(JsValue::Object(obj));
                        }
                        _ => return self.err("expected `,` or `}`"),
                    }
                }
            }
            Some(b'-' | b'0'..=b'9') => self.number(),
            Some(_) => self.err("unexpected token"),
        }
    }

    fn digits(&mut self) -> usize {
        let start = self.i;
        while self.s.get(self.i).is_some_and(u8::is_ascii_digit) {
            self.i += 1;
        }
        self.i - start
    }

    fn number(&mut self) -> Result<JsValue, JsonError> {
        let start = self.i;
        if self.s[self.i] == b'-' {
            self.i += 1;
        }
        match self.s.get(self.i) {
            Some(b'0') => self.i += 1,
            Some(b'1'..=b'9') => {
                self.digits();
            }
            _ => return self.err("no digits in a number"),
        }
        if self.s.get(self.i) == Some(&b'.') {
            self.i += 1;
            if self.digits() == 0 {
                return self.err("no digits after `.`");
            }
        }
        if let Some(b'e' | b'E') = self.s.get(self.i) {
            self.i += 1;
            if let Some(b'+' | b'-') = self.s.get(self.i) {
                self.i += 1;
            }
            if self.digits() == 0 {
                return self.err("no digits in the exponent");
            }
        }
        if !BUILD {
            return Ok(JsValue::Null);
        }
        // The grammar above is a subset of what `f64::from_str` reads; it rounds correctly
        // and gives ±inf past the range, like JS.
        let text = std::str::from_utf8(&self.s[start..self.i]).unwrap_or("NaN");
        Ok(JsValue::Number(text.parse::<f64>().unwrap_or(f64::NAN)))
    }

    /// Reads a string token into `self.buf` (WTF-8).
    fn string(&mut self) -> Result<(), JsonError> {
        self.i += 1;
        self.buf.clear();
        loop {
            let run_start = self.i;
            while let Some(&c) = self.s.get(self.i) {
                if c == b'"' || c == b'\\' || c < 0x20 {
                    break;
                }
                self.i += 1;
            }
            if BUILD {
                self.buf.extend_from_slice(&self.s[run_start..self.i]);
            }
            match self.s.get(self.i) {
                None => return self.err("unterminated string"),
                Some(b'"') => {
                    self.i += 1;
                    return Ok(());
                }
                Some(b'\\') => {
                    self.i += 1;
                    let e = match self.s.get(self.i) {
                        Some(&e) => e,
                        None => return self.err("unterminated string"),
                    };
                    self.i += 1;
                    let ch = match e {
                        b'"' => b'"',
                        b'\\' => b'\\',
                        b'/' => b'/',
                        b'b' => 0x08,
                        b'f' => 0x0C,
                        b'n' => b'\n',
                        b'r' => b'\r',
                        b't' => b'\t',
                        b'u' => {
                            let unit = self.hex4()?;
                            if BUILD {
                                push_unit(&mut self.buf, unit);
                            }
                            continue;
                        }
                        _ => {
                            self.i -= 1;
                            return self.err("bad escape");
                        }
                    };
                    if BUILD {
                        self.buf.push(ch);
                    }
                }
                Some(_) => return self.err("control character in a string"),
            }
        }
    }

    fn hex4(&mut self) -> Result<u16, JsonError> {
        let mut v: u16 = 0;
        for _ in 0..4 {
            let d = match self.s.get(self.i) {
                Some(c @ b'0'..=b'9') => c - b'0',
                Some(c @ b'a'..=b'f') => c - b'a' + 10,
                Some(c @ b'A'..=b'F') => c - b'A' + 10,
                _ => return self.err("bad \\u escape"),
            };
            v = (v << 4) | u16::from(d);
            self.i += 1;
        }
        Ok(v)
    }
}

/// Appends one UTF-16 code unit to a WTF-8 buffer, joining a low surrogate with a high one
/// that ends the buffer (the pair is one character in JS).
fn push_unit(buf: &mut Vec<u8>, unit: u16) {
    if (0xDC00..0xE000).contains(&unit) {
        let n = buf.len();
        if n >= 3 && buf[n - 3] == 0xED && (0xA0..0xB0).contains(&buf[n - 2]) {
            let high = 0xD000u32 | (u32::from(buf[n - 2] & 0x3F) << 6) | u32::from(buf[n - 1] & 0x3F);
            buf.truncate(n - 3);
            let cp = 0x10000 + ((high - 0xD800) << 10) + (u32::from(unit) - 0xDC00);
            encode_wtf8(cp, buf);
            return;
        }
    }
    encode_wtf8(u32::from(unit), buf);
}
