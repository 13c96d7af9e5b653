// @ts-check
/**
 * The bundling step of deploy/package.sh: `node deploy/bundle.js <folder>` writes
 * `<folder>/dist/functions/`, one ES module per function entry (functions/*.ts) and the chunks
 * they share or load on first use.
 *
 * What the first request loads is what a cold start pays for, so the bundle is built to load
 * little:
 * - zod is imported as a namespace (`import * as z from "zod"`), so esbuild keeps only the parts
 *   the app uses; imported as `{ z }`, every part of zod is bundled (its locales alone are about
 *   370 KB), and the first event parses all of it.
 * - Whitespace and syntax are minified, so there is less to read and parse. Names are not
 *   (mangling them measured no faster): stack traces still name each function, and the source
 *   maps next to the chunks give the lines (`--enable-source-maps`).
 */
import { readdir } from "node:fs/promises";
import path from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";
import * as esbuild from "esbuild";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const out = process.argv[2];
if (out === undefined) throw new Error("usage: node deploy/bundle.js <package folder>");

// ES modules that bundle CommonJS packages need `require` for the Node built-ins those load.
const banner =
  'import { createRequire as __switchboardRequire } from "node:module"; const require = __switchboardRequire(import.meta.url);';

/** zod's messages in languages other than English, only bundled when all of zod is. */
const ZOD_LOCALE = /node_modules\/zod\/v4\/locales\/(?!en\.js$|index\.js$)/;

/**
 * Fails the build when zod's other locales end up in the bundle: an `import { z } from "zod"`
 * somewhere, which esbuild can only bundle as the whole of zod.
 * @type {esbuild.Plugin}
 */
const zodAsNamespace = {
  name: "zod-as-namespace",
  setup(build) {
    build.onEnd((result) => {
      const bundled = Object.values(result.metafile?.outputs ?? {}).flatMap((output) =>
        Object.entries(output.inputs)
          .filter(([, input]) => input.bytesInOutput > 0)
          .map(([file]) => file),
      );
      if (bundled.some((file) => ZOD_LOCALE.test(file))) {
        return {
          errors: [
            {
              text: 'all of zod is bundled, and the first request would parse it: import it as `import * as z from "zod"`',
            },
          ],
        };
      }
      return undefined;
    });
  },
};

const entryPoints = (await readdir(path.join(root, "functions")))
  .filter((file) => file.endsWith(".ts"))
  .sort()
  .map((file) => path.join("functions", file));

await esbuild.build({
  absWorkingDir: root,
  entryPoints,
  bundle: true,
  splitting: true,
  format: "esm",
  platform: "node",
  target: "node20",
  outdir: path.join(out, "dist", "functions"),
  entryNames: "[name]",
  chunkNames: "chunks/[name]-[hash]",
  // The Functions worker provides it.
  external: ["@azure/functions-core"],
  minifyWhitespace: true,
  minifySyntax: true,
  sourcemap: true,
  legalComments: "eof",
  banner: { js: banner },
  metafile: true,
  logLevel: "warning",
  plugins: [zodAsNamespace],
});
