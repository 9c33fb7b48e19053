import type { DatasetDiff, DatasetManifest, ManifestImage } from '../contract';
import { labelClasses } from './dataset-labels';

type ClassRow = DatasetDiff['classes'][number];

/** An image's labels as a comparable string: by class name, in no particular order. */
function labelKey(m: DatasetManifest, image: ManifestImage) {
  const name = (i: number) => m.classes[i] ?? `#${i}`;
  const labels = [
    ...image.boxes.map((b) => JSON.stringify(['box', name(b.classIndex), b.x, b.y, b.w, b.h])),
    ...(image.polygons ?? []).map((p) => JSON.stringify(['polygon', name(p.classIndex), p.points])),
    ...(image.imageClass !== undefined ? [JSON.stringify(['class', name(image.imageClass)])] : []),
  ];
  return JSON.stringify(labels.sort());
}

/** What changed from one version to another; labels are matched by class name, not index. */
export function diffManifests(
  ids: { from: string; to: string },
  from: DatasetManifest,
  to: DatasetManifest,
): DatasetDiff {
  const rows = new Map<string, ClassRow>();
  const row = (name: string) => {
    let r = rows.get(name);
    if (!r) rows.set(name, (r = { name, from: 0, to: 0, inAdded: 0, inRemoved: 0, inChanged: 0 }));
    return r;
  };
  [...from.classes, ...to.classes].forEach(row);
  const count = (m: DatasetManifest, image: ManifestImage, field: keyof ClassRow, sign = 1) => {
    for (const c of labelClasses(image)) (row(m.classes[c] ?? `#${c}`)[field] as number) += sign;
  };
  const before = new Map(from.images.map((i) => [i.sha256, i]));
  const after = new Map(to.images.map((i) => [i.sha256, i]));
  const diff: DatasetDiff = {
    ...ids,
    added: [],
    removed: [],
    labelsChanged: [],
    sizeChanged: [],
    classes: [],
  };
  const ref = (i: ManifestImage) => ({ sha256: i.sha256, fileName: i.fileName });
  for (const image of from.images) {
    count(from, image, 'from');
    if (after.has(image.sha256)) continue;
    diff.removed.push(ref(image));
    count(from, image, 'inRemoved');
  }
  for (const image of to.images) {
    count(to, image, 'to');
    const old = before.get(image.sha256);
    if (!old) {
      diff.added.push(ref(image));
      count(to, image, 'inAdded');
      continue;
    }
    if (labelKey(from, old) !== labelKey(to, image)) {
      diff.labelsChanged.push(ref(image));
      // Net change of each class within the changed images.
      count(to, image, 'inChanged');
      count(from, old, 'inChanged', -1);
    }
    if (old.width !== image.width || old.height !== image.height) {
      const size = (i: ManifestImage) => ({ width: i.width, height: i.height });
      diff.sizeChanged.push({ ...ref(image), from: size(old), to: size(image) });
    }
  }
  diff.classes = [...rows.values()];
  return diff;
}
