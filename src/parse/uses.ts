/** Parses a `uses:` string into a local path, a remote action/workflow ref, or a docker image. */
import type { UsesRef } from "../model/types.js";

export function parseUses(raw: string): UsesRef {
  const text = raw.trim();
  if (text === "") return { kind: "invalid", raw, reason: "empty `uses`" };
  if (text.includes("${{")) return { kind: "invalid", raw, reason: "`uses` cannot contain expressions" };
  if (text.startsWith("./") || text === ".") return { kind: "local", path: text, raw };
  if (text.startsWith("docker://")) {
    const image = text.slice("docker://".length);
    const at = image.indexOf("@");
    if (at >= 0) return { kind: "docker", image: image.slice(0, at), digest: image.slice(at + 1), raw };
    // A tag follows the last ':' after the last '/' (a registry host may carry a port).
    const slash = image.lastIndexOf("/");
    const colon = image.indexOf(":", slash + 1);
    if (colon >= 0) return { kind: "docker", image: image.slice(0, colon), tag: image.slice(colon + 1), raw };
    return { kind: "docker", image, raw };
  }
  const at = text.lastIndexOf("@");
  if (at <= 0 || at === text.length - 1) return { kind: "invalid", raw, reason: "expected `owner/repo[/path]@ref`" };
  const name = text.slice(0, at);
  const ref = text.slice(at + 1);
  const parts = name.split("/");
  if (parts.length < 2 || parts.some((p) => p === "")) {
    return { kind: "invalid", raw, reason: "expected `owner/repo[/path]@ref`" };
  }
  const [owner, repo, ...rest] = parts as [string, string, ...string[]];
  const subpath = rest.length ? rest.join("/") : undefined;
  const isWorkflow = !!subpath && /^\.github\/workflows\/[^/]+\.ya?ml$/.test(subpath);
  return { kind: "remote", owner, repo, subpath, ref, raw, isWorkflow };
}
