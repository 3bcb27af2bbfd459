/**
 * @mentions in the composer: which member list to offer while the clinician types "@Ali", and
 * which of the members picked are still named in the text when it is sent (a name deleted
 * afterwards is no longer a mention).
 */
export interface Mentionable {
  userId: string;
  displayName: string;
}

/** The "@query" that ends at the caret, if the caret is in one: where it starts and what was typed after the @. */
export function mentionAt(text: string, caret: number): { start: number; query: string } | null {
  const before = text.slice(0, caret);
  const at = before.lastIndexOf('@');
  if (at < 0) return null;
  // An @ inside a word (an e-mail address) does not start a mention.
  if (at > 0 && !/\s/.test(before[at - 1]!)) return null;
  const query = before.slice(at + 1);
  if (query.length > 40 || /[\n@]/.test(query) || /\s{2}/.test(query)) return null;
  return { start: at, query };
}

/** Members whose name, from one of its words on, starts with the query ("bob s" finds "Nurse Bob Singh"); at most eight. */
export function matchMembers(members: readonly Mentionable[], query: string): Mentionable[] {
  const q = query.trim().toLocaleLowerCase();
  const startsAWord = (name: string) => {
    const words = name.toLocaleLowerCase().split(/\s+/);
    return words.some((_, i) => words.slice(i).join(' ').startsWith(q));
  };
  return members.filter((m) => startsAWord(m.displayName)).slice(0, 8);
}

/** Replaces the "@query" at `start` with "@Display Name " and says where the caret goes. */
export function insertMention(text: string, mention: { start: number; query: string }, member: Mentionable): { text: string; caret: number } {
  const end = mention.start + 1 + mention.query.length;
  const spaced = /^\s/.test(text.slice(end));
  const inserted = `@${member.displayName}${spaced ? '' : ' '}`;
  return { text: text.slice(0, mention.start) + inserted + text.slice(end), caret: mention.start + inserted.length + (spaced ? 1 : 0) };
}

/** The picked members still named ("@Display Name") in the text being sent. */
export function mentionedIn(text: string, picked: readonly Mentionable[]): string[] {
  return [...new Set(picked.filter((m) => text.includes(`@${m.displayName}`)).map((m) => m.userId))];
}
