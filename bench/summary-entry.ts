// Entry of a bench-only bundle (bench/summary.mjs builds it with ncc into .tmp/): the plan summary and
// fingerprint exactly as the step bundles compile them.
export { planFingerprint, summarisePlan } from '@gitops-promote/core';
