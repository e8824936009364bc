/**
 * The behaviours the contract server can act out. Each one reproduces a response shape or quirk from
 * docs/api-contract.md, so that the client is tested against the contract, not a happy path.
 * Unless its line says otherwise, a scenario works on every job route (multiview v5/v6/enterprise, background
 * removal v5/v6, image to 3D v6/enterprise; see server.ts). One that names a single kind of result (a grid, a
 * cut-out, a model) acts like 'success' on the other routes.
 */
export const SCENARIO_NAMES = [
  /**
   * Synchronous success, exactly like the doc example. Image to 3D never answers at once: processing (integer
   * eta, fetch_result, extra_assets), then success at the first poll.
   */
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
  /**
   * The account's queue, as the service words its limit ("Maximum 5 queued requests allowed"): a submission is
   * answered 429 with retry_after while 5 of the key's jobs are queued; each job is queued for `etaSeconds`.
   */
  'queue-limit',
  /** processing, then status "failed" on the first poll. */
  'failed-on-fetch',
  /** An nginx HTML page with HTTP 502. */
  'html-502',
  /** A success body cut off in the middle. */
  'truncated-json',
  /** Success, but the output link 404s twice before it serves the file. */
  'link-404-twice',
  /** Success, but the output link answers 200 with an HTML page. */
  'html-instead-of-image',
  /** Success, but the output link streams bytes that start like the file (PNG, glTF...) forever, until the client disconnects. */
  'endless-body',
  /** Success, the output link is refused with 403 and proxy_links is an object {"0": url}. */
  'proxy-links-object',
  /** The job route accepts the connection and never answers. */
  'never-answers',
  /** Uploads only: base64_to_url fails with 500; base64_crop works and answers with `messege` + `link`. */
  'upload-fallback',
  /** HTTP 402, insufficient credits. */
  'no-credits',
  /** XSS / path-traversal strings in messages and meta, unusable links, and a fetch_result on another origin. */
  'hostile',
  /** An error whose message and tip echo the key the client sent. */
  'echo-key',
  /** processing whose eta is a float in a string ("1.5279869184"), then success at the first poll. */
  'eta-float-string',
  /** The first download of a result link works; every later one (proxy too) answers 403 "Request has expired". */
  'link-expires',
  /** The job succeeds but its links have lived out: every download answers 403 "Request has expired" (XML). */
  'link-expired',
  /** Multiview only: the grid has the PNG signature and a valid IHDR, but its IDAT stream stops half way. */
  'damaged-grid',
  /** Multiview only: the grid is a valid PNG of the wrong shape (64 x 64, whatever size was asked). */
  'wrong-size-grid',
  /** Multiview only: a valid grid whose background is transparent (opaque subjects), as multi_image wants. */
  'transparent-grid',
  /**
   * Multiview only: a grid as the model draws one, a shaded subject on a noisy grey backdrop in each view, whose true
   * masks are known (grid-image.ts gridSubjectMask), so that cut-out views can be checked pixel by pixel.
   */
  'model-views',
  /** Background removal only: the cut-out link serves a JPEG (no transparency) named .png, typed image/png. */
  'cutout-not-png',
  /** Image to 3D only: the model link (named .glb, .obj...) answers 200 application/octet-stream with an HTML page. */
  'model-is-html',
  /** Image to 3D only: the model link serves the first half of the file (right magic bytes, broken body). */
  'model-truncated',
  /**
   * The first GET of each result link (output and proxy) announces the whole file, sends half of it and drops the
   * connection; later GETs of that link serve it whole.
   */
  'drop-mid-download-once',
  /** Every GET of the output link is cut half way like that; the success lists a proxy link, which works. */
  'drop-mid-download-always',
  /** Every GET of every result link (output and proxy, which the success lists) is cut half way. */
  'drop-everywhere',
  /** The output link answers 302 to file:///etc/passwd, the proxy link (listed) 302 to an ftp: address. */
  'redirect-to-file',
  /** Each result link (proxy listed) answers 302 to itself with "?again", which answers 302 back: a loop of two. */
  'redirect-loop',
  /** Each result link (proxy listed) redirects to a new address of this server, which redirects again, without end. */
  'redirect-chain',
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

/**
 * The scenario a submission names in its own body: a marker in the prompt (multiview), or, for the routes that
 * have no prompt, in a string `track_id` (image to 3D, v5 background removal; v6 wants an integer track_id).
 */
export function scenarioFromBody(body: Record<string, unknown>): ScenarioName | undefined {
  return scenarioFromPrompt(body.prompt) ?? scenarioFromPrompt(body.track_id);
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
  'eta-float-string',
  'queue-limit',
]);

/** Scenarios about the account rather than one call: they apply to every API route. */
/** Scenarios whose success lists a proxy link whatever `temp` says, so that the fallback link is part of the act. */
export const PROXY_LINK_SCENARIOS: ReadonlySet<ScenarioName> = new Set<ScenarioName>([
  'drop-mid-download-always',
  'drop-everywhere',
  'redirect-to-file',
  'redirect-loop',
  'redirect-chain',
]);

export const ACCOUNT_SCENARIOS: ReadonlySet<ScenarioName> = new Set<ScenarioName>(['invalid-key', 'invalid-key-401']);
