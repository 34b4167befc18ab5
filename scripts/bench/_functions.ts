/** @module The function the benchmarks invoke: a nodejs20.x handler in one `index.js`, created through the API. */
import { buildZip } from "../../lib/code/mod.ts";
import { apiFetch } from "../../tests/helpers/api-client.ts";

/**
 * Creates `name` on the agent at `url`: `source` as its `index.js` (handler `index.handler`, nodejs20.x), with the
 * other CreateFunction members in `members`; throws with the agent's answer unless it is a 201.
 */
export async function createNodeFunction(
  url: string,
  name: string,
  source: string,
  members: Record<string, unknown> = {},
): Promise<void> {
  const response = await apiFetch(`${url}/2015-03-31/functions`, {
    method: "POST",
    body: JSON.stringify({
      FunctionName: name,
      Runtime: "nodejs20.x",
      Handler: "index.handler",
      Code: { ZipFile: Buffer.from(buildZip({ "index.js": source })).toString("base64") },
      ...members,
    }),
  });
  if (response.status !== 201) {
    throw new Error(`CreateFunction ${name}: ${response.status} ${await response.text()}`);
  }
}
