#!/usr/bin/env node
import { createRequire as __wfCreateRequire } from 'node:module'; const require = __wfCreateRequire(import.meta.url);
import{a as s}from"./cli-chunks/chunk-GE4JEDDZ.js";import"./cli-chunks/chunk-CCIEFQCC.js";var[r]=process.argv.slice(2);if(r==="--version"||r==="-V")process.stdout.write(`${s}
`);else{let{runProcess:o}=await import("./cli-chunks/main-TIU7C6GK.js");await o()}
