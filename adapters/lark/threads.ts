/**
 * Which thread (omt_…) each ticket's first message heads, both ways. A
 * thread's history is listed by the thread's id, while the ticket knows its
 * first message; a message in a thread names both (`root_id`, `thread_id`),
 * and should one name only the thread, its first message is found here.
 * Learned from every message seen and every reply the bot posts.
 */
const KEPT = 10_000;

export class Threads {
  private readonly byRoot = new Map<string, string>();
  private readonly byThread = new Map<string, string>();

  /** Notes the thread a message is in (or heads), when it names one. */
  note(message: { messageId: string; rootId?: string; threadId?: string }): void {
    if (!message.threadId) return;
    const root = message.rootId ?? message.messageId;
    if (this.byRoot.get(root) === message.threadId) return;
    if (this.byRoot.size >= KEPT) {
      const [oldRoot, oldThread] = this.byRoot.entries().next().value as [string, string];
      this.byRoot.delete(oldRoot);
      this.byThread.delete(oldThread);
    }
    this.byRoot.set(root, message.threadId);
    this.byThread.set(message.threadId, root);
  }

  threadOf(rootId: string): string | undefined {
    return this.byRoot.get(rootId);
  }

  rootOf(threadId: string): string | undefined {
    return this.byThread.get(threadId);
  }
}
