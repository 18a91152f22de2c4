// Drops third-party sources from the sourcesContent of every .map under a folder, keeping
// the app's own sources and every mapping, so that the committed fixtures stay small.
// Usage: node trim-maps.cjs DIR
const fs = require("fs");
const path = require("path");

const walk = (d) =>
  fs.readdirSync(d, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? walk(path.join(d, e.name)) : [path.join(d, e.name)],
  );

// The app's own sources: Vite names them relative to the map (../../src/App.jsx), webpack
// relative to the project (webpack://_N_E/./pages/index.js). Next.js's own client sources
// (webpack://_N_E/../../src/client/link.tsx) and node_modules are dropped.
const own = (s) =>
  !/node_modules\//.test(s) && (s.startsWith("webpack://") ? /^webpack:\/\/[^/]*\/\.\//.test(s) : true);

for (const f of walk(process.argv[2]).filter((f) => f.endsWith(".map"))) {
  const m = JSON.parse(fs.readFileSync(f, "utf8"));
  if (!m.sourcesContent) continue;
  m.sourcesContent = m.sourcesContent.map((c, i) => (own(m.sources[i]) ? c : null));
  fs.writeFileSync(f, JSON.stringify(m));
}
