import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { SearchApiError } from '../../errors.ts';

/** A query parameter declared `integer` must be written as one: optional minus, then 1 to 15 decimal digits. */
const DECIMAL_INTEGER = /^-?[0-9]{1,15}$/;

interface QuerySchema {
  properties?: Record<string, { type?: unknown }>;
}

/** Names of the route's query parameters whose schema type is `integer`, computed once per route. */
const integerNames = new WeakMap<object, string[]>();

function integerParameters(schema: QuerySchema): string[] {
  let names = integerNames.get(schema);
  if (!names) {
    names = Object.entries(schema.properties ?? {})
      .filter(([, property]) => property.type === 'integer')
      .map(([name]) => name);
    integerNames.set(schema, names);
  }
  return names;
}

/**
 * Integer query parameters are decimal integers, or a 400.
 *
 * Why: ajv's type coercion turns `Infinity`, `-Infinity` and `1e400` into non-finite numbers that pass both
 * `type: integer` and `minimum`/`maximum` (ajv skips range checks on non-finite numbers), so `limit=1e400`
 * bypassed the cap and `limit=-Infinity` reached the index. This runs before validation on the raw strings
 * of every route, so any `integer` query parameter of any route is covered; the schema's bounds then apply
 * to a finite number.
 */
export default fp(
  async function strictQueryPlugin(app: FastifyInstance) {
    app.addHook('preValidation', (request: FastifyRequest, _reply, done) => {
      const schema = request.routeOptions.schema?.querystring as QuerySchema | undefined;
      if (schema) {
        const query = request.query as Record<string, unknown>;
        for (const name of integerParameters(schema)) {
          const raw = query[name];
          if (raw === undefined) continue;
          if (typeof raw !== 'string' || !DECIMAL_INTEGER.test(raw)) {
            done(
              new SearchApiError(
                'SHAZAM_SEARCH_BAD_REQUEST',
                400,
                `querystring ${name} must be integer: decimal digits, such as ${name}=10`,
              ),
            );
            return;
          }
        }
      }
      done();
    });
  },
  { name: 'shazam-strict-query' },
);
