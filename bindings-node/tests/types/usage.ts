// Compiled with `tsc --noEmit` (npm run typecheck): the public typings accept what the README
// shows and reject what they should.
import * as http from 'node:http'
import {
  assertSharedSecret,
  createMemoryReplayGuard,
  createRedisReplayGuard,
  newClaimToken,
  generateWebhookSignature,
  hasuraActionError,
  hasuraAuthResponse,
  parseHasuraAction,
  parseHasuraEvent,
  verify,
  verifySharedSecret,
  verifyWebhookSignature,
  WebhookVerificationError,
  withHygraphSignature,
  withSharedSecret,
  backend,
  type Verified,
  type VerifiedIncomingMessage,
  type VerificationErrorCode,
} from '../../index.js'

const secret = process.env.HYGRAPH_WEBHOOK_SECRET ?? 'x'

const ok: boolean = verifyWebhookSignature({ body: { a: 1 }, signature: 'sig', secret })
const ok2: boolean = verifyWebhookSignature({ rawPayload: Buffer.from('{}'), signature: undefined, secret })
const header: string = generateWebhookSignature({ body: {}, secret, environmentName: 'master', timestamp: 1 })

try {
  const v: Verified = verify(Buffer.from('{}'), header, { secret: [secret, 'old'], tolerance: null, now: new Date() })
  const env: string = v.environment
  const idx: number = v.secretIndex
  void env, idx
} catch (e) {
  if (e instanceof WebhookVerificationError) {
    const code: VerificationErrorCode = e.code
    void code
  }
}
verify(new ArrayBuffer(2), null, { secret, environments: ['master'], now: 5 })

const sharedOk: boolean = verifySharedSecret(new Headers(), { header: 'ACTION_SECRET', secret })
assertSharedSecret({ action_secret: 'a' }, { header: 'ACTION_SECRET', secret: ['a', 'b'] })

const memory = createMemoryReplayGuard({ maxEntries: 10 })
const size: number = memory.size
const redisLike = { call: async (..._args: string[]): Promise<unknown> => 'OK' }
const redis = createRedisReplayGuard(redisLike, { prefix: 'p:', processingTtlMs: 60_000 })
const token: string = newClaimToken()
async function guardCalls(): Promise<boolean> {
  const state: 'new' | 'in_progress' | 'done' = await memory.claim('k', { token })
  const mine: boolean = await redis.complete('k', { token, doneTtlMs: 600_000 })
  return state === 'new' && mine && (await memory.release('k', { token }))
}
// A guard written before tokens (no token read, complete/release resolve to nothing) still fits.
const preToken = {
  kind: 'mine',
  processingTtlMs: 60_000,
  claim: async (_key: string): Promise<'new' | 'in_progress' | 'done'> => 'new',
  complete: async (_key: string, _o?: { doneTtlMs?: number }): Promise<void> => {},
  release: async (_key: string): Promise<void> => {},
}
withHygraphSignature((_req: http.IncomingMessage, res: http.ServerResponse) => res.end(), { secret, replay: preToken })

const nodeHandler = withHygraphSignature(
  (req: VerifiedIncomingMessage, res: http.ServerResponse) => {
    const info = req.hookseal
    res.end(JSON.stringify({ ok: true, environment: info?.environment }))
  },
  { secret, replay: redis },
)
http.createServer((req, res) => void nodeHandler(req, res))

// The README's App Router route, unannotated, with the secret straight from process.env.
export const README_POST = withHygraphSignature(
  async (request, verified) => {
    const event = await request.json()
    return Response.json({ ok: true, environment: verified.environment, operation: event.operation })
  },
  { secret: process.env.HYGRAPH_WEBHOOK_SECRET, tolerance: 300, environments: ['master'] },
)
export const README_ACTION = withSharedSecret(async (request) => Response.json(parseHasuraAction(await request.text())), {
  header: 'ACTION_SECRET',
  secret: process.env.HASURA_ACTION_SECRET,
})
const engine: 'native' | 'wasm' = backend

export const POST = withHygraphSignature(
  async (request: Request, verified: Verified) => Response.json({ env: verified.environment, url: request.url }),
  { secret, replay: memory },
)
export const action = withSharedSecret(
  async (request: Request) => {
    const payload = parseHasuraAction<{ name: string }>(await request.json())
    const name: string = payload.input.name
    if (!name) return hasuraActionError('name is required', 'bad_input').toResponse()
    return Response.json({ greeting: `Hello, ${name}!` })
  },
  { header: 'ACTION_SECRET', secret },
)
const auth: Record<string, string> = hasuraAuthResponse({ role: 'user', 'user-id': 42 }, { maxAge: 60 })
const ev = parseHasuraEvent('{}')
const op: 'INSERT' | 'UPDATE' | 'DELETE' | 'MANUAL' = ev.event.op

// @ts-expect-error secret is required
verifyWebhookSignature({ signature: 'x' })
// @ts-expect-error a role is required
hasuraAuthResponse({ 'user-id': '1' })
// @ts-expect-error rawBody cannot be a number
verify(5, 'x', { secret })
// @ts-expect-error not a Redis client
createRedisReplayGuard({}, {})
// @ts-expect-error a claim needs its token
void memory.claim('k')

void ok, ok2, sharedOk, size, auth, op, engine, guardCalls
