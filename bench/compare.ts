// Alternates contenders within each repetition (rotating who goes first, so no contender always
// runs right after the same other one) and keeps every sample.
import { stats, type Sample, type Stats } from './bench-process.js';
import type { Contender } from './contenders.js';

export interface Measured {
  readonly id: string;
  readonly label: string;
  readonly samples: readonly Sample[];
  /** Wall time. */
  readonly stats: Stats | undefined;
  readonly cpu: Stats | undefined;
  readonly rssKiB: Stats | undefined;
  /** Set when a run failed; the contender's later repetitions are skipped. */
  readonly error?: string;
}

function statsOf(values: readonly (number | undefined)[]): Stats | undefined {
  const known = values.filter((v): v is number => v !== undefined);
  return known.length > 0 ? stats(known) : undefined;
}

function describe(sample: Sample): string {
  const cpu = sample.cpuMs === undefined ? '' : `, cpu ${sample.cpuMs.toFixed(0)} ms`;
  const rss =
    sample.maxRssKiB === undefined ? '' : `, rss ${(sample.maxRssKiB / 1024).toFixed(0)} MiB`;
  return `${sample.ms.toFixed(0)} ms${cpu}${rss}`;
}

export async function compare(
  contenders: readonly Contender[],
  repeats: number,
  log: (line: string) => void,
): Promise<Map<string, Measured>> {
  const samples = new Map<string, Sample[]>(contenders.map((c) => [c.id, []]));
  const errors = new Map<string, string>();
  for (let rep = 0; rep < repeats; rep += 1) {
    const order = contenders.map((_, i) => contenders[(i + rep) % contenders.length]!);
    for (const contender of order) {
      if (errors.has(contender.id)) continue;
      try {
        const sample = await contender.once();
        samples.get(contender.id)?.push(sample);
        log(`  ${contender.id.padEnd(18)} rep ${rep + 1}/${repeats}: ${describe(sample)}`);
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        errors.set(contender.id, message);
        log(`  ${contender.id} FAILED: ${message.split('\n')[0] ?? ''}`);
      }
    }
  }
  return new Map(
    contenders.map((c) => {
      const values = samples.get(c.id) ?? [];
      const error = errors.get(c.id);
      const measured: Measured = {
        id: c.id,
        label: c.label,
        samples: values,
        stats: statsOf(values.map((v) => v.ms)),
        cpu: statsOf(values.map((v) => v.cpuMs)),
        rssKiB: statsOf(values.map((v) => v.maxRssKiB)),
        ...(error === undefined ? {} : { error }),
      };
      return [c.id, measured];
    }),
  );
}
