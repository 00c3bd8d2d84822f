//! ECMAScript `QuoteJSONString`, streamed into a [`Sink`] without building the quoted copy.
//!
//! Input is WTF-8: UTF-8 that may also hold surrogate code points encoded as three bytes
//! (`ED A0..BF xx`), which is how a JS or Python string with lone surrogates arrives here. A
//! surrogate pair written as two such sequences is joined into one character, as JS would see it.
//!
//! Two implementations share [`escape_at`] for the rare bytes:
//! - the vector kernels of [`crate::simd`] (SSE2/SSSE3/AVX2, NEON), used whenever the CPU has
//!   one: they escape into a small stage that is handed to the MAC every few blocks, so the
//!   escaping runs while SHA-256 waits on its own dependency chain;
//! - the portable code below ([`Level::Scalar`]): the reference the kernels are tested against,
//!   and what runs elsewhere (wasm32). It looks at 64 bytes at a time and builds a bit mask of
//!   the bytes that may need an escape, in loops LLVM vectorizes; clean runs go to the sink
//!   straight from the input, short runs between escapes are gathered in a stack buffer.

use std::cell::RefCell;

use crate::simd::{self, Kernel, Level};

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
/// Staged bytes are handed to the sink once this many have gathered.
const STAGE: usize = 8192;
/// Room past `STAGE` for one block's worst case (64 bytes, each escaped to 7) plus the overrun
/// of a fixed-size 64-byte copy.
const SLACK: usize = BLOCK * 7 + BLOCK + 16;

/// Clean input is handed to the sink in pieces of this size, so the MAC reads it from L1.
const DIRECT_CHUNK: usize = 16 * 1024;

/// The second byte of the two-byte escapes (`\"`, `\\`, `\b`, `\f`, `\n`, `\r`, `\t`); 0 for none.
const SHORT: [u8; 256] = {
    let mut t = [0u8; 256];
    t[b'"' as usize] = b'"';
    t[b'\\' as usize] = b'\\';
    t[0x08] = b'b';
    t[0x0C] = b'f';
    t[b'\n' as usize] = b'n';
    t[b'\r' as usize] = b'r';
    t[b'\t' as usize] = b't';
    t
};

#[inline(always)]
fn hit<const HTML: bool>(c: u8) -> bool {
    let mut hit = (c < 0x20) | (c == b'"') | (c == b'\\') | (c == 0xED);
    if HTML {
        hit |= (c == b'<') | (c == b'>') | (c == b'&') | (c == 0xE2);
    }
    hit
}

/// Whether any byte of `bytes` may need an escape (a vectorized OR-reduction).
#[inline(always)]
fn any_hit<const HTML: bool>(bytes: &[u8]) -> bool {
    bytes.iter().fold(false, |a, &c| a | hit::<HTML>(c))
}

/// [`any_hit`] for fewer than 32 bytes, tested as one padded 32-byte block (a fixed-size test
/// is a few vector compares; a byte loop over a short slice is not vectorized).
#[inline(always)]
fn tail_hit<const HTML: bool>(bytes: &[u8]) -> bool {
    let mut block = [b'a'; 32]; // `a` never needs an escape
    block[..bytes.len()].copy_from_slice(bytes);
    // Flags as bytes, ORed: this form LLVM vectorizes (a fold over `bool` it does not).
    block.iter().fold(0u8, |a, &c| a | u8::from(hit::<HTML>(c))) != 0
}

/// Whether `JSON.stringify(s)` is `s` between quotes (no byte of `s` may need an escape): a
/// caller can then copy `s` as it is.
#[inline]
pub(crate) fn is_clean(s: &[u8], style: Style) -> bool {
    match style {
        Style::Js => !any_hit::<false>(s),
        Style::Html => !any_hit::<true>(s),
    }
}

/// Bit `i` set when `block[i]` may need an escape; 0 for a clean block.
///
/// The per-byte test writes 0/1 into a byte array, a loop LLVM turns into vector compares; a
/// clean block is then found with a few ORs. Only a block with a hit pays for building the bit
/// mask: each 8 flag bytes are gathered into 8 bits with one multiply (bit `j` of the product's
/// top byte is flag byte `j`; the other partial products fall below bit 56 or past bit 63).
#[inline(always)]
fn mask<const HTML: bool>(block: &[u8; BLOCK]) -> u64 {
    if !any_hit::<HTML>(block) {
        return 0;
    }
    let mut flags = [0u8; BLOCK];
    for (f, &c) in flags.iter_mut().zip(block.iter()) {
        *f = u8::from(hit::<HTML>(c));
    }
    let mut words = [0u64; BLOCK / 8];
    for (w, chunk) in words.iter_mut().zip(flags.chunks_exact(8)) {
        let mut b = [0u8; 8];
        b.copy_from_slice(chunk);
        *w = u64::from_le_bytes(b);
    }
    let mut m = 0u64;
    for (k, w) in words.iter().enumerate() {
        m |= (w.wrapping_mul(0x0102_0408_1020_4080) >> 56) << (8 * k);
    }
    m
}

const HEX: &[u8; 16] = b"0123456789abcdef";

/// The escape for the flagged byte at `s[i]`: writes it to `out` and returns
/// `(bytes written, input bytes consumed)`, or `None` when the byte needs no escape after all
/// (a lead byte of an ordinary character).
#[inline]
pub(crate) fn escape_at(s: &[u8], i: usize, html: bool, out: &mut [u8; 16]) -> Option<(usize, usize)> {
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

thread_local! {
    /// The vector kernels' stage for outputs of up to 1500 bytes, zeroed once per thread rather
    /// than on every call: zeroing a 1 KiB stack buffer was a tenth of a 200-byte verification.
    /// What a call leaves in it is never read by the next (each reads only what it wrote).
    static SMALL_STAGE: RefCell<[u8; 2048]> = const { RefCell::new([0; 2048]) };
}

/// Runs `f` with a staging buffer in front of `sink` whose size suits about `len` bytes of
/// output (a fresh buffer is zeroed, so short outputs get a short one), then flushes.
#[inline]
pub(crate) fn with_stage<S: Sink + ?Sized>(
    level: Level,
    len: usize,
    sink: &mut S,
    f: impl FnOnce(&mut dyn Staging),
) {
    if let Some(kernel) = Kernel::new(level) {
        if len < 1500 {
            let mut f = Some(f);
            // The thread's stage; a fresh one below only if it is in use (never, as no sink
            // writes an envelope) or gone (the thread is ending).
            let _ = SMALL_STAGE.try_with(|cell| {
                let Ok(mut buf) = cell.try_borrow_mut() else { return };
                let Some(f) = f.take() else { return };
                if len < 300 {
                    if let Some((small, _)) = buf.split_first_chunk_mut::<1024>() {
                        simd_stage(small, sink, kernel, f);
                    }
                } else {
                    simd_stage(&mut buf, sink, kernel, f);
                }
            });
            if let Some(f) = f {
                simd_stage(&mut [0; 2048], sink, kernel, f);
            }
        } else {
            simd_stage(&mut [0; 16384], sink, kernel, f);
        }
    } else if len < 400 {
        let mut st = Stage::<S, { 512 + SLACK }> { sink, buf: [0; 512 + SLACK], len: 0 };
        f(&mut st);
        st.flush();
    } else {
        let mut st = Stage::<S, { STAGE + SLACK }> { sink, buf: [0; STAGE + SLACK], len: 0 };
        f(&mut st);
        st.flush();
    }
}

/// Runs `f` with a [`SimdStage`] over `buf`, then flushes.
#[inline]
fn simd_stage<S: Sink + ?Sized, const N: usize>(
    buf: &mut [u8; N],
    sink: &mut S,
    kernel: Kernel,
    f: impl FnOnce(&mut dyn Staging),
) {
    let mut st = SimdStage::<S, N> { sink, buf, len: 0, kernel };
    f(&mut st);
    st.flush();
}

/// What the envelope writer needs from a staging buffer.
pub(crate) trait Staging {
    /// Appends a few bytes (at most a few hundred).
    fn put(&mut self, bytes: &[u8]);
    /// Appends the contents of `JSON.stringify(s)`.
    fn quote(&mut self, s: &[u8], style: Style);
}

/// Hands the staged `buf[..*len]` to `sink`.
#[inline]
fn flush_staged<S: Sink + ?Sized>(sink: &mut S, buf: &[u8], len: &mut usize) {
    if *len > 0 {
        sink.put(&buf[..*len]);
        *len = 0;
    }
}

/// Appends `bytes` to the staged `buf[..*len]`, first handing what is staged to `sink` when they
/// do not fit (and `bytes` too, when they are longer than `buf`).
#[inline]
fn put_staged<S: Sink + ?Sized>(sink: &mut S, buf: &mut [u8], len: &mut usize, bytes: &[u8]) {
    if *len + bytes.len() > buf.len() {
        flush_staged(sink, buf, len);
        if bytes.len() > buf.len() {
            sink.put(bytes);
            return;
        }
    }
    buf[*len..*len + bytes.len()].copy_from_slice(bytes);
    *len += bytes.len();
}

/// A buffer of `N` bytes in front of a sink; output is handed on in pieces of `N - SLACK`.
struct Stage<'s, S: Sink + ?Sized, const N: usize> {
    sink: &'s mut S,
    buf: [u8; N],
    len: usize,
}

impl<S: Sink + ?Sized, const N: usize> Stage<'_, S, N> {
    const LIMIT: usize = N - SLACK;

    #[inline]
    fn flush(&mut self) {
        flush_staged(self.sink, &self.buf, &mut self.len);
    }

    /// Blocks without an escape are hashed straight from the input (`direct`), once the stage
    /// is empty. Otherwise output is gathered in `buf`: each clean segment is moved with one
    /// fixed-size 64-byte copy (from a 128-byte window, so the copy never reads past it) and the
    /// cursor advances by the segment's real length. Once `buf` is full and the input runs clean
    /// again, it goes back to direct hashing.
    fn quote_impl<const HTML: bool>(&mut self, s: &[u8]) {
        let stage = Self::LIMIT;
        let mut direct: Option<usize> = if self.len == 0 { Some(0) } else { None };
        let mut skip = 0usize;
        let mut esc = [0u8; 16];
        let mut tail = [b'a'; 2 * BLOCK];
        let n = s.len();
        let mut base = 0usize;
        let Stage { sink, buf, len } = self;
        let sink = &mut **sink;
        while base < n {
            // Long clean stretches: test 256 bytes at a time while hashing straight from the input.
            if let (Some(from), 0) = (direct, skip) {
                if base + 4 * BLOCK <= n && !any_hit::<HTML>(&s[base..base + 4 * BLOCK]) {
                    base += 4 * BLOCK;
                    if base - from >= DIRECT_CHUNK {
                        sink.put(&s[from..base]);
                        direct = Some(base);
                    }
                    continue;
                }
            }
            let take = (n - base).min(BLOCK);
            // A 128-byte window starting at the block: the input itself while it is long enough
            // (no copy, so no store-to-load stall), else a padded copy of what is left.
            let blk: &[u8] = if base + 2 * BLOCK <= n {
                &s[base..base + 2 * BLOCK]
            } else {
                tail.fill(b'a');
                tail[..n - base].copy_from_slice(&s[base..]);
                &tail
            };
            let head: &[u8; BLOCK] = match blk[..BLOCK].try_into() {
                Ok(h) => h,
                Err(_) => return,
            };
            let mut m = mask::<HTML>(head);
            if take < BLOCK {
                m &= (1u64 << take) - 1;
            }
            if m == 0 && skip == 0 {
                if let Some(from) = direct {
                    // Hash clean input while it is still in L1, not in one pass at the end.
                    if base + take - from >= DIRECT_CHUNK {
                        sink.put(&s[from..base + take]);
                        direct = Some(base + take);
                    }
                } else {
                    buf[*len..*len + BLOCK].copy_from_slice(&blk[..BLOCK]);
                    *len += take;
                    if *len >= stage {
                        sink.put(&buf[..*len]);
                        *len = 0;
                        direct = Some(base + take);
                    }
                }
                base += take;
                continue;
            }
            if let Some(from) = direct.take() {
                sink.put(&s[from..base]);
            }
            let mut pos = skip;
            skip = 0;
            while m != 0 {
                let i = m.trailing_zeros() as usize;
                m &= m - 1;
                if i < pos {
                    continue; // consumed by the escape before it
                }
                let c = blk[i];
                let e = SHORT[c as usize];
                if e != 0 {
                    // Most segments between escapes in JSON are short: one 16-byte move.
                    if i - pos <= 16 {
                        buf[*len..*len + 16].copy_from_slice(&blk[pos..pos + 16]);
                    } else {
                        buf[*len..*len + BLOCK].copy_from_slice(&blk[pos..pos + BLOCK]);
                    }
                    *len += i - pos;
                    buf[*len] = b'\\';
                    buf[*len + 1] = e;
                    *len += 2;
                    pos = i + 1;
                    continue;
                }
                if let Some((k, used)) = escape_at(s, base + i, HTML, &mut esc) {
                    buf[*len..*len + BLOCK].copy_from_slice(&blk[pos..pos + BLOCK]);
                    *len += i - pos;
                    buf[*len..*len + 16].copy_from_slice(&esc);
                    *len += k;
                    pos = i + used;
                    if pos > take {
                        skip = pos - take;
                        pos = take;
                    }
                }
            }
            if pos < take {
                buf[*len..*len + BLOCK].copy_from_slice(&blk[pos..pos + BLOCK]);
                *len += take - pos;
            }
            if *len >= stage {
                sink.put(&buf[..*len]);
                *len = 0;
            }
            base += take;
        }
        if let Some(from) = direct {
            sink.put(&s[from..]);
        }
    }
}

impl<S: Sink + ?Sized, const N: usize> Staging for Stage<'_, S, N> {
    #[inline]
    fn put(&mut self, bytes: &[u8]) {
        put_staged(self.sink, &mut self.buf[..Self::LIMIT], &mut self.len, bytes);
    }

    fn quote(&mut self, s: &[u8], style: Style) {
        match style {
            Style::Js => self.quote_impl::<false>(s),
            Style::Html => self.quote_impl::<true>(s),
        }
    }
}

/// What to write for `s[pos]`, where a vector kernel stopped, and how many input bytes it takes:
/// its escape, or the byte itself when it turns out ordinary (a lead byte of a character).
#[inline]
fn special_byte<'e>(s: &[u8], pos: usize, html: bool, esc: &'e mut [u8; 16]) -> (&'e [u8], usize) {
    match escape_at(s, pos, html, esc) {
        Some((k, used)) => (&esc[..k], used),
        None => {
            esc[0] = s[pos];
            (&esc[..1], 1)
        }
    }
}

/// A buffer of `N` bytes in front of a sink, filled by a vector kernel. Each kernel call reads
/// at most `CHUNK` input bytes; once `FLUSH` bytes are waiting they go to the sink in one piece.
/// (Handing the MAC a block or two at a time, so the escaping of the next piece could overlap
/// the hashing of this one, measured slower: each call into SHA-256 costs more than it hides.)
struct SimdStage<'s, S: Sink + ?Sized, const N: usize> {
    sink: &'s mut S,
    buf: &'s mut [u8; N],
    len: usize,
    kernel: Kernel,
}

impl<S: Sink + ?Sized, const N: usize> SimdStage<'_, S, N> {
    const FLUSH: usize = N / 2;
    /// Room for what may be waiting, one call's worst case with the kernel's slack, one escape.
    const CHUNK: usize = (N - Self::FLUSH - simd::SLACK - 16) / 2;

    #[inline]
    fn flush(&mut self) {
        flush_staged(self.sink, &self.buf[..], &mut self.len);
    }

    fn quote_impl<const HTML: bool>(&mut self, s: &[u8]) {
        let mut esc = [0u8; 16];
        let n = s.len();
        let mut pos = 0;
        // The last `n % 32` bytes, when none may need an escape (a body usually ends in `}`
        // after a number or a plain string), are copied as they are: through the kernel they
        // would take its padded last step, a third of the escaping of a 200-byte body.
        let end = n % 32;
        let clean_from = if end > 0 && tail_hit::<HTML>(&s[n - end..]) { n } else { n - end };
        while pos < n {
            if self.len >= Self::FLUSH {
                self.flush();
            }
            if pos >= clean_from {
                put_staged(self.sink, &mut self.buf[..], &mut self.len, &s[pos..]);
                return;
            }
            let limit = (clean_from - pos).min(Self::CHUNK);
            let room = &mut self.buf[self.len..];
            let (read, written) = simd::escape(self.kernel, HTML, &s[pos..], limit, room);
            pos += read;
            self.len += written;
            if read < limit {
                let (out, used) = special_byte(s, pos, HTML, &mut esc);
                self.buf[self.len..self.len + out.len()].copy_from_slice(out);
                self.len += out.len();
                pos += used;
            }
        }
    }
}

impl<S: Sink + ?Sized, const N: usize> Staging for SimdStage<'_, S, N> {
    #[inline]
    fn put(&mut self, bytes: &[u8]) {
        put_staged(self.sink, &mut self.buf[..], &mut self.len, bytes);
    }

    fn quote(&mut self, s: &[u8], style: Style) {
        match style {
            Style::Js => self.quote_impl::<false>(s),
            Style::Html => self.quote_impl::<true>(s),
        }
    }
}

/// Appends the contents of `JSON.stringify(s)` (no quotes) for WTF-8 `s` to `out`, at `level`.
pub(crate) fn escape_into(level: Level, s: &[u8], style: Style, out: &mut Vec<u8>) {
    // Short strings (most keys and values of a JSON body) are usually clean: one scan, one copy,
    // cheaper than setting up a vector step for a padded tail.
    let short_and_clean = s.len() < 32
        && match style {
            Style::Js => !any_hit::<false>(s),
            Style::Html => !any_hit::<true>(s),
        };
    if short_and_clean {
        out.extend_from_slice(s);
        return;
    }
    let Some(kernel) = Kernel::new(level) else {
        with_stage(level, s.len(), out, |st| st.quote(s, style));
        return;
    };
    let html = style == Style::Html;
    let mut esc = [0u8; 16];
    let n = s.len();
    let mut pos = 0;
    while pos < n {
        pos += simd::escape_into_vec(kernel, html, &s[pos..], n - pos, out);
        if pos < n {
            let (bytes, used) = special_byte(s, pos, html, &mut esc);
            out.extend_from_slice(bytes);
            pos += used;
        }
    }
}

/// `JSON.stringify(s)` for a WTF-8 string, appended to `out`.
pub(crate) fn quote_into(s: &[u8], out: &mut Vec<u8>) {
    out.push(b'"');
    escape_into(Level::best(), s, Style::Js, out);
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
