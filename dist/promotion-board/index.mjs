import { run } from '../main/index.mjs';

await run("promotion-board");
