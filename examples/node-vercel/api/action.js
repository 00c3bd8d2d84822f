'use strict'
// POST /api/action — the Hasura Action `greet(name)`, guarded by the shared-secret header
// ACTION_SECRET that Hasura adds (configured in the Action's headers).
const { withSharedSecret, parseHasuraAction, hasuraActionError } = require('hookseal')

async function readJson(req) {
  if (req.body !== undefined) return req.body
  const chunks = []
  for await (const c of req) chunks.push(c)
  return Buffer.concat(chunks)
}

module.exports = withSharedSecret(
  async (req, res) => {
    let payload
    try {
      payload = parseHasuraAction(await readJson(req))
    } catch (e) {
      return hasuraActionError(e.message, e.code || 'bad_request').send(res)
    }
    if (payload.action.name !== 'greet') return hasuraActionError(`unknown action ${payload.action.name}`, 'not_found', 404).send(res)
    const name = payload.input.name
    if (typeof name !== 'string' || name === '') return hasuraActionError('name is required', 'bad_input').send(res)
    res.statusCode = 200
    res.setHeader('content-type', 'application/json')
    res.end(JSON.stringify({ greeting: `Hello, ${name}!` }))
  },
  { header: 'ACTION_SECRET', secret: process.env.HASURA_ACTION_SECRET },
)
