/**
 * Requests as Feishu/Lark sends them in webhook mode: the event JSON
 * encrypted with the app's encrypt key (AES-256-CBC, the key the SHA-256 of
 * the encrypt key, a random IV before the ciphertext, all base64) and signed
 * (X-Lark-Signature: hex SHA-256 of timestamp + nonce + encrypt key + body).
 */
import { createCipheriv, createHash, randomBytes } from 'node:crypto';

export function encryptEvent(encryptKey: string, event: unknown): string {
  const key = createHash('sha256').update(encryptKey).digest();
  const iv = randomBytes(16);
  const cipher = createCipheriv('aes-256-cbc', key, iv);
  return Buffer.concat([iv, cipher.update(JSON.stringify(event), 'utf8'), cipher.final()]).toString('base64');
}

export interface SendOptions {
  /** Replaces the computed signature. */
  signature?: string;
  unsigned?: boolean;
  /** Sends this body as is. */
  raw?: string;
}

export class LarkRequests {
  constructor(
    readonly url: string,
    private readonly encryptKey: string,
  ) {}

  /** POSTs the event encrypted and signed; resolves with the status and the parsed answer. */
  async send(event: unknown, options: SendOptions = {}): Promise<{ status: number; body: unknown }> {
    const body = options.raw ?? JSON.stringify({ encrypt: encryptEvent(this.encryptKey, event) });
    const timestamp = String(Math.floor(Date.now() / 1000));
    const nonce = randomBytes(8).toString('hex');
    const signature = options.signature ?? createHash('sha256').update(timestamp + nonce + this.encryptKey + body).digest('hex');
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (!options.unsigned) Object.assign(headers, { 'x-lark-request-timestamp': timestamp, 'x-lark-request-nonce': nonce, 'x-lark-signature': signature });
    const response = await fetch(this.url, { method: 'POST', headers, body, signal: AbortSignal.timeout(10_000) });
    const text = await response.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      // Not JSON.
    }
    return { status: response.status, body: parsed };
  }
}
