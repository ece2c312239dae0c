import swagger from '@fastify/swagger';
import type { FastifyInstance } from 'fastify';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** A multipart form's fields, for the document only (the route reads the parts itself). */
    multipartBody?: Record<string, unknown>;
  }
}

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
    transform: ({ schema, url, route }) => {
      const body = route.config?.multipartBody;
      return { schema: body ? { ...schema, body } : schema, url };
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
