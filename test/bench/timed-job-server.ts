/**
 * A minimal Multiview API whose jobs become ready at a known moment, for the polling figures.
 * POST /api/v5/multiview answers `processing` with the configured `eta`, the way the real service does; the job's
 * fetch_result answers `processing` (no eta, like the documented fetch shape) until `readyAfterMs` has passed
 * since the submission arrived, then `success`. Times are performance.now() of this process.
 */
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';

export interface TimedJob {
  submittedAt: number;
  readyAt: number;
  polls: number;
}

export interface TimedJobServer {
  baseUrl: string;
  /** Per job id; the job id is the `prompt` the client sent, so that concurrent cases stay apart. */
  jobs: Map<string, TimedJob>;
  close(): Promise<void>;
}

export async function startTimedJobServer(cases: Record<string, { etaSeconds: number; readyAfterMs: number }>): Promise<TimedJobServer> {
  const jobs = new Map<string, TimedJob>();
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const now = performance.now();
      const base = `http://${req.headers.host}`;
      const send = (body: unknown): void => {
        res.writeHead(200, { 'Content-Type': 'application/json' });
        res.end(JSON.stringify(body));
      };
      const fetch = /^\/api\/v6\/image_editing\/fetch\/([\w-]+)$/.exec(req.url ?? '');
      if (req.url === '/api/v5/multiview') {
        const id = String(JSON.parse(Buffer.concat(chunks).toString('utf8')).prompt);
        const known = cases[id];
        jobs.set(id, { submittedAt: now, readyAt: now + known.readyAfterMs, polls: 0 });
        return send({ status: 'processing', eta: known.etaSeconds, fetch_result: `${base}/api/v6/image_editing/fetch/${id}`, id, output: [], future_links: [], meta: {} });
      }
      const job = fetch ? jobs.get(fetch[1]) : undefined;
      if (!job) {
        res.writeHead(404).end();
        return;
      }
      job.polls++;
      if (now < job.readyAt) return send({ status: 'processing', message: 'Request processing', output: '', tip: '' });
      send({ status: 'success', id: fetch![1], output: [`${base}/generations/${fetch![1]}.png`], proxy_links: [], meta: {} });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    jobs,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
