// A published baseline that never answers: one line naming it and the timeout, not a hang.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:http';
import { loadBaseline } from '../src/baseline/load.js';

let server: Server;
let port: number;
beforeAll(async () => {
  server = createServer(() => {
    // Never answers.
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as { port: number }).port;
});
afterAll(() => {
  server.closeAllConnections();
  server.close();
});

describe('loadBaseline over http', () => {
  it('gives up after its timeout with a one-line error naming the address and the file', async () => {
    const started = Date.now();
    const url = `http://127.0.0.1:${port}/site`;
    await expect(loadBaseline(url, '.', 1)).rejects.toThrow(`--baseline ${url}: data/figures.json: no answer within 1 s (timeout)`);
    expect(Date.now() - started).toBeLessThan(5000);
  });
});
