'use strict'
// POST /api/hygraph — a Hygraph webhook, verified strictly (raw body, 5-minute window) with a
// replay guard. On Vercel, the file is the function; locally, server.js mounts it.
const { withHygraphSignature, createMemoryReplayGuard } = require('hookseal')

module.exports = withHygraphSignature(
  (req, res) => {
    // req.body is the parsed JSON, req.rawBody the bytes that were verified.
    res.statusCode = 200
    res.setHeader('content-type', 'application/json')
    res.end(JSON.stringify({ ok: true, environment: req.hookseal.environment }))
  },
  {
    secret: process.env.HYGRAPH_WEBHOOK_SECRET, // missing → TypeError at start-up, never an open door
    replay: createMemoryReplayGuard(), // per instance; use createRedisReplayGuard(client) across instances
  },
)

// Next.js pages / Vercel: let the wrapper read the raw body.
module.exports.config = { api: { bodyParser: false } }
