/**
 * The behaviours the contract server can act out. Each one reproduces a response shape or quirk from
 * shared/reference/api-contract.md, so that the client is tested against the contract, not a happy path.
 * Every scenario works on every multiview route (v5, v6, enterprise; see server.ts).
 */
export const SCENARIO_NAMES = [
  /** Synchronous success, exactly like the doc example. */
  'success',
  /** processing (eta, fetch_result, output []), then processing (output ""), then success. */
  'queued',
  /** Like 'queued', but the processing bodies arrive with HTTP 400. */
  'queued-http400',
  /**
   * Legacy processing shape without fetch_result. For a v5 job the first fallback (the v6 image-editing fetch)
   * 404s and the second one works; v6 and enterprise jobs have one fallback, which works.
   */
  'queued-no-fetch-result',
  /** processing forever. */
  'queued-forever',
  /** processing until the test calls `releaseQueuedJobs()`, then success (a job that outlives a window reload). */
  'queued-until-released',
  /** status "error", "Invalid Api Key" plus a tip, with HTTP 200 (legacy). */
  'invalid-key',
  /** The same body with HTTP 401. */
  'invalid-key-401',
  /** A Laravel-style validation error: message is a field -> list object. */
  'validation-object',
  /** An error whose text is in the misspelt `messege` field, with `tips`. */
  'messege',
  /** 429 with retry_after on every other identical request, success on the retry. */
  'rate-limit-then-success',
  /** 429 with retry_after every time. */
  'rate-limit-always',
  /** processing, then status "failed" on the first poll. */
  'failed-on-fetch',
  /** An nginx HTML page with HTTP 502. */
  'html-502',
  /** A success body cut off in the middle. */
  'truncated-json',
  /** Success, but the output link 404s twice before it serves the image. */
  'link-404-twice',
  /** Success, but the output link answers 200 with an HTML page. */
  'html-instead-of-image',
  /** Success, but the output link streams PNG-looking bytes forever (until the client disconnects). */
  'endless-body',
  /** Success, the output link is refused with 403 and proxy_links is an object {"0": url}. */
  'proxy-links-object',
  /** The multiview route accepts the connection and never answers. */
  'never-answers',
  /** base64_to_url fails with 500; base64_crop works and answers with `messege` + `link`. */
  'upload-fallback',
  /** HTTP 402, insufficient credits. */
  'no-credits',
  /** XSS / path-traversal strings in messages and meta, unusable links, and a fetch_result on another origin. */
  'hostile',
  /** An error whose message and tip echo the key the client sent. */
  'echo-key',
] as const;

export type ScenarioName = (typeof SCENARIO_NAMES)[number];

export const DEFAULT_SCENARIO: ScenarioName = 'success';

export function isScenarioName(value: unknown): value is ScenarioName {
  return typeof value === 'string' && (SCENARIO_NAMES as readonly string[]).includes(value);
}

/** The scenario named by a "[scenario:NAME]" marker in a prompt, so parallel tests need no shared state. */
export function scenarioFromPrompt(prompt: unknown): ScenarioName | undefined {
  if (typeof prompt !== 'string') return undefined;
  const name = /\[scenario:([a-z0-9-]+)\]/i.exec(prompt)?.[1]?.toLowerCase();
  return isScenarioName(name) ? name : undefined;
}

/** Scenarios whose submission is answered with a processing body (the job is then polled). */
export const QUEUED_SCENARIOS: ReadonlySet<ScenarioName> = new Set<ScenarioName>([
  'queued',
  'queued-http400',
  'queued-no-fetch-result',
  'queued-forever',
  'queued-until-released',
  'failed-on-fetch',
  'hostile',
]);

/** Scenarios about the account rather than one call: they apply to every API route. */
export const ACCOUNT_SCENARIOS: ReadonlySet<ScenarioName> = new Set<ScenarioName>(['invalid-key', 'invalid-key-401']);
