import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Polygon } from '$contract';
import { exactDecimal } from './format-types';
import { fitBox, fitPolygon, ultralyticsAccepts } from './ultralytics-labels';

/**
 * Ultralytics' own verdicts on label lines (gpu-runner/tests/test_yolo_labels.py checks each
 * against its verify_image_label, and the runner's rule against them): the import must keep,
 * clip or skip each line as the runner writes it.
 */
interface Case {
  line: string;
  ultralytics: 'accepts' | 'refuses';
  loupe: 'keeps' | 'clips' | 'drops';
  inside?: number[] | number[][];
}
const cases = JSON.parse(
  readFileSync(new URL('../../../test/contract/ultralytics-labels.json', import.meta.url), 'utf8'),
) as { boxes: Case[]; outlines: Case[] };

const numbers = (line: string) => line.split(' ').map(Number);

describe('labels as Ultralytics accepts them', () => {
  it.each(cases.boxes)('box $line: Ultralytics $ultralytics, the import $loupe', (c) => {
    const [cls = 0, cx = 0, cy = 0, w = 0, h = 0] = numbers(c.line);
    expect(ultralyticsAccepts([cx, cy, w, h])).toBe(c.ultralytics === 'accepts');
    const fitted = fitBox(cls, cx, cy, w, h);
    if (c.loupe === 'keeps') {
      // Stored as the corner; the centre computed back is the user's number.
      expect(fitted).toEqual({ kept: { classIndex: cls, x: cx - w / 2, y: cy - h / 2, w, h } });
    } else if (c.loupe === 'drops') {
      expect(fitted).toEqual({ outside: true });
    } else {
      expect('clipped' in fitted).toBe(true);
      const box = 'clipped' in fitted ? fitted.clipped : null;
      const corners = [box!.x, box!.y, box!.x + box!.w, box!.y + box!.h];
      corners.forEach((v, i) => expect(v).toBeCloseTo((c.inside as number[])[i]!, 12));
    }
  });

  it.each(cases.outlines)('outline $line: Ultralytics $ultralytics, the import $loupe', (c) => {
    const [cls = 0, ...values] = numbers(c.line);
    const points: [number, number][] = [];
    for (let i = 0; i < values.length; i += 2) points.push([values[i]!, values[i + 1]!]);
    const polygon: Polygon = { classIndex: cls, points };
    const fitted = fitPolygon(polygon);
    if (c.loupe === 'keeps') expect(fitted).toEqual({ kept: polygon });
    else if (c.loupe === 'drops') expect(fitted).toEqual({ outside: true });
    else expect(fitted).toEqual({ clipped: { classIndex: cls, points: c.inside } });
  });
});

describe('exactDecimal', () => {
  it("gives back a user's centre from the stored corner, for decimals of 6 to 15 places", () => {
    let seed = 14;
    const random = () => (seed = (seed * 16807) % 2147483647) / 2147483647; // Park-Miller
    for (let i = 0; i < 20_000; i++) {
      const places = [6, 7, 8, 12, 15][i % 5]!;
      const w = Number((0.001 + random() * 0.5).toFixed(places));
      const cx = Number((-0.0099 + random() * 1.0198).toFixed(places));
      const x = cx - w / 2; // what the import stores
      expect(Number(exactDecimal(x + w / 2, x))).toBe(cx);
    }
    expect(exactDecimal(0.1 + 0.2)).toBe('0.30000000000000004'); // no slack: the double itself
    expect(exactDecimal(5e-7)).toBe('5e-7');
  });
});
