/**
 * `npm run discord:deploy`: registers /sla and "Open ticket" for the
 * application — in DISCORD_GUILD_ID when it is set (instant; for
 * development), else globally (may take a while to appear everywhere).
 * Replaces the application's commands in that scope with these.
 *
 *   node dist/adapters/discord/deploy-commands.js
 */
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { REST, Routes } from 'discord.js';
import { loadEnvFile } from '../../src/config/env-file.js';
import { redactSecrets } from '../../src/service/logger.js';
import { COMMAND_DEFINITIONS } from './commands.js';
import { readDiscordEnv } from './env.js';

export async function deployCommands(env: NodeJS.ProcessEnv): Promise<{ scope: string; names: string[] }> {
  const settings = readDiscordEnv(env);
  const rest = new REST({ api: settings.apiUrl }).setToken(settings.token);
  const route = settings.guildId ? Routes.applicationGuildCommands(settings.applicationId, settings.guildId) : Routes.applicationCommands(settings.applicationId);
  try {
    const registered = (await rest.put(route, { body: COMMAND_DEFINITIONS })) as { name?: string }[];
    return {
      scope: settings.guildId ? `guild ${settings.guildId}` : 'global',
      names: Array.isArray(registered) ? registered.map((c) => c.name ?? '?') : COMMAND_DEFINITIONS.map((c) => c.name),
    };
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    throw new Error(`registering the commands failed: ${redactSecrets(reason.split(settings.token).join('[redacted]'))}`);
  }
}

function isMain(): boolean {
  const entry = process.argv[1];
  if (!entry) return false;
  try {
    return realpathSync(entry) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

if (isMain()) {
  // Like `slawatch`: ./.env first, the environment wins over it.
  Promise.resolve()
    .then(() => loadEnvFile())
    .then(() => deployCommands(process.env))
    .then(
      ({ scope, names }) => process.stdout.write(`Registered ${names.map((n) => `"${n}"`).join(', ')} (${scope}).\n`),
      (err: unknown) => {
        process.stderr.write(`discord:deploy: ${err instanceof Error ? err.message : String(err)}\n`);
        process.exitCode = 1;
      },
    );
}
