'use strict'
// Hasura auth webhook (issue 20): withHasuraAuth answering from its receiver-side cache (memory)
// against the same wrapper without a cache, whose resolve takes 5 ms (a token check and a
// database lookup). Each call builds a Fetch Request and reads the Response, as a server would.
// Returns a markdown table; `bench.js` prints it after its own.
const hs = require('..')

const sleep = (ms) => new Promise((r) => setTimeout(r, ms))
const SESSION = { role: 'user', userId: 42, orgId: 'acme' }

async function perCall(wrapped, n) {
  const times = []
  for (let i = 0; i < n; i++) {
    const request = new Request('http://localhost/auth', { headers: { authorization: 'Bearer bench-token', 'x-request-id': String(i) } })
    const t0 = process.hrtime.bigint()
    const r = await wrapped(request)
    await r.text()
    times.push(Number(process.hrtime.bigint() - t0))
    if (r.status !== 200) throw new Error(`auth bench: status ${r.status}`)
  }
  times.sort((a, b) => a - b)
  return { median: times[times.length >> 1], p99: times[Math.floor(times.length * 0.99)] }
}

async function hasuraAuthBench(fmt) {
  let calls = 0
  const slow = async () => {
    calls++
    await sleep(5)
    return { session: SESSION, maxAge: 60 }
  }
  const uncached = hs.withHasuraAuth(slow, { mode: 'v2' })
  const cached = hs.withHasuraAuth(slow, { mode: 'v2', cache: { store: 'memory' } })
  const instant = hs.withHasuraAuth(() => ({ session: SESSION, maxAge: 60 }), { mode: 'v2' })
  await perCall(cached, 50) // warm up (and fill the cache)
  await perCall(instant, 200)
  const before = calls
  const rows = [
    ['resolve takes 5 ms, no cache', await perCall(uncached, 200)],
    ['resolve takes 5 ms, cached answer (memory)', await perCall(cached, 20_000)],
    ['resolve answers at once, no cache (the wrapper alone)', await perCall(instant, 20_000)],
  ]
  const resolved = calls - before
  const out = []
  out.push('')
  out.push(`Hasura auth webhook (v2, Fetch handler, one request at a time; resolve ran ${resolved} times for ${200 + 20_000} requests to the two slow wrappers):`)
  out.push('')
  out.push('| case | median per request | p99 |')
  out.push('|---|---:|---:|')
  for (const [name, r] of rows) out.push(`| ${name} | ${fmt(r.median)} | ${fmt(r.p99)} |`)
  out.push(`| speed-up of the cached answer | ${(rows[0][1].median / rows[1][1].median).toFixed(0)}× | |`)
  return out.join('\n')
}

module.exports = { hasuraAuthBench }

if (require.main === module) {
  hasuraAuthBench(require('./common.js').fmt).then(console.log)
}
