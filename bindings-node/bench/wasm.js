'use strict'
// The WebAssembly engine's rows (issues 11 and 23), in one process, interleaved rounds, medians:
// - budgets: the main tarball ≤ 200 KB, the .wasm ≤ 150 KB;
// - the drop-in on the WebAssembly engine (as on macOS, Windows, arm64 Alpine) vs @hygraph/utils,
//   with its HMAC in node:crypto (what Node gets) and in WebAssembly (HOOKSEAL_HMAC=wasm), and the
//   native engine for reference: targets ≥ 1.5× at ~200 B, ≥ 2× at 1 MiB;
// - the Fetch wrapper on the WebAssembly engine with Web Crypto's HMAC (as on Edge and Workers) vs
//   a hand-written Web Crypto verify of the same request: target ≤ 1.0× its time.
// Copies of js/api.cjs are loaded per engine and HMAC (HOOKSEAL_BACKEND, HOOKSEAL_HMAC).
//   node bench/wasm.js [MAIN_TARBALL]      ROUNDS=n to change effort, SIZES=200 for one size
const fs = require('node:fs')
const path = require('node:path')
const zlib = require('node:zlib')
const ref = require('@hygraph/utils')
const { payload, measure, fmt, median, ROUNDS } = require('./common.js')

const PKG = path.join(__dirname, '..')
const JS = path.join(PKG, 'js')

/** A fresh copy of the API over `backend` with HMAC route `hmac` (undefined: the default). */
function api(backend, hmac) {
  for (const k of Object.keys(require.cache)) if (k.startsWith(JS + path.sep)) delete require.cache[k]
  process.env.HOOKSEAL_BACKEND = backend
  if (hmac) process.env.HOOKSEAL_HMAC = hmac
  else delete process.env.HOOKSEAL_HMAC
  const a = require('../js/api.cjs')
  delete process.env.HOOKSEAL_BACKEND
  delete process.env.HOOKSEAL_HMAC
  if (a.backend !== backend) throw new Error(`engine: ${a.backend}, wanted ${backend}`)
  return a
}
const native = api('native')
const wasmHost = api('wasm')
const wasmOwn = api('wasm', 'wasm')
const wasmWeb = api('wasm', 'webcrypto')
if (wasmHost.hmac.sync !== 'node:crypto' || wasmOwn.hmac.sync !== 'wasm' || wasmWeb.hmac.async !== 'webcrypto') {
  throw new Error('HMAC routes: ' + JSON.stringify([wasmHost.hmac, wasmOwn.hmac, wasmWeb.hmac]))
}

const SECRET = 'bench-secret-0f3c9a7e'
const KB = 1000
const WARM_MS = Number(process.env.WARM_MS || 1500)
const wasmBytes = fs.readFileSync(path.join(PKG, 'hookseal.wasm'))
const tarball = process.argv[2]
const SIZES = (process.env.SIZES || '200,1048576').split(',').map(Number)
const label = (size) => (size < 1000 ? '~200 B' : '1 MiB')

const budgets = []
const row = (what, value, target, ok) => budgets.push(`| ${what} | ${value} | ${target} | ${ok ? 'met' : '**not met**'} |`)
row('`hookseal.wasm`', `${(wasmBytes.length / KB).toFixed(1)} KB (${(zlib.gzipSync(wasmBytes, { level: 9 }).length / KB).toFixed(1)} KB gzipped)`, '≤ 150 KB', wasmBytes.length <= 150 * KB)
if (tarball) {
  const size = fs.statSync(tarball).size
  row(`main npm tarball (\`${path.basename(tarball)}\`)`, `${(size / KB).toFixed(1)} KB`, '≤ 200 KB', size <= 200 * KB)
}

const warm = (cases) => {
  for (const fn of Object.values(cases)) for (const t0 = Date.now(); Date.now() - t0 < WARM_MS; ) fn()
}

// ---- drop-in
const DROP = {
  W: 'drop-in, WebAssembly engine, `hmac.sync` node:crypto (under 1 KiB the core\'s HMAC)',
  O: 'drop-in, WebAssembly engine, its own HMAC (HOOKSEAL_HMAC=wasm)',
  N: 'drop-in, native engine',
  R: '@hygraph/utils',
}
const drop = []
for (const size of SIZES) {
  const raw = payload(size)
  const signature = native.generateWebhookSignature({ rawPayload: raw, secret: SECRET, timestamp: 1_700_000_000_000 })
  const cases = {
    [DROP.W]: () => wasmHost.verifyWebhookSignature({ rawPayload: raw, signature, secret: SECRET }),
    [DROP.O]: () => wasmOwn.verifyWebhookSignature({ rawPayload: raw, signature, secret: SECRET }),
    [DROP.N]: () => native.verifyWebhookSignature({ rawPayload: raw, signature, secret: SECRET }),
    [DROP.R]: () => ref.verifyWebhookSignature({ rawPayload: raw, signature, secret: SECRET }),
  }
  // Steady state, as in a busy server: V8 runs WebAssembly from its baseline compiler first.
  warm(cases)
  drop.push({ size, bytes: Buffer.byteLength(raw), med: measure(cases) })
}
for (const r of drop) {
  const target = r.size < 1000 ? 1.5 : 2
  const x = r.med[DROP.R] / r.med[DROP.W]
  row(`drop-in on WebAssembly (node:crypto HMAC) vs @hygraph/utils, ${label(r.size)}`, `${x.toFixed(2)}× faster (${fmt(r.med[DROP.W])} vs ${fmt(r.med[DROP.R])})`, `≥ ${target}×`, x >= target)
}

// ---- Fetch wrapper vs a hand-written Web Crypto verify (async: awaited one after another)
const subtle = globalThis.crypto.subtle
const enc = new TextEncoder()
const keyPromise = subtle.importKey('raw', enc.encode(SECRET), { name: 'HMAC', hash: 'SHA-256' }, false, ['verify'])

/** What a user writes with Web Crypto alone (the reference's envelope, subtle.verify). */
async function handWritten(request, key) {
  const raw = await request.text()
  const header = request.headers.get('gcms-signature') || ''
  const [sign, env, t] = header.split(', ').map((p) => p.slice(p.indexOf('=') + 1))
  const envelope = JSON.stringify({ Body: raw, EnvironmentName: env, TimeStamp: Number(t) })
  let mac
  try {
    mac = Uint8Array.from(atob(sign), (c) => c.charCodeAt(0))
  } catch {
    return new Response('bad signature', { status: 401 })
  }
  const ok = await subtle.verify('HMAC', key, mac, enc.encode(envelope))
  return ok ? new Response('ok') : new Response('bad signature', { status: 401 })
}

async function timeAsync(fn, iters) {
  const t0 = process.hrtime.bigint()
  for (let i = 0; i < iters; i++) {
    const r = await fn()
    if (r.status !== 200) throw new Error(`verification failed in the bench: ${r.status}`)
  }
  return Number(process.hrtime.bigint() - t0) / iters
}

async function measureAsync(cases) {
  const names = Object.keys(cases)
  const iters = {}
  for (const n of names) {
    let k = 1
    while ((await timeAsync(cases[n], k)) * k < 1e6 && k < 1e5) k *= 2
    iters[n] = k * 4
  }
  for (const n of names) for (const t0 = Date.now(); Date.now() - t0 < WARM_MS; ) await timeAsync(cases[n], 8)
  const samples = Object.fromEntries(names.map((n) => [n, []]))
  for (let r = 0; r < ROUNDS; r++) {
    for (let j = 0; j < names.length; j++) {
      const n = names[(j + r) % names.length]
      samples[n].push(await timeAsync(cases[n], iters[n]))
    }
  }
  return Object.fromEntries(names.map((n) => [n, median(samples[n])]))
}

const FETCH = {
  W: 'Fetch wrapper, WebAssembly engine, `hmac.async` webcrypto (as on Edge, Workers; under 1 KiB the core\'s HMAC)',
  H: 'Fetch wrapper, WebAssembly engine, `hmac.async` node:crypto (Node; under 1 KiB the core\'s HMAC)',
  N: 'Fetch wrapper, native engine',
  U: 'hand-written Web Crypto verify',
}

async function fetchRows() {
  const key = await keyPromise
  const ok = async () => new Response('ok')
  const wrapped = {
    [FETCH.W]: wasmWeb.withHygraphSignature(ok, { secret: SECRET, tolerance: null }),
    [FETCH.H]: wasmHost.withHygraphSignature(ok, { secret: SECRET, tolerance: null }),
    [FETCH.N]: native.withHygraphSignature(ok, { secret: SECRET, tolerance: null }),
  }
  const rows = []
  for (const size of SIZES) {
    const raw = payload(size)
    const header = native.sign(raw, { secret: SECRET, timestamp: 1_700_000_000_000 })
    const request = () => new Request('http://bench/', { method: 'POST', body: raw, headers: { 'gcms-signature': header } })
    const cases = Object.fromEntries(Object.entries(wrapped).map(([n, h]) => [n, () => h(request())]))
    cases[FETCH.U] = () => handWritten(request(), key)
    rows.push({ size, med: await measureAsync(cases) })
  }
  return rows
}

fetchRows().then((fetch) => {
  for (const r of fetch) {
    const x = r.med[FETCH.W] / r.med[FETCH.U]
    row(`Fetch wrapper on WebAssembly (Web Crypto HMAC) vs hand-written Web Crypto, ${label(r.size)}`, `${x.toFixed(2)}× its time (${fmt(r.med[FETCH.W])} vs ${fmt(r.med[FETCH.U])})`, '≤ 1.0×', x <= 1.0)
  }
  const out = ['| budget | measured | target | |', '|---|---:|---:|---|', ...budgets, '']
  out.push(`| drop-in, string \`rawPayload\`, per verification | ${drop.map((r) => `${label(r.size)} (${r.bytes} B)`).join(' | ')} |`)
  out.push(`|---|${drop.map(() => '---:').join('|')}|`)
  for (const n of Object.values(DROP)) out.push(`| ${n} | ${drop.map((r) => fmt(r.med[n])).join(' | ')} |`)
  out.push('')
  out.push(`| Fetch \`Request\` → \`Response\`, per request (Node ${process.version}) | ${fetch.map((r) => label(r.size)).join(' | ')} |`)
  out.push(`|---|${fetch.map(() => '---:').join('|')}|`)
  for (const n of Object.values(FETCH)) out.push(`| ${n} | ${fetch.map((r) => fmt(r.med[n])).join(' | ')} |`)
  console.log(out.join('\n'))
})
