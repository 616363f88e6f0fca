import { cli } from '../main/index.mjs';

process.exitCode = await cli(process.argv.slice(2));
