// Parsed and validated GraphQL documents, for the mirror's GraphQL handler. Wasmer's clients
// splice the package name into the query text as a literal, so every package asked for is a new
// text, and validating one costs about ten times parsing it (a millisecond). Whether a document
// is valid does not depend on what its string literals say — in this schema a string literal is
// checked against String, ID, an enum (never valid) or a scalar from `buildSchema`, which accepts
// any literal — so a document whose shape (its tokens, string contents left out) was valid once
// is valid again, and is only parsed. Invalid documents are always validated in full, so their
// errors quote their own values. A client sending its document with variables sends the same
// text every time: a valid document is also kept by its text (a document is never changed by
// executing it), so asking again costs neither parsing nor validation.
import {
  TokenKind,
  parse,
  validate,
  type DocumentNode,
  type GraphQLError,
  type Token,
} from 'graphql';
import { registrySchema } from './graphql-schema.js';

export interface CheckedDocument {
  readonly document: DocumentNode;
  /** Empty when the document is valid against the project's schema. */
  readonly errors: readonly GraphQLError[];
}

const validShapes = new Set<string>();
/** Shapes are few (one per client document); the bound only stops a client that sends endless new ones. */
const MAX_SHAPES = 1024;

const validTexts = new Map<string, DocumentNode>();
let validTextChars = 0;
/** Characters of query text kept; Wasmer's documents are under 1 KiB, so thousands fit. */
const MAX_TEXT_CHARS = 8 * 1024 * 1024;

/** The document's tokens, string literals blanked and comments left out: equal for documents that differ only in names. */
function shapeOf(document: DocumentNode): string | undefined {
  const parts: string[] = [];
  for (let token: Token | null | undefined = document.loc?.startToken; token; token = token.next) {
    if (token.kind === TokenKind.EOF) return parts.join(' ');
    if (token.kind === TokenKind.COMMENT) continue;
    const text = token.kind === TokenKind.STRING || token.kind === TokenKind.BLOCK_STRING;
    parts.push(text ? '""' : token.value === undefined ? token.kind : JSON.stringify(token.value));
  }
  return undefined;
}

/** Parses `query` (throws GraphQLError on a syntax error) and validates it unless its shape is known valid. */
export function checkedDocument(query: string): CheckedDocument {
  const known = validTexts.get(query);
  if (known !== undefined) return { document: known, errors: [] };
  const document = parse(query);
  const shape = shapeOf(document);
  const errors =
    shape !== undefined && validShapes.has(shape) ? [] : validate(registrySchema(), document);
  if (errors.length > 0) return { document, errors };
  if (shape !== undefined && !validShapes.has(shape)) {
    if (validShapes.size >= MAX_SHAPES) validShapes.clear();
    validShapes.add(shape);
  }
  if (validTextChars + query.length > MAX_TEXT_CHARS) {
    validTexts.clear();
    validTextChars = 0;
  }
  validTexts.set(query, document);
  validTextChars += query.length;
  return { document, errors };
}
