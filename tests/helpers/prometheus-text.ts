/**
 * @module A strict reader of the Prometheus text exposition format (0.0.4): it throws on anything the format does not
 * allow (bad names, escapes or numbers, samples outside their family, a family split or typed twice, a duplicate
 * series, histogram buckets that are not cumulative).
 */

/** One sample line. */
export interface Sample {
  /** The sample's name (a histogram's carry `_bucket`, `_sum` or `_count`). */
  name: string;
  /** Its labels. */
  labels: Record<string, string>;
  /** Its value. */
  value: number;
}

/** A metric family: its `# TYPE`, `# HELP` and samples. */
export interface MetricFamily {
  name: string;
  type: "counter" | "gauge" | "histogram" | "summary" | "untyped";
  help: string;
  samples: Sample[];
}

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const NUMBER = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;
const TYPES = new Set(["counter", "gauge", "histogram", "summary", "untyped"]);

function fail(line: number, message: string): never {
  throw new Error(`Prometheus text, line ${line}: ${message}`);
}

/** A number as Go's `strconv.ParseFloat` reads it, which the format names: `NaN` and `Inf` in any case. */
function parseNumber(text: string, line: number): number {
  const special = /^([+-]?)(inf|infinity|nan)$/i.exec(text);
  if (special) {
    if (special[2]!.toLowerCase() === "nan") return special[1] ? fail(line, "NaN takes no sign") : NaN;
    return special[1] === "-" ? -Infinity : Infinity;
  }
  if (!NUMBER.test(text)) fail(line, `'${text}' is not a number`);
  return Number(text);
}

/** Reads `{a="b",...}` from `text` at `start` (the brace); returns the labels and the index after the closing brace. */
function parseLabels(text: string, start: number, line: number): [Record<string, string>, number] {
  const labels: Record<string, string> = {};
  let at = start + 1;
  while (text[at] !== "}") {
    const eq = text.indexOf("=", at);
    if (eq < 0) fail(line, "a label without '='");
    const name = text.slice(at, eq);
    if (!LABEL_NAME.test(name)) fail(line, `'${name}' is not a label name`);
    if (name in labels) fail(line, `the label ${name} appears twice`);
    if (text[eq + 1] !== '"') fail(line, `the value of ${name} is not quoted`);
    let value = "";
    let i = eq + 2;
    for (;; i++) {
      const char = text[i];
      if (char === undefined) fail(line, `the value of ${name} is not closed`);
      if (char === '"') break;
      if (char === "\n") fail(line, "a raw newline in a label value");
      if (char !== "\\") {
        value += char;
        continue;
      }
      const next = text[++i];
      if (next === "\\") value += "\\";
      else if (next === '"') value += '"';
      else if (next === "n") value += "\n";
      else fail(line, `'\\${next ?? ""}' is not an escape of a label value`);
    }
    labels[name] = value;
    at = i + 1;
    if (text[at] === ",") at++;
    else if (text[at] !== "}") fail(line, "labels must be separated by ','");
  }
  return [labels, at + 1];
}

/** The family a sample named `name` belongs to, given the family being read. */
function belongs(family: MetricFamily, name: string): boolean {
  if (name === family.name) return family.type !== "histogram";
  const suffixes = family.type === "histogram"
    ? ["_bucket", "_sum", "_count"]
    : family.type === "summary"
    ? ["_sum", "_count"]
    : [];
  return suffixes.some((suffix) => name === family.name + suffix);
}

function checkHistogram(family: MetricFamily): void {
  const series = new Map<string, { buckets: [number, number][]; count?: number }>();
  for (const sample of family.samples) {
    const { le, ...rest } = sample.labels;
    const key = JSON.stringify(Object.entries(rest).sort());
    const entry = series.get(key) ?? { buckets: [] };
    series.set(key, entry);
    if (sample.name.endsWith("_bucket")) {
      if (le === undefined) throw new Error(`${family.name}: a bucket without le`);
      entry.buckets.push([parseNumber(le, 0), sample.value]);
    } else if (sample.name.endsWith("_count")) entry.count = sample.value;
  }
  for (const [key, { buckets, count }] of series) {
    for (let i = 1; i < buckets.length; i++) {
      if (buckets[i]![0] <= buckets[i - 1]![0] || buckets[i]![1] < buckets[i - 1]![1]) {
        throw new Error(`${family.name} ${key}: buckets are not in order or not cumulative`);
      }
    }
    const last = buckets.at(-1);
    if (!last || last[0] !== Infinity) throw new Error(`${family.name} ${key}: no +Inf bucket`);
    if (count !== last[1]) throw new Error(`${family.name} ${key}: _count differs from the +Inf bucket`);
  }
}

/** Parses `text` strictly into its metric families, by name; throws on the first violation of the format. */
export function parsePrometheusText(text: string): Map<string, MetricFamily> {
  const families = new Map<string, MetricFamily>();
  const seen = new Set<string>();
  const typed = new Set<string>();
  let current: MetricFamily | null = null;
  const lines = text.split("\n");
  if (lines.at(-1) !== "") fail(lines.length, "the text must end with a newline");
  lines.pop();
  lines.forEach((raw, index) => {
    const line = index + 1;
    if (raw.trim() === "") return;
    if (raw.startsWith("#")) {
      const match = /^# (HELP|TYPE) (\S+)(?: (.*))?$/.exec(raw);
      if (!match) return; // a plain comment
      const [, keyword, name, rest = ""] = match;
      if (!METRIC_NAME.test(name!)) fail(line, `'${name}' is not a metric name`);
      let family = families.get(name!);
      if (family && family !== current) fail(line, `the family ${name} is split`);
      if (!family) {
        family = { name: name!, type: "untyped", help: "", samples: [] };
        families.set(name!, family);
      }
      if (keyword === "TYPE") {
        if (!TYPES.has(rest)) fail(line, `'${rest}' is not a metric type`);
        if (family.samples.length) fail(line, `the TYPE of ${name} comes after its samples`);
        if (typed.has(name!)) fail(line, `${name} is typed twice`);
        typed.add(name!);
        family.type = rest as MetricFamily["type"];
      } else family.help = rest;
      current = family;
      return;
    }
    const brace = raw.search(/[{ ]/);
    if (brace < 0) fail(line, "a sample without a value");
    const name = raw.slice(0, brace);
    if (!METRIC_NAME.test(name)) fail(line, `'${name}' is not a metric name`);
    let labels: Record<string, string> = {};
    let after = brace;
    if (raw[brace] === "{") [labels, after] = parseLabels(raw, brace, line);
    if (raw[after] !== " ") fail(line, "the value must follow one space");
    const fields = raw.slice(after + 1).split(" ");
    if (fields.length > 2 || fields.some((field) => field === "")) fail(line, "extra fields after the value");
    const value = parseNumber(fields[0]!, line);
    if (fields[1] !== undefined && !/^-?\d+$/.test(fields[1])) fail(line, "the timestamp is not an integer");
    if (!current || !belongs(current, name)) {
      if (families.has(name)) fail(line, `the family ${name} is split`);
      current = { name, type: "untyped", help: "", samples: [] };
      families.set(name, current);
    }
    const key = `${name}${JSON.stringify(Object.entries(labels).sort())}`;
    if (seen.has(key)) fail(line, `the series ${key} appears twice`);
    seen.add(key);
    if (current.type === "histogram" && name.endsWith("_bucket") && !("le" in labels)) {
      fail(line, "a bucket without le");
    }
    current.samples.push({ name, labels, value });
  });
  for (const family of families.values()) {
    if (family.type === "histogram") checkHistogram(family);
    if (family.type === "counter") {
      for (const sample of family.samples) {
        if (!(sample.value >= 0)) throw new Error(`${family.name}: a counter below 0`);
      }
    }
  }
  return families;
}

/** The value of the sample `name` whose labels include every one of `labels`, summed over the matches (0: none). */
export function sampleSum(
  families: Map<string, MetricFamily>,
  name: string,
  labels: Record<string, string> = {},
): number {
  let sum = 0;
  for (const family of families.values()) {
    for (const sample of family.samples) {
      if (sample.name !== name) continue;
      if (Object.entries(labels).every(([key, value]) => sample.labels[key] === value)) sum += sample.value;
    }
  }
  return sum;
}
