import { run } from '../main/index.mjs';

await run("terraform-run");
