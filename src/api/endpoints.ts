import { JOB_ID_PLACEHOLDER } from './presets';
import type { ApiEndpoints } from './types';

/** True for absolute http(s) URLs; the only kind the client ever calls or returns. */
export function isHttpUrl(value: unknown): boolean {
  if (typeof value !== 'string' || value.length === 0) return false;
  try {
    const { protocol, hostname } = new URL(value);
    return (protocol === 'http:' || protocol === 'https:') && hostname.length > 0;
  } catch {
    return false;
  }
}

/** `https://host:port` of a URL, or undefined when it is not an http(s) URL. */
export function originOf(url: string): string | undefined {
  return isHttpUrl(url) ? new URL(url).origin : undefined;
}

/** Every origin the user configured; the only hosts that may ever receive the key. */
export function trustedOrigins(endpoints: ApiEndpoints): Set<string> {
  const jobs = [endpoints.multiview, endpoints.backgroundRemoval, endpoints.imageTo3d];
  const urls = [endpoints.base64ToUrl, endpoints.base64Crop, ...jobs.flatMap((job) => [job.url, ...job.fetchFallbacks.map((route) => route.url)])];
  return new Set(urls.map(originOf).filter((origin): origin is string => origin !== undefined));
}

/** A fallback poll URL for one job. */
export function fetchUrlForJob(template: string, jobId: string): string {
  return template.split(JOB_ID_PLACEHOLDER).join(encodeURIComponent(jobId));
}

/** A URL fit for logs and messages: no credentials, query or fragment (they may carry secrets). */
export function urlForDisplay(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.origin}${parsed.pathname}`;
  } catch {
    return '(invalid URL)';
  }
}

/** `host:port` for messages such as "could not connect to ...". */
export function hostForDisplay(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return '(invalid URL)';
  }
}
