import { onConfigWarning } from './config/load';
import { GitopsError } from './errors';
import type { Outputs, Runtime, Services, Step } from './runtime';

/** Runs a step and turns any error into one failure message; unexpected errors keep their stack in debug. */
export async function runStep(step: Step, rt: Runtime, services: Services): Promise<void> {
  // Every step reads the configuration (the recipe several times): each of its warnings is said once.
  const said = new Set<string>();
  const restore = onConfigWarning((message) => {
    if (said.has(message)) return;
    said.add(message);
    rt.warning(message);
  });
  const outputs: Outputs = {};
  try {
    try {
      await step.run(rt, services, outputs);
    } finally {
      // Also on failure: what the step had given out by then (a plan's exit code, a gate's state).
      for (const [name, value] of Object.entries(outputs)) if (value !== undefined) rt.setOutput(name, value);
    }
  } catch (e) {
    if (e instanceof GitopsError) {
      rt.fail(`${step.name}: ${e.message}`);
    } else {
      const err = e as Error;
      rt.debug(err?.stack ?? String(e));
      rt.fail(`${step.name}: unexpected error: ${err?.message ?? String(e)}`);
    }
  } finally {
    restore();
  }
}
