// One colour per class index. Neighbouring indexes get far-apart hues (red, blue, green, orange,
// purple, cyan, ...), so the first few classes of a dataset never look alike; Ultralytics' own
// palette starts with four reds and oranges. Colours repeat after the list; a class can be given
// its own colour in the class manager.
const PALETTE = [
  '#e6194b',
  '#4363d8',
  '#3cb44b',
  '#f58231',
  '#911eb4',
  '#42d4f4',
  '#ffe119',
  '#f032e6',
  '#9a6324',
  '#469990',
  '#bfef45',
  '#000075',
  '#fabed4',
  '#800000',
  '#aaffc3',
  '#808000',
  '#dcbeff',
  '#ffd8b1',
];

export function classColor(classIndex: number): string {
  return PALETTE[Math.abs(classIndex) % PALETTE.length] ?? '#e6194b';
}
