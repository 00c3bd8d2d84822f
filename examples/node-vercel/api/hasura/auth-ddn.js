'use strict'
// GET|POST /api/hasura/auth-ddn — the same check as a Hasura DDN (v3) auth webhook: lower-case
// x-hasura-* keys, JSON values kept (x-hasura-user-id stays the number 42), no cache key.
const { withHasuraAuth } = require('hookseal')

module.exports = withHasuraAuth(require('./_demo-resolve'), { mode: 'ddn', maxAge: 60 })
module.exports.config = { api: { bodyParser: false } }
