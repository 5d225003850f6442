/**
 * Guessing a severity from a customer's words. A guess is only a starting
 * point: it is marked as a guess and staff can change it.
 */
import type { Severity } from './vocabulary.js';

const URGENT = [
  /\b(down|outage|offline|unreachable|p0|p1|sev ?1|urgent|emergency|critical|production (is )?(down|broken)|data loss)\b/i,
  /宕机|紧急|线上事故|故障|服务中断|挂了|无法访问/,
];
const HIGH = [/\b(p2|sev ?2|broken|error|errors|failing|fails|failed|cannot|can't|blocked|degraded|slow)\b/i, /报错|失败|严重|阻塞/];
const LOW = [/\b(question|how do i|how to|feature request|nice to have|p4|docs?)\b/i, /请问|咨询|建议/];

export interface SeverityGuess {
  severity: Severity;
  guessed: true;
}

/** The severity the text suggests, or undefined when it says nothing either way. */
export function guessSeverity(text: string): Severity | undefined {
  if (URGENT.some((re) => re.test(text))) return 'urgent';
  if (HIGH.some((re) => re.test(text))) return 'high';
  if (LOW.some((re) => re.test(text))) return 'low';
  return undefined;
}
