/**
 * `{slot}` placeholders in prompts. `{{` and `}}` write literal braces; braces around anything
 * that is not a slot name (`{ not a slot }`, `{order.id}`) are left as written.
 */
const TOKEN = /\{\{|\}\}|\{([\p{L}_][\p{L}\p{N}_]*)\}/gu;

/** Slot names a prompt refers to, once each, in order. */
export function placeholderNames(prompt: string): string[] {
  const names = new Set<string>();
  for (const match of prompt.matchAll(TOKEN)) if (match[1] !== undefined) names.add(match[1]);
  return [...names];
}

/** Fills placeholders from `slots`; one whose slot is empty stays visible as `{name}`. */
export function renderPrompt(prompt: string, slots: Readonly<Record<string, string | number>>): string {
  return prompt.replace(TOKEN, (token, name: string | undefined) => {
    if (name === undefined) return token[0] ?? '';
    const value = Object.hasOwn(slots, name) ? slots[name] : undefined;
    return value === undefined ? token : String(value);
  });
}
