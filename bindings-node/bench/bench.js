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

const rows = []
for (const [label, size] of SIZES) {
  const raw = payload(size)
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
  rows.push({ label, bytes: buf.length, med })
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
out.push(`| @hygraph/utils ÷ drop-in Buffer | ${rows.map(ratio(R, 'hookseal drop-in (Buffer rawPayload)')).join(' | ')} |`)
out.push(`| @hygraph/utils ÷ drop-in parsed body | ${rows.map(ratio(R, 'hookseal drop-in (parsed body)')).join(' | ')} |`)
out.push(`| drop-in string ÷ createHmac (overhead; target ≤3× at 200 B, ≤1.5× at 1 MiB) | ${rows.map(ratio(S, H)).join(' | ')} |`)
out.push(`| strict verify ÷ createHmac | ${rows.map(ratio('hookseal strict verify (Buffer)', H)).join(' | ')} |`)
console.log(out.join('\n'))
