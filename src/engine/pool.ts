/**
 * Prepares many files on both cores: a worker thread takes part of the batch while the main thread
 * does the rest. Only the bundled CLI can start the worker (it re-runs its own file), and only
 * batches large enough to repay the worker's start-up use it.
 */
import * as os from "node:os";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import type { ParsedFile, RawInput } from "../parse/parse-file.js";
import { fromTransfer, prepareFile, type TransferredFile } from "./prepare.js";

/** Set by the bundler; undefined when running from sources (tests), where no worker script exists. */
declare const __CREDFLOW_BUNDLE__: boolean | undefined;

/** Below this many files one thread is faster than starting a worker. */
export const MIN_FILES_FOR_WORKER = 48;

export const WORKER_MARK = "credflow-prepare-worker";

function workerAllowed(count: number): boolean {
  if (typeof __CREDFLOW_BUNDLE__ === "undefined") return false;
  const setting = process.env.CREDFLOW_WORKERS;
  if (setting === "0") return false;
  if (setting === "1") return true;
  return count >= MIN_FILES_FOR_WORKER && os.availableParallelism() > 1;
}

export async function prepareAll(inputs: RawInput[]): Promise<ParsedFile[]> {
  if (!workerAllowed(inputs.length)) {
    const out: ParsedFile[] = [];
    for (const input of inputs) out.push(await prepareFile(input));
    return out;
  }
  // Split by bytes; the worker starts later (it loads the bundle), so it gets a bit less.
  const total = inputs.reduce((n, i) => n + i.bytes.length, 0);
  let acc = 0;
  let split = inputs.length;
  for (let i = 0; i < inputs.length; i++) {
    acc += inputs[i]!.bytes.length;
    if (acc >= total * 0.55) {
      split = i + 1;
      break;
    }
  }
  const mine = inputs.slice(0, split);
  const theirs = inputs.slice(split);
  const worker = new Worker(fileURLToPath(import.meta.url), { workerData: { mark: WORKER_MARK } });
  const fromWorker = new Promise<ParsedFile[]>((resolve, reject) => {
    worker.once("message", (msg: TransferredFile[]) => resolve(msg.map(fromTransfer)));
    worker.once("error", reject);
    worker.once("exit", (code) => {
      if (code !== 0) reject(new Error(`preparation worker exited with code ${code}`));
    });
  });
  worker.postMessage(theirs);
  const t0 = performance.now();
  const local: ParsedFile[] = [];
  for (const input of mine) local.push(await prepareFile(input));
  const t1 = performance.now();
  const remote = await fromWorker;
  if (process.env.CREDFLOW_TIMING) process.stderr.write(`pool: main ${mine.length} files ${(t1 - t0).toFixed(0)} ms, waited ${(performance.now() - t1).toFixed(0)} ms for worker (${theirs.length})\n`);
  await worker.terminate();
  return [...local, ...remote];
}
