// The GraphQL endpoint: POST {query, variables, operationName} executed with `graphql` against
// the project's schema. Request errors (bad JSON, syntax, validation) are HTTP 400 with
// GraphQL `errors`, as real servers answer; execution errors are 200 with `errors`.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { execute, GraphQLError, Kind, parse, validate, type DocumentNode } from 'graphql';
import type { IndexedCatalog } from './catalog-index.js';
import {
  jsonResponse,
  sendWithFault,
  type PlainResponse,
  type ResponseContext,
} from '../../testing/fault-response.js';
import type { FaultDecision, FaultRequest } from '../../testing/faults.js';
import { createRootValue, registrySchema, type RegistryUrls } from './graphql-schema.js';

const MAX_BODY_BYTES = 1024 * 1024;

export interface ListenerContext extends ResponseContext {
  /** Decides (and consumes) the faults for one request. */
  takeFaults(req: IncomingMessage, request: FaultRequest): FaultDecision;
  current(): { readonly index: IndexedCatalog; readonly urls: RegistryUrls };
}

interface GraphqlRequest {
  readonly query: string;
  readonly variables: Record<string, unknown> | undefined;
  readonly operationName: string | undefined;
}

export async function handleGraphql(
  req: IncomingMessage,
  res: ServerResponse,
  context: ListenerContext,
): Promise<void> {
  const path = req.url ?? '/';
  let operation: string | undefined;
  let normal: PlainResponse;
  if (path.split('?')[0] !== '/graphql') {
    normal = errorResponse(404, `No GraphQL endpoint at ${path}; use /graphql.`);
  } else if (req.method !== 'POST') {
    normal = errorResponse(405, `GraphQL requests must be POST, not ${req.method ?? '?'}.`);
    normal = { ...normal, headers: { ...normal.headers, allow: 'POST' } };
  } else {
    const body = await readBody(req);
    const request = body === undefined ? undefined : parseRequest(body);
    if (request === undefined || typeof request === 'string') {
      normal = errorResponse(
        body === undefined ? 413 : 400,
        request ?? 'The request body is too large.',
      );
    } else {
      const outcome = run(request, context);
      operation = outcome.operation;
      normal = outcome.response;
    }
  }
  const decision = context.takeFaults(req, { listener: 'graphql', path, operation });
  await sendWithFault(req, res, normal, decision, context);
}

function run(
  request: GraphqlRequest,
  context: ListenerContext,
): { response: PlainResponse; operation?: string } {
  let document: DocumentNode;
  try {
    document = parse(request.query);
  } catch (error) {
    return { response: errorsResponse(400, [asGraphqlError(error)]) };
  }
  const operation = request.operationName ?? firstOperationName(document);
  const schema = registrySchema();
  const invalid = validate(schema, document);
  if (invalid.length > 0) return { response: errorsResponse(400, invalid), operation };
  const { index, urls } = context.current();
  const result = execute({
    schema,
    document,
    rootValue: createRootValue(index, urls),
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
