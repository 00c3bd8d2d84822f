'use strict'
// What the Node benches share: Hygraph-shaped payloads, batch timing, medians, formatting, and
// interleaved measurement of several cases (calibrated batches of about 4 ms, order rotated each
// round, medians per call).
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

/** Medians (ns per call) of `cases` (name → () => truthy), interleaved over ROUNDS rounds. */
function measure(cases) {
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
  return Object.fromEntries(names.map((n) => [n, median(samples[n])]))
}

module.exports = { ROUNDS, payload, timeBatch, median, fmt, measure }
