/**
 * The one glob of healstream, for component ids in policy selectors, detector rules and
 * escalation routes: `*` matches any run of characters (also none), `?` exactly one character,
 * everything else itself. The whole id must match: `pay*` matches `payments`, not `repay`.
 */
export function globToRegExp(glob: string): RegExp {
  const body = glob
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${body}$`);
}

/** Whether `text` matches the glob (see globToRegExp). */
export function matchesGlob(glob: string, text: string): boolean {
  return globToRegExp(glob).test(text);
}
