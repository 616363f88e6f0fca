import { run } from '../main/index.mjs';

await run("determine-environment");
