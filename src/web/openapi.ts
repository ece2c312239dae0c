import swagger from '@fastify/swagger';
import type { FastifyInstance } from 'fastify';

/**
 * The OpenAPI 3 document, generated from the routes' JSON schemas. Registered before the routes,
 * so it sees each of them.
 */
export function registerOpenApi(app: FastifyInstance): void {
  void app.register(swagger, {
    openapi: {
      info: {
        title: 'MosaicMe',
        version: '1',
        description: 'The gallery of photomosaics: mosaics, requests, live events, operations.',
      },
      components: { securitySchemes: { admin: { type: 'http', scheme: 'bearer' } } },
    },
  });
}

export function openApiRoute(app: FastifyInstance): void {
  app.get(
    '/api/openapi.json',
    {
      schema: {
        summary: 'This document',
        response: { 200: { type: 'object', additionalProperties: true } },
      },
    },
    async () => app.swagger(),
  );
}
