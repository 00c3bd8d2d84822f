/**
 * hookseal for AWS Lambda (`hookseal/lambda`): handler wrappers over hookseal's framework-neutral
 * receiver, for the three ways an HTTP request reaches a function — API Gateway REST APIs
 * (payload format 1.0), HTTP APIs (payload format 2.0) and function URLs (2.0).
 *
 * The event is read as the request it carries: the method (`httpMethod` or
 * `requestContext.http.method`); the headers (1.0: `multiValueHeaders`, which keeps a header sent
 * twice, else `headers`; 2.0: `headers` plus the `cookies` array as one `cookie` header; names
 * in any case); the body (`isBase64Encoded`: base64, else text). The answer is the proxy result
 * `{ statusCode, headers, body, isBase64Encoded }`, which all three accept. No check is made here:
 * they are all the receiver's (js/api.mjs), which is the core's.
 *
 * Two shapes:
 * - `withHygraphSignature`, `withSharedSecret`, `withHasuraEvent`, `withHasuraAction`
 *   (handler `(event, context)`, what was verified in `event.hookseal`) and `withHasuraAuth`
 *   (`resolve(auth, event, context)`): the names of the main entry, Lambda-shaped.
 * - `withLambda(fetchHandler)`: any Fetch `(request) => Response` handler (e.g. one wrapped by the
 *   main entry's `withHasuraEvent`) as a Lambda handler.
 */

import { createReceiver } from './api.mjs'

const utf8 = new TextDecoder()

function base64Bytes(text) {
  const bin = atob(text)
  const out = new Uint8Array(bin.length)
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i)
  return out
}

function bytesBase64(bytes) {
  let bin = ''
  for (let i = 0; i < bytes.length; i += 0x8000) bin += String.fromCharCode(...bytes.subarray(i, i + 0x8000))
  return btoa(bin)
}

function isObject(x) {
  return x !== null && typeof x === 'object' && !Array.isArray(x)
}

/** Whether `event` is a 2.0 event (HTTP API or function URL). */
function isV2(event) {
  return event.version === '2.0' || (isObject(event.requestContext) && isObject(event.requestContext.http))
}

/**
 * The request a proxy event carries: `{ method, headers, body }`, headers as an object of
 * lower-case names to a string, or an array of strings when a 1.0 event has the header more
 * than once; `body` bytes (base64 decoded) or the text, `''` when there is none.
 * @param {object} event
 */
export function lambdaRequest(event) {
  if (!isObject(event)) throw new TypeError('hookseal: a Lambda handler got an event that is not an object')
  const v2 = isV2(event)
  const method = String((v2 ? event.requestContext.http.method : event.httpMethod) || 'GET').toUpperCase()
  const headers = {}
  const add = (name, value) => {
    if (value === undefined || value === null) return
    const k = String(name).toLowerCase()
    const v = String(value)
    const had = headers[k]
    headers[k] = had === undefined ? v : Array.isArray(had) ? [...had, v] : [had, v]
  }
  const multi = !v2 && isObject(event.multiValueHeaders) ? event.multiValueHeaders : null
  if (multi) {
    for (const [k, vs] of Object.entries(multi)) for (const v of Array.isArray(vs) ? vs : [vs]) add(k, v)
  } else if (isObject(event.headers)) {
    for (const [k, v] of Object.entries(event.headers)) add(k, v)
  }
  if (v2 && Array.isArray(event.cookies) && event.cookies.length > 0 && headers.cookie === undefined) {
    headers.cookie = event.cookies.join('; ')
  }
  let body = ''
  if (typeof event.body === 'string') body = event.isBase64Encoded ? base64Bytes(event.body) : event.body
  return { method, headers, body }
}

/** A receiver answer `{ status, headers, body }` as a proxy result. */
function proxyResult(answer) {
  return { statusCode: answer.status, headers: { ...(answer.headers || {}) }, body: answer.body || '', isBase64Encoded: false }
}

function isProxyResult(x) {
  return isObject(x) && typeof x.statusCode === 'number'
}

function lambdaWrapper(name, kind, handler, options, authStyle) {
  if (typeof handler !== 'function') throw new TypeError(`hookseal: ${name} needs a handler function`)
  const receiver = createReceiver(kind, options)
  const w = {
    async [name](event, context) {
      const request = lambdaRequest(event)
      const a = await receiver.admit(receiver.needsBody ? request : { ...request, body: undefined })
      if (a.answer) return proxyResult(a.answer)
      let result
      try {
        if (authStyle) result = await handler(a.value, event, context)
        else {
          event.hookseal = a.value
          result = await handler(event, context)
        }
      } catch (e) {
        return proxyResult(await a.fail(e))
      }
      if (!authStyle && isProxyResult(result)) {
        await a.settle(result.statusCode)
        return result
      }
      return proxyResult(await a.reply(result))
    },
  }
  return w[name]
}

/**
 * A Lambda handler for Hygraph webhooks: `handler(event, context)` runs only for a genuine
 * delivery, with `event.hookseal` = `{ environment, timestamp, secretIndex }`. It returns a
 * proxy result, a JSON value (200) or nothing (204). Options as the main `withHygraphSignature`.
 * @param {(event: object, context: unknown) => unknown} handler
 * @param {object} options
 */
export function withHygraphSignature(handler, options) {
  return lambdaWrapper('hooksealLambdaHygraph', 'hygraph', handler, options, false)
}

/**
 * A Lambda handler that runs only when the shared-secret header holds the secret.
 * @param {(event: object, context: unknown) => unknown} handler
 * @param {{ header: string, secret: unknown }} options
 */
export function withSharedSecret(handler, options) {
  return lambdaWrapper('hooksealLambdaShared', 'sharedSecret', handler, options, false)
}

/**
 * A Lambda handler for Hasura Event Trigger and scheduled deliveries: `event.hookseal` is the
 * parsed delivery (`kind`, `id`, ...); with `replay` it runs once per delivery id.
 * @param {(event: object, context: unknown) => unknown} handler
 * @param {object} options
 */
export function withHasuraEvent(handler, options) {
  return lambdaWrapper('hooksealLambdaHasuraEvent', 'hasuraEvent', handler, options, false)
}

/**
 * A Lambda handler for a Hasura Action: `event.hookseal` is the parsed action; return the
 * action's JSON result, throw `hasuraActionError(...)` for a 4xx Hasura passes on.
 * @param {(event: object, context: unknown) => unknown} handler
 * @param {object} options
 */
export function withHasuraAction(handler, options) {
  return lambdaWrapper('hooksealLambdaHasuraAction', 'hasuraAction', handler, options, false)
}

/**
 * A Lambda handler for a Hasura auth webhook (v2 or DDN, GET or POST): `resolve(auth, event,
 * context)` returns null (401) or `{ session, maxAge?, expiresAt? }` (200).
 * @param {(auth: object, event: object, context: unknown) => unknown} resolve
 * @param {object} [options]
 */
export function withHasuraAuth(resolve, options) {
  return lambdaWrapper('hooksealLambdaHasuraAuth', 'hasuraAuth', resolve, options, true)
}

// ---------------------------------------------------------------------------------------------
// Any Fetch handler as a Lambda handler

const TEXT_TYPE = /^(text\/|application\/(json|xml|javascript|x-www-form-urlencoded)|[^;]*\+(json|xml))/i

/** The event as a Fetch Request (URL from the Host header or the domain name, path and query). */
function fetchRequest(event) {
  const { method, headers, body } = lambdaRequest(event)
  const v2 = isV2(event)
  const h = new Headers()
  for (const [k, v] of Object.entries(headers)) for (const x of Array.isArray(v) ? v : [v]) h.append(k, x)
  const ctx = isObject(event.requestContext) ? event.requestContext : {}
  const host = h.get('host') || ctx.domainName || 'lambda.invalid'
  let path = (v2 ? event.rawPath : event.path) || '/'
  let query = ''
  if (v2 && event.rawQueryString) query = `?${event.rawQueryString}`
  else if (!v2) {
    const q = new URLSearchParams()
    const mq = isObject(event.multiValueQueryStringParameters) ? event.multiValueQueryStringParameters : null
    const sq = isObject(event.queryStringParameters) ? event.queryStringParameters : {}
    for (const [k, vs] of Object.entries(mq || sq)) for (const v of Array.isArray(vs) ? vs : [vs]) q.append(k, v)
    const s = q.toString()
    if (s) query = `?${s}`
  }
  if (!path.startsWith('/')) path = `/${path}`
  const noBody = method === 'GET' || method === 'HEAD'
  return new Request(`https://${host}${path}${query}`, {
    method,
    headers: h,
    body: noBody || body === '' ? undefined : body,
  })
}

/** A Fetch Response as a proxy result (set-cookie as `cookies` in 2.0, `multiValueHeaders` in 1.0). */
async function fromResponse(response, event) {
  const headers = {}
  const cookies = []
  response.headers.forEach((v, k) => {
    if (k === 'set-cookie') return
    headers[k] = v
  })
  if (typeof response.headers.getSetCookie === 'function') cookies.push(...response.headers.getSetCookie())
  else if (response.headers.has('set-cookie')) cookies.push(response.headers.get('set-cookie'))
  const bytes = new Uint8Array(await response.arrayBuffer())
  const type = response.headers.get('content-type') || ''
  const text = bytes.length === 0 || TEXT_TYPE.test(type)
  const out = {
    statusCode: response.status,
    headers,
    body: text ? utf8.decode(bytes) : bytesBase64(bytes),
    isBase64Encoded: !text,
  }
  if (cookies.length > 0) {
    if (isV2(event)) out.cookies = cookies
    else out.multiValueHeaders = { 'set-cookie': cookies }
  }
  return out
}

/**
 * Any Fetch handler `(request, ...) => Response` as a Lambda handler `(event, context) =>
 * proxy result`: e.g. `withLambda(withHasuraEvent(async (request, delivery) => ..., options))`
 * with `withHasuraEvent` from the main entry. The Fetch handler gets `(request, { event,
 * context })` (a wrapped one passes that on after what it verified).
 * @param {(request: Request, lambda: { event: object, context: unknown }) => Response | Promise<Response>} fetchHandler
 */
export function withLambda(fetchHandler) {
  if (typeof fetchHandler !== 'function') throw new TypeError('hookseal: withLambda needs a Fetch handler (request) => Response')
  return async function hooksealLambda(event, context) {
    const response = await fetchHandler(fetchRequest(event), { event, context })
    if (!response || typeof response.status !== 'number' || !response.headers) {
      throw new TypeError('hookseal: the handler given to withLambda must return a Fetch Response')
    }
    return fromResponse(response, event)
  }
}
