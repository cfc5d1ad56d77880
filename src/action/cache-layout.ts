// The tool cache layout in the action's terms (RUNNER_TOOL_CACHE, the `registry` input), for
// the README's self-hosted/offline runner recipe; a test keeps the README in sync with it.
import { cacheLocation, type CacheKey } from '../core/cache/cache-key.js';
import { SETTINGS } from '../core/settings.js';

/** The cache layout as markdown, for the README's self-hosted/offline runner recipe. */
export function describeCacheLayout(): string {
  const example: CacheKey = {
    registry: SETTINGS.registry.defaultText,
    id: {
      kind: 'version',
      package: { namespace: 'acme', name: 'tool', full: 'acme/tool' },
      version: '1.2.0',
    },
    webc: 'v3',
  };
  const at = cacheLocation(example);
  const id = at.arch.slice('v3-'.length);
  const pkg = 'acme/tool';
  const version = '1.2.0';
  return [
    'Verified containers are cached in the runner tool cache (`RUNNER_TOOL_CACHE`) in the',
    'layout of `@actions/tool-cache`, so `tc.find(tool, version, arch)` finds them:',
    '',
    '```text',
    '$RUNNER_TOOL_CACHE/<tool>/<version>/<arch>/<file>',
    '$RUNNER_TOOL_CACHE/<tool>/<version>/<arch>.complete   (empty marker, written last)',
    '```',
    '',
    '| part | value |',
    '| --- | --- |',
    '| `tool` | `webc-<namespace>-<name>`, lowercased, characters other than `a-z 0-9 . _ -` replaced by `_`, at most 48 characters; `webc-sha256` for a `sha256:` spec |',
    '| `version` | the resolved version without build metadata (`1.2.0`, `2.0.0-rc.1`); `0.0.0-sha256-<64 hex>` for a `sha256:` spec; `<x.y.z or 0.0.0>-x-<16 hex>` for a version that Rust `semver` does not accept, that has a number above 2^53−1 (which the npm `semver` package, run by `tc.find`, refuses), or that is longer than 80 characters |',
    '| `arch` | `<webc>-<id>`: `v3` or `v2`, then the first 16 hex characters of the SHA-256 of the JSON text `["<registry>","<package>","<version>"]` (the `registry` input, `namespace/name` or the `sha256:` spec, and the full resolved version including any build metadata) |',
    '| `file` | `<name>.webc` (same character rules, stem at most 40 characters); `container.webc` for a `sha256:` spec |',
    '',
    `Example: \`${pkg}@${version}\`, WebC ${example.webc}, default registry:`,
    '',
    '```sh',
    `id=$(printf '%s' '${JSON.stringify([example.registry, pkg, version])}' | sha256sum | cut -c1-16)   # ${id}`,
    `dir="$RUNNER_TOOL_CACHE/${at.tool}/${at.version}/v3-$id"`,
    `mkdir -p "$dir" && cp tool.webc "$dir/${at.fileName}" && touch "$dir.complete"`,
    '```',
    '',
    'A pre-populated file is still re-hashed against the registry digest before it is used;',
    'a file that does not match is evicted and downloaded again.',
  ].join('\n');
}
