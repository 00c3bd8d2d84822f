'use strict'
// The two engines under the one JS API: the napi addon (bindings-node/src/lib.rs → binding.js)
// and the WebAssembly build (bindings-wasm/src/lib.rs → js/wasm.mjs) must expose the SAME surface
// and give the SAME answers, errors included. If you change the engine surface, change every
// engine: this file tells you which side lacks what.
const test = require('node:test')
const assert = require('node:assert/strict')
const fs = require('node:fs')
const path = require('node:path')
const v8 = require('node:v8')
const vm = require('node:vm')
const { loadVectors, fromUtf16 } = require('./helpers')

const native = require('../binding.js')
const { wasmEngine } = require('../js/wasm.cjs')
const WASM = path.join(__dirname, '..', 'hookseal.wasm')
const wasm = wasmEngine(new WebAssembly.Module(fs.readFileSync(WASM)))

const HOW =
  'every engine must expose the same surface: the napi addon (bindings-node/src/lib.rs, regenerate binding.js/.d.ts) ' +
  'and the WebAssembly build (an export in bindings-wasm/src/lib.rs and its glue in bindings-node/js/wasm.mjs)'

function surface(engine) {
  const out = {}
  for (const [k, v] of Object.entries(engine)) {
    // `hmac` and `strictVerifyAsync` are the WebAssembly engine's own (which HMAC it runs; the
    // wrappers' verify with Web Crypto's asynchronous HMAC): the API falls back without them.
    if (k === '__napiBindingTarget' || k === '_wasm' || k === 'hmac' || k === 'strictVerifyAsync') continue
    const members = typeof v === 'function' && v.prototype ? Object.getOwnPropertyNames(v.prototype).filter((n) => n !== 'constructor') : []
    out[k] = members.length > 0 ? `class { ${members.sort().join(', ')} }` : typeof v
  }
  return out
}

test('the napi addon and the WebAssembly engine expose the same surface', () => {
  const n = surface(native)
  const w = surface(wasm)
  const missingInWasm = Object.keys(n).filter((k) => !(k in w))
  const missingInNative = Object.keys(w).filter((k) => !(k in n))
  assert.deepEqual({ missingInWasm, missingInNative }, { missingInWasm: [], missingInNative: [] }, HOW)
  for (const k of Object.keys(n)) assert.equal(w[k], n[k], `${k}: ${HOW}`)
})

/**
 * What a call gives: its value, or the error's kind, code and message. napi's own messages for a
 * value of the wrong JS type (`StringExpected`, …: the API never passes one) are not compared.
 */
function outcome(fn) {
  try {
    const v = fn()
    return { value: v }
  } catch (e) {
    const ours = ['InvalidArg', 'NumberExpected', 'GenericFailure'].includes(e && e.code)
    return { error: e && e.constructor && e.constructor.name, code: e && e.code, message: ours ? e.message : '(napi conversion)' }
  }
}

/** Runs `fn(engine)` on both engines and asserts the same outcome. */
function same(label, fn) {
  const a = outcome(() => fn(native))
  const b = outcome(() => fn(wasm))
  assert.deepEqual(b, a, `${label}: the WebAssembly engine answers differently from the native one (${HOW})`)
  return a
}

test('same answers: drop-in verify and generate over every hygraph.json case, as strings and as UTF-16 bytes', () => {
  const hygraph = loadVectors('hygraph.json')
  const utf16 = (s) => (typeof s === 'string' ? new Uint8Array(Uint16Array.from(s, (_, i) => s.charCodeAt(i)).buffer) : s)
  let n = 0
  for (const c of hygraph.cases) {
    const sig = c.signatureUtf16 ? fromUtf16(c.signatureUtf16) : c.signature ?? undefined
    const raw = c.rawPayloadUtf16 ? fromUtf16(c.rawPayloadUtf16) : c.rawPayload ?? undefined
    const body = c.body ?? undefined
    same(c.name, (e) => e.compatVerify(e.compatNew([c.secret]), sig, raw, body, 0))
    same(`${c.name} (utf16)`, (e) => e.compatVerify(e.compatNew([c.secret]), utf16(sig), utf16(raw), utf16(body), 7))
    same(`${c.name} (generate)`, (e) => e.compatGenerate(e.compatNew([c.secret]), raw, body, sig, 1700000000000, 0))
    n++
  }
  assert.equal(n, hygraph.cases.length)
})

test('same answers: lone surrogates reach the core exactly (not as U+FFFD)', () => {
  for (const raw of ['\ud800', 'a\udc00b', '\udbff\udbff', 'x\ud83d\ude00y\ud83d']) {
    const header = same(raw, (e) => e.compatGenerate(e.compatNew(['k']), raw, undefined, 'env\ud800', 5, 0)).value
    assert.match(header, /env\ud800, t=5$/)
    assert.equal(same(raw, (e) => e.compatVerify(e.compatNew(['k']), header, raw, undefined, 0)).value, true)
    const replaced = raw.replace(/[\ud800-\udfff]/g, '\ufffd')
    if (replaced !== raw.toWellFormed()) continue
    assert.equal(same(raw, (e) => e.compatVerify(e.compatNew(['k']), header, replaced, undefined, 0)).value, false)
  }
  same('strict body with a lone surrogate', (e) => e.strictVerify(e.strictNew(['k'], null, null), 'a\ud800', 'sign=x, env=a, t=1', 1, false))
})

test('same answers: strict engine, configuration errors, outcomes and replay keys', () => {
  const strict = loadVectors('strict.json')
  for (const c of strict.cases) {
    const body = c.bodyHex !== undefined ? Uint8Array.from(Buffer.from(c.bodyHex, 'hex')) : c.body
    same(c.name, (e) => e.strictVerify(e.strictNew(c.secrets, c.tolerance, c.environments ?? null), body, c.header ?? '', c.now, true))
  }
  for (const [label, args] of [
    ['no secrets', [[], 300, null]],
    ['empty secret', [[''], 300, null]],
    ['blank secret', [[' \n'], 300, null]],
    ['negative tolerance', [['k'], -1, null]],
    ['fractional tolerance', [['k'], 1.5, null]],
    ['NaN tolerance', [['k'], NaN, null]],
    ['empty environments', [['k'], 300, []]],
    ['bytes secret', [[new Uint8Array([1, 2, 3])], null, ['a', 'b']]],
  ]) {
    same(label, (e) => e.strictTolerance(e.strictNew(...args)))
  }
  same('compatNew []', (e) => e.compatNew([]))
  same('signStrict', (e) => e.signStrict('k', '{"a":"é"}', 'master', 1700000000000))
  same('signStrict bad timestamp', (e) => e.signStrict('k', '{}', 'master', -5))
  same('signStrict empty secret', (e) => e.signStrict('', '{}', 'master', 5))
  same('replayConstants', (e) => e.replayConstants())
  for (const t of [0, 300, 86_400, -1, 0.5, null]) same(`replayDoneTtlMs ${t}`, (e) => e.replayDoneTtlMs(t))
})

test('same answers: shared secret, memory store, Hasura helpers', () => {
  const shared = loadVectors('shared-secret.json')
  for (const c of shared.cases) {
    const names = []
    const values = []
    for (const [k, v] of Object.entries(c.headers)) for (const x of Array.isArray(v) ? v : [v]) names.push(k), values.push(String(x))
    same(c.name, (e) => {
      const checker = new e.SharedSecretChecker(c.header, c.secrets)
      return [checker.header, checker.check(names, values)]
    })
  }
  same('bad header name', (e) => new e.SharedSecretChecker('bad header', ['k']))
  same('empty shared secret', (e) => new e.SharedSecretChecker('x', ['']))
  same('memory store', (e) => {
    const s = new e.MemoryStore(2)
    const log = [s.claim('a', 1000, 50, 't1'), s.claim('a', 1010, 50, 't2'), s.claim('a', 1100, 50, 't3')]
    log.push(s.complete('a', 1100, 500, 't1'), s.complete('a', 1100, 500, 't3'))
    log.push(s.claim('a', 1200, 50, 't4'), s.claim('b', 1200, 50, 'x'), s.claim('c', 1200, 50, 'y'), s.size)
    log.push(s.release('c', 'not-y', 1200), s.size, s.release('c', 'y', 1200), s.size, s.claim('c', 1300, 50, 'z'))
    log.push(s.release('b', 'other', 1300), s.release('b', 'x', 1300), s.complete('z', 1, 1, 't'))
    return log
  })
  same('memory store without a token', (e) => new e.MemoryStore(2).claim('a', 1, 50))
  for (const m of [0, 0.5, -1, NaN]) same(`MemoryStore(${m})`, (e) => new e.MemoryStore(m))
  same('hasuraErrorBody', (e) => e.hasuraErrorBody('bad "input"\n', 'bad_input'))
  for (const [keys, values, kind, value] of [
    [['role', 'userId', 'x-hasura-org'], ['user', 42, true], 1, 60],
    [['role'], ['admin'], 2, 1700000000],
    [['userId'], ['1'], 0, 0],
    [['role', 'user_id', 'x-hasura-user-id'], ['u', '1', '2'], 0, 0],
    [['role'], ['u'], 1, -1],
  ]) {
    same(`hasuraAuthResponseJson ${keys}`, (e) => e.hasuraAuthResponseJson(keys, values, kind, value))
  }
  const action = '{"action":{"name":"greet"},"input":{"name":"Ada"},"session_variables":{"x-hasura-role":"user"}}'
  for (const [kind, json] of [
    [0, action],
    [0, new TextEncoder().encode(action)],
    [0, '{"action":{}}'],
    [1, '{"event":{"op":"INSERT","data":{"old":null,"new":{}}},"id":"1","table":{"schema":"public","name":"t"},"trigger":{"name":"x"}}'],
    [1, 'not json'],
    [1, '{"x":"\ud800"}'],
  ]) {
    same(`hasuraCheck ${kind} ${String(json).slice(0, 20)}`, (e) => e.hasuraCheck(kind, json))
  }
})

test('same answers: values of the wrong type are refused alike', () => {
  same('compatVerify number', (e) => e.compatVerify(e.compatNew(['k']), 5, 'x', undefined, 0))
  same('compatVerify Uint16Array', (e) => e.compatVerify(e.compatNew(['k']), 'x', new Uint16Array(2), undefined, 0))
})

test('a trap restarts the WebAssembly instance; engines made before it keep working', () => {
  const compat = wasm.compatNew(['k'])
  const strict = wasm.strictNew(['k'], 300, ['master'])
  const store = new wasm.MemoryStore(10)
  const checker = new wasm.SharedSecretChecker('ACTION_SECRET', ['s'])
  store.claim('a', 1, 100, 't')
  const header = wasm.compatGenerate(compat, '{}', undefined, 'master', 1700000000000, 0)
  assert.throws(() => wasm._wasm.trap(), /hookseal: the WebAssembly engine failed \(.*\); it was restarted/)
  assert.equal(wasm.compatVerify(compat, header, '{}', undefined, 0), true)
  assert.equal(wasm.strictTolerance(strict), 300)
  assert.equal(wasm.strictVerify(strict, '{}', header, 1700000000000, false).environment, 'master')
  assert.equal(checker.check(['action_secret'], ['s']), null)
  // Memory stores live in an instance of their own: the trap did not touch the claim.
  assert.equal(store.size, 1)
  assert.equal(store.claim('a', 1, 100, 't2'), 'in_progress')
})

test('engines that JS drops are freed in the WebAssembly instance', async () => {
  v8.setFlagsFromString('--expose-gc')
  const gc = vm.runInNewContext('gc')
  const before = wasm._wasm.live()
  for (let i = 0; i < 200; i++) wasm.compatNew([`secret-${i}`])
  assert.ok(wasm._wasm.live() >= before + 200)
  for (let i = 0; i < 100 && wasm._wasm.live() > before + 50; i++) {
    gc()
    await new Promise((r) => setTimeout(r, 10))
  }
  assert.ok(wasm._wasm.live() <= before + 50, `still ${wasm._wasm.live() - before} engines held`)
})

test('a runtime without native addons refuses HOOKSEAL_BACKEND=native and says what to do', (t) => {
  const { refuseNative } = require('../js/wasm.cjs')
  const before = process.env.HOOKSEAL_BACKEND
  t.after(() => (before === undefined ? delete process.env.HOOKSEAL_BACKEND : (process.env.HOOKSEAL_BACKEND = before)))
  process.env.HOOKSEAL_BACKEND = 'wasm'
  refuseNative('an Edge runtime')
  process.env.HOOKSEAL_BACKEND = 'native'
  assert.throws(() => refuseNative('an Edge runtime'), /HOOKSEAL_BACKEND=native, but this code runs on an Edge runtime.*Unset HOOKSEAL_BACKEND.*runtime = "edge"/)
})

test('same answers: the Hasura engine functions (deliveries, auth answers, cache keys, codes)', () => {
  const payloads = loadVectors('hasura-payloads.json')
  const kinds = { action: 0, auth_v2: 3, auth_ddn: 4 }
  for (const c of payloads.cases) {
    if (c.kind === 'delivery') {
      const d = same(`hasuraDelivery ${c.name}`, (e) => e.hasuraDelivery(c.body))
      same(`hasuraDelivery ${c.name} (bytes)`, (e) => e.hasuraDelivery(new TextEncoder().encode(c.body)))
      assert.deepEqual(d.value.failure ? d.value.failure.code : d.value, c.ok ? c.expect : c.code, c.name)
      if (c.ok) same(`hasuraCheck ${c.name}`, (e) => e.hasuraCheck(c.expect.kind === 'event' ? 1 : 2, c.body))
    } else {
      const r = same(`hasuraCheck ${c.name}`, (e) => e.hasuraCheck(kinds[c.kind], c.body))
      assert.equal(r.value === null, c.ok, c.name)
    }
  }
  same('hasuraDelivery undefined', (e) => e.hasuraDelivery(undefined))
  same('hasuraCheck kind 9', (e) => e.hasuraCheck(9, '{}'))
  for (const [mode, session, maxAge, expiresAt, now] of [
    ['v2', '{"role":"user","userId":25}', 300, 1030.5, 1000],
    ['v2', '{"role":"user","userId":25}', -1, NaN, 1000],
    ['v2', '{"role":"user"}', 60, 1000.5, 1000],
    ['ddn', '{"role":"user","userId":25,"orgIds":[1,2]}', 60, 1020.5, 1000],
    ['v2', '{"role":"user","orgIds":[1]}', -1, NaN, 0],
    ['ddn', '{"role":1}', -1, NaN, 0],
    ['v2', '{"role":"u","Role":"v"}', -1, NaN, 0],
    ['v2', 'not json', -1, NaN, 0],
    ['v3', '{"role":"user"}', -1, NaN, 0],
    ['v2', '{"role":"user"}', 1.5, NaN, 0],
  ]) {
    same(`hasuraAuthAnswer ${mode} ${session} ${maxAge}`, (e) => e.hasuraAuthAnswer(mode, session, maxAge, expiresAt, now))
  }
  const names = ['authorization', 'cookie']
  for (const [mode, hn, hv] of [
    ['v2', ['Authorization', 'Cookie'], ['Bearer a', 's=1']],
    ['ddn', ['Authorization', 'Cookie'], ['Bearer a', 's=1']],
    ['v2', ['cookie', 'cookie'], ['a', 'b']],
    ['v2', ['x-other'], ['1']],
    ['v9', [], []],
  ]) {
    same(`hasuraAuthCacheKey ${mode} ${hn}`, (e) => e.hasuraAuthCacheKey(mode, names, hn, hv))
  }
  same('wrapperCodes', (e) => e.wrapperCodes())
  same('replayConstants', (e) => e.replayConstants())
  for (const [env, body] of [['master', '{"a":1}'], ['master', new TextEncoder().encode('{"a":1}')], ['', undefined], ['ab', 'c'], ['a', 'bc'], ['m', '\ud800']]) {
    same(`replayKeyForBody ${env} ${String(body)}`, (e) => e.replayKeyForBody(env, body))
  }
})
