// The prometheus formats. Each format lives in its own module; this file lists them.
import type { Ingester } from '../types.js';

export const ingesters: Ingester[] = [];
