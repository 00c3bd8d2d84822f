//! ECMAScript `QuoteJSONString`, streamed into a [`Sink`] without building the quoted copy.
//!
//! Input is WTF-8: UTF-8 that may also hold surrogate code points encoded as three bytes
//! (`ED A0..BF xx`), which is how a JS or Python string with lone surrogates arrives here. A
//! surrogate pair written as two such sequences is joined into one character, as JS would see it.
//!
//! The scan looks at 64 bytes at a time and builds a bit mask of the bytes that may need an
//! escape; the loop is written so that LLVM vectorizes it (SSE2 on any x86-64). Clean runs go to
//! the sink straight from the input; short runs between escapes are gathered in a small stack
//! buffer so the MAC sees few, large updates.

/// Where quoted bytes go: a MAC (or several) or a `Vec<u8>`.
pub(crate) trait Sink {
    /// Take the next bytes.
    fn put(&mut self, bytes: &[u8]);
}

impl Sink for Vec<u8> {
    #[inline]
    fn put(&mut self, bytes: &[u8]) {
        self.extend_from_slice(bytes);
    }
}

impl<M: hmac::Mac> Sink for [M] {
    #[inline]
    fn put(&mut self, bytes: &[u8]) {
        for m in self.iter_mut() {
            m.update(bytes);
        }
    }
}

/// Which spelling of the string to produce.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Style {
    /// `JSON.stringify(s)`.
    Js,
    /// `JSON.stringify(s')` where `s'` is `s` with `<`, `>`, `&`, U+2028, U+2029 replaced by
    /// their six-character escapes, as Go's JSON encoder writes them (contract §2).
    Html,
}

const BLOCK: usize = 64;
const STAGE: usize = 4096;
/// Runs at least this long are hashed from the input instead of being copied.
const DIRECT: usize = 256;

struct Stage<'s, S: Sink + ?Sized> {
    sink: &'s mut S,
    buf: [u8; STAGE],
    len: usize,
}

impl<S: Sink + ?Sized> Stage<'_, S> {
    #[inline]
    fn flush(&mut self) {
        if self.len > 0 {
            self.sink.put(&self.buf[..self.len]);
            self.len = 0;
        }
    }

    #[inline]
    fn run(&mut self, bytes: &[u8]) {
        if bytes.len() >= DIRECT {
            self.flush();
            self.sink.put(bytes);
            return;
        }
        if self.len + bytes.len() > STAGE {
            self.flush();
        }
        self.buf[self.len..self.len + bytes.len()].copy_from_slice(bytes);
        self.len += bytes.len();
    }

    #[inline]
    fn small(&mut self, bytes: &[u8]) {
        if self.len + bytes.len() > STAGE {
            self.flush();
        }
        self.buf[self.len..self.len + bytes.len()].copy_from_slice(bytes);
        self.len += bytes.len();
    }
}

/// Bit `i` set when `block[i]` may need an escape.
#[inline(always)]
fn mask<const HTML: bool>(block: &[u8; BLOCK]) -> u64 {
    let mut m = 0u64;
    for (i, &c) in block.iter().enumerate() {
        let mut hit = (c < 0x20) | (c == b'"') | (c == b'\\') | (c == 0xED);
        if HTML {
            hit |= (c == b'<') | (c == b'>') | (c == b'&') | (c == 0xE2);
        }
        m |= (hit as u64) << i;
    }
    m
}

const HEX: &[u8; 16] = b"0123456789abcdef";

/// The escape for the flagged byte at `s[i]`: writes it to `out` and returns
/// `(bytes written, input bytes consumed)`, or `None` when the byte needs no escape after all
/// (a lead byte of an ordinary character).
#[inline]
fn escape_at(s: &[u8], i: usize, html: bool, out: &mut [u8; 16]) -> Option<(usize, usize)> {
    let c = s[i];
    let short = |out: &mut [u8; 16], e: u8| {
        out[0] = b'\\';
        out[1] = e;
        Some((2, 1))
    };
    match c {
        b'"' => short(out, b'"'),
        b'\\' => short(out, b'\\'),
        0x08 => short(out, b'b'),
        0x0C => short(out, b'f'),
        b'\n' => short(out, b'n'),
        b'\r' => short(out, b'r'),
        b'\t' => short(out, b't'),
        0x00..=0x1F => {
            out[..6].copy_from_slice(&[
                b'\\',
                b'u',
                b'0',
                b'0',
                HEX[(c >> 4) as usize],
                HEX[(c & 15) as usize],
            ]);
            Some((6, 1))
        }
        0xED => {
            let b1 = *s.get(i + 1)?;
            let b2 = *s.get(i + 2)?;
            if !(0xA0..=0xBF).contains(&b1) {
                return None; // U+D000..U+D7FF, an ordinary character
            }
            let unit = 0xD000u16 | (u16::from(b1 & 0x3F) << 6) | u16::from(b2 & 0x3F);
            if unit < 0xDC00 {
                // A high surrogate directly followed by a low one is one character in JS.
                if let (Some(&0xED), Some(&l1), Some(&l2)) = (s.get(i + 3), s.get(i + 4), s.get(i + 5)) {
                    if (0xB0..=0xBF).contains(&l1) {
                        let low = 0xD000u32 | (u32::from(l1 & 0x3F) << 6) | u32::from(l2 & 0x3F);
                        let cp = 0x10000 + ((u32::from(unit) - 0xD800) << 10) + (low - 0xDC00);
                        out[0] = 0xF0 | (cp >> 18) as u8;
                        out[1] = 0x80 | ((cp >> 12) & 0x3F) as u8;
                        out[2] = 0x80 | ((cp >> 6) & 0x3F) as u8;
                        out[3] = 0x80 | (cp & 0x3F) as u8;
                        return Some((4, 6));
                    }
                }
            }
            out[..6].copy_from_slice(&[
                b'\\',
                b'u',
                HEX[(unit >> 12) as usize],
                HEX[((unit >> 8) & 15) as usize],
                HEX[((unit >> 4) & 15) as usize],
                HEX[(unit & 15) as usize],
            ]);
            Some((6, 3))
        }
        _ if html => {
            let esc: &[u8; 7] = match c {
                b'<' => b"\\\\u003c",
                b'>' => b"\\\\u003e",
                b'&' => b"\\\\u0026",
                0xE2 => match (s.get(i + 1), s.get(i + 2)) {
                    (Some(0x80), Some(0xA8)) => b"\\\\u2028",
                    (Some(0x80), Some(0xA9)) => b"\\\\u2029",
                    _ => return None,
                },
                _ => return None,
            };
            out[..7].copy_from_slice(esc);
            Some((7, if c == 0xE2 { 3 } else { 1 }))
        }
        _ => None,
    }
}

/// Writes the contents of `JSON.stringify(s)` without the surrounding quotes.
pub(crate) fn quote_inner<S: Sink + ?Sized>(s: &[u8], style: Style, sink: &mut S) {
    match style {
        Style::Js => quote_impl::<S, false>(s, sink),
        Style::Html => quote_impl::<S, true>(s, sink),
    }
}

fn quote_impl<S: Sink + ?Sized, const HTML: bool>(s: &[u8], sink: &mut S) {
    let mut st = Stage { sink, buf: [0; STAGE], len: 0 };
    let mut run_start = 0usize;
    let mut esc = [0u8; 16];
    let mut handle = |st: &mut Stage<'_, S>, run_start: &mut usize, i: usize| {
        if i < *run_start {
            return; // inside a sequence an earlier escape consumed
        }
        if let Some((n, used)) = escape_at(s, i, HTML, &mut esc) {
            st.run(&s[*run_start..i]);
            st.small(&esc[..n]);
            *run_start = i + used;
        }
    };
    let mut chunks = s.chunks_exact(BLOCK);
    let mut base = 0usize;
    for block in &mut chunks {
        let block: &[u8; BLOCK] = match block.try_into() {
            Ok(b) => b,
            Err(_) => break,
        };
        let mut m = mask::<HTML>(block);
        while m != 0 {
            let bit = m.trailing_zeros() as usize;
            handle(&mut st, &mut run_start, base + bit);
            m &= m - 1;
        }
        base += BLOCK;
    }
    let rest = chunks.remainder();
    if !rest.is_empty() {
        let mut block = [b'a'; BLOCK];
        block[..rest.len()].copy_from_slice(rest);
        let mut m = mask::<HTML>(&block) & ((1u64 << rest.len()) - 1);
        while m != 0 {
            let bit = m.trailing_zeros() as usize;
            handle(&mut st, &mut run_start, base + bit);
            m &= m - 1;
        }
    }
    if run_start < s.len() {
        st.run(&s[run_start..]);
    }
    st.flush();
}

/// `JSON.stringify(s)` for a WTF-8 string, appended to `out`.
pub(crate) fn quote_into(s: &[u8], out: &mut Vec<u8>) {
    out.push(b'"');
    quote_inner(s, Style::Js, out);
    out.push(b'"');
}

/// Whether `s` holds a character the HTML-escaped spelling changes.
pub(crate) fn has_html(s: &[u8]) -> bool {
    s.iter().enumerate().any(|(i, &c)| match c {
        b'<' | b'>' | b'&' => true,
        0xE2 => matches!((s.get(i + 1), s.get(i + 2)), (Some(0x80), Some(0xA8 | 0xA9))),
        _ => false,
    })
}
