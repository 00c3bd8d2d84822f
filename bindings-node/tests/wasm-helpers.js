'use strict'
// Shared by the wasm-glue tests: the native engine and the WebAssembly engine on each HMAC route
// (node:crypto, Web Crypto, the core's own), copies of the API over a chosen engine, and a
// comparison of outcomes (value, or the error's kind, code and message).
const assert = require('node:assert/strict')
const crypto = require('node:crypto')
const fs = require('node:fs')
const path = require('node:path')

const native = require('../binding.js')
const { wasmEngine } = require('../js/wasm.cjs')
const MODULE = new WebAssembly.Module(fs.readFileSync(path.join(__dirname, '..', 'hookseal.wasm')))

/**
 * The WebAssembly engine on each HMAC route. `hostMin: 0`: the host's HMAC runs for every body
 * (by default bodies under 1 KiB are MACed in WebAssembly, faster than a call into the host).
 */
const engines = {
  'node:crypto': wasmEngine(MODULE, { nodeCrypto: crypto, hostMin: 0 }),
  webcrypto: wasmEngine(MODULE, { hmac: 'webcrypto', hostMin: 0 }),
  wasm: wasmEngine(MODULE, { hmac: 'wasm' }),
}
assert.deepEqual(engines['node:crypto'].hmac, { sync: 'node:crypto', async: 'node:crypto' })
assert.deepEqual(engines.webcrypto.hmac, { sync: 'wasm', async: 'webcrypto' })
assert.deepEqual(engines.wasm.hmac, { sync: 'wasm', async: 'wasm' })

const JS = path.join(__dirname, '..', 'js')

/** A fresh copy of the CommonJS API over `backend` ('native' | 'wasm') and HMAC route. */
function loadApi(backend, hmac) {
  for (const k of Object.keys(require.cache)) if (k.startsWith(JS + path.sep)) delete require.cache[k]
  const saved = [process.env.HOOKSEAL_BACKEND, process.env.HOOKSEAL_HMAC]
  process.env.HOOKSEAL_BACKEND = backend
  if (hmac) process.env.HOOKSEAL_HMAC = hmac
  else delete process.env.HOOKSEAL_HMAC
  try {
    const api = require('../js/api.cjs')
    assert.equal(api.backend, backend)
    return api
  } finally {
    for (const [k, v] of [['HOOKSEAL_BACKEND', saved[0]], ['HOOKSEAL_HMAC', saved[1]]]) {
      if (v === undefined) delete process.env[k]
      else process.env[k] = v
    }
  }
}

/**
 * What a call gives: its value, or the error's kind, code and message. napi's own messages for
 * a JS value of the wrong type (StringExpected, ...) are not compared.
 */
function outcome(fn) {
  try {
    return { value: fn() }
  } catch (e) {
    const ours = ['InvalidArg', 'NumberExpected', 'GenericFailure'].includes(e && e.code)
    return { error: e && e.constructor && e.constructor.name, code: e && e.code, message: ours ? e.message : '(napi conversion)' }
  }
}

/** Runs `fn(engine)` on the native engine and on every WebAssembly route; asserts one outcome. */
function same(label, fn) {
  const want = outcome(() => fn(native))
  for (const [route, e] of Object.entries(engines)) {
    assert.deepEqual(outcome(() => fn(e)), want, `${label}: the WebAssembly engine (HMAC ${route}) answers differently from the native one`)
  }
  return want
}

module.exports = { native, engines, loadApi, outcome, same, MODULE }
