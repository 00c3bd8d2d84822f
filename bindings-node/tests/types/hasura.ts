// Type checks of the receiver and the Hasura wrappers (tsc --noEmit -p tests/types).
import type { IncomingMessage, ServerResponse } from 'node:http'
import {
  createReceiver,
  answerResponse,
  sendAnswer,
  withHasuraEvent,
  withHasuraAction,
  withHasuraAuth,
  hasuraActionError,
  HasuraActionError,
  parseHasuraDelivery,
  createMemoryReplayGuard,
  fromEnv,
  type HasuraDelivery,
  type HasuraActionPayload,
  type HasuraAuthRequest,
  type ReceiverAnswer,
  type Verified,
} from 'hookseal'

const replay = createMemoryReplayGuard()
const secret = fromEnv('HASURA_EVENT_SECRET')

export const event = withHasuraEvent(
  async (request: Request, delivery: HasuraDelivery) => {
    if (delivery.kind === 'event') {
      const op: 'INSERT' | 'UPDATE' | 'DELETE' | 'MANUAL' = delivery.event.op
      return Response.json({ op, id: delivery.id })
    }
    const when: string = delivery.scheduled_time
    return { when, url: request.url }
  },
  { header: 'X-Event-Secret', secret, replay, retryAfter: 10, doneTtl: 86_400 },
)
export const eventNode = withHasuraEvent(
  (req: IncomingMessage & { hasura: HasuraDelivery }, res: ServerResponse) => {
    res.end(JSON.stringify({ id: req.hasura.id, kind: req.hasura.kind }))
  },
  { header: 'X-Event-Secret', secret },
)

export const action = withHasuraAction(
  async (_request: Request, action: HasuraActionPayload<{ name: string }>) => {
    if (!action.input.name) throw hasuraActionError('greet needs a name', 'bad_input', 400, { field: 'name' })
    return { greeting: `Hello, ${action.input.name}!` }
  },
  { header: 'ACTION_SECRET', secret: process.env.HASURA_ACTION_SECRET },
)
const e: Error = new HasuraActionError('no', 'bad_input')
const status: number = e instanceof HasuraActionError ? e.status : 500

export const auth = withHasuraAuth(
  async (a: HasuraAuthRequest) => {
    const token = a.headers.get('authorization')
    if (token !== 'Bearer demo-token') return null
    return { session: { role: 'user', userId: 42 }, maxAge: 60, expiresAt: new Date(Date.now() + 3_600_000) }
  },
  { mode: 'ddn', maxAge: 60, cache: { store: 'memory', headers: ['authorization'], cacheDenials: 5 } },
)
const viaFetch: Promise<Response> = auth(new Request('http://localhost/'))
declare const req: IncomingMessage
declare const res: ServerResponse
const viaNode: Promise<void> = auth(req, res)

async function adapter(method: string, headers: Record<string, string>, body: Uint8Array): Promise<ReceiverAnswer> {
  const r = createReceiver('hygraph', { secret: 's', replay })
  const a = await r.admit({ method, headers, body })
  if (a.answer) return a.answer
  const verified: Verified = a.value
  try {
    const answer = await a.reply({ environment: verified.environment })
    return answer
  } catch (err) {
    return a.fail(err)
  }
}
async function twoPhase(): Promise<void> {
  const r = createReceiver('hasuraEvent', { header: 'x', secret: 's' })
  const a = await r.admit({ headers: new Headers(), body: '{}' })
  if (a.answer) return sendAnswer(res, a.answer)
  const id: string = a.value.id
  void id
  await a.settle(200)
}
const ran: Promise<ReceiverAnswer> = createReceiver('hasuraAuth', { mode: 'v2' }).run({ method: 'GET', headers: {} }, () => null)
const resp: Response = answerResponse({ status: 204, headers: {}, body: '' })
const d = parseHasuraDelivery('{}')

// @ts-expect-error not a receiver kind
createReceiver('stripe', {})
// @ts-expect-error mode is v2 or ddn
withHasuraAuth(() => null, { mode: 'v3' })

void viaFetch, viaNode, adapter, twoPhase, ran, resp, d, status
