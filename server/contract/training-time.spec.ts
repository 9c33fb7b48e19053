import { describe, expect, it } from 'vitest';
import {
  describeTrainingTime,
  estimateTrainingTime,
  roughDuration,
  type EpochPace,
  type TrainingTimeQuery,
} from './training-time';

const pace = (o: Partial<EpochPace> = {}): EpochPace => ({
  jobId: 'j1',
  runnerId: 'gpu-box',
  device: 'cpu',
  model: 'yolo11n',
  task: 'detect',
  imgsz: 320,
  photos: 100,
  secondsPerEpoch: 10,
  finishedAt: '2026-12-07T10:00:00.000Z',
  ...o,
});
const ask = (o: Partial<TrainingTimeQuery> = {}): TrainingTimeQuery => ({
  model: 'yolo11n',
  task: 'detect',
  imgsz: 320,
  photos: 100,
  epochs: 60,
  ...o,
});

describe('the expected training time', () => {
  it('says honestly that it is not known when no job finished', () => {
    const e = estimateTrainingTime([], ask());
    expect(e).toEqual({ known: false, reason: expect.stringContaining('not known') });
    expect(describeTrainingTime(e, 60)).toContain('No training job has finished');
  });

  it('scales a past job of the same model and task by photos x image side²', () => {
    expect(estimateTrainingTime([pace()], ask())).toMatchObject({
      known: true,
      secondsPerEpoch: 10,
      seconds: 600,
    });
    // Twice the photos, and twice the side (four times the pixels): eight times the work.
    const e = estimateTrainingTime([pace()], ask({ photos: 200, imgsz: 640, epochs: 10 }));
    expect(e).toMatchObject({ known: true, secondsPerEpoch: 80, seconds: 800 });
  });

  it('reads the nearest past job in work, not the newest', () => {
    const paces = [
      pace({ jobId: 'big', photos: 1000, imgsz: 640, secondsPerEpoch: 100 }),
      pace({ jobId: 'small', photos: 12, imgsz: 160, secondsPerEpoch: 2 }),
    ];
    const e = estimateTrainingTime(paces, ask({ photos: 13, imgsz: 160, epochs: 60 }));
    expect(e.known && e.basis.jobId).toBe('small');
    expect(e.known && e.seconds).toBeCloseTo((2 * 13 * 60) / 12, 6);
  });

  it("uses only the newest job's runner, and only the same model and task", () => {
    const paces = [
      pace({ jobId: 'new-runner', runnerId: 'laptop', model: 'yolov8n' }),
      pace({ jobId: 'old-runner', runnerId: 'gpu-box' }),
    ];
    const e = estimateTrainingTime(paces, ask());
    expect(e).toEqual({ known: false, reason: expect.stringContaining('No yolo11n detect job') });
    const seg = estimateTrainingTime([pace({ task: 'segment' })], ask());
    expect(seg.known).toBe(false);
  });

  it('tells the time, the device and what it is read from', () => {
    const e = estimateTrainingTime([pace({ photos: 13, imgsz: 160, secondsPerEpoch: 3 })], ask());
    const text = describeTrainingTime(e, 60);
    expect(text).toContain("Expected time on this server's runner (cpu): about");
    expect(text).toContain('scaled from a finished job of 13 photos at 160 px (3.0 s per epoch)');
    expect(text).toContain('Early stopping may end it sooner');
  });

  it('rounds durations as a person reads them', () => {
    expect(roughDuration(0.2)).toBe('1 s');
    expect(roughDuration(45)).toBe('45 s');
    expect(roughDuration(12 * 60 + 10)).toBe('12 min');
    expect(roughDuration(125 * 60)).toBe('2 h 5 min');
  });
});
