/**
 * hookseal's JavaScript API: verify Hygraph signed webhooks and Hasura shared-secret calls.
 *
 * Written once for every runtime. Every decision is made by the Rust core, through an engine
 * that `#engine` resolves per runtime (package.json `imports`): in Node the napi addon
 * (`binding.js`) or, where none loads, the WebAssembly build (`js/wasm.mjs`); in Edge, Workers,
 * Deno and browsers the WebAssembly build, loaded the way each runtime allows. This file converts
 * JS values, maps results to errors and HTTP answers, and holds the framework wrappers and the
 * Redis replay store (which talks to the user's own client). It imports nothing from `node:`
 * and uses no `Buffer`: it runs wherever the engine does. Node's CommonJS copy (`js/api.cjs`) is
 * generated from it by `scripts/twin.js`.
 */

import { engine as native, backend } from '#engine'

// ---------------------------------------------------------------------------------------------
// Errors

/**
 * A delivery failed verification. `code` is stable (contract §4): `missing_signature`,
 * `malformed_signature`, `malformed_body`, `signature_mismatch`, `environment_not_allowed`,
 * `timestamp_too_old`, `timestamp_in_future`, `replayed`, `malformed_payload`, `missing_secret`,
 * `secret_mismatch`. The message never holds a secret, a MAC or the body.
 */
export class WebhookVerificationError extends Error {
  /**
   * @param {string} code
   * @param {string} message
   */
  constructor(code, message) {
    super(message)
    this.name = 'WebhookVerificationError'
    /** @type {string} */
    this.code = code
  }
}

/** The replay store (Redis) could not be reached: fail closed (HTTP 503). */
export class ReplayStoreError extends Error {
  /** @param {string} message @param {unknown} [cause] */
  constructor(message, cause) {
    super(message)
    this.name = 'ReplayStoreError'
    this.code = 'replay_store_unavailable'
    if (cause !== undefined) Object.defineProperty(this, 'cause', { value: cause, enumerable: false })
  }
}

/** Maps the addon's configuration errors to TypeError / RangeError. */
function configCall(fn) {
  try {
    return fn()
  } catch (e) {
    if (e && e.code === 'InvalidArg') throw new TypeError(`hookseal: ${e.message}`)
    if (e && e.code === 'NumberExpected') throw new RangeError(`hookseal: ${e.message}`)
    throw e
  }
}

// ---------------------------------------------------------------------------------------------
// Value conversion

const utf8 = new TextDecoder()
const utf8Bytes = new TextEncoder()

/** Bytes of an ArrayBuffer / typed array / DataView, as a Uint8Array view (no copy). */
function asBytes(v) {
  if (v instanceof Uint8Array) return v
  if (v instanceof ArrayBuffer || (typeof SharedArrayBuffer !== 'undefined' && v instanceof SharedArrayBuffer)) {
    return new Uint8Array(v)
  }
  if (ArrayBuffer.isView(v)) return new Uint8Array(v.buffer, v.byteOffset, v.byteLength)
  return undefined
}

/** A secret named by its environment variable: see {@link fromEnv}. */
class EnvSecret {
  /** @param {string} name */
  constructor(name) {
    this.name = name
    Object.freeze(this)
  }
}

/**
 * The secret held by the environment variable `name`, read when it is needed, so that hookseal
 * can name the variable when it is not set. In a wrapper built while `next build` evaluates route
 * modules (where run-time secrets are usually absent), a missing secret is read again on each
 * request, and a request that finds it still missing gets 500 naming the variable.
 * @param {string} name
 */
export function fromEnv(name) {
  if (typeof name !== 'string' || name === '') throw new TypeError('hookseal: fromEnv(name) needs the name of an environment variable')
  return new EnvSecret(name)
}

function envValue(name) {
  const vars = globalThis.process && globalThis.process.env
  return vars ? vars[name] : undefined
}

/** Why `secret` counts as missing (an unset variable), or null. */
function missingSecret(secret) {
  for (const s of Array.isArray(secret) ? secret : [secret]) {
    if (s instanceof EnvSecret) {
      const v = envValue(s.name)
      if (v === undefined || v === '') return `the secret is missing: the environment variable ${s.name} is not set`
    } else if (s === undefined || s === null || s === '') {
      return 'the secret is missing: is the environment variable that holds it set? (pass secret: fromEnv("NAME") and hookseal names it)'
    }
  }
  return null
}

/** True while `next build` evaluates route modules ("Collecting page data"). */
function isNextBuild() {
  return envValue('NEXT_PHASE') === 'phase-production-build'
}

/**
 * A wrapper's engine: made at once; or, only while `next build` runs and only because the secret
 * is missing, made by the first request that finds it set. `get()` is null until then (the
 * wrappers answer 500 naming the variable: a request is never accepted unverified). Outside
 * `next build` a missing secret throws TypeError at once.
 */
function configured(secret, make) {
  let value = missingSecret(secret) === null ? make() : null
  if (value === null && !isNextBuild()) throw new TypeError(`hookseal: ${missingSecret(secret)}`)
  return () => {
    if (value === null && missingSecret(secret) === null) value = make()
    return value
  }
}

function notConfigured(secret) {
  const why = missingSecret(secret) || 'the wrapper is not configured'
  return errorJson(`hookseal: ${why}; the request was refused`, 'not_configured')
}

/** The secrets as a non-empty list of strings / Uint8Arrays; throws TypeError otherwise. */
function secretList(secret, what = 'secret') {
  if (secret === undefined || secret === null) {
    throw new TypeError(`hookseal: ${what} is missing: is the environment variable that holds it set?`)
  }
  const list = Array.isArray(secret) ? secret : [secret]
  if (list.length === 0) throw new TypeError(`hookseal: ${what} is an empty list`)
  return list.map((s) => {
    if (s instanceof EnvSecret) {
      const v = envValue(s.name)
      if (v === undefined || v === '') throw new TypeError(`hookseal: ${what} is missing: the environment variable ${s.name} is not set`)
      return v
    }
    if (typeof s === 'string') return s
    const b = asBytes(s)
    if (b) return b
    if (s === undefined || s === null) {
      throw new TypeError(`hookseal: a ${what} is missing: is the environment variable that holds it set?`)
    }
    throw new TypeError(`hookseal: ${what} must be a string or bytes`)
  })
}

// Per-secret engines are cached (bounded) so the drop-in does not rebuild them per request.
const CACHE_MAX = 16
function cached(map, key, make) {
  let v = map.get(key)
  if (v === undefined) {
    v = make()
    if (map.size >= CACHE_MAX) map.delete(map.keys().next().value)
    map.set(key, v)
  }
  return v
}

const compatCache = new Map()
function compatFor(secret) {
  if (secret instanceof EnvSecret) secret = secretList(secret)[0]
  if (typeof secret === 'string' && secret !== '') {
    return cached(compatCache, secret, () => configCall(() => native.compatNew([secret])))
  }
  const list = secretList(secret)
  return configCall(() => native.compatNew(list))
}

// ---------------------------------------------------------------------------------------------
// Drop-in API (contract §2a)

/**
 * Drop-in replacement for `@hygraph/utils` `verifyWebhookSignature`: same inputs, same answer,
 * but constant time, `false` (never a throw) on a bad header, and rich-text bodies verify.
 * @param {{ body?: unknown, signature?: unknown, secret: string, rawPayload?: string | Uint8Array }} options
 * @returns {boolean}
 */
export function verifyWebhookSignature(options) {
  const { body, signature, secret, rawPayload } = options
  const engine = compatFor(secret)
  // the reference throws on a missing or non-string header
  if (typeof signature !== 'string') return false
  // Strings go to the addon as they are: it copies their UTF-16 out and keeps lone surrogates.
  if (rawPayload) {
    const raw = typeof rawPayload === 'string' ? rawPayload : asBytes(rawPayload)
    if (raw === undefined) return false
    return native.compatVerify(engine, signature, raw, undefined, 0)
  }
  return native.compatVerify(engine, signature, undefined, JSON.stringify(body), 0)
}

/**
 * Drop-in replacement for `@hygraph/utils` `generateWebhookSignature`; `timestamp` (ms) may be
 * given (default `Date.now()`).
 * @param {{ body?: unknown, environmentName?: string, secret: string, rawPayload?: string | Uint8Array, timestamp?: number }} options
 * @returns {string}
 */
export function generateWebhookSignature(options) {
  const { body, environmentName = 'master', secret, rawPayload, timestamp = Date.now() } = options
  const engine = compatFor(secret)
  if (typeof environmentName !== 'string') throw new TypeError('hookseal: environmentName must be a string')
  if (typeof timestamp !== 'number') throw new TypeError('hookseal: timestamp must be a number (ms)')
  let raw
  let json
  if (rawPayload) {
    raw = typeof rawPayload === 'string' ? rawPayload : asBytes(rawPayload)
    if (raw === undefined) throw new TypeError('hookseal: rawPayload must be a string or bytes')
  } else {
    json = JSON.stringify(body)
  }
  return native.compatGenerate(engine, raw, json, environmentName, timestamp, 0)
}

// ---------------------------------------------------------------------------------------------
// Strict API (contract §2b)

const strictCache = new Map()

function strictFor(secret, tolerance, environments) {
  if (tolerance !== null && tolerance !== undefined && typeof tolerance !== 'number') {
    throw new TypeError('hookseal: tolerance must be a number of seconds or null')
  }
  if (environments !== undefined && environments !== null) {
    if (!Array.isArray(environments) || environments.some((e) => typeof e !== 'string')) {
      throw new TypeError('hookseal: environments must be an array of strings')
    }
  }
  const tol = tolerance === undefined ? 300 : tolerance
  const envs = environments === undefined ? null : environments
  if (secret instanceof EnvSecret) secret = secretList(secret)[0]
  if (typeof secret === 'string' && secret !== '') {
    const key = `${tol}\u0000${envs === null ? '*' : JSON.stringify(envs)}\u0000${secret}`
    return cached(strictCache, key, () => configCall(() => native.strictNew([secret], tol, envs)))
  }
  const list = secretList(secret)
  return configCall(() => native.strictNew(list, tol, envs))
}

function nowMs(now) {
  if (now === undefined || now === null) return Date.now()
  const ms = now instanceof Date ? now.getTime() : now
  if (typeof ms !== 'number' || !Number.isFinite(ms)) {
    throw new RangeError('hookseal: now must be a finite number of milliseconds or a valid Date')
  }
  return ms
}

/** Runs the strict engine; returns the native outcome (with the replay key). */
function strictOutcome(engine, rawBody, signature, now, wantKey = false) {
  let raw = rawBody
  if (typeof raw !== 'string') {
    if (raw === undefined || raw === null) raw = ''
    else {
      raw = asBytes(raw)
      if (raw === undefined) throw new TypeError('hookseal: rawBody must be a string, Buffer, Uint8Array or ArrayBuffer')
    }
  }
  let header
  if (typeof signature === 'string') header = signature
  else if (signature === undefined || signature === null) header = ''
  else {
    return {
      failure: {
        code: 'malformed_signature',
        message: Array.isArray(signature)
          ? 'the gcms-signature header is malformed: it was given more than once'
          : 'the gcms-signature header is malformed: it is not a string',
      },
    }
  }
  return native.strictVerify(engine, raw, header, now, wantKey)
}

/**
 * Strict verification of a Hygraph delivery: the raw body as received, a time window, one or
 * more secrets (rotation) and optionally the allowed environments.
 * @param {string | Uint8Array | ArrayBuffer} rawBody
 * @param {string | null | undefined} signature the `gcms-signature` header
 * @param {{ secret: string | Uint8Array | Array<string | Uint8Array>, tolerance?: number | null, now?: number | Date, environments?: string[] }} options
 * @returns {{ environment: string, timestamp: number, secretIndex: number }}
 * @throws {WebhookVerificationError}
 */
export function verify(rawBody, signature, options) {
  if (!options || typeof options !== 'object') throw new TypeError('hookseal: verify needs options with a secret')
  const engine = strictFor(options.secret, options.tolerance, options.environments)
  const out = strictOutcome(engine, rawBody, signature, nowMs(options.now))
  if (out.failure) throw new WebhookVerificationError(out.failure.code, out.failure.message)
  return { environment: out.environment, timestamp: out.timestamp, secretIndex: out.secretIndex }
}

/**
 * The `gcms-signature` header Hygraph would send for `body` (the raw body text).
 * @param {string} body
 * @param {{ secret: string, environment?: string, timestamp?: number }} options
 * @returns {string}
 */
export function sign(body, options) {
  const { secret, environment = 'master', timestamp = Date.now() } = options || {}
  if (typeof secret !== 'string' || secret === '') {
    throw new TypeError('hookseal: secret is missing: is the environment variable that holds it set?')
  }
  return configCall(() => native.signStrict(secret, String(body), environment, timestamp))
}

// ---------------------------------------------------------------------------------------------
// Shared secret (contract §3)

/** Headers as parallel name / value arrays; a repeated header appears several times. */
function headerPairs(headers) {
  const names = []
  const values = []
  if (!headers || typeof headers !== 'object') return { names, values }
  if (typeof headers.get === 'function' && typeof headers.forEach === 'function' && !(headers instanceof Map)) {
    headers.forEach((v, k) => {
      names.push(k)
      values.push(String(v))
    })
    return { names, values }
  }
  const entries = headers instanceof Map ? headers.entries() : Object.entries(headers)
  for (const [k, v] of entries) {
    if (v === undefined || v === null) continue
    if (Array.isArray(v)) {
      for (const x of v) {
        names.push(k)
        values.push(String(x))
      }
    } else {
      names.push(k)
      values.push(String(v))
    }
  }
  return { names, values }
}

function sharedChecker(options) {
  if (!options || typeof options !== 'object') throw new TypeError('hookseal: options { header, secret } are required')
  const { header, secret } = options
  if (typeof header !== 'string') throw new TypeError('hookseal: header must be a string (e.g. "ACTION_SECRET")')
  const list = secretList(secret)
  return configCall(() => new native.SharedSecretChecker(header, list))
}

const sharedCache = new Map()
function sharedFor(options) {
  if (options && typeof options.secret === 'string' && options.secret !== '' && typeof options.header === 'string') {
    return cached(sharedCache, JSON.stringify([options.header, options.secret]), () => sharedChecker(options))
  }
  return sharedChecker(options)
}

/**
 * Checks a shared-secret header (Hasura Actions and Event Triggers) in constant time.
 * @param {import('http').IncomingHttpHeaders | Headers | Record<string, string | string[] | undefined>} headers
 * @param {{ header: string, secret: string | string[] }} options
 * @returns {boolean}
 */
export function verifySharedSecret(headers, options) {
  const checker = sharedFor(options)
  const { names, values } = headerPairs(headers)
  return checker.check(names, values) === null
}

/**
 * Like {@link verifySharedSecret} but throws a {@link WebhookVerificationError}
 * (`missing_secret` / `secret_mismatch`).
 * @param {import('http').IncomingHttpHeaders | Headers | Record<string, string | string[] | undefined>} headers
 * @param {{ header: string, secret: string | string[] }} options
 * @returns {void}
 */
export function assertSharedSecret(headers, options) {
  const checker = sharedFor(options)
  const { names, values } = headerPairs(headers)
  const f = checker.check(names, values)
  if (f) throw new WebhookVerificationError(f.code, f.message)
}

// ---------------------------------------------------------------------------------------------
// Replay guards (contract §5)

const RC = native.replayConstants()

/**
 * A fresh claim token: 128 random bits from Web Crypto (`crypto.randomUUID`, else
 * `crypto.getRandomValues`), in Node 19+, Edge, Workers, Deno and browsers alike. The core draws
 * no random numbers; every face makes its tokens.
 * @returns {string}
 */
export function newClaimToken() {
  const c = globalThis.crypto
  if (c && typeof c.randomUUID === 'function') return c.randomUUID()
  if (c && typeof c.getRandomValues === 'function') {
    return Array.from(c.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, '0')).join('')
  }
  throw new TypeError(
    'hookseal: replay claims need Web Crypto (globalThis.crypto) for their tokens: Node 19+, or Node 18 with --experimental-global-webcrypto',
  )
}

function claimToken(o) {
  const token = o && o.token
  if (typeof token !== 'string' || token === '') {
    throw new TypeError('hookseal: a replay guard call needs { token }: a non-empty string, fresh for every claim (newClaimToken())')
  }
  return token
}

function ttlMs(value, name) {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 1) {
    throw new RangeError(`hookseal: ${name} must be a number of milliseconds >= 1`)
  }
  return Math.floor(value)
}

/**
 * The in-memory replay guard of the core: bounded (`maxEntries`, oldest evicted first) and
 * expiring. Per process: use Redis when several instances serve the webhook. Every call takes
 * the claim's `token`; `release` deletes only the caller's own claim.
 * @param {{ maxEntries?: number, processingTtlMs?: number }} [options]
 */
export function createMemoryReplayGuard(options = {}) {
  const { maxEntries = RC.defaultMaxEntries, processingTtlMs = RC.defaultProcessingTtlMs } = options
  ttlMs(processingTtlMs, 'processingTtlMs')
  const store = configCall(() => new native.MemoryStore(maxEntries))
  return {
    kind: 'memory',
    processingTtlMs,
    /** @param {string} key @param {{ token: string, processingTtlMs?: number }} o */
    async claim(key, o) {
      return store.claim(key, Date.now(), ttlMs(o?.processingTtlMs ?? processingTtlMs, 'processingTtlMs'), claimToken(o))
    },
    /** @param {string} key @param {{ token: string, doneTtlMs?: number }} o */
    async complete(key, o) {
      return store.complete(key, Date.now(), ttlMs(o?.doneTtlMs ?? 600_000, 'doneTtlMs'), claimToken(o))
    },
    /** @param {string} key @param {{ token: string }} o */
    async release(key, o) {
      return store.release(key, claimToken(o), Date.now())
    },
    get size() {
      return store.size
    },
  }
}

/**
 * A replay guard on Redis through your own client (`ioredis` or `redis` v4+). Each operation is
 * one Lua script from the core (`replayConstants()`), the same the Python package sends: claim
 * stores `processing:<token>` (SET NX PX), complete stores `done`, release deletes only the
 * caller's own claim. Any Redis error or a reply slower than `timeoutMs` fails closed (wrappers
 * answer 503).
 * @param {object} client an ioredis or node-redis client
 * @param {{ prefix?: string, processingTtlMs?: number, timeoutMs?: number }} [options]
 */
export function createRedisReplayGuard(client, options = {}) {
  if (!client || typeof client !== 'object') throw new TypeError('hookseal: createRedisReplayGuard needs a Redis client')
  const { prefix = RC.keyPrefix, processingTtlMs = RC.defaultProcessingTtlMs, timeoutMs = 2000 } = options
  if (typeof prefix !== 'string') throw new TypeError('hookseal: prefix must be a string')
  ttlMs(processingTtlMs, 'processingTtlMs')
  let send
  if (typeof client.call === 'function') send = (args) => client.call(...args) // ioredis
  else if (typeof client.sendCommand === 'function') send = (args) => client.sendCommand(args) // node-redis v4+
  else throw new TypeError('hookseal: unsupported Redis client (use ioredis or redis v4+)')

  const run = (args) => {
    let timer
    const timeout = new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Error('timed out')), timeoutMs)
    })
    return Promise.race([Promise.resolve().then(() => send(args)), timeout])
      .catch((e) => {
        throw new ReplayStoreError('the replay store (Redis) is unavailable; failing closed', e)
      })
      .finally(() => clearTimeout(timer))
  }
  const str = (v) => (v == null ? null : v instanceof Uint8Array ? utf8.decode(v) : String(v))
  const evalScript = (script, key, ...args) => run(['EVAL', script, '1', prefix + key, ...args.map(String)])

  return {
    kind: 'redis',
    processingTtlMs,
    /** @param {string} key @param {{ token: string, processingTtlMs?: number }} o */
    async claim(key, o) {
      const ttl = ttlMs(o?.processingTtlMs ?? processingTtlMs, 'processingTtlMs')
      const state = str(await evalScript(RC.claimScript, key, claimToken(o), ttl))
      if (state !== 'new' && state !== 'in_progress' && state !== 'done') {
        throw new ReplayStoreError(`unexpected answer from the replay store: ${JSON.stringify(state)}`)
      }
      return state
    },
    /** @param {string} key @param {{ token: string, doneTtlMs?: number }} o */
    async complete(key, o) {
      const ttl = ttlMs(o?.doneTtlMs ?? 600_000, 'doneTtlMs')
      return Number(await evalScript(RC.completeScript, key, claimToken(o), ttl)) === 1
    },
    /** @param {string} key @param {{ token: string }} o */
    async release(key, o) {
      return Number(await evalScript(RC.releaseScript, key, claimToken(o))) === 1
    },
  }
}

// ---------------------------------------------------------------------------------------------
// Framework wrappers (contract §6)

const JSON_HEADERS = { 'content-type': 'application/json; charset=utf-8' }

function errorJson(message, code) {
  return native.hasuraErrorBody(message, code)
}

function isFetchRequest(x, argCount) {
  if (typeof Request !== 'undefined' && x instanceof Request) return true
  return (
    argCount < 2 &&
    x !== null &&
    typeof x === 'object' &&
    typeof x.text === 'function' &&
    x.headers &&
    typeof x.headers.get === 'function'
  )
}

/** The bytes of a Node request stream, as one chunk of the stream's own type (in Node a Buffer). */
function readStream(req) {
  return new Promise((resolve, reject) => {
    const chunks = []
    req.on('data', (c) => chunks.push(typeof c === 'string' ? utf8Bytes.encode(c) : c))
    req.on('end', () => resolve(concat(chunks)))
    req.on('error', reject)
  })
}

/** Joins byte chunks; Node's Buffer chunks stay a Buffer (its own `concat`), others a Uint8Array. */
function concat(chunks) {
  if (chunks.length === 1) return chunks[0]
  const kind = chunks.length > 0 ? chunks[0].constructor : Uint8Array
  if (typeof kind.concat === 'function' && chunks.every((c) => c instanceof kind)) return kind.concat(chunks)
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0))
  let at = 0
  for (const c of chunks) {
    out.set(c, at)
    at += c.length
  }
  return out
}

function nodeSend(res, status, body) {
  if (res.headersSent || res.writableEnded) return
  res.statusCode = status
  res.setHeader('content-type', JSON_HEADERS['content-type'])
  res.end(body)
}

function fetchResponse(status, body) {
  return new Response(body, { status, headers: JSON_HEADERS })
}

/** The raw body of a Node request, or the drop-in body path when a framework parsed it. */
async function nodeRawBody(req) {
  const b = req.body
  if (b !== undefined && b !== null) {
    if (typeof b === 'string') return { raw: b, parsed: false }
    const bytes = asBytes(b)
    if (bytes) return { raw: bytes, parsed: false }
    // Already parsed by a body parser: JSON.stringify(body), as the drop-in does.
    return { raw: JSON.stringify(b), parsed: true }
  }
  const buf = await readStream(req)
  req.rawBody = buf
  const text = utf8.decode(buf)
  try {
    req.body = text === '' ? undefined : JSON.parse(text)
  } catch {
    req.body = text
  }
  return { raw: buf, parsed: false }
}

/**
 * Wraps a Node/Vercel `(req, res)` handler or a Fetch `(request) => Response` handler so it
 * only runs for genuine Hygraph deliveries. On failure it answers 401 with
 * `{"message", "extensions": {"code"}}`. With `replay`, a duplicate while processing gets 409,
 * a duplicate of a handled delivery 200 `{"duplicate": true}` (handler not called); a handler
 * that throws or answers non-2xx releases the claim so the retry is processed; an unreachable
 * replay store gives 503.
 * For `(req, res)`: the raw body is read from the stream (then `req.rawBody` is the Buffer and
 * `req.body` the parsed JSON); when a framework already parsed `req.body`, its
 * `JSON.stringify` is verified (the drop-in body path). `req.hookseal` / the second argument of
 * a Fetch handler holds `{ environment, timestamp, secretIndex }`.
 * @template {Function} H
 * @param {H} handler
 * @param {{ secret: string | string[], tolerance?: number | null, environments?: string[], replay?: ReplayGuard }} options
 * @returns {H}
 */
export function withHygraphSignature(handler, options) {
  if (typeof handler !== 'function') throw new TypeError('hookseal: handler must be a function')
  if (!options || typeof options !== 'object') throw new TypeError('hookseal: options { secret } are required')
  const { secret, tolerance, environments, replay } = options
  const ready = configured(secret, () => {
    const engine = configCall(() =>
      native.strictNew(secretList(secret), tolerance === undefined ? 300 : tolerance, environments ?? null),
    )
    return { engine, doneTtlMs: native.replayDoneTtlMs(native.strictTolerance(engine)) }
  })
  if (replay !== undefined && (typeof replay !== 'object' || typeof replay.claim !== 'function')) {
    throw new TypeError('hookseal: replay must be a guard from createMemoryReplayGuard / createRedisReplayGuard')
  }
  if (replay !== undefined) newClaimToken() // no Web Crypto: a TypeError now, not on every delivery
  let doneTtlMs = 0

  async function check(raw, header) {
    const cfg = ready()
    if (cfg === null) return { status: 500, body: notConfigured(secret) }
    doneTtlMs = cfg.doneTtlMs
    const out = strictOutcome(cfg.engine, raw, header, Date.now(), replay !== undefined)
    if (out.failure) return { status: 401, body: errorJson(out.failure.message, out.failure.code) }
    return { out }
  }

  // A guard written before tokens existed gets `{ token }` in the options it already takes and
  // may ignore it: it keeps working, with the weakness it always had (README, Decisions).
  async function claim(key, token) {
    try {
      const state = await replay.claim(key, { token })
      if (state === 'in_progress') {
        return { status: 409, body: errorJson('this delivery is being processed; retry later', 'replayed') }
      }
      if (state === 'done') return { status: 200, body: '{"duplicate":true}' }
      return null
    } catch {
      return { status: 503, body: errorJson('the replay store is unavailable; retry later', 'replay_store_unavailable') }
    }
  }

  async function settle(key, token, status) {
    try {
      if (status >= 200 && status < 300) {
        if ((await replay.complete(key, { token, doneTtlMs })) === false) outlived(replay)
      } else await replay.release(key, { token })
    } catch {
      // The claim expires on its own (processing TTL); nothing was accepted unguarded.
    }
  }

  async function fetchStyle(request, rest) {
    const raw = new Uint8Array(await request.clone().arrayBuffer())
    const r = await check(raw, request.headers.get('gcms-signature'))
    if (!r.out) return fetchResponse(r.status, r.body)
    const info = { environment: r.out.environment, timestamp: r.out.timestamp, secretIndex: r.out.secretIndex }
    if (!replay) return handler(request, info, ...rest)
    const key = r.out.replayKey
    const token = newClaimToken()
    const early = await claim(key, token)
    if (early) return fetchResponse(early.status, early.body)
    let response
    try {
      response = await handler(request, info, ...rest)
    } catch (e) {
      await settle(key, token, 500)
      throw e
    }
    await settle(key, token, response && typeof response.status === 'number' ? response.status : 500)
    return response
  }

  async function nodeStyle(req, res, rest) {
    let raw
    try {
      ;({ raw } = await nodeRawBody(req))
    } catch {
      return nodeSend(res, 400, errorJson('the request body could not be read', 'malformed_body'))
    }
    const r = await check(raw, req.headers['gcms-signature'])
    if (!r.out) return nodeSend(res, r.status, r.body)
    req.hookseal = { environment: r.out.environment, timestamp: r.out.timestamp, secretIndex: r.out.secretIndex }
    if (!replay) return handler(req, res, ...rest)
    const key = r.out.replayKey
    const token = newClaimToken()
    const early = await claim(key, token)
    if (early) return nodeSend(res, early.status, early.body)
    let result
    try {
      result = await handler(req, res, ...rest)
    } catch (e) {
      await settle(key, token, 500)
      throw e
    }
    await settle(key, token, res.statusCode || 200)
    return result
  }

  return function hooksealHygraph(req, ...rest) {
    if (isFetchRequest(req, 1 + rest.length) || (rest.length > 0 && !isNodeResponse(rest[0]) && isFetchRequest(req, 1))) {
      return fetchStyle(req, rest)
    }
    return nodeStyle(req, rest[0], rest.slice(1))
  }
}

/** A handler finished after its claim was gone: say so once per guard (console.warn). */
const warnedOutlived = new WeakSet()
function outlived(guard) {
  if (warnedOutlived.has(guard)) return
  warnedOutlived.add(guard)
  const ttl = typeof guard.processingTtlMs === 'number' ? ` (${guard.processingTtlMs} ms)` : ''
  console.warn(
    `hookseal: a delivery's replay claim was gone when its handler finished: the handler outlived processingTtlMs${ttl} ` +
      '(another copy may have run meanwhile; make the claim at least as long as a handler may run, e.g. your maxDuration) ' +
      'or the store lost the key',
  )
}

function isNodeResponse(x) {
  return x !== null && typeof x === 'object' && typeof x.setHeader === 'function' && typeof x.end === 'function'
}

/**
 * Wraps a `(req, res)` or Fetch `(request) => Response` handler so it only runs when the
 * shared-secret header (e.g. Hasura's `ACTION_SECRET`) holds the configured secret; otherwise
 * 401 `{"message", "extensions": {"code"}}`. The body is left unread.
 * @template {Function} H
 * @param {H} handler
 * @param {{ header: string, secret: string | string[] }} options
 * @returns {H}
 */
export function withSharedSecret(handler, options) {
  if (typeof handler !== 'function') throw new TypeError('hookseal: handler must be a function')
  const ready = configured(options && options.secret, () => sharedChecker(options))
  return function hooksealShared(req, ...rest) {
    const fetchStyle = isFetchRequest(req, 1 + rest.length) || (rest.length > 0 && !isNodeResponse(rest[0]) && isFetchRequest(req, 1))
    const checker = ready()
    const { names, values } = headerPairs(req && req.headers)
    const f = checker === null ? null : checker.check(names, values)
    if (checker === null || f) {
      const [status, body] = checker === null ? [500, notConfigured(options.secret)] : [401, errorJson(f.message, f.code)]
      if (fetchStyle) return Promise.resolve(fetchResponse(status, body))
      return nodeSend(rest[0], status, body)
    }
    return handler(req, ...rest)
  }
}

// ---------------------------------------------------------------------------------------------
// Hasura helpers (contract §6)

/**
 * The error an Action handler returns: `{ status, body }` with body
 * `{"message", "extensions": {"code"}}`; `toResponse()` gives a Fetch Response, `send(res)`
 * writes it to a Node response.
 * @param {string} message
 * @param {string} code
 * @param {number} [status=400]
 */
export function hasuraActionError(message, code, status = 400) {
  if (typeof message !== 'string' || typeof code !== 'string') {
    throw new TypeError('hookseal: hasuraActionError(message, code, status) takes two strings')
  }
  if (!Number.isInteger(status) || status < 400 || status > 599) {
    throw new RangeError('hookseal: status must be an HTTP error status (400-599)')
  }
  const text = native.hasuraErrorBody(message, code)
  return {
    status,
    body: JSON.parse(text),
    text,
    toResponse() {
      return fetchResponse(status, text)
    },
    send(res) {
      nodeSend(res, status, text)
    },
  }
}

/**
 * The body of a Hasura auth-webhook answer: `X-Hasura-*` session variables (a `role` is
 * required; every value becomes a string) plus `Cache-Control: max-age=N` or `Expires` in the
 * JSON, where Hasura's auth cache reads them. Keep `maxAge` shorter than the user's token life.
 * @param {Record<string, string | number | boolean>} session
 * @param {{ maxAge?: number, expires?: Date | number }} [options] `expires`: a Date or ms epoch
 * @returns {Record<string, string>}
 */
export function hasuraAuthResponse(session, options = {}) {
  if (!session || typeof session !== 'object' || Array.isArray(session)) {
    throw new TypeError('hookseal: session must be an object of session variables')
  }
  const { maxAge, expires } = options
  if (maxAge !== undefined && expires !== undefined) throw new TypeError('hookseal: give maxAge or expires, not both')
  const keys = []
  const values = []
  for (const [k, v] of Object.entries(session)) {
    if (typeof v !== 'string' && typeof v !== 'number' && typeof v !== 'boolean') {
      throw new TypeError(`hookseal: session variable values must be strings, numbers or booleans`)
    }
    keys.push(k)
    values.push(v)
  }
  let kind = 0
  let value = 0
  if (maxAge !== undefined) {
    kind = 1
    value = maxAge
  } else if (expires !== undefined) {
    kind = 2
    const ms = expires instanceof Date ? expires.getTime() : expires
    if (typeof ms !== 'number' || !Number.isFinite(ms)) throw new RangeError('hookseal: expires must be a Date or ms epoch')
    value = Math.floor(ms / 1000)
  }
  return JSON.parse(configCall(() => native.hasuraAuthResponseJson(keys, values, kind, value)))
}

function payloadText(body) {
  if (typeof body === 'string') return body
  const b = asBytes(body)
  if (b) return b
  if (body && typeof body === 'object') return JSON.stringify(body)
  return String(body)
}

function parsePayload(kind, body) {
  const text = payloadText(body)
  const f = native.hasuraCheck(kind, text)
  if (f) throw new WebhookVerificationError(f.code, f.message)
  if (typeof body === 'object' && body !== null && !asBytes(body)) return body
  return JSON.parse(typeof text === 'string' ? text : utf8.decode(text))
}

/**
 * Checks and returns a Hasura Action payload (`action.name`, `input`, `session_variables`).
 * @param {string | Uint8Array | object} body
 * @throws {WebhookVerificationError} `malformed_payload`
 */
export function parseHasuraAction(body) {
  return parsePayload(0, body)
}

/**
 * Checks and returns a Hasura Event Trigger payload (`event.op`, `event.data.old/new`, `table`,
 * `trigger`, `id`).
 * @param {string | Uint8Array | object} body
 * @throws {WebhookVerificationError} `malformed_payload`
 */
export function parseHasuraEvent(body) {
  return parsePayload(1, body)
}

/** `gcms-signature`. */
export const HEADER = 'gcms-signature'
/** The key prefix of the Redis replay guard. */
export const REPLAY_KEY_PREFIX = RC.keyPrefix
export { backend }

const hookseal = {
  verifyWebhookSignature,
  generateWebhookSignature,
  verify,
  sign,
  verifySharedSecret,
  assertSharedSecret,
  WebhookVerificationError,
  ReplayStoreError,
  createMemoryReplayGuard,
  createRedisReplayGuard,
  newClaimToken,
  withHygraphSignature,
  withSharedSecret,
  hasuraActionError,
  hasuraAuthResponse,
  parseHasuraAction,
  parseHasuraEvent,
  HEADER,
  REPLAY_KEY_PREFIX,
  backend,
  fromEnv,
}
export default hookseal
