// Bundles the action into one ESM file, the way the runner loads it.
import { build } from 'esbuild';

await build({
  entryPoints: ['src/index.ts'],
  outfile: 'dist/index.js',
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  minify: true,
  legalComments: 'none',
  // Bundled CommonJS dependencies call require(); ESM has none unless we define it.
  banner: {
    js: "import { createRequire as __wfCreateRequire } from 'node:module'; const require = __wfCreateRequire(import.meta.url);",
  },
  logLevel: 'warning',
});
