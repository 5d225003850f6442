/**
 * Text the bot did not write (customer messages, names, any card string) is
 * escaped before Discord sees it: markdown cannot restyle the card, and no
 * mention can form. A zero-width space after every "@" turns @everyone,
 * @here, <@123> and <@&456> into plain text; `allowed_mentions` with an
 * empty `parse` is the second lock on the same door.
 */
import { escapeMarkdown } from 'discord.js';

const ZERO_WIDTH_SPACE = '\u200b';

export function neutralizeMentions(text: string): string {
  return text.replace(/@/g, `@${ZERO_WIDTH_SPACE}`);
}

/** Plain text → Discord markdown that shows the same characters and pings nobody. */
export function escapeText(text: string): string {
  const markdown = escapeMarkdown(text, { heading: true, bulletedList: true, numberedList: true, maskedLink: true });
  return neutralizeMentions(markdown);
}

/** Plain text inside a code block: only a closing fence could break out, so fences are broken. */
export function codeBlock(text: string): string {
  const safe = neutralizeMentions(text).replace(/```/g, `\`${ZERO_WIDTH_SPACE}\`\``);
  return `\`\`\`\n${safe}\n\`\`\``;
}

/** Cuts text to Discord's length limits, with an ellipsis. */
export function truncate(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
