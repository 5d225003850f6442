/** "1 tier", "2 tiers", "1 escalation policy", "2 escalation policies": a number with its noun. */
export function count(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}
