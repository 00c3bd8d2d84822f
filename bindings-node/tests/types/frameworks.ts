// Compiled with `tsc --noEmit` (npm run typecheck): the typings of hookseal/hono, hookseal/lambda
// and hookseal/express accept what docs/frameworks/*.md show and reject what they should.
import * as http from 'node:http'
import { Hono } from 'hono'
import { createMemoryReplayGuard, hasuraActionError, withHasuraEvent as fetchHasuraEvent } from 'hookseal'
import { hygraphSignature, sharedSecret, hasuraEvent, hasuraAction, hasuraAuth } from 'hookseal/hono'
import * as lambda from 'hookseal/lambda'
import { keepRawBody } from 'hookseal/express'

// ---- Hono: what was verified is typed in c.get('hookseal')
const app = new Hono()
app.post('/hygraph', hygraphSignature({ secret: 's', replay: createMemoryReplayGuard() }), (c) => {
  const env: string = c.get('hookseal').environment
  return c.json({ env })
})
app.post('/event', hasuraEvent({ header: 'x-hasura-event-secret', secret: 's' }), (c) => {
  const d = c.get('hookseal')
  const kind: 'event' | 'scheduled' = d.kind
  return c.json({ kind, id: d.id })
})
app.post('/action', hasuraAction({ header: 'x-action-secret', secret: 's' }), (c) => {
  const name: string = c.get('hookseal').action.name
  if (!name) throw hasuraActionError('no name', 'bad_input')
  return c.json({ name })
})
app.post('/shared', sharedSecret({ header: 'x-secret', secret: 's' }), (c) => c.text('ok'))
app.on(['GET', 'POST'], '/auth', hasuraAuth(async (auth) => (auth.headers.get('authorization') ? { session: { role: 'user' }, maxAge: 60 } : null), { mode: 'ddn' }))
// @ts-expect-error the middleware needs options
hygraphSignature()
// @ts-expect-error resolve must return a grant or null
hasuraAuth(() => 42)

// ---- Lambda
export const onEvent = lambda.withHasuraEvent(
  async (event) => {
    const id: string = event.hookseal.id
    return { statusCode: 200, body: JSON.stringify({ id }) }
  },
  { header: 'x-hasura-event-secret', secret: 's', replay: createMemoryReplayGuard() },
)
export const onAction = lambda.withHasuraAction(async (event) => ({ greeting: `Hello, ${String(event.hookseal.input.name)}` }), {
  header: 'x-action-secret',
  secret: 's',
})
export const onAuth = lambda.withHasuraAuth(async (auth, event) => (event.headers && auth.method === 'GET' ? { session: { role: 'user' } } : null))
export const viaFetch = lambda.withLambda(fetchHasuraEvent(async (request, delivery) => Response.json({ id: delivery.id }), { header: 'h', secret: 's' }))
async function callIt(): Promise<number> {
  const r = await onEvent({ version: '2.0', headers: {}, body: '{}', isBase64Encoded: false }, {})
  return r.statusCode
}
void callIt
// @ts-expect-error withLambda takes a Fetch handler
lambda.withLambda((event: number) => event)

// ---- Express: keepRawBody is a body-parser verify hook
const verify: (req: http.IncomingMessage, res: http.ServerResponse, buf: Buffer, encoding: string) => void = keepRawBody
void verify
