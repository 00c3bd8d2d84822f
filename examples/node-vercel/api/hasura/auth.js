'use strict'
// GET|POST /api/hasura/auth — a Hasura v2 auth webhook (HASURA_GRAPHQL_AUTH_HOOK here, either
// mode). Answers only 200 (X-Hasura-* strings, "Cache-Control": "max-age=N" in the body, never
// past the token's expiry) or 401; a resolve that throws is a 500, never a 200.
const { withHasuraAuth } = require('hookseal')

module.exports = withHasuraAuth(require('./_demo-resolve'), { mode: 'v2', maxAge: 60 })
module.exports.config = { api: { bodyParser: false } }
