// The detail sections behind the issue 10–14 targets: every contender's samples, ratios to the
// baseline of the same run, and what each figure checked on every repetition.
import { isSkipped, type NextResults } from './results-next.js';
import { comparisonTable } from './results.js';

const MiB = 1024 * 1024;
const ms = (v: number): string => (v >= 100 ? v.toFixed(0) : v.toFixed(1));

function startupLines(n: NextResults): string[] {
  const lines: string[] = [];
  if (n.startup) {
    const release = n.startup.release;
    lines.push(
      '## Start-up of both front doors (issue 10)',
      '',
      isSkipped(release)
        ? `The 1.0.0 bundle was not measured: ${release.skipped}.`
        : `The 1.0.0 \`dist/index.js\` (${release.bytes} bytes) is \`git show ${release.rev.slice(0, 12)}:dist/index.js\`, run from a temp folder with \`{"type": "module"}\` as the repository's package.json says; both action bundles get the same inputs and stop at the same \`package\` error.`,
      '',
      ...comparisonTable(n.startup.measured, 'node-e-0'),
      '',
    );
  }
  if (n.frontDoors) {
    lines.push(
      '### Runtime files per front door',
      '',
      '| front door | files | bytes |',
      '| --- | --- | --- |',
    );
    for (const door of n.frontDoors) {
      lines.push(
        `| ${door.name} | ${door.files.map((f) => `\`${f}\``).join(', ')} | ${door.bytes} (${(door.bytes / MiB).toFixed(2)} MiB) |`,
      );
    }
    lines.push('');
  }
  return lines;
}

function closureLines(n: NextResults): string[] {
  const c = n.closure;
  if (!c) return [];
  const sdk = c.sdk
    ? `Per \`@wasmer/sdk\` run (medians): ${c.sdk.graphql.median} GraphQL requests and ${c.sdk.downloads.median} container download(s) at the registry, ${c.sdk.downloaded.median} bytes by its progress callback; the closure is ${c.closureBytes} bytes in ${c.members} containers.`
    : '';
  return [
    `## Dependency closure: ${c.members} packages × ${c.payloadMiB} MiB (issue 11)`,
    '',
    `A root whose manifest \`use\`s ${c.members - 1} packages, all v3, in the bench registry. The action resolves the root, reads its \`use\` map, resolves the ${c.members - 1} dependencies in one batched GraphQL request and downloads them ${c.inFlight} at a time (its default bound); every run is checked to deliver all ${c.members} digests. The floor is the same ${c.members} files fetched and hashed with \`xargs -P ${c.inFlight}\`, URLs known in advance (no GraphQL).`,
    '',
    ...comparisonTable(c.measured, 'closure-curl'),
    '',
    ...(sdk ? [sdk, ''] : []),
    `### Locked runs (\`lockfile\` written from a cold run's \`lock\` output)`,
    '',
    `The registry process counted the GraphQL requests around each locked run: ${c.lockedGraphql} in ${c.lockedRuns} runs (cold and warm, the run that filled the warm cache included).`,
    '',
    ...comparisonTable(c.locked, 'rehash-floor'),
    '',
  ];
}

function serveLines(n: NextResults): string[] {
  const s = n.serve;
  if (s === undefined) return [];
  if (isSkipped(s))
    return ['## `webc-fetch serve` (issue 12)', '', `Not measured: ${s.skipped}.`, ''];
  const lines = [
    '## `webc-fetch serve` (issue 12)',
    '',
    'The facade (`startFacade`, bundled like the CLI) runs in a process of its own over a static mirror written by the test kit: 1,000 small packages (v3 and v2) and v3 blobs with 16, 64 and 256 MiB payloads. Request lines go to a log file, as `serve > log` would.',
    '',
    `### Download throughput: ${s.clients} concurrent \`curl -o /dev/null\` × the ${s.blobMiB} MiB blob (${s.blobBytes} bytes)`,
    '',
  ];
  if (isSkipped(s.throughput)) {
    lines.push(`Not measured: ${s.throughput.skipped}.`, '');
  } else {
    lines.push(
      'nginx (`worker_processes auto; sendfile on;`, testing/nginx.ts) serves the same folder; rounds alternate which server goes first. Every curl is checked to receive the whole blob.',
      '',
      ...comparisonTable(s.throughput, 'nginx'),
      '',
    );
    for (const id of ['serve', 'nginx']) {
      const median = s.throughput.get(id)?.stats?.median;
      if (median !== undefined) {
        lines.push(
          `- ${id}: ${((s.clients * s.blobBytes) / MiB / (median / 1000)).toFixed(0)} MiB/s (median round)`,
        );
      }
    }
    lines.push('');
  }
  const { firstAsks, steady } = s.latency;
  const row = (name: string, l: typeof steady): string =>
    `| ${name} | ${l.requests} | ${ms(l.p50)} ms | ${ms(l.p90)} ms | ${ms(l.p99)} ms | ${ms(l.max)} ms | ${l.rate.toFixed(0)} |`;
  lines.push(
    `### GraphQL \`getPackage\` under load (${s.packages} packages, ${steady.clients} clients)`,
    '',
    `${steady.clients} keep-alive clients in the bench process send the action's \`getPackage\` query, one request after another, timed from send to the answer's last byte. First pass: every package once, in a shuffled order (the facade computes each answer afresh; its JIT is cold). Then ${steady.warmup - s.packages} random requests to warm up, and ${steady.requests} random ones measured (fixed seed).`,
    '',
    '| phase | requests | p50 | p90 | p99 | max | requests/s |',
    '| --- | --- | --- | --- | --- | --- | --- |',
    row('first pass', firstAsks),
    row('steady state', steady),
    '',
    '### Memory of `serve` (peak RSS, `VmHWM`, a fresh process per blob, one download each)',
    '',
  );
  if (isSkipped(s.memory)) {
    lines.push(`Not measured: ${s.memory.skipped}.`, '');
  } else {
    lines.push('| blob payload | peak RSS |', '| --- | --- |');
    for (const [mib, kib] of s.memory.peakKiB)
      lines.push(`| ${mib} MiB | ${(kib / 1024).toFixed(1)} MiB |`);
    lines.push('');
  }
  return lines;
}

function mirrorRerunLines(n: NextResults): string[] {
  const m = n.mirrorRerun;
  if (m === undefined) return [];
  return [
    `## \`webc-fetch mirror\` re-run with nothing new (issue 12)`,
    '',
    `A registry on loopback (the test kit's, in the bench process) holds ${m.packages} packages, each with a small v2 and v3; \`node dist/cli.js mirror <dir> <${m.packages} specs> --registry …\` builds their ${m.containers}-container mirror once, untimed. Then, alternating: the same command again (checked: exit 0, every container mirrored; its download requests counted at the registry: ${m.downloads.join(', ')}), and the floor of a re-run that re-hashes what it holds, \`node -e 0\` then \`sha256sum\` of the ${m.containers} blobs. The re-run also resolves every spec against the registry and re-hashes each held blob with its container checks (docs/mirror.md, Update protocol step 3).`,
    '',
    ...comparisonTable(m.measured, 'rerun-floor'),
    '',
  ];
}

function compareLines(n: NextResults): string[] {
  const c = n.compare;
  if (c === undefined) return [];
  return [
    `## \`webc-fetch compare\` of two ${c.pairMiB} MiB containers (issue 13)`,
    '',
    `The v2 and v3 of one version, written by the project's writer from the same package (${c.pairBytes.v2} and ${c.pairBytes.v3} bytes at ${c.pairMiB} MiB of payload; also at ${c.sizesMiB.filter((m) => m !== c.pairMiB).join(' and ')} MiB), compared by \`node dist/cli.js compare <v2> <v3> --json\` (checked: \`parity\` true); peak RSS from GNU time. For scale, \`verify\` of each ${c.pairMiB} MiB file, one process after the other (two start-ups; its peak RSS is the larger of the two).`,
    '',
    ...comparisonTable(c.measured, 'verify-both'),
    '',
  ];
}

function cacheLines(n: NextResults): string[] {
  const c = n.cache;
  if (c === undefined) return [];
  const title = '## Actions cache: restore vs download (issue 14)';
  if (isSkipped(c)) return [title, '', `Not measured: ${c.skipped}.`, ''];
  return [
    title,
    '',
    `A first job (untimed) downloads the ${c.payloadMiB} MiB container and saves it through the cache-service emulator (testing/actions-cache/) into Azurite. Then, alternating: a job with an empty tool cache and \`actions-cache: true\` restores and re-verifies it (checked: \`cache-source\` = \`actions\`, no warning), and a job without it downloads from the embedded registry.`,
    '',
    ...comparisonTable(c.measured, 'action'),
    '',
  ];
}

export function nextSectionLines(n: NextResults): string[] {
  return [
    ...startupLines(n),
    ...closureLines(n),
    ...serveLines(n),
    ...mirrorRerunLines(n),
    ...compareLines(n),
    ...cacheLines(n),
  ];
}
