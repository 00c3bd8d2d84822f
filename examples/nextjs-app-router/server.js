// Serves the App Router route handlers in app/api/*/route.js on 127.0.0.1:$PORT, adapting
// node:http to Fetch Request/Response the way Next.js does. HYGRAPH_WEBHOOK_SECRET and
// HASURA_ACTION_SECRET come from the environment.
import http from 'node:http'
import { createRequire } from 'node:module'
import { fileURLToPath } from 'node:url'
import path from 'node:path'

const dir = path.dirname(fileURLToPath(import.meta.url))
createRequire(import.meta.url)('../link-hookseal.cjs')(dir)

// Imported after the link exists (static imports would resolve `hookseal` first).
const routes = {
  '/api/hygraph': await import('./app/api/hygraph/route.js'),
  '/api/action': await import('./app/api/action/route.js'),
  '/api/auth': await import('./app/api/auth/route.js'),
}

function toRequest(req, body, origin) {
  const headers = new Headers()
  for (const [k, v] of Object.entries(req.headers)) {
    for (const x of Array.isArray(v) ? v : [v]) if (x !== undefined) headers.append(k, x)
  }
  const hasBody = req.method !== 'GET' && req.method !== 'HEAD'
  return new Request(new URL(req.url, origin), { method: req.method, headers, body: hasBody ? body : undefined })
}

const server = http.createServer(async (req, res) => {
  const route = routes[new URL(req.url, 'http://localhost').pathname]
  const handler = route && route[req.method]
  if (!handler) {
    res.statusCode = route ? 405 : 404
    return res.end()
  }
  try {
    const chunks = []
    for await (const c of req) chunks.push(c)
    const response = await handler(toRequest(req, Buffer.concat(chunks), `http://${req.headers.host || 'localhost'}`), { params: {} })
    res.writeHead(response.status, Object.fromEntries(response.headers))
    res.end(Buffer.from(await response.arrayBuffer()))
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
