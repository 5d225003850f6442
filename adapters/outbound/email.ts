/**
 * E-mail over SMTP with nodemailer (SMTP_URL: smtp:// with STARTTLS when
 * the server offers it, smtps://; credentials in the URL if the server wants
 * them; `?ignoreTLS=true`, `?requireTLS=true`, `?tls.rejectUnauthorized=false`
 * as in nodemailer's own URLs — a relay on 127.0.0.1 or localhost is not
 * asked for a valid certificate). Plain text and HTML, the
 * ticket's link in both. The Message-ID is made from the notification's key,
 * so the rare copy resent after a crash (between the server's answer and the
 * record) carries the same Message-ID as the first, and mail clients that
 * thread or dedupe by it show one message.
 */
import { createTransport, type Transporter } from 'nodemailer';
import type { ExternalMessage, OutboundPort } from '../../src/service/messages.js';

export interface EmailOptions {
  smtpUrl: string;
  from: string;
  /** How long connecting, the greeting and each command may take (ms). */
  timeoutMs: number;
}

export class EmailTransport implements OutboundPort {
  readonly via = 'email';
  private readonly transporter: Transporter;
  private readonly domain: string;

  constructor(private readonly options: EmailOptions) {
    const url = new URL(options.smtpUrl);
    const secure = url.protocol === 'smtps:';
    const flag = (name: string) => {
      const given = url.searchParams.get(name);
      return given === null ? undefined : given !== 'false' && given !== '0';
    };
    // A relay on this machine is reached without a network to protect: its certificate (often self-signed) is not checked.
    const loopback = ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname);
    const verify = flag('tls.rejectUnauthorized') ?? !loopback;
    this.transporter = createTransport({
      // One connection kept open and reused: an outage's e-mails do not each pay a new SMTP handshake.
      pool: true,
      maxConnections: 1,
      host: url.hostname,
      port: url.port ? Number(url.port) : secure ? 465 : 587,
      secure,
      ...(url.username ? { auth: { user: decodeURIComponent(url.username), pass: decodeURIComponent(url.password) } } : {}),
      ...(flag('ignoreTLS') !== undefined ? { ignoreTLS: flag('ignoreTLS') } : {}),
      ...(flag('requireTLS') !== undefined ? { requireTLS: flag('requireTLS') } : {}),
      tls: { rejectUnauthorized: verify },
      connectionTimeout: options.timeoutMs,
      greetingTimeout: options.timeoutMs,
      socketTimeout: options.timeoutMs,
    });
    this.domain = /@([^>\s]+)>?\s*$/.exec(options.from)?.[1] ?? 'slawatch.invalid';
  }

  async send(message: ExternalMessage, options: { idempotencyKey: string; resend: boolean }): Promise<void> {
    if (message.via !== 'email') throw new Error(`the e-mail transport cannot send a ${message.via} message`);
    await this.transporter.sendMail({
      from: this.options.from,
      to: message.to,
      subject: message.subject,
      text: message.text,
      html: message.html,
      messageId: `<${messageIdPart(options.idempotencyKey)}@${this.domain}>`,
      headers: { 'X-Slawatch-Key': options.idempotencyKey },
    });
  }

  close(): void {
    this.transporter.close();
  }
}

/** A notification key as the local part of a Message-ID (dot-atom text: no ":" and no "|"). */
function messageIdPart(key: string): string {
  return `slawatch.${key.replace(/[^A-Za-z0-9.!#$%&'*+/=?^_`{}~-]/g, '=')}`;
}
