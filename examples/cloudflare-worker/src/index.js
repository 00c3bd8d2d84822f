// A Cloudflare Worker guarding a Hygraph webhook, a Hasura Action and a Hasura auth webhook.
// hookseal runs its WebAssembly engine here: wrangler bundles the package's `workerd` export
// condition, which imports the .wasm as a module (workerd compiles no WebAssembly from bytes).
// Secrets are Worker secrets (`wrangler secret put HYGRAPH_WEBHOOK_SECRET`, or .dev.vars
// locally): they arrive in `env` with each request, so the guarded handlers are made on the first.
import {
  withHygraphSignature,
  withSharedSecret,
  createMemoryReplayGuard,
  parseHasuraAction,
  hasuraActionError,
  hasuraAuthResponse,
  WebhookVerificationError,
  backend,
} from "hookseal";

const hygraph = (env) =>
  withHygraphSignature(
    async (request, verified) => {
      const event = await request.json(); // the request is still readable
      return Response.json({ ok: true, environment: verified.environment, operation: event.operation, backend });
    },
    // per isolate: a Durable Object or KV-backed guard would share it across isolates
    { secret: env.HYGRAPH_WEBHOOK_SECRET, replay: createMemoryReplayGuard() },
  );

const action = (env) =>
  withSharedSecret(
    async (request) => {
      let payload;
      try {
        payload = parseHasuraAction(await request.text());
      } catch (e) {
        if (e instanceof WebhookVerificationError) return hasuraActionError(e.message, e.code).toResponse();
        throw e;
      }
      if (payload.action.name !== "greet") return hasuraActionError("unknown action", "not_found", 404).toResponse();
      const { name } = payload.input;
      if (typeof name !== "string" || name === "") return hasuraActionError("name is required", "bad_input").toResponse();
      return Response.json({ greeting: `Hello, ${name}!` });
    },
    { header: "ACTION_SECRET", secret: env.HASURA_ACTION_SECRET },
  );

async function auth(request) {
  if (request.headers.get("authorization") !== "Bearer demo-token") {
    return hasuraActionError("invalid or missing token", "unauthorized", 401).toResponse();
  }
  return Response.json(hasuraAuthResponse({ role: "user", "user-id": "42" }, { maxAge: 60 }));
}

let routes; // made once per isolate, with the first request's env

export default {
  async fetch(request, env) {
    routes ??= { "/api/hygraph": hygraph(env), "/api/action": action(env), "/api/auth": auth };
    const route = routes[new URL(request.url).pathname];
    if (!route) return new Response("not found", { status: 404 });
    if (request.method !== "POST") return new Response("method not allowed", { status: 405 });
    return route(request);
  },
};
