/**
 * Guessing a severity from a customer's words. A guess is only a starting
 * point: it is marked as a guess and staff can change it.
 */
import type { Severity } from './vocabulary.js';

const URGENT = [
  // "down" of a system, not of a page or a list ("the drop-down menu", "scroll down").
  /(?<!\b(?:drop|scroll|slow|count|break|write|narrow|step|upside)[- ]?)\bdown\b/i,
  /\b(outage|offline|unreachable|p0|p1|sev ?1|urgent|emergency|critical|production (is )?broken|data loss)\b/i,
  /宕机|紧急|线上事故|故障|服务中断|挂了|无法访问/,
];
const HIGH = [
  /\b(p2|sev ?2|broken|error|errors|failing|fails|failed|cannot|can't|blocked|degraded|slow|time[sd]? ?out|timeouts?|timing out)\b/i,
  // A server error: "returns 502", "HTTP 503", "500 Internal Server Error", "502s" — not "500 users".
  /\b(?:http|status|returns?|returning|returned|gets?|getting|got|throws?|throwing|respond(?:s|ed)? with)\s+(?:an?\s+)?5\d\d\b|\b5\d\d(?:s\b|\s+(?:errors?|bad gateway|service unavailable|gateway time-?out|internal server error)\b)/i,
  // The same words as the English line: error, failed, serious, blocked, cannot, timeout, slow.
  /报错|错误|出错|异常|失败|严重|阻塞|无法|超时|很慢|变慢|太慢/,
];
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
