// The GraphQL endpoint: POST {query, variables, operationName} executed with `graphql` against
// the project's schema over a data source, answered as a plain response value. Request errors
// (bad JSON, syntax, validation) are HTTP 400 with GraphQL `errors`, as real servers answer;
// execution errors are 200 with `errors`.
import type { IncomingMessage } from 'node:http';
import { execute, GraphQLError, Kind, parse, validate, type DocumentNode } from 'graphql';
import { createRootValue, registrySchema, type MirrorUrls } from './graphql-schema.js';
import type { MirrorSource } from './mirror-source.js';
import { jsonResponse, type PlainResponse } from './plain-response.js';

const MAX_BODY_BYTES = 1024 * 1024;

interface GraphqlRequest {
  readonly query: string;
  readonly variables: Record<string, unknown> | undefined;
  readonly operationName: string | undefined;
}

export interface GraphqlContext {
  readonly source: MirrorSource;
  readonly urls: MirrorUrls;
}

export interface GraphqlAnswer {
  readonly response: PlainResponse;
  /** The operation the request named (or its document's first), when it could be read. */
  readonly operation: string | undefined;
}

/** Reads the request and answers it; never throws for anything the client sent. */
export async function answerGraphql(
  req: IncomingMessage,
  context: GraphqlContext,
): Promise<GraphqlAnswer> {
  const path = req.url ?? '/';
  if (path.split('?')[0] !== '/graphql') {
    return {
      response: errorResponse(404, `No GraphQL endpoint at ${path}; use /graphql.`),
      operation: undefined,
    };
  }
  if (req.method !== 'POST') {
    const refused = errorResponse(405, `GraphQL requests must be POST, not ${req.method ?? '?'}.`);
    return {
      response: { ...refused, headers: { ...refused.headers, allow: 'POST' } },
      operation: undefined,
    };
  }
  const body = await readBody(req);
  const request = body === undefined ? undefined : parseRequest(body);
  if (request === undefined || typeof request === 'string') {
    const status = body === undefined ? 413 : 400;
    return {
      response: errorResponse(status, request ?? 'The request body is too large.'),
      operation: undefined,
    };
  }
  return run(request, context);
}

function run(request: GraphqlRequest, context: GraphqlContext): GraphqlAnswer {
  let document: DocumentNode;
  try {
    document = parse(request.query);
  } catch (error) {
    return { response: errorsResponse(400, [asGraphqlError(error)]), operation: undefined };
  }
  const operation = request.operationName ?? firstOperationName(document);
  const schema = registrySchema();
  const invalid = validate(schema, document);
  if (invalid.length > 0) return { response: errorsResponse(400, invalid), operation };
  const result = execute({
    schema,
    document,
    rootValue: createRootValue(context.source, context.urls),
    variableValues: request.variables,
    operationName: request.operationName,
  });
  // The resolvers are synchronous, so execute() never returns a promise here.
  if (result instanceof Promise) throw new Error('unexpected asynchronous GraphQL execution');
  // No `data` at all means the request itself was unusable (e.g. bad variables): 400.
  return { response: jsonResponse('data' in result ? 200 : 400, result), operation };
}

function parseRequest(body: Buffer): GraphqlRequest | string {
  let value: unknown;
  try {
    value = JSON.parse(body.toString('utf8'));
  } catch {
    return 'The request body is not valid JSON.';
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return 'The request body must be a JSON object with a "query".';
  }
  const { query, variables, operationName } = value as Record<string, unknown>;
  if (typeof query !== 'string') return 'The request has no "query" string.';
  if (variables != null && (typeof variables !== 'object' || Array.isArray(variables))) {
    return '"variables" must be an object.';
  }
  if (operationName != null && typeof operationName !== 'string') {
    return '"operationName" must be a string.';
  }
  return {
    query,
    variables: (variables ?? undefined) as Record<string, unknown> | undefined,
    operationName: operationName ?? undefined,
  };
}

function firstOperationName(document: DocumentNode): string | undefined {
  for (const definition of document.definitions) {
    if (definition.kind === Kind.OPERATION_DEFINITION) return definition.name?.value;
  }
  return undefined;
}

function asGraphqlError(error: unknown): GraphQLError {
  return error instanceof GraphQLError ? error : new GraphQLError(String(error));
}

function errorsResponse(status: number, errors: readonly GraphQLError[]): PlainResponse {
  return jsonResponse(status, { errors: errors.map((error) => error.toJSON()) });
}

function errorResponse(status: number, message: string): PlainResponse {
  return jsonResponse(status, { errors: [{ message }] });
}

/** The body, or undefined when it exceeds the limit. */
async function readBody(req: IncomingMessage): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) return undefined;
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}
