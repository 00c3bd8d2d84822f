// POST /edge/api/hygraph — the same handler as /api/hygraph, on the Edge runtime: there hookseal runs its
// WebAssembly engine (the package's `edge-light` export condition), with the same answers.
export { POST } from "../../../api/hygraph/route";
export const runtime = "edge";
