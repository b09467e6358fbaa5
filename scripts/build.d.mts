// Types for scripts/build.mjs, for the tests that import it.
import type { BuildOptions } from "esbuild";

export declare const ROOT: string;
export declare const OUTFILE: string;
export declare function buildOptions(overrides?: { outfile?: string }): BuildOptions;
/** Builds the bundle and sets its execute bit (0755). */
export declare function buildBundle(overrides?: { outfile?: string }): Promise<void>;
/** Bundles TypeScript entry text into a temporary module and imports it. */
export declare function importBundled(source: string): Promise<Record<string, unknown>>;
