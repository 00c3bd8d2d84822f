'use strict'
// The WebAssembly glue (js/wasm.mjs) against hostile-but-legal JS values and its own failure
// modes, each answer compared with the native engine's (issue 23): typed arrays whose `length`
// lies, shared and growable buffers, detached buffers, results over 8 MiB, traps and the memory
// replay guard. Runs every case on each HMAC route of the WebAssembly engine.
const test = require('node:test')
const assert = require('node:assert/strict')
const { engines, loadApi, outcome, same } = require('./wasm-helpers')

const native = require('../binding.js')
const SECRET = 'glue-secret'

/** A Uint8Array of `n` bytes whose own `length` says `claimed`. */
function lyingOwn(bytes, claimed) {
  const u = new Uint8Array(bytes)
  Object.defineProperty(u, 'length', { value: claimed })
  return u
}
/** A Uint8Array subclass whose `length` getter lies. */
class Liar extends Uint8Array {
  get length() {
    return 1
  }
}

test('a Uint8Array whose length lies is read by its real length, and later calls still answer right', () => {
  const body = '{"a":"' + 'x'.repeat(4090) + '"}'
  const header = native.compatGenerate(native.compatNew([SECRET]), body, undefined, 'master', 1700000000000, 0)
  const lies = [
    ['own length 1', () => lyingOwn(Buffer.from(body), 1)],
    ['own length huge', () => lyingOwn(Buffer.from(body), 1 << 30)],
    ['own length -1', () => lyingOwn(Buffer.from(body), -1)],
    ['subclass getter', () => new Liar(Buffer.from(body))],
  ]
  for (const [label, make] of lies) {
    const r = same(`compatVerify, ${label}`, (e) => e.compatVerify(e.compatNew([SECRET]), header, make(), undefined, 0))
    assert.equal(r.value, true, label)
    same(`compatVerify as secret, ${label}`, (e) => e.compatVerify(e.compatNew([make()]), header, body, undefined, 0))
    same(`strictVerify, ${label}`, (e) => e.strictVerify(e.strictNew([SECRET], null, null), make(), header, 1, true))
    same(`hasuraCheck, ${label}`, (e) => e.hasuraCheck(1, make()))
    same(`shared secret, ${label}`, (e) => new e.SharedSecretChecker('x-secret', [make()]).check(['x-secret'], [body]))
    // The heap is intact: a valid body verifies, an invalid one does not.
    for (const e of Object.values(engines)) {
      const compat = e.compatNew([SECRET])
      assert.equal(e.compatVerify(compat, header, body, undefined, 0), true, `${label}: valid body after`)
      assert.equal(e.compatVerify(compat, header, body + ' ', undefined, 0), false, `${label}: invalid body after`)
    }
  }
})

test('the drop-in API reads lying, shared, growable and offset views by their real bytes (same as native)', () => {
  const body = '{"é":"<p>"}'
  const apis = { native: loadApi('native'), ...Object.fromEntries(Object.keys(engines).map((r) => [r, loadApi('wasm', r)])) }
  const signature = apis.native.generateWebhookSignature({ rawPayload: body, secret: SECRET, timestamp: 5 })
  const bytes = Buffer.from(body)
  const sab = new SharedArrayBuffer(bytes.length + 7)
  new Uint8Array(sab, 3, bytes.length).set(bytes)
  const views = {
    'own length 0': () => lyingOwn(bytes, 0),
    'own length 1': () => lyingOwn(bytes, 1),
    'subclass getter': () => new Liar(bytes),
    'SharedArrayBuffer, offset 3': () => new Uint8Array(sab, 3, bytes.length),
    'odd offset into a bigger buffer': () => {
      const big = new Uint8Array(bytes.length + 5)
      big.set(bytes, 1)
      return big.subarray(1, 1 + bytes.length)
    },
  }
  if (typeof SharedArrayBuffer.prototype.grow === 'function') {
    views['growable SharedArrayBuffer, length-tracking'] = () => {
      const g = new SharedArrayBuffer(bytes.length, { maxByteLength: bytes.length * 4 })
      const u = new Uint8Array(g)
      u.set(bytes)
      return u
    }
  }
  for (const [label, make] of Object.entries(views)) {
    const answers = Object.fromEntries(
      Object.entries(apis).map(([name, api]) => [name, outcome(() => api.verifyWebhookSignature({ rawPayload: make(), signature, secret: SECRET }))]),
    )
    for (const [name, a] of Object.entries(answers)) assert.deepEqual(a, answers.native, `${label}: ${name}`)
  }
})

test('detached buffers answer as on the native engine: the drop-in returns false, never throws', () => {
  const detached = () => {
    const u = new Uint8Array(16)
    structuredClone(u.buffer, { transfer: [u.buffer] })
    assert.equal(u.byteLength, 0)
    return u
  }
  const header = native.compatGenerate(native.compatNew([SECRET]), 'x', undefined, 'master', 1, 0)
  same('compatVerify detached rawPayload', (e) => e.compatVerify(e.compatNew([SECRET]), header, detached(), undefined, 0))
  same('compatVerify detached rawPayload, body given', (e) => e.compatVerify(e.compatNew([SECRET]), header, detached(), '"x"', 0))
  same('compatVerify detached signature', (e) => e.compatVerify(e.compatNew([SECRET]), detached(), 'x', undefined, 0))
  same('compatNew detached secret', (e) => e.compatNew([detached()]))
  same('strictVerify detached body', (e) => e.strictVerify(e.strictNew([SECRET], null, null), detached(), header, 1, false))
  same('hasuraCheck detached', (e) => e.hasuraCheck(0, detached()))
  const apis = [loadApi('native'), ...Object.keys(engines).map((r) => loadApi('wasm', r))]
  for (const api of apis) {
    assert.equal(api.verifyWebhookSignature({ rawPayload: detached(), signature: header, secret: SECRET }), false, api.backend)
  }
})

test('results over 8 MiB come back whole (the output buffer is trimmed at the next call, not before JS reads it)', () => {
  const big = 'e'.repeat(9 << 20)
  const header = same('generate, 9 MiB environment', (e) => e.compatGenerate(e.compatNew([SECRET]), '{}', undefined, big, 5, 0)).value
  assert.ok(header.length > 9 << 20)
  same('signStrict, 9 MiB environment', (e) => e.signStrict(SECRET, '{}', big, 5))
  same('hasuraErrorBody, 9 MiB message', (e) => e.hasuraErrorBody(big, 'c'))
  // Growth across the 8 MiB line between two calls.
  same('4.2 MiB then 4.3 MiB', (e) => [e.hasuraErrorBody('m'.repeat(4.2 * 2 ** 20), 'c').length, e.hasuraErrorBody('m'.repeat(4.3 * 2 ** 20), 'c').length])
  same('small after big', (e) => e.hasuraErrorBody('small', 'c'))
  for (const api of [loadApi('native'), loadApi('wasm')]) {
    assert.ok(api.generateWebhookSignature({ rawPayload: '{}', secret: SECRET, environmentName: big, timestamp: 5 }).endsWith(', t=5'))
    assert.equal(api.hasuraActionError(big, 'c').body.message.length, big.length)
  }
})

test('a trap never forgets the memory replay guard: a delivery already done is not run again', async () => {
  const api = loadApi('wasm')
  const { engine } = require('../js/engine-node.cjs')
  const guard = api.createMemoryReplayGuard()
  let runs = 0
  const handler = api.withHygraphSignature(
    async () => {
      runs++
      return new Response('ok')
    },
    { secret: SECRET, replay: guard },
  )
  const body = '{"op":"publish"}'
  const request = () =>
    new Request('http://x/', { method: 'POST', body, headers: { 'gcms-signature': api.sign(body, { secret: SECRET }) } })
  const sent = request()
  assert.equal((await handler(sent.clone())).status, 200)
  assert.equal(runs, 1)
  assert.throws(() => engine._wasm.trap(), /it was restarted/)
  const again = await handler(sent.clone())
  assert.equal(again.status, 200)
  assert.deepEqual(await again.json(), { duplicate: true })
  assert.equal(runs, 1, 'the handler ran again after a trap')
  // The stores' own instance trapping loses their state: the guard fails closed (503), never open.
  assert.throws(() => engine._wasm.trapStores(), /replay store, whose state is lost/)
  const closed = await handler(sent.clone())
  assert.equal(closed.status, 503)
  assert.equal(runs, 1)
  // A guard made afterwards works.
  const fresh = api.createMemoryReplayGuard()
  assert.equal(await fresh.claim('k', { token: 't' }), 'new')
})
