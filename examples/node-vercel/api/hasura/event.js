'use strict'
// POST /api/hasura/event — a Hasura Event Trigger or cron / one-off scheduled event, run once.
// Hasura sends the header X-Event-Secret (configured on the trigger from an environment
// variable). A copy that arrives while the first still runs gets 409 with Retry-After (Hasura
// retries it, even after its retries are used up); a copy of a handled one gets 200
// {"duplicate":true}; a handler that throws releases the delivery so Hasura's retry runs it.
const { withHasuraEvent, createMemoryReplayGuard } = require('hookseal')

const sleep = (ms) => new Promise((r) => setTimeout(r, ms))

module.exports = withHasuraEvent(
  async (req, res) => {
    const d = req.hasura // the payload plus kind ('event' | 'scheduled') and id
    const row = d.kind === 'event' ? d.event.data.new || {} : d.payload || {}
    console.log(`hasura ${d.kind} ${d.id}${d.kind === 'event' ? ` ${d.event.op} try ${d.delivery_info?.current_retry ?? 0}` : ''}`)
    if (typeof row.hold_ms === 'number') await sleep(row.hold_ms)
    if (d.kind === 'event' && typeof row.fail_until_retry === 'number' && row.fail_until_retry > (d.delivery_info?.current_retry ?? 0)) {
      throw new Error('failing on purpose until a later retry') // → 500 handler_failed, delivery released
    }
    res.setHeader('content-type', 'application/json')
    res.end(JSON.stringify({ ok: true, kind: d.kind, id: d.id }))
  },
  {
    header: 'X-Event-Secret',
    secret: process.env.HASURA_EVENT_SECRET, // missing → TypeError at start-up
    replay: createMemoryReplayGuard(), // per instance; createRedisReplayGuard(client) across instances
  },
)

module.exports.config = { api: { bodyParser: false } }
