// The bombardier formats. Each format lives in its own module; this file lists them.
// JSON comes first: a `-p i,p,r` JSON file also starts with bombardier's intro line.
import type { Ingester } from '../types.js';
import { bombardierJson } from './json.js';
import { bombardierText } from './text.js';

export const ingesters: Ingester[] = [bombardierJson, bombardierText];
