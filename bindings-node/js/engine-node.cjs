'use strict'
// The engine in Node: the native addon (napi, `binding.js`) when a prebuilt one loads for this
// platform, otherwise the WebAssembly build (macOS, Windows, anything without a prebuilt binary).
// HOOKSEAL_BACKEND=native or =wasm forces one (a forced native that does not load is an error).
const path = require('node:path')
const fs = require('node:fs')

const want = process.env.HOOKSEAL_BACKEND || ''
if (want !== '' && want !== 'native' && want !== 'wasm') {
  throw new Error(`hookseal: HOOKSEAL_BACKEND must be "native" or "wasm", not ${JSON.stringify(want)}`)
}

let engine = null
let backend = 'wasm'
if (want !== 'wasm') {
  try {
    engine = require('../binding.js')
    backend = 'native'
  } catch (e) {
    if (want === 'native') {
      throw new Error(`hookseal: HOOKSEAL_BACKEND=native, but the native addon did not load: ${e.message}`, { cause: e })
    }
  }
}
if (engine === null) {
  // The envelope is built in WebAssembly and MACed by node:crypto (OpenSSL); HOOKSEAL_HMAC=wasm
  // or =webcrypto picks another HMAC (tests, benchmarks).
  const { wasmEngine } = require('./wasm.cjs')
  const hmac = process.env.HOOKSEAL_HMAC || undefined
  engine = wasmEngine(new WebAssembly.Module(fs.readFileSync(path.join(__dirname, '..', 'hookseal.wasm'))), {
    nodeCrypto: require('node:crypto'),
    hmac,
  })
}

module.exports = { engine, backend }
