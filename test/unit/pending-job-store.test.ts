/**
 * The queued jobs kept in workspace state across a window reload (src/vscode/jobs/pendingJobStore.ts), over a fake
 * Memento that behaves like VS Code's (an update is seen at once by get; a value set to undefined removes the key;
 * what survives a reload is the JSON of what was stored).
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type * as vscode from 'vscode';
import type { ResumableJob } from '../../src/core/generationJob';
import type { ResumableModelJob } from '../../src/core/modelJob';
import { MODEL_DEFAULTS, toImageTo3dFields } from '../../src/core/modelParameters';
import { BUILT_IN_DEFAULTS } from '../../src/core/parameters';
import { PendingJobStore } from '../../src/vscode/jobs/pendingJobStore';

const STATE_KEY = 'multiview.pendingJobs';

class FakeMemento implements vscode.Memento {
  readonly values = new Map<string, unknown>();
  readonly updates: [string, unknown][] = [];

  constructor(initial: Record<string, unknown> = {}) {
    for (const [key, value] of Object.entries(initial)) this.values.set(key, value);
  }

  keys(): readonly string[] {
    return [...this.values.keys()];
  }

  get<T>(key: string): T | undefined;
  get<T>(key: string, defaultValue: T): T;
  get<T>(key: string, defaultValue?: T): T | undefined {
    return this.values.has(key) ? (this.values.get(key) as T) : defaultValue;
  }

  update(key: string, value: unknown): Thenable<void> {
    this.updates.push([key, value]);
    if (value === undefined) this.values.delete(key);
    else this.values.set(key, value);
    return Promise.resolve();
  }

  /** The state a reloaded window starts from. */
  reloaded(): FakeMemento {
    return new FakeMemento(JSON.parse(JSON.stringify(Object.fromEntries(this.values))) as Record<string, unknown>);
  }
}

function viewsJob(name = 'shoe.png'): ResumableJob {
  return {
    queued: { jobId: '657', fetchUrl: 'https://api.example/api/v5/fetch/657', etaSeconds: 20, requestedSeed: 12345, kind: 'multiview' },
    imagePath: `/ws/assets/${name}`,
    workspaceFolder: '/ws',
    folder: '/ws/assets/multiview',
    parameters: { ...BUILT_IN_DEFAULTS, prompt: 'a shoe', seed: 12345 },
    sent: {
      prompt: 'a shoe', negative_prompt: '', width: 640, height: 960, num_inference_steps: 50, guidance_scale: 4, seed: 12345, temp: 'no', webhook: null, track_id: null,
    },
    endpointPreset: 'stablediffusionapi-v5',
    upload: { transport: 'upload', mime: 'image/png', width: 64, height: 64, bytes: 300 },
    inputPreparation: { requested: true, padded: false, note: 'already square' },
    startedAt: '2025-05-01T10:00:00.000Z',
    uploadMs: 120,
    cameraLayout: 'zero123plus-v1.2',
    saveViews: true,
  };
}

function modelJob(): ResumableModelJob {
  return {
    queued: { jobId: '700', fetchUrl: 'https://modelslab.example/api/v6/3d/fetch/700', etaSeconds: 120, requestedSeed: 5, kind: 'image-to-3d' },
    sidecarPath: '/ws/assets/multiview/shoe-multiview-657.json',
    imagePath: '/ws/assets/shoe.png',
    workspaceFolder: '/ws',
    parameters: { ...MODEL_DEFAULTS, format: 'obj', seed: 5 },
    input: 'subject',
    sent: toImageTo3dFields({ ...MODEL_DEFAULTS, format: 'obj', seed: 5 }),
    startedAt: '2025-05-01T10:05:00.000Z',
  };
}

describe('PendingJobStore', () => {
  test('add keeps a generation and a model job, each with its kind and its own id, and they survive a reload', () => {
    const memento = new FakeMemento();
    const store = new PendingJobStore(memento);
    const views = viewsJob();
    const model = modelJob();
    const viewsId = store.add({ kind: 'views', job: views });
    const modelId = store.add({ kind: 'model', job: model });
    assert.notEqual(viewsId, modelId);
    assert.deepEqual(store.all(), [
      { kind: 'views', job: views, id: viewsId },
      { kind: 'model', job: model, id: modelId },
    ]);
    assert.deepEqual(new PendingJobStore(memento.reloaded()).all(), store.all(), 'what a reloaded window reads');
  });

  test('remove takes out only the job it names; an unknown or missing id changes nothing', () => {
    const memento = new FakeMemento();
    const store = new PendingJobStore(memento);
    const first = store.add({ kind: 'views', job: viewsJob('a.png') });
    const second = store.add({ kind: 'model', job: modelJob() });
    const third = store.add({ kind: 'views', job: viewsJob('c.png') });
    const updates = memento.updates.length;
    store.remove('no-such-id');
    store.remove(undefined);
    assert.equal(memento.updates.length, updates, 'nothing written for nothing removed');
    store.remove(second);
    assert.deepEqual(store.all().map((entry) => entry.id), [first, third]);
    store.remove(first);
    assert.deepEqual(store.all().map((entry) => [entry.id, entry.kind, entry.job.imagePath]), [[third, 'views', '/ws/assets/c.png']]);
  });

  test('the state key is removed (updated to undefined) when the last job leaves, for either kind', () => {
    for (const kind of ['views', 'model'] as const) {
      const memento = new FakeMemento();
      const store = new PendingJobStore(memento);
      const id = kind === 'views' ? store.add({ kind, job: viewsJob() }) : store.add({ kind, job: modelJob() });
      assert.deepEqual(memento.keys(), [STATE_KEY]);
      store.remove(id);
      assert.deepEqual(memento.updates.at(-1), [STATE_KEY, undefined]);
      assert.deepEqual(memento.keys(), [], 'workspace state is empty again: the features are not loaded at startup for nothing');
      assert.deepEqual(store.all(), []);
    }
  });

  test('an entry kept by an older version (no kind) is read as a generation, and keeps its id', () => {
    const { kind: _kind, ...old } = { kind: 'views', job: viewsJob(), id: 'old-1' };
    const memento = new FakeMemento({ [STATE_KEY]: [old] });
    const store = new PendingJobStore(memento);
    assert.deepEqual(store.all(), [{ id: 'old-1', kind: 'views', job: viewsJob() }]);
    const added = store.add({ kind: 'model', job: modelJob() });
    assert.deepEqual(store.all().map((entry) => [entry.id, entry.kind]), [['old-1', 'views'], [added, 'model']]);
    store.remove('old-1');
    assert.deepEqual(store.all().map((entry) => entry.id), [added]);
  });

  test('malformed entries are dropped, the good ones kept', () => {
    const good = { id: 'good', kind: 'model', job: modelJob() };
    const goodViews = { id: 'good-views', job: viewsJob() };
    const model = modelJob();
    const views = viewsJob();
    const malformed: unknown[] = [
      null,
      'a string',
      42,
      [],
      { kind: 'views', job: views }, // no id
      { id: 7, kind: 'views', job: views }, // an id that is not text
      { id: 'no-job', kind: 'views' },
      { id: 'job-not-object', kind: 'views', job: 'x' },
      { id: 'no-queued', kind: 'views', job: { ...views, queued: undefined } },
      { id: 'queued-not-object', kind: 'views', job: { ...views, queued: '657' } },
      { id: 'no-started', kind: 'views', job: { ...views, startedAt: undefined } },
      { id: 'no-image', kind: 'views', job: { ...views, imagePath: 12 } },
      { id: 'views-no-folder', kind: 'views', job: { ...views, folder: undefined } },
      { id: 'old-no-folder', job: { ...views, folder: undefined } },
      { id: 'model-no-sidecar', kind: 'model', job: { ...model, sidecarPath: undefined } },
      { id: 'model-no-parameters', kind: 'model', job: { ...model, parameters: 'glb' } },
      { id: 'model-no-image', kind: 'model', job: { ...model, imagePath: undefined } },
    ];
    const memento = new FakeMemento({ [STATE_KEY]: [malformed[0], good, ...malformed.slice(1), goodViews] });
    const store = new PendingJobStore(memento);
    assert.deepEqual(store.all(), [
      { id: 'good', kind: 'model', job: model },
      { id: 'good-views', kind: 'views', job: views },
    ]);
    // The next write keeps only what is readable.
    const added = store.add({ kind: 'views', job: viewsJob('new.png') });
    assert.deepEqual((memento.get<unknown[]>(STATE_KEY) ?? []).map((entry) => (entry as { id: string }).id), ['good', 'good-views', added]);
  });

  test('state that is not a list at all reads as no jobs, and the first add replaces it', () => {
    for (const stored of [{ id: 'x' }, 'corrupt', 3]) {
      const memento = new FakeMemento({ [STATE_KEY]: stored });
      const store = new PendingJobStore(memento);
      assert.deepEqual(store.all(), []);
      const id = store.add({ kind: 'model', job: modelJob() });
      assert.deepEqual(store.all().map((entry) => entry.id), [id]);
    }
  });
});

describe('paid results kept until they are saved', () => {
  const finished = { jobId: '657', outputUrls: ['https://cdn.example/657.png'], proxyUrls: ['https://proxy.example/657.png'], meta: { seed: 12345 }, seed: 12345, generationTime: 12.5 };

  test('a queued job becomes a paid one in place, keeps its links across a reload, and leaves when saved', () => {
    const memento = new FakeMemento();
    const store = new PendingJobStore(memento);
    const id = store.put(undefined, { kind: 'views', job: viewsJob() });
    assert.equal(store.put(id, { kind: 'views', job: { ...viewsJob(), finished } }), id, 'the same entry');
    const reloaded = new PendingJobStore(memento.reloaded()).all();
    assert.equal(reloaded.length, 1);
    assert.deepEqual(reloaded[0].kind === 'views' ? reloaded[0].job.finished : undefined, finished);
    store.remove(id);
    assert.equal(memento.values.has(STATE_KEY), false);
  });

  test('put under an id that is gone adds a new entry', () => {
    const store = new PendingJobStore(new FakeMemento());
    const id = store.put('not-there', { kind: 'views', job: viewsJob() });
    assert.notEqual(id, 'not-there');
    assert.deepEqual(store.all().map((entry) => entry.id), [id]);
  });

  test('links that are not a list of texts are not kept: the job is polled again instead', () => {
    const memento = new FakeMemento({ [STATE_KEY]: [{ id: 'a', kind: 'views', job: { ...viewsJob(), finished: { jobId: '657', outputUrls: [42] } } }] });
    const [entry] = new PendingJobStore(memento).all();
    assert.equal(entry.kind === 'views' ? entry.job.finished : 'not views', undefined);
    assert.equal(entry.kind === 'views' ? entry.job.queued.jobId : undefined, '657');
  });
});

describe('a submission in flight', () => {
  test('is kept as awaiting an answer across a reload, and no longer once the job is queued', () => {
    const memento = new FakeMemento();
    const store = new PendingJobStore(memento);
    const id = store.put(undefined, { kind: 'views', job: { ...viewsJob(), queued: { requestedSeed: 12345, kind: 'multiview' }, awaitingAnswer: true } });
    const [kept] = new PendingJobStore(memento.reloaded()).all();
    assert.equal(kept.kind === 'views' && kept.job.awaitingAnswer, true);
    store.put(id, { kind: 'views', job: viewsJob() });
    const [queued] = new PendingJobStore(memento.reloaded()).all();
    assert.equal(queued.kind === 'views' && queued.job.awaitingAnswer, undefined);
  });
});
