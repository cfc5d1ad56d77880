// Asserts on the outputs of one webc-fetch step, the way a user's job would rely on them.
//   OUTPUTS        ${{ toJSON(steps.<id>.outputs) }}
//   EXPECT         JSON object: output name -> exact expected value (optional)
//   EXPECT_REASON  text that `fallback-reason` must contain, case-insensitive (optional)
//   EXPECT_PATH    the `path` input: the `path` output must be that file, resolved (optional)
// Always checked: `path` is an absolute path to a file whose SHA-256 and size are the `sha256`
// and `size` outputs and whose header is the delivered `webc-version`; `fallback` is `true`
// exactly when `fallback-reason` is not empty.
import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';

const problems = [];
const check = (ok, message) => {
  if (!ok) problems.push(message);
};

const outputs = JSON.parse(process.env.OUTPUTS || '{}');
const expected = JSON.parse(process.env.EXPECT || '{}');
const out = (name) => (typeof outputs[name] === 'string' ? outputs[name] : '');

for (const [name, value] of Object.entries(expected)) {
  check(
    out(name) === value,
    `output ${name} is ${JSON.stringify(out(name))}, expected ${JSON.stringify(value)}`,
  );
}

const path = out('path');
check(isAbsolute(path), `output path ${JSON.stringify(path)} is not absolute`);
const stat = statSync(path, { throwIfNoEntry: false });
check(stat?.isFile() === true, `output path ${JSON.stringify(path)} is not a file`);
if (stat?.isFile()) {
  const bytes = readFileSync(path);
  const digest = createHash('sha256').update(bytes).digest('hex');
  check(
    digest === out('sha256'),
    `the file hashes to ${digest}, output sha256 is ${out('sha256')}`,
  );
  check(
    String(bytes.length) === out('size'),
    `the file has ${bytes.length} bytes, output size is ${out('size')}`,
  );
  const header = bytes.subarray(0, 8).toString('latin1');
  const webc = out('webc-version');
  check(
    header === `\0webc00${webc.slice(1)}`,
    `the file starts with ${JSON.stringify(header)}, not WebC ${webc}`,
  );
}
check(
  /^[0-9a-f]{64}$/.test(out('sha256')),
  `output sha256 ${JSON.stringify(out('sha256'))} is not 64 hex`,
);
check(
  (out('fallback') === 'true') === (out('fallback-reason') !== ''),
  `fallback is ${out('fallback')} but fallback-reason is ${JSON.stringify(out('fallback-reason'))}`,
);

const reason = process.env.EXPECT_REASON;
if (reason) {
  check(
    out('fallback-reason').toLowerCase().includes(reason.toLowerCase()),
    `fallback-reason ${JSON.stringify(out('fallback-reason'))} does not mention ${JSON.stringify(reason)}`,
  );
}
const wantedPath = process.env.EXPECT_PATH;
if (wantedPath) {
  check(
    path === resolve(wantedPath),
    `output path ${path} is not the path input ${resolve(wantedPath)}`,
  );
}

if (problems.length > 0) {
  for (const problem of problems) console.error(`::error::${problem}`);
  process.exit(1);
}
console.log(
  `outputs OK: ${out('package')}@${out('version')} WebC ${out('webc-version')} at ${path}`,
);
