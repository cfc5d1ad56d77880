// `@wasmer/sdk` loading a registry package, as a contender. The SDK's registry URL is fixed
// (https://registry.wasmer.io/graphql, compiled into its wasm), so this script — and only
// this script — routes the SDK's `fetch` of that URL to the loopback registry. Downloads go to
// the URLs the registry publishes (already loopback). Cache off: every run is a cold fetch.
// Usage: node sdk-load.mjs <graphqlUrl> <namespace/name@version>
const WASMER_GRAPHQL = 'https://registry.wasmer.io/graphql';

function routeRegistryFetch(graphqlUrl: string): void {
  const original = globalThis.fetch;
  globalThis.fetch = (input, init) => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    if (!url.startsWith(WASMER_GRAPHQL)) return original(input, init);
    const routed =
      typeof input === 'string' || input instanceof URL
        ? graphqlUrl
        : new Request(graphqlUrl, input);
    return original(routed, init);
  };
}

async function main(): Promise<void> {
  const [graphqlUrl, spec] = process.argv.slice(2);
  if (!graphqlUrl || !spec) throw new Error('usage: <graphqlUrl> <namespace/name@version>');
  routeRegistryFetch(graphqlUrl);
  const started = performance.now();
  const { Wasmer } = await import('@wasmer/sdk/node');
  const wasmer = new Wasmer({ cache: false });
  const loadStarted = performance.now();
  let downloaded = 0;
  const pkg = await wasmer.packages.load(spec, {
    onProgress: (p) => (downloaded = p.download.downloadedBytes),
  });
  const loadMs = performance.now() - loadStarted;
  const commands = [...pkg.commands];
  await wasmer.close();
  process.stdout.write(
    `${JSON.stringify({ loadMs, totalMs: performance.now() - started, downloaded, commands })}\n`,
  );
}

main().catch((error: unknown) => {
  process.stderr.write(`sdk-load: ${String(error)}\n`);
  process.exitCode = 1;
});
