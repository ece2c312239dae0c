import type { FastifyInstance } from 'fastify';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

export type MetricSources = {
  mosaics: () => Promise<number>;
  /** Messages waiting per queue, read at scrape time. */
  queueDepths: () => Promise<{ name: string; depth: number | null }[]>;
  sseClients: () => number;
};

/**
 * The web role's Prometheus metrics, in a registry of its own (one per app, so tests can build
 * several). Gauges of the pipeline are read when scraped, never polled.
 */
export class WebMetrics {
  readonly registry = new Registry();
  private readonly requests: Counter<'method' | 'route' | 'status'>;
  private readonly duration: Histogram<'method' | 'route' | 'status'>;
  private readonly uploads: Counter<'outcome'>;

  constructor(sources: MetricSources) {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry, prefix: 'mosaicme_' });
    this.requests = new Counter({
      name: 'mosaicme_http_requests_total',
      help: 'HTTP requests answered, by route and status',
      labelNames: ['method', 'route', 'status'],
      registers,
    });
    this.duration = new Histogram({
      name: 'mosaicme_http_request_duration_seconds',
      help: 'Time to answer HTTP requests, by route and status',
      labelNames: ['method', 'route', 'status'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10],
      registers,
    });
    this.uploads = new Counter({
      name: 'mosaicme_uploads_total',
      help: 'Uploaded photos, accepted as requests or refused (too large, not an image, rate limited)',
      labelNames: ['outcome'],
      registers,
    });
    this.uploads.inc({ outcome: 'accepted' }, 0);
    this.uploads.inc({ outcome: 'refused' }, 0);
    new Gauge({
      name: 'mosaicme_gallery_mosaics',
      help: 'Mosaics shown in the gallery',
      registers,
      async collect() {
        this.set(await sources.mosaics().catch(() => NaN));
      },
    });
    new Gauge({
      name: 'mosaicme_queue_depth',
      help: 'Messages waiting in each queue (NaN when the queue cannot be read)',
      labelNames: ['queue'],
      registers,
      async collect() {
        for (const q of await sources.queueDepths()) this.set({ queue: q.name }, q.depth ?? NaN);
      },
    });
    new Gauge({
      name: 'mosaicme_sse_clients',
      help: 'Pages listening to live events',
      registers,
      collect() {
        this.set(sources.sseClients());
      },
    });
  }

  /** Counts and times every answered request under its route pattern (unknown paths as one). */
  observe(app: FastifyInstance): void {
    app.addHook('onResponse', (req, reply, done) => {
      const labels = {
        method: req.method,
        route: req.routeOptions.url ?? 'unmatched',
        status: String(reply.statusCode),
      };
      this.requests.inc(labels);
      this.duration.observe(labels, reply.elapsedTime / 1000);
      done();
    });
  }

  upload(outcome: 'accepted' | 'refused'): void {
    this.uploads.inc({ outcome });
  }

  text(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}
