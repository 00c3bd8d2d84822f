'use strict'
// Fuzz-style differential test of the WebAssembly glue (issue 23): random JS values — strings
// with lone surrogates, Uint8Arrays with odd lengths and offsets, over ArrayBuffers, shared and
// growable SharedArrayBuffers, with lying `length`s (own property, subclass getter), detached,
// other typed arrays, DataViews, proxies, big ones — through the native engine and the
// WebAssembly engine on each HMAC route, the answers compared (value or error).
const test = require('node:test')
const assert = require('node:assert/strict')
const fc = require('fast-check')
const { native, engines, loadApi, outcome, same } = require('./wasm-helpers')

const SECRET = 'fuzz-secret'
const RUNS = Number(process.env.FUZZ_RUNS || 100)

const char = fc.oneof(
  { weight: 6, arbitrary: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)) },
  { weight: 2, arbitrary: fc.constantFrom('"', '\\', '<', '>', '&', '\u2028', '\n', '\u0000', 'é', '東', '\ud83d\ude80') },
  { weight: 1, arbitrary: fc.integer({ min: 0xd800, max: 0xdfff }).map((c) => String.fromCharCode(c)) },
)
const text = fc.array(char, { maxLength: 80 }).map((a) => a.join(''))

/** How a byte value is dressed up. */
const dress = fc.record({
  buffer: fc.constantFrom('ab', 'sab', 'growable', 'node-buffer'),
  before: fc.integer({ min: 0, max: 9 }),
  after: fc.integer({ min: 0, max: 9 }),
  lie: fc.oneof(
    fc.constant(null),
    fc.record({ how: fc.constantFrom('own', 'getter'), length: fc.oneof(fc.integer({ min: -2, max: 5000 }), fc.constant(2 ** 32 + 1)) }),
  ),
  kind: fc.constantFrom('u8', 'u8', 'u8', 'u8', 'detached', 'u16', 'u8clamped', 'dataview', 'proxy'),
  big: fc.integer({ min: 0, max: 40 }).map((n) => (n === 0 ? 3 << 20 : 0)),
})

/** A value spec: a fresh JS value is made from it for each engine (detaching mutates). */
const spec = fc.oneof(
  { weight: 1, arbitrary: fc.constantFrom({ t: 'undefined' }, { t: 'null' }, { t: 'number' }, { t: 'object' }) },
  { weight: 4, arbitrary: text.map((s) => ({ t: 'string', s })) },
  { weight: 6, arbitrary: fc.record({ t: fc.constant('bytes'), s: text, dress }) },
)

function make(v) {
  switch (v.t) {
    case 'undefined':
      return undefined
    case 'null':
      return null
    case 'number':
      return 42
    case 'object':
      return { length: 3 }
    case 'string':
      return v.s
  }
  const d = v.dress
  let content = Buffer.from(v.s)
  if (d.big) content = Buffer.concat([content, Buffer.alloc(d.big, 0x61)])
  const n = d.before + content.length + d.after
  let buf
  if (d.buffer === 'sab') buf = new SharedArrayBuffer(n)
  else if (d.buffer === 'growable' && typeof SharedArrayBuffer.prototype.grow === 'function') buf = new SharedArrayBuffer(n, { maxByteLength: n + 64 })
  else buf = new ArrayBuffer(n)
  new Uint8Array(buf).set(content, d.before)
  let out
  if (d.buffer === 'node-buffer' && d.kind === 'u8') out = Buffer.from(buf, d.before, content.length)
  else if (d.kind === 'u16') out = new Uint16Array(buf, 0, Math.floor(n / 2))
  else if (d.kind === 'u8clamped') out = new Uint8ClampedArray(buf, d.before, content.length)
  else if (d.kind === 'dataview') out = new DataView(buf, d.before, content.length)
  else if (d.lie && d.lie.how === 'getter') {
    const claimed = d.lie.length
    out = new (class extends Uint8Array {
      get length() {
        return claimed
      }
    })(buf, d.before, content.length)
  } else out = new Uint8Array(buf, d.before, content.length)
  if (d.lie && d.lie.how === 'own' && ArrayBuffer.isView(out)) Object.defineProperty(out, 'length', { value: d.lie.length })
  if (d.kind === 'detached' && !(buf instanceof SharedArrayBuffer)) structuredClone(buf, { transfer: [buf] })
  if (d.kind === 'proxy') out = new Proxy(out, {})
  return out
}

/** The header the native engine makes for the spec's text (so some cases verify). */
const headerFor = (v, env = 'master') =>
  native.compatGenerate(native.compatNew([SECRET]), v.t === 'string' || v.t === 'bytes' ? v.s || undefined : undefined, undefined, env, 1700000000000, 0)

test('fuzz: drop-in engine calls (compatVerify, compatGenerate) agree with the native engine', () => {
  fc.assert(
    fc.property(spec, spec, fc.integer({ min: 0, max: 7 }), fc.boolean(), (raw, body, utf16, sigFromRaw) => {
      const sig = sigFromRaw ? headerFor(raw) : headerFor(body)
      same('compatVerify', (e) => e.compatVerify(e.compatNew([SECRET]), sig, make(raw), make(body), utf16))
      same('compatVerify, spec as signature', (e) => e.compatVerify(e.compatNew([SECRET]), make(raw), 'x', undefined, utf16))
      same('compatGenerate', (e) => e.compatGenerate(e.compatNew([SECRET]), make(raw), make(body), 'master', 5, utf16))
      // A secret of the wrong type: napi-rs words its conversion error its own way (the API
      // never passes one: secretList refuses it first), so only the error's kind is compared.
      same('compatNew with the spec as a secret', (e) => {
        try {
          return e.compatVerify(e.compatNew([make(raw)]), sig, 'x', undefined, 0)
        } catch (err) {
          if (err.code === 'InvalidArg' && /^(Value is none of these types|secrets: expected a string or Uint8Array)/.test(err.message)) {
            return 'refused: not a string or Uint8Array'
          }
          throw err
        }
      })
    }),
    { numRuns: RUNS },
  )
})

test('fuzz: strict verify (sync and async, every HMAC route) and hasuraCheck agree with the native engine', async () => {
  await fc.assert(
    fc.asyncProperty(spec, fc.boolean(), fc.integer({ min: 0, max: 4 }), async (raw, key, kind) => {
      const header = typeof raw.s === 'string' ? native.compatGenerate(native.compatNew([SECRET]), raw.s, undefined, 'master', 1700000000000, 0) : 'x'
      const want = same('strictVerify', (e) => e.strictVerify(e.strictNew([SECRET], 300, null), make(raw), header, 1700000000000, key))
      for (const [route, e] of Object.entries(engines)) {
        let got
        try {
          got = { value: await e.strictVerifyAsync(e.strictNew([SECRET], 300, null), make(raw), header, 1700000000000, key) }
        } catch (err) {
          got = outcome(() => {
            throw err
          })
        }
        assert.deepEqual(got, want, `strictVerifyAsync on ${route}`)
      }
      same('hasuraCheck', (e) => e.hasuraCheck(kind, make(raw)))
    }),
    { numRuns: RUNS },
  )
})

test('fuzz: the drop-in API never throws on untrusted values and answers as on the native engine', () => {
  const apis = [loadApi('native'), ...Object.keys(engines).map((r) => loadApi('wasm', r))]
  fc.assert(
    fc.property(spec, spec, fc.boolean(), (raw, body, sigFromRaw) => {
      const signature = sigFromRaw ? headerFor(raw) : headerFor(body)
      const answers = apis.map((api) => {
        const opts = { secret: SECRET, signature, rawPayload: make(raw) }
        if (body.t !== 'undefined') opts.body = make(body)
        return outcome(() => api.verifyWebhookSignature(opts))
      })
      for (const a of answers.slice(1)) assert.deepEqual(a, answers[0])
    }),
    { numRuns: RUNS },
  )
})

// The escaping kernels (native: AVX2/SSSE3/NEON; WebAssembly: simd128) against each other: strings
// of every length up to a few 16-byte blocks, dense in the bytes that need a look (quotes,
// backslashes, control characters, HTML characters, U+2028, lone surrogates), so a special byte
// lands at every position of a block. Any difference in the envelope changes the MAC.
const dense = fc
  .array(fc.constantFrom('a', 'b', '"', '\\', '\n', '\u0001', '\u001f', '<', '>', '&', '\u2028', '\u2029', 'é', '東', '\ud800', '\udc00', '\ud83d\ude80'), { maxLength: 120 })
  .map((a) => a.join(''))

test('fuzz: escaping (JS and HTML spellings) agrees between the native and the WebAssembly kernels', () => {
  fc.assert(
    fc.property(dense, fc.integer({ min: 0, max: 40 }), (s, pad) => {
      const text = 'x'.repeat(pad) + s
      same('generate (JS spelling)', (e) => e.compatGenerate(e.compatNew([SECRET]), text, undefined, 'env' + s.slice(0, 3), 5, 0))
      // A parsed body whose < > & U+2028 U+2029 Hygraph had escaped: the HTML spelling must match.
      const body = JSON.stringify({ h: text })
      const sent = body.replace(/[<>&\u2028\u2029]/g, (c) => '\\u' + c.charCodeAt(0).toString(16).padStart(4, '0'))
      const header = native.signStrict(SECRET, sent, 'master', 1700000000000)
      const r = same('strictVerify (HTML spelling)', (e) => e.strictVerify(e.strictNew([SECRET], null, null), body, header, 1, false))
      if (body.isWellFormed()) assert.equal(r.value.secretIndex, 0)
    }),
    { numRuns: RUNS * 3 },
  )
})

test('fuzz: the simd128 escaping kernel gives the portable code\'s bytes (JS and HTML spellings)', () => {
  const e = engines.wasm
  assert.equal(e._wasm.escape('a', false, false).vector, true, 'this hookseal.wasm is built without simd128')
  fc.assert(
    fc.property(dense, fc.integer({ min: 0, max: 40 }), fc.boolean(), (s, pad, html) => {
      const text = 'x'.repeat(pad) + s + s
      const scalar = e._wasm.escape(text, true, html).bytes
      const simd = e._wasm.escape(text, false, html).bytes
      assert.deepEqual(Buffer.from(simd).toString('hex'), Buffer.from(scalar).toString('hex'))
    }),
    { numRuns: RUNS * 5 },
  )
})
