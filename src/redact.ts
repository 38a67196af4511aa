/** Replace the password of every connection URL in `text` with `***` so secrets never reach logs or reports. */
export function redact(text: string): string {
  return text
    // The password runs to the LAST "@" of the URL: an unencoded "@" (or "/") inside it must not leak its tail.
    .replace(/(postgres(?:ql)?:\/\/[^:/@\s"'<>]*:)([^\s"'<>]*)(@)/gi, "$1***$3")
    .replace(/(password=)([^&\s]+)/gi, "$1***");
}

export function redactUrl(url: string): string {
  return redact(url);
}
