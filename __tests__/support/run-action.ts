// The runner harness lives in src/dev so the demo and the benchmark share it.
export * from '../../src/dev/run-action.js';
