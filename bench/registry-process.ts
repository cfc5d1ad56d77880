// The embedded registry served from a child process of its own, as a real registry is: the
// action, curl and the SDK then compete with the server for the two cores the same way. The
// child (helpers/registry-host.ts) also counts the requests it saw, on demand.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createInterface, type Interface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const HOST = fileURLToPath(new URL('./helpers/registry-host.ts', import.meta.url));

export interface RequestCounts {
  readonly graphql: number;
  readonly download: number;
}

export interface RegistryProcess {
  readonly graphqlUrl: string;
  readonly downloadBaseUrl: string;
  /** Requests each listener has seen since the registry started. */
  requestCounts(): Promise<RequestCounts>;
  stop(): Promise<void>;
}

export async function startRegistryProcess(dir: string): Promise<RegistryProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', HOST, dir], {
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr?.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const lines = createInterface({ input: child.stdout! });
  const first = await Promise.race([nextLine(lines), once(child, 'exit').then(() => undefined)]);
  if (first === undefined) throw new Error(`the registry did not start:\n${stderr}`);
  const urls = JSON.parse(first) as { graphqlUrl: string; downloadBaseUrl: string };
  return {
    ...urls,
    async requestCounts() {
      const answer = nextLine(lines);
      child.stdin?.write('requests\n');
      return JSON.parse(await answer) as RequestCounts;
    },
    stop: () => stopChild(child),
  };
}

function nextLine(lines: Interface): Promise<string> {
  return once(lines, 'line').then(([line]) => String(line));
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  await exited;
}
