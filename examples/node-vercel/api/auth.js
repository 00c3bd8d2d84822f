'use strict'
// POST /api/auth — a Hasura auth webhook. A real one validates the token (JWT, session store);
// this demo accepts the fixed token `demo-token`. Hasura caches the answer for max-age seconds:
// keep it shorter than the token's lifetime.
const { hasuraAuthResponse, hasuraActionError } = require('hookseal')

module.exports = (req, res) => {
  const auth = req.headers.authorization || ''
  if (auth !== 'Bearer demo-token') return hasuraActionError('invalid or missing token', 'unauthorized', 401).send(res)
  res.statusCode = 200
  res.setHeader('content-type', 'application/json')
  res.end(JSON.stringify(hasuraAuthResponse({ role: 'user', 'user-id': '42' }, { maxAge: 60 })))
}
