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

describe('rating in the shell', () => {
  it('the prompt on resolve says to reply with a number; the reply rates the ticket; writing after it closed opens a new one', async () => {
    const h = await harness(CONFIG);
    const input = new PassThrough();
    const output = new PassThrough();
    let text = '';
    output.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
    const shell = new ShellAdapter(h.desk, { input, output, prompt: false });
    h.app.attach(shell);
    const done = shell.run();
    input.end(['The export button does nothing', '/as alice', '/resolve', '/as dana', '4 quick fix', '/as alice', '/close', '/as dana', 'Broken again', '/quit'].join('\n') + '\n');
    await done;
    const lines = text.split('\n');
    expect(lines).toContain('[acme › #1] slawatch: Reply with a number from 1 to 5, optionally followed by a comment.');
    expect(lines).toContain('[acme › #1] slawatch: ✓ Thanks — you rated #1 4 of 5, with your comment.');
    expect((await h.store.get(1))!.events.find((e) => e.type === 'rated')).toMatchObject({ rating: 4, comment: 'quick fix' });
    expect(lines.some((l) => /^\[acme › #2\] slawatch: Ticket #2 opened for Acme Corp · .*Follows: #1/.test(l))).toBe(true);
  });
});
