// The locust formats. Each format lives in its own module; this file lists them.
import type { Ingester } from '../types.js';
import { locustCsv } from './csv.js';
import { locustHtml } from './html.js';

export const ingesters: Ingester[] = [locustHtml, locustCsv];
