// Removing the open photo from the dataset, and putting it back ("Undo remove") while the page
// is open. The removal itself is label sync's (removeImageFromDataset records it, so every
// device drops the photo after a sync); the copy kept here is what makes undo cheap: the
// photo's bytes are read before they are deleted, and putting it back imports the same content
// again with its labels recorded after the removal, so sync brings it back too.
import {
  getImageBlob,
  getThumbnail,
  labelsOf,
  removeImageFromDataset,
  setReviewed,
  type DatasetImage,
  type ImageLabels,
} from '$lib/db/datasets';
import { restoreImageToDataset } from '$lib/db/dataset-images';
import { getSuggestions, putSuggestions, type PageSuggestion } from '$lib/db/suggestion-store';
import type { ImportedImage } from '$lib/images/imported-image';

/** What undo needs to put a removed photo back as it was. */
export interface RemovedPhoto {
  image: ImportedImage;
  labels: ImageLabels;
  reviewed: boolean;
  suggestions: PageSuggestion[];
}

/** The bytes of a stored Blob, copied: the stored one is gone once the photo is removed. */
async function copyOf(blob: Blob): Promise<Blob> {
  return new Blob([await blob.arrayBuffer()], { type: blob.type });
}

/** Removes the photo from the dataset and answers the copy undo puts back. */
export async function removePhoto(
  datasetId: string,
  photo: DatasetImage,
  classes: readonly string[],
): Promise<RemovedPhoto> {
  const { sha256, fileName, mimeType, width, height, bytes } = photo;
  const [blob, thumbnail, suggestions] = await Promise.all([
    getImageBlob(sha256),
    getThumbnail(sha256),
    getSuggestions(datasetId, sha256, classes),
  ]);
  if (!blob) throw new Error(`the bytes of ${fileName} are not stored on this device`);
  const image: ImportedImage = {
    sha256,
    fileName,
    mimeType,
    width,
    height,
    bytes,
    blob: await copyOf(blob),
    ...(thumbnail ? { thumbnail: await copyOf(thumbnail) } : {}),
  };
  await removeImageFromDataset(datasetId, sha256);
  return { image, labels: labelsOf(photo), reviewed: !!photo.reviewedAt, suggestions };
}

/** Puts a removed photo back with its labels, review mark and suggestions (added last). */
export async function restorePhoto(
  datasetId: string,
  removed: RemovedPhoto,
  classes: readonly string[],
): Promise<void> {
  const { sha256 } = removed.image;
  await restoreImageToDataset(datasetId, removed.image, removed.labels);
  if (removed.reviewed) await setReviewed(datasetId, sha256, true);
  await putSuggestions(datasetId, sha256, removed.suggestions, classes);
}
