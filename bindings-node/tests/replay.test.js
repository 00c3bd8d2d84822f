'use strict'
// Replay protection (contract §5): memory guard and Redis guard (ioredis and node-redis) against
// a real redis-server, through the wrappers on a real HTTP server.
const test = require('node:test')
const assert = require('node:assert/strict')
const http = require('node:http')
const net = require('node:net')
const os = require('node:os')
const fs = require('node:fs')
const path = require('node:path')
const { spawn } = require('node:child_process')
const Redis = require('ioredis')
const { createClient } = require('redis')
const hs = require('..')
const { loadVectors, requireRedisUrl, runReplaySteps, guardOp } = require('./helpers')

const SECRET = 'replay-test-secret'
const REDIS_URL = requireRedisUrl()
let seq = 0

function delivery(body = JSON.stringify({ n: ++seq, at: process.hrtime.bigint().toString() })) {
  return { body, sig: hs.sign(body, { secret: SECRET }) }
}

function listen(handler) {
  return new Promise((resolve) => {
    const server = http.createServer(handler)
    server.keepAliveTimeout = 60_000
    server.listen(0, '127.0.0.1', () => resolve(server))
  })
}

const agent = new http.Agent({ keepAlive: true, maxSockets: 64 })
function send(server, d) {
  const { port } = server.address()
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: '127.0.0.1', port, path: '/', method: 'POST', agent, headers: { 'gcms-signature': d.sig, 'content-type': 'application/json' } },
      (res) => {
        let text = ''
        res.setEncoding('utf8')
        res.on('data', (c) => (text += c))
        res.on('end', () => resolve({ status: res.statusCode, text }))
      },
    )
    req.on('error', reject)
    req.end(d.body)
  })
}

/** A server whose handler behaviour per body is scripted: 'ok' | 'throw' | '500' | a promise. */
async function scriptedServer(t, replay) {
  const calls = new Map()
  const script = new Map()
  const handler = hs.withHygraphSignature(
    async (req, res) => {
      const key = req.rawBody.toString()
      calls.set(key, (calls.get(key) || 0) + 1)
      const s = script.get(key)
      // A promise holds the handler until it resolves (to a mode, or to nothing: 'ok').
      const m = s && typeof s.then === 'function' ? await s : s
      const mode = typeof m === 'string' ? m : Array.isArray(m) ? m.shift() ?? 'ok' : 'ok'
      if (mode === 'throw') throw new Error('handler failed')
      if (mode === '500') {
        res.statusCode = 500
        return res.end('{"error":true}')
      }
      res.setHeader('content-type', 'application/json')
      res.end('{"processed":true}')
    },
    { secret: SECRET, replay },
  )
  const server = await listen((req, res) => {
    handler(req, res).catch(() => {
      if (!res.headersSent) {
        res.statusCode = 500
        res.end('{"error":"handler threw"}')
      }
    })
  })
  t.after(() => server.close())
  return { server, calls, script }
}

async function retryScenarios(t, guard) {
  const { server, calls, script } = await scriptedServer(t, guard)

  // First delivery fails (throws) → retry processed → third copy acknowledged as duplicate.
  const d = delivery()
  script.set(d.body, ['throw'])
  assert.equal((await send(server, d)).status, 500)
  const retry = await send(server, d)
  assert.equal(retry.status, 200)
  assert.equal(retry.text, '{"processed":true}')
  const third = await send(server, d)
  assert.equal(third.status, 200)
  assert.deepEqual(JSON.parse(third.text), { duplicate: true })
  assert.equal(calls.get(d.body), 2)

  // A 5xx answer releases too.
  const d5 = delivery()
  script.set(d5.body, ['500'])
  assert.equal((await send(server, d5)).status, 500)
  assert.equal((await send(server, d5)).status, 200)
  assert.deepEqual(JSON.parse((await send(server, d5)).text), { duplicate: true })
  assert.equal(calls.get(d5.body), 2)

  // Two concurrent copies: one processed, one 409 while it runs.
  const dc = delivery()
  let release
  script.set(dc.body, new Promise((r) => (release = r)))
  const first = send(server, dc)
  await new Promise((r) => setTimeout(r, 100))
  const second = await send(server, dc)
  assert.equal(second.status, 409)
  assert.equal(JSON.parse(second.text).extensions.code, 'replayed')
  release()
  assert.equal((await first).status, 200)
  assert.equal(calls.get(dc.body), 1)
  assert.deepEqual(JSON.parse((await send(server, dc)).text), { duplicate: true })

  // A forged copy never reaches the guard.
  const forged = { body: dc.body + ' ', sig: dc.sig }
  assert.equal((await send(server, forged)).status, 401)
}

test('memory guard: retry-safe states through the wrapper', async (t) => {
  await retryScenarios(t, hs.createMemoryReplayGuard())
})

test('memory guard: evicts the oldest entry at maxEntries', async () => {
  const g = hs.createMemoryReplayGuard({ maxEntries: 3 })
  const t = { token: 't' }
  for (const k of ['a', 'b', 'c']) {
    assert.equal(await g.claim(k, t), 'new')
    assert.equal(await g.complete(k, { ...t, doneTtlMs: 60_000 }), true)
  }
  assert.equal(g.size, 3)
  assert.equal(await g.claim('b', t), 'done')
  assert.equal(await g.claim('d', t), 'new') // evicts a
  assert.equal(g.size, 3)
  assert.equal(await g.claim('a', t), 'new') // a was forgotten; evicts b
  assert.equal(await g.claim('c', t), 'done')
  assert.equal(await g.claim('d', t), 'in_progress')
  assert.equal(await g.release('d', t), true)
  assert.equal(await g.claim('d', t), 'new')
})

test('memory guard: the token rule, and a call without a token is a TypeError', async () => {
  const g = hs.createMemoryReplayGuard()
  assert.equal(await g.claim('k', { token: 'one' }), 'new')
  assert.equal(await g.release('k', { token: 'two' }), false, "another holder's release leaves the claim")
  assert.equal(await g.claim('k', { token: 'three' }), 'in_progress')
  assert.equal(await g.release('k', { token: 'one' }), true)
  await assert.rejects(g.claim('k'), { name: 'TypeError', message: /needs \{ token \}/ })
  await assert.rejects(g.release('k', { token: '' }), TypeError)
  assert.throws(() => hs.createMemoryReplayGuard({ processingTtlMs: 0 }), RangeError)
  assert.equal(g.processingTtlMs, 300_000)
  assert.match(hs.newClaimToken(), /^[0-9a-f-]{32,36}$/)
  assert.notEqual(hs.newClaimToken(), hs.newClaimToken())
})

test('a guard written before tokens keeps working (it gets { token } and may ignore it)', async (t) => {
  const values = new Map()
  const preToken = {
    kind: 'mine',
    processingTtlMs: 60_000,
    async claim(key) {
      if (values.has(key)) return values.get(key) === 'done' ? 'done' : 'in_progress'
      values.set(key, 'processing')
      return 'new'
    },
    async complete(key) {
      values.set(key, 'done')
    },
    async release(key) {
      if (values.get(key) === 'processing') values.delete(key)
    },
  }
  await retryScenarios(t, preToken)
})

test('a handler that outlives its claim: the second claim survives the first failure; console.warn says so', async (t) => {
  const guard = hs.createMemoryReplayGuard({ processingTtlMs: 300 })
  const warnings = []
  t.mock.method(console, 'warn', (m) => warnings.push(m))
  const { server, calls, script } = await scriptedServer(t, guard)
  const sleep = (ms) => new Promise((r) => setTimeout(r, ms))
  const d = delivery()
  let finishFirst, finishSecond
  script.set(d.body, new Promise((r) => (finishFirst = r)))
  const first = send(server, d) // claims at 0 ms; its claim lapses at 300 ms
  await sleep(400)
  script.set(d.body, new Promise((r) => (finishSecond = r)))
  const second = send(server, d) // a new claim at 400 ms (until 700 ms)
  await sleep(30)
  finishFirst('throw') // the first handler fails: its release finds no claim of its own
  assert.equal((await first).status, 500)
  const third = await send(server, d)
  assert.equal(third.status, 409, 'the second instance still holds its claim')
  await sleep(Math.max(0, 750 - 430 - 20))
  finishSecond('ok') // after its own claim lapsed: done anyway, and a warning
  assert.equal((await second).status, 200)
  assert.deepEqual(JSON.parse((await send(server, d)).text), { duplicate: true })
  assert.equal(calls.get(d.body), 2)
  assert.ok(warnings.some((w) => /outlived processingTtlMs \(300 ms\)/.test(w)), warnings.join('\n'))
})

function ioredis(url = REDIS_URL) {
  return new Redis(url, { maxRetriesPerRequest: 0, enableOfflineQueue: false, lazyConnect: false, retryStrategy: () => null })
}

async function nodeRedis(url = REDIS_URL) {
  const c = createClient({ url, disableOfflineQueue: true, socket: { reconnectStrategy: false } })
  c.on('error', () => {})
  await c.connect()
  return c
}

async function ready(client) {
  if (client.status && client.status !== 'ready') await new Promise((r) => client.once('ready', r))
}

/** An ioredis and a node-redis client on the test's Redis, closed after the test. */
async function bothClients(t) {
  const c1 = ioredis()
  const c2 = await nodeRedis()
  t.after(() => {
    c1.disconnect()
    return c2.quit().catch(() => {})
  })
  await ready(c1)
  return [c1, c2]
}

test('Redis guard (ioredis): retry-safe states, keys under hookseal:replay:', async (t) => {
  const client = ioredis()
  t.after(() => client.disconnect())
  await ready(client)
  const guard = hs.createRedisReplayGuard(client)
  await retryScenarios(t, guard)
  const keys = await client.keys('hookseal:replay:*')
  assert.ok(keys.length >= 3)
  for (const k of keys) assert.match(k, /^hookseal:replay:[0-9a-f]{64}$/)
  const ttl = await client.pttl(keys[0])
  assert.ok(ttl > 0 && ttl <= 600_000, `done TTL ${ttl}`)
})

test('Redis guard (node-redis): retry-safe states', async (t) => {
  const client = await nodeRedis()
  t.after(() => client.quit().catch(() => {}))
  await retryScenarios(t, hs.createRedisReplayGuard(client, { prefix: 'hookseal:replay:nr:' }))
  assert.ok((await client.keys('hookseal:replay:nr:*')).length >= 3)
})

test('Redis guard: a claim stores processing:<token>; release never deletes a done entry or another claim', async (t) => {
  const client = ioredis()
  t.after(() => client.disconnect())
  await ready(client)
  const g = hs.createRedisReplayGuard(client, { prefix: 'hookseal:test:cad:', processingTtlMs: 5000 })
  assert.equal(await g.claim('k', { token: 'a' }), 'new')
  assert.equal(await client.get('hookseal:test:cad:k'), 'processing:a')
  const pttl = await client.pttl('hookseal:test:cad:k')
  assert.ok(pttl > 0 && pttl <= 5000, `claim TTL ${pttl}`)
  assert.equal(await g.release('k', { token: 'b' }), false)
  assert.equal(await g.claim('k', { token: 'b' }), 'in_progress')
  assert.equal(await g.complete('k', { token: 'a', doneTtlMs: 10_000 }), true)
  assert.equal(await g.release('k', { token: 'a' }), false)
  assert.equal(await g.claim('k', { token: 'c' }), 'done')
  assert.equal(await client.get('hookseal:test:cad:k'), 'done')
  await assert.rejects(g.claim('x', {}), TypeError)
})

test("replay.json: the scenarios without a clock through the Redis guard (the core's scripts), ioredis and node-redis", async (t) => {
  const [c1, c2] = await bothClients(t)
  const file = loadVectors('replay.json')
  for (const [name, client] of [['ioredis', c1], ['node-redis', c2]]) {
    for (const c of file.cases.filter((x) => !x.clock)) {
      const prefix = `hookseal:test:vectors:${name}:${c.name}:`
      await runReplaySteps(c, guardOp(hs.createRedisReplayGuard(client, { prefix })))
    }
  }
})

test('two wrapper instances with separate clients on one Redis: processed once', async (t) => {
  const [c1, c2] = await bothClients(t)
  const a = await scriptedServer(t, hs.createRedisReplayGuard(c1))
  const b = await scriptedServer(t, hs.createRedisReplayGuard(c2))
  const ds = Array.from({ length: 20 }, () => delivery())
  const results = await Promise.all(ds.flatMap((d) => [send(a.server, d), send(b.server, d)]))
  for (const d of ds) {
    const n = (a.calls.get(d.body) || 0) + (b.calls.get(d.body) || 0)
    assert.equal(n, 1, 'each delivery processed by exactly one instance')
  }
  for (const r of results) assert.ok([200, 409].includes(r.status))
})

function freePort() {
  return new Promise((resolve) => {
    const s = net.createServer()
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address()
      s.close(() => resolve(port))
    })
  })
}

test('Redis stopped mid-test: 503, nothing processed unguarded', async (t) => {
  const port = await freePort()
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hookseal-redis-'))
  const proc = spawn('redis-server', ['--bind', '127.0.0.1', '--port', String(port), '--save', '', '--appendonly', 'no', '--dir', dir], {
    stdio: 'ignore',
  })
  t.after(() => {
    if (proc.exitCode === null) proc.kill('SIGKILL')
    fs.rmSync(dir, { recursive: true, force: true })
  })
  const url = `redis://127.0.0.1:${port}`
  let client
  for (let i = 0; i < 50; i++) {
    try {
      client = ioredis(url)
      await new Promise((res, rej) => {
        client.once('ready', res)
        client.once('error', rej)
      })
      break
    } catch {
      client.disconnect()
      client = undefined
      await new Promise((r) => setTimeout(r, 100))
    }
  }
  assert.ok(client, 'second redis-server did not start')
  client.on('error', () => {})
  t.after(() => client.disconnect())
  const { server, calls } = await scriptedServer(t, hs.createRedisReplayGuard(client, { timeoutMs: 1000 }))
  const d1 = delivery()
  assert.equal((await send(server, d1)).status, 200)

  proc.kill('SIGTERM')
  await new Promise((r) => proc.once('exit', r))
  const d2 = delivery()
  const r = await send(server, d2)
  assert.equal(r.status, 503)
  assert.equal(JSON.parse(r.text).extensions.code, 'replay_store_unavailable')
  assert.equal(calls.get(d2.body), undefined, 'handler must not run without the guard')
  // A copy of the accepted delivery is not processed again either.
  assert.equal((await send(server, d1)).status, 503)
  assert.equal(calls.get(d1.body), 1)
})

test('load: 10 000 deliveries from 50 concurrent senders, each unique delivery processed exactly once', async (t) => {
  const [c1, c2] = await bothClients(t)
  const processed = new Map()
  const make = (client) =>
    hs.withHygraphSignature(
      async (req, res) => {
        const k = req.rawBody.toString()
        processed.set(k, (processed.get(k) || 0) + 1)
        await new Promise((r) => setImmediate(r))
        res.end('{"processed":true}')
      },
      { secret: SECRET, replay: hs.createRedisReplayGuard(client, { prefix: 'hookseal:replay:load:' }) },
    )
  const h1 = make(c1)
  const h2 = make(c2)
  let flip = 0
  const server = await listen((req, res) => ((flip++ & 1) === 0 ? h1 : h2)(req, res))
  t.after(() => server.close())

  const UNIQUE = 2500
  const COPIES = 4
  const ds = Array.from({ length: UNIQUE }, (_, i) => delivery(JSON.stringify({ load: i, run: process.pid, t: Date.now() })))
  const queue = []
  for (let c = 0; c < COPIES; c++) for (const d of ds) queue.push(d)
  for (let i = queue.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1))
    ;[queue[i], queue[j]] = [queue[j], queue[i]]
  }
  assert.equal(queue.length, 10_000)
  const statuses = { 200: 0, 409: 0, duplicate: 0 }
  let next = 0
  async function sender() {
    while (next < queue.length) {
      const d = queue[next++]
      for (;;) {
        const r = await send(server, d)
        if (r.status === 409) {
          statuses[409]++
          await new Promise((res) => setTimeout(res, 2))
          continue // the sender retries later, as Hygraph does
        }
        assert.equal(r.status, 200, r.text)
        if (r.text.includes('duplicate')) statuses.duplicate++
        else statuses[200]++
        break
      }
    }
  }
  await Promise.all(Array.from({ length: 50 }, sender))
  assert.equal(processed.size, UNIQUE)
  for (const [, n] of processed) assert.equal(n, 1)
  assert.equal(statuses[200], UNIQUE)
  assert.equal(statuses.duplicate, UNIQUE * (COPIES - 1))
  t.diagnostic(`processed ${statuses[200]}, duplicates ${statuses.duplicate}, 409s ${statuses[409]}`)
})

test('without Web Crypto a wrapper with a replay guard is a TypeError when it is built, not per delivery', () => {
  const { execFileSync } = require('node:child_process')
  const script = `
    Object.defineProperty(globalThis, 'crypto', { value: undefined, configurable: true })
    const hs = require(${JSON.stringify(path.join(__dirname, '..'))})
    hs.withHygraphSignature(() => {}, { secret: 's' }) // no replay: no token needed
    try {
      hs.withHygraphSignature(() => {}, { secret: 's', replay: hs.createMemoryReplayGuard() })
    } catch (e) {
      process.stdout.write(e.name + ': ' + e.message)
    }`
  const out = execFileSync(process.execPath, ['-e', script], { encoding: 'utf8' })
  assert.match(out, /^TypeError: hookseal: replay claims need Web Crypto/)
})
