// Types for scripts/build.mjs, for the tests that import it.
import type { BuildOptions } from "esbuild";

export declare const ROOT: string;
/** dist/credflow.mjs: the launcher, the package's bin. */
export declare const OUTFILE: string;
/** dist/credflow-core.cjs: the bundle the launcher runs. */
export declare const CORE_OUTFILE: string;
/** esbuild options for the bundle (dist/credflow-core.cjs unless `outfile` says otherwise). */
export declare function buildOptions(overrides?: { outfile?: string }): BuildOptions;
/** esbuild options for the launcher, which names the bundle's SHA-256. */
export declare function launcherOptions(coreSha256: string, overrides?: { outfile?: string }): BuildOptions;
/** Builds the bundle and its launcher into `outdir` (default dist/) and sets the launcher's execute bit (0755). */
export declare function buildBundle(overrides?: { outdir?: string }): Promise<{ core: string; launcher: string }>;
/** Bundles TypeScript entry text into a temporary module and imports it. */
export declare function importBundled(source: string): Promise<Record<string, unknown>>;
