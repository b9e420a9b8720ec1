// Work that can begin while the CLI's modules are still being evaluated (imported by
// cli.ts right after v8-tuning.ts, so this runs before the rest of the CLI's modules):
// for a .gz file named on the command line, a worker thread that will inflate it boots
// now (read.ts prestartInflateWorker). Only arguments that are files are looked at;
// anything else (folders, globs, a config) takes the usual path.
import { prestartInflateWorker } from './ingest/read.js';

const gz = process.argv.slice(2).find((a) => /\.gz$/i.test(a) && !a.startsWith('-'));
if (gz) prestartInflateWorker(gz);
