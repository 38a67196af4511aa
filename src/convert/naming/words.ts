/**
 * Words of an identifier and the cases Prisma's naming conventions use (PURE). Prisma's convention: models in
 * PascalCase and singular, fields in camelCase (https://www.prisma.io/docs/orm/reference/prisma-schema-reference#naming-conventions).
 * Singular and plural forms come from `pluralize` (the inflection rules Rails and most ORMs share), applied to the
 * last word only: `post_tags` → `PostTag`, `InvoiceLines` → `InvoiceLine`.
 */
import pluralize from "pluralize";

/**
 * `user_id` → [user, id]; `AlbumId` → [Album, Id]; `HTMLParser` → [HTML, Parser]; `postedById` → [posted, By, Id].
 * Names arrive as Prisma identifiers (`[A-Za-z][A-Za-z0-9_]*`, prisma-names.ts), but any other separator splits too.
 */
export function splitWords(name: string): string[] {
  return name
    .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
    .replace(/([A-Z]+)([A-Z][a-z])/g, "$1 $2")
    .split(/[^A-Za-z0-9]+/)
    .filter((w) => w !== "");
}

/** `USERS` → `Users`, `id` → `Id`, `iPhone` stays `IPhone`: an all-caps word is a word, not an acronym to keep. */
function capitalize(word: string): string {
  const w = /^[A-Z0-9]+$/.test(word) && /[A-Z]/.test(word) && word.length > 1 ? word.toLowerCase() : word;
  return w.charAt(0).toUpperCase() + w.slice(1);
}

export function pascalCase(words: readonly string[]): string {
  return words.map(capitalize).join("");
}

export function camelCase(words: readonly string[]): string {
  const pascal = pascalCase(words);
  // The first word lowered whole (`URL` → `url`, `Id` → `id`); a leading digit cannot occur (identifiers start with a letter).
  const first = words.length > 0 ? capitalize(words[0]) : "";
  return first.toLowerCase() + pascal.slice(first.length);
}

/** The last word in its singular form (`users` → `user`; words pluralize does not change stay as they are). */
export function singularWords(words: readonly string[]): string[] {
  if (words.length === 0) return [];
  const last = words[words.length - 1];
  // Digits end no English word: `t2s` is left alone. A singular whose plural is not the word again is a guess
  // about an abbreviation (`sys` → `sy`): the word stays.
  const singular = /\d/.test(last) ? last : pluralize.singular(last);
  return [...words.slice(0, -1), pluralize.plural(singular).toLowerCase() === last.toLowerCase() ? singular : last];
}

export function pluralWords(words: readonly string[]): string[] {
  if (words.length === 0) return [];
  const last = words[words.length - 1];
  const plural = /\d/.test(last) ? `${last}s` : pluralize.plural(last);
  return [...words.slice(0, -1), plural];
}

/** `PostTag` → `postTags`: the field name of a list of a model. */
export function pluralCamel(modelName: string): string {
  return camelCase(pluralWords(splitWords(modelName)));
}

/** `PostTag` → `postTag`. */
export function singularCamel(modelName: string): string {
  return camelCase(splitWords(modelName));
}

/** Words that say "this column holds a key", dropped to name the relation it belongs to (`author_id` → `author`). */
const KEY_WORDS: ReadonlySet<string> = new Set(["id", "fk"]);

/** The words of a foreign key column without its trailing key word; empty when nothing is left or none was there. */
export function withoutKeyWord(name: string): string[] {
  const words = splitWords(name);
  if (words.length < 2 || !KEY_WORDS.has(words[words.length - 1].toLowerCase())) return [];
  return words.slice(0, -1);
}
