import { configDefaults, defineConfig } from "vitest/config";

/** `npm test`: everything that needs no system browser (test/browser has its own config). */
export default defineConfig({
  test: {
    include: ["test/**/*.spec.ts"],
    exclude: [...configDefaults.exclude, "test/browser/**"],
    globalSetup: ["test/globalSetup.ts"],
    setupFiles: ["test/setup.ts"],
    testTimeout: 20_000,
    hookTimeout: 60_000,
  },
});
