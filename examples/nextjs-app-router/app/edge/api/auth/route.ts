// POST /edge/api/auth — the same handler as /api/auth, on the Edge runtime: there hookseal runs its
// WebAssembly engine (the package's `edge-light` export condition), with the same answers.
export { POST } from "../../../api/auth/route";
export const runtime = "edge";
