// A Hygraph and Hasura webhook receiver on Express, guarded by hookseal. Every route is one of
// hookseal's (req, res) wrappers used as an Express route handler; `keepRawBody` keeps the raw
// bytes under `express.json()` so the Hygraph signature is checked over what Hygraph signed.
// Secrets from the environment: HYGRAPH_WEBHOOK_SECRET, HASURA_ACTION_SECRET, HASURA_EVENT_SECRET.
// Listens on 127.0.0.1:$PORT (default 3000); `PORT=0` picks a free port.
import express from 'express'
import {
  withHygraphSignature,
  withHasuraEvent,
  withHasuraAction,
  withHasuraAuth,
  hasuraActionError,
  hasuraAuthResponse,
  createMemoryReplayGuard,
  backend,
} from 'hookseal'
import { keepRawBody } from 'hookseal/express'

const app = express()
// The one line Express needs: keep the bytes the JSON parser read, where hookseal looks first.
app.use(express.json({ verify: keepRawBody }))

// Hygraph: strict verification (raw body, 5-minute window) and a replay guard. `req.body` is the
// parsed JSON as usual, `req.hookseal` what was verified.
app.post(
  '/api/hygraph',
  withHygraphSignature(
    (req, res) => {
      res.json({ ok: true, environment: req.hookseal.environment, operation: req.body.operation, backend })
    },
    {
      secret: process.env.HYGRAPH_WEBHOOK_SECRET, // missing → TypeError at start-up, never an open door
      replay: createMemoryReplayGuard(), // per process; createRedisReplayGuard(client) across processes
    },
  ),
)

// A Hasura Action `greet(name)`: return the output, or throw hasuraActionError(...) for a message
// the GraphQL client sees; any other error answers 500 handler_failed and stays in the log.
const greet = withHasuraAction(
  async (req) => {
    const { action, input } = req.hasura
    if (action.name !== 'greet') throw hasuraActionError(`unknown action ${action.name}`, 'not_found', 404)
    if (typeof input.name !== 'string' || input.name === '') throw hasuraActionError('greet needs a name', 'bad_input')
    if (input.name === 'boom') throw new Error('the greeting service is down') // → 500 handler_failed
    return { greeting: `Hello, ${input.name}!` }
  },
  { header: 'ACTION_SECRET', secret: process.env.HASURA_ACTION_SECRET },
)
app.post('/api/action', greet)
app.post('/api/hasura/action', greet)

// A Hasura Event Trigger or cron / one-off scheduled event, run once per delivery id: a copy
// while the first runs gets 409 with Retry-After, a copy of a handled one 200 {"duplicate":true},
// a handler that throws releases the delivery so Hasura's retry runs it.
const sleep = (ms) => new Promise((r) => setTimeout(r, ms))
app.post(
  '/api/hasura/event',
  withHasuraEvent(
    async (req, res) => {
      const d = req.hasura // the payload plus kind ('event' | 'scheduled') and id
      const row = d.kind === 'event' ? d.event.data.new || {} : d.payload || {}
      if (typeof row.hold_ms === 'number') await sleep(row.hold_ms)
      const retry = d.kind === 'event' ? (d.delivery_info?.current_retry ?? 0) : 0
      if (d.kind === 'event' && typeof row.fail_until_retry === 'number' && row.fail_until_retry > retry) {
        throw new Error('failing on purpose until a later retry') // → 500 handler_failed, released
      }
      res.json({ ok: true, kind: d.kind, id: d.id })
    },
    { header: 'X-Event-Secret', secret: process.env.HASURA_EVENT_SECRET, replay: createMemoryReplayGuard() },
  ),
)

// Hasura auth webhooks (GET or POST mode), v2 and DDN: `Bearer demo-token` is user 42 for 60 s;
// `Bearer demo-token.<N>` also expires at N (epoch seconds), and the answer's lifetime is cut to
// it. Anything else: 401. A real resolve verifies a JWT or looks a session up.
function resolve(auth) {
  const m = /^Bearer demo-token(?:\.(\d+))?$/.exec(auth.headers.get('authorization') || '')
  if (!m) return null
  const grant = { session: { role: 'user', userId: 42 }, maxAge: 60 }
  if (m[1] !== undefined) grant.expiresAt = Number(m[1])
  return grant
}
app.all('/api/hasura/auth', withHasuraAuth(resolve, { mode: 'v2', maxAge: 60 }))
app.all('/api/hasura/auth-ddn', withHasuraAuth(resolve, { mode: 'ddn', maxAge: 60 }))

// The hand-written auth webhook of earlier examples, kept for the demo's older rows.
app.post('/api/auth', (req, res) => {
  if (req.headers.authorization !== 'Bearer demo-token') {
    return hasuraActionError('invalid or missing token', 'unauthorized', 401).send(res)
  }
  res.json(hasuraAuthResponse({ role: 'user', userId: '42' }, { maxAge: 60 }))
})

const server = app.listen(Number(process.env.PORT ?? 3000), '127.0.0.1', () => {
  console.log(`listening ${server.address().port}`)
})
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => server.close(() => process.exit(0)))
