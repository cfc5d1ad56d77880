// Bundles the action into one ESM file, the way the runner loads it.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));

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
  plugins: [
    {
      name: 'undici-stub',
      setup(b) {
        b.onResolve({ filter: /^undici$/ }, () => ({
          path: fileURLToPath(new URL('./undici-stub.mjs', import.meta.url)),
        }));
      },
    },
  ],
  define: { __WEBC_FETCH_VERSION__: JSON.stringify(version) },
  logLevel: 'warning',
});
