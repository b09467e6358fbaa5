/**
 * `yaml`'s node tests as plain bindings, for the modules that call them on every node of every
 * file. `yaml` is CommonJS: in the bundle, each `isMap(…)` imported from it straight away reads
 * the export through esbuild's interop getter, a function call per use (about 1% of a large run).
 * Read once here, the bindings are direct references.
 */
import * as yaml from "yaml";

export const isAlias: typeof yaml.isAlias = yaml.isAlias;
export const isCollection: typeof yaml.isCollection = yaml.isCollection;
export const isMap: typeof yaml.isMap = yaml.isMap;
export const isPair: typeof yaml.isPair = yaml.isPair;
export const isScalar: typeof yaml.isScalar = yaml.isScalar;
export const isSeq: typeof yaml.isSeq = yaml.isSeq;
