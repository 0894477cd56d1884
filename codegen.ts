// GraphQL client types from the committed contract; the commands are in README.md, "Generating clients".
import type { CodegenConfig } from "@graphql-codegen/cli";

const config: CodegenConfig = {
  schema: "graphql/schema.graphql",
  generates: {
    "verity-graphql.ts": { plugins: ["typescript"] },
  },
};

export default config;
