// Types for scripts/action/run.mjs, for the tests that import it.
export declare function splitWords(text: string): string[];
export declare function readEvent(eventPath: string | undefined): Record<string, any> | undefined;
export declare function visibilityFromEvent(event: Record<string, any> | undefined): string | undefined;
export declare function uploadDecision(run: { mode: string; eventName?: string; event?: Record<string, any>; actor?: string }): { upload: boolean; reason?: string };
export declare function workflowPathFromRef(ref: string | undefined): string | undefined;
export declare function deriveCategory(run: { workflowRef?: string; workflow?: string; job?: string; matrix?: string; paths: string[] }): string;
