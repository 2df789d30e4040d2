import { CommandReplySchema, fail, validate, type Command, type CommandReply } from '@codesight/schema';

/** Sends a command to the background and returns its reply; transport failures become failed replies. */
export async function sendCommand(command: Command): Promise<CommandReply> {
  try {
    const raw: unknown = await chrome.runtime.sendMessage(command);
    const reply = validate(CommandReplySchema, raw);
    return reply.ok ? reply.value : fail('bad_reply', `unexpected reply: ${reply.error.message}`);
  } catch (error) {
    return fail('unreachable', error instanceof Error ? error.message : String(error));
  }
}
