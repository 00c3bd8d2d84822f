'use strict'
// Mounts the Vercel-style functions in api/ on node:http, on 127.0.0.1:$PORT.
// HYGRAPH_WEBHOOK_SECRET, HASURA_ACTION_SECRET and HASURA_EVENT_SECRET come from the environment.
require('../link-hookseal.cjs')(__dirname)
const http = require('node:http')

const routes = {
  '/api/hygraph': require('./api/hygraph'),
  '/api/action': require('./api/action'),
  '/api/auth': require('./api/auth'),
  '/api/hasura/event': require('./api/hasura/event'),
  '/api/hasura/action': require('./api/hasura/action'),
  '/api/hasura/auth': require('./api/hasura/auth'),
  '/api/hasura/auth-ddn': require('./api/hasura/auth-ddn'),
}
// Auth webhooks are also called with GET (Hasura's default mode); everything else is POST.
const allowsGet = new Set(['/api/hasura/auth', '/api/hasura/auth-ddn'])

const server = http.createServer(async (req, res) => {
  const path = new URL(req.url, 'http://localhost').pathname
  const route = routes[path]
  if (!route || !(req.method === 'POST' || (req.method === 'GET' && allowsGet.has(path)))) {
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
