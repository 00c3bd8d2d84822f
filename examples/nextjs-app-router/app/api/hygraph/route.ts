// POST /api/hygraph — a Hygraph webhook in a route handler on the Node.js runtime (Next's
// default), where hookseal runs its native engine. `backend` says which engine served it.
import { withHygraphSignature, createMemoryReplayGuard, fromEnv, backend } from "hookseal";

export const POST = withHygraphSignature(
  async (request, verified) => {
    const event = await request.json(); // the request is still readable
    return Response.json({ ok: true, environment: verified.environment, operation: event.operation, backend });
  },
  { secret: fromEnv("HYGRAPH_WEBHOOK_SECRET"), replay: createMemoryReplayGuard() },
);
