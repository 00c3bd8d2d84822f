// POST /api/action — the Hasura Action `greet(name)`, guarded by the ACTION_SECRET header.
import { withSharedSecret, parseHasuraAction, hasuraActionError, fromEnv, WebhookVerificationError } from "hookseal";

export const POST = withSharedSecret(
  async (request) => {
    let payload;
    try {
      payload = parseHasuraAction<{ name?: unknown }>(await request.text());
    } catch (e) {
      if (e instanceof WebhookVerificationError) return hasuraActionError(e.message, e.code).toResponse(); // malformed_payload
      throw e;
    }
    if (payload.action.name !== "greet") {
      return hasuraActionError(`unknown action ${payload.action.name}`, "not_found", 404).toResponse();
    }
    const { name } = payload.input;
    if (typeof name !== "string" || name === "") return hasuraActionError("name is required", "bad_input").toResponse();
    return Response.json({ greeting: `Hello, ${name}!` });
  },
  { header: "ACTION_SECRET", secret: fromEnv("HASURA_ACTION_SECRET") },
);
