'use strict'
// Issue 20 item 8: the Hygraph replay guard keyed by the body (`replayKey: 'body'`) treats a
// retry the sender signed again (a new `t`, so a new signature) as the same delivery; the
// default key, the signature, treats it as a new one. Runs on both engines (NODE_ENGINE_SUITES).
const test = require('node:test')
const assert = require('node:assert/strict')
const { withHygraphSignature, createMemoryReplayGuard, sign } = require('..')

const SECRET = 'replay-key-secret'
const BODY = '{"operation":"publish","data":{"id":"ckx","title":"<b>Ada</b>"}}'

function post(body, timestamp) {
  return new Request('http://localhost/api/hygraph', {
    method: 'POST',
    body,
    headers: { 'gcms-signature': sign(body, { secret: SECRET, timestamp }) },
  })
}

async function deliver(options, requests) {
  let runs = 0
  const route = withHygraphSignature(
    async () => {
      runs++
      return Response.json({ ok: true })
    },
    { secret: SECRET, replay: createMemoryReplayGuard(), ...options },
  )
  const answers = []
  for (const r of requests) {
    const res = await route(r)
    answers.push([res.status, await res.json()])
  }
  return { runs, answers }
}

test("replayKey 'body': a re-signed copy of a handled delivery is a duplicate", async () => {
  const now = Date.now()
  const { runs, answers } = await deliver({ replayKey: 'body' }, [post(BODY, now - 5000), post(BODY, now)])
  assert.equal(runs, 1)
  assert.deepEqual(answers[1], [200, { duplicate: true }])
})

test("replayKey 'body': another body, or the same body from another environment, is another delivery", async () => {
  const now = Date.now()
  const other = BODY.replace('ckx', 'cky')
  const { runs } = await deliver({ replayKey: 'body' }, [post(BODY, now), post(other, now)])
  assert.equal(runs, 2)
})

test('the default key (the signature): a re-signed copy runs again, the same signature does not', async () => {
  const now = Date.now()
  const same = await deliver({}, [post(BODY, now), post(BODY, now)])
  assert.equal(same.runs, 1)
  const resigned = await deliver({}, [post(BODY, now - 5000), post(BODY, now)])
  assert.equal(resigned.runs, 2)
})

test('replayKey takes only the two words', () => {
  assert.throws(() => withHygraphSignature(() => new Response(), { secret: SECRET, replayKey: 'sign' }), TypeError)
})
