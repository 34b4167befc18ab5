/** @module The INI format of the AWS shared credentials and config files: read sections, replace one. */

/** Sections by name, each a map of keys to values. */
export type IniSections = Map<string, Map<string, string>>;

const SECTION = /^\s*\[([^\]]+)\]\s*$/;
const ENTRY = /^\s*([^=#;\s][^=]*?)\s*=\s*(.*?)\s*$/;

/** Parses the text of a credentials or config file (comments start with `#` or `;`). */
export function parseIni(text: string): IniSections {
  const sections: IniSections = new Map();
  let current: Map<string, string> | undefined;
  for (const line of text.split(/\r?\n/)) {
    const section = SECTION.exec(line);
    if (section) {
      const name = section[1]!.trim();
      current = sections.get(name) ?? new Map();
      sections.set(name, current);
      continue;
    }
    const entry = ENTRY.exec(line);
    if (entry && current) current.set(entry[1]!, entry[2]!);
  }
  return sections;
}

/** Returns `text` with section `name` replaced by `values` (appended when absent); other lines stay as they are. */
export function replaceIniSection(text: string, name: string, values: Record<string, string>): string {
  const lines = text === "" ? [] : text.replace(/\n$/, "").split("\n");
  const body = [`[${name}]`, ...Object.entries(values).map(([key, value]) => `${key} = ${value}`)];
  const start = lines.findIndex((line) => SECTION.exec(line)?.[1]?.trim() === name);
  if (start < 0) return [...lines, ...(lines.length ? [""] : []), ...body, ""].join("\n");
  let end = start + 1;
  while (end < lines.length && !SECTION.test(lines[end]!)) end++;
  // keep the blank lines that separated the section from the next one
  while (end > start + 1 && lines[end - 1]!.trim() === "") end--;
  return [...lines.slice(0, start), ...body, ...lines.slice(end), ""].join("\n");
}
