/**
 * A client generated at run time from an OpenAPI 3 document: one function per `operationId`, which builds
 * the request only from what the document declares (path and query parameters, request body content types)
 * and checks the answer against it (the status is among the operation's responses, the JSON body matches
 * that response's schema). A test that drives the server through it proves the document is complete enough
 * for a generated client to use the API.
 */
import { Ajv, type ValidateFunction } from 'ajv';

/** The parts of an OpenAPI 3 document the client reads. */
export interface OpenApiDocument {
  openapi: string;
  paths: Record<string, Record<string, OpenApiOperation>>;
  components?: { schemas?: Record<string, unknown> };
}

/** One operation of the document. */
export interface OpenApiOperation {
  operationId?: string;
  parameters?: Array<{ name: string; in: 'path' | 'query' | 'header'; required?: boolean; schema?: unknown }>;
  requestBody?: { required?: boolean; content: Record<string, { schema?: unknown }> };
  responses: Record<string, { description?: string; content?: Record<string, { schema?: unknown }> }>;
}

/** A request, in the document's terms. */
export interface GeneratedRequest {
  path?: Record<string, string>;
  query?: Record<string, string | number>;
  headers?: Record<string, string>;
  /** A body in one of the operation's declared content types; multipart bodies are built from `form`. */
  body?: { contentType: string; bytes: Uint8Array } | { contentType: 'multipart/form-data'; form: FormData };
}

/** An answer, with whether the document declares its status and whether the body matches the schema. */
export interface GeneratedResponse {
  status: number;
  headers: Headers;
  body: unknown;
  /** Schema errors of the body against the documented response, empty when it matches. */
  schemaErrors: string[];
}

/** The generated client: one function per operationId. */
export type GeneratedClient = Record<string, (request?: GeneratedRequest) => Promise<GeneratedResponse>>;

/** Thrown when a request cannot be built from the document, or an answer is not in it. */
export class OpenApiContractError extends Error {
  override name = 'OpenApiContractError';
}

/** Every operation of the document with its method and path. */
export function operationsOf(
  document: OpenApiDocument,
): Array<{ method: string; path: string; operation: OpenApiOperation }> {
  return Object.entries(document.paths).flatMap(([path, methods]) =>
    Object.entries(methods).map(([method, operation]) => ({ method: method.toUpperCase(), path, operation })),
  );
}

/** Compiles the JSON schema of each documented response, resolving `#/components/...` references. */
export function responseValidator(
  document: OpenApiDocument,
): (operation: OpenApiOperation, status: number, contentType: string, body: unknown) => string[] {
  const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false });
  const cache = new Map<unknown, ValidateFunction>();
  return (operation, status, contentType, body) => {
    const response = operation.responses[String(status)];
    if (!response) return [`status ${status} is not documented`];
    const media =
      response.content?.[contentType.split(';')[0]!.trim()] ?? response.content?.['application/json'];
    if (!media?.schema) return [];
    let validate = cache.get(media.schema);
    if (!validate) {
      validate = ajv.compile({ ...(media.schema as object), components: document.components });
      cache.set(media.schema, validate);
    }
    if (validate(body)) return [];
    return (validate.errors ?? []).map((error) => `${error.instancePath || '/'} ${error.message ?? ''}`);
  };
}

/**
 * Generates the client.
 *
 * @example
 * ```ts
 * const client = generateClient(await (await fetch(`${url}/openapi.json`)).json(), url);
 * const answer = await client.getAsset!({ path: { asin: 'B0CHAIR001' } });
 * ```
 */
export function generateClient(document: OpenApiDocument, baseUrl: string): GeneratedClient {
  const validateResponse = responseValidator(document);
  const client: GeneratedClient = {};
  for (const { method, path, operation } of operationsOf(document)) {
    if (!operation.operationId) continue;
    client[operation.operationId] = async (request = {}) => {
      const declared = new Map((operation.parameters ?? []).map((parameter) => [parameter.name, parameter]));
      const url = new URL(
        path.replace(/\{([^}]+)\}/g, (_match, name: string) => {
          const value = request.path?.[name];
          if (declared.get(name)?.in !== 'path' || value === undefined) {
            throw new OpenApiContractError(
              `${operation.operationId}: path parameter ${name} is not declared or missing`,
            );
          }
          return encodeURIComponent(value);
        }),
        baseUrl,
      );
      for (const [name, value] of Object.entries(request.query ?? {})) {
        if (declared.get(name)?.in !== 'query') {
          throw new OpenApiContractError(`${operation.operationId}: query parameter ${name} is not declared`);
        }
        url.searchParams.set(name, String(value));
      }
      for (const parameter of declared.values()) {
        if (parameter.required && parameter.in === 'query' && request.query?.[parameter.name] === undefined) {
          throw new OpenApiContractError(
            `${operation.operationId}: query parameter ${parameter.name} is required`,
          );
        }
      }
      const headers = new Headers(request.headers);
      let body: BodyInit | undefined;
      if (request.body) {
        if (!operation.requestBody?.content[request.body.contentType]) {
          throw new OpenApiContractError(
            `${operation.operationId}: the document declares no ${request.body.contentType} request body`,
          );
        }
        if ('form' in request.body) {
          body = request.body.form;
        } else {
          body = new Blob([new Uint8Array(request.body.bytes)]);
          headers.set('content-type', request.body.contentType);
        }
      } else if (operation.requestBody?.required) {
        throw new OpenApiContractError(`${operation.operationId}: the request body is required`);
      }
      const response = await fetch(url, { method, headers, body });
      const contentType = response.headers.get('content-type') ?? '';
      const text = await response.text();
      const parsed: unknown = contentType.includes('json') && text !== '' ? JSON.parse(text) : text;
      return {
        status: response.status,
        headers: response.headers,
        body: parsed,
        schemaErrors: validateResponse(
          operation,
          response.status,
          contentType,
          response.status === 304 ? undefined : parsed,
        ),
      };
    };
  }
  return client;
}
