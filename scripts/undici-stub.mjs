// Build-time stand-in for `undici`. @actions/http-client imports undici only for
// `getAgentDispatcher()` (a proxy dispatcher for `fetch`), which webc-fetch never calls: its
// requests go through `HttpClient.request()`, whose proxy support uses `tunnel`. Leaving undici
// out keeps ~400 KB of JavaScript out of every job's start-up.
export class ProxyAgent {
  constructor() {
    throw new Error('undici is not bundled into webc-fetch (see scripts/undici-stub.mjs)');
  }
}
