/** A 3D model as a job's result file: which links and answers may hold it, and its bytes checked (modelFiles.ts). */
import * as l10n from '@vscode/l10n';
import type { ResultFileKind } from '../api/download';
import type { ModelOutputFormat } from '../api/jobRequests';
import { checkModelFile, MODEL_FILE_EXTENSIONS, type ModelFileFacts } from './modelFiles';

export interface DownloadedModel {
  bytes: Uint8Array;
  facts: ModelFileFacts;
}

/** Model files come labelled as anything: model/*, octet-stream, STL's sla, OBJ and PLY as text. */
const MODEL_CONTENT_TYPE = /^(model\/|application\/(octet-stream|sla|vnd\.ms-pki\.stl|x-ply|x-tgif|gltf)|text\/plain$)/;

/** The model the service made, in the format asked for; anything else is refused in the user's words. */
export function resultModel(format: ModelOutputFormat): ResultFileKind<DownloadedModel> {
  const name = format.toUpperCase();
  return {
    mayBeIn: (contentType) => MODEL_CONTENT_TYPE.test(contentType),
    recognise: (bytes, displayUrl) => {
      const check = checkModelFile(bytes, format);
      if (check.ok) return { bytes, facts: check };
      switch (check.reason) {
        case 'truncated':
          return { problem: l10n.t('The {0} model at {1} is cut short: the download stopped before its end.', name, displayUrl) };
        case 'wrong-format':
          return { problem: l10n.t('The model at {0} is not the {1} file that was asked for.', displayUrl, name) };
        case 'empty-model':
          return { problem: l10n.t('The {0} model at {1} has nothing in it to show.', name, displayUrl) };
        case 'not-a-model':
        case 'empty':
          return { problem: l10n.t('The file at {0} is not a 3D model (it is not a {1} file).', displayUrl, name) };
        default:
          return { problem: l10n.t('The {0} model at {1} is damaged and cannot be read.', name, displayUrl) };
      }
    },
    sentInstead: (displayUrl, contentType) => l10n.t('The result link {0} sent {1} instead of a 3D model.', displayUrl, contentType),
  };
}

/** The output links with those named like the asked-for format first (a job may list previews beside its model). */
export function modelLinksFirst(urls: readonly string[], format: ModelOutputFormat): string[] {
  const extension = MODEL_FILE_EXTENSIONS[format].toLowerCase();
  const named = (url: string) => {
    try {
      return new URL(url).pathname.toLowerCase().endsWith(extension);
    } catch {
      return false;
    }
  };
  return [...urls.filter(named), ...urls.filter((url) => !named(url))];
}
