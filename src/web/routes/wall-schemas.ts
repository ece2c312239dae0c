/** JSON schemas of the wall API's shapes (src/shapes/wall.ts): validation, serialisation and the OpenAPI document. */

const int = { type: 'integer' } as const;
const str = { type: 'string' } as const;

export const wallParams = { type: 'object', required: ['id'], properties: { id: str } } as const;

export const wallDefSchema = {
  type: 'object',
  required: ['id', 'title', 'cols', 'rows', 'screenCellPx', 'tone', 'ghost', 'state', 'print', 'target', 'createdAt'],
  properties: {
    id: str,
    title: str,
    cols: int,
    rows: int,
    screenCellPx: { type: 'integer', description: "pixels per cell on the live screen's deepest level" },
    tone: { type: 'number', description: "how far photos' colours move toward their cell's, 0 to 1" },
    ghost: { type: 'number', description: 'opacity of the target laid over the photos, 0 to 1' },
    hashtag: { type: 'string', description: 'posts with this hashtag (without #) go to this wall' },
    state: { type: 'string', enum: ['open', 'full', 'closed'] },
    whenFull: str,
    print: { type: 'object', properties: { tileInches: { type: 'number' }, dpi: { type: 'number' } } },
    target: { type: 'object', properties: { width: int, height: int } },
    createdAt: { type: 'string', format: 'date-time' },
  },
  additionalProperties: true,
} as const;

const counts = {
  placed: { type: 'integer', description: 'cells holding a photo' },
  total: { type: 'integer', description: 'cells in all' },
  seq: { type: 'integer', description: "the placement log's last entry (the live stream's last event id)" },
} as const;

export const wallSummarySchema = {
  ...wallDefSchema,
  required: [...wallDefSchema.required, 'placed', 'total', 'seq'],
  properties: { ...wallDefSchema.properties, ...counts },
} as const;

export const placementSchema = {
  type: 'object',
  required: ['cell', 'label', 'photo', 'at'],
  properties: {
    cell: { type: 'integer', description: 'row by row from the top left, from 0' },
    label: { type: 'string', description: 'the printed name of the cell, e.g. C-14' },
    photo: { type: 'string', description: 'the request id of the photo' },
    name: { type: 'string', description: 'the name or handle given with the photo: user input, shown as text' },
    network: str,
    cost: { type: 'number' },
    at: { type: 'string', format: 'date-time' },
    seq: { type: 'integer', description: 'the log entry that placed it' },
  },
  additionalProperties: true,
} as const;

export const wallDetailSchema = {
  ...wallSummarySchema,
  required: [...wallSummarySchema.required, 'cells', 'freed'],
  properties: {
    ...wallSummarySchema.properties,
    cells: { type: 'array', items: placementSchema, description: 'every photo in its cell, in cell order' },
    freed: {
      type: 'array',
      description: 'cells emptied by moderation, with the log entry that emptied them',
      items: { type: 'object', required: ['cell', 'seq'], properties: { cell: int, seq: int } },
    },
  },
} as const;

/** The print queue's photo parameter: request ids only, so it never reaches outside `prints/`. */
export const printParams = {
  type: 'object',
  required: ['id', 'photo'],
  properties: { id: str, photo: { type: 'string', pattern: '^[\\w-]{1,128}$' } },
} as const;

/** One job of a wall's print queue (`PrintJob` in src/services/wall-print-stage.ts). */
export const printJobSchema = {
  type: 'object',
  required: ['photo', 'cell', 'label', 'sticker', 'takeaway', 'createdAt'],
  properties: {
    photo: { type: 'string', description: 'the request id of the photo' },
    cell: int,
    label: { type: 'string', description: 'the printed name of the cell, e.g. C-14' },
    name: { type: 'string', description: 'the name or handle given with the photo: user input, shown as text' },
    sticker: { type: 'string', description: "the sticker's key under the wall (`prints/<photo>-sticker.jpg`)" },
    takeaway: { type: 'string', description: "the take-home print's key under the wall" },
    createdAt: { type: 'string', format: 'date-time' },
    printedAt: { type: 'string', format: 'date-time', description: 'when it was printed; absent until then' },
    onBoardAt: { type: 'string', format: 'date-time', description: 'when it was stuck on the board' },
    removed: { type: 'boolean', description: 'true when moderation took the photo off the wall since' },
  },
  additionalProperties: true,
} as const;

export const printQueueSchema = {
  type: 'object',
  required: ['jobs', 'counts'],
  properties: {
    jobs: { type: 'array', items: printJobSchema, description: 'oldest first, as `state` picks them' },
    counts: {
      type: 'object',
      description: 'over the whole queue, whatever `state` picks',
      required: ['total', 'printed', 'onBoard'],
      properties: { total: int, printed: int, onBoard: int },
    },
  },
} as const;
