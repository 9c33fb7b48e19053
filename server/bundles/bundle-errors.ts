import { AppError } from '../http/app-error';

const FIX = 'Export the bundle again from Loupe (Datasets → Export bundle) and import that file.';

/** The archive is damaged or not a zip at all. */
export const unreadableBundle = (why: string) =>
  new AppError(400, 'bundle_unreadable', `the bundle is not a readable .zip: ${why}`, FIX);

/** The archive is built to harm whoever unpacks it (zip slip, links, overlapping entries). */
export const unsafeBundle = (entry: string, why: string) =>
  new AppError(
    400,
    'bundle_unsafe',
    `the bundle was refused: entry ${JSON.stringify(entry)}: ${why}`,
    'Nothing was stored. Do not unpack this file; export the dataset again from Loupe.',
    { entry },
  );

/** More than a limit allows, counted as it is read (zip bombs included). */
export const bundleOverLimit = (what: string, limit: number, setting: string) =>
  new AppError(
    413,
    'bundle_too_large',
    `the bundle was refused: ${what} is over the limit of ${limit}`,
    `Nothing was stored. Split the dataset, or raise ${setting} on the server if this is expected.`,
    { limit, setting },
  );

/** Well-formed zip, wrong content. */
export const invalidBundle = (message: string, details?: unknown) =>
  new AppError(400, 'bundle_invalid', `the bundle was refused: ${message}`, FIX, details);
