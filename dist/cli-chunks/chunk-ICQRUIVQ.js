import { createRequire as __wfCreateRequire } from 'node:module'; const require = __wfCreateRequire(import.meta.url);
import{O as R,P as M,R as O,S as E,T as J,V as N,W as P,X as w,k as S,t as k,y as F}from"./chunk-JE5B4YP7.js";import{a as g,c as m}from"./chunk-27XIQHIF.js";var j=`fragment WebcFetchPackage on Package {
  namespace
  packageName
  versions {
    version
    isArchived
    v2: distribution(version: V2) {
      ...WebcFetchDistribution
    }
    v3: distribution(version: V3) {
      ...WebcFetchDistribution
    }
  }
}

fragment WebcFetchDistribution on PackageDistribution {
  piritaDownloadUrl
  piritaSha256Hash
  webcManifest
  webcSize
}
`,Z=`query WebcFetchGetPackage($name: String!) {
  getPackage(name: $name) {
    ...WebcFetchPackage
  }
}

${j}`,ee=`query WebcFetchGetPackageRelease($hash: String!) {
  getPackageRelease(hash: $hash) {
    isArchived
    webcUrl
    piritaManifest
    package {
      namespace
      packageName
    }
    webc {
      ...WebcFetchImage
    }
    webcV3 {
      ...WebcFetchImage
    }
  }
}

fragment WebcFetchImage on WebcImage {
  version
  webcSha256
  webcUrl
  fileSize
  manifest
}
`,I=25,H=r=>`p${r}`,W=r=>`n${r}`;function re(r){if(!Number.isSafeInteger(r)||r<1||r>I)throw new RangeError(`a batched document names 1 to ${I} packages, not ${r}`);let e=Array.from({length:r},(i,o)=>o),n=e.map(i=>`$${W(i)}: String!`).join(", "),t=e.map(i=>`  ${H(i)}: getPackage(name: $${W(i)}) {
    ...WebcFetchPackage
  }`);return`query WebcFetchGetPackages(${n}) {
${t.join(`
`)}
}

${j}`}import{createHash as C}from"node:crypto";var V=300,D=80;function c(r,e,n={}){let t=g(m(r.source),V);return new S(n.code??"MIRROR_INVALID",`The mirror ${r.kind} ${t} ${e}`,{context:{file:r.source},cause:n.cause})}function ae(r,e,n){return c(r,`cannot be read: ${g(m(e),V)}.`,{cause:n})}function _(r){return C("sha256").update(r).digest("hex")}function y(r){return typeof r=="string"?Buffer.from(r,"utf8"):r}function T(r,e,n){if(r.length>n)throw c(e,`is larger than ${n} bytes (${r.length}).`);let t;try{t=new TextDecoder("utf-8",{fatal:!0,ignoreBOM:!0}).decode(r)}catch(i){throw c(e,"is not UTF-8 text.",{cause:i})}if(t.startsWith("\uFEFF"))throw c(e,"starts with a byte order mark.");try{return JSON.parse(t)}catch(i){let o=i instanceof Error?i.message:String(i);throw c(e,`is not valid JSON: ${g(m(o),D)}.`,{cause:i})}}function G(r){return r===void 0?"nothing (the field is missing)":r===null?"null":Array.isArray(r)?"a list":typeof r=="object"?"an object":typeof r=="string"?g(JSON.stringify(r),D):String(r)}var p=class r{constructor(e,n,t){this.file=e;this.value=n;this.path=t}file;value;path;static of(e,n,t){if(typeof n!="object"||n===null||Array.isArray(n))throw r.invalidAt(e,t,"an object",n);return new r(e,n,t)}static invalidAt(e,n,t,i){let o=n===""?"":`${n}: `;return c(e,`is invalid: ${o}expected ${t}, got ${G(i)}.`)}at(e){return this.path===""?e:`${this.path}.${e}`}problem(e,n){return c(this.file,`is invalid: ${this.at(e)}: ${n}.`)}invalid(e,n){return r.invalidAt(this.file,this.at(e),n,this.raw(e))}raw(e){return Object.hasOwn(this.value,e)?this.value[e]:void 0}string(e){let n=this.raw(e);if(typeof n!="string")throw this.invalid(e,"a string");return n}boolean(e){let n=this.raw(e);if(typeof n!="boolean")throw this.invalid(e,"true or false");return n}count(e){let n=this.raw(e);if(typeof n!="number"||!Number.isSafeInteger(n)||n<0)throw this.invalid(e,"a whole number of 0 or more");return n}sha256(e){let n=this.raw(e),t=typeof n=="string"?k(n):void 0;if(t===void 0)throw this.invalid(e,"64 lowercase hex digits (a SHA-256)");return t}object(e){return r.of(this.file,this.raw(e),this.at(e))}nullableObject(e){let n=this.raw(e);if(n===null)return null;if(typeof n!="object"||Array.isArray(n))throw this.invalid(e,"an object or null");return r.of(this.file,n,this.at(e))}objects(e,n){let t=this.raw(e);if(!Array.isArray(t))throw this.invalid(e,`a list of ${n}`);if(t.length===0)throw this.problem(e,`the list is empty; it needs at least one ${n.replace(/s$/,"")}`);return t.map((i,o)=>r.of(this.file,i,`${this.at(e)}[${o}]`))}};function x(r){if(Array.isArray(r))return r.map(x);if(r===null||typeof r!="object")return r;let e=r,n={};for(let t of Object.keys(e).sort())Object.defineProperty(n,t,{value:x(e[t]??null),enumerable:!0,writable:!0,configurable:!0});return n}function ce(r){return`${JSON.stringify(x(r),null,2)}
`}var b=1,B=32*1024*1024,v=64*1024*1024,K=1024*1024,X=["v3","v2"],Y=/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?Z$/;function $(r,e,n){let t=p.of(e,T(r,e,n),""),i=t.raw("format");if(i===void 0)throw c(e,`has no "format" field: it is not a webc-fetch mirror ${e.kind}.`);if(typeof i!="number"||!Number.isSafeInteger(i))throw t.invalid("format","a whole number");if(i!==b)throw c(e,`declares format ${i}; this webc-fetch reads format ${b} only. Use the webc-fetch that built the mirror, or rebuild the mirror with this one.`,{code:"MIRROR_FORMAT"});return t}function L(r){let e=r.string("generatedAt"),n=Date.parse(e);if(!Y.test(e)||Number.isNaN(n)||new Date(n).toISOString().slice(0,19)!==e.slice(0,19))throw r.invalid("generatedAt",'an ISO 8601 UTC time such as "2026-05-01T12:00:00.000Z"');return e}function A(r,e){let n=r.string(e),t=N(n);if(typeof t=="string")throw r.problem(e,`${JSON.stringify(n)}: ${t}`);return n}function U(r){let e=r.string("version");if(F(e)===void 0)throw r.problem("version",`${JSON.stringify(e)} is not a semver version`);return e}function he(r,e){let n={kind:"descriptor",source:e},t=$(y(r),n,B),i=L(t),o=t.string("offline"),s=J(o);if(!s.ok)throw t.problem("offline",`${JSON.stringify(o)} ${s.problem}`);let l=new Map,f=t.objects("packages","packages").map(d=>{let a=A(d,"name"),u=l.get(w(a));if(u!==void 0){let h=u===a?`${JSON.stringify(a)} is listed twice`:`${JSON.stringify(u)} and ${JSON.stringify(a)} differ only in case; a mirror holds one of them (they would share a folder on macOS and Windows)`;throw d.problem("name",h)}return l.set(w(a),a),{name:a,index:d.sha256("index")}});return{format:b,generatedAt:i,offline:o,packages:f}}function ge(r,e){let n=P(e);return r.packages.find(t=>t.name===n)}function z(r,e){let n=r.sha256("sha256"),t=r.string("url"),i=O(e,t);if(!i.ok)throw r.problem("url",`${JSON.stringify(t)} ${i.problem}`);if(i.path!==R(n))throw r.problem("url",`${JSON.stringify(t)} must name the blob of this sha256, ${JSON.stringify(E(n))}`);let o=r.string("manifest"),s;try{s=JSON.parse(o)}catch{s=void 0}if(typeof s!="object"||s===null||Array.isArray(s))throw r.problem("manifest","expected the text of a JSON object (the container manifest)");return{url:t,sha256:n,size:r.count("size"),manifest:o}}function Q(r,e){let n=U(r),t=r.boolean("isArchived"),[i,o]=X.map(s=>{let l=r.nullableObject(s);return l===null?null:z(l,e)});if(!i&&!o)throw r.problem("v3","a version needs at least one distribution, v2 or v3");if(i&&o&&i.sha256===o.sha256)throw r.problem("v2","v2 and v3 have the same sha256; one container cannot be both");return{version:n,isArchived:t,v2:o??null,v3:i??null}}function be(r,e,n){let t={kind:"package index",source:e},i=y(r);if(i.length>v)throw c(t,`is larger than ${v} bytes (${i.length}).`);let o=_(i);if(o!==n.index)throw c(t,`has SHA-256 ${o}, but the descriptor lists ${n.index} for ${n.name}: the file was altered or damaged (a package index never changes once written).`);let s=$(i,t,v),l=A(s,"name");if(l!==n.name)throw s.problem("name",`${JSON.stringify(l)}, but the descriptor lists this file for ${JSON.stringify(n.name)}`);let f=M(n.index),d=new Set,a=s.objects("versions","versions").map(u=>{let h=Q(u,f);if(d.has(h.version))throw u.problem("version",`${JSON.stringify(h.version)} is listed twice`);return d.add(h.version),h});return{format:b,name:l,versions:a}}function me(r,e,n){let t={kind:"release index",source:e},i=$(y(r),t,K),o=i.sha256("sha256");if(o!==n)throw i.problem("sha256",`${o}, but the file is stored as ${n}`);let s=new Set,l=i.objects("releases","releases").map(f=>{let d={package:A(f,"package"),version:U(f),webc:q(f)},a=`${d.package}@${d.version}/${d.webc}`;if(s.has(a))throw f.problem("package",`${a} is listed twice`);return s.add(a),d});return{format:b,sha256:n,releases:l}}function q(r){let e=r.raw("webc");if(e!=="v2"&&e!=="v3")throw r.invalid("webc",'"v2" or "v3"');return e}function pe(r,e,n){if(r.name!==e.package)return;let t=r.versions.find(o=>o.version===e.version),i=t?.[e.webc];return t&&i?.sha256===n?{version:t,distribution:i}:void 0}export{Z as a,ee as b,I as c,H as d,W as e,re as f,c as g,ae as h,_ as i,y as j,ce as k,b as l,B as m,v as n,K as o,he as p,ge as q,be as r,me as s,pe as t};
