import { run } from '../main/index.mjs';

await run("check-previous-env");
