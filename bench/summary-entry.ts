// Entry of a bench-only bundle (bench/summary.mjs builds it with ncc into .tmp/): the plan summary and
// fingerprint, and the parity comparison, exactly as the step bundles compile them.
export {
  addressMatcher,
  compareParity,
  parityRecord,
  planFingerprint,
  planInventory,
  summarisePlan,
} from '@gitops-promote/core';
