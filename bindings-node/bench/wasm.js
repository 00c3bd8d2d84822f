'use strict'
// The WebAssembly engine's budget rows (issue 11): the main tarball ≤ 200 KB, the .wasm ≤ 150 KB,
// and in Node the drop-in on the WebAssembly engine at least as fast as @hygraph/utils at 1 MiB
// and ≥ 2× at ~200 B. One process, interleaved rounds, medians: the same API twice, once over
// the native addon and once over the WebAssembly engine (a second copy of js/api.cjs loaded with
// HOOKSEAL_BACKEND=wasm), against @hygraph/utils and createHmac over the prebuilt envelope.
//   node bench/wasm.js [MAIN_TARBALL]      ROUNDS=n to change effort
const fs = require('node:fs')
const path = require('node:path')
const zlib = require('node:zlib')
const { createHmac } = require('node:crypto')
const ref = require('@hygraph/utils')
const { payload, measure, fmt } = require('./common.js')

const PKG = path.join(__dirname, '..')
const native = require('..')
// A second instance of the API, over the WebAssembly engine.
for (const m of ['js/api.cjs', 'js/engine-node.cjs']) delete require.cache[require.resolve(path.join(PKG, m))]
process.env.HOOKSEAL_BACKEND = 'wasm'
const wasm = require('../js/api.cjs')
delete process.env.HOOKSEAL_BACKEND
if (native.backend !== 'native' || wasm.backend !== 'wasm') throw new Error(`engines: ${native.backend} / ${wasm.backend}`)

const SECRET = 'bench-secret-0f3c9a7e'
const KB = 1000
const WARM_MS = 1500
const wasmBytes = fs.readFileSync(path.join(PKG, 'hookseal.wasm'))
const tarball = process.argv[2]

const out = []
out.push('| budget | measured | target | |')
out.push('|---|---:|---:|---|')
const row = (what, value, target, ok) => out.push(`| ${what} | ${value} | ${target} | ${ok ? 'met' : '**not met**'} |`)
row('`hookseal.wasm`', `${(wasmBytes.length / KB).toFixed(1)} KB (${(zlib.gzipSync(wasmBytes, { level: 9 }).length / KB).toFixed(1)} KB gzipped)`, '≤ 150 KB', wasmBytes.length <= 150 * KB)
if (tarball) {
  const size = fs.statSync(tarball).size
  row(`main npm tarball (\`${path.basename(tarball)}\`)`, `${(size / KB).toFixed(1)} KB`, '≤ 200 KB', size <= 200 * KB)
}

const results = []
for (const [label, size] of [['~200 B', 200], ['1 MiB', 1 << 20]]) {
  const raw = payload(size)
  const t = 1_700_000_000_000
  const signature = native.generateWebhookSignature({ rawPayload: raw, secret: SECRET, timestamp: t })
  const envelope = JSON.stringify({ Body: raw, EnvironmentName: 'master', TimeStamp: t })
  const mac = signature.slice(5, 49)
  const cases = {
    'drop-in, WebAssembly engine': () => wasm.verifyWebhookSignature({ rawPayload: raw, signature, secret: SECRET }),
    'drop-in, native engine': () => native.verifyWebhookSignature({ rawPayload: raw, signature, secret: SECRET }),
    '@hygraph/utils': () => ref.verifyWebhookSignature({ rawPayload: raw, signature, secret: SECRET }),
    'createHmac over the envelope': () => createHmac('sha256', SECRET).update(envelope).digest('base64') === mac,
  }
  // Steady state, as in a busy server: V8 first runs WebAssembly from its baseline compiler and
  // tiers hot functions up as they run, which takes thousands of calls at these sizes.
  for (const fn of Object.values(cases)) for (const t0 = Date.now(); Date.now() - t0 < WARM_MS; ) fn()
  const med = measure(cases)
  results.push({ label, bytes: Buffer.byteLength(raw), med })
}
const W = 'drop-in, WebAssembly engine'
const R = '@hygraph/utils'
for (const [r, target] of results.map((r, i) => [r, i === 0 ? 2 : 1])) {
  const speedup = r.med[R] / r.med[W]
  row(`drop-in on WebAssembly vs @hygraph/utils, ${r.label}`, `${speedup.toFixed(2)}× (${fmt(r.med[W])} vs ${fmt(r.med[R])})`, `≥ ${target}×`, speedup >= target)
}
out.push('')
out.push(`| string \`rawPayload\`, per verification | ${results.map((r) => `${r.label} (${r.bytes} B)`).join(' | ')} |`)
out.push(`|---|${results.map(() => '---:').join('|')}|`)
for (const n of Object.keys(results[0].med)) out.push(`| ${n} | ${results.map((r) => fmt(r.med[n])).join(' | ')} |`)
console.log(out.join('\n'))
