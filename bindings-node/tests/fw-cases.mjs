// The shared vectors as framework routes: one case = one route on the app under test (Express,
// Hono in Node and under workerd, Lambda), what its handler does, and what the answer must be.
// Plain ESM with no `node:` imports and no file access, so that the Worker bundle used under
// workerd builds the very same routes: the vector files are passed in.
//
//   strict.json         → kind 'hygraph'       (the route answers 200 with what was verified)
//   shared-secret.json  → kind 'sharedSecret'  (200 {"ok":true})
//   hasura-wrappers.json → kinds 'hasuraEvent', 'hasuraAction', 'hasuraAuth' (handler behaviour,
//                          replay-store state before and after, what the handler / resolve got)
//
// A framework test mounts `case.path` with its adapter, then for each case: `await c.setup()`,
// sends `c.request` (method, headers as [name, value] pairs — repeated names are sent as
// repeated header lines —, body as text or bytes), reads the record (`recordOf(c)`), and calls
// `checkCase(assert, c, answer, record)`.

const hex = (bytes) => Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('')

function fromHex(s) {
  const out = new Uint8Array(s.length / 2)
  for (let i = 0; i < out.length; i++) out[i] = parseInt(s.slice(2 * i, 2 * i + 2), 16)
  return out
}

async function sha256Hex(text) {
  return hex(new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text))))
}

const slug = (s) => s.replace(/[^A-Za-z0-9_-]+/g, '-')

/** Header pairs from a vector's `{ name: value | [value, ...] }`. */
function pairs(headers) {
  const out = []
  for (const [k, v] of Object.entries(headers || {})) for (const x of Array.isArray(v) ? v : [v]) out.push([k, x])
  return out
}

/** strict.json → Hygraph routes. `now` is the verifier's clock for the case (ms). */
export function hygraphCases(strict) {
  return strict.cases.map((c) => {
    const headers = [['content-type', 'application/json']]
    if (c.header !== null && c.header !== undefined) headers.push(['gcms-signature', c.header])
    const options = { secret: c.secrets.length === 1 ? c.secrets[0] : c.secrets, tolerance: c.tolerance }
    if (c.environments) options.environments = c.environments
    return {
      kind: 'hygraph',
      name: `strict/${c.name}`,
      path: `/hygraph/${slug(c.name)}`,
      options,
      now: c.now,
      request: { method: 'POST', headers, body: c.bodyHex !== undefined ? fromHex(c.bodyHex) : c.body },
      expect: c.expect.ok
        ? { status: 200, body: { ok: true, environment: c.expect.environment, timestamp: c.expect.timestamp, secretIndex: c.expect.secretIndex } }
        : { status: 401, code: c.expect.error },
    }
  })
}

/** shared-secret.json → shared-secret routes. */
export function sharedCases(shared) {
  return shared.cases.map((c) => ({
    kind: 'sharedSecret',
    name: `shared/${c.name}`,
    path: `/shared/${slug(c.name)}`,
    options: { header: c.header, secret: c.secrets.length === 1 ? c.secrets[0] : c.secrets },
    request: { method: 'POST', headers: [['content-type', 'application/json'], ...pairs(c.headers)], body: '{}' },
    expect: c.expect === 'ok' ? { status: 200, body: { ok: true } } : { status: 401, code: c.expect },
  }))
}

/** A guard whose every call fails (the store is down). */
function downGuard() {
  const fail = async () => {
    throw new Error('connection refused (test: the store is down)')
  }
  return { claim: fail, complete: fail, release: fail }
}

/** hasura-wrappers.json → Hasura routes; `hs` is the hookseal main API (for its memory guard). */
export async function hasuraCases(wrappers, hs) {
  const out = []
  for (const c of wrappers.event) {
    let key = null
    try {
      const id = JSON.parse(c.request.body).id
      if (typeof id === 'string') key = `hasura:${await sha256Hex(id)}`
    } catch {
      // not JSON: never claimed
    }
    const guard = c.store === 'none' ? undefined : c.store === 'down' ? downGuard() : hs.createMemoryReplayGuard()
    const options = { ...c.options }
    if (guard) options.replay = guard
    out.push({
      kind: 'hasuraEvent',
      name: `event/${c.name}`,
      path: `/event/${slug(c.name)}`,
      options,
      behaviour: c.handler,
      request: { method: c.request.method, headers: pairs(c.request.headers), body: c.request.body },
      expect: c.expect,
      async setup() {
        if (!key || (c.store !== 'processing' && c.store !== 'done')) return
        await guard.claim(key, { token: 'vector-other-copy' })
        if (c.store === 'done') await guard.complete(key, { token: 'vector-other-copy', doneTtlMs: 60_000 })
      },
      /** The key's state once the answer went out: absent | processing | done. */
      async after() {
        if (!key || !guard || c.store === 'down') return undefined
        const token = `vector-probe-${Math.random()}`
        const state = await guard.claim(key, { token })
        if (state === 'new') {
          await guard.release(key, { token })
          return 'absent'
        }
        return state === 'in_progress' ? 'processing' : state
      },
    })
  }
  for (const c of wrappers.action) {
    out.push({
      kind: 'hasuraAction',
      name: `action/${c.name}`,
      path: `/action/${slug(c.name)}`,
      options: { ...c.options },
      behaviour: c.handler,
      request: { method: c.request.method, headers: pairs(c.request.headers), body: c.request.body },
      expect: c.expect,
    })
  }
  for (const c of wrappers.auth) {
    out.push({
      kind: 'hasuraAuth',
      name: `auth/${c.name}`,
      path: `/auth/${slug(c.name)}`,
      options: { ...c.options },
      behaviour: c.resolve,
      request: { method: c.request.method, headers: pairs(c.request.headers), body: c.request.body },
      expect: c.expect,
    })
  }
  return out
}

/**
 * What a route does, framework-neutral. The adapter's handler calls
 * `act(c, record, value)` with what hookseal gave it (verified info, delivery, action, auth) and
 * translates the outcome: `{ status, json }` (answer that; `json` undefined = empty body),
 * `{ value }` (return that value: Actions) or `{ resolved }` (auth: what resolve returns).
 * It throws where the case says the handler throws.
 */
export function act(c, record, value) {
  record.called = true
  switch (c.kind) {
    case 'hygraph':
      record.got = value
      return { status: 200, json: { ok: true, environment: value.environment, timestamp: value.timestamp, secretIndex: value.secretIndex } }
    case 'sharedSecret':
      return { status: 200, json: { ok: true } }
    case 'hasuraEvent': {
      record.got = { kind: value.kind, id: value.id }
      const b = c.behaviour
      if (b === 'throw') throw new Error('the event handler failed (test)')
      if (b === 'ok') return { status: 200, json: { ok: true, kind: value.kind, id: value.id } }
      return { status: b.status, json: b.status === 204 ? undefined : { status: b.status } }
    }
    case 'hasuraAction': {
      record.got = { name: value.action && value.action.name, input: value.input }
      const b = c.behaviour
      if (b === 'throw') throw new Error('database password is hunter2 (test: must not leak)')
      if (b.actionError) {
        const e = b.actionError
        throw c.hs.hasuraActionError(e.message, e.code, e.status ?? 400)
      }
      return { value: b.return }
    }
    case 'hasuraAuth': {
      const want = c.expect.resolveGot
      const got = { method: value.method, request: value.request }
      if (want) got.header = [want.header[0], value.headers.get(want.header[0])]
      record.got = got
      const b = c.behaviour
      if (b === null) return { resolved: null }
      if (b === 'throw') throw new Error('token service unreachable: Bearer abc.def.ghi (test: must not leak)')
      const r = { session: b.session }
      if (b.maxAge !== undefined) r.maxAge = b.maxAge
      if (b.expiresIn !== undefined) r.expiresAt = Date.now() / 1000 + b.expiresIn
      return { resolved: r }
    }
    default:
      throw new Error(`unknown kind ${c.kind}`)
  }
}

/** Gives every case the hookseal API it needs (`c.hs`) and an empty record. */
export function prepare(cases, hs) {
  for (const c of cases) {
    c.hs = hs
    c.record = {}
  }
  return cases
}

/**
 * Compares an answer `{ status, headers: { lower-name: value }, text }` and the case's record
 * (`{ called, got }`, plus `after` for events) with the case's expectations.
 */
export function checkCase(assert, c, answer, record, after) {
  const e = c.expect
  const where = `${c.name}: ${answer.status} ${String(answer.text).slice(0, 300)}`
  assert.equal(answer.status, e.status, where)
  let json
  if (e.code !== undefined || e.body !== undefined) {
    json = JSON.parse(answer.text)
    if (e.code !== undefined) assert.equal(json.extensions && json.extensions.code, e.code, where)
    if (e.body !== undefined) assert.deepEqual(json, e.body, where)
    if (e.code !== undefined) {
      assert.match(String(answer.headers['content-type']), /^application\/json/, `${where}: content-type`)
    }
  }
  for (const [k, v] of Object.entries(e.headers || {})) assert.equal(answer.headers[k], v, `${where}: header ${k}`)
  if (e.handlerCalled !== undefined) assert.equal(Boolean(record.called), e.handlerCalled, `${where}: handler called`)
  if (e.handlerGot !== undefined) assert.deepEqual(record.got, e.handlerGot, `${where}: what the handler got`)
  if (e.resolveGot !== undefined) {
    const want = { method: e.resolveGot.method, header: e.resolveGot.header }
    if ('request' in e.resolveGot) want.request = e.resolveGot.request
    const got = { method: record.got.method, header: record.got.header }
    if ('request' in e.resolveGot) got.request = record.got.request
    assert.deepEqual(got, want, `${where}: what resolve got`)
  }
  if (e.after !== undefined && after !== undefined) assert.equal(after, e.after, `${where}: replay state after`)
  if (c.kind === 'hasuraAction' && answer.status >= 500) {
    assert.ok(!answer.text.includes('hunter2'), `${where}: the 500 names no internals`)
  }
  if (c.kind === 'hasuraAuth') assert.ok(!answer.text.includes('abc.def.ghi'), `${where}: no header value in the answer`)
}
