// What the build stamps into a bundle. The build defines __WEBC_FETCH_VERSION__ from
// package.json; tests and tsx runs see 'dev'.
declare const __WEBC_FETCH_VERSION__: string | undefined;

export const WEBC_FETCH_VERSION: string =
  typeof __WEBC_FETCH_VERSION__ === 'string' ? __WEBC_FETCH_VERSION__ : 'dev';

/** Where people find the project (in User-Agent strings and help texts). */
export const PROJECT_URL = 'https://github.com/webc-fetch/webc-fetch';
