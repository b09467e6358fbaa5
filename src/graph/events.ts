/** Which GitHub events outsiders can cause, shared by the trust judgements of `guards.ts` and `upstream.ts`. */

/** Pull-request events whose runs for a fork's pull request get a read-only token, no secrets and no id-token. */
export const FORK_LIMITED_EVENTS = ["pull_request", "pull_request_review", "pull_request_review_comment"] as const;

/**
 * Events any GitHub user can cause, with the activity types an outsider can cause (the others need
 * triage or write access: labels, assignees, locks, merges, dismissals) and the types GitHub uses
 * when a workflow lists none. `workflow_run` inherits its upstream's.
 */
export const OUTSIDER_EVENTS: Readonly<Record<string, { outsider: readonly string[]; defaults?: readonly string[] }>> = {
  pull_request_target: {
    outsider: ["opened", "edited", "closed", "reopened", "synchronize", "ready_for_review", "converted_to_draft"],
    defaults: ["opened", "synchronize", "reopened"],
  },
  issues: { outsider: ["opened", "edited", "closed", "reopened"] },
  issue_comment: { outsider: ["created", "edited", "deleted"] },
  discussion: { outsider: ["created", "edited", "deleted", "closed", "reopened", "answered", "unanswered"] },
  discussion_comment: { outsider: ["created", "edited", "deleted"] },
  pull_request_review: { outsider: ["submitted", "edited"] },
  pull_request_review_comment: { outsider: ["created", "edited", "deleted"] },
  fork: { outsider: [] },
  watch: { outsider: ["started"] },
};
