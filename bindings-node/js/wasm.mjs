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
 * - Bytes are read through the typed-array intrinsics captured below, never through the value's
 *   own `length`/`buffer` (a subclass getter or an own property could lie about them): a slot is
 *   sized from the real length, once, and exactly that many bytes are copied. A detached buffer
 *   reads as no bytes, as napi reads it.
 * - A trap (which would be a bug: the Rust side never panics on any input; or memory running out)
 *   is thrown as an Error and the instance is replaced by a fresh one; engines made before it are
 *   rebuilt on their next use from their configuration, so the package stays usable. Memory
 *   replay stores live in an instance of their own, which a trap elsewhere never touches; if that
 *   instance itself traps, the stores made in it fail closed from then on (their state is gone).
 * - The HMAC: where the host has a fast one (`node:crypto`, passed in by the Node entry; Web
 *   Crypto for the asynchronous strict verify), the core builds the envelope and the host MACs it;
 *   the core compares the MACs in constant time and makes every other check
 *   (`hookseal::hygraph::host`). Elsewhere, and for bodies under `HOST_MIN` bytes, the core's own
 *   HMAC runs. `hmac` says which route bigger bodies take.
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

// The typed-array intrinsics, captured at load: a value's own `length` or `buffer` may lie.
const TYPED = Object.getPrototypeOf(Uint8Array.prototype)
const intrinsic = (name) => {
  const get = Object.getOwnPropertyDescriptor(TYPED, name).get
  return (v) => Reflect.apply(get, v, [])
}
/** 'Uint8Array' for a real Uint8Array (any subclass), another name or undefined otherwise. */
const typedKind = intrinsic(Symbol.toStringTag)
/** The real element count (0 when the buffer is detached). */
const typedLength = intrinsic('length')
const typedBuffer = intrinsic('buffer')
const typedOffset = intrinsic('byteOffset')
const EMPTY = new Uint8Array(0)
/** Largest slot: hs_arg takes a u32 length. */
const MAX_SLOT = 0xffffffff
/**
 * Bodies shorter than this (bytes) are MACed by the core in WebAssembly on every route: a call
 * into the host's HMAC costs more than hashing a few hundred bytes (measured in Node: createHmac's
 * fixed cost ~3 µs, a Web Crypto sign ~20 µs; the core's HMAC hashes ~1 KiB in about that).
 */
const HOST_MIN = 1024

/**
 * The bytes of `v` if it is a Uint8Array (by its internal slot, as napi checks it): a fresh,
 * fixed-length view of exactly its real bytes; `null` for anything else.
 */
function realBytes(v) {
  if (typedKind(v) !== 'Uint8Array') return null
  const n = typedLength(v)
  return n === 0 ? EMPTY : new Uint8Array(typedBuffer(v), typedOffset(v), n)
}

/** A private copy of a secret's bytes (strings as UTF-8 with U+FFFD, as napi converts them). */
function secretBytes(s) {
  if (typeof s === 'string') return encoder.encode(s)
  const b = realBytes(s)
  return b === null ? s : b.slice()
}

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

/**
 * Which HMAC each kind of call runs. `sync` (the drop-in, `verify`): `node:crypto` when given,
 * else the core's. `async` (the wrappers' strict verify): `node:crypto` when given, else Web
 * Crypto where it exists, else the core's. `options.hmac` forces one where it can run.
 */
function hmacRoutes({ nodeCrypto, hmac } = {}) {
  const webcrypto = typeof globalThis.crypto === 'object' && globalThis.crypto !== null && typeof globalThis.crypto.subtle === 'object'
  if (hmac !== undefined && !['node:crypto', 'webcrypto', 'wasm'].includes(hmac)) {
    throw new Error(`hookseal: hmac must be "node:crypto", "webcrypto" or "wasm", not ${JSON.stringify(hmac)}`)
  }
  if (hmac === 'node:crypto' && !nodeCrypto) throw new Error('hookseal: hmac "node:crypto" needs node:crypto (Node only)')
  if (hmac === 'webcrypto' && !webcrypto) throw new Error('hookseal: hmac "webcrypto" needs globalThis.crypto.subtle')
  if (hmac === 'wasm') return Object.freeze({ sync: 'wasm', async: 'wasm' })
  if (hmac === 'webcrypto') return Object.freeze({ sync: 'wasm', async: 'webcrypto' })
  if (nodeCrypto) return Object.freeze({ sync: 'node:crypto', async: 'node:crypto' })
  return Object.freeze({ sync: 'wasm', async: webcrypto ? 'webcrypto' : 'wasm' })
}

function napiError(code, message) {
  const e = new Error(message)
  e.code = code
  return e
}

/**
 * The engine surface over a compiled `hookseal.wasm` module (`WebAssembly.Module`).
 * @param {WebAssembly.Module} module
 * @param {{ nodeCrypto?: object, hmac?: 'node:crypto' | 'webcrypto' | 'wasm', hostMin?: number }} [options]
 *   `nodeCrypto`: Node's `node:crypto` (the Node entry passes it); `hmac` forces one HMAC and
 *   `hostMin` the body size from which the host's HMAC runs (tests).
 */
export function wasmEngine(module, options = {}) {
  let x // the exports of the instance in use (the main one, or the stores' one during a store call)
  let main // the main instance's exports
  let generation = 0
  let view = new Uint8Array(0)
  let writes = 0 // slot writes so far (an awaited host MAC checks whether its slots were reused)

  function start() {
    main = x = new WebAssembly.Instance(module, {}).exports
    generation++
    writes++
  }
  start()

  const hmac = hmacRoutes(options)
  const nodeCrypto = options.nodeCrypto
  const hostMin = options.hostMin ?? HOST_MIN

  // The memory replay stores' own instance (made with the first store): a trap in any other call
  // restarts the main instance and leaves the stores' state alone.
  let stores = null
  let storeGeneration = 0

  /** Runs `fn` (a store call) on the stores' instance. A trap there loses every store's state. */
  function inStores(fn) {
    if (stores === null) {
      stores = new WebAssembly.Instance(module, {}).exports
      storeGeneration++
    }
    x = stores
    try {
      return fn()
    } catch (e) {
      if (e instanceof WebAssembly.RuntimeError) {
        stores = null
        throw new Error(
          `hookseal: the WebAssembly engine failed (${e.message}) in a memory replay store, whose state is lost: ` +
            'the memory replay guards made before now fail closed (wrappers answer 503); restart the process',
          { cause: e },
        )
      }
      throw e
    } finally {
      x = main
    }
  }

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
    if (!(n <= MAX_SLOT)) throw napiError('GenericFailure', 'hookseal: out of WebAssembly memory')
    writes++
    const p = x.hs_arg(slot, n)
    if (p === 0 && n > 0) throw napiError('GenericFailure', 'hookseal: out of WebAssembly memory')
    return p
  }

  /** `bytes`: a view from `realBytes` (its length is real). */
  function putBytes(slot, bytes) {
    const n = typedLength(bytes)
    const p = alloc(slot, n)
    if (n > 0) mem().set(bytes, p)
  }

  /** A string as UTF-8 (lone surrogates → U+FFFD, as napi's String conversion). */
  function putText(slot, s) {
    // A first guess of 1.5 bytes a unit (the slot is zero-filled as it grows: 3 a unit would
    // triple that work for mostly-ASCII text), then room for the rest at 3 bytes a unit.
    let room = s.length + (s.length >> 1) + 16
    let p = alloc(slot, room)
    let { read, written } = encoder.encodeInto(s, mem().subarray(p, p + room))
    if (read < s.length) {
      room = written + (s.length - read) * 3
      p = alloc(slot, room)
      written += encoder.encodeInto(s.slice(read), mem().subarray(p + written, p + room)).written
    }
    x.hs_arg(slot, written)
    putLen = written
    return p
  }

  /** A string exactly: UTF-8 when well-formed, else UTF-16LE (returns 1, the slot's flag). */
  function putExact(slot, s) {
    // UTF-8 without a byte 0xEF holds no U+FFFD: nothing was replaced, the string is well-formed
    // (a scan of the output, cheaper than `isWellFormed` on long two-byte strings).
    const p0 = putText(slot, s)
    if (putLen === 0 || mem().subarray(p0, p0 + putLen).indexOf(0xef) < 0 || wellFormed(s)) return 0
    const p = alloc(slot, s.length * 2)
    const m = mem()
    for (let i = 0; i < s.length; i++) {
      const c = s.charCodeAt(i)
      m[p + 2 * i] = c & 0xff
      m[p + 2 * i + 1] = c >> 8
    }
    putLen = s.length * 2
    return 1
  }

  /** Bytes the last `putValue`/`putText` wrote (the real count, not the value's `length`). */
  let putLen = 0

  /**
   * The napi addon's `read_bytes`: `undefined`/`null` absent (returns -1), a string exactly, a
   * Uint8Array as its bytes (as UTF-16LE when `utf16`). Returns the slot's UTF-16 flag (0/1).
   */
  function putValue(slot, v, utf16) {
    if (v === undefined || v === null) return -1
    if (typeof v === 'string') return putExact(slot, v)
    const kind = typedKind(v)
    if (kind !== undefined) {
      const bytes = realBytes(v)
      if (bytes === null) throw napiError('InvalidArg', 'expected a Buffer or Uint8Array')
      putBytes(slot, bytes)
      putLen = typedLength(bytes)
      return utf16 ? 1 : 0
    }
    throw napiError('InvalidArg', 'expected a string, Buffer or Uint8Array')
  }

  /** At least the UTF-8 size of a body (strings: their length), for the HOST_MIN choice. */
  const byteSize = (v) => (typeof v === 'string' ? v.length : realBytes(v) === null ? 0 : typedLength(realBytes(v)))

  /** True when the value last put holds no text: what napi's `is_empty` sees after decoding. */
  const putEmpty = (utf16) => putLen < (utf16 ? 2 : 1)

  /** A list packed into one slot: u32 LE length + bytes per item (strings as UTF-8). */
  function putList(slot, items, what) {
    if (!Array.isArray(items)) throw napiError('ArrayExpected', `${what} must be an array`)
    const parts = items.map((v) => {
      if (typeof v === 'string') return encoder.encode(v)
      const b = realBytes(v)
      if (b !== null) return b
      throw napiError('InvalidArg', `${what}: expected a string or Uint8Array`)
    })
    const lengths = parts.map(typedLength)
    const p = alloc(slot, lengths.reduce((n, len) => n + 4 + len, 0))
    const m = mem()
    const dv = new DataView(m.buffer)
    let at = p
    parts.forEach((b, i) => {
      dv.setUint32(at, lengths[i], true)
      if (lengths[i] > 0) m.set(b, at + 4)
      at += 4 + lengths[i]
    })
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

  const copies = (list) => list.map((s) => (realBytes(s) !== null ? realBytes(s).slice() : s))

  /** A handle of an engine that MACs with `list` (its secrets): their keys for the host HMAC. */
  function keyed(handle, list) {
    if (hmac.sync !== 'wasm' || hmac.async !== 'wasm') handle.secrets = Array.isArray(list) ? list.map(secretBytes) : []
    return handle
  }

  function compatNew(secrets) {
    const list = Array.isArray(secrets) ? copies(secrets) : secrets
    const handle = call(
      () =>
        new Handle(() => {
          putList(0, list, 'secrets')
          return x.hs_compat_new()
        }),
    )
    return keyed(handle, list)
  }

  /** The MACs of the envelope in the output under each of the engine's secrets, into slot 3 (sync host HMAC). */
  function putHostMacs(engine) {
    const envelope = out()
    const keys = nodeKeys(engine)
    const macs = new Uint8Array(32 * keys.length)
    keys.forEach((k, i) => macs.set(nodeCrypto.createHmac('sha256', k).update(envelope).digest(), 32 * i))
    putBytes(3, macs)
  }

  function nodeKeys(engine) {
    if (engine.nodeKeys === undefined) engine.nodeKeys = engine.secrets.map((b) => nodeCrypto.createSecretKey(b))
    return engine.nodeKeys
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
      let size = present & 2 ? putLen : 0
      // The reference never looks at `body` when `rawPayload` is non-empty.
      if (!(present & 2) || putEmpty(flags & RAW)) {
        f = putValue(2, bodyJson, utf16 & BODY)
        if (f >= 0) (present |= 4), (flags |= f * BODY), (size = putLen)
      }
      if (hmac.sync === 'wasm' || size < hostMin) return check(x.hs_compat_verify(h, present, flags)) === 1
      // Host HMAC: the core writes the envelope, node:crypto MACs it, the core compares.
      if (check(x.hs_compat_begin(h, present, flags)) === 0) return false
      for (let spelling = 0; ; spelling = 1) {
        putHostMacs(engine)
        const r = check(x.hs_compat_step(h, present, flags, spelling))
        if (r !== 2) return r === 1
      }
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
      if (!(present & 2) || putEmpty(flags & RAW)) {
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
    const handle = call(
      () =>
        new Handle(() => {
          putList(0, list, 'secrets')
          if (envs) putList(1, envs.map((e) => str(e, 'environments')), 'environments')
          return x.hs_strict_new(hasTol ? tolerance : 0, hasTol ? 1 : 0, envs ? 1 : 0)
        }),
    )
    return keyed(handle, list)
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
      const f = putValue(0, rawBody, 0) > 0 ? 1 : 0
      const size = putLen
      putText(1, str(header, 'header'))
      if (hmac.sync === 'wasm' || size < hostMin) {
        check(x.hs_strict_verify(h, f, Number(nowMs), wantKey ? 1 : 0))
        return outJson()
      }
      // Host HMAC: the core checks header and body and writes the envelope, node:crypto MACs it.
      if (check(x.hs_strict_begin(h, f)) === 0) return outJson()
      for (let spelling = 0; ; spelling = 1) {
        putHostMacs(engine)
        if (check(x.hs_strict_step(h, f, spelling, Number(nowMs), wantKey ? 1 : 0)) === 0) return outJson()
      }
    })
  }

  /** Web Crypto keys of the engine's secrets, imported once. */
  function webKeys(engine) {
    if (engine.webKeys === undefined) {
      const subtle = globalThis.crypto.subtle
      const alg = { name: 'HMAC', hash: 'SHA-256' }
      engine.webKeys = Promise.all(engine.secrets.map((b) => subtle.importKey('raw', b, alg, false, ['sign'])))
      engine.webKeys.catch(() => (engine.webKeys = undefined))
    }
    return engine.webKeys
  }

  /**
   * `strictVerify`, as a Promise: with Web Crypto's HMAC (`crypto.subtle`, asynchronous) where it
   * is the host's fast one (Edge, Workers, Deno, browsers), else `strictVerify` itself.
   */
  async function strictVerifyAsync(engine, rawBody, header, nowMs, wantKey) {
    if (hmac.async !== 'webcrypto' || byteSize(rawBody) < hostMin) return strictVerify(engine, rawBody, header, nowMs, wantKey)
    let f = 0
    const put = () => {
      f = putValue(0, rawBody, 0) > 0 ? 1 : 0
      putText(1, str(header, 'header'))
    }
    let envelope = call(() => {
      const h = engine.id()
      put()
      return check(x.hs_strict_begin(h, f)) === 0 ? null : out().slice()
    })
    if (envelope === null) return call(outJson)
    let seen = writes
    const keys = await webKeys(engine)
    for (let spelling = 0; ; spelling = 1) {
      const macs = await Promise.all(keys.map((k) => globalThis.crypto.subtle.sign('HMAC', k, envelope)))
      const next = call(() => {
        const h = engine.id()
        // Another call used the slots while this one awaited: write its arguments again.
        if (writes !== seen) put()
        const all = new Uint8Array(32 * macs.length)
        macs.forEach((m, i) => all.set(new Uint8Array(m), 32 * i))
        putBytes(3, all)
        const r = check(x.hs_strict_step(h, f, spelling, Number(nowMs), wantKey ? 1 : 0))
        seen = writes
        return r === 0 ? null : out().slice()
      })
      if (next === null) return call(outJson)
      envelope = next
    }
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

  /** A store's handle in the stores' instance; after that instance trapped, every use throws. */
  const storeFinalizer =
    typeof FinalizationRegistry === 'function'
      ? new FinalizationRegistry((held) => {
          if (held.generation === storeGeneration && stores !== null) stores.hs_drop(held.h)
        })
      : null
  class StoreHandle {
    constructor(maxEntries) {
      this.held = inStores(() => ({ h: check(x.hs_store_new(maxEntries)), generation: storeGeneration }))
      if (storeFinalizer) storeFinalizer.register(this, this.held)
    }
    id() {
      if (this.held.generation !== storeGeneration || stores === null) {
        throw new Error('hookseal: this memory replay store lost its state in a WebAssembly trap: it fails closed; restart the process')
      }
      return this.held.h
    }
  }

  class MemoryStore {
    /** A store of at most `maxEntries` keys. */
    constructor(maxEntries) {
      if (typeof maxEntries !== 'number') throw napiError('NumberExpected', 'maxEntries must be a number')
      this.handle = new StoreHandle(maxEntries)
    }

    /** `"new"`, `"in_progress"` or `"done"`; a new claim stores `processing:<token>`. */
    claim(key, nowMs, processingTtlMs, token) {
      return inStores(() => {
        const h = this.handle.id()
        keyAndToken(key, token)
        return CLAIM[check(x.hs_store_claim(h, num(nowMs, 'nowMs'), num(processingTtlMs, 'processingTtlMs')))]
      })
    }

    /** Marks `key` handled for `doneTtlMs`; `true` if it still held the claim of `token`. */
    complete(key, nowMs, doneTtlMs, token) {
      return inStores(() => {
        const h = this.handle.id()
        keyAndToken(key, token)
        return check(x.hs_store_complete(h, num(nowMs, 'nowMs'), num(doneTtlMs, 'doneTtlMs'))) === 1
      })
    }

    /** Deletes `key` only while it holds the claim of `token`; `true` if it did. */
    release(key, token, nowMs) {
      return inStores(() => {
        const h = this.handle.id()
        keyAndToken(key, token)
        return check(x.hs_store_release(h, num(nowMs, 'nowMs'))) === 1
      })
    }

    /** Entries held. */
    get size() {
      return inStores(() => check(x.hs_store_size(this.handle.id())))
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

  function replayKeyForBody(env, body) {
    return call(() => {
      putText(0, str(env, 'env'))
      const f = putValue(1, body, 0)
      if (f < 0) x.hs_arg(1, 0)
      check(x.hs_replay_key_for_body(f > 0 ? 1 : 0))
      return outText()
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
    replayKeyForBody,
    signStrict,
    wrapperCodes,
    strictNew,
    strictTolerance,
    strictVerify,
    strictVerifyAsync,
    /** Which HMAC runs: `sync` for the drop-in and `verify`, `async` for the wrappers. */
    hmac,
    /** For the tests: engines held by the instance, and ways to make an instance trap. */
    _wasm: {
      live: () => x.hs_live(),
      trap: () => call(() => x.hs_trap()),
      trapStores: () => inStores(() => x.hs_trap()),
      /** `s` escaped by the core at its best level (or the portable code): `{ bytes, vector }`. */
      escape: (s, scalar, html) =>
        call(() => {
          const f = putValue(0, s, 0)
          const vector = check(x.hs_escape_at(scalar ? 1 : 0, html ? 1 : 0, f > 0 ? 1 : 0)) === 1
          return { bytes: out().slice(), vector }
        }),
    },
  }
}
