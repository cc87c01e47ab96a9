import type { FastifyInstance, FastifyRequest, preValidationHookHandler, RouteOptions } from 'fastify';
import fp from 'fastify-plugin';
import { SearchApiError } from '../../errors.ts';

/** A query parameter declared `integer` must be written as one: optional minus, then 1 to 15 decimal digits. */
const DECIMAL_INTEGER = /^-?[0-9]{1,15}$/;

interface QuerySchema {
  properties?: Record<string, { type?: unknown }>;
}

function integerParameters(schema: QuerySchema): string[] {
  return Object.entries(schema.properties ?? {})
    .filter(([, property]) => property.type === 'integer')
    .map(([name]) => name);
}

/** A preValidation hook refusing any of `names` that is present and not a decimal integer. */
function checkIntegers(names: string[]): preValidationHookHandler {
  return function checkIntegerQuery(request: FastifyRequest, _reply, done) {
    const query = request.query as Record<string, unknown>;
    for (const name of names) {
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
    done();
  };
}

/**
 * Integer query parameters are decimal integers, or a 400.
 *
 * Why: ajv's type coercion turns `Infinity`, `-Infinity` and `1e400` into non-finite numbers that pass both
 * `type: integer` and `minimum`/`maximum` (ajv skips range checks on non-finite numbers), so `limit=1e400`
 * bypassed the cap and `limit=-Infinity` reached the index. Every route registered after this plugin whose
 * querystring schema declares an `integer` gets the check before validation, on the raw strings; the schema's
 * bounds then apply to a finite number. Routes without one (an ASIN lookup) run no hook for it.
 */
export default fp(
  async function strictQueryPlugin(app: FastifyInstance) {
    app.addHook('onRoute', (route: RouteOptions) => {
      const schema = route.schema?.querystring as QuerySchema | undefined;
      const names = schema ? integerParameters(schema) : [];
      if (names.length === 0) return;
      const existing = route.preValidation;
      const hooks = existing === undefined ? [] : Array.isArray(existing) ? existing : [existing];
      route.preValidation = [checkIntegers(names), ...hooks];
    });
  },
  { name: 'shazam-strict-query' },
);
