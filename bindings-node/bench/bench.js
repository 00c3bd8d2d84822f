'use strict'
// Node bench (issue 7): hookseal vs @hygraph/utils vs Node's createHmac over the prebuilt
// envelope, interleaved in one process, at 200 B, 4 KiB, 64 KiB and 1 MiB Hygraph-shaped bodies.
// Prints a markdown table of medians (per verification) and ratios. `ROUNDS=n` to change effort.
const { createHmac } = require('node:crypto')
const os = require('node:os')
const ref = require('@hygraph/utils')
const hs = require('..')

const SECRET = 'bench-secret-0f3c9a7e'
const { ROUNDS, payload, measure, fmt } = require('./common.js')

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
  const med = measure(cases)
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

// The Hasura auth webhook's receiver-side cache (bench/hasura-auth.js), after the table above.
require('./hasura-auth.js')
  .hasuraAuthBench(fmt)
  .then((table) => console.log(table))
