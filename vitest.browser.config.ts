import { defineConfig } from "vitest/config";

/** `npm run test:browser`: tests that drive a system Chromium (not part of `npm test`). */
export default defineConfig({
  test: {
    include: ["test/browser/**/*.spec.ts"],
    globalSetup: ["test/globalSetup.ts"],
    setupFiles: ["test/setup.ts"],
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
