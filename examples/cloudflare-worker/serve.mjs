// Serves the Worker that `npm run build` (wrangler deploy --dry-run --outdir dist) bundled, under
// workerd itself: `node serve.mjs [PORT]` writes dist/workerd.capnp (every module wrangler wrote,
// the secrets as bindings from the environment) and runs `workerd serve` on 127.0.0.1:PORT.
// It is what `wrangler dev` does, minus wrangler's calls to Cloudflare's network.
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { spawn } from "node:child_process";
import { createRequire } from "node:module";

const dist = new URL("./dist/", import.meta.url);
const port = process.argv[2] || process.env.PORT || "8787";
const config = readFileSync(new URL("./wrangler.jsonc", import.meta.url), "utf8");
const { compatibility_date } = JSON.parse(config.replace(/^\s*\/\/.*$/gm, "")); // JSONC: whole-line comments
const modules = readdirSync(dist)
  .filter((f) => f.endsWith(".js") || f.endsWith(".wasm"))
  .sort((a, b) => (a === "index.js" ? -1 : b === "index.js" ? 1 : a.localeCompare(b))) // the main module first
  .map((f) => `(name = ${JSON.stringify(f)}, ${f.endsWith(".wasm") ? "wasm" : "esModule"} = embed ${JSON.stringify(f)})`);
const secrets = ["HYGRAPH_WEBHOOK_SECRET", "HASURA_ACTION_SECRET"].filter((name) => process.env[name]);
writeFileSync(
  new URL("workerd.capnp", dist),
  `using Workerd = import "/workerd/workerd.capnp";
const config :Workerd.Config = (
  services = [(name = "main", worker = .worker)],
  sockets = [(name = "http", address = "127.0.0.1:${port}", http = (), service = "main")],
);
const worker :Workerd.Worker = (
  modules = [${modules.join(", ")}],
  compatibilityDate = ${JSON.stringify(compatibility_date)},
  bindings = [${secrets.map((n) => `(name = "${n}", fromEnvironment = "${n}")`).join(", ")}],
);
`,
);
const workerd = createRequire(import.meta.url)("workerd").default; // the binary's path
const child = spawn(workerd, ["serve", "--verbose", new URL("workerd.capnp", dist).pathname], { stdio: "inherit" });
console.log(`workerd listening on http://127.0.0.1:${port}`);
for (const sig of ["SIGINT", "SIGTERM"]) process.on(sig, () => child.kill(sig));
child.on("exit", (code) => process.exit(code ?? 1));
