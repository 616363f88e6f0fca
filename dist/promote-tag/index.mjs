import { run } from '../main/index.mjs';

await run("promote-tag");
