/**
 * hookseal for Express (`hookseal/express`). The wrappers of the main entry
 * (`withHygraphSignature`, `withSharedSecret`, `withHasuraEvent`, `withHasuraAction`,
 * `withHasuraAuth`) are Express route handlers as they are: `app.post('/hook', withX(handler,
 * options))`, on Express 5 and 4. What Express adds is a body parser that reads the body before
 * them; `keepRawBody` keeps its bytes.
 */

/**
 * The `verify` hook of `express.json()`, `express.raw()`, `express.text()`,
 * `express.urlencoded()` and body-parser: keeps the body's bytes, exactly as received, in
 * `req.rawBody`, where the hookseal wrappers look first. Without it a Hygraph check behind
 * `express.json()` can only verify `JSON.stringify(req.body)`, which is not always what Hygraph
 * signed.
 *
 *     app.use(express.json({ verify: keepRawBody }))
 *
 * @param {{ rawBody?: unknown }} req
 * @param {unknown} _res
 * @param {Uint8Array} buf
 */
export function keepRawBody(req, _res, buf) {
  req.rawBody = buf
}
