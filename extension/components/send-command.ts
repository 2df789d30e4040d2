import { CommandReplySchema, validate, type Command, type CommandReply } from '@codesight/schema';

/** Sends a command to the background and returns its reply; transport failures become error replies. */
export async function sendCommand(command: Command): Promise<CommandReply> {
  try {
    const raw: unknown = await chrome.runtime.sendMessage(command);
    const reply = validate(CommandReplySchema, raw);
    return reply.ok ? reply.value : { ok: false, error: `unexpected reply: ${reply.error.message}` };
  } catch (err) {
    return { ok: false, error: err instanceof Error ? err.message : String(err) };
  }
}
