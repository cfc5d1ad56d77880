// Bundles the front doors. Each entry of BUNDLES is one esbuild build over the shared options
// below; the action is one ESM file, the way the runner loads it. Before bundling, the mirror's
// schema module is regenerated from schema.graphql, so a bundle never carries a stale schema.
import { chmodSync, readFileSync, rmSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { writeSchemaModule } from './schema-module.mjs';

const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));

/** Options every bundle shares: Node 20 ESM, minified, with the patches below. */
const shared = {
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
};

/**
 * One entry per front door. The action must stay one self-contained file (the runner loads
 * `dist/index.js` as it is). The command line is `dist/cli.js` plus chunks of its own in
 * `dist/cli-chunks/`: each command's module is loaded only when that command runs, so `--help`
 * loads almost nothing. `clean` is the folder a bundle owns alone, emptied before it is built
 * so no stale chunk is left; `executable` files get the mode a `bin` needs.
 */
const BUNDLES = [
  {
    name: 'action',
    options: { entryPoints: ['src/action/index.ts'], outfile: 'dist/index.js' },
  },
  {
    name: 'cli',
    // The shebang comes from src/cli/index.ts; esbuild keeps it first, above the banner.
    options: {
      entryPoints: { cli: 'src/cli/index.ts' },
      outdir: 'dist',
      splitting: true,
      chunkNames: 'cli-chunks/[name]-[hash]',
    },
    clean: 'dist/cli-chunks',
    executable: ['dist/cli.js'],
  },
];

writeSchemaModule();
const only = process.argv.slice(2);
for (const bundle of BUNDLES) {
  if (only.length > 0 && !only.includes(bundle.name)) continue;
  if (bundle.clean) rmSync(bundle.clean, { recursive: true, force: true });
  await build({ ...shared, ...bundle.options });
  for (const file of bundle.executable ?? []) chmodSync(file, 0o755);
}
