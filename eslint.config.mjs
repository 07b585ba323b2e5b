// Lint: the TypeScript recommended rules, nothing stylistic (tsc --strict does the rest), and
// the layers of src/ (docs/architecture.md): a folder imports only from the folders listed
// before it, so imports point downward and cannot form cycles.
import tseslint from "typescript-eslint";

/** src/ folders from the bottom up. */
const LAYERS = [
  "core",
  "formats",
  "profiles",
  "policy",
  "io",
  "git",
  "view",
  "pipeline",
  "report",
  "crypt",
  "review",
  "resolve",
  "driver",
  "doctor",
  "wrapper",
  "verify",
  "commands",
];

const layerRules = LAYERS.map((layer, i) => {
  const above = LAYERS.slice(i + 1);
  const group = above.flatMap((upper) => [`../${upper}`, `../${upper}/*`, `../../${upper}`, `../../${upper}/*`, `../../../${upper}/*`]);
  return {
    files: [`src/${layer}/**/*.ts`],
    rules: {
      "no-restricted-imports": ["error", { patterns: [{ group: [...group, "../cli", "../../cli"], message: `src/${layer} sits below this folder: imports point downward only (see eslint.config.mjs, LAYERS)` }] }],
    },
  };
});

export default tseslint.config(
  { ignores: ["dist/", "node_modules/", "coverage/"] },
  ...tseslint.configs.recommended,
  {
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_" }],
      "@typescript-eslint/no-require-imports": "off",
    },
  },
  ...layerRules,
);
