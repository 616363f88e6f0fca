import { run } from '../main/index.mjs';

await run("render-manifests");
