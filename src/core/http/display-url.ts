// How a URL is shown to people: in log lines, error messages, outputs and the job summary.
// Download URLs are often pre-signed (`?X-Amz-Signature=…`) or carry credentials
// (`https://user:pass@…`); those parts are capabilities, not locations, so they are never
// shown. The request itself keeps them — only the text changes.

/**
 * `url` without userinfo, query string and fragment. Text that is not a valid URL (a broken
 * `Location` header, say) loses the same parts by their delimiters, so a secret cannot reach
 * a message through an unparsable URL either.
 */
export function displayUrl(url: string | URL): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return stripUnparsed(String(url));
  }
  parsed.username = '';
  parsed.password = '';
  parsed.search = '';
  parsed.hash = '';
  return parsed.href;
}

function stripUnparsed(text: string): string {
  const withoutQuery = text.replace(/[?#].*$/s, '');
  // The authority runs from `//` to the next `/`; its userinfo ends at the last `@` in it.
  return withoutQuery.replace(/^([a-z][a-z0-9+.-]*:)?\/\/[^/]*@/i, '$1//');
}
