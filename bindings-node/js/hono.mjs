/**
 * hookseal for Hono (`hookseal/hono`): middleware over hookseal's framework-neutral receiver.
 *
 * Each middleware reads the request (`c.req.raw`: method, headers and, for the kinds that need
 * it, a copy of the body's bytes), asks the receiver, and either answers at once (a failed check,
 * a duplicate delivery, ...) or stores what was verified in `c.set('hookseal', value)` and runs the
 * route. The route's answer then settles the replay claim (2xx: done; anything else: released);
 * a route that throws gets the receiver's answer for a throw (500 `handler_failed`, or the 4xx of
 * a `hasuraActionError`), except Hono's `HTTPException`, whose answer goes out. No check is made here: they are all the receiver's (js/api.mjs), which
 * is the core's. Runs wherever Hono does (Node through @hono/node-server, Workers, Deno, Bun,
 * Vercel Edge): it imports nothing from `hono` and nothing from `node:`.
 *
 * Options may be given as a function of the context, `(c) => options`, called once, on the first
 * request: on Cloudflare Workers the secrets arrive in `c.env`.
 */

import { createReceiver, answerResponse } from './api.mjs'

/** The request as the receiver takes it: method, headers and (when needed) the body's bytes. */
async function receiverRequest(receiver, c) {
  const request = c.req.raw
  // A copy of the body: the route can still read c.req.json() / c.req.raw afterwards.
  const body = receiver.needsBody ? new Uint8Array(await request.clone().arrayBuffer()) : undefined
  return { method: request.method, headers: request.headers, body }
}

/** Replaces the context's response (Hono would otherwise merge the old one's headers in). */
function setResponse(c, response) {
  c.res = undefined
  c.res = response
}

/**
 * The receiver for `options`: made now, or, when `options` is a function of the context (a
 * Worker's secrets arrive in `c.env` with each request), on the first request and then kept.
 */
function receiverFor(kind, options) {
  if (typeof options !== 'function') {
    const receiver = createReceiver(kind, options)
    return () => receiver
  }
  let receiver
  return (c) => (receiver ??= createReceiver(kind, options(c)))
}

function middleware(kind, options) {
  const receiverOf = receiverFor(kind, options)
  return async function hooksealMiddleware(c, next) {
    const receiver = receiverOf(c)
    const a = await receiver.admit(await receiverRequest(receiver, c))
    if (a.answer) return answerResponse(a.answer)
    c.set('hookseal', a.value)
    let thrown
    let threw = false
    try {
      await next()
    } catch (e) {
      // Hono hands an Error to app.onError and sets c.error; anything else is re-thrown here.
      threw = true
      thrown = e
    }
    if (!threw && c.error !== undefined && c.error !== null) {
      threw = true
      thrown = c.error
    }
    // Hono's HTTPException is an answer the route chose (app.onError made c.res from it): it goes
    // out, and its status settles the claim. Anything else thrown gets the receiver's answer.
    if (threw && !(thrown && typeof thrown.getResponse === 'function' && c.res)) {
      setResponse(c, answerResponse(await a.fail(thrown)))
      return
    }
    await a.settle(c.res ? c.res.status : 404)
  }
}

/**
 * Verifies Hygraph's `gcms-signature` over the raw body (strict: time window, secret rotation,
 * environments, optional `replay` guard), then runs the route with
 * `c.get('hookseal')` = `{ environment, timestamp, secretIndex }`. Options as `withHygraphSignature`.
 * @param {object} options
 */
export function hygraphSignature(options) {
  return middleware('hygraph', options)
}

/**
 * Checks a shared-secret header (Hasura Actions / Event Triggers: `{ header, secret }`), then
 * runs the route. The body is left unread. Options as `withSharedSecret`.
 * @param {object} options
 */
export function sharedSecret(options) {
  return middleware('sharedSecret', options)
}

/**
 * A Hasura Event Trigger or scheduled (cron / one-off) delivery: shared secret, payload, then the
 * replay guard keyed by the delivery's id (`replay`; a copy while the first runs → 409 with
 * `Retry-After`, a copy of a done one → 200 `{"duplicate":true}`). `c.get('hookseal')` is the
 * parsed delivery with `kind` (`'event'` | `'scheduled'`) and `id`. Options as `withHasuraEvent`.
 * @param {object} options
 */
export function hasuraEvent(options) {
  return middleware('hasuraEvent', options)
}

/**
 * A Hasura Action call: shared secret and payload; `c.get('hookseal')` is the parsed action
 * (`action.name`, `input`, `session_variables`, `request_query`). A route that throws
 * `hasuraActionError(message, code, status)` answers that 4xx in Hasura's shape; any other throw a
 * 500 that names no internals. Options as `withHasuraAction`.
 * @param {object} options
 */
export function hasuraAction(options) {
  return middleware('hasuraAction', options)
}

/**
 * A Hasura auth webhook (GET or POST, `mode` `'v2'` | `'ddn'`): a route handler, not a
 * middleware, since the answer is the receiver's. `resolve(auth, c)` gets
 * `{ method, headers, request }` (also in `c.get('hookseal')`) and returns null (401) or
 * `{ session, maxAge?, expiresAt? }` (200). Options as `withHasuraAuth`.
 * @param {(auth: object, c: object) => unknown} resolve
 * @param {object} [options]
 */
export function hasuraAuth(resolve, options) {
  if (typeof resolve !== 'function') throw new TypeError('hookseal: hasuraAuth needs a resolve function')
  const receiverOf = receiverFor('hasuraAuth', options)
  return async function hooksealHasuraAuth(c) {
    const receiver = receiverOf(c)
    const answer = await receiver.run(await receiverRequest(receiver, c), (auth) => {
      c.set('hookseal', auth)
      return resolve(auth, c)
    })
    return answerResponse(answer)
  }
}
