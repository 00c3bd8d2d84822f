'use strict'
// Node bench (issue 7): hookseal vs @hygraph/utils vs Node's createHmac over the prebuilt
// envelope, interleaved in one process, at 200 B, 4 KiB, 64 KiB and 1 MiB Hygraph-shaped bodies.
// Prints a markdown table of medians (per verification) and ratios. `ROUNDS=n` to change effort.
const { createHmac } = require('node:crypto')
const os = require('node:os')
const ref = require('@hygraph/utils')
const hs = require('..')

const SECRET = 'bench-secret-0f3c9a7e'
const ROUNDS = Number(process.env.ROUNDS || 31)
const BATCH_NS = 4e6 // each timed batch lasts about 4 ms

/** A Hygraph-like payload of about `size` bytes: rich text with quotes, non-ASCII and \u003c. */
function payload(size) {
  const para = (i) =>
    `\\u003cp\\u003eThe \\"quick\\" brown fox n°${i} — jumps over the lazy dog: ` +
    `naïve café, Zürich, 東京, emoji 🚀 \\u0026 more\\u003c/p\\u003e`
  const base = {
    operation: 'update',
    data: {
      __typename: 'Post',
      id: 'clx9k2v0h000108l4f3a1b2c3',
      stage: 'DRAFT',
      title: 'Hello "world" — ünïcödé',
      updatedAt: '2026-11-22T23:59:00.000Z',
      content: { html: '', text: '' },
    },
  }
  let text = JSON.stringify(base)
  let html = ''
  let i = 0
  while (text.length + html.length * 2 < size) html += para(i++)
  // `html` holds JSON-escaped text already (as Hygraph's Go encoder writes it): splice it in raw.
  const raw = JSON.stringify(base).replace('"html":""', `"html":"${html}"`).replace('"text":""', `"text":"${html.replace(/\\u003c\/?p\\u003e/g, '')}"`)
  return raw.length > size ? raw.slice(0, 0) + shrink(raw, size) : raw
}
function shrink(raw, size) {
  // Trim whole paragraphs until the body fits (keeps it valid JSON).
  let s = raw
  while (Buffer.byteLength(s) > size && s.includes('\\u003cp\\u003e')) {
    const a = s.lastIndexOf('\\u003cp\\u003e')
    const b = s.indexOf('\\u003c/p\\u003e', a) + '\\u003c/p\\u003e'.length
    s = s.slice(0, a) + s.slice(b)
  }
  return s
}

const SIZES = [
  ['200 B', 200],
  ['4 KiB', 4096],
  ['64 KiB', 65536],
  ['1 MiB', 1 << 20],
]
// Every size of the rich-text shape; the ends of the ASCII-only and few-escapes shapes (the same
// shapes as the Rust and Python benches).
const CASES = [
  ...SIZES.map(([label, size]) => ['rich text', label, size]),
  ...['ASCII only', 'few escapes'].flatMap((shape) => [SIZES[0], SIZES[3]].map(([label, size]) => [shape, label, size])),
]
const ASCII_ITEM = (i) =>
  `{"__typename":"Post","id":"ckx${String(i).padStart(8, '0')}","title":"Hello from Cologne, item ${i}","slug":"post-${i}",` +
  `"content":{"html":"<p>Lorem ipsum dolor sit amet, <strong>consectetur</strong> adipiscing elit</p>",` +
  `"text":"Lorem ipsum dolor sit amet consectetur"},"published":true,"rank":${i}.5}`
const SPARSE_ITEM = (i) =>
  `{"id":"ckx${String(i).padStart(8, '0')}","text":"Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor ` +
  'incididunt ut labore et dolore magna aliqua. Ut enim ad minim veniam, quis nostrud exercitation ullamco ' +
  'laboris nisi ut aliquip ex ea commodo consequat. Duis aute irure dolor in reprehenderit in voluptate velit ' +
  'esse cillum dolore eu fugiat nulla pariatur. Excepteur sint occaecat cupidatat non proident, sunt in culpa ' +
  'qui officia deserunt mollit anim id est laborum."}'

/** A body of `shape` of about `size` bytes. */
function shaped(shape, size) {
  if (shape === 'rich text') return payload(size)
  const item = shape === 'ASCII only' ? ASCII_ITEM : SPARSE_ITEM
  const head = '{"operation":"update","data":{"items":['
  const items = []
  let n = head.length + 3
  for (let i = 0; ; i++) {
    const next = item(i)
    if (items.length && n + next.length + 1 > size) break
    items.push(next)
    n += next.length + 1
  }
  let body = head + items.join(',') + ']}}'
  if (body.length > size) {
    // One item too long for a short body: trim its text, keeping the JSON valid.
    const at = body.indexOf('Lorem ipsum')
    body = body.slice(0, at) + body.slice(at + body.length - size)
  }
  return body
}

function timeBatch(fn, iters) {
  const t0 = process.hrtime.bigint()
  for (let i = 0; i < iters; i++) {
    if (!fn()) throw new Error('verification failed in the bench')
  }
  return Number(process.hrtime.bigint() - t0) / iters
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b)
  return s[s.length >> 1]
}

function fmt(ns) {
  if (ns >= 1e6) return `${(ns / 1e6).toFixed(2)} ms`
  if (ns >= 1e3) return `${(ns / 1e3).toFixed(2)} µs`
  return `${ns.toFixed(0)} ns`
}

const rows = []
for (const [shape, label, size] of CASES) {
  const raw = shaped(shape, size)
  JSON.parse(raw) // valid JSON
  const buf = Buffer.from(raw)
  const body = JSON.parse(raw)
  const t = 1_700_000_000_000
  const signature = hs.generateWebhookSignature({ rawPayload: raw, secret: SECRET, timestamp: t })
  const bodySignature = hs.generateWebhookSignature({ body, secret: SECRET, timestamp: t })
  const envelope = JSON.stringify({ Body: raw, EnvironmentName: 'master', TimeStamp: t })
  const mac = signature.slice(5, 49)
  const cases = {
    'hookseal drop-in (string rawPayload)': () => hs.verifyWebhookSignature({ rawPayload: raw, signature, secret: SECRET }),
    'hookseal drop-in (Buffer rawPayload)': () => hs.verifyWebhookSignature({ rawPayload: buf, signature, secret: SECRET }),
    'hookseal drop-in (parsed body)': () => hs.verifyWebhookSignature({ body, signature: bodySignature, secret: SECRET }),
    'hookseal strict verify (Buffer)': () => hs.verify(buf, signature, { secret: SECRET, tolerance: null }).secretIndex === 0,
    '@hygraph/utils (string rawPayload)': () => ref.verifyWebhookSignature({ rawPayload: raw, signature, secret: SECRET }),
    'createHmac over the envelope string': () => createHmac('sha256', SECRET).update(envelope).digest('base64') === mac,
  }
  const names = Object.keys(cases)
  const iters = {}
  for (const n of names) {
    // warm up and calibrate
    let k = 1
    for (;;) {
      const ns = timeBatch(cases[n], k) * k
      if (ns > BATCH_NS / 4 || k > 1e6) break
      k *= 2
    }
    iters[n] = Math.max(1, Math.round((k * BATCH_NS) / Math.max(1, timeBatch(cases[n], k) * k)))
  }
  const samples = Object.fromEntries(names.map((n) => [n, []]))
  for (let r = 0; r < ROUNDS; r++) {
    // interleaved, rotating the order each round
    for (let j = 0; j < names.length; j++) {
      const n = names[(j + r) % names.length]
      samples[n].push(timeBatch(cases[n], iters[n]))
    }
  }
  const med = Object.fromEntries(names.map((n) => [n, median(samples[n])]))
  rows.push({ label: `${shape}, ${label}`, bytes: buf.length, med })
}

const names = Object.keys(rows[0].med)
const out = []
out.push(`Node ${process.version}, ${os.cpus()[0]?.model ?? 'cpu'} (${os.cpus().length} cores), ${new Date().toISOString().slice(0, 10)}; medians of ${ROUNDS} interleaved rounds per verification.`)
out.push('')
out.push(`| case | ${rows.map((r) => `${r.label} (${r.bytes} B)`).join(' | ')} |`)
out.push(`|---|${rows.map(() => '---:').join('|')}|`)
for (const n of names) out.push(`| ${n} | ${rows.map((r) => fmt(r.med[n])).join(' | ')} |`)
out.push('')
out.push(`| ratio | ${rows.map((r) => r.label).join(' | ')} |`)
out.push(`|---|${rows.map(() => '---:').join('|')}|`)
const ratio = (a, b) => (r) => `${(r.med[a] / r.med[b]).toFixed(2)}×`
const S = 'hookseal drop-in (string rawPayload)'
const R = '@hygraph/utils (string rawPayload)'
const H = 'createHmac over the envelope string'
out.push(`| @hygraph/utils ÷ drop-in string (speed-up; target ≥4× at 200 B, ≥6× at 1 MiB) | ${rows.map(ratio(R, S)).join(' | ')} |`)
out.push(`| @hygraph/utils ÷ drop-in Buffer (target ≥6× at 1 MiB) | ${rows.map(ratio(R, 'hookseal drop-in (Buffer rawPayload)')).join(' | ')} |`)
out.push(`| @hygraph/utils ÷ drop-in parsed body | ${rows.map(ratio(R, 'hookseal drop-in (parsed body)')).join(' | ')} |`)
out.push(`| drop-in string ÷ createHmac (overhead; target ≤3× at 200 B, ≤1.5× at 1 MiB) | ${rows.map(ratio(S, H)).join(' | ')} |`)
out.push(`| strict verify ÷ createHmac | ${rows.map(ratio('hookseal strict verify (Buffer)', H)).join(' | ')} |`)
console.log(out.join('\n'))
