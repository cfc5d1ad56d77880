// The embedded registry served from a child process of its own, as a real registry is: the
// action, curl and the SDK then compete with the server for the two cores the same way.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const CLI = fileURLToPath(new URL('../testing/registry-cli.ts', import.meta.url));

export interface RegistryProcess {
  readonly graphqlUrl: string;
  readonly downloadBaseUrl: string;
  stop(): Promise<void>;
}

export async function startRegistryProcess(dir: string): Promise<RegistryProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', CLI, '--dir', dir], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr?.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const lines = createInterface({ input: child.stdout! });
  const first = await Promise.race([
    once(lines, 'line').then(([line]) => String(line)),
    once(child, 'exit').then(() => undefined),
  ]);
  if (first === undefined) throw new Error(`the registry did not start:\n${stderr}`);
  const urls = JSON.parse(first) as { graphqlUrl: string; downloadBaseUrl: string };
  return { ...urls, stop: () => stopChild(child) };
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  await exited;
}
