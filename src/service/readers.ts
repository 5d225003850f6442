/**
 * Who reads what, in which language and zone (README, Languages):
 *
 * - what goes into a customer's channel (the acknowledgement, state changes
 *   in the thread, incident notices) is read by the customer:
 *   `customers[].locale` and `customers[].timezone`;
 * - what goes into a staff channel (pings, hand-offs, the digest, the
 *   statement) is read by staff: `staff.locale` and `staff.timezone`;
 * - what is addressed to one person (a direct message, a command answer)
 *   is read by them: `people.<id>.locale` and `.timezone`, else staff's;
 * - someone who is not a person of the config reads in the language of the
 *   channel they ask in: a customer's channel is the customer's, any other
 *   staff's.
 *
 * A reader without a zone reads each time in the zone it belongs to (the
 * calendar a clock counts in, the schedule a shift is in).
 */
import type { Config } from '../config/schema.js';
import { personByPlatformId, type Author } from '../domain/people.js';
import type { Platform } from '../domain/ticket.js';
import { DEFAULT_LOCALE, voiceOf, type Reader, type Voice } from '../i18n/index.js';
import { customerForChannel } from './context.js';

export type { Reader, Voice };

export function customerReader(config: Config, customerId: string): Reader {
  const customer = config.customers.find((c) => c.id === customerId);
  return { locale: customer?.locale ?? DEFAULT_LOCALE, timezone: customer?.timezone };
}

export function staffReader(config: Config): Reader {
  return { locale: config.staff.locale ?? DEFAULT_LOCALE, timezone: config.staff.timezone };
}

export function personReader(config: Config, personId: string): Reader {
  const person = config.people[personId];
  return { locale: person?.locale ?? config.staff.locale ?? DEFAULT_LOCALE, timezone: person?.timezone ?? config.staff.timezone };
}

/** Whoever asks (runs a command, opens App Home, clicks a button) where: their own language if the config knows them, else the channel's. */
export function askerReader(config: Config, platform: Platform, author: Author, channelId?: string): Reader {
  const personId = author.personId ?? personByPlatformId(config, platform, author.userId);
  if (personId && config.people[personId]) return personReader(config, personId);
  const customer = channelId === undefined ? undefined : customerForChannel(config, platform, channelId);
  return customer ? customerReader(config, customer.id) : staffReader(config);
}

export const customerVoice = (config: Config, customerId: string): Voice => voiceOf(customerReader(config, customerId));
export const staffVoice = (config: Config): Voice => voiceOf(staffReader(config));
export const personVoice = (config: Config, personId: string): Voice => voiceOf(personReader(config, personId));
export const askerVoice = (config: Config, platform: Platform, author: Author, channelId?: string): Voice => voiceOf(askerReader(config, platform, author, channelId));
