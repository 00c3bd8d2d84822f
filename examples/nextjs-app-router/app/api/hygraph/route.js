// POST /api/hygraph — a Hygraph webhook in a Next.js App Router route handler.
import { withHygraphSignature, createMemoryReplayGuard } from 'hookseal'

export const POST = withHygraphSignature(
  async (request, verified) => {
    const event = await request.json() // the request is still readable
    return Response.json({ ok: true, environment: verified.environment, operation: event.operation })
  },
  { secret: process.env.HYGRAPH_WEBHOOK_SECRET, replay: createMemoryReplayGuard() },
)
