/** The API layer's public surface; nothing here imports 'vscode'. */
export * from './types';
export { MultiviewClient, type MultiviewClientOptions, type CallOptions } from './client';
export { endpointsFromBaseUrls, isHttpUrl } from './endpoints';
export { MultiviewApiError, isMultiviewApiError, type MultiviewApiErrorDetails } from './errors';
export { redactSecret, redactDeep } from './redact';
export { sniffImageMime } from './download';
