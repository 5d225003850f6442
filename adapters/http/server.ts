/**
 * The bot's HTTP server: health and readiness for the orchestrator, metrics
 * for Prometheus, and a mount point for platform receivers (Slack's events
 * endpoint) so everything is served on one port.
 */
import { createServer, type IncomingMessage, type RequestListener, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReadinessCheck {
  name: string;
  /** Resolves when ready; rejects (or resolves false) when not. */
  check(): Promise<boolean | void>;
}

export interface HttpServerOptions {
  port: number;
  host?: string;
  readiness: ReadinessCheck[];
  metrics?: () => Promise<{ contentType: string; body: string }>;
  /** How long a readiness check may take before it counts as failed (ms). */
  checkTimeoutMs?: number;
}

type Handler = (req: IncomingMessage, res: ServerResponse) => void | Promise<void>;

export class HttpServer {
  private readonly server: Server;
  private readonly mounts: { prefix: string; listener: RequestListener }[] = [];
  private readonly routes = new Map<string, Handler>();

  constructor(private readonly options: HttpServerOptions) {
    this.routes.set('GET /healthz', (_req, res) => json(res, 200, { status: 'ok' }));
    this.routes.set('GET /readyz', (_req, res) => this.ready(res));
    if (options.metrics) {
      const metrics = options.metrics;
      this.routes.set('GET /metrics', async (_req, res) => {
        const { contentType, body } = await metrics();
        res.writeHead(200, { 'content-type': contentType }).end(body);
      });
    }
    this.server = createServer((req, res) => void this.dispatch(req, res));
  }

  /** Sends every request under `prefix` to `listener` (e.g. Bolt's HTTPReceiver). */
  mount(prefix: string, listener: RequestListener): void {
    this.mounts.push({ prefix, listener });
  }

  /** Adds a route such as `GET /queue`. */
  route(methodAndPath: string, handler: Handler): void {
    this.routes.set(methodAndPath, handler);
  }

  async listen(): Promise<number> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.options.port, this.options.host ?? '0.0.0.0', () => resolve());
    });
    return (this.server.address() as AddressInfo).port;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections?.();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async dispatch(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? '/').split('?')[0] as string;
    try {
      const mount = this.mounts.find((m) => path === m.prefix || path.startsWith(`${m.prefix}/`));
      if (mount) return mount.listener(req, res);
      const handler = this.routes.get(`${req.method ?? 'GET'} ${path}`);
      if (handler) return await handler(req, res);
      json(res, 404, { error: 'not found' });
    } catch (err) {
      if (!res.headersSent) json(res, 500, { error: err instanceof Error ? err.message : 'internal error' });
      else res.end();
    }
  }

  private async ready(res: ServerResponse): Promise<void> {
    const timeout = this.options.checkTimeoutMs ?? 2_000;
    const results = await Promise.all(
      this.options.readiness.map(async ({ name, check }) => {
        try {
          const ok = await Promise.race([check(), new Promise<false>((r) => setTimeout(() => r(false), timeout).unref())]);
          return [name, ok !== false] as const;
        } catch {
          return [name, false] as const;
        }
      }),
    );
    const checks = Object.fromEntries(results);
    const ready = results.every(([, ok]) => ok);
    json(res, ready ? 200 : 503, { status: ready ? 'ready' : 'not ready', checks });
  }
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}
