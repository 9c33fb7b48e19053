/**
 * Blob -> ImageBitmap inside the worker, so decoding a 12 MP photo never costs the page a frame.
 * EXIF orientation applied (what the user sees, and what cv2.imread does); colours left as
 * stored, ignoring ICC profiles as OpenCV does, so the model sees the pixels Ultralytics would.
 */
import { describeError, InferenceError } from '../types';

export async function decodeImage(blob: Blob): Promise<ImageBitmap> {
  try {
    return await createImageBitmap(blob, {
      imageOrientation: 'from-image',
      colorSpaceConversion: 'none',
      premultiplyAlpha: 'none',
    }).catch((error: unknown) => {
      // Browsers that predate an option value reject the options with a TypeError; their
      // defaults still decode, and current specs default to 'from-image' orientation.
      if (error instanceof TypeError) return createImageBitmap(blob);
      throw error;
    });
  } catch (error) {
    throw new InferenceError(
      'bad-image',
      `This browser could not decode the image (${blob.type || 'unknown type'}, ${blob.size} bytes): ` +
        `${describeError(error)}. Use a JPEG, PNG or WebP photo.`,
      { cause: error },
    );
  }
}
