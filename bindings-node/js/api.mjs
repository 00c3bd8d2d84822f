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
 * {@link strictOutcome} for the async wrappers: on the WebAssembly engine outside Node, the HMAC
 * runs in Web Crypto (`crypto.subtle`, asynchronous), see `hmac`.
 */
async function strictOutcomeAsync(engine, rawBody, signature, now, wantKey) {
  if (!native.strictVerifyAsync || typeof signature !== 'string') return strictOutcome(engine, rawBody, signature, now, wantKey)
  if (rawBody === undefined || rawBody === null) rawBody = ''
  const raw = typeof rawBody === 'string' ? rawBody : asBytes(rawBody)
  if (raw === undefined) return strictOutcome(engine, rawBody, signature, now, wantKey)
  return native.strictVerifyAsync(engine, raw, signature, now, wantKey)
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
// The receiver (framework-neutral) and the framework wrappers over it (contract §6, §8)
//
// A receiver takes `{ method, headers, body }` and either answers at once (`{ answer }`: a
// failed check, a duplicate, ...) or admits the request (`{ value, settle, fail, reply }`): the
// framework runs the route with `value` (what was verified / parsed), then settles the replay
// claim with the route's status, or lets the receiver turn the route's result or error into the
// answer. Every adapter ((req, res), Fetch, Express, Hono, Lambda) is a translation around it.

const JSON_CT = 'application/json; charset=utf-8'
const JSON_HEADERS = { 'content-type': JSON_CT }

function errorJson(message, code) {
  return native.hasuraErrorBody(message, code)
}

/** `{ status, headers, body }` with a JSON body. */
function jsonAnswer(status, body, extra) {
  return { status, headers: extra ? { ...JSON_HEADERS, ...extra } : { ...JSON_HEADERS }, body }
}

function errorAnswer(status, message, code, extra) {
  return jsonAnswer(status, errorJson(message, code), extra)
}

/** The value of header `name` (lower case) from Fetch Headers, Node's headers, a plain object or a Map. */
function headerValue(headers, name) {
  if (!headers || typeof headers !== 'object') return undefined
  if (typeof headers.get === 'function' && typeof headers.forEach === 'function' && !(headers instanceof Map)) {
    const v = headers.get(name)
    return v === null ? undefined : v
  }
  if (!(headers instanceof Map) && Object.prototype.hasOwnProperty.call(headers, name)) {
    const v = headers[name]
    if (v !== undefined && v !== null) return v
  }
  const { names, values } = headerPairs(headers)
  const found = []
  names.forEach((n, i) => {
    if (n.toLowerCase() === name) found.push(values[i])
  })
  return found.length === 0 ? undefined : found.length === 1 ? found[0] : found
}

/** The body as the engine takes it: a string or bytes; a parsed object as its JSON.stringify. */
function bodyInput(body) {
  if (body === undefined || body === null) return ''
  if (typeof body === 'string') return body
  const b = asBytes(body)
  if (b) return b
  return JSON.stringify(body)
}

function bodyText(raw) {
  return typeof raw === 'string' ? raw : utf8.decode(raw)
}

function isResponseLike(x) {
  return (
    x !== null &&
    typeof x === 'object' &&
    typeof x.status === 'number' &&
    typeof x.text === 'function' &&
    x.headers &&
    typeof x.headers.forEach === 'function'
  )
}

/** A handler's result as an answer: a Response, an action error, `undefined` (204) or a JSON value (200). */
async function resultAnswer(result, emptyStatus = 204) {
  if (result instanceof HasuraActionError) return jsonAnswer(result.status, result.text)
  if (isResponseLike(result)) {
    const headers = {}
    result.headers.forEach((v, k) => {
      headers[k] = v
    })
    return { status: result.status, headers, body: await result.text() }
  }
  if (result === undefined) return emptyStatus === 204 ? { status: 204, headers: {}, body: '' } : jsonAnswer(200, 'null')
  const text = JSON.stringify(result)
  if (text === undefined) throw new TypeError('hookseal: the handler returned a value that is not JSON')
  return jsonAnswer(200, text)
}

/** A log line about a thrown error that names no message (a message may hold a header value). */
function describeError(e) {
  if (e instanceof Error) {
    const frame = typeof e.stack === 'string' ? e.stack.split('\n').find((l) => /^\s+at /.test(l)) : undefined
    return `${e.name}${typeof e.code === 'string' ? ` (${e.code})` : ''}${frame ? ` ${frame.trim()}` : ''}`
  }
  return `a thrown ${e === null ? 'null' : typeof e}`
}

function checkReplayOption(replay) {
  if (replay !== undefined && (replay === null || typeof replay !== 'object' || typeof replay.claim !== 'function')) {
    throw new TypeError('hookseal: replay must be a guard from createMemoryReplayGuard / createRedisReplayGuard')
  }
  if (replay !== undefined) newClaimToken() // no Web Crypto: a TypeError now, not on every delivery
}

/**
 * Claims `key`: `null` when this request holds the claim, else the answer (409 while another copy
 * runs, 200 `{"duplicate":true}` when done, 503 when the store is down). `retryAfter` (seconds)
 * adds `Retry-After` to the 409 and the 503.
 */
async function claimAnswer(replay, key, token, retryAfter) {
  const extra = retryAfter === undefined ? undefined : { 'retry-after': String(retryAfter) }
  try {
    const state = await replay.claim(key, { token })
    if (state === 'in_progress') return jsonAnswer(409, errorJson('this delivery is being processed; retry later', 'replayed'), extra)
    if (state === 'done') return jsonAnswer(200, '{"duplicate":true}')
    return null
  } catch {
    return jsonAnswer(503, errorJson('the replay store is unavailable; retry later', 'replay_store_unavailable'), extra)
  }
}

// A guard written before tokens existed gets `{ token }` in the options it already takes and
// may ignore it: it keeps working, with the weakness it always had (README, Decisions).
async function settleClaim(replay, key, token, status, doneTtlMs) {
  try {
    if (status >= 200 && status < 300) {
      if ((await replay.complete(key, { token, doneTtlMs })) === false) outlived(replay)
    } else await replay.release(key, { token })
  } catch {
    // The claim expires on its own (processing TTL); nothing was accepted unguarded.
  }
}

/**
 * An admitted request: `value` for the route; `settle(status)` when the route wrote its own
 * answer; `reply(result)` / `fail(error)` turn the route's result / error into the answer (and
 * settle). The claim (if any) is settled once.
 */
function admitted(value, claim, { toAnswer, failAnswer }) {
  let settled = false
  const settle = async (status) => {
    if (settled) return
    settled = true
    if (claim) await settleClaim(claim.replay, claim.key, claim.token, status, claim.doneTtlMs)
  }
  return {
    value,
    settle,
    async fail(error) {
      const answer = failAnswer(error)
      await settle(answer.status)
      return answer
    },
    async reply(result) {
      let answer
      try {
        answer = await toAnswer(result)
      } catch (e) {
        answer = failAnswer(e)
      }
      await settle(answer.status)
      return answer
    },
  }
}

/** A handler threw: logged in full (for the operator), answered 500 with no internals. */
function handlerFailed(what) {
  return (error) => {
    console.error(`hookseal: ${what} failed; answered 500 handler_failed:`, error)
    return jsonAnswer(500, errorJson(`${what} failed`, 'handler_failed'))
  }
}

function makeReceiver(kind, needsBody, admit) {
  return Object.freeze({
    kind,
    needsBody,
    admit,
    async run(request, invoke) {
      const a = await admit(request)
      if (a.answer) return a.answer
      let result
      try {
        result = await invoke(a.value)
      } catch (e) {
        return a.fail(e)
      }
      return a.reply(result)
    },
  })
}

function hygraphReceiver(options) {
  if (!options || typeof options !== 'object') throw new TypeError('hookseal: options { secret } are required')
  const { secret, tolerance, environments, replay, replayKey = 'signature' } = options
  if (replayKey !== 'signature' && replayKey !== 'body') {
    throw new TypeError("hookseal: replayKey must be 'signature' (the default) or 'body'")
  }
  const ready = configured(secret, () => {
    const engine = configCall(() =>
      native.strictNew(secretList(secret), tolerance === undefined ? 300 : tolerance, environments ?? null),
    )
    return { engine, doneTtlMs: native.replayDoneTtlMs(native.strictTolerance(engine)) }
  })
  checkReplayOption(replay)
  const conv = { toAnswer: (r) => resultAnswer(r), failAnswer: handlerFailed('the webhook handler') }
  return makeReceiver('hygraph', true, async (request) => {
    const cfg = ready()
    if (cfg === null) return { answer: jsonAnswer(500, notConfigured(secret)) }
    const raw = bodyInput(request.body)
    const out = await strictOutcomeAsync(cfg.engine, raw, headerValue(request.headers, HEADER), Date.now(), replay !== undefined)
    if (out.failure) return { answer: errorAnswer(401, out.failure.message, out.failure.code) }
    const value = { environment: out.environment, timestamp: out.timestamp, secretIndex: out.secretIndex }
    if (!replay) return admitted(value, null, conv)
    // 'body': one delivery is its environment and body, whatever signature carries it (issue 20
    // item 8: a sender that re-signs a retry); two identical bodies inside the done TTL are one.
    const key = replayKey === 'body' ? native.replayKeyForBody(out.environment, raw) : out.replayKey
    const token = newClaimToken()
    const early = await claimAnswer(replay, key, token)
    if (early) return { answer: early }
    return admitted(value, { replay, key, token, doneTtlMs: cfg.doneTtlMs }, conv)
  })
}

/** The shared-secret check of a receiver: the answer to refuse with, or null. */
function sharedGate(options) {
  const ready = configured(options && options.secret, () => sharedChecker(options))
  return (headers) => {
    const checker = ready()
    if (checker === null) return jsonAnswer(500, notConfigured(options.secret))
    const { names, values } = headerPairs(headers)
    const f = checker.check(names, values)
    return f ? errorAnswer(401, f.message, f.code) : null
  }
}

function sharedReceiver(options) {
  const gate = sharedGate(options)
  const conv = { toAnswer: (r) => resultAnswer(r), failAnswer: handlerFailed('the handler') }
  return makeReceiver('sharedSecret', false, async (request) => {
    const refused = gate(request.headers)
    if (refused) return { answer: refused }
    return admitted(undefined, null, conv)
  })
}

function positiveInt(v, name, dflt) {
  if (v === undefined) return dflt
  if (!Number.isInteger(v) || v < 1) throw new RangeError(`hookseal: ${name} must be a whole number of seconds >= 1`)
  return v
}

function hasuraEventReceiver(options) {
  const gate = sharedGate(options)
  const { replay } = options
  checkReplayOption(replay)
  const retryAfter = positiveInt(options.retryAfter, 'retryAfter', RC.hasuraRetryAfterSecs)
  const doneTtlMs = options.doneTtl === undefined ? RC.hasuraEventDoneTtlMs : positiveInt(options.doneTtl, 'doneTtl') * 1000
  const conv = { toAnswer: (r) => resultAnswer(r), failAnswer: handlerFailed('the event handler') }
  return makeReceiver('hasuraEvent', true, async (request) => {
    const refused = gate(request.headers)
    if (refused) return { answer: refused }
    const raw = bodyInput(request.body)
    const d = native.hasuraDelivery(raw)
    if (d.failure) return { answer: errorAnswer(400, d.failure.message, d.failure.code) }
    const parsed = typeof request.body === 'object' && request.body !== null && !asBytes(request.body) ? { ...request.body } : JSON.parse(bodyText(raw))
    const delivery = Object.assign(parsed, { kind: d.kind, id: d.id })
    if (!replay) return admitted(delivery, null, conv)
    const token = newClaimToken()
    const early = await claimAnswer(replay, d.replayKey, token, retryAfter)
    if (early) return { answer: early }
    return admitted(delivery, { replay, key: d.replayKey, token, doneTtlMs }, conv)
  })
}

const actionFailed = handlerFailed('the action handler')

function hasuraActionReceiver(options) {
  const gate = sharedGate(options)
  const conv = {
    toAnswer: (r) => resultAnswer(r, 200),
    failAnswer: (e) => (e instanceof HasuraActionError ? jsonAnswer(e.status, e.text) : actionFailed(e)),
  }
  return makeReceiver('hasuraAction', true, async (request) => {
    const refused = gate(request.headers)
    if (refused) return { answer: refused }
    const raw = bodyInput(request.body)
    const f = native.hasuraCheck(0, raw)
    if (f) return { answer: errorAnswer(400, f.message, f.code) }
    const action = typeof request.body === 'object' && request.body !== null && !asBytes(request.body) ? request.body : JSON.parse(bodyText(raw))
    return admitted(action, null, conv)
  })
}

const AUTH_MODES = { v2: 3, ddn: 4 }

function hasuraAuthReceiver(options = {}) {
  if (!options || typeof options !== 'object') throw new TypeError('hookseal: withHasuraAuth options must be an object')
  const { mode = 'v2', maxAge, cache, now } = options
  if (!Object.prototype.hasOwnProperty.call(AUTH_MODES, mode)) throw new TypeError("hookseal: mode must be 'v2' or 'ddn'")
  if (maxAge !== undefined && (!Number.isInteger(maxAge) || maxAge < 0)) {
    throw new RangeError('hookseal: maxAge must be a whole number of seconds >= 0')
  }
  if (now !== undefined && typeof now !== 'function') throw new TypeError('hookseal: now must be a function returning ms since the epoch')
  const clock = now || Date.now
  const authCache = cache === undefined || cache === null || cache === false ? null : makeAuthCache(cache)
  const denied = () => jsonAnswer(401, errorJson('access denied', 'access_denied'))
  const invalid = (why) => {
    console.error(`hookseal: withHasuraAuth: resolve returned a session that cannot be written: ${why}`)
    return jsonAnswer(500, errorJson('the auth webhook returned a session that cannot be written', 'invalid_session'))
  }
  const allowAnswer = (sessionJson, ma, exp, at) => {
    try {
      return configCall(() => native.hasuraAuthAnswer(mode, sessionJson, ma, exp, at / 1000))
    } catch (e) {
      return { error: e instanceof Error ? e.message : String(e) }
    }
  }

  async function answerOf(result, key) {
    const at = clock()
    if (result === null || result === undefined) {
      if (key && authCache.denialSecs > 0) await authCache.set(key, { d: 1, e: at + authCache.denialSecs * 1000 }, at)
      return denied()
    }
    if (typeof result !== 'object' || !result.session || typeof result.session !== 'object' || Array.isArray(result.session)) {
      return invalid('resolve must return null or { session, maxAge?, expiresAt? }')
    }
    const ma = result.maxAge === undefined || result.maxAge === null ? maxAge : result.maxAge
    if (ma !== undefined && (typeof ma !== 'number' || !Number.isFinite(ma) || ma < 0)) return invalid('maxAge must be a number of seconds >= 0')
    let exp = result.expiresAt
    if (exp instanceof Date) exp = exp.getTime() / 1000
    if (exp !== undefined && exp !== null && (typeof exp !== 'number' || Number.isNaN(exp))) {
      return invalid('expiresAt must be epoch seconds or a Date')
    }
    let sessionJson
    try {
      sessionJson = JSON.stringify(result.session)
    } catch {
      return invalid('the session is not JSON')
    }
    const out = allowAnswer(sessionJson, ma === undefined ? -1 : Math.floor(ma), exp === undefined || exp === null ? NaN : exp, at)
    if (out.error) return invalid(out.error)
    if (key && out.lifetimeSecs >= 1) await authCache.set(key, { s: sessionJson, e: at + out.lifetimeSecs * 1000 }, at)
    return jsonAnswer(200, out.body)
  }

  const failAnswer = (e) => {
    console.error(`hookseal: withHasuraAuth: resolve threw ${describeError(e)}; answered 500`)
    return jsonAnswer(500, errorJson('the auth webhook failed', 'handler_failed'))
  }

  return makeReceiver('hasuraAuth', true, async (request) => {
    const method = String(request.method || 'GET').toUpperCase()
    let names
    let values
    let graphql = null
    if (method === 'POST') {
      const raw = bodyInput(request.body)
      const f = native.hasuraCheck(AUTH_MODES[mode], raw)
      if (f) return { answer: errorAnswer(400, f.message, f.code) }
      const parsed = typeof request.body === 'object' && request.body !== null && !asBytes(request.body) ? request.body : JSON.parse(bodyText(raw))
      ;({ names, values } = headerPairs(parsed.headers))
      if (mode === 'v2' && parsed.request !== undefined) graphql = parsed.request
    } else {
      ;({ names, values } = headerPairs(request.headers))
    }
    const headers = new Headers()
    names.forEach((n, i) => {
      try {
        headers.append(n, values[i])
      } catch {
        // a name or value Fetch refuses: left out
      }
    })
    const auth = { method, headers, request: graphql }
    let key = null
    if (authCache) {
      key = native.hasuraAuthCacheKey(mode, authCache.names, names, values)
      if (key) {
        const at = clock()
        const hit = await authCache.get(key, at)
        if (hit && hit.d) return { answer: denied() }
        if (hit && typeof hit.s === 'string') {
          const out = allowAnswer(hit.s, -1, hit.e / 1000, at)
          if (!out.error) return { answer: jsonAnswer(200, out.body) }
        }
      }
    }
    return admitted(auth, null, { toAnswer: (r) => answerOf(r, key), failAnswer })
  })
}

/** Sends one command through an ioredis (`call`) or node-redis v4+ (`sendCommand`) client, or null. */
function redisSender(client) {
  if (!client || typeof client !== 'object') return null
  if (typeof client.call === 'function') return (args) => client.call(...args)
  if (typeof client.sendCommand === 'function') return (args) => client.sendCommand(args)
  return null
}

function withTimeout(promise, ms) {
  let timer
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error('timed out')), ms)
  })
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer))
}

/**
 * The receiver-side auth cache: entries `{ s: session JSON, e: expiry ms }` (or `{ d: 1, e }`
 * for a denial) as JSON text, in memory, on Redis or in a `{ get(key), set(key, value, ttlMs) }`
 * store. An entry is never served at or after `e`; a store error is a miss.
 */
function makeAuthCache(cache) {
  const spec = cache === true || cache === 'memory' ? {} : cache
  if (!spec || typeof spec !== 'object') throw new TypeError("hookseal: cache must be { store?, headers?, cacheDenials? } or 'memory'")
  const { store = 'memory', headers = ['authorization', 'cookie'], cacheDenials = false, prefix = 'hookseal:', maxEntries = 10_000, timeoutMs = 1000 } = spec
  if (!Array.isArray(headers) || headers.length === 0 || headers.some((h) => typeof h !== 'string' || h === '')) {
    throw new TypeError('hookseal: cache.headers must be a non-empty array of header names')
  }
  const denialSecs = cacheDenials === true ? 10 : cacheDenials === false ? 0 : positiveInt(cacheDenials, 'cacheDenials', 0)
  let backend
  const send = store === 'memory' ? null : redisSender(store)
  if (store === 'memory') {
    if (!Number.isInteger(maxEntries) || maxEntries < 1) throw new RangeError('hookseal: cache.maxEntries must be a whole number >= 1')
    const map = new Map()
    backend = {
      get(key, at) {
        const v = map.get(key)
        if (v === undefined) return null
        if (v.exp <= at) {
          map.delete(key)
          return null
        }
        return v.text
      },
      set(key, text, ttl, at) {
        map.delete(key)
        map.set(key, { text, exp: at + ttl })
        while (map.size > maxEntries) map.delete(map.keys().next().value)
      },
    }
  } else if (send) {
    if (typeof prefix !== 'string') throw new TypeError('hookseal: cache.prefix must be a string')
    const str = (v) => (v == null ? null : v instanceof Uint8Array ? utf8.decode(v) : String(v))
    backend = {
      get: async (key) => str(await withTimeout(Promise.resolve().then(() => send(['GET', prefix + key])), timeoutMs)),
      set: (key, text, ttl) => withTimeout(Promise.resolve().then(() => send(['SET', prefix + key, text, 'PX', String(ttl)])), timeoutMs),
    }
  } else if (store && typeof store === 'object' && typeof store.get === 'function' && typeof store.set === 'function') {
    backend = { get: (key) => store.get(key), set: (key, text, ttl) => store.set(key, text, ttl) }
  } else {
    throw new TypeError("hookseal: cache.store must be 'memory', an ioredis / node-redis client, or { get(key), set(key, value, ttlMs) }")
  }
  return {
    names: headers.slice(),
    denialSecs,
    async get(key, at) {
      try {
        const text = await backend.get(key, at)
        if (typeof text !== 'string') return null
        const entry = JSON.parse(text)
        return entry && typeof entry.e === 'number' && entry.e > at ? entry : null
      } catch {
        return null
      }
    },
    async set(key, entry, at) {
      const ttl = Math.floor(entry.e - at)
      if (ttl < 1) return
      try {
        await backend.set(key, JSON.stringify(entry), ttl, at)
      } catch {
        // not cached: the next request asks resolve again
      }
    },
  }
}

const RECEIVERS = {
  hygraph: hygraphReceiver,
  sharedSecret: sharedReceiver,
  hasuraEvent: hasuraEventReceiver,
  hasuraAction: hasuraActionReceiver,
  hasuraAuth: hasuraAuthReceiver,
}

/**
 * A framework-neutral receiver (see /docs): `kind` is `hygraph`, `sharedSecret`, `hasuraEvent`,
 * `hasuraAction` or `hasuraAuth`; `options` those of the matching `with*` wrapper.
 * `receiver.admit({ method, headers, body })` → `{ answer }` (send it) or
 * `{ value, settle(status), reply(result), fail(error) }`; `receiver.run(request, invoke)` does
 * both phases and resolves to the answer `{ status, headers, body }`.
 * @param {'hygraph' | 'sharedSecret' | 'hasuraEvent' | 'hasuraAction' | 'hasuraAuth'} kind
 * @param {object} options
 */
export function createReceiver(kind, options) {
  if (typeof kind !== 'string' || !Object.prototype.hasOwnProperty.call(RECEIVERS, kind)) {
    throw new TypeError(`hookseal: createReceiver kind must be one of ${Object.keys(RECEIVERS).join(', ')}`)
  }
  return RECEIVERS[kind](options)
}

/** An answer `{ status, headers, body }` as a Fetch Response. */
export function answerResponse(answer) {
  const empty = answer.status === 204 || answer.status === 304 || answer.body === '' || answer.body == null
  return new Response(empty ? null : answer.body, { status: answer.status, headers: answer.headers })
}

/** Writes an answer `{ status, headers, body }` to a Node response (nothing when one was sent). */
export function sendAnswer(res, answer) {
  if (res.headersSent || res.writableEnded) return
  res.statusCode = answer.status
  for (const [k, v] of Object.entries(answer.headers || {})) res.setHeader(k, v)
  res.end(answer.body || undefined)
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

function isFetchCall(req, rest) {
  return isFetchRequest(req, 1 + rest.length) || (rest.length > 0 && !isNodeResponse(rest[0]) && isFetchRequest(req, 1))
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
  sendAnswer(res, jsonAnswer(status, body))
}

function fetchResponse(status, body) {
  return new Response(body, { status, headers: JSON_HEADERS })
}

let warnedParsed = false
function warnParsedBody() {
  if (warnedParsed) return
  warnedParsed = true
  console.warn(
    'hookseal: withHygraphSignature got a body already parsed by a body parser (express.json()?), so it verifies ' +
      'JSON.stringify(req.body), which differs from the bytes Hygraph signed for some bodies. Keep the raw body: ' +
      "const { keepRawBody } = require('hookseal/express'); app.use(express.json({ verify: keepRawBody }))",
  )
}

/** The raw body of a Node request, or the drop-in body path when a framework parsed it. */
async function nodeRawBody(req) {
  // The bytes a body parser's `verify` hook kept (`keepRawBody` of hookseal/express).
  const kept = req.rawBody
  if (typeof kept === 'string') return { raw: kept, parsed: false }
  if (kept !== undefined && kept !== null && asBytes(kept)) return { raw: asBytes(kept), parsed: false }
  const b = req.body
  // body-parser 1.x (Express 4) sets `req.body = {}` on every request, also when it left the
  // stream unread (another content type): then the stream still holds the body.
  const unread = req.readableEnded === false && req._body !== true && typeof req.on === 'function'
  if (b !== undefined && b !== null && !(unread && typeof b === 'object' && !asBytes(b))) {
    if (typeof b === 'string') return { raw: b, parsed: false }
    const bytes = asBytes(b)
    if (bytes) return { raw: bytes, parsed: false }
    // Already parsed by a body parser: JSON.stringify(body), as the drop-in does.
    return { raw: JSON.stringify(b), parsed: true }
  }
  if (typeof req.on !== 'function') return { raw: '', parsed: false }
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
 * The Node `(req, res)` adapter: reads the body (when the kind needs it), admits, puts `value`
 * on `req[prop]`, runs the handler, settles. `compat` (the Hygraph and shared-secret wrappers,
 * as they always were): a throw is re-thrown after the claim is released, and a handler's
 * return value is returned, not sent.
 */
async function nodeAdapter(receiver, handler, prop, compat, req, res, rest) {
  let body
  if (receiver.needsBody) {
    let parsed
    try {
      ;({ raw: body, parsed } = await nodeRawBody(req))
    } catch {
      return nodeSend(res, 400, errorJson('the request body could not be read', 'malformed_body'))
    }
    if (parsed && receiver.kind === 'hygraph') warnParsedBody()
  }
  const a = await receiver.admit({ method: req.method, headers: req.headers, body })
  if (a.answer) return sendAnswer(res, a.answer)
  if (prop) req[prop] = a.value
  let result
  try {
    result = await handler(req, res, ...rest)
  } catch (e) {
    if (compat) {
      await a.settle(500)
      throw e
    }
    const answer = await a.fail(e)
    if (res.headersSent && !res.writableEnded) res.end()
    return sendAnswer(res, answer)
  }
  if (compat || res.headersSent || res.writableEnded) {
    await a.settle(res.statusCode || 200)
    return result
  }
  return sendAnswer(res, await a.reply(result))
}

/** The Fetch `(request, ...) => Response` adapter: the handler gets `(request, value, ...rest)`. */
async function fetchAdapter(receiver, handler, compat, request, rest) {
  const body = receiver.needsBody ? new Uint8Array(await request.clone().arrayBuffer()) : undefined
  const a = await receiver.admit({ method: request.method, headers: request.headers, body })
  if (a.answer) return answerResponse(a.answer)
  let result
  try {
    result = await handler(request, a.value, ...rest)
  } catch (e) {
    if (compat) {
      await a.settle(500)
      throw e
    }
    return answerResponse(await a.fail(e))
  }
  if (isResponseLike(result) && !(result instanceof HasuraActionError)) {
    await a.settle(result.status)
    return result
  }
  return answerResponse(await a.reply(result))
}

function wrapper(name, receiver, handler, prop, compat) {
  if (typeof handler !== 'function') throw new TypeError('hookseal: handler must be a function')
  const w = {
    [name](req, ...rest) {
      if (isFetchCall(req, rest)) return fetchAdapter(receiver, handler, compat, req, rest)
      return nodeAdapter(receiver, handler, prop, compat, req, rest[0], rest.slice(1))
    },
  }
  return w[name]
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
  return wrapper('hooksealHygraph', hygraphReceiver(options), handler, 'hookseal', true)
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
  return wrapper('hooksealShared', sharedReceiver(options), handler, null, true)
}

/**
 * Hasura Event Trigger and scheduled (cron, one-off) deliveries, run once: the shared secret,
 * the payload (400 `malformed_payload` otherwise), then with `replay` the guard keyed by the
 * delivery's `id`: a copy while the first runs → 409 + `Retry-After`; a copy of a done one →
 * 200 `{"duplicate":true}`; the store down → 503 + `Retry-After`. The handler gets the delivery
 * (the payload plus `kind` and `id`) as `req.hasura` or as a Fetch handler's second argument; it
 * answers 2xx (done, kept `doneTtl` seconds, default 7 days), non-2xx or throws (released; a
 * throw → 500 `handler_failed`, logged). A returned value is sent as 200 JSON, nothing as 204.
 * @template {Function} H
 * @param {H} handler
 * @param {{ header: string, secret: string | string[], replay?: ReplayGuard, retryAfter?: number, doneTtl?: number }} options
 * @returns {H}
 */
export function withHasuraEvent(handler, options) {
  if (typeof handler !== 'function') throw new TypeError('hookseal: handler must be a function')
  if (!options || typeof options !== 'object') throw new TypeError('hookseal: options { header, secret } are required')
  return wrapper('hooksealHasuraEvent', hasuraEventReceiver(options), handler, 'hasura', false)
}

/**
 * Hasura Actions: the shared secret, the payload (400 `malformed_payload` otherwise); the handler
 * gets the action (`action.name`, `input`, `session_variables`, `request_query`) as `req.hasura`
 * or a Fetch handler's second argument. A returned value → 200 JSON; a thrown (or returned)
 * `hasuraActionError(...)` → its 4xx `{"message","extensions"}`; any other throw → 500
 * `handler_failed` (no internals in the body; logged). A `(req, res)` handler may also write `res`.
 * @template {Function} H
 * @param {H} handler
 * @param {{ header: string, secret: string | string[] }} options
 * @returns {H}
 */
export function withHasuraAction(handler, options) {
  if (typeof handler !== 'function') throw new TypeError('hookseal: handler must be a function')
  if (!options || typeof options !== 'object') throw new TypeError('hookseal: options { header, secret } are required')
  return wrapper('hooksealHasuraAction', hasuraActionReceiver(options), handler, 'hasura', false)
}

/**
 * A Hasura auth webhook (v2 or DDN; GET and POST forms) around `resolve(auth)`: `auth.headers`
 * (a Fetch `Headers` of the client's headers), `auth.request` (v2 POST's GraphQL request, else
 * null), `auth.method`. `resolve` returns null → 401, or `{ session, maxAge?, expiresAt? }` →
 * 200 with the answer Hasura reads (v2: `X-Hasura-*` strings and `"Cache-Control": "max-age=N"`,
 * N cut to `expiresAt`; DDN: lower-case keys, JSON values). A throw → 500 `handler_failed`; a
 * session that cannot be written → 500 `invalid_session`. Only 200, 401, 500 (and 400 for a
 * malformed POST body). `cache` keeps allowed answers, keyed by a SHA-256 of the named headers,
 * for no longer than their lifetime.
 * @param {(auth: { method: string, headers: Headers, request: unknown }) => unknown} resolve
 * @param {{ mode?: 'v2' | 'ddn', maxAge?: number, cache?: object | 'memory' }} [options]
 */
export function withHasuraAuth(resolve, options) {
  if (typeof resolve !== 'function') throw new TypeError('hookseal: resolve must be a function')
  const receiver = hasuraAuthReceiver(options)
  return function hooksealHasuraAuth(req, ...rest) {
    if (isFetchCall(req, rest)) {
      return (async () => {
        const body = String(req.method).toUpperCase() === 'POST' ? new Uint8Array(await req.clone().arrayBuffer()) : undefined
        return answerResponse(await receiver.run({ method: req.method, headers: req.headers, body }, resolve))
      })()
    }
    const res = rest[0]
    return (async () => {
      let body
      if (String(req.method).toUpperCase() === 'POST') {
        try {
          ;({ raw: body } = await nodeRawBody(req))
        } catch {
          return nodeSend(res, 400, errorJson('the request body could not be read', 'malformed_body'))
        }
      }
      sendAnswer(res, await receiver.run({ method: req.method, headers: req.headers, body }, resolve))
    })()
  }
}

// ---------------------------------------------------------------------------------------------
// Hasura helpers (contract §6)

/**
 * The error an Action handler throws (or returns): Hasura passes its 4xx
 * `{"message", "extensions": {"code", ...}}` to the GraphQL client. `toResponse()` gives a Fetch
 * Response, `send(res)` writes it to a Node response.
 */
export class HasuraActionError extends Error {
  /**
   * @param {string} message
   * @param {string} code
   * @param {number} [status=400]
   * @param {Record<string, unknown>} [extensions] more keys of `extensions` (`code` wins)
   */
  constructor(message, code, status = 400, extensions = undefined) {
    if (typeof message !== 'string' || typeof code !== 'string') {
      throw new TypeError('hookseal: hasuraActionError(message, code, status) takes two strings')
    }
    if (!Number.isInteger(status) || status < 400 || status > 599) {
      throw new RangeError('hookseal: status must be an HTTP error status (400-599)')
    }
    if (extensions !== undefined && (extensions === null || typeof extensions !== 'object' || Array.isArray(extensions))) {
      throw new TypeError('hookseal: extensions must be an object')
    }
    super(message)
    this.name = 'HasuraActionError'
    /** @type {string} */
    this.code = code
    /** @type {number} */
    this.status = status
    let text = native.hasuraErrorBody(message, code)
    if (extensions !== undefined) {
      const body = JSON.parse(text)
      body.extensions = { ...extensions, code }
      text = JSON.stringify(body)
    }
    /** The body as JSON text. */
    this.text = text
    /** The body as an object. */
    this.body = JSON.parse(text)
  }

  /** As a Fetch Response. */
  toResponse() {
    return fetchResponse(this.status, this.text)
  }

  /** Writes it to a Node response. @param {any} res */
  send(res) {
    nodeSend(res, this.status, this.text)
  }
}

/**
 * The error an Action handler throws or returns: a {@link HasuraActionError} (`status`, `body`
 * `{"message", "extensions": {"code"}}`, `text`, `toResponse()`, `send(res)`).
 * @param {string} message
 * @param {string} code
 * @param {number} [status=400]
 * @param {Record<string, unknown>} [extensions]
 */
export function hasuraActionError(message, code, status = 400, extensions = undefined) {
  return new HasuraActionError(message, code, status, extensions)
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

/**
 * Checks a Hasura Event Trigger or scheduled-event (cron, one-off) delivery and returns it with
 * `kind` (`'event'` | `'scheduled'`) and `id`: what {@link withHasuraEvent} hands its handler.
 * @param {string | Uint8Array | object} body
 * @throws {WebhookVerificationError} `malformed_payload`
 */
export function parseHasuraDelivery(body) {
  const text = payloadText(body)
  const d = native.hasuraDelivery(text)
  if (d.failure) throw new WebhookVerificationError(d.failure.code, d.failure.message)
  const parsed = typeof body === 'object' && body !== null && !asBytes(body) ? { ...body } : JSON.parse(typeof text === 'string' ? text : utf8.decode(text))
  return Object.assign(parsed, { kind: d.kind, id: d.id })
}

/** `gcms-signature`. */
export const HEADER = 'gcms-signature'
/** The key prefix of the Redis replay guard. */
export const REPLAY_KEY_PREFIX = RC.keyPrefix
export { backend }
/**
 * Which HMAC-SHA256 runs: `sync` for the drop-in and `verify`, `async` for the wrappers.
 * `'native'` (the addon), `'node:crypto'` / `'webcrypto'` (the host's, over the envelope the
 * WebAssembly engine builds) or `'wasm'` (the core's, in WebAssembly).
 * @type {{ readonly sync: 'native' | 'node:crypto' | 'wasm', readonly async: 'native' | 'node:crypto' | 'webcrypto' | 'wasm' }}
 */
export const hmac = native.hmac || Object.freeze({ sync: 'native', async: 'native' })

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
  withHasuraEvent,
  withHasuraAction,
  withHasuraAuth,
  createReceiver,
  answerResponse,
  sendAnswer,
  HasuraActionError,
  hasuraActionError,
  hasuraAuthResponse,
  parseHasuraDelivery,
  parseHasuraAction,
  parseHasuraEvent,
  HEADER,
  REPLAY_KEY_PREFIX,
  backend,
  hmac,
  fromEnv,
}
export default hookseal
