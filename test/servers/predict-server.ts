// A tiny HTTP service for end-to-end tests of load-test tools, on 127.0.0.1 and a
// free port: GET / answers at once; POST /predict waits a few milliseconds and
// answers 500 to every `failEvery`-th call. It counts what it served, so a test can
// compare the tool's numbers with the server's.
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ServedCounts {
  total: number;
  byRoute: Record<string, number>;
  status500: number;
}

export interface PredictServer {
  port: number;
  url: string;
  served: ServedCounts;
  close(): Promise<void>;
}

export async function startPredictServer(opts: { failEvery?: number; maxDelayMs?: number } = {}): Promise<PredictServer> {
  const failEvery = opts.failEvery ?? 8;
  const maxDelayMs = opts.maxDelayMs ?? 20;
  const served: ServedCounts = { total: 0, byRoute: {}, status500: 0 };
  let predictCalls = 0;
  const server = http.createServer((req, res) => {
    const route = `${req.method} ${(req.url ?? '/').split('?')[0]}`;
    req.resume();
    req.on('end', () => {
      served.total++;
      served.byRoute[route] = (served.byRoute[route] ?? 0) + 1;
      if (route === 'GET /') {
        res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
        return;
      }
      if (route === 'POST /predict') {
        predictCalls++;
        // Failures answer at once, so a stopped client rarely loses one in flight.
        if (predictCalls % failEvery === 0) {
          served.status500++;
          res.writeHead(500, { 'content-type': 'text/plain' }).end('inference failed');
          return;
        }
        setTimeout(() => res.writeHead(200, { 'content-type': 'application/json' }).end('{"label":"cat","confidence":0.9}'), 1 + Math.random() * maxDelayMs);
        return;
      }
      res.writeHead(404).end();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    url: `http://127.0.0.1:${port}`,
    served,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
