import { describe, expect, it } from 'vitest';
import { Box, Polygon } from '$contract';
import { emptyLabels } from '$lib/db/image-labels';
import { accept, splitAt, toSuggestions } from './suggestions';

const detections = [
  { className: 'card', confidence: 0.5, x: 64, y: 48, w: 320, h: 240 },
  { className: 'dog', confidence: 0.99, x: 0, y: 0, w: 10, h: 10 },
  { className: 'corner', confidence: 0.9, x: 600, y: 400, w: 80, h: 120 }, // past the edge
];

describe('suggestions', () => {
  it('maps detections to dataset classes by name, normalised and clamped, best first', () => {
    const { suggestions, unknown } = toSuggestions(detections, 640, 480, ['corner', 'card']);
    expect(unknown).toEqual(['dog']);
    expect(suggestions.map((s) => [s.classIndex, s.confidence])).toEqual([
      [0, 0.9],
      [1, 0.5],
    ]);
    expect(suggestions[1]).toMatchObject({ x: 0.1, y: 0.1, w: 0.5, h: 0.5 });
    for (const s of suggestions) {
      const { classIndex, x, y, w, h } = s;
      expect(Box.safeParse({ classIndex, x, y, w, h }).success).toBe(true);
    }
  });

  it('accepts all at or above a threshold as boxes, keeping what the image had', () => {
    const { suggestions } = toSuggestions(detections, 640, 480, ['corner', 'card']);
    const { accepted, remaining } = splitAt(suggestions, 0.6);
    expect(accepted.map((s) => s.confidence)).toEqual([0.9]);
    expect(remaining.map((s) => s.confidence)).toEqual([0.5]);
    const had = { ...emptyLabels(), boxes: [{ classIndex: 1, x: 0, y: 0, w: 0.1, h: 0.1 }] };
    const labels = accept(had, accepted, 'detect');
    expect(labels.boxes).toHaveLength(2);
    expect(labels.boxes[1]).not.toHaveProperty('confidence');
  });

  it('accepts as polygons for segment (the outline when the model gives one) and as the class for classify', () => {
    const outline: [number, number][] = [
      [0.1, 0.1],
      [0.5, 0.1],
      [0.3, 0.4],
    ];
    const { suggestions } = toSuggestions(
      [{ ...detections[0]!, polygon: { points: outline } }, detections[2]!],
      640,
      480,
      ['corner', 'card'],
    );
    const seg = accept(emptyLabels(), suggestions, 'segment');
    expect(seg.boxes).toEqual([]);
    expect(seg.polygons.map((p) => p.points.length)).toEqual([4, 3]);
    expect(seg.polygons[1]!.points).toEqual(outline);
    for (const p of seg.polygons) expect(Polygon.safeParse(p).success).toBe(true);
    expect(accept(emptyLabels(), suggestions, 'classify').imageClass).toBe(0);
  });
});
