/**
 * What every platform must respect, kept here so each platform — present
 * and future — inherits it: customers read their channel, so
 *
 * - a command answered in a customer's channel (or a thread of one) is
 *   answered privately, to the person who asked;
 * - a staff notification or announcement is never posted into a customer's
 *   channel. The config refuses such a target (config/schema.ts); delivery
 *   refuses it again, for what validation cannot see (a notification kept
 *   for a resend under an older config, say).
 */
import type { Config } from '../config/schema.js';
import type { Platform } from '../domain/ticket.js';
import type { Asking, CommandResult } from './commands.js';
import { customerForChannel } from './context.js';
import type { Logger } from './logger.js';
import type { ChatPort } from './messages.js';

export function isCustomerChannel(config: Config, platform: Platform, channelId: string): boolean {
  return customerForChannel(config, platform, channelId) !== undefined;
}

/** The result with its reply made private when it was asked for in a customer's channel. */
export function privateInCustomerChannels<T extends CommandResult>(config: Config, asking: Asking, result: T): T {
  if (result.reply.ephemeral || !isCustomerChannel(config, asking.platform, asking.channelId)) return result;
  return { ...result, reply: { ...result.reply, ephemeral: true } };
}

/** The port as the service posts through it: staff messages addressed to a customer's channel are refused and logged, never sent. */
export function keepingStaffMessagesInternal(port: ChatPort, config: Config, log: Logger): ChatPort {
  return {
    platform: port.platform,
    send(message, options) {
      if ((message.type === 'notify' || message.type === 'post') && isCustomerChannel(config, message.platform, message.channelId)) {
        log.error(
          { platform: message.platform, channel: message.channelId, ...(message.type === 'notify' ? { keys: message.keys } : {}) },
          'refusing to post a staff message into a customer channel; check the escalation policies\' channel: targets and the announcement channels',
        );
        return Promise.resolve(undefined);
      }
      return port.send(message, options);
    },
  };
}
