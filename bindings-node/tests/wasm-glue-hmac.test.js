'use strict'
// Every shared Hygraph vector on each HMAC route of the WebAssembly engine (issue 23): the host's
// node:crypto, Web Crypto (the asynchronous strict verify of the wrappers), and the core's own
// HMAC compiled to WebAssembly. Each answer is the vector's and the native engine's.
const test = require('node:test')
const assert = require('node:assert/strict')
const { loadVectors, fromUtf16 } = require('./helpers')
const { native, engines, loadApi } = require('./wasm-helpers')

const hygraph = loadVectors('hygraph.json')
const strict = loadVectors('strict.json')

test('hygraph.json: the drop-in engine answers `expected` on every HMAC route', () => {
  const utf16 = (s) => (typeof s === 'string' ? new Uint8Array(Uint16Array.from({ length: s.length }, (_, i) => s.charCodeAt(i)).buffer) : s)
  for (const c of hygraph.cases) {
    const sig = c.signatureUtf16 ? fromUtf16(c.signatureUtf16) : c.signature ?? undefined
    const raw = c.rawPayloadUtf16 ? fromUtf16(c.rawPayloadUtf16) : c.rawPayload ?? undefined
    // The API passes JSON.stringify(body); the vector's `body` is that text already.
    const body = c.body === null ? undefined : JSON.stringify(JSON.parse(c.body))
    for (const [route, e] of Object.entries(engines)) {
      const compat = e.compatNew([c.secret])
      assert.equal(e.compatVerify(compat, sig, raw, body, 0), c.expected, `${c.name} (${route})`)
      assert.equal(e.compatVerify(compat, utf16(sig), utf16(raw), utf16(body), 7), c.expected, `${c.name} (${route}, UTF-16)`)
    }
  }
})

test('strict.json: strictVerify and strictVerifyAsync give the native outcome on every HMAC route', async () => {
  assert.ok(strict.cases.length >= 40)
  for (const c of strict.cases) {
    const body = c.bodyHex !== undefined ? Uint8Array.from(Buffer.from(c.bodyHex, 'hex')) : c.body
    const header = c.header ?? ''
    const want = native.strictVerify(native.strictNew(c.secrets, c.tolerance, c.environments ?? null), body, header, c.now, true)
    if (c.expect.error) assert.equal(want.failure.code, c.expect.error, c.name)
    else assert.equal(want.secretIndex, c.expect.secretIndex, c.name)
    for (const [route, e] of Object.entries(engines)) {
      const engine = e.strictNew(c.secrets, c.tolerance, c.environments ?? null)
      assert.deepEqual(e.strictVerify(engine, body, header, c.now, true), want, `${c.name} (${route})`)
      assert.deepEqual(await e.strictVerifyAsync(engine, body, header, c.now, true), want, `${c.name} (${route}, async)`)
    }
  }
})

test('rotation: the host HMAC routes report the index of the first matching secret', async () => {
  const header = native.signStrict('new', '{"a":"<b>"}', 'master', 1700000000000)
  for (const [route, e] of Object.entries(engines)) {
    for (const secrets of [['old', 'new'], ['new', 'old'], ['new', 'new'], ['x', 'y', 'new']]) {
      const engine = e.strictNew(secrets, null, null)
      const want = native.strictVerify(native.strictNew(secrets, null, null), '{"a":"<b>"}', header, 1, true)
      assert.deepEqual(e.strictVerify(engine, '{"a":"<b>"}', header, 1, true), want, route)
      assert.deepEqual(await e.strictVerifyAsync(engine, '{"a":"<b>"}', header, 1, true), want, route)
      const compat = e.compatNew(secrets)
      assert.equal(e.compatVerify(compat, header, '{"a":"<b>"}', undefined, 0), true, route)
    }
  }
})

test('the HTML-escaped spelling is tried on every route (a parsed body whose <, >, & Hygraph escaped)', async () => {
  // Hygraph signed the body with \u003c; the receiver has the parsed-and-restringified text.
  const sent = '{"h":"\\u003cp\\u003e \\u0026"}'
  const header = native.signStrict('k', sent, 'master', 1700000000000)
  const parsed = JSON.stringify(JSON.parse(sent))
  const want = native.strictVerify(native.strictNew(['k'], null, null), parsed, header, 1, false)
  assert.equal(want.secretIndex, 0)
  for (const [route, e] of Object.entries(engines)) {
    assert.deepEqual(e.strictVerify(e.strictNew(['k'], null, null), parsed, header, 1, false), want, route)
    assert.deepEqual(await e.strictVerifyAsync(e.strictNew(['k'], null, null), parsed, header, 1, false), want, route)
    assert.equal(e.compatVerify(e.compatNew(['k']), header, undefined, parsed, 0), true, route)
  }
})

test('concurrent async verifications on the Web Crypto route each get their own answer', async () => {
  const e = engines.webcrypto
  const engine = e.strictNew(['k'], null, null)
  const bodies = Array.from({ length: 40 }, (_, i) => `{"i":${i},"h":"${i % 3 === 0 ? '<p>' : 'x'.repeat(i * 100)}"}`)
  const headers = bodies.map((b, i) => native.signStrict('k', i % 4 === 1 ? b + ' ' : b, 'env' + i, 1700000000000 + i))
  const got = await Promise.all(bodies.map((b, i) => e.strictVerifyAsync(engine, b, headers[i], 1, true)))
  bodies.forEach((b, i) => {
    assert.deepEqual(got[i], native.strictVerify(native.strictNew(['k'], null, null), b, headers[i], 1, true), `delivery ${i}`)
  })
})

test('the API says which HMAC runs; HOOKSEAL_HMAC picks one', () => {
  assert.deepEqual({ ...loadApi('native').hmac }, { sync: 'native', async: 'native' })
  assert.deepEqual({ ...loadApi('wasm').hmac }, { sync: 'node:crypto', async: 'node:crypto' })
  assert.deepEqual({ ...loadApi('wasm', 'webcrypto').hmac }, { sync: 'wasm', async: 'webcrypto' })
  assert.deepEqual({ ...loadApi('wasm', 'wasm').hmac }, { sync: 'wasm', async: 'wasm' })
})

test('the Fetch wrapper verifies with Web Crypto on that route, as the native engine does', async () => {
  for (const api of [loadApi('native'), loadApi('wasm', 'webcrypto'), loadApi('wasm', 'wasm'), loadApi('wasm')]) {
    const handler = api.withHygraphSignature(async (req, info) => Response.json(info), { secret: 'k' })
    const body = '{"op":"publish","h":"<p>"}'
    const header = api.sign(body, { secret: 'k' })
    const ok = await handler(new Request('http://x/', { method: 'POST', body, headers: { 'gcms-signature': header } }))
    assert.equal(ok.status, 200, api.hmac.async)
    assert.equal((await ok.json()).secretIndex, 0)
    const bad = await handler(new Request('http://x/', { method: 'POST', body: body + ' ', headers: { 'gcms-signature': header } }))
    assert.equal(bad.status, 401, api.hmac.async)
    assert.equal((await bad.json()).extensions.code, 'signature_mismatch')
  }
})

test('the host HMAC runs from 1 KiB of body (below, the core MACs in WebAssembly: cheaper than a call out)', () => {
  const { wasmEngine } = require('../js/wasm.cjs')
  const { MODULE } = require('./wasm-helpers')
  let calls = 0
  const counting = { ...require('node:crypto'), createHmac: (...a) => (calls++, require('node:crypto').createHmac(...a)) }
  const e = wasmEngine(MODULE, { nodeCrypto: counting })
  const compat = e.compatNew(['k'])
  for (const [size, host] of [[100, false], [1023, false], [1024, true], [1 << 20, true]]) {
    calls = 0
    const body = 'x'.repeat(size)
    const header = native.signStrict('k', body, 'master', 5)
    assert.equal(e.compatVerify(compat, header, body, undefined, 0), true, `${size}`)
    assert.equal(e.strictVerify(e.strictNew(['k'], null, null), body, header, 5, false).secretIndex, 0)
    assert.equal(calls > 0, host, `${size}: host HMAC ${host ? 'expected' : 'not expected'}`)
  }
})
