/** @module The valibot schemas of the layer operations: PublishLayerVersion's body, the List queries, layer ARNs. */
import * as v from "valibot";
import { maxItemsSchema, PagingQuerySchema } from "./control-plane-input.ts";
import { Base64Schema } from "./function-input.ts";

/** A layer version's ARN as Lambda writes them: `arn:aws:lambda:<region>:<account>:layer:<name>:<version>`. */
export const LAYER_VERSION_ARN =
  /^arn:aws[a-zA-Z-]*:lambda:[a-z0-9-]+:\d{12}:layer:([a-zA-Z0-9_-]{1,140}):([0-9]+)$/;

/** A layer's ARN (no version). */
export const LAYER_ARN = /^arn:aws[a-zA-Z-]*:lambda:[a-z0-9-]+:\d{12}:layer:([a-zA-Z0-9_-]{1,140})$/;

/** A layer version ARN member, checked for its shape (whether it exists is the control plane's question). */
export const LayerVersionArnSchema = v.pipe(
  v.string(),
  v.minLength(1, "Member must have length greater than or equal to 1"),
  v.maxLength(2048, "Member must have length less than or equal to 2048"),
  v.regex(
    LAYER_VERSION_ARN,
    "Member must satisfy regular expression pattern: arn:[a-zA-Z0-9-]+:lambda:[a-zA-Z0-9-]+:\\d{12}:layer:[a-zA-Z0-9-_]+:[0-9]+",
  ),
);

/** The layer name of a path (`{LayerName}`): a name, or a layer ARN. */
export const LayerNameSchema = v.pipe(
  v.string(),
  v.minLength(1, "Member must have length greater than or equal to 1"),
  v.maxLength(140, "Member must have length less than or equal to 140"),
  v.check(
    (name) => /^[a-zA-Z0-9_-]+$/.test(name) || LAYER_ARN.test(name),
    "Member must satisfy regular expression pattern: (arn:[a-zA-Z0-9-]+:lambda:[a-zA-Z0-9-]+:\\d{12}:layer:[a-zA-Z0-9-_]+)|[a-zA-Z0-9-_]+",
  ),
);

/** A layer version number of a path. */
export const LayerVersionNumberSchema = v.pipe(
  v.string(),
  v.regex(/^[0-9]{1,15}$/, "Member must be a whole number"),
  v.transform(Number),
);

// Lambda's runtime ids, lambdalet's own and those it does not run: a layer may say it suits either
const RUNTIME_ID = /^(nodejs|python|java|dotnet|dotnetcore|ruby|go|provided)[0-9a-z.-]*$/;

const RuntimeIdSchema = v.pipe(
  v.string(),
  v.regex(
    RUNTIME_ID,
    "Member must satisfy enum value set: Lambda's runtime ids (such as nodejs20.x, python3.12)",
  ),
);

const ArchitectureSchema = v.picklist(
  ["x86_64", "arm64"],
  "Member must satisfy enum value set: [x86_64, arm64]",
);

/** The schema of the PublishLayerVersion body. */
export const PublishLayerVersionInputSchema = v.object({
  Content: v.object(
    {
      ZipFile: v.optional(Base64Schema),
      S3Bucket: v.optional(
        v.pipe(v.string(), v.maxLength(0, "Layers from S3 are not supported: send ZipFile")),
      ),
      S3Key: v.optional(v.pipe(v.string(), v.maxLength(0, "Layers from S3 are not supported: send ZipFile"))),
      S3ObjectVersion: v.optional(
        v.pipe(v.string(), v.maxLength(0, "Layers from S3 are not supported: send ZipFile")),
      ),
    },
    "Member must not be null",
  ),
  Description: v.optional(
    v.pipe(v.string(), v.maxLength(256, "Member must have length less than or equal to 256")),
    "",
  ),
  CompatibleRuntimes: v.optional(
    v.pipe(
      v.array(RuntimeIdSchema),
      v.maxLength(15, "Member must have length less than or equal to 15"),
    ),
    [],
  ),
  CompatibleArchitectures: v.optional(
    v.pipe(v.array(ArchitectureSchema), v.maxLength(2, "Member must have length less than or equal to 2")),
    [],
  ),
  LicenseInfo: v.optional(
    v.pipe(v.string(), v.maxLength(512, "Member must have length less than or equal to 512")),
  ),
});

/** A validated PublishLayerVersion body. */
export type PublishLayerVersionInput = v.InferOutput<typeof PublishLayerVersionInputSchema>;

/** The query of ListLayers and ListLayerVersions: the filters and paging (at most 50 items a page). */
export const ListLayersQuerySchema = v.object({
  ...PagingQuerySchema.entries,
  MaxItems: maxItemsSchema(50),
  CompatibleRuntime: v.optional(RuntimeIdSchema),
  CompatibleArchitecture: v.optional(ArchitectureSchema),
});

/** A validated ListLayers / ListLayerVersions query. */
export type ListLayersQuery = v.InferOutput<typeof ListLayersQuerySchema>;
