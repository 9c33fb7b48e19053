import { describe, expect, it } from 'vitest';
import { MergeRequest, type DatasetVersion } from '$contract';
import { chooseTask, defaultDraft, validateDraft } from './job-form';
import {
  annotationChoices,
  annotationNote,
  defaultMapping,
  mergeProblems,
  mergeRequest,
  needsMerge,
  refreshMapping,
  targetClasses,
} from './merge-plan';

const version = (id: string, classes: string[], over: Partial<DatasetVersion> = {}) =>
  ({
    id: id.repeat(64),
    name: `set ${id}`,
    classes,
    task: 'detect',
    imageCount: 3,
    boxCount: 3,
    polygonCount: 0,
    classifiedCount: 0,
    createdAt: '2025-01-01T00:00:00.000Z',
    ...over,
  }) as DatasetVersion;

const a = version('a', ['card', 'back']);
const b = version('b', ['Card', 'sleeve', 'back']);

describe('merging dataset versions for training', () => {
  it('maps the same name to the same class by default, numbered by first use', () => {
    const mapping = defaultMapping([a, b]);
    expect(targetClasses([a, b], mapping)).toEqual(['card', 'back', 'Card', 'sleeve']);
    expect(mergeProblems([a, b], mapping)).toEqual([]);
    expect(mergeRequest('', [a, b], mapping)).toEqual({
      name: 'set a + set b',
      unlabeled: 'keep',
      sources: [
        { versionId: a.id, classMap: {} },
        { versionId: b.id, classMap: {} },
      ],
    });
  });

  it('sends only the classes that are renamed or dropped, as the server expects', () => {
    const mapping = defaultMapping([a, b]);
    mapping[b.id] = { Card: 'card', sleeve: null, back: 'back' };
    expect(targetClasses([a, b], mapping)).toEqual(['card', 'back']);
    const request = mergeRequest(' both ', [a, b], mapping);
    expect(request.sources[1]).toEqual({
      versionId: b.id,
      classMap: { Card: 'card', sleeve: null },
    });
    expect(MergeRequest.parse(request)).toEqual({ ...request, name: 'both' });
  });

  it('needs no merge for one version trained as it is', () => {
    expect(needsMerge([a], defaultMapping([a]))).toBe(false);
    expect(needsMerge([a], { [a.id]: { card: 'card', back: null } })).toBe(true);
    expect(needsMerge([a, b], defaultMapping([a, b]))).toBe(true);
  });

  it('says what is wrong before anything is sent', () => {
    expect(mergeProblems([], {})).toEqual(['Choose at least one dataset version.']);
    const segment = version('c', ['card'], { task: 'segment' });
    expect(mergeProblems([a, segment], defaultMapping([a, segment]))[0]).toMatch(
      /different tasks \(detect, segment\)/,
    );
    expect(mergeProblems([a], { [a.id]: { card: ' ', back: 'back' } })).toEqual([
      '"card" of set a needs a target name (or drop it).',
    ]);
    expect(mergeProblems([a], { [a.id]: { card: null, back: null } })).toEqual([
      'Every class is dropped: keep at least one.',
    ]);
  });

  it('keeps the mapping the user set when versions are added or removed', () => {
    const mapping = { [a.id]: { card: 'front', back: null } };
    expect(refreshMapping([a, b], mapping)).toEqual({
      [a.id]: { card: 'front', back: null },
      [b.id]: { Card: 'Card', sleeve: 'sleeve', back: 'back' },
    });
    expect(refreshMapping([b], mapping)).toEqual(defaultMapping([b]));
  });
});

describe('annotation types and splits in the draft', () => {
  it('offers boxes, outlines or both for detect and outlines only for segment', () => {
    expect(annotationChoices('detect').map((c) => c.value)).toEqual(['both', 'boxes', 'outlines']);
    expect(annotationChoices('segment').map((c) => c.value)).toEqual(['outlines']);
    expect(annotationChoices('classify')).toEqual([]);
    const counts = { boxes: 4, outlines: 2, classified: 0 };
    expect(annotationNote('segment', 'outlines', counts)).toMatch(
      /4 boxes are not used: a box cannot become an outline/,
    );
    expect(annotationNote('detect', 'boxes', counts)).toMatch(/^Detect learns from 4 label/);
    expect(annotationNote('detect', 'both', counts)).toMatch(/^Detect learns from 6 label/);
  });

  it('switches a segment draft to outlines, and back to both for detect', () => {
    const segment = chooseTask(defaultDraft('a'.repeat(64)), 'segment', []);
    expect(segment.annotationTypes).toBe('outlines');
    expect(chooseTask(segment, 'detect', []).annotationTypes).toBe('both');
    expect(validateDraft({ ...segment, annotationTypes: 'boxes' })).toMatchObject({
      ok: false,
      errors: { annotationTypes: expect.stringMatching(/a box cannot become an outline/) },
    });
  });

  it('refuses validation and test shares that leave nothing to train on', () => {
    const draft = { ...defaultDraft('a'.repeat(64)), valFraction: 0.3, testFraction: 0.7 };
    expect(validateDraft(draft)).toMatchObject({
      ok: false,
      errors: { testFraction: expect.stringMatching(/together they must be below 1/) },
    });
    expect(validateDraft({ ...draft, testFraction: 0.2 })).toEqual({ ok: true });
  });
});

describe('class names that are also Object.prototype members', () => {
  const odd = version('c', ['constructor', 'toString', '__proto__']);

  it('keeps them as ordinary classes, renamed and dropped like any other', () => {
    const mapping = defaultMapping([odd]);
    expect(targetClasses([odd], mapping)).toEqual(['constructor', 'toString', '__proto__']);
    expect(needsMerge([odd], mapping)).toBe(false);
    expect(mergeProblems([odd], mapping)).toEqual([]);
    const renamed = refreshMapping([odd], { [odd.id]: { constructor: 'maker', toString: null } });
    expect(targetClasses([odd], renamed)).toEqual(['maker', '__proto__']);
  });
});
