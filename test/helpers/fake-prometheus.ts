// A stand-in for Prometheus' /api/v1/query_range on 127.0.0.1 and a free port, for CLI
// tests that save responses: it records each request's form and answers with the body
// `answer` returns (by default a matrix with one point per step over the range, as
// Prometheus would for a histogram_quantile: no metric name, string values).
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RangeRequest {
  path: string;
  query: string;
  start: number;
  end: number;
  step: string;
}

export interface FakePrometheus {
  url: string;
  requests: RangeRequest[];
  close(): Promise<void>;
}

export function matrixOver(r: RangeRequest, value: (t: number) => number): string {
  const stepS = parseFloat(r.step);
  const values: Array<[number, string]> = [];
  for (let t = r.start; t <= r.end; t += stepS) values.push([t, String(value(t))]);
  return JSON.stringify({ status: 'success', data: { resultType: 'matrix', result: [{ metric: {}, values }] } });
}

export async function startFakePrometheus(answer: (r: RangeRequest) => { status: number; body: string } = (r) => ({ status: 200, body: matrixOver(r, () => 0.05) })): Promise<FakePrometheus> {
  const requests: RangeRequest[] = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', () => {
      const form = new URLSearchParams(body);
      const r: RangeRequest = { path: (req.url ?? '').split('?')[0]!, query: form.get('query') ?? '', start: Number(form.get('start')), end: Number(form.get('end')), step: form.get('step') ?? '' };
      requests.push(r);
      const a = r.path === '/api/v1/query_range' ? answer(r) : { status: 404, body: '404 page not found' };
      res.writeHead(a.status, { 'content-type': 'application/json' });
      res.end(a.body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return { url: `http://127.0.0.1:${port}`, requests, close: () => new Promise((resolve) => server.close(() => resolve())) };
}
