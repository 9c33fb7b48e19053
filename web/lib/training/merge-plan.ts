import {
  ownValue,
  type AnnotationTypes,
  type DatasetVersion,
  type MergeRequest,
  type Task,
} from '$contract';
import { plural } from '$lib/text/wording';

/**
 * Training on several dataset versions: which versions, and where each of their classes goes.
 * The server merges them (POST /api/dataset-versions/merge) into one sealed version the job trains
 * on; this module only plans it, so the wizard can show and check the plan before anything is
 * sent.
 */

/** Per version id: source class name -> target class name, or null to drop the class. */
export type ClassMapping = Record<string, Record<string, string | null>>;

/** Every class keeps its name: the same name in two versions is the same class. */
export function defaultMapping(sources: DatasetVersion[]): ClassMapping {
  return Object.fromEntries(
    sources.map((v) => [v.id, Object.fromEntries(v.classes.map((c) => [c, c]))]),
  );
}

/** Keeps what the user set for versions still chosen, and the defaults for new ones. */
export function refreshMapping(sources: DatasetVersion[], mapping: ClassMapping): ClassMapping {
  const fresh = defaultMapping(sources);
  for (const v of sources) {
    for (const c of v.classes) {
      const set = mappedTarget(mapping, v.id, c);
      if (set !== undefined) fresh[v.id]![c] = set;
    }
  }
  return fresh;
}

/** What the user set for a class (undefined: untouched); class names are never prototype keys. */
export function mappedTarget(mapping: ClassMapping, versionId: string, name: string) {
  const versionMap = ownValue(mapping, versionId);
  return versionMap && ownValue(versionMap, name);
}

const targetOf = (mapping: ClassMapping, versionId: string, name: string) => {
  const target = mappedTarget(mapping, versionId, name);
  return target === undefined ? name : target === null ? null : target.trim();
};

/** The merged version's classes, numbered as the server numbers them: in order of first use. */
export function targetClasses(sources: DatasetVersion[], mapping: ClassMapping): string[] {
  const targets: string[] = [];
  for (const v of sources) {
    for (const c of v.classes) {
      const target = targetOf(mapping, v.id, c);
      if (target && !targets.includes(target)) targets.push(target);
    }
  }
  return targets;
}

/** Whether the chosen versions can be trained as they are, with no merge. */
export const needsMerge = (sources: DatasetVersion[], mapping: ClassMapping) =>
  sources.length > 1 ||
  sources.some((v) => v.classes.some((c) => targetOf(mapping, v.id, c) !== c));

/** What is wrong with the plan, in words; an empty list when it can be sent. */
export function mergeProblems(sources: DatasetVersion[], mapping: ClassMapping): string[] {
  const problems: string[] = [];
  if (sources.length === 0) problems.push('Choose at least one dataset version.');
  const tasks = [...new Set(sources.map((v) => v.task))];
  if (tasks.length > 1) {
    problems.push(`The versions are for different tasks (${tasks.join(', ')}): merge one task.`);
  }
  for (const v of sources) {
    for (const c of v.classes) {
      const target = mappedTarget(mapping, v.id, c);
      if (typeof target === 'string' && target.trim() === '') {
        problems.push(`"${c}" of ${v.name} needs a target name (or drop it).`);
      } else if (typeof target === 'string' && target.trim().length > 64) {
        problems.push(`The target name for "${c}" is longer than 64 characters.`);
      }
    }
  }
  if (sources.length > 0 && targetClasses(sources, mapping).length === 0) {
    problems.push('Every class is dropped: keep at least one.');
  }
  return problems;
}

/** The request the server merges; a class map names only the classes that change. */
export function mergeRequest(
  name: string,
  sources: DatasetVersion[],
  mapping: ClassMapping,
  unlabeled: 'keep' | 'drop' = 'keep',
): MergeRequest {
  return {
    name: name.trim() || sources.map((v) => v.name).join(' + '),
    unlabeled,
    sources: sources.map((v) => ({
      versionId: v.id,
      classMap: Object.fromEntries(
        v.classes
          .map((c) => [c, targetOf(mapping, v.id, c)] as const)
          .filter(([c, target]) => target !== c),
      ),
    })),
  };
}

export type AnnotationChoice = { value: AnnotationTypes; label: string };

/** Which labels a task can learn from: detect boxes and/or outlines, segment outlines only. */
export function annotationChoices(task: Task): AnnotationChoice[] {
  if (task === 'detect') {
    return [
      { value: 'both', label: 'boxes and outlines (as their boxes)' },
      { value: 'boxes', label: 'boxes only' },
      { value: 'outlines', label: 'outlines only (as their boxes)' },
    ];
  }
  if (task === 'segment') return [{ value: 'outlines', label: 'outlines' }];
  return [];
}

/** What the chosen labels mean for these counts, for the wizard to say plainly. */
export function annotationNote(
  task: Task,
  types: AnnotationTypes,
  counts: { boxes: number; outlines: number; classified: number },
): string {
  if (task === 'classify') {
    return `Classify learns from image classes: ${plural(counts.classified, 'classified image')}. Boxes and outlines are not used.`;
  }
  if (task === 'segment') {
    const unused = counts.boxes
      ? ` ${plural(counts.boxes, 'box is', 'boxes are')} not used: a box cannot become an outline.`
      : '';
    return `Segment learns from outlines: ${plural(counts.outlines, 'outline')}.${unused}`;
  }
  const used =
    (types !== 'outlines' ? counts.boxes : 0) + (types !== 'boxes' ? counts.outlines : 0);
  return `Detect learns from ${plural(used, 'label')} (${plural(counts.boxes, 'box', 'boxes')}, ${plural(counts.outlines, 'outline')} in the data).`;
}
