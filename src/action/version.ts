// The build injects the package version; tests and tsx runs see 'dev'.
declare const __WEBC_FETCH_VERSION__: string | undefined;

export const ACTION_VERSION: string =
  typeof __WEBC_FETCH_VERSION__ === 'string' ? __WEBC_FETCH_VERSION__ : 'dev';

export const USER_AGENT = `webc-fetch/${ACTION_VERSION} (GitHub Action; +https://github.com/webc-fetch/webc-fetch)`;
