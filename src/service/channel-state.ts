/**
 * What the store keeps per customer channel, besides its tickets (meta keys):
 * the reconciliation cursor (the last platform message an adapter saw there)
 * and the channel's latest ticket (which quick follow-ups may join).
 * `slawatch export` writes both, `slawatch import` restores them.
 */
import type { Platform } from '../domain/ticket.js';

export const cursorKey = (platform: Platform, channelId: string): string => `cursor:${platform}:${channelId}`;

export const lastTicketKey = (platform: Platform, channelId: string): string => `last-ticket:${platform}:${channelId}`;
