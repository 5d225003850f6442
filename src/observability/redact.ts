/**
 * The one redaction of secrets in text that leaves the process: log lines,
 * error messages, anything printed. Catches
 *   - Slack tokens (xoxb-, xoxp-, xapp- …) and Discord bot tokens;
 *   - credentials inside a URL: `redis://:pw@host` → `redis://:***@host`,
 *     `https://user:pass@host/` → `https://user:***@host/`, and a user part
 *     alone (often a token itself) → `https://***@host/`;
 *   - secret-looking query parameters: `?token=…`, `&api_key=…`, `sig=`, `password=` ….
 */

/** Slack (xoxb-, xapp-, xoxp-) and Discord bot tokens (three dot-separated base64 parts). */
const TOKEN_PATTERN = /\b(xox[abprs]-[\w-]+|xapp-[\w-]+|[\w-]{23,28}\.[\w-]{6,7}\.[\w-]{27,40})\b/g;
/** `scheme://userinfo@`: the user info runs to the last "@" before the host (a password may hold an unencoded "@"). */
const URL_CREDENTIALS = /\b([a-z][a-z0-9+.-]*:\/\/)([^\s/?#]*)@/gi;
/** A query (or fragment) parameter whose name says it holds a secret, with a value. */
const SECRET_PARAMETER = /([?&;#][\w.-]*?(?:token|secret|pass|pwd|key|sig|auth|credential|session)[\w.-]*=)[^&#\s"'<>]+/gi;

export function redactSecrets(text: string): string {
  return text
    .replace(TOKEN_PATTERN, '[redacted]')
    .replace(URL_CREDENTIALS, (_match, scheme: string, userinfo: string) => {
      const colon = userinfo.indexOf(':');
      return colon === -1 ? `${scheme}***@` : `${scheme}${userinfo.slice(0, colon)}:***@`;
    })
    .replace(SECRET_PARAMETER, '$1[redacted]');
}
