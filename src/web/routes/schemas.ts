/** JSON schemas of the API's shapes: validation, serialisation and the OpenAPI document in one. */

export const errorSchema = {
  type: 'object',
  required: ['error', 'message'],
  properties: { error: { type: 'string' }, message: { type: 'string' } },
} as const;

export const idParams = {
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'string', pattern: '^[\\w-]{1,128}$' } },
} as const;

export const mosaicViewSchema = {
  type: 'object',
  required: ['id', 'username', 'date', 'url_small', 'url_large', 'url_preview', 'dzi', 'page_url'],
  properties: {
    id: { type: 'string' },
    username: { type: 'string' },
    display_name: { type: 'string' },
    network: { type: 'string', enum: ['x', 'mastodon', 'bluesky'] },
    profile_url: { type: 'string' },
    date: { type: 'string', format: 'date-time' },
    width: { type: 'integer' },
    height: { type: 'integer' },
    url_small: { type: 'string' },
    url_large: { type: 'string' },
    url_preview: { type: 'string', description: 'a copy at most 1600 px wide (url_large for older mosaics)' },
    url_card: { type: 'string', description: 'a copy 480 px wide for gallery cards (absent for older mosaics)' },
    dzi: { type: 'string', description: 'the Deep Zoom descriptor, always served by this app' },
    page_url: { type: 'string' },
  },
} as const;

/** The original's list entry; newer keys follow the first five. */
export const originalEntrySchema = {
  type: 'object',
  required: ['id', 'url_small', 'url_large', 'username', 'date'],
  properties: {
    id: { type: 'string' },
    url_small: { type: 'string' },
    url_large: { type: 'string' },
    username: { type: 'string' },
    date: { type: 'string', format: 'date-time' },
  },
  additionalProperties: true,
} as const;

export const requestStatusSchema = {
  type: 'object',
  required: ['id', 'state', 'updatedAt'],
  properties: {
    id: { type: 'string' },
    state: { type: 'string', enum: ['queued', 'rendering', 'publishing', 'done', 'failed'] },
    percent: { type: 'number' },
    reason: { type: 'string' },
    username: { type: 'string' },
    updatedAt: { type: 'string', format: 'date-time' },
    mosaic: mosaicViewSchema,
  },
  additionalProperties: true,
} as const;

/** 4xx and 5xx answers all have the error shape. */
export const errors = { '4xx': errorSchema, '5xx': errorSchema } as const;
