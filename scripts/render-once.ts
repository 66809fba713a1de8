/** Renders one repository and prints its peak memory (for `npm run bench`). */
import { renderRepository } from "../src/flux/render.ts";

const root = process.argv[2];
if (!root) throw new Error("usage: render-once <repo>");
const r = renderRepository(root);
console.log(
  JSON.stringify({
    kustomizations: r.kustomizations.length,
    maxRssMB: Math.round(process.resourceUsage().maxRSS / 1024),
  }),
);
