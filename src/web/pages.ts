import { existsSync } from 'node:fs';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply } from 'fastify';
import QRCode from 'qrcode';
import { aboutView } from './pages/about.js';
import { loadAssets, PUBLIC_DIR, type Assets } from './pages/assets.js';
import { layout, type Shell } from './pages/layout.js';
import { wallPhotoView, wallScreenView, wallUploadView } from './pages/walls.js';
import type { WallSummary } from '../shapes/wall.js';
import {
  adminView,
  homeView,
  mosaicView,
  notFoundView,
  uploadView,
  wallView,
  type MosaicPage,
  type MosaicView,
} from './pages/views.js';

/** What the pages need to know of the site. */
export type PagesConfig = {
  /** The hashtag people post with, without `#`. */
  hashtag: string;
  /** The public address of the gallery (for the QR code and share links). */
  siteUrl: string;
  /** The upload limit, to tell people before they try (MiB). */
  maxUploadMiB?: number;
};

/** What the pages learn of the server as it runs. */
export type PagesState = {
  /** Whether the operator API answers (ADMIN_TOKEN is set). */
  adminOn?: boolean;
  /** Whether the tile library is still only the generated demo library. */
  demoLibrary?: () => Promise<boolean>;
  /** A live wall by id, with its counts; undefined for none (so its pages are 404s). */
  wall?: (id: string) => Promise<WallSummary | undefined>;
};

/** Cards on a page of the gallery, and mosaics in the carousel (as in the client). */
const PER_PAGE = 12;
const CAROUSEL = 5;

/** Built files carry their content hash in the name, so they may be cached for good. */
const HASHED = /-[A-Z0-9]{8}\.(js|css)$/;

/**
 * The gallery's pages: HTML shells made here with every value escaped, behaviour in the bundled
 * client scripts under `/assets/` (built by scripts/build-web.mjs). The shells are never cached,
 * so a new build shows at once.
 */
export async function registerPages(app: FastifyInstance, cfg: PagesConfig, state: PagesState = {}): Promise<void> {
  const site = cfg.siteUrl.replace(/\/+$/, '');
  const qr = await QRCode.toString(`${site}/upload`, { type: 'svg', margin: 1, errorCorrectionLevel: 'M' });
  let assets: Assets | undefined;
  const demo = async () => (await state.demoLibrary?.().catch(() => false)) ?? false;

  if (existsSync(PUBLIC_DIR))
    await app.register(fastifyStatic, {
      root: PUBLIC_DIR,
      prefix: '/assets/',
      decorateReply: false,
      index: false,
      cacheControl: false,
      setHeaders: (reply, file) =>
        reply.header(
          'cache-control',
          HASHED.test(file) ? 'public, max-age=31536000, immutable' : 'public, max-age=3600',
        ),
    });

  const send = (reply: FastifyReply, shell: Shell, current?: string, status = 200) => {
    assets ??= loadAssets();
    if (!assets)
      return reply.status(503).type('text/plain').send('The gallery pages are not built yet: run npm run build.');
    return reply
      .status(status)
      .header('cache-control', 'no-cache')
      .type('text/html; charset=utf-8')
      .send(layout(assets, shell, current));
  };

  // The first view of the gallery comes with the page: thumbnails start loading before any script.
  app.get<{ Querystring: { page?: string } }>('/', async (req, reply) => {
    const page = Number(req.query.page ?? '1');
    const [first, latest, demoOnly] = await Promise.all([
      Number.isInteger(page) && page >= 1 ? galleryPage(app, page, PER_PAGE) : undefined,
      galleryPage(app, 1, CAROUSEL),
      demo(),
    ]);
    return send(
      reply,
      {
        title: `MosaicMe · #${cfg.hashtag}`,
        script: 'home.js',
        body: homeView(cfg.hashtag, qr, first, latest?.mosaics, demoOnly),
      },
      '/',
    );
  });

  app.get<{ Params: { id: string } }>('/mosaics/:id', async (req, reply) => {
    const [found, demoOnly] = await Promise.all([findMosaic(app, req.params.id), demo()]);
    if (found === 'error')
      return send(
        reply,
        { title: 'MosaicMe', body: notFoundView('The gallery is busy: try again in a moment.') },
        '',
        503,
      );
    if (!found)
      return send(reply, { title: 'Not found · MosaicMe', body: notFoundView('There is no mosaic here.') }, '', 404);
    const shareUrl = `${site}/mosaics/${encodeURIComponent(found.id)}`;
    return send(reply, {
      title: `Mosaic by @${found.username} · MosaicMe`,
      script: 'mosaic.js',
      body: mosaicView(found, shareUrl, demoOnly),
      description: `A photomosaic by @${found.username}: zoom in to see every photo.`,
      image: /^https?:/.test(found.url_small) ? found.url_small : `${site}${found.url_small}`,
    });
  });

  app.get('/upload', async (_req, reply) =>
    send(
      reply,
      {
        title: 'Make your mosaic · MosaicMe',
        script: 'upload.js',
        body: uploadView(cfg.hashtag, cfg.maxUploadMiB ?? 25),
      },
      '/upload',
    ),
  );
  app.get('/wall', async (_req, reply) =>
    send(reply, { title: 'MosaicMe wall', script: 'wall.js', body: wallView(cfg.hashtag, qr), bare: true }, '/wall'),
  );
  app.get('/about', async (_req, reply) =>
    send(reply, { title: 'How MosaicMe works', body: aboutView(cfg.hashtag) }, '/about'),
  );
  app.get('/admin', async (_req, reply) =>
    send(reply, { title: 'Operator view · MosaicMe', script: 'admin.js', body: adminView(state.adminOn ?? true) }),
  );

  // Live walls. Their QR codes are made once per wall.
  const qrs = new Map<string, Promise<string>>();
  const wallQr = (url: string) => {
    let svg = qrs.get(url);
    if (!svg) qrs.set(url, (svg = QRCode.toString(url, { type: 'svg', margin: 1, errorCorrectionLevel: 'M' })));
    return svg;
  };
  const noWall = (reply: FastifyReply) =>
    send(reply, { title: 'Not found · MosaicMe', body: notFoundView('There is no wall here.') }, '', 404);
  const findWall = async (id: string) => (await state.wall?.(id).catch(() => undefined)) ?? undefined;

  app.get<{ Params: { id: string } }>('/walls/:id', async (req, reply) => {
    const wall = await findWall(req.params.id);
    if (!wall) return noWall(reply);
    const uploadUrl = `${site}/walls/${encodeURIComponent(wall.id)}/upload`;
    return send(reply, {
      title: `${wall.title} · MosaicMe wall`,
      script: 'wall-screen.js',
      body: wallScreenView(wall, await wallQr(uploadUrl), uploadUrl),
      bare: true,
    });
  });
  app.get<{ Params: { id: string } }>('/walls/:id/upload', async (req, reply) => {
    const wall = await findWall(req.params.id);
    if (!wall) return noWall(reply);
    return send(reply, {
      title: `Add your photo · ${wall.title}`,
      script: 'wall-upload.js',
      body: wallUploadView(wall, cfg.maxUploadMiB ?? 25),
      description: `Add your photo to ${wall.title}: it becomes one tile of the big picture.`,
    });
  });
  app.get<{ Params: { id: string; photo: string } }>('/walls/:id/photos/:photo', async (req, reply) => {
    const wall = await findWall(req.params.id);
    if (!wall || !/^[\w-]{1,128}$/.test(req.params.photo)) return noWall(reply);
    return send(reply, {
      title: `Your photo · ${wall.title}`,
      script: 'wall-photo.js',
      body: wallPhotoView(wall, req.params.photo),
    });
  });
}

/** A page of the gallery from the app's own API; undefined when it cannot say (the client retries). */
async function galleryPage(app: FastifyInstance, page: number, perPage: number): Promise<MosaicPage | undefined> {
  const res = await app.inject({ method: 'GET', url: `/api/mosaics?page=${page}&per_page=${perPage}` });
  return res.statusCode === 200 ? res.json<MosaicPage>() : undefined;
}

/** The mosaic from the app's own API, so the page and the API agree on what exists (and is not hidden). */
async function findMosaic(app: FastifyInstance, id: string): Promise<MosaicView | undefined | 'error'> {
  if (!/^[\w-]{1,128}$/.test(id)) return undefined;
  const res = await app.inject({ method: 'GET', url: `/api/mosaics/${id}` });
  if (res.statusCode === 404) return undefined;
  if (res.statusCode !== 200) return 'error';
  return res.json<MosaicView>();
}
