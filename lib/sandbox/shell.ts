/** @module Quoting for the small shell scripts that set a worker up. */

/** Quotes a string for POSIX sh. */
export function shellQuote(value: string): string {
  return `'${value.replaceAll("'", `'\\''`)}'`;
}

/** The lines that move the running shell into each cgroup (its pid survives the `exec` that follows). */
export function joinCgroupsScript(procsFiles: string[]): string {
  return procsFiles.map((file) => `echo $$ > ${shellQuote(file)}`).join("\n");
}
