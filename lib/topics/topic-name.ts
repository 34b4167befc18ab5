/** @module Topic names as publishers send them, and MQTT's rules for matching them against topic filters. */
import * as v from "valibot";

/** The longest topic name or filter, in characters (Greengrass's limit). */
export const MAX_TOPIC_LENGTH = 256;

/** Why `topic` cannot be published to, or null when it is a valid topic name. */
export function topicNameProblem(topic: string): string | null {
  if (topic.length === 0) return "must have at least one level";
  if (topic.length > MAX_TOPIC_LENGTH) {
    return `must be at most ${MAX_TOPIC_LENGTH} characters: it has ${topic.length}`;
  }
  if (/[+#]/.test(topic)) return "must not contain the wildcards + or # (they belong in subscriptions)";
  if (topic.startsWith("$")) return "must not start with $ (reserved)";
  if (topic.includes("\u0000")) return "must not contain the NUL character";
  return null;
}

/** A topic name: at least one level, at most 256 characters, no `+`, `#`, leading `$` or NUL. */
export const TopicNameSchema = v.pipe(
  v.string(),
  v.rawCheck(({ dataset, addIssue }) => {
    if (!dataset.typed) return;
    const problem = topicNameProblem(dataset.value);
    if (problem) addIssue({ message: problem });
  }),
);

/**
 * Whether the topic name `topic` matches the topic filter `filter`, as MQTT: `+` stands for exactly one level (which
 * may be empty), `#` (only last) for any number of levels including none, so `a/#` matches `a` too.
 */
export function topicMatches(filter: string, topic: string): boolean {
  const wanted = filter.split("/");
  const levels = topic.split("/");
  for (let index = 0; index < wanted.length; index++) {
    const level = wanted[index]!;
    if (level === "#") return true;
    if (index >= levels.length) return false;
    if (level !== "+" && level !== levels[index]) return false;
  }
  return wanted.length === levels.length;
}
