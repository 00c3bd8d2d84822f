// POST /api/auth — a Hasura auth webhook (demo token `demo-token`; validate real tokens).
// Hasura caches the answer for max-age seconds: keep it shorter than the token's lifetime.
import { hasuraAuthResponse, hasuraActionError } from "hookseal";

export async function POST(request: Request) {
  if (request.headers.get("authorization") !== "Bearer demo-token") {
    return hasuraActionError("invalid or missing token", "unauthorized", 401).toResponse();
  }
  return Response.json(hasuraAuthResponse({ role: "user", "user-id": "42" }, { maxAge: 60 }));
}
