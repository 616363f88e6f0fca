import { run } from '../main/index.mjs';

await run("pipeline");
