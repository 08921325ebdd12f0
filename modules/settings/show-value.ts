/**
 * How an error message shows a value the user gave: as they would write it (JSON for strings and
 * lists, `NaN` rather than JSON's `null`), and never a value that looks like a secret. Error
 * messages end up in terminals and CI logs; a Slack webhook URL pasted into the wrong setting must
 * not follow it there.
 */

/** What kind of secret `text` looks like ("a URL", ...), or undefined when it looks harmless. */
export function secretKind(text: string): string | undefined {
  if (/hooks\.slack\.com/i.test(text)) return "a Slack webhook URL";
  if (/[a-z][a-z0-9+.-]*:\/\//i.test(text)) return "a URL";
  if (/xox[abposre]-[A-Za-z0-9-]+/.test(text)) return "a Slack token";
  if (/\b(AKIA|ASIA)[A-Z0-9]{16}\b/.test(text)) return "an AWS access key ID";
  if (/^eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\./.test(text)) return "a token";
  // A long run of letters and digits in both cases, like a generated key or password.
  for (const run of text.match(/[A-Za-z0-9+/=_-]{32,}/g) ?? []) {
    if (/[a-z]/.test(run) && /[A-Z]/.test(run) && /\d/.test(run)) return "a key or token";
  }
  return undefined;
}

/** The first secret-looking string inside `value` (a string, or one in a list or object). */
export function secretIn(value: unknown): string | undefined {
  if (typeof value === "string") return secretKind(value);
  if (Array.isArray(value)) return value.map(secretIn).find((k) => k !== undefined);
  if (typeof value === "object" && value !== null) return Object.values(value).map(secretIn).find((k) => k !== undefined);
  return undefined;
}

function render(value: unknown): string {
  if (typeof value === "number") return String(value); // NaN and Infinity as written, not JSON's null
  if (Array.isArray(value)) return `[${value.map(render).join(",")}]`;
  if (typeof value === "object" && value !== null) {
    return `{${Object.entries(value).map(([k, v]) => `${JSON.stringify(k)}:${render(v)}`).join(",")}}`;
  }
  if (typeof value === "string" || typeof value === "boolean" || value === null) return JSON.stringify(value);
  return String(value);
}

/** `value` as an error message shows it: `"x"`, `5`, `NaN`, `["a","b"]`, or a note that it is hidden. */
export function showValue(value: unknown, maxLength = 120): string {
  const kind = secretIn(value);
  if (kind !== undefined) return `(not shown: it looks like ${kind}, which may be a secret)`;
  const text = render(value);
  return text.length > maxLength ? `${text.slice(0, maxLength - 1)}…` : text;
}
