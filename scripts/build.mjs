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
      // @actions/cache tells a save refused because another job is saving the same key (logged
      // as info) from a failure (a warning) by `error.name === ReserveCacheError.name`; minified,
      // the class is renamed and every such race would print a warning. Its error classes set
      // `this.name` to their own name, so the literal is the same comparison. (esbuild's
      // keepNames would do it too, at a cost to every start.)
      name: 'actions-cache-error-names',
      setup(b) {
        b.onLoad({ filter: /[\\/]@actions[\\/]cache[\\/]lib[\\/]cache\.js$/ }, async (args) => {
          const source = await readFile(args.path, 'utf8');
          const names = /\b(ValidationError|ReserveCacheError|FinalizeCacheError)\.name\b/g;
          const patched = source.replace(names, "'$1'");
          if (patched === source)
            throw new Error(`actions-cache-error-names: nothing to patch in ${args.path}`);
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
 * One entry per front door. The action is `dist/index.js` (what the runner loads) plus chunks
 * of its own in `dist/action-chunks/`: the Actions cache client (@actions/cache, ~720 KB) is
 * loaded by a dynamic import only with `actions-cache: true` (src/action/actions-cache-setup.ts),
 * so every other run starts as fast as before; code both halves use lands in a chunk the entry
 * imports statically. The command line is `dist/cli.js` plus `dist/cli-chunks/`: each command's
 * module is loaded only when that command runs, so `--help` loads almost nothing. `clean` lists
 * the folders a bundle owns alone, emptied before it is built so no stale chunk is left;
 * `executable` files get the mode a `bin` needs.
 */
const ACTION_CHUNKS = 'action-chunks';

const BUNDLES = [
  {
    name: 'action',
    clean: [`dist/${ACTION_CHUNKS}`],
    options: {
      entryPoints: { index: 'src/action/index.ts' },
      outdir: 'dist',
      splitting: true,
      // @actions/cache tells a refused save (another job saving the same key: info) from a
      // failure (a warning) by comparing `error.name` with `ReserveCacheError.name`; minified
      // class names would turn every such race into a warning.
      chunkNames: `${ACTION_CHUNKS}/[name]-[hash]`,
    },
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
    clean: ['dist/cli-chunks'],
    executable: ['dist/cli.js'],
  },
];

writeSchemaModule();
const only = process.argv.slice(2);
for (const bundle of BUNDLES) {
  if (only.length > 0 && !only.includes(bundle.name)) continue;
  for (const dir of bundle.clean ?? []) rmSync(dir, { recursive: true, force: true });
  await build({ ...shared, ...bundle.options });
  for (const file of bundle.executable ?? []) chmodSync(file, 0o755);
}
