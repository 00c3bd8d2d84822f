'use strict'
// Mounts the Vercel-style functions in api/ on node:http, on 127.0.0.1:$PORT.
// HYGRAPH_WEBHOOK_SECRET and HASURA_ACTION_SECRET come from the environment.
require('../link-hookseal.cjs')(__dirname)
const http = require('node:http')

const routes = {
  '/api/hygraph': require('./api/hygraph'),
  '/api/action': require('./api/action'),
  '/api/auth': require('./api/auth'),
}

const server = http.createServer(async (req, res) => {
  const route = routes[new URL(req.url, 'http://localhost').pathname]
  if (!route || req.method !== 'POST') {
    res.statusCode = route ? 405 : 404
    return res.end()
  }
  try {
    await route(req, res)
  } catch (e) {
    console.error('handler failed:', e && e.message)
    if (!res.headersSent) {
      res.statusCode = 500
      res.end('{"message":"internal error"}')
    }
  }
})

const port = Number(process.env.PORT || 3000)
server.listen(port, '127.0.0.1', () => console.log(`listening ${server.address().port}`))
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => server.close(() => process.exit(0)))
