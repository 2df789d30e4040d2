/**
 * Reading a new admin password for the CLI, never from argv (visible to every user in `ps` and kept in
 * shell history): from ADMIN_PASSWORD when set (for provisioning scripts), else from stdin: typed
 * without echo on a terminal, or the first line of a pipe (`printf '%s\n' "$PW" | admin.ts ...`).
 */

/** Longest stdin read: a password is at most 1 KiB; more is not a password. */
const MAX_STDIN_BYTES = 64 * 1024;

/** The environment variable a password may come from. */
export const PASSWORD_ENV = 'ADMIN_PASSWORD';

/** The first line of a piped stdin (without its line end). */
async function readFirstLine(stdin: NodeJS.ReadStream): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stdin) {
    const buf = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as string);
    chunks.push(buf);
    size += buf.length;
    if (buf.includes(0x0a) || size > MAX_STDIN_BYTES) break;
  }
  const text = Buffer.concat(chunks).subarray(0, MAX_STDIN_BYTES).toString('utf8');
  return text.split(/\r?\n/, 1)[0] ?? '';
}

/** Reads a line from a terminal in raw mode, echoing nothing. Ctrl-C aborts, Backspace deletes. */
function readHidden(stdin: NodeJS.ReadStream, prompt: string): Promise<string> {
  process.stderr.write(prompt);
  return new Promise((resolve, reject) => {
    let typed = '';
    const done = (error?: Error) => {
      stdin.setRawMode(false);
      stdin.pause();
      stdin.off('data', onData);
      process.stderr.write('\n');
      if (error) reject(error);
      else resolve(typed);
    };
    const onData = (data: Buffer) => {
      for (const ch of data.toString('utf8')) {
        if (ch === '\r' || ch === '\n' || ch === '\u0004') return done();
        if (ch === '\u0003') return done(new Error('cancelled'));
        if (ch === '\u007f' || ch === '\b') typed = [...typed].slice(0, -1).join('');
        else if (typed.length <= MAX_STDIN_BYTES) typed += ch;
      }
    };
    stdin.setRawMode(true);
    stdin.resume();
    stdin.on('data', onData);
  });
}

/** The new password: ADMIN_PASSWORD, else stdin (asked twice on a terminal, so a typo is caught). */
export async function readNewPassword(env: Record<string, string | undefined>): Promise<string> {
  const fromEnv = env[PASSWORD_ENV];
  if (fromEnv !== undefined && fromEnv !== '') return fromEnv;
  const stdin = process.stdin;
  if (!stdin.isTTY) return readFirstLine(stdin);
  const first = await readHidden(stdin, 'New admin password: ');
  const second = await readHidden(stdin, 'Again: ');
  if (first !== second) throw new Error('the two passwords differ');
  return first;
}
