/**
 * Passwords never reach logs, errors or reports. Two layers:
 * - every password the run was given (each target URL's, parsed as libpq parses it, and $PGPASSWORD) is
 *   remembered and replaced wherever it occurs in a text, in its raw and percent-encoded spellings — whatever
 *   characters it holds (quotes, spaces, `@`, `#`, `/`, unicode);
 * - any other `postgres://user:secret@` or `password=` in a text is masked by pattern.
 * A password shorter than MIN_GLOBAL characters is masked only inside URLs: replacing every "ab" of a message
 * would make it unreadable, and the URL is where such a password appears.
 */
const MIN_GLOBAL = 4;
const secrets = new Set<string>();

/** The userinfo password of a URL exactly as written (up to the last `@` of the authority), or undefined. */
function rawPassword(url: string): string | undefined {
  const m = /^[a-z][a-z0-9+.-]*:\/\//i.exec(url);
  if (!m) return undefined;
  const rest = url.slice(m[0].length);
  const at = rest.lastIndexOf("@");
  if (at < 0) return undefined;
  const userinfo = rest.slice(0, at);
  const colon = userinfo.indexOf(":");
  return colon < 0 ? undefined : userinfo.slice(colon + 1);
}

function remember(secret: string | undefined | null): void {
  if (!secret) return;
  secrets.add(secret);
  try {
    secrets.add(decodeURIComponent(secret));
  } catch {
    // not percent-encoded text
  }
  secrets.add(encodeURIComponent(secret));
}

/** Remember the passwords of a connection URL (userinfo and `?password=`), so redact() masks them anywhere. */
export function rememberSecretsOf(url: string): void {
  remember(rawPassword(url));
  const q = /[?&]password=([^&#]*)/i.exec(url);
  if (q) remember(q[1]);
  remember(process.env.PGPASSWORD);
}

/** Replace the password of every connection URL in `text`, and every remembered password, with `***`. */
export function redact(text: string): string {
  let out = text;
  for (const s of [...secrets].filter((x) => x.length >= MIN_GLOBAL).sort((a, b) => b.length - a.length)) out = out.split(s).join("***");
  return (
    out
      // The password runs to the LAST "@" before the host: an unencoded "@" (or "/") inside it must not leak its tail.
      .replace(/(postgres(?:ql)?:\/\/[^:/@\s"'<>]*:)([^\s"'<>]*)(@)/gi, "$1***$3")
      .replace(/(password=)([^&\s]+)/gi, "$1***")
  );
}

/** A connection URL for display: the password (userinfo or `?password=`) replaced by `***`, nothing else changed. */
export function redactUrl(url: string): string {
  rememberSecretsOf(url);
  const raw = rawPassword(url);
  let out = url;
  if (raw !== undefined) {
    const m = /^[a-z][a-z0-9+.-]*:\/\//i.exec(url)!;
    const rest = url.slice(m[0].length);
    const at = rest.lastIndexOf("@");
    const user = rest.slice(0, rest.slice(0, at).indexOf(":"));
    out = `${m[0]}${user}:***${rest.slice(at)}`;
  }
  return out.replace(/([?&]password=)[^&#]*/gi, "$1***");
}
