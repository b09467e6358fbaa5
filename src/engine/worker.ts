/** The preparation worker: receives raw files, sends back parsed files with models and schema results. */
import { parentPort } from "node:worker_threads";
import type { RawInput } from "../parse/parse-file.js";
import { forTransfer, prepareFile } from "./prepare.js";

export function startWorker(): void {
  parentPort!.once("message", async (inputs: RawInput[]) => {
    const out = [];
    for (const input of inputs) out.push(forTransfer(await prepareFile(input)));
    parentPort!.postMessage(out);
  });
}
