/**
 * The shell's prompt, on a terminal: where you are, as the bot's own lines
 * say it (`[acme › #1]`), and who speaks — never a platform's internal id.
 */
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { ShellAdapter } from '../../../adapters/shell/shell-adapter.js';
import { harness } from '../../helpers/app-harness.js';

const CONFIG = `
people:
  alice: { name: Alice }
staff: { people: [alice], channels: { shell: staff } }
customers:
  - { id: acme, name: Acme Corp, tier: enterprise, channels: { shell: [acme] } }
tiers:
  enterprise:
    targets: { default: { firstResponse: 1h } }
`;

describe('the shell prompt', () => {
  it('shows the channel, the ticket number inside a thread, and the speaker', async () => {
    const h = await harness(CONFIG);
    const input = new PassThrough();
    const output = new PassThrough();
    let text = '';
    output.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
    const shell = new ShellAdapter(h.desk, { input, output, prompt: true });
    h.app.attach(shell);
    const done = shell.run();
    input.end(['The export button does nothing', '/as alice', '/top', '/thread 1', '/quit'].join('\n') + '\n');
    await done;

    const prompts = text.match(/\[[^\]\n]*\] [\w-]+> /g) ?? [];
    // One before the first line, then one after each.
    expect(prompts).toEqual(['[acme] customer> ', '[acme › #1] customer> ', '[acme › #1] alice> ', '[acme] alice> ', '[acme › #1] alice> ', '[acme › #1] alice> ']);
    const ticket = await h.store.get(1);
    expect(ticket?.threadId).toBeTruthy();
    expect(text).not.toContain(ticket!.threadId);
  });
});
