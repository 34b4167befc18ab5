/** @module The valibot schemas of the smaller control-plane inputs: paging, versions and aliases. */
import * as v from "valibot";

/** `MaxItems` of a List operation, as a query string: a whole number from 1 to `max`, 50 when absent. */
export function maxItemsSchema(max: number) {
  return v.optional(
    v.pipe(
      v.string(),
      v.regex(/^\d+$/, "Member must be a whole number"),
      v.transform(Number),
      v.minValue(1, "Member must have value greater than or equal to 1"),
      v.maxValue(max, `Member must have value less than or equal to ${max}`),
    ),
    "50",
  );
}

/** `MaxItems` and `Marker` of the List operations, as query strings. */
export const PagingQuerySchema = v.object({
  MaxItems: maxItemsSchema(10000),
  Marker: v.optional(v.string()),
});

/** A published version number or `$LATEST`. */
export const VersionSchema = v.pipe(
  v.string(),
  v.regex(/^(\$LATEST|[0-9]+)$/, "Member must satisfy regular expression pattern: (\\$LATEST|[0-9]+)"),
);

/** An alias name: letters, digits, `-`, `_`; not all digits. */
export const AliasNameSchema = v.pipe(
  v.string(),
  v.minLength(1, "Member must have length greater than or equal to 1"),
  v.maxLength(128, "Member must have length less than or equal to 128"),
  v.regex(
    /^(?!^[0-9]+$)[a-zA-Z0-9_-]+$/,
    "Member must satisfy regular expression pattern: (?!^[0-9]+$)([a-zA-Z0-9-_]+)",
  ),
);

const DescriptionSchema = v.pipe(
  v.string(),
  v.maxLength(256, "Member must have length less than or equal to 256"),
);

/** `RoutingConfig`: at most one other version with a weight between 0 and 1. */
export const RoutingConfigSchema = v.object({
  AdditionalVersionWeights: v.optional(
    v.pipe(
      v.record(
        v.pipe(v.string(), v.regex(/^[0-9]+$/, "Member must be a published version number")),
        v.pipe(
          v.number(),
          v.minValue(0, "Member must have value greater than or equal to 0.0"),
          v.maxValue(1, "Member must have value less than or equal to 1.0"),
        ),
      ),
      v.check((weights) => Object.keys(weights).length <= 1, "Member must have at most 1 additional version"),
    ),
    {},
  ),
});

/** The body of PublishVersion. */
export const PublishVersionInputSchema = v.object({
  CodeSha256: v.optional(v.string()),
  Description: v.optional(DescriptionSchema),
  RevisionId: v.optional(v.string()),
});

/** The body of CreateAlias. */
export const CreateAliasInputSchema = v.object({
  Name: AliasNameSchema,
  FunctionVersion: VersionSchema,
  Description: v.optional(DescriptionSchema, ""),
  RoutingConfig: v.optional(RoutingConfigSchema),
});

/** The body of UpdateAlias. */
export const UpdateAliasInputSchema = v.object({
  FunctionVersion: v.optional(VersionSchema),
  Description: v.optional(DescriptionSchema),
  RoutingConfig: v.optional(RoutingConfigSchema),
  RevisionId: v.optional(v.string()),
});
