// Asserts that steps expected to fail did fail, and delivered nothing.
//   OUTCOME_<NAME>    ${{ steps.<id>.outcome }}        must be 'failure'
//   DELIVERED_<NAME>  ${{ steps.<id>.outputs.path }}   must be empty (optional)
// At least one OUTCOME_ variable is required, so a typo cannot make the check vacuous.
const env = Object.entries(process.env);
const outcomes = env.filter(([name]) => name.startsWith('OUTCOME_'));
const problems = [];
if (outcomes.length === 0) problems.push('no OUTCOME_<NAME> variable was given');
for (const [name, outcome] of outcomes) {
  const step = name.slice('OUTCOME_'.length);
  if (outcome !== 'failure')
    problems.push(`step ${step}: outcome '${outcome}', expected 'failure'`);
}
for (const [name, path] of env.filter(([key]) => key.startsWith('DELIVERED_'))) {
  const step = name.slice('DELIVERED_'.length);
  if (path) problems.push(`step ${step} failed but set the path output '${path}'`);
}
for (const problem of problems) console.error(`::error::${problem}`);
if (problems.length > 0) process.exit(1);
console.log(`${outcomes.length} step(s) failed as expected and delivered nothing`);
