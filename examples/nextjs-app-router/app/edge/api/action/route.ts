// POST /edge/api/action — the same handler as /api/action, on the Edge runtime: there hookseal runs its
// WebAssembly engine (the package's `edge-light` export condition), with the same answers.
export { POST } from "../../../api/action/route";
export const runtime = "edge";
