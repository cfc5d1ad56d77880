import { createRequire as __wfCreateRequire } from 'node:module'; const require = __wfCreateRequire(import.meta.url);
var _="1.0.0",t="https://github.com/webc-fetch/webc-fetch";export{_ as a,t as b};
