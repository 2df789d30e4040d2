import { parseArgs } from 'node:util';
import { formatReport } from './report';
import { runFuzz } from './run';

/**
 * `npm run fuzz -- --seed N --messages 10000`: the protocol fuzzer of issue 10 against a fresh
 * PostgreSQL and sync server on 127.0.0.1. Prints the seed first and the tables last; exits 1 when
 * any pass condition broke. `--only 12,345` replays those cases of the seed (with the honest traffic).
 */
async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      seed: { type: 'string' },
      messages: { type: 'string', default: '10000' },
      only: { type: 'string' },
      concurrency: { type: 'string' },
      'health-bound-ms': { type: 'string' },
    },
  });
  const seed = values.seed !== undefined ? Number(values.seed) : Math.floor(Math.random() * 2 ** 31);
  const messages = Number(values.messages);
  if (!Number.isSafeInteger(seed) || seed < 0) throw new Error('--seed must be a whole number');
  if (!Number.isSafeInteger(messages) || messages < 1 || messages > 1_000_000)
    throw new Error('--messages must be 1..1000000');
  const only = values.only?.split(',').map(Number);
  if (only?.some((n) => !Number.isSafeInteger(n) || n < 0)) throw new Error('--only takes case indexes: 12,345');
  console.log(
    `fuzz: seed ${seed}, ${only ? `cases ${only.join(',')}` : `${messages} messages`} (replay: npm run fuzz -- --seed ${seed} --messages ${messages})`,
  );
  const report = await runFuzz({
    seed,
    messages,
    only,
    concurrency: values.concurrency ? Number(values.concurrency) : undefined,
    healthBoundMs: values['health-bound-ms'] ? Number(values['health-bound-ms']) : undefined,
    honestEvents: 600,
    log: (line) => console.log(`fuzz: ${line}`),
  });
  console.log(`\n${formatReport(report)}`);
  process.exitCode = report.violations.length > 0 ? 1 : 0;
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 2;
});
