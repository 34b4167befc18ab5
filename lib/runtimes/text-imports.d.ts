/** @module Types for files imported as text (`with { type: "text" }`). */
declare module "*.mjs" {
  const text: string;
  export default text;
}

declare module "*.cjs" {
  const text: string;
  export default text;
}

declare module "*.py" {
  const text: string;
  export default text;
}

declare module "*.java" {
  const text: string;
  export default text;
}

declare module "*.service" {
  const text: string;
  export default text;
}
