/**
 * Safety: customer text quoted by the bot never pings (@everyone, @here,
 * users, roles) nor restyles a card; the client pings nothing by default;
 * the token never reaches a log line or an error message. Also the
 * start-up checks of the environment and the command registration.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { COMMAND_NAMES } from '../../../src/service/commands.js';
import { parseConfig } from '../../../src/config/load.js';
import { App } from '../../../src/app/app.js';
import { openMemoryStore } from '../../../src/store/open.js';
import { COMMAND_DEFINITIONS } from '../../../adapters/discord/commands.js';
import { deployCommands } from '../../../adapters/discord/deploy-commands.js';
import { readDiscordEnv } from '../../../adapters/discord/env.js';
import { codeBlock, escapeText } from '../../../adapters/discord/escape.js';
import { startDiscord } from '../../../adapters/discord/index.js';
import { PlatformRejected } from '../../../adapters/platform.js';
import { messageText, type SentRecord } from '../../helpers/fake-discord.js';
import { ackIn, capturingLogger, configYaml, discordEnv, IDS, newFake, startHarness, type Harness } from './harness.js';

const INJECTION = `@everyone @here <@${IDS.erin}> <@!${IDS.erin}> <@&${IDS.staffRole}> **urgent** [click me](https://evil.example) everything is down`;

/** Mentions that would ping if the text were taken as markup: a bare @everyone/@here, or a user/role mention. */
const LIVE_MENTION = /@(everyone|here)|<@[!&]?\d+>/g;

describe('Discord: customer text never pings', () => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.stop();
    h = undefined;
  });

  it('escapes quoted text in cards and notifications; only the intended people are pinged', async () => {
    h = await startHarness({ yaml: configYaml({ targets: '{ firstResponse: 2s, resolution: 1h }' }) });
    const opener = h.fake.postMessage(IDS.acme, h.dana, INJECTION);
    await ackIn(h.fake, opener);
    const status = h.fake.slash(h.alice, opener.id, 'status');
    const warning = await h.fake.channel(IDS.staffChannel).expectMessage(/due soon/, 4_000);
    await h.fake.waitFor(() => status.callbacks[0], 'the status answer');
    await h.settle();

    // The warning pings Alice (on call) and Bob (account engineer) — not Erin, not the Support role, not everyone.
    expect([...warning.pinged.users].sort()).toEqual([IDS.alice, IDS.bob].sort());
    expect(warning.pinged).toMatchObject({ roles: [], everyone: false });
    const quoted = messageText(warning.message);
    expect(quoted).toContain('@\u200beveryone @\u200bhere');
    expect(quoted).toContain(`<@\u200b${IDS.erin}>`);
    expect(quoted).toContain(`<@\u200b&${IDS.staffRole}>`);
    expect(quoted).toContain('\\*\\*urgent\\*\\*');
    expect(quoted).toContain('\\[click me]');

    // In every message the bot sent, the only live mentions are the ones its allowed_mentions name.
    const sent: SentRecord[] = h.fake.sent;
    expect(sent.length).toBeGreaterThanOrEqual(3);
    for (const record of sent) {
      const live = [...messageText(record.message).matchAll(LIVE_MENTION)].map((m) => m[0]);
      const allowed = record.body.allowed_mentions as { parse: string[]; users?: string[]; roles?: string[] };
      expect(allowed.parse).toEqual([]);
      const named = [...(allowed.users ?? []).map((u) => `<@${u}>`), ...(allowed.roles ?? []).map((r) => `<@&${r}>`)];
      expect(live.filter((m) => !named.includes(m))).toEqual([]);
      expect(record.pinged.everyone).toBe(false);
    }
  });

  it('escapes markdown and mentions, and keeps code blocks closed', () => {
    expect(escapeText('@everyone')).toBe('@\u200beveryone');
    expect(escapeText(`<@&${IDS.staffRole}>`)).toBe(`<@\u200b&${IDS.staffRole}>`);
    expect(escapeText('# Title\n- item\n__under__ ~~strike~~ ||spoiler|| `code`')).not.toMatch(/(^|[^\\])(#|__|~~|\|\||`)/m);
    const block = codeBlock('queue\n``` @here');
    expect(block.startsWith('```\n') && block.endsWith('\n```')).toBe(true);
    expect(block.slice(4, -4)).not.toContain('```');
    expect(block).toContain('@\u200bhere');
  });
});

describe('Discord secrets and set-up', () => {
  it('never writes the token to a log line or an error, through a full session and a failed login', async () => {
    const h = await startHarness();
    const opener = h.fake.postMessage(IDS.acme, h.dana, 'Token test');
    await ackIn(h.fake, opener);
    const claim = h.fake.slash(h.alice, opener.id, 'claim');
    await h.fake.waitFor(() => claim.callbacks[0], 'an answer');
    h.fake.dropConnection();
    await h.fake.waitFor(() => h.fake.gateway.resumes.length > 0 && h.fake.connected, 'the resume');
    await h.settle();
    await h.stop();
    expect(h.logs.lines.length).toBeGreaterThan(5);
    expect(h.logs.text()).not.toContain(h.fake.token);

    // A wrong token: the error says so without repeating it.
    const fake = await newFake();
    const logs = capturingLogger();
    const app = new App({ config: parseConfig(configYaml()), store: openMemoryStore(), logger: logs });
    const wrong = 'wrong-token-that-must-stay-secret';
    const failure = await startDiscord(app, { ...discordEnv(fake), DISCORD_TOKEN: wrong }, logs, { readyTimeoutMs: 10_000 }).then(
      () => undefined,
      (err: unknown) => err as Error,
    );
    expect(failure).toBeInstanceOf(PlatformRejected);
    expect(failure?.message).toMatch(/Discord rejected DISCORD_TOKEN/);
    expect(failure?.message).not.toContain(wrong);
    expect(logs.text()).not.toContain(wrong);
    await app.stop();
    await fake.close();
  });

  it('checks the environment at start-up and names what is wrong', () => {
    expect(() => readDiscordEnv({})).toThrow(/DISCORD_TOKEN is not set[\s\S]*DISCORD_APPLICATION_ID is not set/);
    expect(() => readDiscordEnv({ DISCORD_TOKEN: 'Bot abc', DISCORD_APPLICATION_ID: '12' })).toThrow(/contains whitespace/);
    expect(() => readDiscordEnv({ DISCORD_TOKEN: 'abc', DISCORD_APPLICATION_ID: 'app' })).toThrow(/DISCORD_APPLICATION_ID must be a Discord id/);
    expect(() => readDiscordEnv({ DISCORD_TOKEN: 'abc', DISCORD_APPLICATION_ID: '12', DISCORD_GUILD_ID: 'x' })).toThrow(/DISCORD_GUILD_ID/);
    expect(() => readDiscordEnv({ DISCORD_TOKEN: 'abc', DISCORD_APPLICATION_ID: '12', DISCORD_API_URL: 'ftp://x' })).toThrow(/DISCORD_API_URL/);
    const secret = 'super-secret token';
    try {
      readDiscordEnv({ DISCORD_TOKEN: secret, DISCORD_APPLICATION_ID: '12' });
    } catch (err) {
      expect((err as Error).message).not.toContain(secret);
    }
    expect(readDiscordEnv({ DISCORD_TOKEN: 'abc', DISCORD_APPLICATION_ID: '12', DISCORD_API_URL: 'http://127.0.0.1:9/api/' })).toEqual({
      token: 'abc',
      applicationId: '12',
      apiUrl: 'http://127.0.0.1:9/api',
    });
    expect(readDiscordEnv({ DISCORD_TOKEN: 'abc', DISCORD_APPLICATION_ID: '12' }).apiUrl).toBe('https://discord.com/api');
  });

  it('registers /sla with every subcommand, in the development guild or globally', async () => {
    const fake = await newFake();
    try {
      const guild = await deployCommands({ ...discordEnv(fake), DISCORD_GUILD_ID: fake.guildId });
      expect(guild).toEqual({ scope: `guild ${fake.guildId}`, names: ['sla', 'Open ticket'] });
      const sla = fake.registeredCommands.get(`guild:${fake.guildId}`)!.find((c) => c.name === 'sla') as { options: { name: string }[] };
      expect(sla.options.map((o) => o.name).sort()).toEqual([...COMMAND_NAMES].sort());
      await deployCommands(discordEnv(fake));
      expect(fake.registeredCommands.get('global')).toEqual(COMMAND_DEFINITIONS);
      await expect(deployCommands({ ...discordEnv(fake), DISCORD_TOKEN: 'nope-not-valid' })).rejects.toThrow(/registering the commands failed/);
    } finally {
      await fake.close();
    }
  });
});
