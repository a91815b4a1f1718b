// Builds static/build/: GOV.UK Frontend's JavaScript and assets copied from the npm package,
// and its Sass compiled with the product's font stack. No CDN: everything is served locally.
import { cpSync, mkdirSync, writeFileSync } from "node:fs";
import * as sass from "sass";

const out = "static/build";
mkdirSync(`${out}/govuk`, { recursive: true });
cpSync("node_modules/govuk-frontend/dist/govuk/govuk-frontend.min.js", `${out}/govuk/govuk-frontend.min.js`);
cpSync("node_modules/govuk-frontend/dist/govuk/assets/images", `${out}/govuk/assets/images`, { recursive: true });
cpSync("node_modules/govuk-frontend/dist/govuk/assets/manifest.json", `${out}/govuk/assets/manifest.json`);
const result = sass.compile("frontend/app.scss", {
  loadPaths: ["node_modules"],
  style: "compressed",
  quietDeps: true,
  silenceDeprecations: ["import", "global-builtin", "color-functions", "slash-div"],
});
writeFileSync(`${out}/app.css`, result.css);
console.log(`built ${out}/app.css (${result.css.length} bytes)`);
