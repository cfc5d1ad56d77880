import { createRequire as __wfCreateRequire } from 'node:module'; const require = __wfCreateRequire(import.meta.url);
import{d as e}from"./chunk-27XIQHIF.js";function g(o,i,n){let t=(r,s)=>{n?.interrupt(),o.write(`${r}${e(i(s))}
`)};return{info:r=>t("",r),warning:r=>t("warning: ",r),debug:()=>{}}}export{g as a};
