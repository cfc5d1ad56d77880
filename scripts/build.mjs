// Bundles the action into one ESM file, the way the runner loads it.
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));

await build({
  entryPoints: ['src/action/index.ts'],
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
      // `tunnel` (http-client's proxy agent) builds the Proxy-Authorization header with the
      // deprecated `new Buffer(string)`, so every run through a proxy with credentials printed
      // DEP0005 on stderr. `Buffer.from` is the same bytes without the warning.
      name: 'tunnel-buffer-from',
      setup(b) {
        b.onLoad({ filter: /[\\/]tunnel[\\/]lib[\\/]tunnel\.js$/ }, async (args) => {
          const source = await readFile(args.path, 'utf8');
          const patched = source.replaceAll('new Buffer(', 'Buffer.from(');
          if (patched === source)
            throw new Error(`tunnel-buffer-from: nothing to patch in ${args.path}`);
          return { contents: patched, loader: 'js' };
        });
      },
    },
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
