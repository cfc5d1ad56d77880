// Runs the calls for one key one after another, calls for different keys side by side. The
// actions cache stages each digest in one file, so two calls for a digest must not overlap.

export interface KeyedQueue<K> {
  <T>(key: K, call: () => Promise<T>): Promise<T>;
  /** Keys with a call queued or running. */
  active(): K[];
}

export function createKeyedQueue<K>(): KeyedQueue<K> {
  const tails = new Map<K, Promise<unknown>>();
  const queue = async <T>(key: K, call: () => Promise<T>): Promise<T> => {
    const previous = tails.get(key) ?? Promise.resolve();
    const current = previous.then(call, call);
    const tail = current.catch(() => undefined);
    tails.set(key, tail);
    try {
      return await current;
    } finally {
      if (tails.get(key) === tail) tails.delete(key);
    }
  };
  return Object.assign(queue, { active: () => [...tails.keys()] });
}
