// One colour per class index, the palette Ultralytics draws with, so a class looks the same in
// the editor as in the training plots the gpu-runner produces.
const PALETTE = [
  '#ff3838',
  '#ff9d97',
  '#ff701f',
  '#ffb21d',
  '#cff231',
  '#48f90a',
  '#92cc17',
  '#3ddb86',
  '#1a9334',
  '#00d4bb',
  '#2c99a8',
  '#00c2ff',
  '#344593',
  '#6473ff',
  '#0018ec',
  '#8438ff',
  '#520085',
  '#cb38ff',
  '#ff95c8',
  '#ff37c7',
];

export function classColor(classIndex: number): string {
  return PALETTE[Math.abs(classIndex) % PALETTE.length] ?? '#ff3838';
}
