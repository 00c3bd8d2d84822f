'use strict'
// One Node webhook server for the fault tests (tests/faults/run.py starts several).
//
//   node worker.js ioredis|node-redis PORT REDIS_URL
//
// A node:http server behind hookseal's withHygraphSignature (MODE=hygraph, the default) or
// withHasuraEvent (MODE=hasura: Hasura Event Trigger deliveries, header X-Event-Secret,
// Retry-After 1) with a Redis replay guard over the given client (with its default settings). The handler records every run in an in-memory side
// table: `start` when it is called, then `fail` (it throws or answers 500, at random, at
// fail_rate) or `done`. GET /log returns the table; POST /config sets fail_rate and hold_ms.
// Environment: HOOKSEAL_SECRET, WORKER_NAME, PROCESSING_TTL_MS (the guard's claim lifetime), MODE.
const http = require('node:http')
const path = require('node:path')
const { createRequire } = require('node:module')

const pkg = path.join(__dirname, '..', '..', 'bindings-node')
const requireDev = createRequire(path.join(pkg, 'package.json')) // the dev clients live there
const hs = require(pkg)

const [kind, port, redisUrl] = process.argv.slice(2)
const name = process.env.WORKER_NAME || `${kind}-${port}`
const processingTtlMs = Number(process.env.PROCESSING_TTL_MS || 300_000)
const mode = process.env.MODE || 'hygraph'
// The outlived-claim scenario makes hookseal warn on purpose; run.py checks the answers instead.
console.warn = () => {}
// The Hasura wrapper logs each injected failure it answers 500 handler_failed: expected here.
console.error = () => {}

let client
if (kind === 'ioredis') {
  const Redis = requireDev('ioredis')
  client = new Redis(redisUrl)
  client.on('error', () => {}) // a stopped Redis is part of the test; the guard answers 503
} else {
  client = requireDev('redis').createClient({ url: redisUrl })
  client.on('error', () => {})
  client.connect().catch(() => {})
}

const events = [] // [delivery id, 'start' | 'fail' | 'done', wall-clock ms, worker]
const config = { fail_rate: 0, hold_ms: 0 }
const record = (id, what) => events.push([id, what, performance.timeOrigin + performance.now(), name])

async function run(id, res) {
  record(id, 'start')
  if (config.hold_ms) await new Promise((r) => setTimeout(r, config.hold_ms))
  if (Math.random() < config.fail_rate) {
    record(id, 'fail')
    if (Math.random() < 0.5) throw new Error('injected failure')
    res.statusCode = 500
    return res.end('{"error":"injected"}')
  }
  record(id, 'done')
  res.setHeader('content-type', 'application/json')
  res.end(JSON.stringify({ processed: id }))
}

const replay = hs.createRedisReplayGuard(client, { processingTtlMs })
const secret = process.env.HOOKSEAL_SECRET
const hook =
  mode === 'hasura'
    ? // A throw is answered 500 handler_failed by the wrapper itself (and the claim released).
      hs.withHasuraEvent((req, res) => run(req.hasura.id, res), { header: 'X-Event-Secret', secret, replay, retryAfter: 1 })
    : hs.withHygraphSignature((req, res) => run(req.body.id, res), { secret, replay })

function readJson(req) {
  return new Promise((resolve) => {
    let text = ''
    req.setEncoding('utf8')
    req.on('data', (c) => (text += c))
    req.on('end', () => resolve(text ? JSON.parse(text) : {}))
  })
}

const server = http.createServer(async (req, res) => {
  if (req.url === '/log') {
    res.setHeader('content-type', 'application/json')
    return res.end(JSON.stringify(events))
  }
  if (req.url === '/config') {
    Object.assign(config, await readJson(req))
    return res.end('{"ok":true}')
  }
  try {
    await hook(req, res)
  } catch {
    // The injected throw: answered 500 here, as a platform would; the wrapper has released.
    if (!res.headersSent) {
      res.statusCode = 500
      res.end('{"error":"handler threw"}')
    }
  }
})
server.keepAliveTimeout = 60_000
server.listen(Number(port), '127.0.0.1')
