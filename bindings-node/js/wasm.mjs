/**
 * The WebAssembly engine: the napi addon's engine surface (`binding.js`, from
 * `bindings-node/src/lib.rs`) over the `extern "C"` exports of `bindings-wasm` (see its
 * `src/lib.rs` for the ABI). `tests/engines.test.js` holds the two surfaces to each other.
 *
 * - Arguments go into four Rust-owned buffers ("slots"): `hs_arg(slot, n)` sizes one and returns
 *   its address, this glue writes the bytes, then calls the function.
 * - Strings the core must see exactly (bodies, signatures, environments) are written as UTF-8
 *   when they are well-formed, else as UTF-16LE code units flagged for the core's
 *   `wtf8_from_utf16`: `TextEncoder` would turn a lone surrogate into U+FFFD, and the drop-in's
 *   answer depends on it. Other strings (secrets, header names, keys) are UTF-8 with U+FFFD, as
 *   napi converts them.
 * - Configuration errors come back as status -1 / -2 with the message in the output buffer and are
 *   thrown with napi's codes (`InvalidArg`, `NumberExpected`), which the API maps to TypeError /
 *   RangeError as it does for the addon.
 * - A trap (which would be a bug: the Rust side never panics on any input) is thrown as an Error
 *   and the instance is replaced by a fresh one; engines made before it are rebuilt on their next
 *   use from their configuration, so the package stays usable.
 * - Time always comes from JS: wasm32-unknown-unknown has no clock.
 *
 * No `node:` import: this file runs in Node, Edge, Workers, Deno and browsers alike.
 */

const E_TYPE = -1
const E_RANGE = -2
const SIG = 1
const RAW = 2
const BODY = 4

const encoder = new TextEncoder()
const decoder = new TextDecoder()
const LONE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/
const wellFormed =
  typeof String.prototype.isWellFormed === 'function' ? (s) => s.isWellFormed() : (s) => !LONE.test(s)
const CLAIM = ['new', 'in_progress', 'done']

/**
 * The engine of a runtime without native addons (Edge, Workers, Deno, browsers): throws when
 * HOOKSEAL_BACKEND asks for the native one, which cannot load here. A bundler picked this entry
 * through the package's export conditions; the message says what to change. During `next build`
 * (which evaluates Edge routes) this fails the build.
 * @param {string} where the runtime, for the message
 */
export function refuseNative(where) {
  const env = globalThis.process && globalThis.process.env
  const want = env ? env.HOOKSEAL_BACKEND : undefined
  if (want === 'native') {
    throw new Error(
      `hookseal: HOOKSEAL_BACKEND=native, but this code runs on ${where}, which cannot load native addons: ` +
        'only the WebAssembly engine runs here. Unset HOOKSEAL_BACKEND (or set it to "wasm") for this build, ' +
        'or serve the route on the Node.js runtime (in Next.js: remove `export const runtime = "edge"`).',
    )
  }
}

function napiError(code, message) {
  const e = new Error(message)
  e.code = code
  return e
}

/**
 * The engine surface over a compiled `hookseal.wasm` module (`WebAssembly.Module`).
 * @param {WebAssembly.Module} module
 */
export function wasmEngine(module) {
  let x // the instance's exports
  let generation = 0
  let view = new Uint8Array(0)

  function start() {
    x = new WebAssembly.Instance(module, {}).exports
    generation++
  }
  start()

  function mem() {
    if (view.buffer !== x.memory.buffer) view = new Uint8Array(x.memory.buffer)
    return view
  }

  /** After a trap the instance's state cannot be trusted: start a fresh one, then report it. */
  function trapped(e) {
    if (e instanceof WebAssembly.RuntimeError) {
      start()
      return new Error(`hookseal: the WebAssembly engine failed (${e.message}); it was restarted`, { cause: e })
    }
    return e
  }

  function alloc(slot, n) {
    const p = x.hs_arg(slot, n)
    if (p === 0 && n > 0) throw napiError('GenericFailure', 'hookseal: out of WebAssembly memory')
    return p
  }

  function putBytes(slot, bytes) {
    const p = alloc(slot, bytes.length)
    mem().set(bytes, p)
  }

  /** A string as UTF-8 (lone surrogates → U+FFFD, as napi's String conversion). */
  function putText(slot, s) {
    const max = s.length * 3
    const p = alloc(slot, max)
    const { written } = encoder.encodeInto(s, mem().subarray(p, p + max))
    x.hs_arg(slot, written)
  }

  /** A string exactly: UTF-8 when well-formed, else UTF-16LE (returns 1, the slot's flag). */
  function putExact(slot, s) {
    if (wellFormed(s)) {
      putText(slot, s)
      return 0
    }
    const p = alloc(slot, s.length * 2)
    const m = mem()
    for (let i = 0; i < s.length; i++) {
      const c = s.charCodeAt(i)
      m[p + 2 * i] = c & 0xff
      m[p + 2 * i + 1] = c >> 8
    }
    return 1
  }

  /**
   * The napi addon's `read_bytes`: `undefined`/`null` absent (returns -1), a string exactly, a
   * Uint8Array as its bytes (as UTF-16LE when `utf16`). Returns the slot's UTF-16 flag (0/1).
   */
  function putValue(slot, v, utf16) {
    if (v === undefined || v === null) return -1
    if (typeof v === 'string') return putExact(slot, v)
    if (ArrayBuffer.isView(v) && !(v instanceof DataView)) {
      if (!(v instanceof Uint8Array)) throw napiError('InvalidArg', 'expected a Buffer or Uint8Array')
      putBytes(slot, v)
      return utf16 ? 1 : 0
    }
    throw napiError('InvalidArg', 'expected a string, Buffer or Uint8Array')
  }

  /** A list packed into one slot: u32 LE length + bytes per item (strings as UTF-8). */
  function putList(slot, items, what) {
    if (!Array.isArray(items)) throw napiError('ArrayExpected', `${what} must be an array`)
    const parts = items.map((v) => {
      if (typeof v === 'string') return encoder.encode(v)
      if (v instanceof Uint8Array) return v
      throw napiError('InvalidArg', `${what}: expected a string or Uint8Array`)
    })
    const p = alloc(slot, parts.reduce((n, b) => n + 4 + b.length, 0))
    const m = mem()
    let at = p
    for (const b of parts) {
      new DataView(m.buffer).setUint32(at, b.length, true)
      m.set(b, at + 4)
      at += 4 + b.length
    }
  }

  function str(v, what) {
    if (typeof v !== 'string') throw napiError('StringExpected', `${what} must be a string`)
    return v
  }

  function out() {
    const p = x.hs_out_ptr()
    return mem().subarray(p, p + x.hs_out_len())
  }
  const outText = () => decoder.decode(out())
  const outJson = () => JSON.parse(outText())

  /** Throws the error a negative status stands for. */
  function check(status) {
    if (status >= 0) return status
    const code = status === E_TYPE ? 'InvalidArg' : status === E_RANGE ? 'NumberExpected' : 'GenericFailure'
    throw napiError(code, outText())
  }

  /**
   * An engine handle that outlives a restart: `make()` (its configuration, captured at creation)
   * builds it again in a fresh instance. Freed when JS drops the handle.
   */
  const finalizer =
    typeof FinalizationRegistry === 'function'
      ? new FinalizationRegistry((held) => {
          if (held.generation === generation) x.hs_drop(held.h)
        })
      : null
  class Handle {
    constructor(make) {
      this.make = make
      this.held = { h: 0, generation: 0 }
      this.id()
      if (finalizer) finalizer.register(this, this.held)
    }
    id() {
      if (this.held.generation !== generation) {
        this.held.h = check(this.make())
        this.held.generation = generation
      }
      return this.held.h
    }
  }

  /** Runs a call; a trap restarts the instance and throws. */
  function call(fn) {
    try {
      return fn()
    } catch (e) {
      throw trapped(e)
    }
  }

  const copies = (list) => list.map((s) => (s instanceof Uint8Array ? s.slice() : s))

  function compatNew(secrets) {
    const list = Array.isArray(secrets) ? copies(secrets) : secrets
    return call(
      () =>
        new Handle(() => {
          putList(0, list, 'secrets')
          return x.hs_compat_new()
        }),
    )
  }

  function compatVerify(engine, signature, rawPayload, bodyJson, utf16) {
    try {
      const h = engine.id()
      let present = 0
      let flags = 0
      let f = putValue(0, signature, utf16 & SIG)
      if (f >= 0) (present |= 1), (flags |= f * SIG)
      f = putValue(1, rawPayload, utf16 & RAW)
      if (f >= 0) (present |= 2), (flags |= f * RAW)
      // The reference never looks at `body` when `rawPayload` is non-empty.
      if (!(present & 2) || rawPayload.length === 0) {
        f = putValue(2, bodyJson, utf16 & BODY)
        if (f >= 0) (present |= 4), (flags |= f * BODY)
      }
      return check(x.hs_compat_verify(h, present, flags)) === 1
    } catch (e) {
      throw trapped(e)
    }
  }

  function compatGenerate(engine, rawPayload, bodyJson, environment, timestamp, utf16) {
    return call(() => {
      const h = engine.id()
      let present = 0
      let flags = 0
      let f = putValue(1, rawPayload, utf16 & RAW)
      if (f >= 0) (present |= 2), (flags |= f * RAW)
      if (!(present & 2) || rawPayload.length === 0) {
        f = putValue(2, bodyJson, utf16 & BODY)
        if (f >= 0) (present |= 4), (flags |= f * BODY)
      }
      f = putValue(0, environment, utf16 & SIG)
      if (f >= 0) (present |= 1), (flags |= f * SIG)
      if (check(x.hs_compat_generate(h, present, flags, Number(timestamp))) === 0) return outText()
      const bytes = out()
      let s = ''
      for (let i = 0; i + 1 < bytes.length; i += 2) s += String.fromCharCode(bytes[i] | (bytes[i + 1] << 8))
      return s
    })
  }

  function strictNew(secrets, tolerance, environments) {
    const list = Array.isArray(secrets) ? copies(secrets) : secrets
    const envs = environments === undefined || environments === null ? null : [...environments]
    const hasTol = tolerance !== undefined && tolerance !== null
    if (hasTol && typeof tolerance !== 'number') throw napiError('NumberExpected', 'tolerance must be a number')
    return call(
      () =>
        new Handle(() => {
          putList(0, list, 'secrets')
          if (envs) putList(1, envs.map((e) => str(e, 'environments')), 'environments')
          return x.hs_strict_new(hasTol ? tolerance : 0, hasTol ? 1 : 0, envs ? 1 : 0)
        }),
    )
  }

  function strictTolerance(engine) {
    return call(() => {
      const t = x.hs_strict_tolerance(engine.id())
      return t === -1 ? null : check(t)
    })
  }

  function strictVerify(engine, rawBody, header, nowMs, wantKey) {
    return call(() => {
      const h = engine.id()
      const f = putValue(0, rawBody, 0)
      putText(1, str(header, 'header'))
      check(x.hs_strict_verify(h, f > 0 ? 1 : 0, Number(nowMs), wantKey ? 1 : 0))
      return outJson()
    })
  }

  function signStrict(secret, body, environment, timestampMs) {
    return call(() => {
      putText(0, str(secret, 'secret'))
      putText(1, str(body, 'body'))
      putText(2, str(environment, 'environment'))
      check(x.hs_sign_strict(Number(timestampMs)))
      return outText()
    })
  }

  class SharedSecretChecker {
    /** A checker for `header` (any case) holding one of `secrets`. */
    constructor(header, secrets) {
      str(header, 'header')
      const list = Array.isArray(secrets) ? copies(secrets) : secrets
      this.handle = call(
        () =>
          new Handle(() => {
            putText(0, header)
            putList(1, list, 'secrets')
            return x.hs_shared_new()
          }),
      )
    }

    /** The header name, lower case. */
    get header() {
      return call(() => {
        check(x.hs_shared_header(this.handle.id()))
        return outText()
      })
    }

    /** Checks `(name, value)` pairs; `null` when the secret matches. */
    check(names, values) {
      return call(() => {
        const h = this.handle.id()
        putList(0, names.map((n) => str(n, 'names')), 'names')
        putList(1, values.map((v) => str(v, 'values')), 'values')
        return check(x.hs_shared_check(h)) === 0 ? null : outJson()
      })
    }
  }

  function keyAndToken(key, token) {
    putText(0, str(key, 'key'))
    putText(1, str(token, 'token'))
  }

  function num(v, what) {
    if (typeof v !== 'number') throw napiError('NumberExpected', `${what} must be a number`)
    return v
  }

  class MemoryStore {
    /** A store of at most `maxEntries` keys. */
    constructor(maxEntries) {
      if (typeof maxEntries !== 'number') throw napiError('NumberExpected', 'maxEntries must be a number')
      this.handle = call(() => new Handle(() => x.hs_store_new(maxEntries)))
    }

    /** `"new"`, `"in_progress"` or `"done"`; a new claim stores `processing:<token>`. */
    claim(key, nowMs, processingTtlMs, token) {
      return call(() => {
        const h = this.handle.id()
        keyAndToken(key, token)
        return CLAIM[check(x.hs_store_claim(h, num(nowMs, 'nowMs'), num(processingTtlMs, 'processingTtlMs')))]
      })
    }

    /** Marks `key` handled for `doneTtlMs`; `true` if it still held the claim of `token`. */
    complete(key, nowMs, doneTtlMs, token) {
      return call(() => {
        const h = this.handle.id()
        keyAndToken(key, token)
        return check(x.hs_store_complete(h, num(nowMs, 'nowMs'), num(doneTtlMs, 'doneTtlMs'))) === 1
      })
    }

    /** Deletes `key` only while it holds the claim of `token`; `true` if it did. */
    release(key, token, nowMs) {
      return call(() => {
        const h = this.handle.id()
        keyAndToken(key, token)
        return check(x.hs_store_release(h, num(nowMs, 'nowMs'))) === 1
      })
    }

    /** Entries held. */
    get size() {
      return call(() => check(x.hs_store_size(this.handle.id())))
    }
  }

  function replayConstants() {
    return call(() => {
      check(x.hs_replay_constants())
      return outJson()
    })
  }

  function replayDoneTtlMs(toleranceSecs) {
    const windowed = toleranceSecs === null || toleranceSecs === undefined ? 0 : 1
    return call(() => check(x.hs_replay_done_ttl_ms(windowed ? Number(toleranceSecs) : 0, windowed)))
  }

  function hasuraErrorBody(message, code) {
    return call(() => {
      putText(0, str(message, 'message'))
      putText(1, str(code, 'code'))
      check(x.hs_hasura_error_body())
      return outText()
    })
  }

  function hasuraAuthResponseJson(keys, values, cacheKind, cacheValue) {
    return call(() => {
      putList(0, keys.map((k) => str(k, 'keys')), 'keys')
      const tagged = values.map((v) => {
        if (typeof v === 'string') return Uint8Array.of(0x73, ...encoder.encode(v))
        if (typeof v === 'boolean') return Uint8Array.of(0x62, v ? 1 : 0)
        if (typeof v === 'number') {
          const b = new Uint8Array(9)
          b[0] = 0x6e
          new DataView(b.buffer).setFloat64(1, v, true)
          return b
        }
        throw napiError('InvalidArg', 'session values must be strings, numbers or booleans')
      })
      putList(1, tagged, 'values')
      check(x.hs_hasura_auth_response_json(cacheKind, Number(cacheValue)))
      return outText()
    })
  }

  function hasuraCheck(kind, json) {
    return call(() => {
      const f = putValue(0, json, 0)
      if (f < 0) x.hs_arg(0, 0)
      return check(x.hs_hasura_check(kind, f > 0 ? 1 : 0)) === 0 ? null : outJson()
    })
  }

  function hasuraDelivery(body) {
    return call(() => {
      const f = putValue(0, body, 0)
      if (f < 0) x.hs_arg(0, 0)
      check(x.hs_hasura_delivery(f > 0 ? 1 : 0))
      return outJson()
    })
  }

  function hasuraAuthAnswer(mode, sessionJson, maxAgeSecs, expiresAtSecs, nowSecs) {
    return call(() => {
      putText(0, str(mode, 'mode'))
      putText(1, str(sessionJson, 'sessionJson'))
      const [a, e, n] = [num(maxAgeSecs, 'maxAgeSecs'), num(expiresAtSecs, 'expiresAtSecs'), num(nowSecs, 'nowSecs')]
      check(x.hs_hasura_auth_answer(a, e, n))
      return outJson()
    })
  }

  function hasuraAuthCacheKey(mode, names, headerNames, headerValues) {
    return call(() => {
      putText(0, str(mode, 'mode'))
      putList(1, names.map((v) => str(v, 'names')), 'names')
      putList(2, headerNames.map((v) => str(v, 'headerNames')), 'headerNames')
      putList(3, headerValues.map((v) => str(v, 'headerValues')), 'headerValues')
      return check(x.hs_hasura_auth_cache_key()) === 1 ? outText() : null
    })
  }

  function wrapperCodes() {
    return call(() => {
      check(x.hs_wrapper_codes())
      return outJson()
    })
  }

  return {
    MemoryStore,
    SharedSecretChecker,
    compatGenerate,
    compatNew,
    compatVerify,
    hasuraAuthResponseJson,
    hasuraAuthAnswer,
    hasuraAuthCacheKey,
    hasuraCheck,
    hasuraDelivery,
    hasuraErrorBody,
    replayConstants,
    replayDoneTtlMs,
    signStrict,
    wrapperCodes,
    strictNew,
    strictTolerance,
    strictVerify,
    /** For the tests: engines held by the instance, and a way to make it trap. */
    _wasm: {
      live: () => x.hs_live(),
      trap: () => call(() => x.hs_trap()),
    },
  }
}
