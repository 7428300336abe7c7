// POSIX shell quoting for every remote command line. The board's login shell (sh, bash, dash, zsh,
// busybox ash) runs what we send, so each argument is wrapped in single quotes, inside which nothing
// is special; a single quote itself is closed, escaped and reopened ('\''). Newlines, `$( )`, `;`,
// globs and spaces all stay literal. Never build a remote command from raw, unquoted values.

/** One argument, quoted for a POSIX shell: `it's` becomes `'it'\''s'`. */
export function shellQuote(value: string): string {
  if (value.includes('\0')) throw new RangeError('shellQuote: a shell argument cannot contain a NUL byte');
  return `'${value.replaceAll("'", `'\\''`)}'`;
}

/** A command line from its words, each quoted: `shellCommand(['rm', '-rf', '--', dir])`. */
export function shellCommand(words: readonly string[]): string {
  if (words.length === 0) throw new RangeError('shellCommand: no command');
  return words.map(shellQuote).join(' ');
}
