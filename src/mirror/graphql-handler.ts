// The GraphQL endpoint: POST {query, variables, operationName} executed with `graphql` against
// the project's schema over a data source, answered as a plain response value. Request errors
// (bad JSON, syntax, validation) are HTTP 400 with GraphQL `errors`, as real servers answer;
// execution errors are 200 with `errors`.
import type { IncomingMessage } from 'node:http';
import { execute, GraphQLError, Kind, type DocumentNode } from 'graphql';
import { checkedDocument, type CheckedDocument } from './graphql-documents.js';
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
  const refused = refuseGraphqlRequest(req);
  if (refused !== undefined) return { response: refused, operation: undefined };
  return answerGraphqlBody(await readGraphqlBody(req), context);
}

/** The answer to a request that is not a POST to /graphql, or undefined when it is one. */
export function refuseGraphqlRequest(req: IncomingMessage): PlainResponse | undefined {
  const path = req.url ?? '/';
  if (path.split('?')[0] !== '/graphql') {
    return errorResponse(404, `No GraphQL endpoint at ${path}; use /graphql.`);
  }
  if (req.method !== 'POST') {
    const refused = errorResponse(405, `GraphQL requests must be POST, not ${req.method ?? '?'}.`);
    return { ...refused, headers: { ...refused.headers, allow: 'POST' } };
  }
  return undefined;
}

/** Answers a request body (undefined: it exceeded the size limit); never throws for its content. */
export function answerGraphqlBody(
  body: Buffer | undefined,
  context: GraphqlContext,
): GraphqlAnswer {
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
  let parsed: CheckedDocument;
  try {
    parsed = checkedDocument(request.query);
  } catch (error) {
    return { response: errorsResponse(400, [asGraphqlError(error)]), operation: undefined };
  }
  const { document, errors } = parsed;
  const operation = request.operationName ?? firstOperationName(document);
  if (errors.length > 0) return { response: errorsResponse(400, errors), operation };
  const result = execute({
    schema: registrySchema(),
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
export async function readGraphqlBody(req: IncomingMessage): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) return undefined;
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}
