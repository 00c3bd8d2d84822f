//! The one module of the core that holds `unsafe` code: vectorized kernels for the JSON string
//! escaping, behind safe functions. Everything else in the crate forbids `unsafe` (see lib.rs).
//!
//! The kernel escapes the frequent cases with vector instructions: a byte that is copied as it
//! is, and the two-byte escapes (`\"`, `\\`, `\b`, `\t`, `\n`, `\f`, `\r`). Each 8 input bytes
//! become `8 + k` output bytes (`k` of them escaped) with one byte shuffle: a table indexed by
//! the 8-bit escape mask says, for every output byte, which input byte it is or that it is an
//! inserted `\`. It stops at the first byte that needs more than that (another control
//! character, a surrogate, the HTML spelling's characters); the caller's scalar code
//! ([`crate::ecma::quote`]) writes that one and calls again.
//!
//! Levels: SSSE3 (16 bytes a step, `pshufb`), AVX2 (32 bytes a step, the same shuffle), NEON
//! (every aarch64, `tbl`). The best one the CPU has is chosen once at run time;
//! [`Level::Scalar`] is the portable code of `ecma::quote`, the reference every level is tested
//! against, and the only one on other targets (wasm32 among them). There is no SSE2 kernel: the
//! portable code's scan is already vectorized with SSE2 by LLVM on every x86-64, and without a
//! byte shuffle an explicit SSE2 expansion measured slower than it (975 vs 700 µs per MiB of a
//! rich-text body), so an x86-64 CPU without SSSE3 runs the portable code.

use std::mem::MaybeUninit;
use std::sync::atomic::{AtomicU8, Ordering};

/// An instruction-set level for the string escaping.
///
/// [`Level::best`] is what the library uses; the others exist so tests and benchmarks can run
/// every level the machine has against [`Level::Scalar`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum Level {
    /// Portable code, no explicit vector instructions (the reference).
    Scalar,
    /// x86-64 SSSE3: 16-byte scan, escapes expanded with `pshufb`.
    Ssse3,
    /// x86-64 AVX2: 32-byte scan, escapes expanded with `pshufb`.
    Avx2,
    /// aarch64 NEON: 16-byte scan, escapes expanded with `tbl`.
    Neon,
    /// WebAssembly `simd128`: 16-byte scan, escapes expanded with `i8x16.swizzle` (the NEON
    /// kernel's algorithm). WebAssembly has no run-time detection: the level exists in a build
    /// compiled with `-C target-feature=+simd128`, which only loads where SIMD does.
    Simd128,
}

const ALL: [Level; 5] = [Level::Scalar, Level::Ssse3, Level::Avx2, Level::Neon, Level::Simd128];

/// 0: not detected yet; otherwise 1 + the index in `ALL` of the level in use.
static BEST: AtomicU8 = AtomicU8::new(0);

impl Level {
    /// The level the library uses: the best this CPU supports, detected once. The environment
    /// variable `HOOKSEAL_SIMD` (`scalar`, `ssse3`, `avx2`, `neon`) picks a lower one,
    /// for benchmarks; a level the CPU lacks, or an unknown name, is ignored.
    pub fn best() -> Level {
        match BEST.load(Ordering::Relaxed) {
            0 => {
                let level = detect();
                let index = ALL.iter().position(|&l| l == level).unwrap_or(0);
                BEST.store(index as u8 + 1, Ordering::Relaxed);
                level
            }
            n => ALL.get(usize::from(n) - 1).copied().unwrap_or(Level::Scalar),
        }
    }

    /// Every level this CPU can run, `Scalar` first.
    pub fn available() -> Vec<Level> {
        ALL.iter().copied().filter(|l| l.is_supported()).collect()
    }

    /// Whether this CPU can run the level.
    pub fn is_supported(self) -> bool {
        match self {
            Level::Scalar => true,
            #[cfg(target_arch = "x86_64")]
            Level::Ssse3 => std::arch::is_x86_feature_detected!("ssse3"),
            #[cfg(target_arch = "x86_64")]
            Level::Avx2 => {
                // The AVX2 kernels also run SSSE3 code (the level's short tails and shuffles).
                std::arch::is_x86_feature_detected!("avx2")
                    && std::arch::is_x86_feature_detected!("ssse3")
                    && std::arch::is_x86_feature_detected!("popcnt")
            }
            #[cfg(target_arch = "aarch64")]
            Level::Neon => std::arch::is_aarch64_feature_detected!("neon"),
            #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
            Level::Simd128 => true,
            #[allow(unreachable_patterns)]
            _ => false,
        }
    }

    /// The level's name as `HOOKSEAL_SIMD` spells it.
    pub fn name(self) -> &'static str {
        match self {
            Level::Scalar => "scalar",
            Level::Ssse3 => "ssse3",
            Level::Avx2 => "avx2",
            Level::Neon => "neon",
            Level::Simd128 => "simd128",
        }
    }
}

fn detect() -> Level {
    let best = ALL.iter().rev().copied().find(|l| l.is_supported()).unwrap_or(Level::Scalar);
    match std::env::var("HOOKSEAL_SIMD") {
        Ok(name) => match ALL.iter().find(|l| l.name() == name.trim()) {
            Some(&l) if l.is_supported() => l,
            _ => best,
        },
        Err(_) => best,
    }
}

/// A level this CPU was checked to support: the only way to reach a kernel.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Kernel(Level);

impl Kernel {
    /// The kernel for `level`, or `None` for `Scalar` and for a level the CPU lacks.
    pub(crate) fn new(level: Level) -> Option<Kernel> {
        (level != Level::Scalar && level.is_supported()).then_some(Kernel(level))
    }
}

/// Output room a kernel needs beyond two bytes per input byte (its stores may run ahead of what
/// it reports as written).
pub(crate) const SLACK: usize = 64;

/// Escapes the start of `src[..limit]` into `dst`: bytes copied as they are, `"` `\` and the
/// five control characters with a short escape as two bytes. Stops at `limit`, at the first byte
/// the caller must look at (a control character without a short escape, `0xED` before a byte of
/// `0xA0` or more, and for `html` `<` `>` `&` and `0xE2 0x80 0xA8/0xA9`), or when `dst` is
/// nearly full. `src` may go on past `limit`: those bytes are only looked at (a byte's
/// follower decides whether it is special). Returns `(bytes read, bytes written)`; with
/// `dst.len() >= 2 * limit + SLACK` it stops only at `limit` or a special byte.
pub(crate) fn escape(kernel: Kernel, html: bool, src: &[u8], limit: usize, dst: &mut [u8]) -> (usize, usize) {
    let limit = limit.min(src.len());
    let cap = dst.len();
    // SAFETY: `dst` is `cap` writable bytes, and `run` writes only below `cap`.
    unsafe { run(kernel, html, src, limit, dst.as_mut_ptr(), cap) }
}

/// [`escape`] appended to `out` (no zero fill of the room it writes into). Returns bytes read.
pub(crate) fn escape_into_vec(
    kernel: Kernel,
    html: bool,
    src: &[u8],
    limit: usize,
    out: &mut Vec<u8>,
) -> usize {
    let limit = limit.min(src.len());
    out.reserve(2 * limit + SLACK);
    let spare: &mut [MaybeUninit<u8>] = out.spare_capacity_mut();
    let cap = spare.len();
    // SAFETY: `spare` is `cap` writable bytes (uninitialized is fine: `run` only writes them).
    let (read, written) = unsafe { run(kernel, html, src, limit, spare.as_mut_ptr().cast::<u8>(), cap) };
    let len = out.len() + written;
    // SAFETY: `run` initialized the first `written <= cap` bytes of the spare capacity.
    unsafe { out.set_len(len) };
    read
}

/// Appends the WTF-8 of UTF-16 code units `src` to `out` (pairs joined into one character, lone
/// surrogates as three bytes), 16 units a step: all-ASCII steps are packed; on x86-64 any other
/// step without surrogates is encoded in 32-bit lanes and compressed with one byte shuffle per 4
/// units (one path for every mix of one-, two- and three-byte characters: a branch per kind would
/// mispredict on mixed text); on aarch64 steps below U+0800 are encoded in 16-bit lanes, 8 units
/// a shuffle. Steps with surrogates (and on aarch64 three-byte characters) go to `scalar`, which encodes units from the given index
/// and returns where it stopped (at or past the step's end; a pair may take one unit more).
pub(crate) fn utf16_into_vec(
    kernel: Kernel,
    src: &[u16],
    out: &mut Vec<u8>,
    scalar: impl Fn(&[u16], usize, &mut Vec<u8>, usize) -> usize,
) {
    let n = src.len();
    let mut i = 0;
    while i < n {
        // Room for a run of up to 4096 units at three bytes each, plus one step's stores.
        let run = (n - i).min(4096);
        out.reserve(3 * run + SLACK);
        let spare = out.spare_capacity_mut();
        // SAFETY: `spare` is at least `3 * run + SLACK` writable bytes; the kernels write at most
        // three bytes per unit they report read, and store at most 4 bytes past `3 * (i + 16)`.
        let (read, written) = unsafe { run_utf16(kernel, &src[i..i + run], spare.as_mut_ptr().cast::<u8>()) };
        let len = out.len() + written;
        // SAFETY: the kernel initialized the first `written` bytes of the spare capacity.
        unsafe { out.set_len(len) };
        i += read;
        if read < run {
            // A step the kernel leaves to the scalar code: at most 16 units (one more for a pair).
            i = scalar(src, i, out, (i + 16).min(n));
        }
    }
}

/// # Safety
/// `dst` is writable for `3 * src.len() + SLACK` bytes; the kernel's level is supported.
unsafe fn run_utf16(kernel: Kernel, src: &[u16], dst: *mut u8) -> (usize, usize) {
    // SAFETY: `Kernel::new` checked the CPU; the room is the caller's promise.
    match kernel.0 {
        #[cfg(target_arch = "x86_64")]
        Level::Ssse3 | Level::Avx2 => x86::utf16_ssse3(src, dst),
        #[cfg(target_arch = "aarch64")]
        Level::Neon => arm::utf16_neon(src, dst),
        _ => {
            let _ = (src, dst);
            (0, 0)
        }
    }
}

/// For every 8-bit mask of two-byte units among 8 (each unit in a 16-bit lane as
/// `[lead or ASCII byte, continuation byte]`), the shuffle that keeps the lead bytes and the
/// continuation bytes of flagged units, in order.
#[cfg(target_arch = "aarch64")]
static COMPRESS: [[u8; 16]; 256] = {
    let mut t = [[0x80u8; 16]; 256];
    let mut m = 0;
    while m < 256 {
        let (mut o, mut j) = (0, 0);
        while j < 8 {
            t[m][o] = 2 * j as u8;
            o += 1;
            if (m >> j) & 1 == 1 {
                t[m][o] = 2 * j as u8 + 1;
                o += 1;
            }
            j += 1;
        }
        m += 1;
    }
    t
};

/// For 4 units in 32-bit lanes `[b0, b1, b2, 0]`, indexed by `two | three << 4` (masks of the
/// units of two or more and of three bytes), the shuffle that keeps each unit's bytes in order.
#[cfg(target_arch = "x86_64")]
static COMPRESS3: [[u8; 16]; 256] = {
    let mut t = [[0x80u8; 16]; 256];
    let mut m = 0;
    while m < 256 {
        let (mut o, mut j) = (0, 0);
        while j < 4 {
            let len = 1 + ((m >> j) & 1) + ((m >> (4 + j)) & 1);
            let mut k = 0;
            while k < len {
                t[m][o] = (4 * j + k) as u8;
                o += 1;
                k += 1;
            }
            j += 1;
        }
        m += 1;
    }
    t
};

/// Every kernel writes at most 2 bytes per input byte it reports read, plus `SLACK` bytes of
/// stores past that; `run` lowers `limit` so that fits in `cap`, and the kernels rely on it.
///
/// # Safety
/// `dst` points to `cap` writable bytes; `limit <= src.len()`; the kernel's level is supported
/// (guaranteed by [`Kernel::new`]).
unsafe fn run(
    kernel: Kernel,
    html: bool,
    src: &[u8],
    limit: usize,
    dst: *mut u8,
    cap: usize,
) -> (usize, usize) {
    debug_assert!(limit <= src.len());
    let limit = limit.min(cap.saturating_sub(SLACK) / 2);
    // SAFETY: `Kernel::new` checked that the CPU has the level's features; `limit <= src.len()`
    // and the room in `dst` (see above) are what each kernel asks for.
    match (kernel.0, html) {
        #[cfg(target_arch = "x86_64")]
        (Level::Ssse3, false) => x86::ssse3::<false>(src, limit, dst),
        #[cfg(target_arch = "x86_64")]
        (Level::Ssse3, true) => x86::ssse3::<true>(src, limit, dst),
        #[cfg(target_arch = "x86_64")]
        (Level::Avx2, false) => x86::avx2::<false>(src, limit, dst),
        #[cfg(target_arch = "x86_64")]
        (Level::Avx2, true) => x86::avx2::<true>(src, limit, dst),
        #[cfg(target_arch = "aarch64")]
        (Level::Neon, false) => arm::neon::<false>(src, limit, dst),
        #[cfg(target_arch = "aarch64")]
        (Level::Neon, true) => arm::neon::<true>(src, limit, dst),
        #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
        (Level::Simd128, false) => wasm::simd128::<false>(src, limit, dst),
        #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
        (Level::Simd128, true) => wasm::simd128::<true>(src, limit, dst),
        _ => {
            // No kernel on this target (`Kernel::new` never gives one).
            let _ = (src, limit, dst);
            (0, 0)
        }
    }
}

#[cfg(any(
    target_arch = "x86_64",
    target_arch = "aarch64",
    all(target_arch = "wasm32", target_feature = "simd128")
))]
/// For every 8-bit escape mask, the shuffle that turns `[8 input bytes, 8 backslashes]` into the
/// output: a `\` (index 8) before each flagged byte. Unused places are 0x80 (a zero byte).
static EXPAND: [[u8; 16]; 256] = {
    let mut t = [[0x80u8; 16]; 256];
    let mut m = 0;
    while m < 256 {
        let (mut o, mut j) = (0, 0);
        while j < 8 {
            if (m >> j) & 1 == 1 {
                t[m][o] = 8;
                o += 1;
            }
            t[m][o] = j as u8;
            o += 1;
            j += 1;
        }
        m += 1;
    }
    t
};

/// Bits set in each byte value (SSSE3 does not imply POPCNT).
#[cfg(target_arch = "x86_64")]
static POP: [u8; 256] = {
    let mut t = [0u8; 256];
    let mut i = 0;
    while i < 256 {
        t[i] = (i as u8).count_ones() as u8;
        i += 1;
    }
    t
};

#[cfg(any(
    target_arch = "x86_64",
    target_arch = "aarch64",
    all(target_arch = "wasm32", target_feature = "simd128")
))]
/// The letter of the short escape of control character `c < 16` (`\b`, `\t`, `\n`, `\f`, `\r`);
/// 0 for none.
const LETTERS: [u8; 16] = [0, 0, 0, 0, 0, 0, 0, 0, b'b', b't', b'n', 0, b'f', b'r', 0, 0];

#[cfg(any(
    target_arch = "x86_64",
    target_arch = "aarch64",
    all(target_arch = "wasm32", target_feature = "simd128")
))]
/// Lookahead: a byte's special-ness may depend on the next two.
const AHEAD: usize = 2;

#[cfg(any(
    target_arch = "x86_64",
    target_arch = "aarch64",
    all(target_arch = "wasm32", target_feature = "simd128")
))]
/// Where a step reads from: the input in place, or (near `limit` or the end of the input) a
/// padded copy of what is left, with `count` real bytes to report.
#[inline(always)]
fn window(src: &[u8], i: usize, limit: usize, step: usize, tmp: &mut [u8; 64]) -> (*const u8, usize) {
    if i + step <= limit && i + step + AHEAD <= src.len() {
        (src[i..].as_ptr(), step)
    } else {
        // Padding is `a`, a byte that is never special and never escaped.
        *tmp = [b'a'; 64];
        let avail = (src.len() - i).min(step + AHEAD);
        tmp[..avail].copy_from_slice(&src[i..i + avail]);
        (tmp.as_ptr(), (limit - i).min(step))
    }
}

#[cfg(any(
    target_arch = "x86_64",
    target_arch = "aarch64",
    all(target_arch = "wasm32", target_feature = "simd128")
))]
/// `(read, written)` after a step over `count` real bytes whose escape mask is `m` and special
/// mask `r`, from `(i, o)`: bytes before the first special one are final.
#[inline(always)]
fn advance(i: usize, o: usize, count: usize, m: u64, r: u64) -> (usize, usize, bool) {
    let real = if count >= 64 { u64::MAX } else { (1u64 << count) - 1 };
    let r = r & real;
    if r != 0 {
        let k = r.trailing_zeros() as usize;
        let before = m & ((1u64 << k) - 1);
        (i + k, o + k + before.count_ones() as usize, true)
    } else {
        (i + count, o + count + (m & real).count_ones() as usize, false)
    }
}

#[cfg(target_arch = "x86_64")]
mod x86 {
    use std::arch::x86_64::*;

    use super::{advance, window, EXPAND, LETTERS, POP};

    /// The full classification of 16 bytes at `p`: `(escape mask, special mask, the bytes with
    /// each control character that has a short escape replaced by its letter)`.
    ///
    /// # Safety
    /// `p` is readable for 16 + `AHEAD` bytes; SSSE3 is available.
    #[inline(always)]
    unsafe fn classify16<const HTML: bool>(p: *const u8) -> (u32, u32, __m128i) {
        let v = _mm_loadu_si128(p.cast());
        let v1 = _mm_loadu_si128(p.add(1).cast());
        let zero = _mm_setzero_si128();
        let eq = |x: __m128i, c: u8| _mm_cmpeq_epi8(x, _mm_set1_epi8(c as i8));
        let ctrl = _mm_cmpeq_epi8(_mm_and_si128(v, _mm_set1_epi8(0xE0u8 as i8)), zero);
        // `pshufb` looks up the low nibble (0 where the top bit is set); only bytes < 16 count.
        let letter = _mm_shuffle_epi8(_mm_loadu_si128(LETTERS.as_ptr().cast()), v);
        let lo16 = _mm_cmpeq_epi8(_mm_and_si128(v, _mm_set1_epi8(0xF0u8 as i8)), zero);
        let shortc = _mm_andnot_si128(_mm_cmpeq_epi8(letter, zero), lo16);
        let vv = _mm_or_si128(_mm_andnot_si128(shortc, v), _mm_and_si128(shortc, letter));
        let esc = _mm_or_si128(_mm_or_si128(eq(v, b'"'), eq(v, b'\\')), shortc);
        // 0xED before 0xA0..: a surrogate (0xED before 0x80..0x9F is U+D000..U+D7FF).
        let a0 = _mm_set1_epi8(0xA0u8 as i8);
        let ed = _mm_and_si128(eq(v, 0xED), _mm_cmpeq_epi8(_mm_max_epu8(v1, a0), v1));
        let mut special = _mm_or_si128(_mm_andnot_si128(shortc, ctrl), ed);
        if HTML {
            let v2 = _mm_loadu_si128(p.add(2).cast());
            let ls = _mm_and_si128(
                _mm_and_si128(eq(v, 0xE2), eq(v1, 0x80)),
                eq(_mm_and_si128(v2, _mm_set1_epi8(0xFEu8 as i8)), 0xA8),
            );
            special =
                _mm_or_si128(special, _mm_or_si128(_mm_or_si128(eq(v, b'<'), eq(v, b'>')), eq(v, b'&')));
            special = _mm_or_si128(special, ls);
        }
        (_mm_movemask_epi8(esc) as u32, _mm_movemask_epi8(special) as u32, vv)
    }

    /// Bytes that may need the full classification: control characters, 0xED, and for the
    /// HTML spelling `<`, `>`, `&`, 0xE2. One compare each, so clean input stays cheap.
    ///
    /// # Safety
    /// SSE2 (part of x86-64).
    #[inline(always)]
    unsafe fn candidates16<const HTML: bool>(v: __m128i) -> __m128i {
        let eq = |c: u8| _mm_cmpeq_epi8(v, _mm_set1_epi8(c as i8));
        let ctrl = _mm_cmpeq_epi8(_mm_and_si128(v, _mm_set1_epi8(0xE0u8 as i8)), _mm_setzero_si128());
        let mut c = _mm_or_si128(ctrl, eq(0xED));
        if HTML {
            c = _mm_or_si128(
                c,
                _mm_or_si128(_mm_or_si128(eq(b'<'), eq(b'>')), _mm_or_si128(eq(b'&'), eq(0xE2))),
            );
        }
        c
    }

    /// Writes the 8 bytes in the low half of `src` with a `\` before each one flagged in `m8`
    /// (`src`'s high half holds backslashes). Stores 16 bytes at `d`.
    ///
    /// # Safety
    /// `d` is writable for 16 bytes; SSSE3 is available.
    #[inline(always)]
    unsafe fn expand8(src: __m128i, m8: u32, d: *mut u8) {
        let shuf = _mm_loadu_si128(EXPAND[(m8 & 0xFF) as usize].as_ptr().cast());
        _mm_storeu_si128(d.cast(), _mm_shuffle_epi8(src, shuf));
    }

    /// 16 bytes `vv` with escape mask `m` (16 bits) expanded to `d`; stores up to 32 bytes.
    ///
    /// # Safety
    /// `d` is writable for 32 bytes; SSSE3 is available.
    #[inline(always)]
    unsafe fn expand16(vv: __m128i, m: u32, d: *mut u8) {
        let bs = _mm_set1_epi8(b'\\' as i8);
        expand8(_mm_unpacklo_epi64(vv, bs), m, d);
        expand8(_mm_unpackhi_epi64(vv, bs), m >> 8, d.add(8 + usize::from(POP[(m & 0xFF) as usize])));
    }

    /// # Safety
    /// As [`super::run`], and SSSE3 is available.
    #[target_feature(enable = "ssse3")]
    pub(super) unsafe fn ssse3<const HTML: bool>(src: &[u8], limit: usize, dst: *mut u8) -> (usize, usize) {
        let (mut i, mut o) = (0, 0);
        let quote = _mm_set1_epi8(b'"' as i8);
        let bsl = _mm_set1_epi8(b'\\' as i8);
        // In place while 16 bytes and the lookahead are there.
        let end = limit.min(src.len().saturating_sub(super::AHEAD));
        while i + 16 <= end {
            // SAFETY (bounds): `p` is readable for 16 + AHEAD bytes (`i + 16 <= end`); a step
            // stores at most 32 bytes from `o <= 2 * i`, below `2 * limit`, which `run` keeps
            // within `dst`.
            let p = src.as_ptr().add(i);
            let d = dst.add(o);
            let v = _mm_loadu_si128(p.cast());
            let (m, r, vv) = if _mm_movemask_epi8(candidates16::<HTML>(v)) == 0 {
                let q = _mm_or_si128(_mm_cmpeq_epi8(v, quote), _mm_cmpeq_epi8(v, bsl));
                (_mm_movemask_epi8(q) as u32, 0, v)
            } else {
                classify16::<HTML>(p)
            };
            if m == 0 {
                _mm_storeu_si128(d.cast(), vv);
            } else {
                expand16(vv, m, d);
            }
            if r != 0 {
                let (ni, no, _) = advance(i, o, 16, u64::from(m), u64::from(r));
                return (ni, no);
            }
            i += 16;
            o += 16 + usize::from(POP[(m & 0xFF) as usize]) + usize::from(POP[(m >> 8) as usize]);
        }
        // The last bytes, from a padded copy.
        let mut tmp = [0u8; 64];
        while i < limit {
            // SAFETY (bounds): `window` gives 16 + AHEAD readable bytes; the 32 bytes stored from
            // `o <= 2 * i < 2 * limit` stay within the `SLACK` that `run` left.
            let (p, count) = window(src, i, limit, 16, &mut tmp);
            let (m, r, vv) = classify16::<HTML>(p);
            expand16(vv, m, dst.add(o));
            let (ni, no, stop) = advance(i, o, count, u64::from(m), u64::from(r));
            (i, o) = (ni, no);
            if stop {
                break;
            }
        }
        (i, o)
    }

    /// UTF-16 to UTF-8 for steps of 16 units without surrogates; stops at the first step with
    /// one. Returns `(units read, bytes written)`.
    ///
    /// # Safety
    /// `dst` is writable for `3 * src.len() + SLACK` bytes; SSSE3 is available.
    #[target_feature(enable = "ssse3")]
    pub(super) unsafe fn utf16_ssse3(src: &[u16], dst: *mut u8) -> (usize, usize) {
        let (mut i, mut o) = (0, 0);
        let zero = _mm_setzero_si128();
        while i + 16 <= src.len() {
            // SAFETY (bounds): 16 units (32 bytes) are readable at `p`; with `o <= 3 * i`, the
            // stores reach at most `o + 52 <= 3 * (i + 16) + 4`, within the room.
            let p = src.as_ptr().add(i).cast::<u8>();
            let d = dst.add(o);
            let v0 = _mm_loadu_si128(p.cast());
            let v1 = _mm_loadu_si128(p.add(16).cast());
            let both = _mm_or_si128(v0, v1);
            if _mm_movemask_epi8(_mm_cmpeq_epi16(_mm_and_si128(both, _mm_set1_epi16(0xFF80u16 as i16)), zero))
                == 0xFFFF
            {
                _mm_storeu_si128(d.cast(), _mm_packus_epi16(v0, v1));
                i += 16;
                o += 16;
                continue;
            }
            let f800 = _mm_set1_epi16(0xF800u16 as i16);
            let d800 = _mm_set1_epi16(0xD800u16 as i16);
            let sur = _mm_or_si128(
                _mm_cmpeq_epi16(_mm_and_si128(v0, f800), d800),
                _mm_cmpeq_epi16(_mm_and_si128(v1, f800), d800),
            );
            if _mm_movemask_epi8(sur) != 0 {
                break; // surrogates: the scalar code pairs them
            }
            // One to three bytes a unit, four units at a time in 32-bit lanes: one path for
            // every mix, so mixed text does not mispredict a branch per step.
            let mut w = 0;
            for v in [v0, v1] {
                w += three_byte4(_mm_unpacklo_epi16(v, zero), d.add(w));
                w += three_byte4(_mm_unpackhi_epi16(v, zero), d.add(w));
            }
            i += 16;
            o += w;
        }
        (i, o)
    }

    /// 4 units (no surrogates) in 32-bit lanes encoded as UTF-8 at `d`; returns the bytes
    /// written (4 to 12). Stores 16 bytes.
    ///
    /// # Safety
    /// `d` is writable for 16 bytes; SSSE3 is available.
    #[inline(always)]
    unsafe fn three_byte4(x: __m128i, d: *mut u8) -> usize {
        let set = |c: i32| _mm_set1_epi32(c);
        let two = _mm_cmpgt_epi32(x, set(0x7F));
        let three = _mm_cmpgt_epi32(x, set(0x7FF));
        let last = _mm_or_si128(_mm_and_si128(x, set(0x3F)), set(0x80));
        let mid = _mm_or_si128(_mm_and_si128(_mm_srli_epi32::<6>(x), set(0x3F)), set(0x80));
        let lead2 = _mm_or_si128(_mm_srli_epi32::<6>(x), set(0xC0));
        let lead3 = _mm_or_si128(_mm_srli_epi32::<12>(x), set(0xE0));
        let as2 = _mm_or_si128(lead2, _mm_slli_epi32::<8>(last));
        let as3 = _mm_or_si128(_mm_or_si128(lead3, _mm_slli_epi32::<8>(mid)), _mm_slli_epi32::<16>(last));
        let pick =
            |m: __m128i, a: __m128i, b: __m128i| _mm_or_si128(_mm_and_si128(m, a), _mm_andnot_si128(m, b));
        let lanes = pick(three, as3, pick(two, as2, x));
        let m2 = _mm_movemask_ps(_mm_castsi128_ps(two)) as usize;
        let m3 = _mm_movemask_ps(_mm_castsi128_ps(three)) as usize;
        let shuf = _mm_loadu_si128(super::COMPRESS3[m2 | (m3 << 4)].as_ptr().cast());
        _mm_storeu_si128(d.cast(), _mm_shuffle_epi8(lanes, shuf));
        4 + (m2.count_ones() + m3.count_ones()) as usize
    }

    /// # Safety
    /// As [`super::run`], and AVX2 and POPCNT are available.
    #[target_feature(enable = "avx2,popcnt")]
    pub(super) unsafe fn avx2<const HTML: bool>(src: &[u8], limit: usize, dst: *mut u8) -> (usize, usize) {
        let (mut i, mut o) = (0, 0);
        let set = |c: u8| _mm256_set1_epi8(c as i8);
        // Kept in a register: as a constant, LLVM would turn each unpack into a 64-bit insert.
        let bs = _mm_loadu_si128(std::hint::black_box(&[b'\\'; 16]).as_ptr().cast());
        // 32 bytes at a time in place while they and the lookahead are there.
        let end = limit.min(src.len().saturating_sub(super::AHEAD));
        while i + 32 <= end {
            // SAFETY (bounds): `p` is readable for 32 + AHEAD bytes; a step stores at most 64
            // bytes from `o <= 2 * i`, below `2 * (i + 32) <= 2 * limit`, within `dst`.
            let p = src.as_ptr().add(i);
            let d = dst.add(o);
            let v = _mm256_loadu_si256(p.cast());
            let eq = |c: u8| _mm256_cmpeq_epi8(v, set(c));
            let ctrl = _mm256_cmpeq_epi8(_mm256_min_epu8(v, set(0x1F)), v);
            let mut cand = _mm256_or_si256(ctrl, eq(0xED));
            if HTML {
                cand = _mm256_or_si256(cand, _mm256_or_si256(_mm256_or_si256(eq(b'<'), eq(b'>')), eq(b'&')));
                cand = _mm256_or_si256(cand, eq(0xE2));
            }
            if _mm256_movemask_epi8(cand) != 0 {
                // Two 16-byte steps with the full classification; they may stop early.
                for half in 0..2 {
                    let (m, r, vv) = classify16::<HTML>(p.add(16 * half));
                    expand16(vv, m, dst.add(o));
                    let (ni, no, stop) = advance(i, o, 16, u64::from(m), u64::from(r));
                    (i, o) = (ni, no);
                    if stop {
                        return (i, o);
                    }
                }
                continue;
            }
            let m = _mm256_movemask_epi8(_mm256_or_si256(eq(b'"'), eq(b'\\'))) as u32;
            if m == 0 {
                _mm256_storeu_si256(d.cast(), v);
                i += 32;
                o += 32;
                continue;
            }
            let lo = _mm256_castsi256_si128(v);
            let hi = _mm256_extracti128_si256::<1>(v);
            let w1 = 8 + (m & 0xFF).count_ones() as usize;
            let w2 = 16 + (m & 0xFFFF).count_ones() as usize;
            let w3 = 24 + (m & 0xFF_FFFF).count_ones() as usize;
            expand8(_mm_unpacklo_epi64(lo, bs), m, d);
            expand8(_mm_unpackhi_epi64(lo, bs), m >> 8, d.add(w1));
            expand8(_mm_unpacklo_epi64(hi, bs), m >> 16, d.add(w2));
            expand8(_mm_unpackhi_epi64(hi, bs), m >> 24, d.add(w3));
            i += 32;
            o += 32 + m.count_ones() as usize;
        }
        let (ri, ro) = ssse3::<HTML>(&src[i..], limit - i, dst.add(o));
        (i + ri, o + ro)
    }
}

#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
mod wasm {
    use std::arch::wasm32::*;

    use super::{advance, window, EXPAND, LETTERS};

    /// The NEON kernel's steps in `simd128`: 16 bytes classified, escapes expanded 8 input bytes
    /// at a time with `i8x16.swizzle` (which, as `tbl`, gives 0 for an index of 16 or more).
    ///
    /// # Safety
    /// As [`super::run`] (`simd128` is a build-time feature of this module).
    pub(super) unsafe fn simd128<const HTML: bool>(src: &[u8], limit: usize, dst: *mut u8) -> (usize, usize) {
        let (mut i, mut o) = (0, 0);
        let mut tmp = [0u8; 64];
        let letters = v128_load(LETTERS.as_ptr().cast());
        let zero = u8x16_splat(0);
        let backslashes = u8x16_splat(b'\\');
        let set = |c: u8| u8x16_splat(c);
        while i < limit {
            // SAFETY (bounds): `window` gives 16 + AHEAD readable bytes; a step stores at most 32
            // bytes from `o <= 2 * i`, within `2 * limit + SLACK`, which `run` keeps in `dst`.
            let (p, count) = window(src, i, limit, 16, &mut tmp);
            let d = dst.add(o);
            let v = v128_load(p.cast());
            let v1 = v128_load(p.add(1).cast());
            let letter = u8x16_swizzle(letters, v);
            let shortc = u8x16_ne(letter, zero);
            let esc = v128_or(v128_or(u8x16_eq(v, set(b'"')), u8x16_eq(v, set(b'\\'))), shortc);
            let ctrl = u8x16_lt(v, set(0x20));
            let ed = v128_and(u8x16_eq(v, set(0xED)), u8x16_ge(v1, set(0xA0)));
            let mut special = v128_or(v128_andnot(ctrl, shortc), ed);
            if HTML {
                let v2 = v128_load(p.add(2).cast());
                let ls = v128_and(
                    v128_and(u8x16_eq(v, set(0xE2)), u8x16_eq(v1, set(0x80))),
                    u8x16_eq(v128_and(v2, set(0xFE)), set(0xA8)),
                );
                let lt_gt = v128_or(u8x16_eq(v, set(b'<')), u8x16_eq(v, set(b'>')));
                special = v128_or(special, v128_or(lt_gt, v128_or(u8x16_eq(v, set(b'&')), ls)));
            }
            let vv = v128_bitselect(letter, v, shortc);
            let (m, r) = if !v128_any_true(v128_or(esc, special)) {
                v128_store(d.cast(), v);
                (0u64, 0u64)
            } else {
                let m = u8x16_bitmask(esc);
                let (m0, m1) = (usize::from(m & 0xFF), usize::from(m >> 8));
                let low =
                    i8x16_shuffle::<0, 1, 2, 3, 4, 5, 6, 7, 16, 17, 18, 19, 20, 21, 22, 23>(vv, backslashes);
                let high = i8x16_shuffle::<8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23>(
                    vv,
                    backslashes,
                );
                v128_store(d.cast(), u8x16_swizzle(low, v128_load(EXPAND[m0].as_ptr().cast())));
                let n0 = 8 + m0.count_ones() as usize;
                v128_store(d.add(n0).cast(), u8x16_swizzle(high, v128_load(EXPAND[m1].as_ptr().cast())));
                (u64::from(m), u64::from(u8x16_bitmask(special)))
            };
            let (ni, no, stop) = advance(i, o, count, m, r);
            (i, o) = (ni, no);
            if stop {
                break;
            }
        }
        (i, o)
    }
}

#[cfg(target_arch = "aarch64")]
mod arm {
    use std::arch::aarch64::*;

    use super::{advance, window, EXPAND, LETTERS};

    /// An 8-bit mask of the low or high 8 lanes of a compare result.
    ///
    /// # Safety
    /// NEON (part of aarch64).
    #[inline(always)]
    unsafe fn mask8(x: uint8x8_t) -> usize {
        const BITS: [u8; 8] = [1, 2, 4, 8, 16, 32, 64, 128];
        usize::from(vaddv_u8(vand_u8(x, vld1_u8(BITS.as_ptr()))))
    }

    /// # Safety
    /// `d` writable for 16 bytes.
    #[inline(always)]
    unsafe fn expand8(half: uint8x8_t, m8: usize, d: *mut u8) -> usize {
        let src = vcombine_u8(half, vdup_n_u8(b'\\'));
        vst1q_u8(d, vqtbl1q_u8(src, vld1q_u8(EXPAND[m8].as_ptr())));
        8 + m8.count_ones() as usize
    }

    /// # Safety
    /// As [`super::run`] (NEON is part of aarch64).
    #[target_feature(enable = "neon")]
    pub(super) unsafe fn neon<const HTML: bool>(src: &[u8], limit: usize, dst: *mut u8) -> (usize, usize) {
        let (mut i, mut o) = (0, 0);
        let mut tmp = [0u8; 64];
        let letters = vld1q_u8(LETTERS.as_ptr());
        let set = |c: u8| vdupq_n_u8(c);
        while i < limit {
            // SAFETY (bounds): `window` gives 16 + AHEAD readable bytes; a step stores at most 32
            // bytes from `o <= 2 * i`, within `2 * limit + SLACK`, which `run` keeps in `dst`.
            let (p, count) = window(src, i, limit, 16, &mut tmp);
            let d = dst.add(o);
            let v = vld1q_u8(p);
            let v1 = vld1q_u8(p.add(1));
            // `tbl` gives 0 for an index of 16 or more: only bytes < 16 find a letter.
            let letter = vqtbl1q_u8(letters, v);
            let shortc = vtstq_u8(letter, letter);
            let esc = vorrq_u8(vorrq_u8(vceqq_u8(v, set(b'"')), vceqq_u8(v, set(b'\\'))), shortc);
            let ctrl = vcltq_u8(v, set(0x20));
            let ed = vandq_u8(vceqq_u8(v, set(0xED)), vcgeq_u8(v1, set(0xA0)));
            let mut special = vorrq_u8(vbicq_u8(ctrl, shortc), ed);
            if HTML {
                let v2 = vld1q_u8(p.add(2));
                let ls = vandq_u8(
                    vandq_u8(vceqq_u8(v, set(0xE2)), vceqq_u8(v1, set(0x80))),
                    vceqq_u8(vandq_u8(v2, set(0xFE)), set(0xA8)),
                );
                let lt_gt = vorrq_u8(vceqq_u8(v, set(b'<')), vceqq_u8(v, set(b'>')));
                special = vorrq_u8(special, vorrq_u8(lt_gt, vorrq_u8(vceqq_u8(v, set(b'&')), ls)));
            }
            let vv = vbslq_u8(shortc, letter, v);
            let (m, r) = if vmaxvq_u8(vorrq_u8(esc, special)) == 0 {
                vst1q_u8(d, v);
                (0u64, 0u64)
            } else {
                let m0 = mask8(vget_low_u8(esc));
                let m1 = mask8(vget_high_u8(esc));
                let n0 = expand8(vget_low_u8(vv), m0, d);
                expand8(vget_high_u8(vv), m1, d.add(n0));
                let r = (mask8(vget_low_u8(special)) | (mask8(vget_high_u8(special)) << 8)) as u64;
                ((m0 | (m1 << 8)) as u64, r)
            };
            let (ni, no, stop) = advance(i, o, count, m, r);
            (i, o) = (ni, no);
            if stop {
                break;
            }
        }
        (i, o)
    }

    /// UTF-16 to UTF-8 for steps of 16 units that are all below U+0800 (as the x86 kernel).
    ///
    /// # Safety
    /// `dst` is writable for `3 * src.len() + SLACK` bytes (NEON is part of aarch64).
    #[target_feature(enable = "neon")]
    pub(super) unsafe fn utf16_neon(src: &[u16], dst: *mut u8) -> (usize, usize) {
        let (mut i, mut o) = (0, 0);
        while i + 16 <= src.len() {
            // SAFETY (bounds): 16 units are readable at `p`; with `o <= 3 * i`, the stores reach
            // at most `o + 32 <= 3 * (i + 16)`, within the room.
            let p = src.as_ptr().add(i);
            let d = dst.add(o);
            let v0 = vld1q_u16(p);
            let v1 = vld1q_u16(p.add(8));
            let top = vmaxq_u16(v0, v1);
            if vmaxvq_u16(top) < 0x80 {
                vst1q_u8(d, vcombine_u8(vmovn_u16(v0), vmovn_u16(v1)));
                i += 16;
                o += 16;
                continue;
            }
            if vmaxvq_u16(top) >= 0x800 {
                break;
            }
            let (l0, m0) = two_byte_lanes(v0);
            let (l1, m1) = two_byte_lanes(v1);
            vst1q_u8(d, vqtbl1q_u8(l0, vld1q_u8(super::COMPRESS[m0].as_ptr())));
            let n0 = 8 + m0.count_ones() as usize;
            vst1q_u8(d.add(n0), vqtbl1q_u8(l1, vld1q_u8(super::COMPRESS[m1].as_ptr())));
            i += 16;
            o += n0 + 8 + m1.count_ones() as usize;
        }
        (i, o)
    }

    /// 8 units below U+0800 as `[byte, continuation]` lanes (bytes), and the two-byte mask.
    ///
    /// # Safety
    /// NEON (part of aarch64).
    #[inline(always)]
    unsafe fn two_byte_lanes(v: uint16x8_t) -> (uint8x16_t, usize) {
        let two = vcgtq_u16(v, vdupq_n_u16(0x7F));
        let lead = vorrq_u16(vshrq_n_u16::<6>(v), vdupq_n_u16(0xC0));
        let cont = vorrq_u16(vandq_u16(v, vdupq_n_u16(0x3F)), vdupq_n_u16(0x80));
        let pair = vorrq_u16(lead, vshlq_n_u16::<8>(cont));
        let lanes = vbslq_u16(two, pair, v);
        const BITS: [u16; 8] = [1, 2, 4, 8, 16, 32, 64, 128];
        let mask = usize::from(vaddvq_u16(vandq_u16(two, vld1q_u16(BITS.as_ptr()))));
        (vreinterpretq_u8_u16(lanes), mask)
    }
}
