// The runner harness lives in testing/ so the demo and the benchmark share it.
export * from '../../testing/run-action.js';
