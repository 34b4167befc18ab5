/** @module The valibot schemas of the function URL operations (Create/Update FunctionUrlConfig, 2021-10-31). */
import * as v from "valibot";

const AuthTypeSchema = v.picklist(["NONE", "AWS_IAM"], "Member must satisfy enum value set: [NONE, AWS_IAM]");

const InvokeModeSchema = v.picklist(
  ["BUFFERED", "RESPONSE_STREAM"],
  "Member must satisfy enum value set: [BUFFERED, RESPONSE_STREAM]",
);

function stringList(maxItems: number, maxLength: number) {
  return v.pipe(
    v.array(
      v.pipe(
        v.string(),
        v.minLength(1, "Member must have length greater than or equal to 1"),
        v.maxLength(maxLength, `Member must have length less than or equal to ${maxLength}`),
      ),
    ),
    v.maxLength(maxItems, `Member must have length less than or equal to ${maxItems}`),
  );
}

/** Lambda's `Cors` structure. */
export const CorsSchema = v.strictObject({
  AllowCredentials: v.optional(v.boolean()),
  AllowHeaders: v.optional(stringList(100, 1024)),
  AllowMethods: v.optional(
    v.pipe(
      stringList(6, 6),
      v.check(
        (methods) => methods.every((method) => method === "*" || /^[A-Za-z]+$/.test(method)),
        "Member must be HTTP methods or *",
      ),
    ),
  ),
  AllowOrigins: v.optional(stringList(100, 253)),
  ExposeHeaders: v.optional(stringList(100, 1024)),
  MaxAge: v.optional(
    v.pipe(
      v.number(),
      v.integer("Member must be a whole number"),
      v.minValue(0, "Member must have value greater than or equal to 0"),
      v.maxValue(86400, "Member must have value less than or equal to 86400"),
    ),
  ),
});

/** The body of CreateFunctionUrlConfig. */
export const CreateFunctionUrlInputSchema = v.object({
  AuthType: AuthTypeSchema,
  Cors: v.optional(CorsSchema),
  InvokeMode: v.optional(InvokeModeSchema, "BUFFERED"),
});

/** A validated CreateFunctionUrlConfig body. */
export type CreateFunctionUrlInput = v.InferOutput<typeof CreateFunctionUrlInputSchema>;

/** The body of UpdateFunctionUrlConfig: members left out keep their value. */
export const UpdateFunctionUrlInputSchema = v.object({
  AuthType: v.optional(AuthTypeSchema),
  Cors: v.optional(CorsSchema),
  InvokeMode: v.optional(InvokeModeSchema),
});

/** A validated UpdateFunctionUrlConfig body. */
export type UpdateFunctionUrlInput = v.InferOutput<typeof UpdateFunctionUrlInputSchema>;
