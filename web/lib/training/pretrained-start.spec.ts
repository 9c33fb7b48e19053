import { describe, expect, it } from 'vitest';
import type { PretrainedCatalog } from '$contract';
import { pretrainedBase, pretrainedChoice } from './pretrained-start';

const file = {
  name: 'yolo11n.pt',
  family: 'yolo11',
  scale: 'n',
  task: 'detect' as const,
  sha256: 'a'.repeat(64),
  bytes: 5_400_000,
  pinned: false,
};
const catalog = (over: Partial<PretrainedCatalog>): PretrainedCatalog => ({
  files: [],
  folder: 'data/weights',
  problems: [],
  runnerDownload: false,
  ...over,
});

describe('the pretrained start a job gets', () => {
  it("uses the server's copy of the official file for the model and task", () => {
    const choice = pretrainedChoice(catalog({ files: [file] }), 'yolo11n', 'detect');
    expect(choice).toMatchObject({ name: 'yolo11n.pt', source: 'server' });
    expect(pretrainedBase(choice)).toEqual({ kind: 'pretrained', name: 'yolo11n.pt' });
  });

  it('lets the runner download it when allowed, and says how to do without internet', () => {
    const choice = pretrainedChoice(catalog({ runnerDownload: true }), 'yolov8s', 'segment');
    expect(choice).toMatchObject({ name: 'yolov8s-seg.pt', source: 'runner' });
    expect(choice.message).toContain(
      "put the official yolov8s-seg.pt in the server's data/weights",
    );
  });

  it('starts from scratch without it, and says so and how to get the file', () => {
    const choice = pretrainedChoice(catalog({ files: [file] }), 'yolo11n', 'classify');
    expect(choice.source).toBe('none');
    expect(choice.message).toMatch(/^No pretrained yolo11n-cls.pt on this server/);
    expect(choice.message).toContain('upload it on the Models page');
    expect(pretrainedBase(choice)).toBeUndefined();
  });
});
